package compile

import (
	"maps"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

const testSchedule = `apiVersion: sympozium.ai/v1alpha1
kind: SympoziumSchedule
metadata: {name: nightly, namespace: team}
spec:
  instanceRef: alice
  schedule: "0 3 * * *"
  task: sweep`

// TestTargets compiles a run and a schedule whose pack has namespaced and cluster RBAC, and
// checks every object's annotations for each target.
func TestTargets(t *testing.T) {
	prereq := map[string]string{"argocd.argoproj.io/sync-wave": "0"}
	tests := []struct {
		target string
		want   map[string]map[string]string // kind → annotations; kinds absent want none
	}{
		{"", nil},
		{"plain", nil},
		{"argocd", map[string]map[string]string{
			"ServiceAccount":     prereq,
			"ConfigMap":          prereq,
			"Role":               prereq,
			"ClusterRole":        prereq,
			"RoleBinding":        prereq,
			"ClusterRoleBinding": prereq,
			"Job": {
				"argocd.argoproj.io/sync-wave":    "1",
				"argocd.argoproj.io/sync-options": "Force=true,ServerSideApply=false",
			},
			"CronJob":               {"argocd.argoproj.io/sync-wave": "1"},
			"Deployment":            {"argocd.argoproj.io/sync-wave": "1"},
			"PersistentVolumeClaim": {"argocd.argoproj.io/sync-wave": "1"},
			"Sandbox":               {"argocd.argoproj.io/sync-wave": "1"},
			"SandboxClaim":          {"argocd.argoproj.io/sync-wave": "1"},
			"SandboxWarmPool":       prereq,
		}},
		{"flux", map[string]map[string]string{
			"Job": {"kustomize.toolkit.fluxcd.io/force": "enabled"},
		}},
	}
	sidecar := "image: reg/x:1\nrbac: [{apiGroups: [\"\"], resources: [pods], verbs: [get]}]\nclusterRBAC: [{apiGroups: [\"\"], resources: [nodes], verbs: [get]}]"
	for _, tt := range tests {
		t.Run("target="+tt.target, func(t *testing.T) {
			// The Agent has a WhatsApp channel (a Deployment and its claim) and a warm pool; one
			// run is a Sandbox, another a claim on the pool.
			agent := strings.Replace(testInstance, "agents: {default: {model: m1}}", "agents: {default: {model: m1, agentSandbox: {enabled: true, warmPool: {size: 1}}}}\n  channels: [{type: whatsapp}]", 1)
			sandboxed := strings.Replace(testRun, "name: r1", "name: r2", 1) + "\n  agentSandbox: {enabled: true}"
			claim := strings.Replace(testRun, "name: r1", "name: r3", 1) + "\n  agentSandbox: {enabled: true, warmPoolRef: wp-alice}"
			res, diags := compileYAML(t, Options{Target: tt.target}, pack(sidecar), agent, testRun, testSchedule, sandboxed, claim)
			if diags != nil {
				t.Fatal(diags)
			}
			seen := map[string]bool{}
			for _, o := range res.Objects {
				kind := kindOf(o)
				seen[kind] = true
				got := maps.Clone(o.GetAnnotations())
				delete(got, AnnotationSkillPacks) // every target's: TestPackIdentityAnnotation
				if len(got) == 0 {
					got = nil
				}
				if diff := cmp.Diff(tt.want[kind], got); diff != "" {
					t.Errorf("%s %s annotations (-want +got):\n%s", kind, o.GetName(), diff)
				}
				// Annotations go on the object only: a pod template annotation would change
				// the pod and, for a Job, its immutable spec.
				if tmpl := podTemplateAnnotations(o); len(tmpl) > 0 {
					t.Errorf("%s %s: pod template annotated %v", kind, o.GetName(), tmpl)
				}
			}
			for _, k := range []string{"ServiceAccount", "ConfigMap", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "Job", "CronJob",
				"Deployment", "PersistentVolumeClaim", "Sandbox", "SandboxClaim", "SandboxWarmPool"} {
				if !seen[k] {
					t.Errorf("no %s compiled: the case does not cover it", k)
				}
			}
		})
	}
}

func podTemplateAnnotations(o Object) map[string]string {
	if t := PodTemplateOf(o); t != nil {
		return t.Annotations
	}
	return nil
}

// TestApplyTargetKeepsAnnotations: a target adds to what an object carries, never replaces it
// (a SKILL.md pack's ConfigMap carries its front matter).
func TestApplyTargetKeepsAnnotations(t *testing.T) {
	cm := &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: "c", Annotations: map[string]string{"skillc.dev/front-matter": "name: x"}},
	}
	applyTarget("argocd", []Object{cm})
	want := map[string]string{"skillc.dev/front-matter": "name: x", "argocd.argoproj.io/sync-wave": "0"}
	if diff := cmp.Diff(want, cm.GetAnnotations()); diff != "" {
		t.Errorf("annotations (-want +got):\n%s", diff)
	}
}
