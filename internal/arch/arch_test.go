package arch

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
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
	"needs":               2, // commands in skill text and the API requests they make
	"compile":             3, // validate, resolve, build
	"compile/edit":        3,
	"compile/schema":      3,
	"grantcheck":          3, // a pack's grants judged against what its skills' commands need
	"policy":              4, // the gate
	"krm":                 4, // kustomize and KRM functions
	"permissions":         4, // diff's permission model
	"export":              4,
	"render":              4, // the write stage: -o DIR, --verify, import/export's files
	"stream":              5, // compile, gate and render a unit at a time
	"scaffold":            5, // new pack's templates and its edits of a repository
	"policy/output":       5,
	"explain":             5, // explain's model: the compile and the gate's findings, per pod
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

// libraries are the packages (with their subpackages) that serve the CLI, the KRM function and
// the Argo CD plugin alike: their messages name fields and settings, never a CLI flag, which
// exists in one of the three only. cmd/skillc maps a field to its flag where a flag was the source.
var libraries = []string{"compile", "policy", "source", "api", "krm", "permissions", "export"}

// flagSpelling is a CLI flag in a string: "--" and a letter, at the start or after a non-word.
var flagSpelling = regexp.MustCompile(`(^|[^\w-])--[a-zA-Z]`)

// flagAllowed are the flag spellings a library may write, by file: none of them is skillc's.
var flagAllowed = map[string][]string{
	// Node.js's own options, quoted to say what NODE_OPTIONS can make every Node process do.
	"compile/validate.go": {"--require", "--import"},
	// kpt's own flag: the hint tells a kpt user how to hand kpt the CompilerConfig's file.
	"krm/krm.go": {"--fn-config"},
	// The CompilerConfig schema's description, for editors: it names both ways a config reaches
	// skillc (the CLI's --config FILE, the KRM functionConfig). Documentation, not a diagnostic.
	"compile/schema/schema.go": {"--config"},
}

// TestLibrariesNameNoFlags: no non-test Go file of the libraries holds a CLI flag spelling in a
// string literal, but for the allow-list above (each entry is used: a stale one fails).
func TestLibrariesNameNoFlags(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	files := 0
	for _, lib := range libraries {
		err := filepath.WalkDir(filepath.Join(root, lib), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == "testdata" {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return nil
			}
			rel, _ := filepath.Rel(root, p)
			rel = filepath.ToSlash(rel)
			f, err := parser.ParseFile(token.NewFileSet(), p, nil, 0)
			if err != nil {
				return err
			}
			files++
			ast.Inspect(f, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					return true
				}
				for _, m := range flagSpelling.FindAllStringIndex(s, -1) {
					flag := s[m[0]:]
					flag = flag[strings.Index(flag, "--"):]
					if end := strings.IndexFunc(flag[2:], func(r rune) bool {
						return !(r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
					}); end >= 0 {
						flag = flag[:end+2]
					}
					if slices.Contains(flagAllowed[rel], flag) {
						used[rel+" "+flag] = true
						continue
					}
					t.Errorf("%s: %s in %s: a library names the field or setting, and cmd/skillc maps it to a flag", rel, flag, lit.Value)
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if files < 20 {
		t.Fatalf("read %d files: is the walk rooted at the module?", files)
	}
	for file, flags := range flagAllowed {
		for _, f := range flags {
			if !used[file+" "+f] {
				t.Errorf("flagAllowed lists %s in %s, which no longer writes it: remove the entry", f, file)
			}
		}
	}
}

// TestDecodedOnce: a command that compiled its inputs uses what the compile decoded
// (compile.Result.Inputs) instead of decoding them again; only import and export, which decode
// SkillPacks without compiling, call source.Load.
func TestDecodedOnce(t *testing.T) {
	walkGo(t, "cmd/skillc", func(name string, f *ast.File) {
		ast.Inspect(f, func(n ast.Node) bool {
			if s, ok := n.(*ast.SelectorExpr); ok {
				if x, ok := s.X.(*ast.Ident); ok && x.Name == "source" && s.Sel.Name == "Load" && name != "cmd/skillc/packages_cmd.go" {
					t.Errorf("%s calls source.Load: use the compile's Result.Inputs", name)
				}
			}
			return true
		})
	})
}
