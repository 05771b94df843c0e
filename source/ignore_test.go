package source

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
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
