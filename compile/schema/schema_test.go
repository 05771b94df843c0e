package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"
	yaml "go.yaml.in/yaml/v3"

	"github.com/skillc-dev/skillc/source"
)

// root is the repository, where schemas/ and the fixtures are.
const root = "../.."

// TestSchemasUpToDate regenerates the schemas and compares them with the committed files, so a
// change of api/types.go or of the hints cannot leave them stale; and no other file lies in
// schemas/ (a schema of a renamed kind would go on validating).
func TestSchemasUpToDate(t *testing.T) {
	files, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(Kinds) {
		t.Fatalf("%d files for %d kinds", len(files), len(Kinds))
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(root, "schemas", name))
		if err != nil {
			t.Errorf("%v: run make schemas", err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("schemas/%s is stale: run make schemas\n%s", name, cmp.Diff(string(want), string(got)))
		}
		if !bytes.Contains(got, []byte(`"$comment": "`+Generated+`"`)) {
			t.Errorf("schemas/%s does not say DO NOT EDIT", name)
		}
	}
	err = filepath.WalkDir(filepath.Join(root, "schemas"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(filepath.Join(root, "schemas"), path)
		if _, ok := files[filepath.ToSlash(rel)]; !ok {
			t.Errorf("schemas/%s is not generated: remove it", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestGenerateDeterministic: two runs give the same bytes (definitions and keys are maps).
func TestGenerateDeterministic(t *testing.T) {
	a, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Generate()
	for name := range a {
		if !bytes.Equal(a[name], b[name]) {
			t.Errorf("%s differs between two runs", name)
		}
	}
}

// validators compiles the committed schemas with the validator kubeconform uses, keyed by
// apiVersion and kind.
func validators(t testing.TB) map[string]*jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	out := map[string]*jsonschema.Schema{}
	for _, k := range Kinds {
		path := filepath.Join(root, "schemas", filepath.FromSlash(k.Path()))
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		url := "file:///schemas/" + k.Path()
		if err := c.AddResource(url, doc); err != nil {
			t.Fatal(err)
		}
		s, err := c.Compile(url)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out[k.APIVersion()+" "+k.Kind] = s
	}
	return out
}

// document is one YAML document of a skillc input kind.
type document struct {
	file string
	line int
	key  string // apiVersion and kind
	root *yaml.Node
}

// documents parses a file with the parser skillc uses and returns the documents of our kinds.
func documents(t testing.TB, path string, data []byte) []document {
	t.Helper()
	docs, err := parseDocuments(path, data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return docs
}

// parseDocuments returns the documents of our kinds, up to a syntax error if there is one.
func parseDocuments(path string, data []byte) ([]document, error) {
	var docs []document
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			if errors.Is(err, io.EOF) {
				return docs, nil
			}
			return docs, err
		}
		if len(n.Content) == 0 || n.Content[0].Kind != yaml.MappingNode {
			continue
		}
		r := n.Content[0]
		var apiVersion, kind string
		for i := 0; i+1 < len(r.Content); i += 2 {
			switch r.Content[i].Value {
			case "apiVersion":
				apiVersion = r.Content[i+1].Value
			case "kind":
				kind = r.Content[i+1].Value
			}
		}
		for _, k := range Kinds {
			if k.APIVersion() == apiVersion && k.Kind == kind {
				docs = append(docs, document{path, r.Line, apiVersion + " " + kind, r})
			}
		}
	}
}

// instance turns a YAML tree into the JSON value a validator sees, by the YAML types skillc's
// decoder reads (yaml.v3: "yes" is a string, a !!timestamp is text).
func instance(t testing.TB, n *yaml.Node) any {
	t.Helper()
	b, err := json.Marshal(plain(n))
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func plain(n *yaml.Node) any {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	switch n.Kind {
	case yaml.DocumentNode:
		return plain(n.Content[0])
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = plain(n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, c := range n.Content {
			s[i] = plain(c)
		}
		return s
	}
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		b, _ := strconv.ParseBool(strings.ToLower(n.Value))
		return b
	case "!!int":
		if i, err := strconv.ParseInt(n.Value, 0, 64); err == nil {
			return i
		}
	case "!!float":
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return f
		}
	}
	return n.Value
}

// sourceFiles are the YAML files of the valid fixtures (fixtures/*/ but fixtures/invalid and
// fixtures/diff/invalid-*), the built-in skills and the kustomize examples.
func sourceFiles(t testing.TB) []string {
	t.Helper()
	var files []string
	for _, dir := range []string{"fixtures", "skills", "kustomize"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "invalid" || strings.HasPrefix(d.Name(), "invalid-")) {
				return fs.SkipDir
			}
			// A folder with a .skillcignore is a repository as users have them (Helm templates,
			// workflows): its sources are the files skillc's own walk reads.
			if _, err := os.Lstat(filepath.Join(path, ".skillcignore")); d.IsDir() && err == nil {
				walked, ds := source.ReadPaths([]string{path}, nil)
				if ds.HasErrors() {
					return ds.Err()
				}
				for _, f := range walked {
					if ext := filepath.Ext(f.Name); ext == ".yaml" || ext == ".yml" {
						files = append(files, f.Name)
					}
				}
				return fs.SkipDir
			}
			if ext := filepath.Ext(path); !d.IsDir() && (ext == ".yaml" || ext == ".yml") {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return files
}

// TestValidSourcesValidate: every document of a skillc kind in the valid fixtures, skills and
// kustomize examples passes its kind's schema.
func TestValidSourcesValidate(t *testing.T) {
	schemas := validators(t)
	counts := map[string]int{}
	for _, path := range sourceFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range documents(t, path, data) {
			counts[d.key]++
			if err := schemas[d.key].Validate(instance(t, d.root)); err != nil {
				t.Errorf("%s:%d: %s: %v", d.file, d.line, d.key, err)
			}
		}
	}
	for _, k := range Kinds {
		if counts[k.APIVersion()+" "+k.Kind] == 0 {
			t.Errorf("no valid source of kind %s: nothing shows its schema accepts real input", k.Kind)
		}
	}
	t.Logf("documents validated: %v", counts)
}

// TestInvalidFixturesFail: bad input that the decoder or validation refuses is refused by the
// schema too, at the same field.
func TestInvalidFixturesFail(t *testing.T) {
	schemas := validators(t)
	for _, tc := range []struct{ fixture, want string }{
		{"unknown-field", "'mountWorkspcae' not allowed"},
		{"config-unknown-field", "'sidecar' not allowed"},
		{"wrong-type", "/spec/version"},
		{"expected-bool", "/spec/sidecar/mountWorkspace"},
		{"expected-integer", "/spec/skillBudgetTokens"},
		{"task-wrong-type", "/spec/task"},
		{"param-not-scalar", "/spec/skills/0/params/region"},
		{"config-bad-values", "/spec/identity"},
		{"config-bad-values", "/spec/catalogNamespace"},
		{"bad-pull-policy", "/spec/sidecar/imagePullPolicy"},
		{"bad-quantity", "/spec/sidecar/resources/cpu"},
		{"bad-quantity", "/spec/sidecar/resources/memory"},
		{"no-name", "missing property 'name'"},
		{"uppercase-name", "/metadata/name"},
		{"empty-content", "/spec/skills/0/content"},
		{"sidecar-no-image", "missing property 'image'"},
		{"run-no-instance", "missing property 'instanceRef'"},
		{"schedule-no-instance", "missing property 'instanceRef'"},
		{"nonresource-in-role", "/spec/sidecar/rbac/0/nonResourceURLs"},
		{"nonresource-in-role", "/spec/sidecar/rbac/1"},
		{"skill-name-path", "/spec/skills/0/name"},
		{"skill-name-path", "/spec/skills/1/name"},
		{"bad-env", "/spec/sidecar/env/0/name"},
		{"bad-env", "/spec/sidecar/env/1"},
	} {
		t.Run(tc.fixture+tc.want, func(t *testing.T) {
			var msgs []string
			dir := filepath.Join(root, "fixtures", "invalid", tc.fixture)
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				path := filepath.Join(dir, e.Name())
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				for _, d := range documents(t, path, data) {
					if err := schemas[d.key].Validate(instance(t, d.root)); err != nil {
						msgs = append(msgs, fmt.Sprintf("%v", err))
					}
				}
			}
			if !strings.Contains(strings.Join(msgs, "\n"), tc.want) {
				t.Errorf("no schema error mentions %q; errors:\n%s", tc.want, strings.Join(msgs, "\n"))
			}
		})
	}
}

// TestInvalidFixturesCaught counts the invalid fixtures the schemas catch, for the record: the
// rest need what a schema cannot say (YAML syntax, duplicate keys, references between objects,
// image references, cron expressions, limits on the rendered objects).
func TestInvalidFixturesCaught(t *testing.T) {
	schemas := validators(t)
	entries, err := os.ReadDir(filepath.Join(root, "fixtures", "invalid"))
	if err != nil {
		t.Fatal(err)
	}
	var caught, total []string
	for _, e := range entries {
		total = append(total, e.Name())
		_ = filepath.WalkDir(filepath.Join(root, "fixtures", "invalid", e.Name()), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !(strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
				return nil
			}
			data, _ := os.ReadFile(path)
			docs, _ := parseDocuments(path, data) // bad YAML: the documents before the error
			for _, d := range docs {
				if schemas[d.key].Validate(instance(t, d.root)) != nil && !slices.Contains(caught, e.Name()) {
					caught = append(caught, e.Name())
				}
			}
			return nil
		})
	}
	t.Logf("invalid fixtures caught by a schema: %d of %d: %v", len(caught), len(total), caught)
	if len(caught) < minCaught {
		t.Errorf("the schemas catch %d invalid fixtures, fewer than the %d they caught when written", len(caught), minCaught)
	}
}

// minCaught is how many invalid fixtures the schemas caught when this test was written.
const minCaught = 33

// TestModelines: a "# yaml-language-server: $schema=" line in a source file names, relative to
// the file, a generated schema, and the file holds only documents of that schema's kind.
func TestModelines(t *testing.T) {
	const modeline = "# yaml-language-server: $schema="
	found := 0
	for _, path := range sourceFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			ref, ok := strings.CutPrefix(line, modeline)
			if !ok {
				continue
			}
			found++
			target := filepath.Join(filepath.Dir(path), filepath.FromSlash(strings.TrimSpace(ref)))
			rel, err := filepath.Rel(filepath.Join(root, "schemas"), target)
			if err != nil || strings.HasPrefix(rel, "..") {
				t.Errorf("%s: %s is not in schemas/", path, ref)
				continue
			}
			var kind *Kind
			for i, k := range Kinds {
				if k.Path() == filepath.ToSlash(rel) {
					kind = &Kinds[i]
				}
			}
			if kind == nil {
				t.Errorf("%s: %s is not a generated schema", path, ref)
				continue
			}
			for _, d := range documents(t, path, data) {
				if d.key != kind.APIVersion()+" "+kind.Kind {
					t.Errorf("%s:%d: a %s under a modeline for %s", path, d.line, d.key, kind.Kind)
				}
			}
		}
	}
	if found == 0 {
		t.Error("no source file shows the yaml-language-server modeline")
	}
}
