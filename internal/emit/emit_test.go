package emit

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	yaml "go.yaml.in/yaml/v2"
)

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

// FuzzEncodeYAML is the differential fuzz target of the direct writer: whatever document it writes
// must be byte for byte what go.yaml.in/yaml/v2 writes for the same values.
func FuzzEncodeYAML(f *testing.F) {
	f.Add("key", "value", "a\nb\n", int64(3))
	f.Add("app.kubernetes.io/name", "- x", " lead", int64(-1))
	f.Add("", "null", "1e3", int64(0))
	f.Fuzz(func(t *testing.T, key, v1, v2 string, n int64) {
		m := map[string]any{
			key:  v1,
			"b":  []any{v2, map[string]any{key: v1, "n": n}},
			"cm": map[string]any{"data": map[string]any{v1: v2}},
		}
		got, ok := encodeYAML(m)
		if !ok {
			return // handed to the library: nothing of ours to compare
		}
		want, err := yaml.Marshal(m)
		if err != nil {
			t.Fatalf("yaml.Marshal: %v", err)
		}
		if string(got) != string(want) {
			t.Errorf("(-want +got):\n%s", cmp.Diff(string(want), string(got)))
		}
	})
}
