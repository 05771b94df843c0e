package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/internal/emit"
	"github.com/skillc-dev/skillc/internal/gen"
	"github.com/skillc-dev/skillc/source"
)

var today = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

// checkPaths compiles paths (relative to the repository root) and runs the gate.
func checkPaths(t *testing.T, opts compile.Options, paths ...string) *Report {
	t.Helper()
	var full []string
	for _, p := range paths {
		full = append(full, filepath.Join("..", p))
	}
	files, diags := source.ReadPaths(full, nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	res, ds := compile.Compile(files, opts)
	err := ds.Err()
	if err != nil {
		t.Fatal(err)
	}
	return gateResult(t, res, nil)
}

func gateResult(t *testing.T, res *compile.Result, dirs []string) *Report {
	t.Helper()
	g, err := NewGate(context.Background(), res.Config, NamedFolders(dirs), today)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := g.Check(context.Background(), res)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func ruleSet(ds diag.Diagnostics, sev diag.Severity) []string {
	set := map[string]bool{}
	for _, d := range ds.Filter(sev) {
		set[d.Rule] = true
	}
	out := make([]string, 0, len(set))
	for r := range set {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

func TestCalibration(t *testing.T) {
	tests := []struct {
		name      string
		paths     []string
		profile   string
		wantDeny  []string // exactly these rules deny
		wantWarns []string // at least these warn
	}{
		{"seed k8s-ops passes baseline with warnings", []string{"fixtures/seed-k8s-ops"}, "", nil, []string{"IMG-01", "RBAC-13"}},
		{"seed k8s-ops fails restricted on IMG-01, and RBAC-20 for what its commands never use", []string{"fixtures/seed-k8s-ops"}, "restricted", []string{"IMG-01", "RBAC-15", "RBAC-20"}, []string{"RBAC-13"}},
		{"seed host access is denied by default", []string{"fixtures/denied/seed-host-access-default"}, "", []string{"POD-02", "POD-04", "POD-06", "POD-07"}, nil},
		{"seed host access passes once allow-listed", []string{"fixtures/seed-host-access"}, "", nil, []string{"IMG-01", "IMG-02"}},
		{"broad kubectl pack", []string{"fixtures/denied/broad-kubectl"}, "", []string{"RBAC-04", "RBAC-05", "RBAC-07", "RBAC-08"}, []string{"RBAC-15"}},
		{"built-in packs with the platform config", []string{"skills", "fixtures/default"}, "", nil, []string{"RBAC-13"}},
		{"read-only observability pack warns only", []string{"skills/cluster-triage.yaml", "skills/code-review.yaml", "skills/incident-response.yaml", "skills/observability-triage.yaml", "fixtures/default/sre.yaml"}, "", nil, []string{"RBAC-13"}},
		// node-probe, which nothing enables here, is gated as a stand-in run: without the
		// platform's allow-lists its host access is denied (a pack catalogue's CI sees it).
		{"an unenabled host-access pack is gated as a stand-in", []string{"skills", "fixtures/default/sre.yaml"}, "", []string{"POD-02", "POD-04", "POD-06", "POD-07"}, []string{"RBAC-13"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := checkPaths(t, compile.Options{Profile: tt.profile}, tt.paths...)
			if got := ruleSet(rep.Findings, diag.SeverityDeny); !slices.Equal(got, tt.wantDeny) && !(len(got) == 0 && len(tt.wantDeny) == 0) {
				t.Errorf("denied %v, want %v\n%s", got, tt.wantDeny, rep.Findings)
			}
			warns := ruleSet(rep.Findings, diag.SeverityWarning)
			for _, w := range tt.wantWarns {
				if !slices.Contains(warns, w) {
					t.Errorf("warnings %v lack %s", warns, w)
				}
			}
		})
	}
}

func TestFindingsPointAtTheSource(t *testing.T) {
	rep := checkPaths(t, compile.Options{}, "fixtures/denied/broad-kubectl")
	i := slices.IndexFunc(rep.Findings, func(d diag.Diagnostic) bool { return d.Rule == "RBAC-07" })
	if i < 0 {
		t.Fatalf("no RBAC-07 in %v", rep.Findings)
	}
	d := rep.Findings[i]
	if d.File != "../fixtures/denied/broad-kubectl/input.yaml" || d.Line != 22 || d.Field != "spec.sidecar.rbac[1].verbs" {
		t.Errorf("RBAC-07 at %s:%d %s, want input.yaml:22 spec.sidecar.rbac[1].verbs", d.File, d.Line, d.Field)
	}
	if !strings.Contains(d.Message, "Fix: ") || strings.HasPrefix(d.Message, "RBAC-07") {
		t.Errorf("message %q", d.Message)
	}
}

func TestExceptions(t *testing.T) {
	waived := checkPaths(t, compile.Options{}, "fixtures/multi-pack")
	if waived.Denied() || len(waived.Excepted) != 1 || waived.Excepted[0].Exception != "exc-helm-release-secret" || waived.Excepted[0].Rule != "RBAC-04" {
		t.Fatalf("excepted %+v, findings %v", waived.Excepted, waived.Findings)
	}
	expired := checkPaths(t, compile.Options{}, "fixtures/denied/expired-exception")
	if got := ruleSet(expired.Findings, diag.SeverityDeny); !slices.Equal(got, []string{"META-02", "RBAC-04"}) || len(expired.Excepted) != 0 {
		t.Errorf("expired: denied %v, excepted %v", got, expired.Excepted)
	}
	if warns := ruleSet(expired.Findings, diag.SeverityWarning); !slices.Contains(warns, "META-02") {
		t.Errorf("the expired exception is not reported: %v", expired.Findings)
	}
}

// TestNonWaivableIgnoresExceptions: an exception naming a non-waivable rule never waives it.
func TestNonWaivableIgnoresExceptions(t *testing.T) {
	cfg := api.DefaultConfig()
	cfg.Spec.Policy.Exceptions = []api.PolicyException{{ID: "x", Rules: []string{"META-01"}, SkillPack: "log-shipper", Owner: "o", Justification: "j", Expires: "2099-01-01"}}
	files, _ := source.ReadPaths([]string{"../fixtures/denied/hostpath-via-volumes"}, nil)
	res, ds := compile.Compile(files, compile.Options{Config: cfg})
	err := ds.Err()
	if err != nil {
		t.Fatal(err)
	}
	rep := gateResult(t, res, nil)
	if got := ruleSet(rep.Findings, diag.SeverityDeny); !slices.Contains(got, "META-01") || len(rep.Excepted) != 0 {
		t.Errorf("denied %v excepted %v", got, rep.Excepted)
	}
}

// TestMemoization: evaluations grow with distinct packs and pod shapes, not with runs.
func TestMemoization(t *testing.T) {
	evals := func(s gen.Size) Stats {
		var files []source.File
		for _, f := range gen.Repo(s) {
			files = append(files, source.File{Name: f.Name, Data: f.Data})
		}
		res, ds := compile.Compile(files, compile.Options{})
		err := ds.Err()
		if err != nil {
			t.Fatal(err)
		}
		return gateResult(t, res, nil).Stats
	}
	few := evals(gen.Size{Packs: 10, Instances: 20, Runs: 50})
	many := evals(gen.Size{Packs: 10, Instances: 20, Runs: 400})
	if many.Evaluations != few.Evaluations {
		t.Errorf("8x the runs: %d evaluations, want %d as with fewer runs", many.Evaluations, few.Evaluations)
	}
	if many.Objects < 2000 || many.Reused+many.Evaluations < many.Objects {
		t.Errorf("stats %+v", many)
	}
}

// TestMemoizationAcrossNamespaces: one pack's objects in two tenant namespaces share evaluations,
// yet every finding names its own object and namespace; a kube-system Role is judged on its own
// (RBAC-19); and a user's policy that judges the namespace sees every namespace.
func TestMemoizationAcrossNamespaces(t *testing.T) {
	src := `apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata: {name: ops, namespace: sympozium-system}
spec:
  skills: [{name: s, content: "x"}]
  sidecar:
    image: ghcr.io/example/ops:latest
    rbac: [{apiGroups: [apps], resources: [deployments], verbs: [get, patch]}]
`
	for _, ns := range []string{"dev", "prod", "kube-system"} {
		src += fmt.Sprintf(`---
apiVersion: sympozium.ai/v1alpha1
kind: SympoziumInstance
metadata: {name: i, namespace: %[1]s}
spec: {skills: [{skillPackRef: ops}]}
---
apiVersion: sympozium.ai/v1alpha1
kind: AgentRun
metadata: {name: run-%[1]s, namespace: %[1]s}
spec: {instanceRef: i, task: "Check."}
`, ns)
	}
	res, ds := compile.Compile([]source.File{{Name: "in.yaml", Data: []byte(src)}}, compile.Options{})
	err := ds.Err()
	if err != nil {
		t.Fatal(err)
	}

	rep := gateResult(t, res, nil)
	var rbac15 []string
	for _, d := range rep.Findings {
		if d.Rule == "RBAC-15" {
			rbac15 = append(rbac15, d.Message[:strings.Index(d.Message, " rules[0]")])
		}
	}
	want := []string{
		"Role dev/sympozium-skill-ops-run-dev",
		"Role kube-system/sympozium-skill-ops-run-kube-system",
		"Role prod/sympozium-skill-ops-run-prod",
	}
	if slices.Sort(rbac15); !slices.Equal(rbac15, want) {
		t.Errorf("RBAC-15 findings name %q, want %q", rbac15, want)
	}
	if !slices.Contains(ruleSet(rep.Findings, diag.SeverityDeny), "RBAC-19") {
		t.Errorf("the kube-system Role shared a verdict with a tenant's: no RBAC-19 in %v", rep.Findings)
	}
	// 15 objects of 3 runs; dev and prod share every shape, kube-system's RBAC is judged apart.
	if rep.Stats.Objects != 15 || rep.Stats.Reused < 5 {
		t.Errorf("stats %+v: dev and prod should share evaluations", rep.Stats)
	}

	dir := t.TempDir()
	policy := "package prodonly\n\nimport rego.v1\n\ndeny contains \"no agents in prod\" if input.metadata.namespace == \"prod\"\n"
	if err := os.WriteFile(filepath.Join(dir, "prod.rego"), []byte(policy), 0o644); err != nil {
		t.Fatal(err)
	}
	var prod []string
	for _, d := range gateResult(t, res, []string{dir}).Findings {
		if d.Rule == "prodonly" {
			prod = append(prod, d.File)
		}
	}
	if len(prod) == 0 {
		t.Error("a user policy judging the namespace never saw prod: objects were shared across namespaces")
	}
}

// TestTaskCredentialsAreFound: tasks are judged in a batch, and each finding names its own run.
func TestTaskCredentialsAreFound(t *testing.T) {
	src := `apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata: {name: p, namespace: sympozium-system}
spec: {skills: [{name: s, content: "x"}]}
---
apiVersion: sympozium.ai/v1alpha1
kind: SympoziumInstance
metadata: {name: i, namespace: n}
spec: {skills: [{skillPackRef: p}]}
---
apiVersion: sympozium.ai/v1alpha1
kind: AgentRun
metadata: {name: clean, namespace: n}
spec: {instanceRef: i, task: "Check the pods."}
---
apiVersion: sympozium.ai/v1alpha1
kind: AgentRun
metadata: {name: leaky, namespace: n}
spec: {instanceRef: i, task: "Use key AKIAIOSFODNN7EXAMPLE to read the bucket."}
`
	res, ds := compile.Compile([]source.File{{Name: "in.yaml", Data: []byte(src)}}, compile.Options{})
	err := ds.Err()
	if err != nil {
		t.Fatal(err)
	}
	rep := gateResult(t, res, nil)
	deny := rep.Findings.Filter(diag.SeverityDeny)
	if len(deny) != 1 || deny[0].Rule != "SEC-01" || !strings.Contains(deny[0].Message, "Job n/leaky") || deny[0].Line != 19 || deny[0].Field != "spec.task" {
		t.Fatalf("findings %v", rep.Findings)
	}
}

// TestUserPolicies: --policy folders add conftest-style rules beside the built-in ones.
func TestUserPolicies(t *testing.T) {
	dir := t.TempDir()
	policy := `package main

import rego.v1

deny contains msg if {
	input.kind == "Job"
	not input.metadata.labels["team"]
	msg := sprintf("Job %s has no team label", [input.metadata.name])
}

warn contains {"msg": "ConfigMaps are fine"} if input.kind == "ConfigMap"
`
	if err := os.WriteFile(filepath.Join(dir, "team.rego"), []byte(policy), 0o644); err != nil {
		t.Fatal(err)
	}
	files, _ := source.ReadPaths([]string{"../fixtures/seed-minimal"}, nil)
	res, ds := compile.Compile(files, compile.Options{})
	err := ds.Err()
	if err != nil {
		t.Fatal(err)
	}
	rep := gateResult(t, res, []string{dir})
	deny := rep.Findings.Filter(diag.SeverityDeny)
	if len(deny) != 1 || deny[0].Rule != "main" || deny[0].Message != "Job bob-run-1 has no team label" {
		t.Errorf("denied %v", deny)
	}
	if warns := ruleSet(rep.Findings, diag.SeverityWarning); !slices.Contains(warns, "main") {
		t.Errorf("warnings %v", rep.Findings)
	}
	if _, err := NewGate(context.Background(), api.DefaultConfig(), NamedFolders([]string{t.TempDir()}), today); err == nil || !strings.Contains(err.Error(), "no .rego files") {
		t.Errorf("empty policy folder: %v", err)
	}
}

// TestEveryRuleHasFourCases: CI fails on a rule id of the catalogue that its tests do not exercise.
func TestEveryRuleHasFourCases(t *testing.T) {
	lib, err := os.ReadFile("lib.rego")
	if err != nil {
		t.Fatal(err)
	}
	ids := regexp.MustCompile(`"((?:RBAC|POD|IMG|RES|SEC|META)-\d\d)": \[`).FindAllSubmatch(lib, -1)
	// RBAC-20 and RBAC-21 are the Go gate's (leastprivilege_test.go has their cases).
	ids = slices.DeleteFunc(ids, func(m [][]byte) bool { _, ok := lpSeverity[string(m[1])]; return ok })
	if len(ids) != 41 {
		t.Fatalf("%d rule ids in lib.rego, want the catalogue's 41", len(ids))
	}
	tests, _ := filepath.Glob("*_test.rego")
	var all []byte
	for _, f := range tests {
		b, _ := os.ReadFile(f)
		all = append(all, b...)
	}
	for _, m := range ids {
		id := string(m[1])
		// A case names its rule in a want pair or an absent list.
		n := len(regexp.MustCompile(`"`+id+`"`).FindAllIndex(all, -1))
		if n < 4 {
			t.Errorf("%s has %d test cases, want at least 4", id, n)
		}
	}
}

// TestConftestAgrees: the real conftest on rendered output reaches the same verdicts as the gate for
// every object, under the default parameters.
func TestConftestAgrees(t *testing.T) {
	conftest, err := filepath.Abs("../bin/conftest")
	if err == nil {
		_, err = os.Stat(conftest)
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("bin/conftest missing: `make tools` installs it")
		}
		t.Skip("bin/conftest not installed (make tools)")
	}
	for _, fixture := range []string{"fixtures/seed-k8s-ops", "fixtures/denied/broad-kubectl", "fixtures/denied/hostpath-via-volumes", "fixtures/denied/seed-host-access-default", "fixtures/secrets", "fixtures/denied/gate-proc-node-root"} {
		t.Run(fixture, func(t *testing.T) {
			files, _ := source.ReadPaths([]string{"../" + fixture}, nil)
			res, ds := compile.Compile(files, compile.Options{})
			err := ds.Err()
			if err != nil {
				t.Fatal(err)
			}
			rendered := filepath.Join(t.TempDir(), "rendered.yaml")
			out, _ := emit.MarshalStream(res.Objects)
			if err := os.WriteFile(rendered, out, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(conftest, "test", "--all-namespaces", "--no-color", "--output", "json", "-p", ".", rendered)
			raw, _ := cmd.Output() // exits 1 on failures
			fromConftest := conftestFindings(t, raw)
			eng, err := New(context.Background(), map[string]any{"today": "2026-11-22"})
			if err != nil {
				t.Fatal(err)
			}
			var inProcess []string
			for _, o := range res.Objects {
				m, _ := emit.ToMap(o)
				fs, err := eng.Eval(context.Background(), m)
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range fs {
					inProcess = append(inProcess, f.Severity+" "+f.Message)
				}
			}
			sort.Strings(fromConftest)
			sort.Strings(inProcess)
			if len(inProcess) == 0 && !strings.Contains(fixture, "secrets") {
				t.Fatal("no findings at all: the comparison proves nothing")
			}
			if !slices.Equal(fromConftest, inProcess) {
				t.Errorf("conftest and the gate disagree:\nconftest:\n  %s\ngate:\n  %s", strings.Join(fromConftest, "\n  "), strings.Join(inProcess, "\n  "))
			}
		})
	}
}

// TestExceptionScope: an exception pinned to a version or an image digest waives nothing else.
func TestExceptionScope(t *testing.T) {
	tests := []struct {
		name, version, digest string
		waived                bool
	}{
		{"pack only", "", "", true},
		{"matching version", "1.4.2", "", true},
		{"other version", "9.9.9", "", false},
		{"digest the image does not have", "", "sha256:abc", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := strings.NewReplacer("VERSION", "1.4.2").Replace(`apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata: {name: reader, namespace: sympozium-system}
spec:
  version: "VERSION"
  skills: [{name: s, content: x}]
  sidecar:
    image: ghcr.io/example/reader:1.4.2
    rbac: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
---
apiVersion: sympozium.ai/v1alpha1
kind: SympoziumInstance
metadata: {name: i, namespace: n}
spec: {skills: [{skillPackRef: reader}]}
---
apiVersion: sympozium.ai/v1alpha1
kind: AgentRun
metadata: {name: r, namespace: n}
spec: {instanceRef: i}
`)
			cfg := api.DefaultConfig()
			cfg.Spec.Policy.Exceptions = []api.PolicyException{{ID: "e", Rules: []string{"RBAC-04"}, SkillPack: "reader", Version: tt.version, ImageDigest: tt.digest, Owner: "o", Justification: "j", Expires: "2099-01-01"}}
			res, ds := compile.Compile([]source.File{{Name: "in.yaml", Data: []byte(src)}}, compile.Options{Config: cfg})
			err := ds.Err()
			if err != nil {
				t.Fatal(err)
			}
			rep := gateResult(t, res, nil)
			if got := len(rep.Excepted) == 1 && !rep.Denied(); got != tt.waived {
				t.Errorf("waived = %v, want %v (excepted %v, findings %v)", got, tt.waived, rep.Excepted, rep.Findings)
			}
		})
	}
}

// conftestFindings reads `conftest test --output json` as "deny MSG" and "warn MSG" lines.
func conftestFindings(t *testing.T, raw []byte) []string {
	t.Helper()
	var results []struct {
		Failures []struct{ Msg string } `json:"failures"`
		Warnings []struct{ Msg string } `json:"warnings"`
	}
	if err := json.Unmarshal(raw, &results); err != nil {
		t.Fatalf("conftest output: %v\n%s", err, raw)
	}
	var out []string
	for _, r := range results {
		for _, f := range r.Failures {
			out = append(out, "deny "+f.Msg)
		}
		for _, w := range r.Warnings {
			out = append(out, "warn "+w.Msg)
		}
	}
	return out
}
