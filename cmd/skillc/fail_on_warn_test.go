package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFailOnWarn: seed-k8s-ops passes the gate with warnings (RBAC-13, IMG-01). --fail-on-warn
// turns them into exit 1 on every command that gates, and compile then writes nothing.
func TestFailOnWarn(t *testing.T) {
	const seed = "fixtures/seed-k8s-ops"
	var docs []string
	for _, f := range []string{"k8s-ops.yaml", "alice.yaml"} {
		for d := range strings.SplitSeq(mustRead(t, filepath.Join(seed, f)), "---\n") {
			docs = append(docs, d)
		}
	}
	kdir := t.TempDir()
	for _, f := range []string{"k8s-ops.yaml", "alice.yaml"} {
		if err := os.WriteFile(filepath.Join(kdir, f), []byte(mustRead(t, filepath.Join(seed, f))), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(kdir, "kustomization.yaml"), []byte("resources: [k8s-ops.yaml, alice.yaml]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
	}{
		{"check", "", []string{"check", seed}},
		{"compile", "", []string{"compile", "-o", out, seed}},
		{"build", "", []string{"build", kdir}},
		{"fn", resourceList("", docs...), []string{"fn"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, stderr, code := executeStdin(t, tc.stdin, tc.args...); code != 0 {
				t.Fatalf("without --fail-on-warn: exit %d\n%s", code, stderr)
			}
			if tc.name == "compile" {
				if err := os.RemoveAll(out); err != nil {
					t.Fatal(err)
				}
			}
			args := append([]string{tc.args[0], "--fail-on-warn"}, tc.args[1:]...)
			stdout, stderr, code := executeStdin(t, tc.stdin, args...)
			if code != 1 {
				t.Fatalf("with --fail-on-warn: exit %d, want 1\n%s", code, stderr)
			}
			report := stdout + stderr
			if !strings.Contains(report, "RBAC-13") || !strings.Contains(report, "IMG-01") {
				t.Errorf("the warnings that failed are not reported:\n%s", report)
			}
			switch tc.name {
			case "compile":
				if _, err := os.Stat(out); !os.IsNotExist(err) {
					t.Errorf("compile --fail-on-warn wrote %s (%v)", out, err)
				}
				if !strings.Contains(stderr, "warning(s) and --fail-on-warn: nothing was written") {
					t.Errorf("no closing line:\n%s", stderr)
				}
			case "build":
				if stdout != "" {
					t.Errorf("build printed a render on a failure:\n%.300s", stdout)
				}
			case "fn":
				if strings.Contains(stdout, "kind: Job") {
					t.Errorf("fn wrote the objects on a failure:\n%.300s", stdout)
				}
			}
		})
	}
}
