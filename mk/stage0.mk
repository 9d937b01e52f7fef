# stage0: the stub stage1 images and the test app image the pod tests use,
# and the pod benchmarks. ACIs are plain tars of manifest + rootfs/, built
# here so the tests depend on nothing but tar and go.
STUB_DIR  := $(BUILD)/test/stage1-stub
STUB_SRC  := $(wildcard tests/stage1-stub/*.go)
STUB_ARCH := $(shell $(GO) env GOARCH)

TESTBINS += $(BUILD)/test/stage1-stub.aci $(BUILD)/test/stage1-stub-v1.aci $(BUILD)/test/stub-app.aci
BENCHES  += bench-pods

$(STUB_DIR)/stub: $(STUB_SRC)
	$(STATIC) -o $@ ./tests/stage1-stub

# $(call stub_aci,VERSION,OUT): the stub as a stage1 of that interface version.
define stub_aci
	rm -rf $(STUB_DIR)/v$(1) && mkdir -p $(STUB_DIR)/v$(1)/rootfs
	cp $(STUB_DIR)/stub $(STUB_DIR)/v$(1)/rootfs/stub
	for e in run enter gc stop; do ln -s stub $(STUB_DIR)/v$(1)/rootfs/$$e; done
	sed -e 's/@VERSION@/$(1)/g' -e 's/@ARCH@/$(STUB_ARCH)/g' tests/stage1-stub/aci/stage1-manifest.json > $(STUB_DIR)/v$(1)/manifest
	tar -C $(STUB_DIR)/v$(1) --owner=0 --group=0 -cf $(2) manifest rootfs
endef

$(BUILD)/test/stage1-stub.aci: $(STUB_DIR)/stub tests/stage1-stub/aci/stage1-manifest.json
	$(call stub_aci,4,$@)

$(BUILD)/test/stage1-stub-v1.aci: $(STUB_DIR)/stub tests/stage1-stub/aci/stage1-manifest.json
	$(call stub_aci,1,$@)

$(BUILD)/test/stub-app.aci: tests/stage1-stub/aci/app-manifest.json
	rm -rf $(STUB_DIR)/app && mkdir -p $(STUB_DIR)/app/rootfs/bin $(STUB_DIR)/app/rootfs/data
	echo "stub app" > $(STUB_DIR)/app/rootfs/bin/app
	sed -e 's/@ARCH@/$(STUB_ARCH)/g' $< > $(STUB_DIR)/app/manifest
	tar -C $(STUB_DIR)/app --owner=0 --group=0 -cf $@ manifest rootfs

# bench-pods: `saturn status` of one pod with 1 and with 1000 pods on disk,
# and `saturn list` with 1000 pods.
bench-pods: $(SATURN) $(BUILD)/test/stage1-stub.aci $(BUILD)/test/stub-app.aci
	$(GO) run ./bench/pods -saturn $(SATURN) -stage1 $(BUILD)/test/stage1-stub.aci -image $(BUILD)/test/stub-app.aci
