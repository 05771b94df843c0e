package main

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skillc-dev/skillc/render"
)

// newPackRun is an instance and run that toggle pack, to compile a new pack into a pod.
func newPackRun(pack string) string {
	return `apiVersion: sympozium.ai/v1alpha1
kind: SympoziumInstance
metadata: {name: bot, namespace: team-new}
spec:
  skills:
    - skillPackRef: ` + pack + `
---
apiVersion: sympozium.ai/v1alpha1
kind: AgentRun
metadata: {name: bot-run, namespace: team-new}
spec:
  instanceRef: bot
  task: try the new pack
`
}

// TestNewPackGolden: the written packs, compiled under --profile restricted, pass the gate with
// no finding at all (the sidecar's root filesystem is read-only by default).
func TestNewPackGolden(t *testing.T) {
	for _, tc := range []struct{ name, sidecar string }{
		{"instructions-only", ""},
		{"with-sidecar", "ghcr.io/example/skill-quota-check-new:0.1.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			args := []string{"new", "pack", "quota-check-new", "-o", dir}
			if tc.sidecar != "" {
				args = append(args, "--sidecar", tc.sidecar)
			}
			stdout, stderr, code := execute(t, args...)
			if code != 0 || stderr != "" {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if stdout != "wrote "+filepath.Join(dir, "quota-check-new.yaml")+"\n" {
				t.Fatalf("stdout %q: a temporary folder is no image repository, only the pack is written", stdout)
			}
			data, err := os.ReadFile(filepath.Join(dir, "quota-check-new.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, filepath.Join("golden", "new", tc.name+".yaml"), string(data))
			writeFile(t, filepath.Join(dir, "run.yaml"), newPackRun("quota-check-new"))
			report, stderr, code := execute(t, "check", "--profile", "restricted", dir)
			if code != 0 {
				t.Fatalf("check --profile restricted: exit %d\n%s%s", code, report, stderr)
			}
			for _, l := range strings.Split(strings.TrimSpace(report), "\n") {
				if strings.Contains(l, ": warning: ") {
					t.Errorf("unexpected finding: %s", l)
				}
			}
			if _, _, code := execute(t, args...); code != 2 {
				t.Fatalf("a second run exits %d, want 2 (refuses to overwrite)", code)
			}
		})
	}
}

func TestNewPackRefusals(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"bad name", []string{"new", "pack", "Quota_Check", "-o", dir}, "pack name"},
		{"floating tag", []string{"new", "pack", "q", "--sidecar", "ghcr.io/x/skill-q:latest", "-o", dir}, "IMG-01"},
		{"untagged", []string{"new", "pack", "q", "--sidecar", "ghcr.io/x/skill-q", "-o", dir}, "no version tag"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := execute(t, tc.args...)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, stderr, tc.want)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("refusals wrote %d files", len(entries))
	}
}

// TestNewPackRefusesLinkedDir: -o naming a symlink, or a link on the way inside DIR, is refused
// and nothing lands in the link's target.
func TestNewPackRefusesLinkedDir(t *testing.T) {
	victim, dir := t.TempDir(), t.TempDir()
	if err := os.Symlink(victim, filepath.Join(dir, "out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "real"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(dir, "real", "skills")); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{filepath.Join(dir, "out"), filepath.Join(dir, "real", "skills")} {
		_, stderr, code := execute(t, "new", "pack", "q", "-o", out)
		if code != 2 || !strings.Contains(stderr, "is a symlink: skillc never writes through a link") {
			t.Errorf("-o %s: exit %d, stderr %q; want 2 and the symlink refusal", out, code, stderr)
		}
	}
	if entries, _ := os.ReadDir(victim); len(entries) != 0 {
		t.Fatalf("wrote %d files through the link", len(entries))
	}
}

// TestNewPackInRepositoryCopy: in a copy of this repository, new pack --sidecar writes the
// Dockerfile and the registrations its test needs, and that test (skills/skills_test.go) passes.
func TestNewPackInRepositoryCopy(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the skills package's test in a copy of the repository")
	}
	repo := t.TempDir()
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == ".git" || d.IsDir() && (p == "bin" || p == "golden" || p == "fixtures") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil // a worktree's .git is a file
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		writeFile(t, filepath.Join(repo, p), string(data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(repo, ".git"), 0o755); err != nil { // the repository's top
		t.Fatal(err)
	}
	stdout, stderr, code := execute(t, "new", "pack", "quota-check", "--sidecar", "ghcr.io/skillc-dev/skill-quota-check:0.1.0", "-o", filepath.Join(repo, "skills"))
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"wrote " + filepath.Join(repo, "images", "skill-quota-check", "Dockerfile"), "updated " + filepath.Join(repo, "Makefile"),
		"updated " + filepath.Join(repo, ".github", "workflows", "build.yaml"), "updated " + filepath.Join(repo, ".github", "workflows", "release.yaml")} {
		if !strings.Contains(stdout, want+"\n") {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	mk, _ := os.ReadFile(filepath.Join(repo, "Makefile"))
	orig, _ := os.ReadFile("Makefile")
	if diff := render.UnifiedDiff("a", "b", string(orig), string(mk), 0); strings.Count(diff, "\n+") != 2 || strings.Count(diff, "\n-") != 1 {
		t.Errorf("the Makefile edit is more than one line:\n%s", diff)
	}
	test := exec.Command("go", "test", "-count=1", "./skills/")
	test.Dir = repo
	test.Env = append(os.Environ(), "GOTOOLCHAIN=local", "GOFLAGS=-mod=mod")
	if out, err := test.CombinedOutput(); err != nil {
		t.Fatalf("the repository's own test fails after new pack: %v\n%s", err, out)
	}
}
