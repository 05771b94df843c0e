package compile

import (
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	"k8s.io/apimachinery/pkg/api/equality"
)

// agentWith is the test Agent (team/alice, skills [p]) with its agents.default extended by extra
// (YAML under default:, indented six spaces).
func agentWith(extra string) string {
	return "apiVersion: sympozium.ai/v1alpha1\nkind: Agent\nmetadata: {name: alice, namespace: team}\nspec:\n  skills: [{skillPackRef: p}]\n  agents:\n    default:\n      model: m1\n" + extra
}

func TestBuildAgentSandbox(t *testing.T) {
	tests := []struct {
		name  string
		opts  Options
		run   string // appended to the test run's spec
		check func(t *testing.T, res *Result)
	}{
		{
			name: "a Sandbox carries the Job's pod, with the runtime class and the run's deadline",
			run:  "\n  timeout: 5m\n  agentSandbox: {enabled: true, runtimeClass: gvisor}",
			check: func(t *testing.T, res *Result) {
				sb := find[*Sandbox](t, res, KindSandbox, "sb-r1")
				if sb.APIVersion != "agents.x-k8s.io/v1alpha1" || sb.Namespace != "team" {
					t.Errorf("apiVersion %s namespace %s", sb.APIVersion, sb.Namespace)
				}
				spec := sb.Spec.PodTemplate.Spec
				if spec.RuntimeClassName == nil || *spec.RuntimeClassName != "gvisor" {
					t.Errorf("runtimeClassName = %v", spec.RuntimeClassName)
				}
				if spec.ActiveDeadlineSeconds == nil || *spec.ActiveDeadlineSeconds != 360 {
					t.Errorf("activeDeadlineSeconds = %v, want 360 (timeout + 60 s, as the Job's)", spec.ActiveDeadlineSeconds)
				}
				for _, l := range []map[string]string{sb.Labels, sb.Spec.PodTemplate.Labels} {
					if l[LabelAgentSandbox] != "true" || l[LabelAgentRun] != "r1" || l[LabelInstance] != "alice" {
						t.Errorf("labels = %v", l)
					}
				}
				if sb.Annotations[AnnotationSkillPacks] != "sympozium-system/p" {
					t.Errorf("pack identities = %q", sb.Annotations[AnnotationSkillPacks])
				}
				for _, o := range res.Objects {
					if _, ok := o.(*batchv1.Job); ok {
						t.Errorf("a sandbox-backed run also got Job %s", o.GetName())
					}
				}
			},
		},
		{
			name: "the same pod as the Job's",
			run:  "\n  agentSandbox: {enabled: true}",
			check: func(t *testing.T, res *Result) {
				job, _ := compileYAML(t, Options{}, pack("image: reg/x:1"), agentWith(""), strings.Replace(testRun, "instanceRef", "agentRef", 1))
				want := find[*batchv1.Job](t, job, "Job", "r1").Spec.Template.Spec
				got := find[*Sandbox](t, res, KindSandbox, "sb-r1").Spec.PodTemplate.Spec
				got.ActiveDeadlineSeconds = nil // the Job keeps its deadline on the Job
				if !equality.Semantic.DeepEqual(want, got) {
					t.Errorf("the Sandbox's pod differs from the Job's:\nJob:     %+v\nSandbox: %+v", want, got)
				}
			},
		},
		{
			name: "a warm pool claim carries no pod and says so",
			run:  "\n  agentSandbox: {enabled: true, warmPoolRef: wp-alice}",
			check: func(t *testing.T, res *Result) {
				c := find[*SandboxClaim](t, res, KindSandboxClaim, "sbc-r1")
				if c.Spec.WarmPoolRef.Name != "wp-alice" || c.Labels[LabelAgentSandbox] != "true" {
					t.Errorf("claim = %+v", c)
				}
				if PodSpecOf(c) != nil || PodSpecPath(c) != "" {
					t.Error("a claim has no pod")
				}
			},
		},
		{
			name: "disabled: a Job",
			run:  "\n  agentSandbox: {enabled: false, runtimeClass: gvisor}",
			check: func(t *testing.T, res *Result) {
				find[*batchv1.Job](t, res, "Job", "r1")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := strings.Replace(testRun, "instanceRef", "agentRef", 1) + tt.run
			res, ds := compileYAML(t, tt.opts, pack("image: reg/x:1"), agentWith(""), run)
			if ds != nil {
				t.Fatal(ds)
			}
			tt.check(t, res)
		})
	}
}

func TestBuildWarmPool(t *testing.T) {
	tests := []struct {
		name, agent  string
		opts         Options
		size         int64
		runtimeClass string
		none         bool
	}{
		{name: "the pool's runtime class", agent: "      agentSandbox: {enabled: true, runtimeClass: kata, warmPool: {size: 3, runtimeClass: gvisor}}", size: 3, runtimeClass: "gvisor"},
		{name: "the Agent's runtime class, the CRD's default size", agent: "      agentSandbox: {enabled: true, runtimeClass: kata, warmPool: {}}", size: 2, runtimeClass: "kata"},
		{name: "an explicit zero", agent: "      agentSandbox: {enabled: true, warmPool: {size: 0}}", size: 0},
		{name: "per-run identity: the pool's service account still exists", opts: Options{Identity: "per-run"}, agent: "      agentSandbox: {enabled: true, warmPool: {size: 1}}", size: 1},
		{name: "disabled: no pool", agent: "      agentSandbox: {enabled: false, warmPool: {size: 3}}", none: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, ds := compileYAML(t, tt.opts, pack(""), agentWith(tt.agent))
			if ds != nil {
				t.Fatal(ds)
			}
			if tt.none {
				for _, o := range res.Objects {
					if kindOf(o) == KindSandboxWarmPool {
						t.Fatalf("unexpected %s", o.GetName())
					}
				}
				return
			}
			wp := find[*SandboxWarmPool](t, res, KindSandboxWarmPool, "wp-alice")
			if wp.Spec.Size != tt.size || wp.Spec.RuntimeClassName != tt.runtimeClass {
				t.Errorf("size %d runtimeClassName %q, want %d %q", wp.Spec.Size, wp.Spec.RuntimeClassName, tt.size, tt.runtimeClass)
			}
			spec := wp.Spec.PodTemplate.Spec
			if spec.ServiceAccountName != SharedServiceAccount || len(spec.Containers) != 1 || spec.Containers[0].Image != "ghcr.io/sympozium-ai/sympozium/agent-runner:v0.10.46" {
				t.Errorf("pool pod = %+v", spec)
			}
			find[Object](t, res, "ServiceAccount", SharedServiceAccount)
		})
	}
}

func TestAgentSandboxWarnings(t *testing.T) {
	warns := compileWarnings(t, Options{}, pack(""), agentWith("      agentSandbox: {enabled: true, warmPool: {size: 1}}"),
		strings.Replace(testRun, "instanceRef: alice", "agentRef: alice\n  agentSandbox: {enabled: true, warmPoolRef: wp-alice}", 1))
	for _, want := range []struct{ field, text string }{
		{"spec.agents.default.agentSandbox.enabled", "does not apply an Agent's agentSandbox to its runs"},
		{"spec.agents.default.agentSandbox.warmPool", "extensions.agents.x-k8s.io"},
		{"spec.agentSandbox.warmPoolRef", "without this run's task, skills, sidecars or env"},
	} {
		found := false
		for _, w := range warns {
			found = found || w.Field == want.field && strings.Contains(w.Message, want.text) && w.Line > 0
		}
		if !found {
			t.Errorf("no warning at %s saying %q: %v", want.field, want.text, warns)
		}
	}
}
