# Parley. `make run` starts the relay with embedded defaults; `make test` runs every suite.
# Both install what they need first (tools/setup.sh, idempotent).
SHELL := /bin/bash
BUILD ?= build
WASM_BUILD ?= build-wasm
JOBS ?= $(shell nproc)
export NODE_PATH := /usr/share/nodejs
export CCACHE_DIR ?= $(HOME)/.cache/parley/ccache
# Paths relative to the checkout and no working directory in the hash: a fresh clone elsewhere
# (CI) reuses what any other checkout of the project compiled.
export CCACHE_BASEDIR ?= $(CURDIR)
export CCACHE_NOHASHDIR ?= 1
PORT ?= 8080
RELAY := $(BUILD)/relay/parley-relay

.PHONY: help setup setup-test build wasm run test test-native test-wasm bench bench-web eval format lint clean

help:
	@echo "make run     build and start the relay, the widget demo and the inbox on http://127.0.0.1:$(PORT)"
	@echo "make test    install, build, and run every test suite (native, WebAssembly, Node)"
	@echo "make bench   run the load benchmark and the browser measurements (see docs/benchmarks.md)"
	@echo "make eval    score the built-in assistant on the labelled set of tests/eval (dev and held-out)"
	@echo "make format  clang-format the sources; make lint: clang-tidy + cppcheck"

setup:
	@tools/setup.sh --wasm
setup-test:
	@tools/setup.sh --all

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

$(WASM_BUILD)/CMakeCache.txt:
	emcmake cmake -S . -B $(WASM_BUILD) -DCMAKE_BUILD_TYPE=Release

wasm: $(WASM_BUILD)/CMakeCache.txt
	cmake --build $(WASM_BUILD) -j $(JOBS)

run: setup
	$(MAKE) build wasm
	$(RELAY) --listen 127.0.0.1:$(PORT) --data-dir data --web-dir $(WASM_BUILD)/dist

test: setup-test
	$(MAKE) build wasm
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)
	ctest --test-dir $(WASM_BUILD) --output-on-failure

bench: setup build
	tools/bench.sh
	tools/startup_bench.sh
	$(MAKE) bench-web

# The built-in assistant on the labelled set (tests/eval/README.md): hand-off precision/recall/F1,
# offers, right article, clarifying questions, per class and language. check.py validates the set
# (and the held-out part's recorded sha256) first.
eval: setup build
	python3 tests/eval/check.py
	@echo "== development part (tuned on)"
	$(BUILD)/tools/parley-eval-builtin --set tests/eval/dev.jsonl
	@echo "== held-out part"
	$(BUILD)/tools/parley-eval-builtin --set tests/eval/heldout.jsonl

# Browser apps: download sizes, launcher-to-first-frame, inbox frame time with 5,000 chats.
bench-web: setup-test
	$(MAKE) build wasm
	BUILD=$(BUILD) WASM_BUILD=$(WASM_BUILD) node tools/bench_web.mjs --out docs/benchmarks.md

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

lint: build
	git ls-files 'shared/*.cpp' 'relay/*.cpp' 'tools/*.cpp' | xargs clang-tidy -p $(BUILD) --quiet
	cppcheck --enable=warning,performance,portability --inline-suppr --error-exitcode=1 --quiet \
	  -I shared/include shared/src relay/src tools

clean:
	rm -rf $(BUILD) $(WASM_BUILD)
