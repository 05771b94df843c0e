package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestVersionFlag: skillc --version prints what skillc version prints, and -v is not taken by it.
func TestVersionFlag(t *testing.T) {
	want, _, code := execute(t, "version")
	if code != 0 || !strings.HasPrefix(want, "skillc ") {
		t.Fatalf("skillc version: exit %d, %q", code, want)
	}
	got, stderr, code := execute(t, "--version")
	if code != 0 || got != want || stderr != "" {
		t.Errorf("skillc --version: exit %d, stdout %q, stderr %q; want 0 and %q", code, got, stderr, want)
	}
	if f := newRootCommand().Flags().Lookup("version"); f == nil || f.Shorthand != "" {
		t.Errorf("--version is %+v, want a flag without the -v cobra would give it (-v is a verbose flag's)", f)
	}
}

// TestCompileSummary: compile -o says on stderr how many files it wrote and where; stdout stays
// empty. Printing to stdout and --verify say nothing of the kind.
func TestCompileSummary(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rendered")
	stdout, stderr, code := execute(t, "compile", "-o", dir, "fixtures/seed-minimal")
	files := listFiles(t, dir)
	n := 0
	for _, f := range files {
		if !strings.HasPrefix(filepath.Base(f), ".") {
			n++
		}
	}
	if want := "skillc: wrote " + plural(n, "file") + " to " + dir + "\n"; code != 0 || stdout != "" || !strings.HasSuffix(stderr, want) || n == 0 {
		t.Fatalf("exit %d, stdout %q, stderr %q; want 0, nothing on stdout and %q", code, stdout, stderr, want)
	}
	if _, stderr, _ := execute(t, "compile", "fixtures/seed-minimal"); strings.Contains(stderr, "wrote") {
		t.Errorf("compile to stdout says %q", stderr)
	}
	if _, stderr, _ := execute(t, "compile", "--verify", "-o", dir, "fixtures/seed-minimal"); strings.Contains(stderr, "wrote") {
		t.Errorf("compile --verify says %q", stderr)
	}
	if plural(1, "file") != "1 file" || plural(0, "file") != "0 files" {
		t.Error("plural")
	}
}
