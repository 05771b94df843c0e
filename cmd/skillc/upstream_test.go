package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The upstream Sympozium v0.10.46 inputs skillc must compile as its controller would (issue 22):
// testdata/upstream-v0.10.46 holds the 10 built-in packs (their sidecars as upstream ships them)
// and our own examples in the shape of upstream's examples and samples.
const upstreamDir = "cmd/skillc/testdata/upstream-v0.10.46" // the tests run at the repository root

// deniedPacks are the built-in packs the gate rightly denies at the default profile: k8s-ops
// (writes secrets, roles and bindings, pods/exec), llmfit (root, host PID, host paths) and
// web-endpoint (lists and watches every Secret of its namespace).
var deniedPacks = []string{"k8s-ops", "llmfit", "web-endpoint"}

type checkReport struct {
	Findings []struct {
		File     string `json:"file"`
		Rule     string `json:"rule"`
		Severity string `json:"severity"`
	} `json:"findings"`
}

// deniedFiles checks a tree and returns its exit code and the files its denials point at.
func deniedFiles(t *testing.T, paths ...string) (int, []string) {
	t.Helper()
	stdout, stderr, code := execute(t, append([]string{"check", "--output", "json"}, paths...)...)
	if code > 1 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	var rep checkReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	var files []string
	for _, f := range rep.Findings {
		if f.Severity == "deny" && !slices.Contains(files, f.File) {
			files = append(files, f.File)
		}
	}
	slices.Sort(files)
	return code, files
}

// TestUpstreamV010Packs: each built-in pack enabled on a minimal Agent with one AgentRun compiles;
// the gate denies exactly deniedPacks, and only for what the pack itself grants.
func TestUpstreamV010Packs(t *testing.T) {
	packs, err := filepath.Glob(filepath.Join(upstreamDir, "packs", "*.yaml"))
	if err != nil || len(packs) != 10 {
		t.Fatalf("want the 10 built-in packs, got %v (%v)", packs, err)
	}
	for _, p := range packs {
		name := strings.TrimSuffix(filepath.Base(p), ".yaml")
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			agent := `apiVersion: sympozium.ai/v1alpha1
kind: Agent
metadata: {name: a, namespace: team}
spec:
  agents: {default: {model: gpt-4o}}
  skills: [{skillPackRef: ` + name + `}]
---
apiVersion: sympozium.ai/v1alpha1
kind: AgentRun
metadata: {name: r1, namespace: team}
spec: {agentRef: a, task: hello}
`
			if err := os.WriteFile(filepath.Join(dir, "agent.yaml"), []byte(agent), 0o644); err != nil {
				t.Fatal(err)
			}
			code, files := deniedFiles(t, p, dir)
			want, wantFiles := 0, []string(nil)
			if slices.Contains(deniedPacks, name) {
				want, wantFiles = 1, []string{p}
			}
			if code != want || !slices.Equal(files, wantFiles) {
				t.Errorf("exit %d, denials in %v; want exit %d, denials in %v", code, files, want, wantFiles)
			}
		})
	}
}

// TestUpstreamV010Examples: the upstream examples' shapes (Agents with channels, sandboxes,
// agent-sandbox and warm pools, memory, telemetry; runs with sandboxes, tool policies and
// agent-sandbox; schedules by agentRef; Ensembles; a SympoziumPolicy) compile together with the
// built-in packs, and the gate's denials are all the denied packs' own.
func TestUpstreamV010Examples(t *testing.T) {
	code, files := deniedFiles(t, filepath.Join(upstreamDir, "packs"), filepath.Join(upstreamDir, "examples"))
	if code != 1 {
		t.Errorf("exit %d, want 1 (k8s-ops and llmfit are enabled)", code)
	}
	for _, f := range files {
		if !slices.ContainsFunc(deniedPacks, func(p string) bool { return f == filepath.Join(upstreamDir, "packs", p+".yaml") }) {
			t.Errorf("a denial in %s: only the denied packs' own grants should be", f)
		}
	}
	if len(files) == 0 {
		t.Error("no denial at all")
	}
}
