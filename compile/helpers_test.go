package compile

import (
	"strings"
	"testing"
)

// compileYAML compiles inline YAML documents as one file named in.yaml. It returns the
// diagnostics only when they hold an error; warnings are in compileWarnings.
func compileYAML(t *testing.T, opts Options, docs ...string) (*Result, Diagnostics) {
	t.Helper()
	res, ds := Compile([]File{{Name: "in.yaml", Data: []byte(strings.Join(docs, "\n---\n"))}}, opts)
	if ds.HasErrors() {
		return nil, ds
	}
	return res, nil
}

// compileWarnings compiles like compileYAML and returns the warnings of a successful compile.
func compileWarnings(t *testing.T, opts Options, docs ...string) Diagnostics {
	t.Helper()
	_, ds := Compile([]File{{Name: "in.yaml", Data: []byte(strings.Join(docs, "\n---\n"))}}, opts)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	return ds.Filter(SeverityWarning)
}

// find returns the object of a kind and name, failing the test when it is absent.
func find[T Object](t *testing.T, res *Result, kind, name string) T {
	t.Helper()
	for _, o := range res.Objects {
		if kindOf(o) == kind && o.GetName() == name {
			return o.(T)
		}
	}
	t.Fatalf("no %s %q among %d objects", kind, name, len(res.Objects))
	var zero T
	return zero
}

const testInstance = `apiVersion: sympozium.ai/v1alpha1
kind: SympoziumInstance
metadata: {name: alice, namespace: team}
spec:
  agents: {default: {model: m1}}
  skills: [{skillPackRef: p}]`

const testRun = `apiVersion: sympozium.ai/v1alpha1
kind: AgentRun
metadata: {name: r1, namespace: team}
spec:
  instanceRef: alice
  task: go`

// pack returns a SkillPack "p" in the catalog with the given sidecar YAML (indented under spec).
func pack(sidecar string) string {
	s := `apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata: {name: p, namespace: sympozium-system}
spec:
  skills: [{name: s, description: d, content: "body\n"}]`
	if sidecar != "" {
		s += "\n  sidecar:\n" + indent(sidecar, "    ")
	}
	return s
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}
