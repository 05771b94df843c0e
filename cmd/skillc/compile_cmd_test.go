package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skillc-dev/skillc/render"
)

// TestOutputDirAtomic: -o DIR gets one file per object; a failed compile leaves the previous render
// exactly as it was and no temporary directory behind.
func TestOutputDirAtomic(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "rendered")
	if _, stderr, code := execute(t, "compile", "-o", out, "fixtures/seed-k8s-ops"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := seedK8sOpsRender
	if got := listFiles(t, out); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("files =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	before := snapshot(t, out)

	_, stderr, code := execute(t, "compile", "-o", out, "fixtures/invalid/unknown-field")
	if code != 2 || !strings.Contains(stderr, "unknown field") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if after := snapshot(t, out); after != before {
		t.Error("a failed compile changed the previous render")
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 1 {
		t.Errorf("leftovers beside the output: %v", entries)
	}

	// A successful recompile replaces the render wholesale: stale objects disappear.
	if _, stderr, code := execute(t, "compile", "-o", out, "fixtures/seed-minimal"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if got := listFiles(t, out); len(got) != 4 || got[0] != render.ManifestName || !strings.HasPrefix(got[1], "default/") {
		t.Errorf("after recompile: %v", got)
	}
}

func TestStdinAndVersion(t *testing.T) {
	stdout, _, code := execute(t, "version")
	if code != 0 || !strings.HasPrefix(stdout, "skillc ") {
		t.Errorf("version: exit %d, %q", code, stdout)
	}
	_, stderr, code := execute(t, "compile", "--sidecars", "sometimes", "fixtures/seed-minimal")
	if code != 2 || !strings.Contains(stderr, `--sidecars: must be one of [native containers], got "sometimes"`) {
		t.Errorf("bad flag value: exit %d, %q", code, stderr)
	}
	_, stderr, code = execute(t, "compile", "--no-such-flag")
	if code != 2 || !strings.Contains(stderr, "unknown flag") {
		t.Errorf("unknown flag: exit %d, %q", code, stderr)
	}
	_, stderr, code = execute(t, "compile", "does/not/exist.yaml")
	if code != 2 || !strings.Contains(stderr, "does/not/exist.yaml: no such file or directory") {
		t.Errorf("missing path: exit %d, %q", code, stderr)
	}
}

// TestSymlinksNotFollowedInWalks: a link in a walked directory could read files from outside the
// repository on an untrusted pull request; it is refused, while an explicit path is followed.
func TestSymlinksNotFollowedInWalks(t *testing.T) {
	dir := t.TempDir()
	target, err := filepath.Abs("fixtures/seed-minimal/input.yaml")
	if err != nil {
		t.Fatal(err)
	}
	repo := filepath.Join(dir, "repo")
	if err := os.Mkdir(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(repo, "link.yaml")
	if err := os.Symlink(target, link); err != nil {
		t.Skip(err)
	}
	stdout, stderr, code := execute(t, "compile", repo)
	if code != 2 || stdout != "" || !strings.Contains(stderr, "link.yaml: is a symlink: not followed inside a directory") {
		t.Errorf("walk: exit %d, stderr %q", code, stderr)
	}
	if _, stderr, code := execute(t, "compile", link); code != 0 {
		t.Errorf("explicit link: exit %d, stderr %q", code, stderr)
	}
}

// TestDeniedLeavesRenderUntouched: a compile the gate denies writes nothing, not even into -o DIR.
func TestDeniedLeavesRenderUntouched(t *testing.T) {
	out := filepath.Join(t.TempDir(), "rendered")
	if _, stderr, code := execute(t, "compile", "-o", out, "fixtures/seed-minimal"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	before := snapshot(t, out)
	stdout, stderr, code := execute(t, "compile", "-o", out, "fixtures/denied/broad-kubectl")
	if code != 1 || stdout != "" || !strings.Contains(stderr, "nothing was written") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if snapshot(t, out) != before {
		t.Error("a denied compile changed the previous render")
	}
}

// TestCheckJSONCarriesBudgets: the JSON report has the token budget of every instance.
func TestCheckJSONCarriesBudgets(t *testing.T) {
	stdout, _, code := execute(t, "check", "--format", "json", "skills/", "fixtures/default")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var doc struct {
		Budgets []struct {
			Instance    string
			Tokens      int
			IndexTokens int
			Limit       int
		}
		Stats struct{ Objects, Evaluations int }
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Budgets) != 2 || doc.Budgets[1].Instance != "sre-assistant" || doc.Budgets[1].Tokens < 1000 || doc.Budgets[1].IndexTokens == 0 || doc.Budgets[1].Limit != 20000 {
		t.Errorf("budgets = %+v", doc.Budgets)
	}
	if doc.Stats.Objects != 20 { // observability-triage needs no ClusterRole (nor its binding)
		t.Errorf("stats = %+v", doc.Stats)
	}
}

// seedK8sOpsRender is what compile -o writes for fixtures/seed-k8s-ops, manifest included.
var seedK8sOpsRender = []string{
	render.ManifestName,
	"_cluster/clusterrole-sympozium-skill-k8s-ops-alice-run-xyz.yaml",
	"_cluster/clusterrolebinding-sympozium-skill-k8s-ops-alice-run-xyz.yaml",
	"tenant-alice/configmap-skillpack-k8s-ops.yaml",
	"tenant-alice/job-alice-run-xyz.yaml",
	"tenant-alice/role-sympozium-skill-k8s-ops-alice-run-xyz.yaml",
	"tenant-alice/rolebinding-sympozium-skill-k8s-ops-alice-run-xyz.yaml",
	"tenant-alice/serviceaccount-sympozium-agent.yaml",
}
