package compile

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/source"
)

func srcFiles(docs ...string) []source.File {
	return []source.File{{Name: "in.yaml", Data: []byte(strings.Join(docs, "\n---\n"))}}
}

// hookRun is testRun with lifecycle (YAML indented under spec.lifecycle) and env.
func hookRun(lifecycle string) string {
	return testRun + `
  env: {RUN_ENV: "1"}
  lifecycle:
` + indentBy(lifecycle, "    ")
}

func indentBy(s, prefix string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}

func envNames(env []corev1.EnvVar) []string {
	var out []string
	for _, e := range env {
		out = append(out, e.Name)
	}
	return out
}

const twoPreHooks = `rbac: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
preRun:
  - name: one
    image: reg/one:1
    env: [{name: OWN, value: x}]
  - name: two
    image: reg/two:1
    command: [run]
    args: [--fast]`

// Hooks run before the skill sidecars, as upstream's plain-container sidecars start after every
// init container; with --sidecars containers they are simply the init containers.
func TestPreRunHooksOrder(t *testing.T) {
	for _, tt := range []struct {
		sidecars api.SidecarMode
		init     []string
	}{
		{api.SidecarsNative, []string{"pre-one", "pre-two", "skill-p"}},
		{api.SidecarsContainers, []string{"pre-one", "pre-two"}},
	} {
		t.Run(string(tt.sidecars), func(t *testing.T) {
			res, ds := compileYAML(t, Options{Sidecars: string(tt.sidecars)}, pack("image: reg/x:1"), testInstance, hookRun(twoPreHooks))
			if ds != nil {
				t.Fatal(ds)
			}
			job := find[*batchv1.Job](t, res, "Job", "r1")
			spec := job.Spec.Template.Spec
			if got := containerNames(spec.InitContainers); !slices.Equal(got, tt.init) {
				t.Fatalf("init containers = %v, want %v", got, tt.init)
			}
			// The sidecar's records moved with it: a finding on it still names the pack.
			from := res.OriginsOf(job)
			i := slices.Index(containerNames(spec.InitContainers), "skill-p")
			path := "spec.template.spec.containers[2].image"
			if i >= 0 {
				path = "spec.template.spec.initContainers[2].image"
			}
			if org, _ := from.Lookup(path); org.Field != "spec.sidecar.image" {
				t.Errorf("%s comes from %s, want the pack's spec.sidecar.image", path, org)
			}
			for j, want := range []string{"spec.lifecycle.preRun[0].image", "spec.lifecycle.preRun[1].image"} {
				if org, _ := from.Lookup(fmt.Sprintf("spec.template.spec.initContainers[%d].image", j)); org.Field != want {
					t.Errorf("hook %d's image comes from %s, want %s", j, org, want)
				}
			}
			c := spec.InitContainers[1]
			if c.RestartPolicy != nil || !slices.Equal(c.Command, []string{"run"}) || !slices.Equal(c.Args, []string{"--fast"}) || c.ImagePullPolicy != corev1.PullIfNotPresent {
				t.Errorf("hook two = %+v", c)
			}
			if sc := c.SecurityContext; !*sc.ReadOnlyRootFilesystem || *sc.AllowPrivilegeEscalation || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) {
				t.Errorf("hook security context = %+v", sc)
			}
			if r := c.Resources; r.Limits.Cpu().String() != "500m" || r.Requests.Memory().String() != "128Mi" {
				t.Errorf("hook resources = %+v", r)
			}
		})
	}
}

// The variables of a hook, in upstream's order: preRun (buildContainers) its own env before the
// run's; postRun (buildPostRunJob) the outcome and the run's env before its own.
func TestHookEnv(t *testing.T) {
	res, ds := compileYAML(t, Options{Target: "argocd"}, pack(""), testInstance, hookRun(`
preRun: [{name: pre, image: reg/a:1, env: [{name: OWN, value: x}, {name: TOKEN, valueFrom: {secretKeyRef: {name: s, key: k, optional: true}}}]}]
postRun: [{name: post, image: reg/b:1, env: [{name: OWN, value: y}]}]`))
	if ds != nil {
		t.Fatal(ds)
	}
	pre := find[*batchv1.Job](t, res, "Job", "r1").Spec.Template.Spec.InitContainers[0]
	if got, want := envNames(pre.Env), []string{"AGENT_RUN_ID", "INSTANCE_NAME", "AGENT_NAMESPACE", "OWN", "TOKEN", "RUN_ENV"}; !slices.Equal(got, want) {
		t.Errorf("preRun env = %v, want %v", got, want)
	}
	if ref := pre.Env[4].ValueFrom.SecretKeyRef; ref.Name != "s" || ref.Key != "k" || !*ref.Optional {
		t.Errorf("secretKeyRef = %+v", ref)
	}
	post := find[*batchv1.Job](t, res, "Job", "r1-postrun").Spec.Template.Spec.InitContainers[0]
	if got, want := envNames(post.Env), []string{"AGENT_RUN_ID", "INSTANCE_NAME", "AGENT_NAMESPACE", "AGENT_EXIT_CODE", "RUN_ENV", "OWN"}; !slices.Equal(got, want) {
		t.Errorf("postRun env = %v, want %v", got, want)
	}
	if post.Env[3].Value != "0" {
		t.Errorf("AGENT_EXIT_CODE = %q", post.Env[3].Value)
	}
	from := res.OriginsOf(find[*batchv1.Job](t, res, "Job", "r1-postrun"))
	for path, want := range map[string]string{
		"spec.template.spec.initContainers[0].env[4]": "spec.env.RUN_ENV",
		"spec.template.spec.initContainers[0].env[5]": "spec.lifecycle.postRun[0].env[0]",
		"spec.template.spec.containers[0].image":      "spec.lifecycle.postRun",
	} {
		if org, _ := from.Lookup(path); org.Field != want {
			t.Errorf("%s comes from %s, want %s", path, org, want)
		}
	}
}

// postRun hooks run after the agent only where Argo CD orders them: elsewhere they are refused at
// their line, and on a schedule everywhere; a stand-in (never applied) is built to be gated.
func TestPostRunPlacement(t *testing.T) {
	const post = "postRun: [{name: up, image: reg/up:1}]"
	agentPost := strings.Replace(testInstance, "agents: {default: {model: m1}}", "agents: {default: {model: m1, lifecycle: {postRun: [{name: up, image: reg/up:1}]}}}", 1)
	schedule := `apiVersion: sympozium.ai/v1alpha1
kind: SympoziumSchedule
metadata: {name: nightly, namespace: team}
spec: {agentRef: alice, schedule: "@daily", task: go}`
	tests := []struct {
		name    string
		target  string
		docs    []string
		err     string // an input error containing this
		warning bool
		objects []string // kind/name emitted besides the agent's Job
	}{
		{"plain", "plain", []string{hookRun(post)}, "with spec.target plain", false, nil},
		{"flux", "flux", []string{hookRun(post)}, "with spec.target flux", false, nil},
		{"argocd", "argocd", []string{hookRun(post)}, "", true, []string{"Job/r1-postrun", "PersistentVolumeClaim/r1-workspace"}},
		{"schedule under argocd", "argocd", []string{schedule}, "SympoziumSchedule team/nightly runs this Agent", false, nil},
		{"stand-in", "plain", nil, "", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs := append([]string{pack(""), agentPost}, tt.docs...)
			res, ds := Compile(srcFiles(docs...), Options{Target: tt.target})
			if tt.err != "" {
				if !ds.HasErrors() || !strings.Contains(ds.Error(), tt.err) {
					t.Fatalf("want an error with %q, got %v", tt.err, ds)
				}
				for _, d := range ds.Filter(diag.SeverityError) {
					if !strings.HasSuffix(d.Field, "lifecycle.postRun") || d.Line == 0 {
						t.Errorf("error at %s:%d %s, want the postRun line", d.File, d.Line, d.Field)
					}
				}
				return
			}
			if ds.HasErrors() {
				t.Fatal(ds)
			}
			if got := len(ds.Filter(diag.SeverityWarning)) > 0; got != tt.warning {
				t.Errorf("warning = %v, want %v: %v", got, tt.warning, ds)
			}
			var got []string
			for _, o := range res.Objects {
				if k := kindOf(o); k == "PersistentVolumeClaim" || k == "Job" && o.GetName() != "r1" {
					got = append(got, k+"/"+o.GetName())
				}
			}
			if !slices.Equal(got, tt.objects) {
				t.Errorf("emitted %v, want %v", got, tt.objects)
			}
			if tt.name == "stand-in" {
				var standIn []string
				for _, o := range res.StandIns {
					standIn = append(standIn, kindOf(o)+"/"+o.GetName())
				}
				if !slices.Contains(standIn, "Job/skillc-stand-in-postrun") {
					t.Errorf("the Agent's postRun hooks are not gated: stand-ins %v", standIn)
				}
			}
		})
	}
}

// Under Argo CD the postRun Job is a PostSync hook kept once it succeeded, on the agent's
// workspace claim, and its template follows the agent Job's: a run that runs again runs its
// postRun hooks again, and an unchanged one does not.
func TestPostRunJob(t *testing.T) {
	build := func(task string) (*batchv1.Job, *batchv1.Job, *corev1.PersistentVolumeClaim) {
		run := strings.Replace(hookRun("postRun: [{name: up, image: reg/up:1}]"), "task: go", "task: "+task, 1)
		res, ds := compileYAML(t, Options{Target: "argocd"}, pack(""), testInstance, run)
		if ds != nil {
			t.Fatal(ds)
		}
		return find[*batchv1.Job](t, res, "Job", "r1"), find[*batchv1.Job](t, res, "Job", "r1-postrun"),
			find[*corev1.PersistentVolumeClaim](t, res, "PersistentVolumeClaim", "r1-workspace")
	}
	agent, post, claim := build("go")
	if a := post.Annotations; a[annotationArgoHook] != "PostSync" || a[annotationArgoHookDeletePolicy] != "HookFailed" || a[annotationArgoSyncOptions] != argoJobSyncOptions {
		t.Errorf("postRun Job annotations = %v", a)
	}
	if claim.Annotations[annotationArgoSyncWave] != agent.Annotations[annotationArgoSyncWave] {
		t.Errorf("claim wave %q, agent Job wave %q: a WaitForFirstConsumer claim in an earlier wave never binds", claim.Annotations[annotationArgoSyncWave], agent.Annotations[annotationArgoSyncWave])
	}
	for name, spec := range map[string]corev1.PodSpec{"agent": agent.Spec.Template.Spec, "postRun": post.Spec.Template.Spec} {
		if pvc := spec.Volumes[0].PersistentVolumeClaim; spec.Volumes[0].Name != VolumeWorkspace || pvc == nil || pvc.ClaimName != "r1-workspace" {
			t.Errorf("%s workspace = %+v", name, spec.Volumes[0])
		}
	}
	spec := post.Spec.Template.Spec
	if got := containerNames(spec.InitContainers); !slices.Equal(got, []string{"post-up"}) {
		t.Errorf("postRun init containers = %v", got)
	}
	if c := spec.Containers[0]; c.Name != "done" || c.Image != postRunDoneImage {
		t.Errorf("postRun main container = %+v", c)
	}
	if *post.Spec.ActiveDeadlineSeconds != 600 || *post.Spec.BackoffLimit != 0 || post.Spec.TTLSecondsAfterFinished != nil {
		t.Errorf("postRun Job spec = %+v", post.Spec)
	}
	if post.Annotations[AnnotationSkillPacks] != "" || post.Labels[LabelSkill] != "" {
		t.Errorf("the postRun Job carries a pack identity: %v %v", post.Annotations, post.Labels)
	}
	digest := post.Spec.Template.Annotations[AnnotationAgentRunTemplate]
	if !strings.HasPrefix(digest, "sha256:") {
		t.Fatalf("template digest = %q", digest)
	}
	if _, again, _ := build("go"); again.Spec.Template.Annotations[AnnotationAgentRunTemplate] != digest {
		t.Error("the same run gives another digest")
	}
	if _, changed, _ := build("go again"); changed.Spec.Template.Annotations[AnnotationAgentRunTemplate] == digest {
		t.Error("a changed task leaves the postRun Job unchanged: Argo CD would not run its hooks again")
	}
}

// With one identity per run, lifecycle.rbac's grants reach the hooks through the run's token,
// which the agent never mounts; without lifecycle.rbac no hook gets it.
func TestHookToken(t *testing.T) {
	for _, tt := range []struct {
		name      string
		lifecycle string
		token     bool
	}{
		{"rbac", twoPreHooks + "\npostRun: [{name: up, image: reg/up:1}]", true},
		{"no rbac", "preRun: [{name: one, image: reg/one:1}]\npostRun: [{name: up, image: reg/up:1}]", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, ds := compileYAML(t, Options{Identity: "per-run", Target: "argocd"}, pack(""), testInstance, hookRun(tt.lifecycle))
			if ds != nil {
				t.Fatal(ds)
			}
			mounts := func(c corev1.Container) bool {
				return slices.ContainsFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool { return m.Name == TokenVolume })
			}
			for _, name := range []string{"r1", "r1-postrun"} {
				spec := find[*batchv1.Job](t, res, "Job", name).Spec.Template.Spec
				if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
					t.Errorf("%s automounts the token", name)
				}
				if got := mountsVolume(&spec, TokenVolume); got != tt.token {
					t.Errorf("%s mounts the token: %v, want %v", name, got, tt.token)
				}
				if has := slices.ContainsFunc(spec.Volumes, func(v corev1.Volume) bool { return v.Name == TokenVolume }); has != tt.token {
					t.Errorf("%s has the token volume: %v, want %v", name, has, tt.token)
				}
				for _, c := range spec.Containers {
					if mounts(c) {
						t.Errorf("%s: %s mounts the run's token", name, c.Name)
					}
				}
				for _, c := range spec.InitContainers {
					if mounts(c) != tt.token {
						t.Errorf("%s: hook %s mounts the token: %v, want %v", name, c.Name, mounts(c), tt.token)
					}
				}
			}
			if tt.token {
				b := find[*rbacv1.RoleBinding](t, res, "RoleBinding", "sympozium-lifecycle-r1")
				if s := b.Subjects; len(s) != 1 || s[0].Name != "sympozium-run-r1" || s[0].Namespace != "team" {
					t.Errorf("lifecycle binding subjects = %+v", s)
				}
			}
		})
	}
}

// The lifecycle Role is upstream's ensureLifecycleRBAC, labelled as no pack's, and its rules come
// from lifecycle.rbac (so the gate's findings point there).
func TestLifecycleRBAC(t *testing.T) {
	res, ds := compileYAML(t, Options{}, pack(""), testInstance, hookRun(`rbac:
  - apiGroups: [""]
    resources: [configmaps]
    verbs: [get, create]
  - apiGroups: [batch]
    resources: [jobs]
    verbs: [list]`))
	if ds != nil {
		t.Fatal(ds)
	}
	role := find[*rbacv1.Role](t, res, "Role", "sympozium-lifecycle-r1")
	if len(role.Rules) != 2 || role.Rules[1].Resources[0] != "jobs" {
		t.Errorf("rules = %+v", role.Rules)
	}
	if l := role.Labels; l[LabelComponent] != ComponentLifecycle || l[LabelAgentRun] != "r1" || l[LabelSkill] != "" {
		t.Errorf("labels = %v", l)
	}
	b := find[*rbacv1.RoleBinding](t, res, "RoleBinding", "sympozium-lifecycle-r1")
	if b.RoleRef.Name != role.Name || b.Subjects[0].Name != SharedServiceAccount {
		t.Errorf("binding = %+v", b)
	}
	path, org, ok := res.OriginsOf(role).Find("rules[1].verbs[0]")
	org = org.Below("rules[1].verbs[0]"[len(path):])
	if !ok || org.Field != "spec.lifecycle.rbac[1].verbs[0]" || org.Line == 0 {
		t.Errorf("rules[1].verbs[0] comes from %+v", org)
	}
}

// A schedule's pod gets the Agent's hooks, written at spec.agents.default.lifecycle, and the
// Agent's env; AGENT_RUN_ID is each trigger's Job name.
func TestScheduleHooks(t *testing.T) {
	inst := strings.Replace(testInstance, "agents: {default: {model: m1}}", `agents:
    default:
      model: m1
      env: {TEAM: a}
      lifecycle:
        preRun: [{name: fetch, image: reg/f:1}]`, 1)
	res, ds := compileYAML(t, Options{}, pack(""), inst, `apiVersion: sympozium.ai/v1alpha1
kind: SympoziumSchedule
metadata: {name: nightly, namespace: team}
spec: {agentRef: alice, schedule: "@daily", task: go}`)
	if ds != nil {
		t.Fatal(ds)
	}
	cj := find[*batchv1.CronJob](t, res, "CronJob", "nightly")
	c := cj.Spec.JobTemplate.Spec.Template.Spec.InitContainers[0]
	if c.Name != "pre-fetch" || c.Env[0].ValueFrom == nil || !slices.Equal(envNames(c.Env), []string{"AGENT_RUN_ID", "INSTANCE_NAME", "AGENT_NAMESPACE", "TEAM"}) {
		t.Errorf("schedule hook = %+v", c)
	}
	from := res.OriginsOf(cj)
	for path, want := range map[string]string{
		"spec.jobTemplate.spec.template.spec.initContainers[0].image":  "spec.agents.default.lifecycle.preRun[0].image",
		"spec.jobTemplate.spec.template.spec.initContainers[0].env[3]": "spec.agents.default.env.TEAM",
	} {
		if org, _ := from.Lookup(path); org.Field != want {
			t.Errorf("%s comes from %s, want %s", path, org, want)
		}
	}
}

func TestValidateLifecycle(t *testing.T) {
	tests := []struct {
		name, lifecycle, want string
	}{
		{"gateDefault", "gateDefault: later", `must be allow or block, got "later"`},
		{"hook name", "preRun: [{name: Bad, image: reg/a:1}]", `invalid hook name "Bad"`},
		{"hook name length", "postRun: [{name: " + strings.Repeat("a", 59) + ", image: reg/a:1}]", "container name \"post-aaa"},
		{"duplicate hook", "preRun: [{name: a, image: reg/a:1}, {name: a, image: reg/b:1}]", `hook name "a" is also preRun[0]'s`},
		{"no image", "preRun: [{name: a}]", "preRun[0].image: required"},
		{"bad image", "preRun: [{name: a, image: 'UP:1'}]", "invalid image reference"},
		{"pull policy", "preRun: [{name: a, image: reg/a:1, imagePullPolicy: Often}]", "must be Always, IfNotPresent or Never"},
		{"timeout", "preRun: [{name: a, image: reg/a:1, timeout: '5'}]", `invalid duration "5"`},
		{"env both", "preRun: [{name: a, image: reg/a:1, env: [{name: X, value: v, valueFrom: {secretKeyRef: {name: s, key: k}}}]}]", "set value or valueFrom, not both"},
		{"env half ref", "preRun: [{name: a, image: reg/a:1, env: [{name: X, valueFrom: {secretKeyRef: {key: k}}}]}]", "name and key are required"},
		{"env reserved", "preRun: [{name: a, image: reg/a:1, env: [{name: NODE_OPTIONS, value: v}]}]", `"NODE_OPTIONS" is reserved`},
		{"env upstream's", "postRun: [{name: a, image: reg/a:1, env: [{name: AGENT_EXIT_CODE, value: '1'}]}]", "also set by upstream's controller"},
		{"env forwarded", "preRun: [{name: a, image: reg/a:1, env: [{name: RUN_ENV, value: '2'}]}]", "also set by spec.env"},
		{"env twice", "preRun: [{name: a, image: reg/a:1, env: [{name: X, value: '1'}, {name: X, value: '2'}]}]", "also set by env[0]"},
		{"rbac", "rbac: [{apiGroups: [''], resources: [pods]}]", "a rule needs at least one verb"},
		{"gate on preRun", "preRun: [{name: a, image: reg/a:1, gate: true}]", "only valid on postRun hooks"},
		{"two gates", "postRun: [{name: a, image: reg/a:1, gate: true}, {name: b, image: reg/b:1, gate: true}]", "at most one postRun hook may set gate: true (also postRun[0]"},
		{"gate", "postRun: [{name: a, image: reg/a:1, gate: true}]", "a response gate needs Sympozium's controller"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ds := compileYAML(t, Options{Target: "argocd"}, pack(""), testInstance, hookRun(tt.lifecycle))
			if ds == nil || !strings.Contains(ds.Error(), tt.want) {
				t.Fatalf("want an error with %q, got %v", tt.want, ds)
			}
			for _, d := range ds {
				if !strings.HasPrefix(d.Field, "spec.lifecycle.") || d.Line < 5 {
					t.Errorf("error at line %d, field %s: want the lifecycle's line", d.Line, d.Field)
				}
			}
		})
	}
	// A hook's timeout is valid but upstream ignores it: a warning, nothing emitted.
	ws := compileWarnings(t, Options{}, pack(""), testInstance, hookRun("preRun: [{name: a, image: reg/a:1, timeout: 2m}]"))
	if len(ws) != 1 || ws[0].Field != "spec.lifecycle.preRun[0].timeout" || !strings.Contains(ws[0].Message, "does not enforce") {
		t.Errorf("timeout warnings = %v", ws)
	}
}

// A postRun Job's name is the run's and "-postrun": a run name that leaves no room is refused at
// the run's name, never cut (upstream truncates, and two runs could then share one Job).
func TestPostRunJobNameTooLong(t *testing.T) {
	name := strings.Repeat("r", 60)
	run := strings.Replace(hookRun("postRun: [{name: up, image: reg/up:1}]"), "name: r1", "name: "+name, 1)
	_, ds := compileYAML(t, Options{Target: "argocd"}, pack(""), testInstance, run)
	if ds == nil || !strings.Contains(ds.Error(), "postRun Job name") || ds[0].Field != "metadata.name" {
		t.Fatalf("want the postRun Job name refused at metadata.name, got %v", ds)
	}
}
