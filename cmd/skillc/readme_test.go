package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fencedLines are the lines of the first fenced block of a doc section, comments dropped.
func fencedLines(t *testing.T, section string) []string {
	t.Helper()
	var out []string
	in := false
	for _, l := range strings.Split(section, "\n") {
		if strings.HasPrefix(l, "```") {
			if in {
				return out
			}
			in = true
			continue
		}
		if in {
			if i := strings.Index(l, " #"); i >= 0 {
				l = l[:i]
			}
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
				out = append(out, l)
			}
		}
	}
	t.Fatal("no fenced block in the section")
	return nil
}

// TestReadmeQuickStart runs the README's quick start as written, in an empty folder: every
// command exits 0 with no warning, and the render holds the run's Job. The last command is the
// CI check of the render: it must find it up to date.
func TestReadmeQuickStart(t *testing.T) {
	lines := fencedLines(t, docSection(t, "README.md", "## Quick start"))
	if len(lines) < 7 {
		t.Fatalf("the quick start has %d commands, want new config, pack, instance, run, check, compile -o, --verify", len(lines))
	}
	t.Chdir(t.TempDir())
	var verified bool
	for _, l := range lines {
		args := strings.Fields(l)
		if args[0] != "skillc" {
			t.Fatalf("%q: the quick start runs skillc alone", l)
		}
		stdout, stderr, code := execute(t, args[1:]...)
		if code != 0 || strings.Contains(stderr, ": warning: ") {
			t.Fatalf("%s: exit %d\n%s%s", l, code, stdout, stderr)
		}
		verified = verified || strings.Contains(l, "--verify")
	}
	jobs, _ := filepath.Glob(filepath.Join("rendered", "team-a", "job-*.yaml"))
	if len(jobs) != 1 || !verified {
		t.Fatalf("rendered/team-a holds %v, want one Job; --verify ran: %v", jobs, verified)
	}
	// The render is what --verify compares: a changed source makes it stale (exit 1).
	data, err := os.ReadFile(filepath.Join("tenants", "bot-first.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("tenants", "bot-first.yaml"), []byte(strings.Replace(string(data), "task: TODO", "task: changed TODO", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, code := execute(t, strings.Fields(lines[len(lines)-1])[1:]...); code != 1 {
		t.Errorf("%s after a change: exit %d, want 1 (stale)", lines[len(lines)-1], code)
	}
}
