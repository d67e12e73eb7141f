# The two commands of the README, plus the pieces they are made of.
#   make sweep   install dependencies, build, run ablations/smoke.yaml, print the ranked table
#   make test    install dependencies, build, run the test suite through ctest
BUILD ?= build
JOBS ?= $(shell nproc)
SPEC ?= ablations/smoke.yaml

.PHONY: deps build sweep test bench clean

deps:
	./scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

sweep: build
	$(BUILD)/ablate sweep $(SPEC)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	$(BUILD)/ablate_bench

clean:
	rm -rf $(BUILD)
