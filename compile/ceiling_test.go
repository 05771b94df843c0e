package compile

import (
	"fmt"
	"strings"
	"testing"

	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/internal/memtest"
	"github.com/skillc-dev/skillc/source"
)

// amplification is the hostile pull request of issue 25: 50 packs with rbac and clusterRBAC, one
// instance that enables all of them, and runs of that instance. 263 KB at 2,000 runs, it expands
// to about 402,000 objects.
func amplification(runs int) []source.File {
	var b strings.Builder
	for p := range 50 {
		fmt.Fprintf(&b, `apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata: {name: p%02d, namespace: sympozium-system}
spec:
  skills: [{name: s%02d, description: d, content: c}]
  sidecar:
    image: ghcr.io/example/s:1
    rbac: [{apiGroups: [""], resources: [pods], verbs: [get]}]
    clusterRBAC: [{apiGroups: [""], resources: [nodes], verbs: [get]}]
---
`, p, p)
	}
	b.WriteString("apiVersion: sympozium.ai/v1alpha1\nkind: Agent\nmetadata: {name: a, namespace: team}\nspec:\n  agents: {default: {model: m}}\n  skills:\n")
	for p := range 50 {
		fmt.Fprintf(&b, "    - skillPackRef: p%02d\n", p)
	}
	for r := range runs {
		fmt.Fprintf(&b, "---\napiVersion: sympozium.ai/v1alpha1\nkind: AgentRun\nmetadata: {name: r%05d, namespace: team}\nspec: {agentRef: a, task: t}\n", r)
	}
	return []source.File{{Name: "in.yaml", Data: []byte(b.String())}}
}

// TestObjectCeilingMemory: the amplification is refused before its objects are built (exit 2 at
// the run that crossed spec.limits.maxObjects), in a small fraction of what building them takes
// (1.29 GB when measured).
func TestObjectCeilingMemory(t *testing.T) {
	memtest.Bounded(t)
	files := amplification(2000)
	var ds diag.Diagnostics
	alloc := memtest.Allocated(func() { _, ds = Compile(files, Options{}) })
	if !ds.HasErrors() || len(ds) != 1 {
		t.Fatalf("want one refusal, got %v", ds)
	}
	d := ds[0]
	// 50 ConfigMaps, then 201 objects a run at least (a Job, four RBAC objects per pack): the
	// run that passes 200,000 is the 995th.
	if d.File != "in.yaml" || d.Field != "metadata.name" || !strings.Contains(d.Message, "AgentRun team/r00994 brings the compile to at least 200045 objects, over spec.limits.maxObjects (200000)") {
		t.Errorf("refusal = %v", d)
	}
	if max := uint64(256 << 20); alloc > max {
		t.Errorf("refusing allocated %d MiB, over %d MiB", alloc>>20, max>>20)
	}
}

// TestObjectCeilingConfig: the ceiling is the config's; the exact count applies where the lower
// bound does not reach it.
func TestObjectCeilingConfig(t *testing.T) {
	compileWith := func(limits string, runs int, more ...string) diag.Diagnostics {
		cfg := "apiVersion: skillc.dev/v1alpha1\nkind: CompilerConfig\nmetadata: {name: c}\nspec:\n  limits: {" + limits + "}\n" + strings.Join(more, "")
		files := append(amplification(runs), source.File{Name: "config.yaml", Data: []byte(cfg)})
		_, ds := Compile(files, Options{})
		return ds.Filter(diag.SeverityError)
	}
	if ds := compileWith("maxObjects: 1000", 4); len(ds) != 0 {
		t.Errorf("855 objects under a ceiling of 1000: %v", ds)
	}
	if ds := compileWith("maxObjects: 800", 4); len(ds) != 1 || !strings.Contains(ds[0].Message, "AgentRun team/r00003 brings the compile to at least 854 objects") {
		t.Errorf("854 objects (a lower bound) over a ceiling of 800: %v", ds)
	}
	// Per-run identities add a ServiceAccount a run, which the lower bound leaves out: the exact
	// count, kept while building, refuses what the lower bound let through.
	if ds := compileWith("maxObjects: 856", 4, "  identity: per-run\n"); len(ds) != 1 || !strings.Contains(ds[0].Message, "AgentRun team/r00003 brings the compile to at least 858 objects") {
		t.Errorf("858 objects (exact) over a ceiling of 856: %v", ds)
	}
	for _, bad := range []string{"maxObjects: -1", "policyTimeout: 0s", "policyTimeout: soon"} {
		if ds := compileWith(bad, 1); len(ds) != 1 || ds[0].File != "config.yaml" {
			t.Errorf("%s: %v", bad, ds)
		}
	}
}
