package emit_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
	yaml "go.yaml.in/yaml/v2"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/internal/emit"
	"github.com/skillc-dev/skillc/internal/gen"
	"github.com/skillc-dev/skillc/source"
)

// slowToMap is the reference ToMap: encoding/json with UseNumber, then the same normalization.
func slowToMap(t *testing.T, o emit.Object) map[string]any {
	t.Helper()
	raw, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	var norm func(v any) any
	norm = func(v any) any {
		switch t := v.(type) {
		case map[string]any:
			for k, c := range t {
				c = norm(c)
				if cm, ok := c.(map[string]any); ok && len(cm) == 0 && emit.DroppedWhenEmpty(k) {
					delete(t, k)
					continue
				}
				t[k] = c
			}
		case []any:
			for i, c := range t {
				t[i] = norm(c)
			}
		case json.Number:
			if i, err := t.Int64(); err == nil {
				return i
			}
			f, _ := t.Float64()
			return f
		}
		return v
	}
	norm(m)
	return m
}

// corpus compiles every fixture that compiles, and a generated repository (returned apart).
func corpus(t *testing.T) (fixtures, generated []compile.Object) {
	t.Helper()
	var objs []compile.Object
	dirs, _ := filepath.Glob("../../fixtures/*")
	for _, dir := range dirs {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			continue
		}
		files, diags := source.ReadPaths([]string{dir}, nil)
		if diags.HasErrors() {
			continue
		}
		if res, ds := compile.Compile(files, compile.Options{}); !ds.HasErrors() {
			objs = append(objs, res.Objects...)
		}
	}
	var files []source.File
	for _, f := range gen.Repo(gen.Size{Packs: 7, Instances: 9, Runs: 20}) {
		files = append(files, source.File{Name: f.Name, Data: f.Data})
	}
	res, ds := compile.Compile(files, compile.Options{})
	err := ds.Err()
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) < 50 {
		t.Fatalf("only %d fixture objects", len(objs))
	}
	return objs, res.Objects
}

// TestDirectSerializer: the fast ToMap and YAML writer give exactly what encoding/json and
// yaml.Marshal give, on every fixture's objects.
func TestDirectSerializer(t *testing.T) {
	fixtures, generated := corpus(t)
	for _, o := range generated {
		// What skillc generates at scale must not fall back to yaml.Marshal (its cost is 5x).
		m, err := emit.ToMap(o)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := emit.EncodeYAML(m); !ok {
			t.Errorf("%s %s takes the slow path", compile.KindOf(o), o.GetName())
		}
	}
	direct := 0
	for _, o := range append(fixtures, generated...) {
		name := compile.KindOf(o) + "/" + o.GetNamespace() + "/" + o.GetName()
		m, err := emit.ToMap(o)
		if err != nil {
			t.Fatal(err)
		}
		if want := slowToMap(t, o); !reflect.DeepEqual(want, m) {
			t.Errorf("%s: ToMap (-want +got):\n%s", name, cmp.Diff(want, m))
		}
		want, err := yaml.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		got, err := emit.MarshalObject(o)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Errorf("%s: YAML (-want +got):\n%s", name, diff)
		}
		if _, ok := emit.EncodeYAML(m); ok {
			direct++
		}
	}
	if direct == 0 {
		t.Error("no object took the direct path")
	}
}

// TestFastJSONIsEncodingJSON: the direct JSON writer writes json.Marshal's bytes for every object
// it takes of every fixture and of a generated repository, and takes all of the RBAC objects and
// ConfigMaps skillc emits.
func TestFastJSONIsEncodingJSON(t *testing.T) {
	fixtures, generated := corpus(t)
	taken := map[string]int{}
	for _, o := range append(fixtures, generated...) {
		want, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := emit.AppendJSON(nil, o)
		kind := compile.KindOf(o)
		switch kind {
		case "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap":
			if !ok {
				t.Errorf("%s %s/%s: not taken", kind, o.GetNamespace(), o.GetName())
			}
		}
		if !ok {
			continue
		}
		taken[kind]++
		if !bytes.Equal(got, want) {
			t.Errorf("%s %s/%s:\n got %s\nwant %s", kind, o.GetNamespace(), o.GetName(), got, want)
		}
	}
	if len(taken) < 5 {
		t.Errorf("kinds taken: %v", taken)
	}
}
