package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/skillc-dev/skillc/policy/output"
)

// The example (fixtures/denied/least-privilege): a skill runs `kubectl get deployments`,
// `kubectl describe deployment web`, `kubectl logs deploy/web` and `kubectl rollout restart
// deployment web`; the pack grants get/list on configmaps and delete on pods, which none of them
// needs, and lacks pods/log.
const lpFixture = "fixtures/denied/least-privilege"

// TestLeastPrivilegeExample: RBAC-20 for the configmaps rule and the pods delete, RBAC-21 for
// `kubectl logs`, denied under restricted; `skillc rbac` suggests pods/log get and deployments
// patch, and no configmaps or delete.
func TestLeastPrivilegeExample(t *testing.T) {
	stdout, stderr, code := execute(t, "check", "--profile", "restricted", "--format", "json", lpFixture)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (denied); stderr:\n%s", code, stderr)
	}
	var rep struct {
		Findings []struct {
			File, Field, Rule, Severity, Message string
			Line                                 int
		}
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rep.Findings {
		if f.Rule == "RBAC-20" || f.Rule == "RBAC-21" {
			got = append(got, f.Rule+" "+f.Severity+" "+f.Field)
		}
		switch {
		case f.Rule == "RBAC-20" && f.Field == "spec.sidecar.rbac[0]" && !strings.Contains(f.Message, "grants configmaps get, list, which no command"),
			f.Rule == "RBAC-20" && f.Field == "spec.sidecar.rbac[1]" && !strings.Contains(f.Message, "grants pods delete, which no command"),
			f.Rule == "RBAC-21" && !strings.Contains(f.Message, "the run will get Forbidden for `kubectl logs deploy/web` at "+lpFixture+"/input.yaml:21: add pods/log get."):
			t.Errorf("%s %s: %s", f.Rule, f.Field, f.Message)
		}
	}
	want := []string{"RBAC-21 warning spec.skills[0].content", "RBAC-20 deny spec.sidecar.rbac[0]", "RBAC-20 deny spec.sidecar.rbac[1]"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}

	// Baseline: the same findings, warnings; nothing denied for them.
	stdout, _, _ = execute(t, "check", "--format", "json", lpFixture)
	if !strings.Contains(stdout, `"rule": "RBAC-20",
      "severity": "warning"`) || strings.Contains(stdout, `"rule": "RBAC-20",
      "severity": "deny"`) {
		t.Errorf("baseline RBAC-20 is not a warning:\n%s", stdout)
	}

	stdout, stderr, code = execute(t, "rbac", "web-ops", "--format", "json", lpFixture)
	if code != 0 {
		t.Fatalf("rbac: exit %d\n%s", code, stderr)
	}
	var sug struct {
		RBAC, ClusterRBAC []struct{ APIGroups, Resources, Verbs []string }
	}
	if err := json.Unmarshal([]byte(stdout), &sug); err != nil {
		t.Fatal(err)
	}
	has := func(group, resource, verb string) bool {
		for _, r := range slices.Concat(sug.RBAC, sug.ClusterRBAC) {
			if slices.Contains(r.APIGroups, group) && slices.Contains(r.Resources, resource) && slices.Contains(r.Verbs, verb) {
				return true
			}
		}
		return false
	}
	if !has("", "pods/log", "get") || !has("apps", "deployments", "patch") {
		t.Errorf("rbac does not suggest pods/log get and deployments patch:\n%s", stdout)
	}
	for _, r := range slices.Concat(sug.RBAC, sug.ClusterRBAC) {
		if slices.Contains(r.Resources, "configmaps") || slices.Contains(r.Verbs, "delete") {
			t.Errorf("rbac suggests %v", r)
		}
	}
}

// TestLeastPrivilegeEveryFormat: RBAC-20, RBAC-21 and the RBAC-21 note reach every report format.
func TestLeastPrivilegeEveryFormat(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir+"/pack.yaml", `apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata: {name: k, namespace: sympozium-system}
spec:
  skills:
    - name: s
      content: |
        `+"```sh"+`
        helm list
        kubectl logs web
        `+"```"+`
  sidecar:
    image: ghcr.io/example/k:1.0.0
    rbac: [{apiGroups: [""], resources: [configmaps], verbs: [list]}]
---
apiVersion: sympozium.ai/v1alpha1
kind: Agent
metadata: {name: a, namespace: team}
spec: {skills: [{skillPackRef: k}]}
`)
	for _, format := range output.Formats() {
		t.Run(format, func(t *testing.T) {
			stdout, stderr, code := execute(t, "check", "--format", format, dir)
			if code != 0 {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			for _, want := range []string{"RBAC-20", "RBAC-21", "helm list", "pods/log get", "pack.yaml"} {
				if !strings.Contains(stdout, want) {
					t.Errorf("%s output lacks %q:\n%s", format, want, stdout)
				}
			}
		})
	}
}
