package main

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	sigsyaml "sigs.k8s.io/yaml"

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

// TestNewSources: new config, pack, instance and run, run in an empty folder as the README's quick
// start runs them, write commented sources (golden files) that check passes under the config they
// wrote with no finding, and print each path as the user would type it (relative to the working
// folder). A second run refuses every file and changes none.
func TestNewSources(t *testing.T) {
	repo, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	steps := []struct {
		args   []string
		wrote  string
		golden string
	}{
		{[]string{"new", "config"}, "platform.yaml", "config.yaml"},
		{[]string{"new", "pack", "hello", "-o", "skills/"}, filepath.Join("skills", "hello.yaml"), ""},
		{[]string{"new", "instance", "bot", "--namespace", "team-a", "--pack", "hello", "--pack", "on", "-o", "tenants"}, filepath.Join("tenants", "bot.yaml"), "instance.yaml"},
		{[]string{"new", "run", "bot-first", "--instance", "bot", "--namespace", "team-a", "-o", "tenants"}, filepath.Join("tenants", "bot-first.yaml"), "run.yaml"},
	}
	for _, s := range steps {
		stdout, stderr, code := execute(t, s.args...)
		if code != 0 || stderr != "" || stdout != "wrote "+s.wrote+"\n" {
			t.Fatalf("skillc %s: exit %d, stdout %q, stderr %q; want 0 and %q", strings.Join(s.args, " "), code, stdout, stderr, "wrote "+s.wrote+"\n")
		}
		if s.golden != "" {
			data, err := os.ReadFile(s.wrote)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, filepath.Join(repo, "golden", "new", s.golden), string(data))
		}
	}
	// The second toggle names a pack YAML 1.1 reads as a boolean: it is written quoted.
	var agent struct {
		Spec struct {
			Skills []struct {
				SkillPackRef any `json:"skillPackRef"`
			} `json:"skills"`
		} `json:"spec"`
	}
	data, _ := os.ReadFile(filepath.Join("tenants", "bot.yaml"))
	if err := sigsyaml.Unmarshal(data, &agent); err != nil || len(agent.Spec.Skills) != 2 || agent.Spec.Skills[1].SkillPackRef != "on" {
		t.Fatalf("sigs.k8s.io/yaml reads the toggles as %+v (%v), want the strings hello and on", agent.Spec.Skills, err)
	}
	// A pack named on, so that the instance compiles; then every source passes the config's
	// restricted profile with no finding.
	if _, stderr, code := execute(t, "new", "pack", "on", "-o", "skills"); code != 0 {
		t.Fatalf("new pack on: exit %d: %s", code, stderr)
	}
	report, stderr, code := execute(t, "check", "--config", "platform.yaml", "skills", "tenants")
	if code != 0 || strings.Contains(report+stderr, ": warning: ") {
		t.Fatalf("check of the new sources: exit %d\n%s%s", code, report, stderr)
	}
	stream, _, code := execute(t, "compile", "--config", "platform.yaml", "skills", "tenants")
	if code != 0 || !strings.Contains(stream, "kind: Job\nmetadata:\n") || !strings.Contains(stream, "name: bot-first\n") {
		t.Fatalf("compile: exit %d, no Job bot-first:\n%s", code, stream)
	}
	before := packageFiles(t, ".")
	for _, s := range steps {
		_, stderr, code := execute(t, s.args...)
		if code != 2 || !strings.Contains(stderr, s.wrote+" exists: refusing to overwrite it") {
			t.Errorf("skillc %s again: exit %d, stderr %q; want 2 and the refusal", strings.Join(s.args, " "), code, stderr)
		}
	}
	if diff := cmp.Diff(before, packageFiles(t, ".")); diff != "" {
		t.Errorf("a refused new changed files:\n%s", diff)
	}
}

// TestNewRefusals: an unknown or missing template and bad names are exit 2 with a message and
// nothing written, never help with exit 0.
func TestNewRefusals(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"new", "foo"}, `new: unknown template "foo": want pack, instance, run or config`},
		{[]string{"new", "instnace", "bot"}, `unknown template "instnace"`},
		{[]string{"new"}, "new needs a template: pack, instance, run or config"},
		{[]string{"new", "instance", "bot", "-o", dir}, "--namespace NS is required"},
		{[]string{"new", "instance", "Bot", "--namespace", "t", "-o", dir}, `instance name "Bot"`},
		{[]string{"new", "instance", "bot", "--namespace", "team_a", "-o", dir}, `--namespace "team_a"`},
		{[]string{"new", "instance", "bot", "--namespace", "t", "--pack", "a", "--pack", "skillpack-a", "-o", dir}, "--pack skillpack-a is given twice"},
		{[]string{"new", "instance", "bot", "--namespace", "t", "--pack", "A", "-o", dir}, `--pack: pack name "A"`},
		{[]string{"new", "run", "r", "--namespace", "t", "-o", dir}, "--instance INSTANCE and --namespace NS are required"},
		{[]string{"new", "run", "r", "--instance", "b.c", "--namespace", "t", "-o", dir}, `--instance "b.c"`},
		{[]string{"new", "config", "extra", "-o", dir}, "unknown command"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			stdout, stderr, code := execute(t, tc.args...)
			if code != 2 || stdout != "" || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want 2, nothing on stdout and %q", code, stdout, stderr, tc.want)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("refusals wrote %d files", len(entries))
	}
}

func TestDisplayPath(t *testing.T) {
	for _, tc := range []struct{ wd, path, want string }{
		{"/repo", "/repo/skills/a.yaml", "skills/a.yaml"},
		{"/repo", "/repo/Makefile", "Makefile"},
		{"/repo", "/elsewhere/a.yaml", "/elsewhere/a.yaml"},
		{"/repo", "/repo-other/a.yaml", "/repo-other/a.yaml"},
		{"/repo", "../up/a.yaml", "../up/a.yaml"},
		{"", "x/a.yaml", "x/a.yaml"},
	} {
		if got := displayPath(tc.wd, tc.path); got != tc.want {
			t.Errorf("displayPath(%q, %q) = %q, want %q", tc.wd, tc.path, got, tc.want)
		}
	}
}

// TestNewPackRelativePaths: run at the top of a repository that builds its sidecar images, new
// pack --sidecar names every file it writes or edits as the user would type it, relative to the
// working folder (the repository's files were printed with their absolute paths).
func TestNewPackRelativePaths(t *testing.T) {
	repo := t.TempDir()
	writeFile(t, filepath.Join(repo, "Makefile"), "IMAGES := skill-a\n")
	for _, d := range []string{".git", "images", "skills"} {
		if err := os.Mkdir(filepath.Join(repo, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(repo)
	stdout, stderr, code := execute(t, "new", "pack", "q", "--sidecar", "ghcr.io/x/skill-q:1.0.0", "-o", "skills")
	want := "wrote " + filepath.Join("skills", "q.yaml") + "\nwrote " + filepath.Join("images", "skill-q", "Dockerfile") + "\nupdated Makefile\n"
	if code != 0 || stdout != want {
		t.Fatalf("exit %d, stdout %q, stderr %q; want %q", code, stdout, stderr, want)
	}
}
