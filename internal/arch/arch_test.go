package arch

import (
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
	"internal/confine":    0, // reads that stay inside a folder: the one primitive on os.Root
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
