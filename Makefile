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

.PHONY: all build run test test-policy golden bench tools lint clean

all: build

build:
	$(GO) build -o $(SKILLC) ./cmd/skillc

## run: compile the built-in skills with the example instance and run, to stdout
run: build
	$(SKILLC) compile skills/ fixtures/default/

## test: lint, Rego tests with the real opa, Go tests (golden files, conftest and kustomize included)
test: tools lint test-policy
	$(GO) test -count=1 ./...

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
