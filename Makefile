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

## fuzz: each fuzz target of compile/ for FUZZTIME (go test runs one -fuzz target at a time). A
## crasher is written to compile/testdata/fuzz/<target>/ and fails the run; Go 1.26's coordinator
## can also fail a clean run with "context deadline exceeded" at the deadline (go.dev/issue/75804,
## fixed in Go 1.27): that alone, with no crasher written, is reported and ignored.
FUZZTIME ?= 10s
FUZZ_TARGETS := FuzzLoad FuzzConfig FuzzSkillMarkdown FuzzReadZip FuzzNames FuzzResourceList
fuzz:
	@mkdir -p $(BIN); for t in $(FUZZ_TARGETS); do \
	  log=$(BIN)/fuzz-$$t.log; before=$$(ls compile/testdata/fuzz/$$t 2>/dev/null | wc -l); \
	  if $(GO) test ./compile -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) > $$log 2>&1; then \
	    echo "fuzz $$t ($(FUZZTIME)): $$(grep -o 'execs: [0-9]*' $$log | tail -1)"; \
	  elif [ "$$(ls compile/testdata/fuzz/$$t | wc -l)" = "$$before" ] && grep -q 'context deadline exceeded' $$log; then \
	    echo "fuzz $$t ($(FUZZTIME)): stopped by go.dev/issue/75804 with no crasher: ignored"; \
	  else cat $$log; exit 1; fi; \
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

## schemas: regenerate the JSON Schemas in schemas/ from compile/types.go (TestSchemasUpToDate
## fails while they are stale). kubeconform, which the schema tests run, is one of the tools.
KUBECONFORM_VERSION := v0.8.0
.PHONY: schemas
schemas:
	$(GO) run ./cmd/skillc-schema -o schemas

tools: $(BIN)/.kubeconform-$(KUBECONFORM_VERSION)

$(BIN)/.kubeconform-$(KUBECONFORM_VERSION):
	GOBIN=$(BIN) $(GO) install github.com/yannh/kubeconform/cmd/kubeconform@$(KUBECONFORM_VERSION)
	@touch $@

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
