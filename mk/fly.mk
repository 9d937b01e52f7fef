# stage1-fly: the fly stage1 image (bin/stage1-fly.aci), selected with
# --stage1-from-dir=stage1-fly.aci, and its start-time benchmark.
#
# The rootfs holds one static binary; /run, /enter, /gc and /stop are links
# to it (it dispatches on its name). It speaks the same stage1 interface
# version as the default stage1, and mounts the app's root itself
# (saturn.io/stage1/app-roots=stage1: stage0 mounts none for it).
FLY_DIR    := $(BUILD)/stage1-fly
FLY_SRC    := $(shell find stage1-fly stage1 internal -name '*.go' ! -name '*_test.go' 2>/dev/null)
FLY_LABELS := --label os=linux --label arch=$(shell $(GO) env GOARCH)
FLY_IFACE  := 4

IMAGES  += $(BIN)/stage1-fly.aci
BENCHES += bench-fly

$(FLY_DIR)/rootfs/stage1-fly: $(FLY_SRC) go.mod
	mkdir -p $(FLY_DIR)/rootfs
	$(STATIC) -o $@ ./stage1-fly/cmd/stage1-fly
	for e in run enter gc stop; do ln -sfn stage1-fly $(FLY_DIR)/rootfs/$$e; done

$(BIN)/stage1-fly.aci: $(FLY_DIR)/rootfs/stage1-fly $(SATURN)
	$(SATURN) image build $(FLY_DIR)/rootfs $@ --name saturn.io/stage1-fly $(FLY_LABELS) \
		--label version=$(VERSION) \
		--annotation coreos.com/rkt/stage1/run=/run \
		--annotation coreos.com/rkt/stage1/enter=/enter \
		--annotation coreos.com/rkt/stage1/gc=/gc \
		--annotation coreos.com/rkt/stage1/stop=/stop \
		--annotation coreos.com/rkt/stage1/interface-version=$(FLY_IFACE) \
		--annotation saturn.io/stage1/app-roots=stage1

.PHONY: bench-fly
bench-fly: $(BIN)/stage1-fly.aci $(BIN)/stage1.aci
	$(GO) run ./bench/fly -saturn $(SATURN) -busybox /bin/busybox
