package policy

import (
	"strings"
	"testing"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
)

// hookedRun is pack p (catalog, reading secrets), run r1 toggling it, and the run's own hooks:
// lifecycle.rbac reading secrets too, a preRun hook on a floating tag named like the pack, and a
// postRun hook. The platform excepted p from RBAC-04 and IMG-01, allow-listed it to run as root.
const hookedRun = `apiVersion: skillc.dev/v1alpha1
kind: CompilerConfig
metadata: {name: platform}
spec:
  target: argocd
  policy:
    profile: restricted
    runAsRootAllow: [p]
    exceptions:
      - {id: p-secrets, rules: [RBAC-04, IMG-01], skillPack: p, owner: o, justification: j, expires: "2099-01-01"}
---
apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata: {name: p, namespace: sympozium-system}
spec:
  skills: [{name: s, content: x}]
  sidecar:
    image: ghcr.io/example/p:latest
    rbac: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
---
apiVersion: sympozium.ai/v1alpha1
kind: SympoziumInstance
metadata: {name: inst, namespace: team}
spec: {skills: [{skillPackRef: p}]}
---
apiVersion: sympozium.ai/v1alpha1
kind: AgentRun
metadata: {name: r1, namespace: team}
spec:
  instanceRef: inst
  task: Look.
  lifecycle:
    rbac: [{apiGroups: [""], resources: [secrets], verbs: [get]}]
    preRun:
      - name: p
        image: ghcr.io/example/fetch:latest
    postRun:
      - name: skill-p
        image: ghcr.io/example/upload:latest
`

// A run's hooks are its author's containers and grants, not a SkillPack's: the platform's
// exceptions and allow-lists for the pack the run toggles cover the pack, never the hooks, even
// when a hook is named like the pack (its container is pre-<name>, never skill-<pack>).
func TestHooksBorrowNoPackException(t *testing.T) {
	rep := gateYAML(t, hookedRun, compile.Options{})
	at := func(rule, field string) bool {
		for _, d := range rep.Findings {
			if d.Rule == rule && d.Severity == diag.SeverityDeny && d.Field == field && d.Line > 0 {
				return true
			}
		}
		return false
	}
	for _, want := range []struct{ rule, field string }{
		{"RBAC-04", "spec.lifecycle.rbac[0].verbs"},
		{"IMG-01", "spec.lifecycle.preRun[0].image"},
		{"IMG-01", "spec.lifecycle.postRun[0].image"},
	} {
		if !at(want.rule, want.field) {
			t.Errorf("no %s denial at %s: findings %v", want.rule, want.field, rep.Findings)
		}
	}
	// The pack's own findings are excepted, so the exception was in force.
	var excepted []string
	for _, e := range rep.Excepted {
		excepted = append(excepted, e.Rule+" "+e.Field)
		if strings.Contains(e.Field, "lifecycle") {
			t.Errorf("a hook's finding was excepted by the pack's exception: %+v", e)
		}
	}
	if len(excepted) < 2 {
		t.Errorf("the pack's own RBAC-04 and IMG-01 should be excepted; excepted %v", excepted)
	}
}

// Every container skillc emits for hooks passes the gate: their images the registry allow-list,
// their limits the ceilings, upstream's no-op postRun container included.
func TestHookContainersGated(t *testing.T) {
	cfg := strings.NewReplacer(
		"    runAsRootAllow: [p]\n", "    allowedRegistries: [ghcr.io/example]\n    resourceCeilings: {cpu: 200m}\n",
		"profile: restricted", "profile: baseline",
		"rbac: [{apiGroups: [\"\"], resources: [secrets], verbs: [get]}]", "rbac: [{apiGroups: [\"\"], resources: [configmaps], verbs: [get]}]",
	).Replace(hookedRun)
	rep := gateYAML(t, cfg, compile.Options{})
	wants := map[string]string{
		"RES-01 spec.lifecycle.preRun[0]":  "preRun hook's 500m limit over the ceiling",
		"RES-01 spec.lifecycle.postRun[0]": "postRun hook's 500m limit over the ceiling",
		"IMG-03 spec.lifecycle.postRun":    "upstream's busybox done container outside the allowed registries",
	}
	for _, d := range rep.Findings {
		for k := range wants {
			rule, field, _ := strings.Cut(k, " ")
			if d.Rule == rule && strings.HasPrefix(d.Field, field) && d.Severity == diag.SeverityDeny {
				delete(wants, k)
			}
		}
	}
	for k, why := range wants {
		t.Errorf("no %s finding (%s): %v", k, why, rep.Findings)
	}
}

// A tenant's Agent grants its hooks what it likes and then writes one harmless run: written runs do
// not take the Agent's lifecycle (upstream copies it only into the runs it creates), so without a
// stand-in the Agent's hooks — which every scheduled or API-created run will carry — are never
// gated.
func TestAgentHooksGatedBesideWrittenRuns(t *testing.T) {
	const src = `apiVersion: sympozium.ai/v1alpha1
kind: Agent
metadata: {name: inst, namespace: team}
spec:
  agents:
    default:
      model: m
      lifecycle:
        rbac: [{apiGroups: [""], resources: [secrets], verbs: [get, list]}]
        preRun:
          - {name: fetch, image: ghcr.io/example/fetch@sha256:0000000000000000000000000000000000000000000000000000000000000000}
---
apiVersion: sympozium.ai/v1alpha1
kind: AgentRun
metadata: {name: r1, namespace: team}
spec: {agentRef: inst, task: Look.}
`
	rep := gateYAML(t, src, compile.Options{})
	for _, d := range rep.Findings {
		if d.Rule == "RBAC-04" && d.Severity == diag.SeverityDeny && strings.HasPrefix(d.Field, "spec.agents.default.lifecycle.rbac[0]") {
			return
		}
	}
	t.Errorf("the Agent's lifecycle.rbac reading secrets was not gated beside a written run: %v", rep.Findings)
}
