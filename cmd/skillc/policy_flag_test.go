package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPolicyFlag: --policy runs conftest's suffixed rule names, refuses a folder it cannot run, and
// never follows a link out of the folder (whose content a parse error would print).
func TestPolicyFlag(t *testing.T) {
	// /proc/self/environ is the environment the process started with: PATH is in it.
	secret := "PATH=" + os.Getenv("PATH")
	team := "package team\n\nimport rego.v1\n\ndeny_missing_team contains msg if {\n\tinput.kind == \"Job\"\n\tnot input.metadata.labels.team\n\tmsg := sprintf(\"Job %s has no team label\", [input.metadata.name])\n}\n"
	for _, tc := range []struct {
		name       string
		files      map[string]string // "->target" makes a symlink
		wantCode   int
		wantStderr string
	}{
		{name: "deny_<suffix> denies", files: map[string]string{"team.rego": team}, wantCode: 1, wantStderr: "input.yaml:29: team: metadata.name: Job bob-run-1 has no team label"},
		{name: "link to the environment", files: map[string]string{"team.rego": team, "x.rego": "->/proc/self/environ"}, wantCode: 2, wantStderr: "x.rego: is a symlink: not followed inside a policy folder"},
		{name: "no runnable rule", files: map[string]string{"allow.rego": "package a\n\nimport rego.v1\n\nallow if true\n"}, wantCode: 2, wantStderr: ": --policy: no rule skillc can run (only allow)"},
		// Issue 25's reproducer: 78 s and 1.5 GB before; refused at load now.
		{name: "range bomb", files: map[string]string{"bomb.rego": "package bomb\n\nimport rego.v1\n\ndeny contains \"x\" if count(numbers.range(1, 4000000)) > 0\n"}, wantCode: 2, wantStderr: "bomb.rego:5: numbers.range: not available in the rules of a policy folder"},
		// Cubic in the object: stopped at the config's policyTimeout (here the default 10 s would
		// do too; the config's 1s keeps the test short).
		{name: "past the deadline", files: map[string]string{"slow.rego": "package slow\n\nimport rego.v1\n\nwarn contains \"never\" if {\n\twalk(input, [a, _])\n\twalk(input, [b, _])\n\twalk(input, [c, _])\n\twalk(input, [d, _])\n\tcount(a) + count(b) + count(c) + count(d) < 0\n}\n"}, wantCode: 2, wantStderr: ": --policy: its rules ran longer than spec.limits.policyTimeout (1s) and were stopped"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tc.files {
				p := filepath.Join(dir, name)
				var err error
				if target, ok := strings.CutPrefix(content, "->"); ok {
					err = os.Symlink(target, p)
				} else {
					err = os.WriteFile(p, []byte(content), 0o644)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			args := []string{"check", "--policy", dir, "fixtures/seed-minimal"}
			if tc.name == "past the deadline" {
				cfg := filepath.Join(t.TempDir(), "config.yaml")
				writeFile(t, cfg, "apiVersion: skillc.dev/v1alpha1\nkind: CompilerConfig\nmetadata: {name: platform}\nspec:\n  limits: {policyTimeout: 1s}\n")
				args = append(args, "--config", cfg)
			}
			stdout, stderr, code := execute(t, args...)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d; stdout:\n%s\nstderr:\n%s", code, tc.wantCode, stdout, stderr)
			}
			if !strings.Contains(stdout+stderr, tc.wantStderr) {
				t.Errorf("output lacks %q:\n%s%s", tc.wantStderr, stdout, stderr)
			}
			if strings.Contains(stdout+stderr, secret) {
				t.Errorf("the environment was echoed:\n%s%s", stdout, stderr)
			}
		})
	}
}
