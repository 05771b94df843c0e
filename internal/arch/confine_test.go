package arch

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// confinement is the package that keeps reads inside a folder: the one place that looks at links
// (the os.Root it wraps refuses them as it opens, with no window between a look and an open).
const confinement = "internal/confine"

// linkLooks are the calls that look at links by name: outside confinement, one followed by an
// open by name is the race the package closes (a link swapped in between is followed).
var linkLooks = map[string]bool{"filepath.EvalSymlinks": true, "os.Readlink": true, "os.Lstat": true}

// linkLooksAllowed: the files outside confinement that may call them, and why. None of them reads
// a tree a pull request controls through a name it checked.
var linkLooksAllowed = map[string]string{
	// The developer tools write generated files of this repository; the look refuses to write
	// over a link.
	"cmd/skillc-gen-rego/main.go": "refuses to write over a link (a developer tool)",
	"cmd/skillc-docs/main.go":     "refuses to write over a link (a developer tool)",
	"cmd/skillc-schema/main.go":   "refuses to write over a link (a developer tool)",
	// The write stage. Its writes go through os.Root; these look at DIR itself, which the user
	// named, or at a file the command replaces.
	"render/manifest.go":   "the output folder the user named: whether it is a link, and where it resolves, to refuse writing into the input or a parent of it",
	"render/flock_unix.go": "the lock file: refuses a link before locking",
	"render/replace.go":    "the file named on the command line (enable): refuses to replace a link (it reads and compares it again before the rename)",
	// Tests' description of a tree, links included (only tests import internal/testinput).
	"internal/testinput/files.go": "describes a test's folder without following its links",
	// Single files and folders named on the command line.
	"cmd/skillc/diff_cmd.go": "the working folder with links resolved, as git reports the top level",
	"scaffold/pack.go":       "skillc new's own scaffold: refuses to write over a link or an existing file",
}

// TestOneConfinement: reads confined to a folder have one implementation, on os.Root, in
// internal/confine. Nobody else looks at links, except the allowed files, for the reasons given.
func TestOneConfinement(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	calls := map[string][]string{} // file → calls
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "bin" || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil && p != root {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); ok && linkLooks[x.Name+"."+sel.Sel.Name] {
				calls[rel] = append(calls[rel], x.Name+"."+sel.Sel.Name)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	files := make([]string, 0, len(calls))
	for f := range calls {
		files = append(files, f)
	}
	sort.Strings(files)
	inConfinement := false
	for _, f := range files {
		if filepath.ToSlash(filepath.Dir(f)) == confinement {
			inConfinement = true
			continue
		}
		if _, ok := linkLooksAllowed[f]; !ok {
			t.Errorf("%s calls %s: a read inside a folder goes through %s (a Root); a new exception goes into linkLooksAllowed with its reason", f, strings.Join(calls[f], ", "), confinement)
		}
	}
	if !inConfinement {
		t.Errorf("%s calls none of %v: is the walk rooted at the module?", confinement, linkLooks)
	}
	// A stale exception would allow the next one silently.
	for f := range linkLooksAllowed {
		if calls[f] == nil {
			t.Errorf("linkLooksAllowed names %s, which calls none of them: remove it", f)
		}
	}
}
