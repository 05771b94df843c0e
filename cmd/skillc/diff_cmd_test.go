package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// diffArgs is a diff case's command line: `diff [args file words...] <case>/old <case>/new`.
func diffArgs(dir string, extra ...string) []string {
	args := append([]string{"diff"}, extra...)
	if b, err := os.ReadFile(filepath.Join(dir, "args")); err == nil {
		args = append(args, strings.Fields(string(b))...)
	}
	return append(args, filepath.Join(dir, "old"), filepath.Join(dir, "new"))
}

// TestDiffGolden diffs every case under fixtures/diff/ in both formats against golden/diff/<case>.txt
// and .md; a case named invalid-* must exit 2 with nothing on stdout, its messages golden.
func TestDiffGolden(t *testing.T) {
	for _, name := range fixtureCases(t, filepath.Join("fixtures", "diff")) {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("fixtures", "diff", name)
			if strings.HasPrefix(name, "invalid-") {
				stdout, stderr, code := execute(t, diffArgs(dir)...)
				if code != 2 || stdout != "" || stderr == "" {
					t.Fatalf("exit %d, stdout %q, stderr %q; want exit 2, messages only on stderr", code, stdout, stderr)
				}
				checkGolden(t, filepath.Join("golden", "diff", name+".txt"), "exit 2\n"+stderr)
				return
			}
			for format, ext := range map[string]string{"text": ".txt", "markdown": ".md"} {
				stdout, stderr, code := execute(t, diffArgs(dir, "--format", format)...)
				if code != 0 {
					t.Fatalf("--format %s: exit %d; stderr:\n%s", format, code, stderr)
				}
				checkGolden(t, filepath.Join("golden", "diff", name+ext), stdout)
			}
		})
	}
}

// The acceptance test of the feature: a pull request that adds delete on pods to a pack shows
// exactly that line, and nothing else. Renders of the same sources diff the same way.
func TestDiffAcceptance(t *testing.T) {
	want := "Job tenant-alice/alice-run-1\n  pack k8s-ops\n    + Role tenant-alice core/pods delete\n\n1 added, 0 removed, 0 changed in 1 run\n"
	for _, c := range []string{"add-delete-pods", "render-vs-render"} {
		stdout, stderr, code := execute(t, diffArgs(filepath.Join("fixtures", "diff", c))...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c, code, stderr)
		}
		if diff := cmp.Diff(want, stdout); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c, diff)
		}
	}
}

// TestDiffSeveralNew: every argument after OLD is NEW, read together as compile reads its PATHs:
// a source tree given file by file compares as the folder does.
func TestDiffSeveralNew(t *testing.T) {
	for _, c := range []string{"add-delete-pods", "remove-pack"} {
		dir := filepath.Join("fixtures", "diff", c)
		want, stderr, code := execute(t, "diff", filepath.Join(dir, "old"), filepath.Join(dir, "new"))
		if code != 0 || want == "" {
			t.Fatalf("%s: exit %d: %s", c, code, stderr)
		}
		files, err := filepath.Glob(filepath.Join(dir, "new", "*.yaml"))
		if err != nil || len(files) < 2 {
			t.Fatalf("%s: %d files in new/ (%v), want several", c, len(files), err)
		}
		got, stderr, code := execute(t, append([]string{"diff", filepath.Join(dir, "old")}, files...)...)
		if code != 0 || got != want {
			t.Errorf("%s: NEW as %d files: exit %d, %s\n%s\nwant (NEW as the folder)\n%s", c, len(files), code, stderr, got, want)
		}
		// NEW as its first file alone is another tree: the other arguments count.
		if out, _, _ := execute(t, "diff", filepath.Join(dir, "old"), files[0]); out == want {
			t.Errorf("%s: NEW as one file compares as the whole folder: the other arguments were not read", c)
		}
	}
}

func TestDiffBadUsage(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"missing path", []string{"diff", "fixtures/diff/does-not-exist", "fixtures/diff/identical/new"}, "fixtures/diff/does-not-exist: "},
		{"one argument", []string{"diff", "fixtures/diff/identical/old"}, "diff takes OLD and NEW... (or --git-base REF [PATH...]), got 1 argument(s)"},
		{"unknown format", []string{"diff", "--format", "json", "fixtures/diff/identical/old", "fixtures/diff/identical/new"}, `--format: must be one of [text markdown], got "json"`},
		{"bad compile flag", []string{"diff", "--identity", "per-pod", "fixtures/diff/identical/old", "fixtures/diff/identical/new"}, `--identity: must be one of [shared per-run], got "per-pod"`},
		{"missing config", []string{"diff", "--config", "nope.yaml", "fixtures/diff/identical/old", "fixtures/diff/identical/new"}, "nope.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := execute(t, tt.args...)
			if code != 2 || stdout != "" {
				t.Fatalf("exit %d, stdout %q; want exit 2 and nothing on stdout", code, stdout)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr %q does not contain %q", stderr, tt.stderr)
			}
		})
	}
}

// gitRepo makes a git repository in a temporary folder with files (path → content) committed as the
// base, and returns it.
func gitRepo(t *testing.T, base map[string]string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	runGit(t, dir, "init", "-q")
	runGit(t, dir, "config", "user.name", "skillc test")
	runGit(t, dir, "config", "user.email", "test@skillc.invalid")
	runGit(t, dir, "config", "commit.gpgsign", "false")
	writeTree(t, dir, base)
	runGit(t, dir, "add", "-A")
	runGit(t, dir, "commit", "-q", "-m", "base")
	return dir
}

func runGit(t *testing.T, dir string, args ...string) {
	t.Helper()
	c := exec.Command("git", args...)
	c.Dir = dir
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// writeTree writes files (path → content); an empty content deletes the file.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if content == "" {
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// fixtureTree reads a fixture folder's files as path → content under prefix.
func fixtureTree(t *testing.T, dir, prefix string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[prefix+e.Name()] = string(b)
	}
	return files
}

func TestDiffGitBase(t *testing.T) {
	oldTree := fixtureTree(t, "fixtures/diff/add-delete-pods/old", "platform/")
	newTree := fixtureTree(t, "fixtures/diff/add-delete-pods/new", "platform/")
	wantText, err := os.ReadFile("golden/diff/add-delete-pods.txt")
	if err != nil {
		t.Fatal(err)
	}
	wantMarkdown, err := os.ReadFile("golden/diff/add-delete-pods.md")
	if err != nil {
		t.Fatal(err)
	}
	config := func(identity string) string {
		return "apiVersion: skillc.dev/v1alpha1\nkind: CompilerConfig\nmetadata: {name: platform}\nspec:\n  identity: " + identity + "\n"
	}
	tests := []struct {
		name     string
		base     map[string]string
		work     map[string]string
		cwd      string // under the repository
		args     []string
		code     int
		want     string // whole stdout when set
		contains []string
	}{
		{
			name: "a pack edit in the working tree: the same as diffing the two trees",
			base: oldTree, work: newTree, args: []string{"platform"},
			want: string(wantText),
		},
		{
			name: "markdown",
			base: oldTree, work: newTree, args: []string{"--format", "markdown", "platform"},
			want: string(wantMarkdown),
		},
		{
			name: "from a subfolder with the default path .",
			base: oldTree, work: newTree, cwd: "platform",
			want: string(wantText),
		},
		{
			name: "no change",
			base: oldTree, work: nil, args: []string{"platform"},
			want: "no permission changes\n",
		},
		{
			name: "a folder new in the working tree: its runs are new",
			base: map[string]string{"README.md": "x\n"}, work: oldTree, args: []string{"platform"},
			contains: []string{"Job tenant-alice/alice-run-1 (new run)\n", "+ Role tenant-alice core/pods get\n"},
		},
		{
			name: "a folder deleted in the working tree: its runs are removed",
			base: oldTree, work: map[string]string{"platform/alice.yaml": "", "platform/k8s-ops.yaml": ""}, args: []string{"platform"},
			contains: []string{"Job tenant-alice/alice-run-1 (run removed)\n", "- ClusterRole core/nodes list\n"},
		},
		{
			name: "the config as of the base for OLD, the working tree's for NEW",
			base: merge(oldTree, map[string]string{"config/platform.yaml": config("shared")}),
			work: map[string]string{"config/platform.yaml": config("per-run")},
			args: []string{"--config", "config/platform.yaml", "platform"},
			contains: []string{
				"    - serviceAccount sympozium-agent\n    + serviceAccount sympozium-run-alice-run-1\n",
			},
		},
		{
			name: "a broken file at the base is named REF:path",
			base: merge(oldTree, map[string]string{"platform/bad.yaml": "apiVersion: v1\nkind: [\n"}),
			work: map[string]string{"platform/bad.yaml": ""},
			args: []string{"platform"}, code: 2,
			contains: []string{"HEAD:platform/bad.yaml:"},
		},
		{
			name: "an unknown revision",
			base: oldTree, args: []string{"--git-base", "no-such-branch", "platform"}, code: 2,
			contains: []string{"skillc: --git-base no-such-branch: not a commit in this repository"},
		},
		{
			name: "a path outside the repository",
			base: oldTree, args: []string{"/"}, code: 2,
			contains: []string{"is outside the repository"},
		},
		{
			name: "a path in neither tree",
			base: oldTree, args: []string{"nowhere"}, code: 2,
			contains: []string{"nowhere: exists neither at the base nor in the working tree"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := gitRepo(t, tt.base)
			writeTree(t, repo, tt.work)
			t.Chdir(filepath.Join(repo, tt.cwd))
			args := append([]string{"diff"}, tt.args...)
			if !strings.Contains(strings.Join(args, " "), "--git-base") {
				args = append([]string{"diff", "--git-base", "HEAD"}, tt.args...)
			}
			stdout, stderr, code := execute(t, args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			if tt.code != 0 && stdout != "" {
				t.Errorf("output on failure:\n%s", stdout)
			}
			if tt.want != "" {
				if diff := cmp.Diff(tt.want, stdout); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			}
			for _, c := range tt.contains {
				if !strings.Contains(stdout+stderr, c) {
					t.Errorf("output does not contain %q:\nstdout:\n%s\nstderr:\n%s", c, stdout, stderr)
				}
			}
		})
	}
	t.Run("not a git repository", func(t *testing.T) {
		if _, err := exec.LookPath("git"); err != nil {
			t.Skip("git is not installed")
		}
		t.Chdir(t.TempDir())
		stdout, stderr, code := execute(t, "diff", "--git-base", "HEAD")
		if code != 2 || stdout != "" || !strings.Contains(stderr, "not in a git repository") {
			t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
	})
}

func merge(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// TestDiffTarget: --target applies to both sides as compile applies it: sources diffed against
// their own compile -o --target render show no change, and a bad target is bad input, exit 2.
func TestDiffTarget(t *testing.T) {
	render := t.TempDir()
	if _, stderr, code := execute(t, "compile", "--target", "argocd", "-o", render, "fixtures/target-argocd"); code != 0 {
		t.Fatalf("compile: exit %d: %s", code, stderr)
	}
	stdout, stderr, code := execute(t, "diff", "--target", "argocd", "fixtures/target-argocd", render)
	if code != 0 || stderr != "" {
		t.Fatalf("diff --target argocd: exit %d: %s", code, stderr)
	}
	same, _, _ := execute(t, "diff", "fixtures/target-argocd", "fixtures/target-argocd")
	if stdout != same {
		t.Errorf("sources vs their argocd render:\n%s\nwant no change:\n%s", stdout, same)
	}
	if _, stderr, code := execute(t, "diff", "--target", "nope", "fixtures/target-argocd", render); code != 2 || !strings.Contains(stderr, "nope") {
		t.Errorf("--target nope: exit %d, stderr %q; want exit 2 naming the value", code, stderr)
	}
}
