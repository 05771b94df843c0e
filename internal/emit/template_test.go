package emit

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestTemplateFill: a template made from an object's JSON with a name replaced by a token fills
// to Marshal's document for every name put back, quoted where the name needs it; and where the
// writer's output would depend on more than the scalar (a token in a key, in multi-line or escaped
// text, in text the emitter folds), there is no template, or Fill declines.
func TestTemplateFill(t *testing.T) {
	object := func(name string, edit func(cm *corev1.ConfigMap, name string)) *corev1.ConfigMap {
		cm := &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
			ObjectMeta: metav1.ObjectMeta{Name: "cm-" + name, Namespace: "ns",
				Labels: map[string]string{"run": name, "app": "x"}},
			Data: map[string]string{"a": "text", "b": "line one\nline two\n"}}
		if edit != nil {
			edit(cm, name)
		}
		return cm
	}
	// blanked is the JSON of o with name replaced as the gate's shape key replaces it.
	blanked := func(o Object, name string) []byte {
		raw, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		raw = bytes.ReplaceAll(raw, []byte(`"`+name+`"`), []byte("\"\x00R\""))
		return bytes.ReplaceAll(raw, []byte(`-`+name+`"`), []byte("-\x00R\""))
	}
	names := []string{"run-1", "true", "123", "1e3", "null", "y", "on", "0x1f", strings.Repeat("r", 63), "a.b"}
	long := strings.Repeat("word ", 14) // with "-" and a name, past column 80
	cases := []struct {
		name     string
		edit     func(cm *corev1.ConfigMap, name string)
		template bool // whether there is one
		fills    func(name string) bool
	}{
		{name: "label and suffix", template: true},
		{name: "annotation and list", template: true, edit: func(cm *corev1.ConfigMap, name string) {
			cm.Annotations = map[string]string{"owner": "team-" + name, "plain": "x"}
		}},
		{name: "token in a key", edit: func(cm *corev1.ConfigMap, name string) { cm.Data[name] = "v" }},
		{name: "token in multi-line text", edit: func(cm *corev1.ConfigMap, name string) { cm.Data["c"] = "first\nsecond-" + name }},
		{name: "token in escaped text", edit: func(cm *corev1.ConfigMap, name string) { cm.Data["c"] = "<b>-" + name }},
		{name: "token in folded text", template: true, edit: func(cm *corev1.ConfigMap, name string) {
			cm.Annotations = map[string]string{"note": long + "-" + name}
		}, fills: func(string) bool { return false }},
	}
	var enc Encoder
	for _, c := range cases {
		tmpl := enc.Template(blanked(object("run-0", c.edit), "run-0"))
		if (tmpl != nil) != c.template {
			t.Errorf("%s: template %v, want %v", c.name, tmpl != nil, c.template)
			continue
		}
		if tmpl == nil {
			continue
		}
		for _, name := range names {
			want, err := MarshalObject(object(name, c.edit))
			if err != nil {
				t.Fatal(err)
			}
			got, ok := tmpl.Fill(func(s string) string { return strings.ReplaceAll(s, "\x00R", name) })
			if wantOK := c.fills == nil || c.fills(name); ok != wantOK {
				t.Errorf("%s, %q: Fill ok %v, want %v", c.name, name, ok, wantOK)
			}
			if ok && !bytes.Equal(got, want) {
				t.Errorf("%s, %q: filled\n%s\nMarshal\n%s", c.name, name, got, want)
			}
		}
	}
}
