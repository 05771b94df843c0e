package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// repoRoot is fixtures/repository-root: a repository with skillc sources beside what every
// repository holds (.pre-commit-config.yaml, a workflow, mkdocs.yml, a Helm chart, other
// Kubernetes objects) and a .skillcignore.
const repoRoot = "fixtures/repository-root"

// rootNotes are the -v notes of a compile at repoRoot's root, in order.
var rootNotes = []string{
	".github: info: skipped: hidden (name it as a PATH to read it)",
	".pre-commit-config.yaml: info: skipped: hidden (name it as a PATH to read it)",
	"charts/web/Chart.yaml: info: skipped: excluded by .skillcignore:4: charts/*/Chart.yaml",
	"charts/web/templates: info: skipped: excluded by .skillcignore:3: charts/*/templates/",
	"charts/web/values.yaml: info: skipped: not a Kubernetes manifest (no document has apiVersion or kind)",
	"deploy/dashboard.yaml:2: info: ignoring v1 ConfigMap: not a skillc input",
	"mkdocs.yml: info: skipped: not a Kubernetes manifest (no document has apiVersion or kind)",
}

// TestRepositoryRoot: skillc runs at a repository's root, its default PATH: hidden files,
// .skillcignore and --exclude matches and YAML that is not Kubernetes are skipped, each with a
// note under -v only; a malformed Kubernetes document is still an error at FILE:LINE.
func TestRepositoryRoot(t *testing.T) {
	want, _, code := execute(t, "compile", "fixtures/repository-root/skills", "fixtures/repository-root/tenants")
	if code != 0 {
		t.Fatal("compile of the sources alone failed")
	}
	t.Chdir(repoRoot)
	for _, tc := range []struct {
		name       string
		args       []string
		wantStderr []string // lines, in order
	}{
		{name: "default PATH", args: []string{"compile"}},
		{name: "-v", args: []string{"compile", "-v"}, wantStderr: rootNotes},
		{name: "--verbose, PATH named", args: []string{"compile", "--verbose", "."}, wantStderr: rootNotes},
		{name: "--exclude, repeatable", args: []string{"compile", "-v", "--exclude", "deploy/", "--exclude", "*.yml"}, wantStderr: []string{
			rootNotes[0], rootNotes[1], rootNotes[2], rootNotes[3], rootNotes[4],
			"deploy: info: skipped: excluded by --exclude: deploy/",
			"mkdocs.yml: info: skipped: excluded by --exclude: *.yml",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := execute(t, tc.args...)
			if code != 0 {
				t.Fatalf("exit %d; stderr:\n%s", code, stderr)
			}
			if stdout != want {
				t.Errorf("the render differs from the sources' alone")
			}
			if got := lines(stderr); strings.Join(got, "\n") != strings.Join(tc.wantStderr, "\n") {
				t.Errorf("stderr:\n%s\nwant:\n%s", stderr, strings.Join(tc.wantStderr, "\n"))
			}
		})
	}
}

// TestRepositoryRootDocExample: the -v example of docs/cli.md is what skillc prints.
func TestRepositoryRootDocExample(t *testing.T) {
	const cmd = "$ skillc compile -v --exclude deploy/\n"
	doc := mustRead(t, "docs/cli.md")
	i := strings.Index(doc, cmd)
	if i < 0 {
		t.Fatalf("docs/cli.md has no %q", cmd)
	}
	want, _, _ := strings.Cut(doc[i+len(cmd):], "```")
	t.Chdir(repoRoot)
	_, stderr, code := execute(t, strings.Fields(cmd)[2:]...)
	if code != 0 || stderr != want {
		t.Errorf("exit %d, stderr:\n%s\ndocs/cli.md says:\n%s", code, stderr, want)
	}
}

// TestRepositoryRootErrors: what stays an error at a repository's root, and what a PATH named
// explicitly reads.
func TestRepositoryRootErrors(t *testing.T) {
	for _, tc := range []struct {
		name     string
		files    map[string]string // added to a copy of repoRoot
		args     []string          // PATHs relative to the copy; none: the copy
		wantCode int
		want     []string // stderr lines, in order
	}{
		{
			name:     "Chart.yaml not excluded: an apiVersion and no kind",
			files:    map[string]string{".skillcignore": "charts/*/templates/\n"},
			wantCode: 2,
			want:     []string{"charts/web/Chart.yaml:2: kind: required: every document must be a Kubernetes object with apiVersion and kind"},
		},
		{
			name:     "--exclude comes after .skillcignore: ! includes again",
			args:     []string{"--exclude", "!charts/*/Chart.yaml"},
			wantCode: 2,
			want:     []string{"charts/web/Chart.yaml:2: kind: required: every document must be a Kubernetes object with apiVersion and kind"},
		},
		{
			name:     "a malformed manifest: a kind and no apiVersion",
			files:    map[string]string{"skills/broken.yaml": "# no apiVersion\nkind: SkillPack\nmetadata:\n  name: broken\n"},
			wantCode: 2,
			want:     []string{"skills/broken.yaml:2: apiVersion: required: every document must be a Kubernetes object with apiVersion and kind"},
		},
		{
			name:     "a list of objects is a malformed manifest",
			files:    map[string]string{"skills/list.yaml": "- apiVersion: sympozium.ai/v1alpha1\n  kind: SkillPack\n"},
			wantCode: 2,
			want:     []string{"skills/list.yaml:1: expected a Kubernetes object (a mapping with apiVersion and kind)"},
		},
		{
			name:     "a manifest and a document that is not one in one file",
			files:    map[string]string{"deploy/mixed.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nsite_name: docs\n"},
			wantCode: 2,
			want:     []string{"deploy/mixed.yaml:5: apiVersion: required: every document must be a Kubernetes object with apiVersion and kind"},
		},
		{
			name:     "YAML that does not parse is an error, whatever it was meant to be",
			files:    map[string]string{"docs/conf.yaml": "site: [docs\n"},
			wantCode: 2,
			want:     []string{"docs/conf.yaml:1: invalid YAML: did not find expected ',' or ']'"},
		},
		{
			name:     "a file named as a PATH is read: not a manifest is an error",
			args:     []string{"mkdocs.yml"},
			wantCode: 2,
			want:     []string{"mkdocs.yml:2: apiVersion: required: every document must be a Kubernetes object with apiVersion and kind"},
		},
		{
			name:     "a hidden file named as a PATH is read",
			files:    map[string]string{".skillc/pack.yaml": mustRead(t, "fixtures/repository-root/skills/my-skill.yaml")},
			args:     []string{".skillc/pack.yaml", "tenants"},
			wantCode: 0,
		},
		{
			name:     "an excluded file named as a PATH is read",
			files:    map[string]string{".skillcignore": "skills/\n"},
			args:     []string{"skills/my-skill.yaml", "tenants"},
			wantCode: 0,
		},
		{
			name:     "the sources excluded: the pack is missing",
			files:    map[string]string{".skillcignore": "charts/\nskills/\n"},
			wantCode: 2,
			want:     []string{`tenants/team-a/bob.yaml:11: spec.skills[0].skillPackRef: SympoziumInstance team-a/bob: skillPackRef "my-skill" resolves to no SkillPack (looked in namespaces "team-a" and "sympozium-system"); the run would silently lose these skills`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			copyTree(t, repoRoot, dir)
			for name, data := range tc.files {
				writeFile(t, filepath.Join(dir, name), data)
			}
			t.Chdir(dir)
			stdout, stderr, code := execute(t, append([]string{"compile"}, tc.args...)...)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.wantCode, stderr)
			}
			if code != 0 && stdout != "" {
				t.Errorf("output on stdout after an error:\n%s", stdout)
			}
			if got := lines(stderr); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("stderr:\n%s\nwant:\n%s", stderr, strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestRepositoryRootEveryWalk: every command that walks PATHs skips what compile skips.
func TestRepositoryRootEveryWalk(t *testing.T) {
	out := t.TempDir()
	t.Chdir(repoRoot)
	for _, args := range [][]string{
		{"check"},
		{"check", "--format", "json"},
		{"diff", ".", "."},
		{"explain", "run", "team-a/bob-run-1"},
		{"enable", "my-skill", "--instance", "team-a/bob", "--dry-run"},
		{"rbac", "my-skill"},
		{"export", ".", "-o", filepath.Join(out, "export")},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			_, stderr, code := execute(t, args...)
			if code != 0 {
				t.Fatalf("exit %d; stderr:\n%s", code, stderr)
			}
			if strings.Contains(stderr, "mkdocs") || strings.Contains(stderr, "values.yaml") {
				t.Errorf("a skipped file is named without -v:\n%s", stderr)
			}
			_, stderr, _ = execute(t, append(args[:1:1], append([]string{"-v", "--exclude", "deploy/"}, args[1:]...)...)...)
			if !strings.Contains(stderr, "mkdocs.yml: info: skipped: not a Kubernetes manifest") || !strings.Contains(stderr, "deploy: info: skipped: excluded by --exclude: deploy/") {
				t.Errorf("-v --exclude: no notes:\n%s", stderr)
			}
		})
	}
}

// TestCheckTextBadInput: check in text format reports bad input as every command does, on stderr
// with exit 2, and prints no summary ("0 objects checked" would read as a pass); the machine
// formats keep it in the report on stdout, where CI annotates the line.
func TestCheckTextBadInput(t *testing.T) {
	bad := "fixtures/invalid/missing-kind"
	want := "fixtures/invalid/missing-kind/input.yaml:1: kind: required: every document must be a Kubernetes object with apiVersion and kind\n"
	stdout, stderr, code := execute(t, "check", bad)
	if code != 2 || stdout != "" || stderr != want {
		t.Errorf("check (text): exit %d, stdout %q, stderr %q; want 2, nothing, %q", code, stdout, stderr, want)
	}
	stdout, stderr, code = execute(t, "check", "--policy", "fixtures/invalid/policy-boolean-deny-rule/policies", "fixtures/seed-minimal")
	if code != 2 || stdout != "" || !strings.Contains(stderr, ".rego:") {
		t.Errorf("check (text) with a bad --policy folder: exit %d, stdout %q, stderr %q; want 2, nothing, the .rego line", code, stdout, stderr)
	}
	stdout, stderr, code = execute(t, "check", "--format", "json", bad)
	if code != 2 || stderr != "" || !strings.Contains(stdout, `"message": "required: every document`) {
		t.Errorf("check --format json: exit %d, stdout %q, stderr %q; want 2 and the error in the report", code, stdout, stderr)
	}
}

// TestBuildKustomizeErrorsRelative: kustomize's messages name files as the user does (under DIR
// as named, or relative to the working directory), not by the absolute paths kustomize resolves.
func TestBuildKustomizeErrorsRelative(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "app", "kustomization.yaml"), "resources: [missing.yaml]\n")
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(wd, filepath.Join(dir, "app"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, cwd, arg, want string
	}{
		{"DIR relative", "", rel, "'" + filepath.Join(rel, "missing.yaml") + "'"},
		{"DIR with a trailing slash", "", rel + "/", "'" + filepath.Join(rel, "missing.yaml") + "'"},
		{"DIR is the working directory (Argo CD)", filepath.Join(dir, "app"), ".", "'missing.yaml'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.cwd != "" {
				t.Chdir(tc.cwd)
			}
			_, stderr, code := execute(t, "build", tc.arg)
			if code != 2 {
				t.Fatalf("exit %d, want 2; stderr:\n%s", code, stderr)
			}
			if !strings.Contains(stderr, "evalsymlink failure on "+tc.want) {
				t.Errorf("stderr lacks %s:\n%s", tc.want, stderr)
			}
			if absolute := regexp.MustCompile(`(^|[\s'])(` + regexp.QuoteMeta(dir) + "|" + regexp.QuoteMeta(resolvedPath(t, dir)) + ")"); absolute.MatchString(stderr) {
				t.Errorf("stderr names the absolute path %s:\n%s", dir, stderr)
			}
		})
	}
}

func resolvedPath(t *testing.T, p string) string {
	t.Helper()
	r, err := filepath.EvalSymlinks(p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// lines are the non-empty lines of s.
func lines(s string) []string {
	var out []string
	for l := range strings.Lines(s) {
		if l = strings.TrimSuffix(l, "\n"); l != "" {
			out = append(out, l)
		}
	}
	return out
}
