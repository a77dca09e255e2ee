# SPDX-License-Identifier: MIT
# Copyright 2026 The Bulkhead Authors
#
# The two commands of the README, plus the ones CI and developers use.
#   make demo       install what is missing, build, run the demo
#   make test       install what is missing, build (-Werror), run every test
#   make test-asan  the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   make test-tsan  the same under ThreadSanitizer (exclusions: tests/tsan-exclude.txt)
#   make bench      build in release mode and run the benchmarks
#   make fuzz       build the fuzz targets with clang (libFuzzer, ASan+UBSan)
#                   and run each for FUZZ_SECONDS (default 60)
#   make fuzz-corpus  rewrite the fuzz targets' seed corpus (tests/fuzz/corpus)
#   make regen      rewrite the checked-in generated files (adapters/, goldens)
#   make format     clang-format every source file in place

BUILD      ?= build
BUILD_ASAN ?= build-asan
BUILD_TSAN ?= build-tsan
BUILD_REL  ?= build-release
BUILD_FUZZ ?= build-fuzz
FUZZ_SECONDS ?= 60
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CTEST_ARGS ?=

CMAKE_COMMON = -DADDIN_WERROR=ON -DCMAKE_EXPORT_COMPILE_COMMANDS=ON

.PHONY: all deps deps-ci build demo test test-asan test-tsan bench fuzz fuzz-corpus \
	regen format check clean

all: build

deps:
	@sh tools/deps.sh

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Debug $(CMAKE_COMMON)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	$(BUILD)/examples/demo

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

test-asan: deps
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug $(CMAKE_COMMON) \
		-DADDIN_SANITIZER=address,undefined
	cmake --build $(BUILD_ASAN) -j $(JOBS)
	cd $(BUILD_ASAN) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

# The tests TSan's runtime cannot run, each with its reason, are in
# tests/tsan-exclude.txt; nothing else is left out.
TSAN_EXCLUDE = $(shell sh tools/tsan-exclude.sh tests/tsan-exclude.txt)

test-tsan: deps
	cmake -S . -B $(BUILD_TSAN) -DCMAKE_BUILD_TYPE=Debug $(CMAKE_COMMON) \
		-DADDIN_SANITIZER=thread
	cmake --build $(BUILD_TSAN) -j $(JOBS)
	cd $(BUILD_TSAN) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS) \
		$(if $(TSAN_EXCLUDE),-E '$(TSAN_EXCLUDE)')

bench: deps
	cmake -S . -B $(BUILD_REL) -DCMAKE_BUILD_TYPE=Release -DADDIN_TESTS=OFF \
		-DADDIN_BENCH=ON
	cmake --build $(BUILD_REL) -j $(JOBS)
	sh bench/run.sh $(BUILD_REL)

# The fuzz build is its own configuration: clang, ASan+UBSan, and coverage
# instrumentation for libFuzzer in everything (cmake/AddinFuzz.cmake).  Only
# the fuzzers and what they load are built.  Warnings are not errors here:
# gcc's builds (make test) hold the code to the warning set.
fuzz:
	@sh tools/deps.sh --fuzz
	cmake -S . -B $(BUILD_FUZZ) -DCMAKE_BUILD_TYPE=Debug \
		-DCMAKE_C_COMPILER=clang -DADDIN_WERROR=OFF \
		-DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
		-DADDIN_SANITIZER=address,undefined -DADDIN_FUZZ=ON -DADDIN_BENCH=OFF
	cmake --build $(BUILD_FUZZ) -j $(JOBS) --target fuzz-targets
	sh tools/fuzz.sh $(BUILD_FUZZ) $(FUZZ_SECONDS)

fuzz-corpus: build
	cmake --build $(BUILD) --target fuzz-corpus

regen: build
	cmake --build $(BUILD) --target regen

deps-ci:
	@sh tools/deps.sh --ci

format: deps-ci
	sh tools/format.sh fix

check: deps-ci
	sh tools/format.sh check
	sh tools/check-banned.sh

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_TSAN) $(BUILD_REL) $(BUILD_FUZZ)
