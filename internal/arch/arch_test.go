package arch

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/skillc-dev/skillc/"

// yamlOwners: each YAML library (and kustomize, which brings its own) is imported by one package
// of the module outside tests. Another package that needs it goes through the owner: source's
// Node aliases, emit's Marshal and FromJSON, krm's RNode.
var yamlOwners = map[string]string{
	"go.yaml.in/yaml/v3":                "source",
	"gopkg.in/yaml.v3":                  "source",
	"go.yaml.in/yaml/v2":                "internal/emit",
	"gopkg.in/yaml.v2":                  "internal/emit",
	"sigs.k8s.io/yaml":                  "internal/emit",
	"k8s.io/apimachinery/pkg/util/yaml": "source",
	"sigs.k8s.io/kustomize/kyaml":       "krm",
	"sigs.k8s.io/kustomize/api":         "krm",
}

// layers is the pipeline as the tree shows it: a package imports only packages of lower layers.
// A package not listed fails the test: place it.
var layers = map[string]int{
	"diag":                0, // diagnostics: used by every layer
	"internal/emit":       0, // the YAML writer: objects in, bytes out
	"internal/gen":        0,
	"internal/memtest":    0,
	"skills":              0,
	"api":                 1, // what users write
	"internal/testinput":  2,
	"source":              2, // reading files, folders, zips, SKILL.md
	"compile":             3, // validate, resolve, build
	"compile/edit":        3,
	"compile/schema":      3,
	"policy":              4, // the gate
	"krm":                 4, // kustomize and KRM functions
	"permissions":         4, // diff's permission model
	"export":              4,
	"render":              4, // the write stage: -o DIR, --verify, import/export's files
	"scaffold":            5, // new pack's templates and its edits of a repository
	"policy/output":       5,
	"compile/explain":     5,
	"cmd/skillc":          9,
	"cmd/skillc-bench":    9,
	"cmd/skillc-docs":     9,
	"cmd/skillc-gen":      9,
	"cmd/skillc-gen-rego": 9,
	"cmd/skillc-schema":   9,
	"internal/arch":       9,
}

// imports maps each package of the module (nested modules excluded) to what its non-test files
// import.
func imports(t *testing.T) map[string][]string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
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
				return filepath.SkipDir // e2e/, hack/: modules of their own
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		pkg := filepath.ToSlash(rel)
		for _, spec := range f.Imports {
			path, _ := strconv.Unquote(spec.Path.Value)
			if !slices.Contains(out[pkg], path) {
				out[pkg] = append(out[pkg], path)
			}
		}
		if out[pkg] == nil {
			out[pkg] = []string{}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 10 {
		t.Fatalf("found %d packages: is the walk rooted at the module?", len(out))
	}
	return out
}

func TestOneOwnerPerYAMLLibrary(t *testing.T) {
	users := map[string][]string{}
	for pkg, imps := range imports(t) {
		for _, imp := range imps {
			for lib := range yamlOwners {
				if imp == lib || strings.HasPrefix(imp, lib+"/") {
					if !slices.Contains(users[lib], pkg) {
						users[lib] = append(users[lib], pkg)
					}
				}
			}
		}
	}
	for lib, owner := range yamlOwners {
		for _, pkg := range users[lib] {
			if pkg != owner {
				t.Errorf("%s imports %s: only %s does (use what it exports)", pkg, lib, owner)
			}
		}
	}
	// The owners do use them: a stale table would pass any tree.
	for _, lib := range []string{"go.yaml.in/yaml/v3", "sigs.k8s.io/yaml", "go.yaml.in/yaml/v2", "sigs.k8s.io/kustomize/kyaml"} {
		if len(users[lib]) != 1 {
			t.Errorf("%s is imported by %v, want exactly %s", lib, users[lib], yamlOwners[lib])
		}
	}
}

func TestLayers(t *testing.T) {
	for pkg, imps := range imports(t) {
		l, ok := layers[pkg]
		if !ok {
			t.Errorf("package %s has no layer in arch_test.go: place it", pkg)
			continue
		}
		for _, imp := range imps {
			dep, ok := strings.CutPrefix(imp, module)
			if !ok {
				continue
			}
			if dl, ok := layers[dep]; ok && dl >= l {
				t.Errorf("%s (layer %d) imports %s (layer %d): a package imports only lower layers", pkg, l, dep, dl)
			}
		}
	}
}

// TestWriteStageNotInCLI: the pipeline's last stage (the render manifest, the swap of DIR, the
// diff of --verify, the locks) lives in render, not in the CLI, which keeps flags and wiring: no
// non-test file of cmd/skillc renames a file into place, creates a temporary file, locks, or
// defines a manifest type. (The help text may name DIR/.skillc-render: it documents it.)
func TestWriteStageNotInCLI(t *testing.T) {
	banned := map[string]bool{"os.Rename": true, "os.CreateTemp": true, "syscall.Flock": true}
	found := 0
	walkGo(t, "cmd/skillc", func(name string, f *ast.File) {
		found++
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if x, ok := n.X.(*ast.Ident); ok && banned[x.Name+"."+n.Sel.Name] {
					t.Errorf("%s calls %s.%s: the write stage belongs in render", name, x.Name, n.Sel.Name)
				}
			case *ast.TypeSpec:
				if strings.Contains(strings.ToLower(n.Name.Name), "manifest") {
					t.Errorf("%s defines %s: the write stage belongs in render", name, n.Name.Name)
				}
			}
			return true
		})
	})
	if found == 0 {
		t.Fatal("no file of cmd/skillc found")
	}
}

// walkGo parses every non-test Go file of the package in dir (relative to the module) and calls
// f on each.
func walkGo(t *testing.T, dir string, f func(name string, file *ast.File)) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Join(root, dir))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		name := filepath.ToSlash(filepath.Join(dir, e.Name()))
		file, err := parser.ParseFile(fset, filepath.Join(root, dir, e.Name()), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		f(name, file)
	}
}
