package source

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/skillc-dev/skillc/diag"
)

// ignoreTree is the folder every pattern set of TestIgnoreMatchesGit is applied to.
var ignoreTree = []string{
	"a.yaml", "b.yml", "c.txt", "values.yaml", "mkdocs.yml", "foo", "Foo",
	"deploy/a.yaml", "deploy/b.yaml", "deploy/foo", "deploy/sub/a.yaml", "deploy/sub/keep.yaml",
	"charts/x/values.yaml", "charts/x/templates/job.yaml", "charts/x/Chart.yaml",
	"docs/foo/a.yaml", "docs/bar.yaml", "foo.d/x.yaml", "a b.yaml", "a#b.yaml", "#c.yaml", "!d.yaml",
	"x/a/b/c/z.yaml", "x/z.yaml", "z/x/a.yaml", "abc.yaml", "acc.yaml", "a-c.yaml", "a]c.yaml",
	"été.yaml", "deploy/été/a.yaml", "docs/foo/bar/baz.yaml", "foo.d/bar/baz.yaml",
}

// ignoreCases are pattern sets (a .skillcignore) covering git's syntax.
var ignoreCases = [][]string{
	{"*.yaml"},
	{"*.yml", "# a comment", "", "deploy"},
	{"deploy/"},
	{"/deploy"},
	{"foo"},
	{"foo/"},
	{"/foo"},
	{"deploy/foo"},
	{"deploy/*.yaml", "!deploy/b.yaml"},
	{"*.yaml", "!a.yaml"},
	{"deploy/", "!deploy/sub/keep.yaml"}, // a folder excluded: nothing under it comes back
	{"deploy/**", "!deploy/sub/", "!deploy/sub/**"},
	{"**/values.yaml"},
	{"**/x"},
	{"x/**/z.yaml"},
	{"x/**"},
	{"**"},
	{"charts/**/*.yaml", "!**/values.yaml"},
	{"a?c.yaml"},
	{"a[bc]c.yaml"},
	{"a[!b]c.yaml"},
	{"a[^b]c.yaml"},
	{"a[a-c]c.yaml"},
	{"a[]]c.yaml"},
	{"a[[:alpha:]]c.yaml"},
	{`\#c.yaml`},
	{`\!d.yaml`},
	{`a\ b.yaml`},
	{"a.yaml   "},
	{`a\*.yaml`, "b*"},
	{"a**c.yaml"},
	{"*/a.yaml"},
	{"/*.yaml"},
	{"été.yaml"},
	{"*/été/"},
	{"docs/foo/"},
	{"foo/bar"}, {"**/foo/bar"}, {"foo.d/bar"},
	{"Foo"},
	{"*.YAML"},
	{"foo.d/", "!foo.d/"},
	{"!a.yaml", "a.yaml"},
	{"a[bc.yaml", "a[b"},
	{"***"},
	{"x/**/"},
	{"deploy/**/", "!deploy/sub/"},
	{"deploy/sub/*", "!deploy/sub/keep.yaml"},
	{"*.yaml\r", "c.txt\r"},
	{"/"},
	{"!"},
	{"\\"},
	{"a\\"},
	{"**/deploy/**/a.yaml"},
	{"charts/*/"},
	{"[a-c]*.y?ml"},
}

// TestIgnoreMatchesGit: for every pattern set, the files a walk with the rules keeps are exactly
// the files `git ls-files --others --exclude-from` keeps: the .skillcignore syntax is git's.
func TestIgnoreMatchesGit(t *testing.T) {
	git, err := exec.LookPath("git")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git is needed to check .skillcignore against git's own rules")
		}
		t.Skip("no git")
	}
	dir := t.TempDir()
	for _, f := range ignoreTree {
		p := filepath.Join(dir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run := func(args ...string) string {
		cmd := exec.Command(git, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("git %v: %v", args, err)
		}
		return string(out)
	}
	run("init", "-q")
	patterns := filepath.Join(t.TempDir(), "patterns")
	for _, c := range ignoreCases {
		t.Run(strings.Join(c, "|"), func(t *testing.T) {
			if err := os.WriteFile(patterns, []byte(strings.Join(c, "\n")+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			var want []string
			if out := run("ls-files", "-z", "--others", "--exclude-from="+patterns); out != "" {
				want = strings.Split(strings.TrimSuffix(out, "\x00"), "\x00")
			}
			var got []string
			rules := parseIgnore(c, IgnoreFile, true)
			err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				rel, _ := filepath.Rel(dir, path)
				rel = filepath.ToSlash(rel)
				switch {
				case rel == ".":
					return nil
				case rel == ".git":
					return fs.SkipDir
				}
				if _, ex := rules.excluded(rel, d.IsDir()); ex {
					if d.IsDir() {
						return fs.SkipDir
					}
					return nil
				}
				if !d.IsDir() {
					got = append(got, rel)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("patterns %q:\n kept %q\n git  %q", c, got, want)
			}
		})
	}
}

func TestIgnoreOrigin(t *testing.T) {
	rules := parseIgnore([]string{"# charts", "charts/", "!charts/keep"}, IgnoreFile, true)
	p, ex := rules.excluded("charts", true)
	if !ex || p.origin != ".skillcignore:2" || p.text != "charts/" {
		t.Errorf("got %+v, %v; want excluded by .skillcignore:2 (charts/)", p, ex)
	}
	if _, ex := rules.excluded("charts", false); ex {
		t.Error("a file named charts is excluded by charts/, which names folders only")
	}
}

// TestWalkSkips: what a walk skips, with the note each skip gets, and what a named PATH reads.
func TestWalkSkips(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{
		".hidden.yaml":        "apiVersion: v1\nkind: ConfigMap\n",
		".hidden.txt":         "not read, not noted",
		".skillcignore":       "# generated\nbuild/\n*.tmp.yaml\n",
		"build/a.yaml":        "apiVersion: v1\nkind: ConfigMap\n",
		"x.tmp.yaml":          "apiVersion: v1\nkind: ConfigMap\n",
		"notes.txt":           "not YAML: never read",
		"ok.yaml":             "apiVersion: v1\nkind: ConfigMap\n",
		"vendor/keep.yaml":    "apiVersion: v1\nkind: ConfigMap\n",
		"vendor/other.yml":    "apiVersion: v1\nkind: ConfigMap\n",
		".github/ci.yaml":     "on: push\n",
		"sub/.skillcignore":   "*\n", // only the PATH's own is read
		"sub/values.yaml":     "replicas: 2\n",
		"sub/mixed.yaml":      "apiVersion: v1\nkind: ConfigMap\n---\nfoo: bar\n",
		"sub/values.list.yml": "- a\n- b\n",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files, diags := Walk{Exclude: []string{"vendor/*", "!vendor/keep.yaml"}}.Read([]string{dir, filepath.Join(dir, ".hidden.yaml")}, nil)
	var read, notes []string
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f.Name)
		read = append(read, fmt.Sprintf("%s walked=%v", filepath.ToSlash(rel), f.Walked))
	}
	for _, d := range diags {
		rel, _ := filepath.Rel(dir, d.File)
		if d.Severity != diag.SeverityInfo || !d.Detail {
			t.Errorf("not a Detail note: %v", d)
		}
		notes = append(notes, filepath.ToSlash(rel)+": "+d.Message)
	}
	wantRead := []string{"ok.yaml walked=true", "sub/mixed.yaml walked=true", "sub/values.list.yml walked=true", "sub/values.yaml walked=true", "vendor/keep.yaml walked=true", ".hidden.yaml walked=false"}
	wantNotes := []string{
		".github: skipped: hidden (name it as a PATH to read it)",
		".hidden.yaml: skipped: hidden (name it as a PATH to read it)",
		"build: skipped: excluded by " + filepath.Join(dir, ".skillcignore") + ":2: build/",
		"vendor/other.yml: skipped: excluded by an exclude pattern: vendor/*",
		"x.tmp.yaml: skipped: excluded by " + filepath.Join(dir, ".skillcignore") + ":3: *.tmp.yaml",
	}
	if !slices.Equal(read, wantRead) {
		t.Errorf("read %q\nwant %q", read, wantRead)
	}
	if !slices.Equal(notes, wantNotes) {
		t.Errorf("notes %q\nwant %q", notes, wantNotes)
	}

	// Load: a walked file with no apiVersion or kind is skipped with a note; a file that holds a
	// manifest has its other documents refused.
	_, diags = Load(files)
	var got []string
	for _, d := range diags {
		rel, _ := filepath.Rel(dir, d.File)
		got = append(got, fmt.Sprintf("%s:%d %s %v %s", filepath.ToSlash(rel), d.Line, d.Severity, d.Detail, d.Message))
	}
	slices.Sort(got)
	want := []string{
		".hidden.yaml:1 info true ignoring v1 ConfigMap: not a skillc input",
		"ok.yaml:1 info true ignoring v1 ConfigMap: not a skillc input",
		"sub/mixed.yaml:1 info true ignoring v1 ConfigMap: not a skillc input",
		"sub/mixed.yaml:4 error false required: every document must be a Kubernetes object with apiVersion and kind",
		"sub/values.list.yml:0 info true skipped: not a Kubernetes manifest (no document has apiVersion or kind)",
		"sub/values.yaml:0 info true skipped: not a Kubernetes manifest (no document has apiVersion or kind)",
		"vendor/keep.yaml:1 info true ignoring v1 ConfigMap: not a skillc input",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Load:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestIgnoreFileSymlinkRefused: a .skillcignore is read as the walk reads files: not through a
// link (a pull request could point it at a file outside the repository).
func TestIgnoreFileSymlinkRefused(t *testing.T) {
	dir := t.TempDir()
	if err := os.Symlink("/etc/hostname", filepath.Join(dir, IgnoreFile)); err != nil {
		t.Skip(err)
	}
	_, diags := ReadPaths([]string{dir}, nil)
	if !diags.HasErrors() || !strings.Contains(diags[0].Message, "symlink") {
		t.Errorf("got %v, want the link refused", diags)
	}
}

// TestWalkKeepsOrder: the files a walk finds are read on every core, but they and the walk's
// diagnostics come back in walk order: manifests, SKILL.md packages, skipped notes, a symlink and
// a file too large to read, interleaved.
func TestWalkKeepsOrder(t *testing.T) {
	dir := t.TempDir()
	cm := "apiVersion: v1\nkind: ConfigMap\n"
	for name, data := range map[string]string{
		"a/1.yaml":       cm,
		"a/pkg/SKILL.md": "---\ndescription: d\n---\nbody\n",
		"a/z.yaml":       cm,
		"b/.hidden.yaml": cm,
		"b/big.yaml":     strings.Repeat("#", MaxFileSize+1),
		"b/c.yaml":       cm,
		"c.yaml":         cm,
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("c.yaml", filepath.Join(dir, "b", "link.yaml")); err != nil {
		t.Skip(err)
	}
	files, diags := ReadPaths([]string{dir}, nil)
	var got []string
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f.Name)
		got = append(got, filepath.ToSlash(rel))
	}
	if want := []string{"a/1.yaml", "a/pkg", "a/z.yaml", "b/c.yaml", "c.yaml"}; !slices.Equal(got, want) {
		t.Errorf("files %q\nwant %q", got, want)
	}
	got = nil
	for _, d := range diags {
		rel, _ := filepath.Rel(dir, d.File)
		got = append(got, filepath.ToSlash(rel))
	}
	if want := []string{"b/.hidden.yaml", "b/big.yaml", "b/link.yaml"}; !slices.Equal(got, want) {
		t.Errorf("diagnostics of %q\nwant %q:\n%s", got, want, diags.Error())
	}
}
