# saturn build. `make` builds bin/saturn and the stage1 images; `make test` runs
# every unit and functional test (as root); `make demo` runs a demo pod;
# `make bench` runs the benchmarks against peers.
#
# Each area of the tree adds its targets in mk/<area>.mk and appends to:
#   IMAGES        files under bin/ that `make` builds besides bin/saturn
#   TESTBINS      artifacts under build/ the functional tests use
#   FUZZ_TARGETS  pkg:FuzzName:Nx triples that `make fuzz` runs (N inputs each)
#   BENCHES       targets `make bench` runs
GO      ?= go
BIN     := bin
BUILD   := build
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
STATIC  := CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w $(LDFLAGS)"
SATURN  := $(BIN)/saturn

# Debian packages the tests, demo and benchmarks need. Installed only when missing.
TEST_PKGS  := busybox-static util-linux iproute2
BENCH_PKGS := runc crun hyperfine

IMAGES       :=
TESTBINS     :=
FUZZ_TARGETS :=
BENCHES      :=

.PHONY: all test unit functional fuzz bench demo deps-test deps-bench clean FORCE

all: $(SATURN) images

include $(sort $(wildcard mk/*.mk))

images: $(IMAGES)
testbins: $(TESTBINS)

# Static (no cgo): a dynamically linked saturn spends ~1 ms of every
# `saturn run` in the loader and libc before main.
$(SATURN): FORCE
	CGO_ENABLED=0 $(GO) build -ldflags "$(LDFLAGS)" -o $@ ./cmd/saturn

deps-test:
	@./scripts/apt-ensure $(TEST_PKGS)

test: deps-test all testbins unit functional fuzz

unit:
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 10m $$($(GO) list ./... | grep -v -e /tests -e /bench)

functional:
	$(GO) test -count=1 -timeout 20m ./tests/...

# Each fuzz target runs a few seconds' worth of inputs, counted (Nx), not
# timed: go1.26's fuzz coordinator can fail a timed run whose worker is in
# the middle of a call at the deadline ("context deadline exceeded",
# go.dev/issue/75804), and with a timed budget its workers' calls last
# until then. `go test -fuzz` takes one target at a time. FUZZ_TIME (a
# count or a duration) overrides every target's budget.
FUZZ_TIME ?=
fuzz:
	@set -e; for spec in $(FUZZ_TARGETS); do \
		pkg=$${spec%%:*}; rest=$${spec#*:}; fn=$${rest%%:*}; n=$${rest#*:}; \
		echo "fuzz $$fn ($$pkg)"; \
		$(GO) test -run='^$$' -fuzz="^$$fn\$$" -fuzztime=$${FUZZ_TIME:-$$n} $$pkg; \
	done

deps-bench:
	@./scripts/apt-ensure $(BENCH_PKGS)

# Pod start first: the benches that create and delete many files (pods,
# store) leave ext4 slow to allocate inodes for minutes, and a pod start
# allocates a few dozen.
BENCH_FIRST := bench-run bench-isolation
bench: deps-bench all testbins $(BENCH_FIRST) $(filter-out $(BENCH_FIRST),$(BENCHES))

# demo-run is defined by the stage1 area (it needs a pod to run).
demo: deps-test all testbins demo-run

clean:
	rm -rf $(BIN) $(BUILD)

FORCE:
.PHONY: images testbins demo-run
