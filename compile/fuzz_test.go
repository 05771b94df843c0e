package compile

import (
	"strings"
	"testing"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/internal/emit"
	"github.com/skillc-dev/skillc/internal/testinput"
	"github.com/skillc-dev/skillc/source"
)

// Fuzz targets for what compile reads from untrusted input (source's parsers have their own, in
// source/fuzz_test.go). The property is always the same: no panic, no hang, and either a result
// or diagnostics that carry a file name.

func FuzzLoad(f *testing.F) {
	f.Add([]byte(pack("image: r/x:1\nrbac: [{apiGroups: [\"\"], resources: [pods], verbs: [get]}]") + "\n---\n" + testInstance + "\n---\n" + testRun))
	f.Add([]byte("a: &a [x]\nb: *a\n"))
	f.Add([]byte("apiVersion: sympozium.ai/v1alpha1\nkind: AgentRun\nspec: {task: {a: [1, {b: null}]}}\n"))
	f.Add([]byte("---\n---\n- 1\n"))
	f.Add([]byte("apiVersion: sympozium.ai/v1alpha1\nkind: SkillPack\nspec:\n  sidecar:\n    volumes: [{name: v, emptyDir: {sizeLimit: 1Gi}}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, diags := source.Load([]source.File{{Name: "fuzz.yaml", Data: data}})
		checkDiagnostics(t, diags)
		if !diags.HasErrors() {
			// Whatever loaded must also build or fail cleanly.
			res, ds := Build(in, api.DefaultConfig())
			if ds.HasErrors() {
				checkDiagnostics(t, ds)
			} else if _, err := emit.MarshalStream(res.Objects); err != nil {
				t.Fatalf("serializing: %v", err)
			}
		}
	})
}

func FuzzNames(f *testing.F) {
	for _, s := range []string{"k8s-ops", "A", "", "a.b", strings.Repeat("a", 64), "../x", "skillpack-x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		src := diag.NewSource("f.yaml", 1, nil)
		p := &api.SkillPack{Spec: api.SkillPackSpec{Skills: []api.Skill{{Name: name, Content: "x"}}, Sidecar: &api.Sidecar{Image: "r/x:1"}}}
		p.Metadata.Name = name
		p.Src = src
		diags := validatePack(p)
		checkDiagnostics(t, diags)
		if !diags.HasErrors() {
			// Anything accepted must fit every name it becomes.
			if len(name) > 57 || !skillNameRE.MatchString(name) || len(paramEnvName(name)) == 0 {
				t.Fatalf("accepted %q", name)
			}
		}
	})
}

func checkDiagnostics(t *testing.T, diags diag.Diagnostics) { testinput.CheckDiagnostics(t, diags) }
