package source

import (
	"strconv"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
)

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // "LINE path: message" substrings, in order
	}{
		{"unknown field with suggestion", "spec:\n  skils: []\n", []string{`2 spec.skils: unknown field "skils" (did you mean "skills"?)`}},
		{"unknown field without suggestion", "spec:\n  frobnicate: 1\n", []string{`2 spec.frobnicate: unknown field "frobnicate"`}},
		{"number for string", "spec:\n  version: 1.0\n", []string{`2 spec.version: expected a string, got number 1.0 (quote it)`}},
		{"string for bool", "spec:\n  sidecar:\n    image: x\n    mountWorkspace: yes-please\n", []string{`4 spec.sidecar.mountWorkspace: expected true or false`}},
		{"list for mapping", "spec:\n  sidecar: [a]\n", []string{`2 spec.sidecar: expected a mapping, got a list`}},
		{"mapping for list", "spec:\n  skills: {a: b}\n", []string{`2 spec.skills: expected a list, got a mapping`}},
		{"index in path", "spec:\n  skills:\n    - name: a\n    - nme: b\n", []string{`4 spec.skills[1].nme: unknown field "nme" (did you mean "name"?)`}},
		{"duplicate key", "spec:\n  category: a\n  category: b\n", []string{`3 spec.category: duplicate field "category"`}},
		{"merge key refused", "a: &a {category: x}\nspec:\n  <<: *a\n", []string{`1 a: unknown field "a"`, `3 spec: YAML merge keys (<<) are not supported`}},
		{"quantity via Scalar accepts numbers", "spec:\n  sidecar:\n    image: x\n    resources: {cpu: 1, memory: 64Mi}\n", nil},
		{"all errors collected", "spec:\n  x: 1\n  y: 2\n", []string{`2 spec.x: unknown field "x"`, `3 spec.y: unknown field "y"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n yaml.Node
			if err := yaml.Unmarshal([]byte(tt.yaml), &n); err != nil {
				t.Fatal(err)
			}
			var p api.SkillPack
			_, errs := decodeNode(&n, &p)
			var got []string
			for _, e := range errs {
				got = append(got, strings.Join([]string{strconv.Itoa(e.Line), " ", e.Path, ": ", e.Msg}, ""))
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d errors %q, want %d %q", len(got), got, len(tt.want), tt.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("error %d = %q, want prefix %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestDecodePositions(t *testing.T) {
	src := "apiVersion: sympozium.ai/v1alpha1\nkind: SkillPack\nmetadata:\n  name: p\nspec:\n  sidecar:\n    image: x\n    rbac:\n      - apiGroups: [\"\"]\n        verbs:\n          - get\n          - list\n"
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatal(err)
	}
	var p api.SkillPack
	pos, errs := decodeNode(&n, &p)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	s := diag.NewSource("f", 1, pos)
	for path, want := range map[string]int{
		"spec.sidecar.rbac[0].verbs[1]": 12,
		"spec.sidecar.rbac[0].verbs":    10,
		"spec.sidecar.image":            7,
		"spec.sidecar.rbac[0].nothing":  9, // nearest ancestor
		"spec.skills":                   5, // absent: its nearest ancestor, spec
		"metadata2":                     1, // no ancestor: the document's line
	} {
		if got := s.LineOf(path); got != want {
			t.Errorf("LineOf(%s) = %d, want %d", path, got, want)
		}
	}
}

func TestAliasBombRefused(t *testing.T) {
	// Each level doubles the expansion: 2^30 nodes if followed naively.
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x]\n")
	for i := 1; i <= 30; i++ {
		b.WriteString("a" + strconv.Itoa(i) + ": &a" + strconv.Itoa(i) + " [*a" + strconv.Itoa(i-1) + ", *a" + strconv.Itoa(i-1) + "]\n")
	}
	b.WriteString("spec:\n  task: {x: *a30}\n")
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(b.String()), &n); err != nil {
		t.Skipf("yaml refused it already: %v", err)
	}
	var r api.AgentRun
	_, errs := decodeNode(&n, &r)
	found := false
	for _, e := range errs {
		found = found || strings.Contains(e.Msg, "YAML aliases expand to more than")
	}
	if !found {
		t.Fatalf("alias expansion not bounded; %d errors", len(errs))
	}
}

func TestInputLimits(t *testing.T) {
	many := strings.Repeat("---\napiVersion: v1\nkind: Service\nmetadata: {name: x}\n", MaxDocumentsPerFile+1)
	_, diags := Load([]File{{Name: "many.yaml", Data: []byte(many)}})
	if !strings.Contains(diags.Error(), "more than 10000 documents in one file") {
		t.Errorf("documents per file: %v", diags.Filter(diag.SeverityError))
	}
	_, diags = Load([]File{{Name: "big.yaml", Data: make([]byte, MaxFileSize+1)}})
	if !strings.Contains(diags.Error(), "larger than 32 MiB") {
		t.Errorf("file size: %v", diags)
	}
	deep := strings.Repeat("[", 20000) + strings.Repeat("]", 20000)
	_, diags = Load([]File{{Name: "deep.yaml", Data: []byte("apiVersion: sympozium.ai/v1alpha1\nkind: AgentRun\nspec:\n  task: " + deep + "\n")}})
	if !diags.HasErrors() {
		t.Error("20000 levels of nesting accepted")
	}
}

// TestReaderRefusals: what the Reader refuses anywhere in a document, with the line: tags other
// than YAML's own, an alias to an earlier document's anchor, characters YAML does not allow (the
// parser names no line for these), an unknown anchor.
func TestReaderRefusals(t *testing.T) {
	const run = "apiVersion: sympozium.ai/v1alpha1\nkind: AgentRun\nmetadata: {name: r}\n"
	tests := []struct {
		name, data, want string
	}{
		{"python tag", run + "spec: {task: !!python/object/apply:os.system [id]}\n", `f.yaml:4: YAML tag "!!python/object/apply:os.system" is not supported: refused (write plain YAML)`},
		{"local tag in an ignored field", run + "status: {a: !custom x}\n", `f.yaml:4: YAML tag "!custom" is not supported`},
		{"local tag on a mapping", run + "spec: !custom {task: x}\n", `f.yaml:4: YAML tag "!custom" is not supported`},
		{"tag in a document of an ignored kind", "apiVersion: v1\nkind: ConfigMap\ndata: {a: !custom x}\n", `f.yaml:3: YAML tag "!custom" is not supported`},
		{"YAML's own tags are fine", run + "spec: {instanceRef: !!str i, task: !!str 5, timeout: ! 5m}\n", ""},
		{"anchor of the previous document", run + "spec: {instanceRef: &i i}\n---\n" + run + "spec: {instanceRef: *i}\n", "f.yaml:9: alias *i refers to an anchor of an earlier document"},
		{"anchor of an ignored document", "apiVersion: v1\nkind: ConfigMap\ndata: {a: &i i}\n---\n" + run + "spec: {instanceRef: *i}\n", "f.yaml:8: alias *i refers to an anchor of an earlier document"},
		{"anchor in the same document", run + "status: {a: &i i}\nspec: {instanceRef: *i}\n", ""},
		{"unknown anchor: its line", run + "spec:\n  instanceRef: *nowhere\n", "f.yaml:5: invalid YAML: unknown anchor 'nowhere' referenced"},
		{"NUL byte: its line", run + "spec:\n  task: \"a\x00\"\n", "f.yaml:5: control character U+0000 is not allowed in YAML"},
		{"DEL", run + "\x7f\n", "f.yaml:4: control character U+007F is not allowed in YAML"},
		{"C1 control", run + "spec: {task: \"\u0090\"}\n", "f.yaml:4: control character U+0090 is not allowed in YAML"},
		{"NEL and BOM are allowed", "\ufeff" + run + "spec: {instanceRef: i, task: \"a\u0085b\"}\n", ""},
		{"invalid UTF-8: its line", run + "\n\xff\n", "f.yaml:5: not valid UTF-8"},
		{"one scalar aliased beyond 1 MiB", run + "status: {a: &a " + strings.Repeat("x", 1<<16) + "}\nspec: {task: {b: [" + strings.Repeat("*a, ", 16) + "*a]}}\n",
			"f.yaml:5: spec.task: YAML aliases expand to more than 1 MiB of text: refused"},
		{"keys count as text", run + "status: {a: &a {" + manyKeys(70, 1000) + "}}\nspec: {task: {b: [" + strings.Repeat("*a, ", 16) + "*a]}}\n",
			"f.yaml:5: spec.task: YAML aliases expand to more than 1 MiB of text: refused"},
		{"just under 1 MiB", run + "status: {a: &a " + strings.Repeat("x", 1<<16) + "}\nspec: {instanceRef: i, task: {b: [" + strings.Repeat("*a, ", 14) + "*a]}}\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := Load([]File{{Name: "f.yaml", Data: []byte(tt.data)}})
			errs := diags.Filter(diag.SeverityError)
			switch {
			case tt.want == "" && len(errs) > 0:
				t.Errorf("refused: %v", errs)
			case tt.want != "" && (len(errs) != 1 || !strings.HasPrefix(errs[0].String(), tt.want)):
				t.Errorf("got %v, want one error %q", errs, tt.want)
			}
		})
	}
}

// manyKeys is a flow mapping's content of n distinct keys of size bytes each (YAML limits an
// implicit key to 1024 characters).
func manyKeys(n, size int) string {
	var keys []string
	for i := range n {
		k := strconv.Itoa(i)
		keys = append(keys, k+strings.Repeat("k", size-len(k))+": 1")
	}
	return strings.Join(keys, ", ")
}
