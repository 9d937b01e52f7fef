# The image store (issue 2): fuzz targets and the fetch+render benchmark.

FUZZ_TARGETS += ./store:FuzzManifest:200000x ./store:FuzzImportAndRender:3000x \
	./internal/tarx:FuzzExtract:10000x
BENCHES      += bench-store

.PHONY: bench-store
# Times fetch+render of a ~200 MB, 15k-file image against sha512sum + tar -x
# of the same tar, on the same disk, and prints the ratio (goal: <= 1.3).
bench-store: $(SATURN)
	$(GO) run ./bench/store -saturn $(SATURN)
