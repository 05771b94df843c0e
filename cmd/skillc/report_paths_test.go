package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReportPathsRelativeToTheRepository: an absolute PATH (${{ github.workspace }}/skills) gives
// the same annotation and SARIF uri as a relative one: relative to the repository's top level, or
// to --base-dir.
func TestReportPathsRelativeToTheRepository(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	abs := filepath.Join(wd, "fixtures", "denied", "broad-kubectl")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"github, absolute", []string{"check", "--format", "github", abs}, "file=fixtures/denied/broad-kubectl/input.yaml,line=19"},
		{"github, relative", []string{"check", "--format", "github", "fixtures/denied/broad-kubectl"}, "file=fixtures/denied/broad-kubectl/input.yaml,line=19"},
		{"github, --base-dir", []string{"check", "--format", "github", "--base-dir", "fixtures", abs}, "file=denied/broad-kubectl/input.yaml,line=19"},
		{"sarif, absolute", []string{"check", "--format", "sarif", abs}, `"uri": "fixtures/denied/broad-kubectl/input.yaml"`},
		{"junit, absolute", []string{"check", "--format", "junit", abs}, `file="fixtures/denied/broad-kubectl/input.yaml" line="19"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := execute(t, tc.args...)
			if code != 1 {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			if !strings.Contains(stdout, tc.want) {
				t.Errorf("no %q in:\n%s", tc.want, stdout)
			}
			if strings.Contains(stdout, wd) {
				t.Errorf("the absolute path is in the report:\n%s", stdout)
			}
		})
	}
}

// TestReportPaths: outside the root (or not a path) a file is kept as given; the top level is
// the nearest folder with .git, a worktree's .git file included.
func TestReportPaths(t *testing.T) {
	root := t.TempDir()
	sub := filepath.Join(root, "repo", "sub")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "repo", ".git"), []byte("gitdir: elsewhere\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := gitTopLevel(sub); got != filepath.Join(root, "repo") {
		t.Errorf("gitTopLevel = %s", got)
	}
	if got := gitTopLevel(root); got != root {
		t.Errorf("no repository: gitTopLevel = %s, want the folder itself", got)
	}
	rel, err := reportPaths(filepath.Join(root, "repo"))
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		filepath.Join(root, "repo", "sub", "a.yaml"): "sub/a.yaml",
		filepath.Join(root, "other", "b.yaml"):       filepath.Join(root, "other", "b.yaml"),
		"<stdin>":                                    "<stdin>",
	} {
		if got := rel(in); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}
