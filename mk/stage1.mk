# stage1: the default stage1 image (bin/stage1.aci), the probe test app and
# its image, the demo and the start-time benchmark.
#
# The stage1 rootfs holds two static binaries: stage1, to which /init,
# /enter, /gc and /stop are links (it dispatches on its name), and the pod
# init, saturn-pod-init, kept apart so that it starts fast; the CNI plugins
# (mk/network.mk) go in usr/lib/saturn/cni. saturn.io/stage1/app-roots=stage1
# tells stage0 that this stage1 mounts the app roots itself.
S1_DIR    := $(BUILD)/stage1
S1_SRC    := $(shell find stage1 internal -name '*.go' ! -name '*_test.go' 2>/dev/null)
S1_ARCH   := $(shell $(GO) env GOARCH)
S1_LABELS := --label os=linux --label arch=$(S1_ARCH)
S1_IFACE  := 4
PROBE_DIR := $(BUILD)/test/probe-image

IMAGES   += $(BIN)/stage1.aci
TESTBINS += $(BUILD)/test/probe $(S1_DIR)/rootfs/stage1 $(S1_DIR)/rootfs/saturn-pod-init $(BUILD)/test/probe.aci
BENCHES  += bench-run bench-isolation
# The pod spec that stage1 init sends the pod init (package podspec).
FUZZ_TARGETS += ./stage1/podspec:FuzzDecode:50000x

$(S1_DIR)/rootfs/stage1: $(S1_SRC) go.mod
	mkdir -p $(S1_DIR)/rootfs
	$(STATIC) -o $@ ./stage1/cmd/stage1
	for e in init enter gc stop; do ln -sfn stage1 $(S1_DIR)/rootfs/$$e; done

$(S1_DIR)/rootfs/saturn-pod-init: $(S1_SRC) go.mod
	mkdir -p $(S1_DIR)/rootfs
	$(STATIC) -o $@ ./stage1/cmd/podinit

$(BIN)/stage1.aci: $(S1_DIR)/rootfs/stage1 $(S1_DIR)/rootfs/saturn-pod-init $(CNI_PLUGINS) | $(SATURN)
	rm -rf $(S1_DIR)/rootfs/usr/lib/saturn/cni && mkdir -p $(S1_DIR)/rootfs/usr/lib/saturn/cni
	cp $(CNI_PLUGINS) $(S1_DIR)/rootfs/usr/lib/saturn/cni/
	$(SATURN) image build $(S1_DIR)/rootfs $@ --name saturn.io/stage1 $(S1_LABELS) \
		--label version=$(VERSION) \
		--annotation coreos.com/rkt/stage1/run=/init \
		--annotation coreos.com/rkt/stage1/enter=/enter \
		--annotation coreos.com/rkt/stage1/gc=/gc \
		--annotation coreos.com/rkt/stage1/stop=/stop \
		--annotation coreos.com/rkt/stage1/interface-version=$(S1_IFACE) \
		--annotation saturn.io/stage1/app-roots=stage1 \
		--annotation saturn.io/stage1/rootfs=read-only

$(BUILD)/test/probe: $(wildcard tests/probe/*.go)
	$(STATIC) -o $@ ./tests/probe

# The probe image: the probe and a static busybox (sh, true, sleep, ...).
$(BUILD)/test/probe.aci: $(BUILD)/test/probe | $(SATURN)
	rm -rf $(PROBE_DIR) && mkdir -p $(PROBE_DIR)/bin $(PROBE_DIR)/etc $(PROBE_DIR)/tmp
	cp $(BUILD)/test/probe $(PROBE_DIR)/bin/probe
	cp /bin/busybox $(PROBE_DIR)/bin/busybox
	for c in sh true false sleep cat ls echo id; do ln -s busybox $(PROBE_DIR)/bin/$$c; done
	printf 'root:x:0:0:root:/root:/bin/sh\nprobe:x:1234:2345:probe:/:/bin/sh\n' > $(PROBE_DIR)/etc/passwd
	printf 'root:x:0:\nprobe:x:2345:\nextra:x:3456:probe\n' > $(PROBE_DIR)/etc/group
	$(SATURN) image build $(PROBE_DIR) $@ --name saturn.io/test/probe $(S1_LABELS) --exec /bin/probe

.PHONY: demo-run bench-run bench-isolation
demo-run: $(BIN)/stage1.aci
	SATURN=$(SATURN) ./scripts/demo-pod

bench-run: $(BIN)/stage1.aci $(BUILD)/test/stage1-stub.aci $(BUILD)/test/stub-app.aci
	$(GO) run ./bench/run -saturn $(SATURN) -busybox /bin/busybox \
		-stub $(BUILD)/test/stage1-stub.aci -stub-app $(BUILD)/test/stub-app.aci

# Pod start with and without isolation, and the resident memory of
# stage1's processes per running pod.
bench-isolation: $(BIN)/stage1.aci
	$(GO) run ./bench/isolation -saturn $(SATURN) -stage1 $(BIN)/stage1.aci -busybox /bin/busybox
