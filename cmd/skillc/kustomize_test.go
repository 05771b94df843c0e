package main

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/skillc-dev/skillc/krm"
	"github.com/skillc-dev/skillc/source"
)

// The real kustomize (bin/kustomize, installed by `make tools`) runs skillc as an exec KRM
// transformer over every fixture, and must reach the objects `skillc compile` prints.

// kustomizeBin is the pinned kustomize, or a skip when it is not installed.
func kustomizeBin(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("bin", "kustomize"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("bin/kustomize is not installed, and under CI=true a missing tool fails (make tools installs it): %v", err)
		}
		t.Skipf("bin/kustomize is not installed (run `make tools`): %v", err)
	}
	return p
}

// buildSkillc builds the current skillc, as shipped, for a test: kustomize executes it as a process.
func buildSkillc(t *testing.T) string {
	t.Helper()
	return buildSkillcTags(t, "")
}

// builtBinaries are the skillc binaries this test process built, one per tag set, in binDir (made
// and removed by TestMain): a build takes seconds, and six tests need one.
var builtBinaries struct {
	sync.Mutex
	byTags map[string]string
}

// binDir holds the binaries of builtBinaries; TestMain makes it and removes it.
var binDir string

// buildSkillcTags builds the current skillc with the build tags (comma-separated; "" for none),
// once per tag set and test process. Tests run it and never change it.
func buildSkillcTags(t *testing.T, tags string) string {
	t.Helper()
	builtBinaries.Lock()
	defer builtBinaries.Unlock()
	if bin, ok := builtBinaries.byTags[tags]; ok {
		return bin
	}
	if binDir == "" {
		t.Fatal("binDir is unset: TestMain makes it")
	}
	// Named skillc, in a folder per tag set: tests put its folder on PATH as users install it.
	dir := filepath.Join(binDir, strconv.Itoa(len(builtBinaries.byTags)))
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "skillc")
	build := exec.Command("go", "build", "-tags", tags, "-o", bin, "./cmd/skillc")
	build.Env = append(os.Environ(), "GOTOOLCHAIN=local")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build -tags %q: %v\n%s", tags, err, out)
	}
	if builtBinaries.byTags == nil {
		builtBinaries.byTags = map[string]string{}
	}
	builtBinaries.byTags[tags] = bin
	return bin
}

// krmCase is a fixture as a kustomization: its YAML files copied (same relative paths, so messages
// name the same files), every CompilerConfig turned into the transformer's functionConfig, and
// the args file's flags translated into that config.
type krmCase struct {
	dir    string   // the kustomization
	skip   string   // why the fixture cannot be a kustomization
	fnArgs []string // the exec function's args
	inputs []string // the resource files' contents
}

// flagFields are the compile flags that have a CompilerConfig field.
var flagFields = map[string][]string{
	"--identity": {"spec", "identity"},
	"--sidecars": {"spec", "sidecars"},
	"--target":   {"spec", "target"},
	"--profile":  {"spec", "policy", "profile"},
}

func newKRMCase(t *testing.T, fixture, skillc string) krmCase {
	t.Helper()
	args := caseArgs(t, fixture)[1:] // without "compile"
	var paths []string
	config := kyaml.MustParse("apiVersion: skillc.dev/v1alpha1\nkind: CompilerConfig\nmetadata:\n  name: fn\n")
	set := map[string]string{}
	fnArgs := []string{"fn"}
	for i := 0; i < len(args); i++ {
		a := args[i]
		flag, value, hasValue := strings.Cut(a, "=")
		if !strings.HasPrefix(a, "-") {
			paths = append(paths, a)
			continue
		}
		if !hasValue && i+1 < len(args) {
			i++
			value = args[i]
		}
		switch {
		case flagFields[flag] != nil:
			set[flag] = value
		case flag == "--policy":
			abs, _ := filepath.Abs(value)
			fnArgs = append(fnArgs, "--policy", abs)
		default:
			return krmCase{skip: fmt.Sprintf("flag %s has no functionConfig equivalent", flag)}
		}
	}
	dir := t.TempDir()
	c := krmCase{dir: dir}
	configPath := "skillc-fn.yaml"
	var resources []string
	files, ok := fixtureYAML(t, paths)
	if !ok {
		return krmCase{skip: "SKILL.md packages (folders, zips) cannot travel in a ResourceList"}
	}
	for _, f := range files {
		if n, err := kyaml.Parse(f.data); err == nil && n.GetKind() == "CompilerConfig" {
			// The platform's settings: the functionConfig, under its own name for messages.
			config, configPath = n, f.path
			continue
		}
		resources = append(resources, f.path)
		c.inputs = append(c.inputs, f.data)
		writeFile(t, filepath.Join(dir, filepath.FromSlash(f.path)), f.data)
	}
	for flag, value := range set {
		f := flagFields[flag]
		if err := config.PipeE(kyaml.LookupCreate(kyaml.MappingNode, f[:len(f)-1]...), kyaml.SetField(f[len(f)-1], kyaml.NewStringRNode(value))); err != nil {
			t.Fatal(err)
		}
	}
	// Written the way users write it (a flow list of args), not built by kyaml.
	fn := fmt.Sprintf("exec:\n  path: %s\n  args: [%s]\n", skillc, strings.Join(fnArgs, ", "))
	if err := config.PipeE(kyaml.SetAnnotation("config.kubernetes.io/function", fn)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, configPath), []byte(config.MustString()), 0o644); err != nil {
		t.Fatal(err)
	}
	kust := "resources:\n"
	for _, r := range resources {
		kust += "  - " + r + "\n"
	}
	kust += "buildMetadata: [originAnnotations]\ntransformers:\n  - " + configPath + "\n"
	if err := os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte(kust), 0o644); err != nil {
		t.Fatal(err)
	}
	c.fnArgs = fnArgs
	return c
}

// fixtureFile is one YAML file of a fixture: its slash path as the fixture names it, its content.
type fixtureFile struct{ path, data string }

// fixtureYAML reads the YAML files under paths as skillc's walk does (hidden files, .skillcignore
// and files that are not manifests skipped), in walk order; ok is false when they hold a SKILL.md
// package, which a kustomization cannot carry.
func fixtureYAML(t *testing.T, paths []string) (files []fixtureFile, ok bool) {
	t.Helper()
	read, diags := source.ReadPaths(paths, nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	for _, f := range read {
		if f.Package != nil || strings.HasSuffix(f.Name, ".zip") {
			return nil, false
		}
		manifest := false
		source.NewReader().Documents(f, func(n *source.Node) bool {
			manifest = source.ManifestLike(n)
			return !manifest
		})
		if manifest {
			files = append(files, fixtureFile{filepath.ToSlash(f.Name), string(f.Data)})
		}
	}
	return files, true
}

// runKustomize runs the real kustomize with exec functions on dir.
func runKustomize(t *testing.T, bin, dir string) (string, string, error) {
	t.Helper()
	cmd := exec.Command(bin, "build", "--enable-alpha-plugins", "--enable-exec", dir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// kustomizeAnnotations are what kustomize itself adds to the objects a transformer emits when the
// kustomization asks for origin (and transformer) annotations.
var kustomizeAnnotations = []string{"config.kubernetes.io/origin", "alpha.config.kubernetes.io/transformations"}

// objectsByID splits a YAML stream into objects keyed kind/namespace/name, without kustomize's own
// annotations. Two objects with one key fail the test.
func objectsByID(t *testing.T, stream string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, doc := range regexp.MustCompile(`(?m)^---\n`).Split(stream, -1) {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		var m map[string]any
		if err := sigsyaml.Unmarshal([]byte(doc), &m); err != nil {
			t.Fatalf("%v in:\n%s", err, doc)
		}
		md, _ := m["metadata"].(map[string]any)
		if annos, ok := md["annotations"].(map[string]any); ok {
			for _, k := range kustomizeAnnotations {
				delete(annos, k)
			}
			if len(annos) == 0 {
				delete(md, "annotations")
			}
		}
		id := fmt.Sprintf("%v/%v/%v", m["kind"], md["namespace"], md["name"])
		if _, dup := out[id]; dup {
			t.Fatalf("two objects %s", id)
		}
		out[id] = m
	}
	return out
}

// unlined is compile's stderr as fn prints it: the same files, without line numbers (fn is handed
// objects, not files), and without compile's closing line.
func unlined(stderr string) []string {
	lineRE := regexp.MustCompile(`([^ :(]+\.ya?ml):\d+`)
	var out []string
	for l := range strings.Lines(stderr) {
		l = strings.TrimSuffix(l, "\n")
		if strings.HasPrefix(l, "skillc") || l == "" || strings.Contains(l, ": not a skillc input") {
			continue // fn passes other kinds through, silently
		}
		l = lineRE.ReplaceAllString(l, "$1")
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return out
}

// passedThrough are the objects of the inputs that are not compile sources: fn must emit them
// untouched.
func passedThrough(t *testing.T, inputs []string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, in := range inputs {
		for id, o := range objectsByID(t, in) {
			if !krm.IsSourceKind(fmt.Sprint(o["apiVersion"]), fmt.Sprint(o["kind"])) {
				out[id] = o
			}
		}
	}
	return out
}

func fnFindings(stderr string) []string {
	var out []string
	for l := range strings.Lines(stderr) {
		l = strings.TrimSuffix(l, "\n")
		if strings.HasPrefix(l, "fixtures/") || strings.HasPrefix(l, "skills/") {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return out
}

func TestKustomizeExecFunction(t *testing.T) {
	kust := kustomizeBin(t)
	skillc := buildSkillc(t)

	t.Run("fixtures", func(t *testing.T) {
		ran := 0
		for _, name := range fixtureCases(t, "fixtures") {
			t.Run(name, func(t *testing.T) {
				fixture := filepath.Join("fixtures", name)
				c := newKRMCase(t, fixture, skillc)
				if c.skip != "" {
					t.Skip(c.skip)
				}
				ran++
				want, stderr, code := execute(t, caseArgs(t, fixture)...)
				if code != 0 {
					t.Fatalf("compile: exit %d\n%s", code, stderr)
				}
				got, kstderr, err := runKustomize(t, kust, c.dir)
				if err != nil {
					t.Fatalf("kustomize build: %v\n%s", err, kstderr)
				}
				wantObjs := objectsByID(t, want)
				maps.Copy(wantObjs, passedThrough(t, c.inputs))
				if diff := cmp.Diff(wantObjs, objectsByID(t, got)); diff != "" {
					t.Errorf("kustomize + skillc fn differs from skillc compile (-want +got):\n%s", diff)
				}
				// Warnings reach kustomize's stderr, as compile prints them, without lines.
				if diff := cmp.Diff(unlined(stderr), fnFindings(kstderr)); diff != "" {
					t.Errorf("warnings (-compile +fn):\n%s", diff)
				}
			})
		}
		if ran == 0 {
			t.Fatal("no fixture ran through kustomize")
		}
	})

	t.Run("denied", func(t *testing.T) {
		for _, name := range fixtureCases(t, filepath.Join("fixtures", "denied")) {
			t.Run(name, func(t *testing.T) {
				fixture := filepath.Join("fixtures", "denied", name)
				c := newKRMCase(t, fixture, skillc)
				if c.skip != "" {
					t.Skip(c.skip)
				}
				_, stderr, code := execute(t, caseArgs(t, fixture)...)
				if code != 1 {
					t.Fatalf("compile: exit %d, want 1", code)
				}
				got, kstderr, err := runKustomize(t, kust, c.dir)
				if err == nil {
					t.Fatalf("kustomize build succeeded on a denied fixture:\n%s", got)
				}
				if got != "" {
					t.Errorf("output on a denied build:\n%s", got)
				}
				if diff := cmp.Diff(unlined(stderr), fnFindings(kstderr)); diff != "" {
					t.Errorf("findings (-compile +fn):\n%s\nkustomize stderr:\n%s", diff, kstderr)
				}
				if !strings.Contains(kstderr, "skillc fn: the policy gate denied") {
					t.Errorf("no denial line in:\n%s", kstderr)
				}
			})
		}
	})

	t.Run("krusty", func(t *testing.T) {
		// In-process kustomize (the API Argo CD and kubectl embed), exec plugins enabled.
		fixture := filepath.Join("fixtures", "seed-k8s-ops")
		c := newKRMCase(t, fixture, skillc)
		opts := krusty.MakeDefaultOptions()
		opts.PluginConfig = types.EnabledPluginConfig(types.BploUseStaticallyLinked)
		opts.PluginConfig.FnpLoadingOptions.EnableExec = true
		rm, err := krusty.MakeKustomizer(opts).Run(filesys.MakeFsOnDisk(), c.dir)
		if err != nil {
			t.Fatal(err)
		}
		got, err := rm.AsYaml()
		if err != nil {
			t.Fatal(err)
		}
		want, stderr, code := execute(t, caseArgs(t, fixture)...)
		if code != 0 {
			t.Fatalf("compile: exit %d\n%s", code, stderr)
		}
		if diff := cmp.Diff(objectsByID(t, want), objectsByID(t, string(got))); diff != "" {
			t.Errorf("krusty + skillc fn differs from skillc compile (-want +got):\n%s", diff)
		}
	})

	t.Run("example kustomize/krm", func(t *testing.T) {
		// The example's transformer names `skillc` on PATH, as users install it.
		path := filepath.Dir(skillc) + string(os.PathListSeparator) + os.Getenv("PATH")
		cmd := exec.Command(kust, "build", "--enable-alpha-plugins", "--enable-exec", filepath.Join("kustomize", "krm"))
		cmd.Env = append(os.Environ(), "PATH="+path)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("kustomize build kustomize/krm: %v\n%s", err, stderr.String())
		}
		got := objectsByID(t, stdout.String())
		for _, id := range []string{
			"ServiceAccount/team-a/sympozium-run-triage-1",
			"ConfigMap/team-a/skillpack-cluster-triage",
			"Role/team-a/sympozium-skill-cluster-triage-triage-1",
			"RoleBinding/team-a/sympozium-skill-cluster-triage-triage-1",
			"Job/team-a/triage-1",
			"NetworkPolicy/team-a/agents-egress", // passed through
		} {
			if got[id] == nil {
				t.Errorf("no %s in the example's build; got %v", id, slices.Sorted(maps.Keys(got)))
			}
		}
		for id := range got {
			if strings.HasPrefix(id, "SkillPack/") || strings.HasPrefix(id, "SympoziumInstance/") || strings.HasPrefix(id, "AgentRun/") {
				t.Errorf("source %s was not consumed", id)
			}
		}
	})
}
