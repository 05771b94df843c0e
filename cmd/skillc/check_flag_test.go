package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/skillc-dev/skillc/render"
)

// diffBody returns the -/+ lines of a unified diff, without the ---/+++ headers.
func diffBody(out string) []string {
	var lines []string
	for l := range strings.Lines(out) {
		if strings.HasPrefix(l, "--- ") || strings.HasPrefix(l, "+++ ") {
			continue
		}
		if strings.HasPrefix(l, "-") || strings.HasPrefix(l, "+") {
			lines = append(lines, strings.TrimSuffix(l, "\n"))
		}
	}
	return lines
}

// TestCompileCheck: --verify compares -o DIR with the compile, reports exactly what differs and
// never writes: DIR (and its parent) are byte for byte the same afterwards.
func TestCompileCheck(t *testing.T) {
	const fixture = "fixtures/target-argocd"
	const job = "ops/job-cert-audit.yaml"
	tests := []struct {
		name     string
		mutate   func(t *testing.T, dir string) // applied to a fresh render
		wantCode int
		wantOut  []string // substrings of stdout
		wantBody []string // the diff's -/+ lines, exactly
	}{
		{
			name:     "fresh render is up to date",
			mutate:   func(*testing.T, string) {},
			wantCode: 0,
		},
		{
			name: "one edited line",
			mutate: func(t *testing.T, dir string) {
				replaceInFile(t, filepath.Join(dir, job), "  backoffLimit: 0\n", "  backoffLimit: 3\n")
			},
			wantCode: 1,
			wantOut:  []string{"changed:\n  " + "DIR/" + job + "\n", "--- a/DIR/" + job + "\n+++ b/DIR/" + job + "\n@@ "},
			wantBody: []string{"+  backoffLimit: 0", "-  backoffLimit: 3"}, // sorted
		},
		{
			name: "an extra stale file and a missing file",
			mutate: func(t *testing.T, dir string) {
				if err := os.WriteFile(filepath.Join(dir, "ops", "job-old-run.yaml"), []byte("kind: Job\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				appendToFile(t, filepath.Join(dir, render.ManifestName), "ops/job-old-run.yaml\n") // a run the sources no longer have
				if err := os.Remove(filepath.Join(dir, "ops", "serviceaccount-sympozium-agent.yaml")); err != nil {
					t.Fatal(err)
				}
			},
			wantCode: 1,
			wantOut: []string{
				"missing (compile would create):\n  DIR/ops/serviceaccount-sympozium-agent.yaml\n",
				"extra (compile would remove):\n  DIR/ops/job-old-run.yaml\n",
			},
		},
		{
			name: "a render for another target",
			mutate: func(t *testing.T, dir string) {
				if _, stderr, code := execute(t, "compile", "-o", dir, "--target", "flux", fixture); code != 0 {
					t.Fatalf("exit %d: %s", code, stderr)
				}
			},
			wantCode: 1,
			wantOut: []string{
				"changed:\n",
				"-    kustomize.toolkit.fluxcd.io/force: enabled\n+    argocd.argoproj.io/sync-options: Force=true,ServerSideApply=false\n+    argocd.argoproj.io/sync-wave: \"1\"\n",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "rendered")
			if _, stderr, code := execute(t, "compile", "-o", dir, "--target", "argocd", fixture); code != 0 {
				t.Fatalf("render: exit %d: %s", code, stderr)
			}
			tt.mutate(t, dir)
			before := snapshot(t, dir)

			stdout, stderr, code := execute(t, "compile", "--verify", "-o", dir, "--target", "argocd", fixture)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stdout:\n%s\nstderr:\n%s", code, tt.wantCode, stdout, stderr)
			}
			out := strings.ReplaceAll(stdout, filepath.ToSlash(dir), "DIR")
			if tt.wantCode == 0 && out != "" {
				t.Errorf("up to date, yet stdout:\n%s", out)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			if tt.wantBody != nil {
				got := diffBody(out)
				slices.Sort(got)
				if diff := cmp.Diff(tt.wantBody, got); diff != "" {
					t.Errorf("diff lines (-want +got):\n%s\nstdout:\n%s", diff, out)
				}
			}
			if after := snapshot(t, dir); after != before {
				t.Error("--verify changed DIR")
			}
			if entries, _ := os.ReadDir(parent); len(entries) != 1 {
				t.Errorf("--verify left something beside DIR: %v", entries)
			}
		})
	}
}

// TestCompileCheckEdges: --verify needs -o; a missing DIR is stale and is not created; a denied
// compile is a denial (exit 1) and writes nothing.
func TestCompileCheckEdges(t *testing.T) {
	tests := []struct {
		name       string
		args       func(dir string) []string
		wantCode   int
		wantStderr string
	}{
		{"without -o", func(string) []string { return []string{"compile", "--verify", "fixtures/target-argocd"} }, 2, "--verify needs -o DIR"},
		{"missing DIR", func(dir string) []string { return []string{"compile", "--verify", "-o", dir, "fixtures/target-argocd"} }, 1, "12 missing"},
		{"denied", func(dir string) []string {
			return []string{"compile", "--verify", "-o", dir, "fixtures/denied/broad-kubectl"}
		}, 1, "the policy gate denied"},
		{"invalid input", func(dir string) []string {
			return []string{"compile", "--verify", "-o", dir, "fixtures/invalid/unknown-field"}
		}, 2, "unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "rendered")
			_, stderr, code := execute(t, tt.args(dir)...)
			if code != tt.wantCode || !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tt.wantCode, tt.wantStderr)
			}
			if entries, _ := os.ReadDir(parent); len(entries) != 0 {
				t.Errorf("--verify wrote %v", entries)
			}
		})
	}
}

func replaceInFile(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(data), old) != 1 {
		t.Fatalf("%s: %q is not in it exactly once", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}
