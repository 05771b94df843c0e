package compile

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	yaml "go.yaml.in/yaml/v2"

	"github.com/skillc-dev/skillc/compile/gen"
)

// slowToMap is the reference ToMap: encoding/json with UseNumber, then the same normalization.
func slowToMap(t *testing.T, o Object) map[string]any {
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
				if cm, ok := c.(map[string]any); ok && len(cm) == 0 && (k == "status" || k == "resources") {
					delete(t, k)
					continue
				}
				t[k] = norm(c)
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
func corpus(t *testing.T) (fixtures, generated []Object) {
	t.Helper()
	var objs []Object
	dirs, _ := filepath.Glob("../fixtures/*")
	for _, dir := range dirs {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			continue
		}
		files, diags := ReadPaths([]string{dir}, nil)
		if diags.HasErrors() {
			continue
		}
		if res, ds := Compile(files, Options{}); !ds.HasErrors() {
			objs = append(objs, res.Objects...)
		}
	}
	var files []File
	for _, f := range gen.Repo(gen.Size{Packs: 7, Instances: 9, Runs: 20}) {
		files = append(files, File{Name: f.Name, Data: f.Data})
	}
	res, ds := Compile(files, Options{})
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
		m, err := ToMap(o)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := encodeYAML(m); !ok {
			t.Errorf("%s %s takes the slow path", kindOf(o), o.GetName())
		}
	}
	direct := 0
	for _, o := range append(fixtures, generated...) {
		name := kindOf(o) + "/" + o.GetNamespace() + "/" + o.GetName()
		m, err := ToMap(o)
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
		got, err := MarshalObject(o)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Errorf("%s: YAML (-want +got):\n%s", name, diff)
		}
		if _, ok := encodeYAML(m); ok {
			direct++
		}
	}
	if direct == 0 {
		t.Error("no object took the direct path")
	}
}

// TestDirectScalars: scalars and keys with every style yaml.v2 picks either come out the same as
// yaml.Marshal or are handed to it (ok false), never written differently.
func TestDirectScalars(t *testing.T) {
	values := []any{
		"", "a", "y", "Yes", "NO", "on", "off", "null", "Null", "~", "true", "false", "1", "1.0", "0x1F",
		"1e3", "100m", "128Mi", "1:20", "2001-12-14", ".inf", "-", "- a", "a: b", "a:b", "a #b", "a#b",
		"#a", "*", "&a", "!a", "|a", ">a", "%a", "@a", "`a", "'a", `"a"`, "[a]", "{a}", "a,b", "?a",
		":a", "a:", " a", "a ", "a  b", "---", "...", "ghcr.io/x/y:1.0@sha256:abc", "/skills/x.md",
		"Synthetic task 5.", "é", "tab\there", "a\nb", "a\nb\n", "a\n\n", "\na", " a\nb", "a \nb",
		"a\n  b\n", "a\n\nb\n", "line\r\nx", "ü\nx", strings.Repeat("word ", 30), strings.Repeat("x", 200),
		strings.Repeat("long text ", 7) + "end", int64(0), int64(-5), 1.5, 2.5e-7, true, false, nil,
		[]any{}, map[string]any{}, []any{"a", []any{"b", "c"}, map[string]any{"k": "v", "j": []any{}}},
	}
	keys := []string{"a", "b10", "b9", "b09", "B", "_a", "a.b", "app.kubernetes.io/name", "x-1", "x_1",
		"1", "10", "9", "y", "on", "a b", "", "é", strings.Repeat("k", 130), "/skills/a.md", "a:b"}
	for _, v := range values {
		for _, nest := range []func(any) map[string]any{
			func(v any) map[string]any { return map[string]any{"k": v} },
			func(v any) map[string]any {
				return map[string]any{"spec": map[string]any{"list": []any{v, map[string]any{"inner": v}}}}
			},
		} {
			m := nest(v)
			want, err := yaml.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			if got, ok := encodeYAML(m); ok && string(got) != string(want) {
				t.Errorf("%q (-want +got):\n%s", v, cmp.Diff(string(want), string(got)))
			}
		}
	}
	m := map[string]any{}
	for _, k := range keys {
		m[k] = "v"
	}
	want, _ := yaml.Marshal(m)
	if got, ok := encodeYAML(m); ok && string(got) != string(want) {
		t.Errorf("keys (-want +got):\n%s", cmp.Diff(string(want), string(got)))
	}
	delete(m, "_a")
	delete(m, "a b")
	delete(m, "")
	delete(m, "é")
	delete(m, strings.Repeat("k", 130))
	delete(m, "y")
	delete(m, "on")
	for _, k := range []string{"1", "10", "9"} {
		delete(m, k)
	}
	want, _ = yaml.Marshal(m)
	got, ok := encodeYAML(m)
	if !ok || string(got) != string(want) {
		t.Errorf("plain keys (ok %v) (-want +got):\n%s", ok, cmp.Diff(string(want), string(got)))
	}
}
