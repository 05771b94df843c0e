package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skillc-dev/skillc/render"
)

const editsRepo = "cmd/skillc/testdata/edits/repo"

// runInCopy runs skillc with args (the word REPO replaced by a fresh copy of the edits fixture)
// and returns a transcript: exit code, stdout, stderr and the diff of every file that changed,
// with the copy's path written as REPO.
func runInCopy(t *testing.T, args ...string) (string, string) {
	t.Helper()
	dir := t.TempDir()
	copyTree(t, editsRepo, dir)
	for i, a := range args {
		args[i] = strings.ReplaceAll(a, "REPO", dir)
	}
	stdout, stderr, code := execute(t, args...)
	var b strings.Builder
	b.WriteString("$ skillc " + strings.Join(args, " ") + "\n")
	b.WriteString("--- exit " + string(rune('0'+code)) + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr + "--- changes\n")
	entries, err := os.ReadDir(editsRepo)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		want, _ := os.ReadFile(filepath.Join(editsRepo, e.Name()))
		got, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			b.WriteString(render.UnifiedDiff("a/"+e.Name(), "b/"+e.Name(), string(want), string(got), 2))
		}
	}
	left, _ := os.ReadDir(dir)
	if len(left) != len(entries) {
		t.Errorf("the command left %d files in the folder, want %d (a temporary file?)", len(left), len(entries))
	}
	return strings.ReplaceAll(b.String(), dir, "REPO"), dir
}

func TestEnableGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"rbac-and-secret", []string{"enable", "pod-reader-edits", "--instance", "team-edits/bot", "REPO"}, 0},
		{"dry-run", []string{"enable", "pod-reader-edits", "--instance", "team-edits/bot", "--dry-run", "REPO"}, 0},
		{"params", []string{"enable", "pod-reader-edits", "--instance", "team-edits/bot", "--param", "scope=team only", "--param", "limit=20", "REPO"}, 0},
		{"denied-host-access", []string{"enable", "host-peek-edits", "--instance", "team-edits/bot", "REPO"}, 1},
		{"already-enabled", []string{"enable", "skillpack-notes-edits", "--instance", "team-edits/bot", "REPO"}, 0},
		{"already-enabled-other-params", []string{"enable", "notes-edits", "--instance", "team-edits/bot", "--param", "style=verbose", "REPO"}, 0},
		{"typo-suggests", []string{"enable", "pod-raeder-edits", "--instance", "team-edits/bot", "REPO"}, 2},
		{"unknown-instance", []string{"enable", "notes-edits", "--instance", "team-edits/nobody", "REPO"}, 2},
		{"run-override", []string{"enable", "pod-reader-edits", "--run", "team-edits/bot-run-1", "REPO"}, 0},
		{"disable", []string{"disable", "notes-edits", "--instance", "team-edits/bot", "REPO"}, 0},
		{"disable-not-enabled", []string{"disable", "pod-reader-edits", "--instance", "team-edits/bot", "REPO"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := runInCopy(t, tc.args...)
			if !strings.Contains(got, "--- exit "+string(rune('0'+tc.code))+"\n") {
				t.Errorf("want exit %d:\n%s", tc.code, got)
			}
			checkGolden(t, filepath.Join("golden", "enable", tc.name+".txt"), got)
		})
	}
}

// TestEnableThenDisableRestores: the file after enable then disable is the original, byte for byte.
func TestEnableThenDisableRestores(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, editsRepo, dir)
	orig, _ := os.ReadFile(filepath.Join(editsRepo, "team.yaml"))
	if err := os.Chmod(filepath.Join(dir, "team.yaml"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"enable", "pod-reader-edits", "--instance", "team-edits/bot", "--param", "k=v", dir},
		{"disable", "pod-reader-edits", "--instance", "team-edits/bot", dir},
	} {
		if _, stderr, code := execute(t, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
	}
	got, _ := os.ReadFile(filepath.Join(dir, "team.yaml"))
	if string(got) != string(orig) {
		t.Fatalf("not restored:\n%s", got)
	}
	fi, _ := os.Stat(filepath.Join(dir, "team.yaml"))
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600 kept", fi.Mode().Perm())
	}
}

// TestEnableReportIsDiff: the permission report of enable is skillc diff of the same change.
func TestEnableReportIsDiff(t *testing.T) {
	before := t.TempDir()
	copyTree(t, editsRepo, before)
	after := t.TempDir()
	copyTree(t, editsRepo, after)
	stdout, stderr, code := execute(t, "enable", "pod-reader-edits", "--instance", "team-edits/bot", after)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	diff, stderr, code := execute(t, "diff", before, after)
	if code != 0 {
		t.Fatalf("diff: exit %d: %s", code, stderr)
	}
	_, report, _ := strings.Cut(stdout, "\n\n")
	report, _, _ = strings.Cut(report, "\ngate: ")
	if report != diff || !strings.Contains(diff, "+ Role ") {
		t.Fatalf("enable's report:\n%s\ndiff's:\n%s", report, diff)
	}
}

func TestEnableRefusesSymlink(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, editsRepo, filepath.Join(dir, "real"))
	if err := os.MkdirAll(filepath.Join(dir, "repo"), 0o755); err != nil {
		t.Fatal(err)
	}
	copyTree(t, editsRepo, filepath.Join(dir, "repo"))
	if err := os.Remove(filepath.Join(dir, "repo", "team.yaml")); err != nil {
		t.Fatal(err)
	}
	symlink(t, filepath.Join(dir, "real", "team.yaml"), filepath.Join(dir, "repo", "team.yaml"))
	_, stderr, code := execute(t, "enable", "pod-reader-edits", "--instance", "team-edits/bot", filepath.Join(dir, "repo", "team.yaml"), filepath.Join(dir, "repo", "catalog.yaml"))
	if code != 2 || !strings.Contains(stderr, "symlink") {
		t.Fatalf("exit %d, stderr %q: want a refusal naming the symlink", code, stderr)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "real", "team.yaml"))
	want, _ := os.ReadFile(filepath.Join(editsRepo, "team.yaml"))
	if string(got) != string(want) {
		t.Fatal("the file behind the symlink changed")
	}
}

// TestEnableDefinedTwice: an instance in two files is an error naming both; nothing is written.
func TestEnableDefinedTwice(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, "cmd/skillc/testdata/edits/twice", dir)
	copyTree(t, editsRepo, filepath.Join(dir, "repo"))
	_, stderr, code := execute(t, "enable", "notes-edits", "--instance", "team-twice/twin", dir)
	if code != 2 || !strings.Contains(stderr, "second-twice.yaml:4") || !strings.Contains(stderr, "first-twice.yaml:2") {
		t.Fatalf("exit %d, stderr %q: want exit 2 naming both files", code, stderr)
	}
	for _, f := range []string{"first-twice.yaml", "second-twice.yaml"} {
		got, _ := os.ReadFile(filepath.Join(dir, f))
		want, _ := os.ReadFile(filepath.Join("cmd/skillc/testdata/edits/twice", f))
		if string(got) != string(want) {
			t.Errorf("%s changed", f)
		}
	}
}

// TestEnableRefusesReadOnly: a file whose mode does not let the user write it is not replaced
// (replacing needs only a writable folder): exit 2 naming the file, the file and its mode kept.
func TestEnableRefusesReadOnly(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, editsRepo, dir)
	team := filepath.Join(dir, "team.yaml")
	before, err := os.ReadFile(team)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(team, 0o444); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := execute(t, "enable", "pod-reader-edits", "--instance", "team-edits/bot", dir)
	if code != 2 || !strings.Contains(stderr, team+": read-only (mode 0444): refusing to replace it") {
		t.Fatalf("exit %d, stderr %q; want 2 and the refusal naming %s", code, stderr, team)
	}
	after, _ := os.ReadFile(team)
	fi, _ := os.Stat(team)
	if string(after) != string(before) || fi.Mode().Perm() != 0o444 {
		t.Fatalf("the read-only file was changed (mode %o)", fi.Mode().Perm())
	}
}

// TestEnableNewInstance: enable on what new instance wrote (skills: []) starts a block list, as
// Kubernetes YAML writes lists, and quotes a pack YAML 1.1 reads as a boolean.
func TestEnableNewInstance(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, editsRepo, dir)
	if _, stderr, code := execute(t, "new", "instance", "helper", "--namespace", "team-edits", "-o", dir); code != 0 {
		t.Fatalf("new instance: exit %d: %s", code, stderr)
	}
	if _, stderr, code := execute(t, "new", "pack", "on", "-o", dir); code != 0 {
		t.Fatalf("new pack: exit %d: %s", code, stderr)
	}
	for _, pack := range []string{"notes-edits", "on"} {
		if _, stderr, code := execute(t, "enable", pack, "--instance", "team-edits/helper", dir); code != 0 {
			t.Fatalf("enable %s: exit %d: %s", pack, code, stderr)
		}
	}
	data, _ := os.ReadFile(filepath.Join(dir, "helper.yaml"))
	if want := "  skills:\n    - skillPackRef: notes-edits\n    - skillPackRef: \"on\"\n"; !strings.HasSuffix(string(data), want) {
		t.Fatalf("helper.yaml ends\n%s\nwant\n%s", data, want)
	}
}
