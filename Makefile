# skillc — every tool the tests run is installed here, pinned, into ./bin with `go install`.
export GOTOOLCHAIN := local
GO      ?= go
BIN     := $(CURDIR)/bin
SKILLC  := $(BIN)/skillc

CONFTEST_VERSION    := v0.71.1
KUSTOMIZE_VERSION   := v5.8.2
STATICCHECK_VERSION := v0.8.2
ACTIONLINT_VERSION  := v1.7.12

# Container images built by .github/workflows/build.yaml and release.yaml (keep the three in step:
# a test checks it).
IMAGES := skill-cluster-triage skill-observability-triage skill-node-probe skillc skillc-fn

.PHONY: all build run test test-memory test-policy fuzz golden bench bench-compare tools lint clean e2e e2e-vet e2e-tools

all: build

build:
	$(GO) build -o $(SKILLC) ./cmd/skillc

## run: compile the built-in skills with the example instance and run, to stdout
run: build
	$(SKILLC) compile skills/ fixtures/default/

## test: lint; the packages with concurrent code under the race detector (RACE_PKGS: the gate's,
## the permission model's and the writer's pools, the YAML writer, source's files parsed ahead
## and its shared decoder budget, stream's units built on every core; and
## the tests of cmd/skillc that drive the writers, diff and interrupt handling: CMD_RACE_TESTS);
## every other package and test without it (golden files, conftest, kustomize and kpt included);
## the Rego library's check, format, tests and coverage (test-policy); the allocation-bound tests
## (*Memory, skipped under -race: see internal/memtest); then every fuzz target for FUZZTIME (3 s
## here, for a quick local loop; CI's .ci/run gives each 10 s, and `make fuzz` alone does too)
RACE_PKGS      := ./internal/emit ./permissions ./policy ./render ./source ./stream
CMD_RACE_TESTS := ^Test(Output|FullDisk|NothingLost|Render|CheckManifest|ImportExport|StaleSweep|RemoveRender|Writer|Interrupted|Diff|CompileCheck)
test: tools lint
	$(GO) test -count=1 -race -skip '^TestRegoLibrary$$' $(RACE_PKGS)
	$(GO) test -count=1 -race -run '$(CMD_RACE_TESTS)' ./cmd/skillc
	$(GO) test -count=1 $$($(GO) list ./... | grep -v -x -e '.*/internal/emit' -e '.*/permissions' -e '.*/policy' -e '.*/render' -e '.*/source' -e '.*/stream')
	$(MAKE) test-policy
	$(MAKE) test-memory
	$(MAKE) fuzz FUZZTIME=$(TEST_FUZZTIME)

## test-memory: the tests that assert allocation bounds, in the packages that have them, without -race
test-memory:
	@pkgs=$$(grep -rl --include='*_test.go' 'memtest.Bounded(t)' . | xargs -n1 dirname | sort -u); \
	[ -n "$$pkgs" ] || { echo "no allocation-bound tests found"; exit 1; }; \
	$(GO) test -count=1 -run 'Memory$$' $$pkgs

## fuzz: every fuzz target of every package that has one (found by their `func Fuzz` lines), each
## for FUZZTIME (go test runs one -fuzz target at a time). A crasher is written to
## <package>/testdata/fuzz/<target>/ and fails the run; Go 1.26's coordinator can also fail a clean
## run with "context deadline exceeded" at the deadline (go.dev/issue/75804, fixed in Go 1.27):
## that alone, with no crasher written, is reported and ignored.
FUZZTIME ?= 10s
TEST_FUZZTIME ?= 3s
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

## test-policy: the Rego library: what opa check --strict, opa fmt --list, opa test and opa test
## --coverage --threshold 90 do, run in-process with the OPA packages skillc links (TestRegoLibrary),
## so no opa CLI is built
test-policy:
	$(GO) test -count=1 -run '^TestRegoLibrary$$' -v ./policy/

## golden: regenerate golden/ from fixtures/ (read the diff before committing it)
golden:
	$(GO) test -count=1 ./cmd/skillc -run 'TestGolden' -update

## docs: regenerate docs/rules.md from the Rego library's rule catalogue (TestRulesDocUpToDate
## fails while it is stale)
.PHONY: docs
docs:
	$(GO) run ./cmd/skillc-docs -o docs/rules.md

## cli-docs: regenerate the flag tables of docs/cli.md from the command tree (TestCLIDoc fails
## while they are stale)
.PHONY: cli-docs
cli-docs:
	$(GO) test -count=1 ./cmd/skillc -run '^TestCLIDoc$$' -update

## generate: every generated file, each checked by a test that fails while it is stale: the Rego
## names module, docs/rules.md, docs/cli.md's flag tables, schemas/
.PHONY: generate rego-names
generate: rego-names docs cli-docs schemas compat-doc

## compat-doc: regenerate docs/compatibility.md, the upstream field table, from the input types
## (TestCompatibilityDoc fails while it is stale)
.PHONY: compat-doc
compat-doc:
	$(GO) test -count=1 ./compile/schema -run '^TestCompatibilityDoc$$' -update

## rego-names: regenerate policy/names.rego, compile's label keys and names for the Rego library
## (TestNamesModuleUpToDate fails while it is stale)
rego-names:
	$(GO) run ./cmd/skillc-gen-rego -o policy/names.rego

## schemas: regenerate the JSON Schemas in schemas/ from api/types.go (TestSchemasUpToDate
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
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 5x ./compile/ ./policy/ ./stream/

## bench-compare: skillc vs conftest vs a sigs.k8s.io/yaml round trip at 13,000 and 26,000 objects,
## with the performance targets (slow: minutes; not part of make test). BENCH_ARGS=-kustomize adds kustomize;
## BENCH_ARGS='-sizes 1,2,10' adds the 10× size (133,000 objects: about 10 more minutes) and its scale targets.
bench-compare: build tools
	$(GO) build -o $(BIN)/skillc-bench ./cmd/skillc-bench
	$(BIN)/skillc-bench -bin $(BIN) -policy policy $(BENCH_ARGS)

## lint: gofmt, go.mod and go.sum tidy, go vet, staticcheck; actionlint over the workflows and the workflow users copy
## (with shellcheck over their run scripts when it is installed), and shellcheck over action.yml's
## scripts (TestActionScriptsShellcheck). It installs the tools it runs.
LINT_WORKFLOWS := .github/workflows/*.yaml kustomize/flux/render.yaml
lint: $(BIN)/.staticcheck-$(STATICCHECK_VERSION) $(BIN)/.actionlint-$(ACTIONLINT_VERSION) shellcheck-tool
	@out=$$(gofmt -l $$(find . -name '*.go' -not -path './bin/*')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) mod tidy -diff
	$(GO) vet ./...
	$(BIN)/staticcheck ./...
	@if command -v shellcheck > /dev/null; then \
	  echo "actionlint (with shellcheck) $(LINT_WORKFLOWS)"; $(BIN)/actionlint $(LINT_WORKFLOWS) && \
	  SKILLC_SHELLCHECK=required $(GO) test -count=1 ./cmd/skillc -run '^TestActionScriptsShellcheck$$'; \
	else \
	  echo "shellcheck not installed: actionlint runs without it and action.yml's scripts are NOT shell-checked"; \
	  $(BIN)/actionlint $(LINT_WORKFLOWS); \
	fi

tools: $(BIN)/.conftest-$(CONFTEST_VERSION) $(BIN)/.kustomize-$(KUSTOMIZE_VERSION) $(BIN)/.staticcheck-$(STATICCHECK_VERSION) $(BIN)/.actionlint-$(ACTIONLINT_VERSION) shellcheck-tool

# conftest is built in hack/conftest, a tools module that requires the main module's versions
# (OPA's first): the packages both use compile once into the build cache. Its go.mod pins
# CONFTEST_VERSION (TestConftestPinned).
$(BIN)/.conftest-$(CONFTEST_VERSION): hack/conftest/go.mod hack/conftest/go.sum
	cd hack/conftest && GOBIN=$(BIN) $(GO) install github.com/open-policy-agent/conftest
	@touch $@

$(BIN)/.kustomize-$(KUSTOMIZE_VERSION):
	GOBIN=$(BIN) $(GO) install sigs.k8s.io/kustomize/kustomize/v5@$(KUSTOMIZE_VERSION)
	@touch $@

$(BIN)/.staticcheck-$(STATICCHECK_VERSION):
	GOBIN=$(BIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	@touch $@

## e2e: the end-to-end tests (e2e/, their own module) against a real control plane on loopback:
## etcd, kube-apiserver, kube-controller-manager and kubectl built from source into ./bin (pinned,
## built once: a marker file per version). Not part of `make test`; .ci/run runs it after.
K8S_VERSION  := v1.37.2
ETCD_VERSION := v3.7.3
K8S_LDFLAGS  := -s -w -X k8s.io/component-base/version.gitVersion=$(K8S_VERSION) \
  -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=37 \
  -X k8s.io/component-base/version.gitTreeState=clean
K8S_CMDS     := kube-apiserver kube-controller-manager kubectl
E2E_TIMEOUT  ?= 40m

# e2e-vet first: a test that no longer compiles fails in seconds, before the control plane's
# binaries are built (minutes on a fresh machine).
e2e: e2e-vet build e2e-tools
	cd e2e && $(GO) test -count=1 -v -timeout $(E2E_TIMEOUT) ./...

e2e-vet:
	cd e2e && $(GO) vet ./...

e2e-tools: $(BIN)/.k8s-$(K8S_VERSION) $(BIN)/.etcd-$(ETCD_VERSION)

# hack/k8s requires k8s.io/kubernetes with its staging modules replaced by their published tags
# (`go install ...@v1.37.2` refuses replace directives, so the build runs inside that module).
# One go build for the three commands: their shared packages are planned once, and each link runs
# beside the other compiles, not after them.
$(BIN)/.k8s-$(K8S_VERSION):
	@mkdir -p $(BIN)
	cd hack/k8s && $(GO) build -trimpath -ldflags '$(K8S_LDFLAGS)' -o $(BIN)/ $(addprefix k8s.io/kubernetes/cmd/,$(K8S_CMDS))
	@touch $@

$(BIN)/.etcd-$(ETCD_VERSION):
	@mkdir -p $(BIN)
	cd hack/etcd && $(GO) build -trimpath -ldflags '-s -w' -o $(BIN)/etcd go.etcd.io/etcd/server/v3
	@touch $@

$(BIN)/.actionlint-$(ACTIONLINT_VERSION):
	GOBIN=$(BIN) $(GO) install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)
	@touch $@

# shellcheck is not a Go program: the Debian package, installed only when it is missing and we are
# root (a CI container); otherwise lint says what it skips.
.PHONY: shellcheck-tool
shellcheck-tool:
	@if command -v shellcheck > /dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get > /dev/null; then \
	  apt-get install -y shellcheck > /dev/null 2>&1 || { apt-get update > /dev/null && apt-get install -y shellcheck > /dev/null; } || \
	    echo "could not install shellcheck with apt-get: make lint skips the shell checks"; \
	else echo "shellcheck is missing and we are not root: install it (apt-get install shellcheck); make lint skips the shell checks"; fi

clean:
	rm -rf $(BIN)
