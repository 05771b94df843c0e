# skillc — every tool the tests run is installed here, pinned, into ./bin with `go install`.
export GOTOOLCHAIN := local
GO      ?= go
BIN     := $(CURDIR)/bin
SKILLC  := $(BIN)/skillc

OPA_VERSION         := v1.22.2
CONFTEST_VERSION    := v0.71.1
KUSTOMIZE_VERSION   := v5.8.2
STATICCHECK_VERSION := v0.8.2

# Container images built by .github/workflows/build.yaml and release.yaml (keep the three in step:
# a test checks it).
IMAGES := skill-cluster-triage skill-observability-triage skill-node-probe skillc

.PHONY: all build run test test-policy fuzz golden bench bench-compare tools lint clean

all: build

build:
	$(GO) build -o $(SKILLC) ./cmd/skillc

## run: compile the built-in skills with the example instance and run, to stdout
run: build
	$(SKILLC) compile skills/ fixtures/default/

## test: lint, Rego tests with the real opa, Go tests with the race detector (golden files, conftest
## and kustomize included), then every fuzz target for FUZZTIME
test: tools lint test-policy
	$(GO) test -count=1 -race ./...
	$(MAKE) fuzz

## fuzz: every fuzz target of every package that has one (found by their `func Fuzz` lines), each
## for FUZZTIME (go test runs one -fuzz target at a time). A crasher is written to
## <package>/testdata/fuzz/<target>/ and fails the run; Go 1.26's coordinator can also fail a clean
## run with "context deadline exceeded" at the deadline (go.dev/issue/75804, fixed in Go 1.27):
## that alone, with no crasher written, is reported and ignored.
FUZZTIME ?= 10s
fuzz:
	@mkdir -p $(BIN); \
	pkgs=$$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); \
	[ -n "$$pkgs" ] || { echo "no fuzz targets found"; exit 1; }; \
	for pkg in $$pkgs; do \
	  for t in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$pkg/*_test.go | cut -c6- | sort); do \
	    log=$(BIN)/fuzz-$$t.log; corpus=$$pkg/testdata/fuzz/$$t; before=$$(ls $$corpus 2>/dev/null | wc -l); \
	    if $(GO) test $$pkg -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) > $$log 2>&1; then \
	      echo "fuzz $$pkg $$t ($(FUZZTIME)): $$(grep -o 'execs: [0-9]*' $$log | tail -1)"; \
	    elif [ "$$(ls $$corpus 2>/dev/null | wc -l)" = "$$before" ] && grep -q 'context deadline exceeded' $$log; then \
	      echo "fuzz $$pkg $$t ($(FUZZTIME)): stopped by go.dev/issue/75804 with no crasher: ignored"; \
	    else cat $$log; exit 1; fi; \
	  done; \
	done

## test-policy: the Rego library: strict check, formatting, tests with at least 90 % coverage
test-policy: tools
	$(BIN)/opa check --strict policy/
	@out=$$($(BIN)/opa fmt --list policy/); if [ -n "$$out" ]; then echo "opa fmt needed: $$out"; exit 1; fi
	$(BIN)/opa test policy/
	@$(BIN)/opa test --coverage --threshold 90 policy/ > $(BIN)/coverage.json || \
	  { echo "Rego coverage under 90 %:"; grep '"coverage"' $(BIN)/coverage.json | tail -1; exit 1; }
	@echo "Rego coverage: $$(grep -o '"coverage": [0-9.]*' $(BIN)/coverage.json | tail -1 | cut -d' ' -f2) %"

## golden: regenerate golden/ from fixtures/ (read the diff before committing it)
golden:
	$(GO) test -count=1 ./cmd/skillc -run 'TestGolden' -update

## bench: per-stage benchmarks (load, build, serialize, whole compile, gate) on generated repositories
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 5x ./compile/ ./policy/

## bench-compare: skillc vs conftest vs a sigs.k8s.io/yaml round trip at 13,000 and 26,000 objects,
## with the performance targets (slow: minutes; not part of make test). BENCH_ARGS=-kustomize adds kustomize.
bench-compare: build tools
	$(GO) build -o $(BIN)/skillc-bench ./cmd/skillc-bench
	$(BIN)/skillc-bench -bin $(BIN) -policy policy $(BENCH_ARGS)

lint:
	@out=$$(gofmt -l $$(find . -name '*.go' -not -path './bin/*')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(BIN)/staticcheck ./...

tools: $(BIN)/.opa-$(OPA_VERSION) $(BIN)/.conftest-$(CONFTEST_VERSION) $(BIN)/.kustomize-$(KUSTOMIZE_VERSION) $(BIN)/.staticcheck-$(STATICCHECK_VERSION)

$(BIN)/.opa-$(OPA_VERSION):
	GOBIN=$(BIN) $(GO) install github.com/open-policy-agent/opa@$(OPA_VERSION)
	@touch $@

$(BIN)/.conftest-$(CONFTEST_VERSION):
	GOBIN=$(BIN) $(GO) install github.com/open-policy-agent/conftest@$(CONFTEST_VERSION)
	@touch $@

$(BIN)/.kustomize-$(KUSTOMIZE_VERSION):
	GOBIN=$(BIN) $(GO) install sigs.k8s.io/kustomize/kustomize/v5@$(KUSTOMIZE_VERSION)
	@touch $@

$(BIN)/.staticcheck-$(STATICCHECK_VERSION):
	GOBIN=$(BIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	@touch $@

clean:
	rm -rf $(BIN)
