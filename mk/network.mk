# networking: the CNI plugins stage1 images ship, the packages the network
# tests need, and the network benchmark.
#
# The plugins come from github.com/containernetworking/plugins at the
# version go.mod pins (its `tool` lines keep them required). CNI_PLUGINS
# lists the built files; stage1 images copy them (e.g. into
# /usr/lib/saturn/cni/ of their rootfs).
CNI_DIR        := $(BUILD)/cni
CNI_PLUGIN_PKG := github.com/containernetworking/plugins/plugins
CNI_PLUGIN_SRC := main/ptp main/bridge main/loopback ipam/host-local meta/portmap meta/firewall meta/tuning
CNI_PLUGINS    := $(addprefix $(CNI_DIR)/,$(notdir $(CNI_PLUGIN_SRC)))
# Recursive, so that `go list` runs only when the plugins are built.
CNI_VERSION     = $(shell $(GO) list -m -f '{{.Version}}' github.com/containernetworking/plugins)

# iptables and nft: the plugins exec them; the tests read the rulesets.
TEST_PKGS  += iptables nftables
BENCH_PKGS += iptables nftables
TESTBINS   += $(CNI_PLUGINS)
BENCHES    += bench-net

.PHONY: cni-plugins deps-network bench-net

cni-plugins: $(CNI_PLUGINS)

# One `go build` for all of them: they share most packages.
$(CNI_PLUGINS) &: go.mod go.sum
	@mkdir -p $(CNI_DIR)
	CGO_ENABLED=0 $(GO) build -trimpath -o $(CNI_DIR)/ \
		-ldflags "-s -w -X github.com/containernetworking/plugins/pkg/utils/buildversion.BuildVersion=$(CNI_VERSION)" \
		$(addprefix $(CNI_PLUGIN_PKG)/,$(CNI_PLUGIN_SRC))

deps-network:
	@./scripts/apt-ensure iptables nftables

# bench-net: what --net=default adds over --net=none, in milliseconds: to
# `saturn run` end to end (start and whole run), and to the library's
# Setup+Teardown.
bench-net: deps-network $(CNI_PLUGINS) $(SATURN) $(BIN)/stage1.aci $(BUILD)/test/probe.aci
	$(GO) run ./bench/net -plugins $(CNI_DIR) -saturn $(SATURN) -stage1 $(BIN)/stage1.aci -image $(BUILD)/test/probe.aci
