package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigPolicyPaths: compile and check read the CompilerConfig's spec.policy.paths relative
// to the config's own folder, and refuse what would leave it (the config is repository content).
func TestConfigPolicyPaths(t *testing.T) {
	team := "package team\n\nimport rego.v1\n\ndeny_missing_team contains msg if {\n\tinput.kind == \"Job\"\n\tnot input.metadata.labels.team\n\tmsg := sprintf(\"Job %s has no team label\", [input.metadata.name])\n}\n"
	platform, err := os.ReadFile("fixtures/default/platform.yaml")
	if err != nil {
		t.Fatal(err)
	}
	skills, err := filepath.Abs("skills")
	if err != nil {
		t.Fatal(err)
	}
	outside := t.TempDir()
	writeFile(t, filepath.Join(outside, "team.rego"), team)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "platform", "policies", "team.rego"), team)
	if err := os.Symlink(outside, filepath.Join(dir, "platform", "linked")); err != nil {
		t.Fatal(err)
	}
	// fixtures/default without its platform.yaml, which becomes the --config with policy paths.
	src := filepath.Join(dir, "src")
	for _, f := range []string{"infra.yaml", "sre.yaml"} {
		b, err := os.ReadFile(filepath.Join("fixtures/default", f))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(src, f), string(b))
	}
	config := func(paths string) string {
		p := filepath.Join(dir, "platform", "skillc.yaml")
		writeFile(t, p, strings.Replace(string(platform), "  policy:\n", "  policy:\n    paths: "+paths+"\n", 1))
		return p
	}
	for _, tc := range []struct {
		name, paths string
		code        int
		want        string
	}{
		{"a folder beside the config", "[policies]", 1, "Job checkout-latency-1 has no team label"},
		{"absolute", "[" + outside + "]", 2, "spec.policy.paths[0]: " + outside + ": an absolute path is refused"},
		{"dot-dot", "[../platform/policies]", 2, "spec.policy.paths[0]: ../platform/policies: `..` is refused"},
		{"a symlink out", "[linked]", 2, "spec.policy.paths[0]: linked: "},
	} {
		for _, sub := range []string{"compile", "check"} {
			t.Run(tc.name+"/"+sub, func(t *testing.T) {
				cfg := config(tc.paths)
				stdout, stderr, code := execute(t, sub, "--config", cfg, skills, src)
				if code != tc.code {
					t.Fatalf("exit %d, want %d\nstdout:\n%.2000s\nstderr:\n%s", code, tc.code, stdout, stderr)
				}
				if !strings.Contains(stdout+stderr, tc.want) {
					t.Errorf("output lacks %q\nstdout:\n%.2000s\nstderr:\n%s", tc.want, stdout, stderr)
				}
				if tc.code != 0 && sub == "compile" && stdout != "" {
					t.Errorf("compile printed manifests on exit %d", tc.code)
				}
			})
		}
	}
}
