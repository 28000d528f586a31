# postwork: build, run and test.
#
#   make            build the native binary (build/postwork)
#   make run        build, then start a dev node with mining on 127.0.0.1:8080
#   make test       every check CI runs (.ci/run is `make test`)
#   make bench      benchmarks: native, wasm under Node, headless Chromium
#   make fuzz       each Fuzz target in the module for FUZZTIME
#   make help       this list
#
# Needs Go 1.26; the tests also need Node.js (to run wasm). `make deps` checks
# them and installs whatever else the project comes to need.

SHELL       := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build
# The steps of `make test` run in the order they are listed, even under -j.
.NOTPARALLEL:

GO        ?= go
GOROOT    := $(shell $(GO) env GOROOT 2>/dev/null)
WASM_EXEC := $(GOROOT)/lib/wasm/go_js_wasm_exec
WASMENV   := GOOS=js GOARCH=wasm
BUILD     := build

# make run
LISTEN  ?= 127.0.0.1:8080
NETWORK ?= dev
DATA    ?= data/$(NETWORK)

# make bench / make fuzz
BENCHTIME ?= 500ms
FUZZTIME  ?= 30s

# Packages that chain/... must not depend on (DESIGN.md, "Parts").
FORBIDDEN := net net/http syscall/js database/sql os/exec

# sudo only when not already root (CI and dev machines here run as root).
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: help build wasm worker run test bench fuzz clean deps \
	fmt-check vet layout test-native test-wasm build-wasm-chain templ-check

help:
	@sed -n '1,/^$$/s/^#   //p' $(firstword $(MAKEFILE_LIST))

## ---- building ------------------------------------------------------------

build:
	$(GO) build -o $(BUILD)/postwork ./cmd/postwork

# The browser light node: the wasm, Go's loader, and precompressed copies.
wasm:
	@mkdir -p $(BUILD)
	$(WASMENV) $(GO) build -o $(BUILD)/postwork.wasm ./wasm
	@cp "$(GOROOT)/lib/wasm/wasm_exec.js" $(BUILD)/
	@$(GO) run ./relay/app/precompress $(BUILD)/postwork.wasm
	@ls -l $(BUILD)/postwork.wasm* $(BUILD)/wasm_exec.js

# The relay as a Cloudflare Worker (relay/worker, docs/worker.md): the wasm,
# syumai/workers' wasm_exec.js (Go's loader, passing the runtime context) and
# the Durable Object shim, in build/worker; vetted for js/wasm, and refused if
# the gzipped upload passes the free plan's 3 MB.
WORKER_LIMIT := 3000000
worker:
	@mkdir -p $(BUILD)/worker
	$(WASMENV) $(GO) vet ./relay/worker
	$(WASMENV) $(GO) build -trimpath -ldflags='-s -w' -o $(BUILD)/worker/app.wasm ./relay/worker
	@install -m 644 "$$($(GO) list -m -f '{{.Dir}}' github.com/syumai/workers)/cmd/workers-assets-gen/assets/wasm_exec_go.js" $(BUILD)/worker/wasm_exec.js
	@install -m 644 relay/worker/shim.mjs $(BUILD)/worker/shim.mjs
	@raw=$$(cat $(BUILD)/worker/{app.wasm,wasm_exec.js,shim.mjs} | wc -c); \
	gz=$$(for f in app.wasm wasm_exec.js shim.mjs; do gzip -9 -c $(BUILD)/worker/$$f; done | wc -c); \
	echo "worker: $(BUILD)/worker: $$raw bytes, $$gz gzipped (free plan limit $(WORKER_LIMIT))"; \
	[ $$gz -le $(WORKER_LIMIT) ] || { echo "worker: over the free plan's limit"; exit 1; }

run: build wasm
	@echo "postwork: dev node at http://$(LISTEN)/ (data in $(DATA); Ctrl-C stops it)"
	$(BUILD)/postwork node --listen $(LISTEN) --network $(NETWORK) --mine --data $(DATA)

clean:
	rm -rf $(BUILD)

## ---- prerequisites ---------------------------------------------------------
#
# `deps` is a double-colon rule: each `deps::` line below is one prerequisite,
# run in order, installing only what is missing. To add one, add one line, e.g.
#
#   deps:: ; @command -v chromium >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium; }
#   deps:: ; @[ node_modules/.package-lock.json -nt package-lock.json ] || npm ci

deps:: ; @scripts/check-tools
deps:: ; @[ -x /usr/bin/chromium ] || { $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }
deps:: ; @[ node_modules/.package-lock.json -nt package-lock.json ] || npm ci

## ---- testing ---------------------------------------------------------------

test: deps fmt-check vet layout wasm worker test-native test-wasm build-wasm-chain templ-check
	@echo "make test: all checks passed"

# 1. Tracked Go files are gofmt-formatted.
fmt-check:
	@echo "==> gofmt -l (tracked Go files)"
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		files=$$(git ls-files -- '*.go'); \
	else \
		files=$$(find . -name '*.go' -not -path './node_modules/*' -not -path './build/*'); \
	fi; \
	existing=(); for f in $$files; do [ -f "$$f" ] && existing+=("$$f"); done; \
	[ $${#existing[@]} -eq 0 ] && exit 0; \
	out=$$(gofmt -l "$${existing[@]}"); \
	if [ -n "$$out" ]; then echo "gofmt: these files are not formatted (run gofmt -w):"; echo "$$out"; exit 1; fi

# 2. The light node's package main builds only for js/wasm: vet it there too.
vet:
	$(GO) vet ./...
	$(WASMENV) $(GO) vet ./wasm/...

# 3. chain/... does no I/O: checked natively and for js/wasm (where a
# _js.go file could import syscall/js without the native build noticing).
layout:
	@echo "==> layout: chain/... depends on none of: $(FORBIDDEN)"
	@scripts/check-layout $(FORBIDDEN)
	@$(WASMENV) scripts/check-layout $(FORBIDDEN)

# 4. Every test, with the race detector; fuzz seed corpora run as plain tests.
# tests/browser drives Chromium against build/postwork.wasm (built by `wasm`).
test-native:
	$(GO) test -race ./...

# 5. chain/... tests again, compiled to wasm and run by Node.
test-wasm:
	$(WASMENV) $(GO) test -exec="$(WASM_EXEC)" ./chain/... ./wasm/...

# 6.
build-wasm-chain:
	$(WASMENV) $(GO) build ./chain/...

# 7. Generated templ code is up to date.
templ-check:
	@scripts/check-templ

## ---- benchmarks and fuzzing ------------------------------------------------

# The benchmarks report their own ratios (ReportMetric); the figures are also
# kept in build/ for benchstat. Native: every package but the browser's;
# wasm under Node: the chain (mining, header checks) and the header store;
# then headless Chromium against a real node.
bench: deps wasm
	@mkdir -p $(BUILD)
	@echo "==> native: go test -bench=. (benchtime $(BENCHTIME))"
	$(GO) test -run='^$$' -bench=. -benchmem -benchtime=$(BENCHTIME) $$($(GO) list ./... | grep -v /tests/browser) | tee $(BUILD)/bench-native.txt
	@echo "==> wasm under Node: go test -bench=. ./chain/... ./wasm/headerstore/ (benchtime $(BENCHTIME))"
	$(WASMENV) $(GO) test -run='^$$' -bench=. -benchmem -benchtime=$(BENCHTIME) \
		-exec="$(WASM_EXEC)" ./chain/... ./wasm/headerstore/ | tee $(BUILD)/bench-wasm.txt
	@echo "==> headless Chromium: go test -bench=. ./tests/browser/"
	$(GO) test -run='^$$' -bench=. -benchtime=1x ./tests/browser/ | tee $(BUILD)/bench-browser.txt

# Every Fuzz target in the module (decoders of the chain, the wire, the
# pages' parameters, the light node's frames), FUZZTIME each.
fuzz:
	@FUZZTIME=$(FUZZTIME) scripts/fuzz ./...
