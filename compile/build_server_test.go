package compile

import (
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
)

// serverPack is SkillPack "srv" in the catalog: a server sidecar with one port and RBAC.
const serverPack = `apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata: {name: srv, namespace: sympozium-system}
spec:
  skills: [{name: srv, content: "serve\n"}]
  sidecar:
    image: reg/srv:1
    requiresServer: true
    ports: [{name: http, containerPort: 8080}]
    env: [{name: A, value: b}]
    resources: {cpu: 200m}
    rbac: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]`

const serverAgent = `apiVersion: sympozium.ai/v1alpha1
kind: Agent
metadata: {name: ops, namespace: team}
spec:
  agents: {default: {model: m1, nodeSelector: {pool: a}}}
  imagePullSecrets: [{name: agent-creds}]
  skills: [{skillPackRef: srv}]`

const serverRun = `apiVersion: sympozium.ai/v1alpha1
kind: AgentRun
metadata: {name: serve, namespace: team}
spec:
  agentRef: ops
  mode: server
  task: serve
  imagePullSecrets: [{name: run-creds}]
  model: {nodeSelector: {pool: b}}
  skills:
    - skillPackRef: srv
      params: {rate_limit_burst: "5", auth_secret_ref: own-key}`

func TestServerRun(t *testing.T) {
	res, ds := compileYAML(t, Options{}, serverPack, serverAgent, serverRun)
	if ds != nil {
		t.Fatal(ds)
	}
	for _, o := range res.Objects {
		if kindOf(o) == "Job" {
			t.Errorf("a server run emitted Job %s", o.GetName())
		}
	}
	d := find[*appsv1.Deployment](t, res, "Deployment", "serve-server")
	svc := find[*corev1.Service](t, res, "Service", "serve-server")
	find[*rbacv1.Role](t, res, "Role", "sympozium-skill-srv-serve")
	want := map[string]string{LabelManagedBy: ManagedBySkillc, LabelAgentRun: "serve", LabelInstance: "ops", LabelComponent: ComponentAgentServer}
	for what, got := range map[string]map[string]string{
		"labels": d.Labels, "selector": d.Spec.Selector.MatchLabels, "template labels": d.Spec.Template.Labels,
		"service labels": svc.Labels, "service selector": svc.Spec.Selector,
	} {
		if !equalMaps(got, want) {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	spec := d.Spec.Template.Spec
	if *d.Spec.Replicas != 1 || spec.RestartPolicy != corev1.RestartPolicyAlways || spec.ServiceAccountName != SharedServiceAccount {
		t.Errorf("replicas %d, restartPolicy %s, serviceAccount %s", *d.Spec.Replicas, spec.RestartPolicy, spec.ServiceAccountName)
	}
	if got := containerNames(spec.Containers); !slices.Equal(got, []string{ServerContainer}) || len(spec.InitContainers) != 0 {
		t.Fatalf("containers %v, init %v: want the server sidecar alone", got, containerNames(spec.InitContainers))
	}
	// The run's own pull secrets and node selector, not the Agent's (reconcilePendingServer).
	if len(spec.ImagePullSecrets) != 1 || spec.ImagePullSecrets[0].Name != "run-creds" || spec.NodeSelector["pool"] != "b" {
		t.Errorf("pull secrets %v, node selector %v", spec.ImagePullSecrets, spec.NodeSelector)
	}
	c := spec.Containers[0]
	if c.Image != "reg/srv:1" || c.ImagePullPolicy != corev1.PullIfNotPresent || len(c.Command) != 0 {
		t.Errorf("image %s, pull policy %s, command %v", c.Image, c.ImagePullPolicy, c.Command)
	}
	var names []string
	for _, e := range c.Env {
		names = append(names, e.Name)
	}
	if want := []string{"A", "INSTANCE_NAME", "WEB_PROXY_API_KEY", "RATE_LIMIT_BURST", "SKILL_AUTH_SECRET_REF", "SKILL_RATE_LIMIT_BURST"}; !slices.Equal(names, want) {
		t.Errorf("env %v, want %v", names, want)
	}
	if ref := c.Env[2].ValueFrom.SecretKeyRef; ref.Name != "own-key" || ref.Key != "api-key" {
		t.Errorf("API key from %s/%s, want the param's Secret own-key", ref.Name, ref.Key)
	}
	if r := c.Resources; r.Requests.Cpu().String() != "200m" || r.Requests.Memory().String() != "128Mi" || r.Limits.Cpu().String() != "500m" || r.Limits.Memory().String() != "256Mi" {
		t.Errorf("resources %v", r)
	}
	if p := c.ReadinessProbe.HTTPGet; p.Path != "/healthz" || p.Port.IntValue() != 8080 {
		t.Errorf("readiness probe %v", p)
	}
	if sc := spec.SecurityContext; sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault || !*sc.RunAsNonRoot {
		t.Errorf("pod security context %+v", sc)
	}
	if sc := c.SecurityContext; *sc.AllowPrivilegeEscalation || !*sc.ReadOnlyRootFilesystem || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) {
		t.Errorf("container security context %+v", sc)
	}
	if p := svc.Spec.Ports; len(p) != 1 || p[0].Port != 8080 || p[0].TargetPort.IntValue() != 8080 || p[0].Protocol != corev1.ProtocolTCP || p[0].Name != "http" {
		t.Errorf("service ports %v", p)
	}
	// Where the fields came from: the pack's lines, the toggle's params, the run.
	from := res.OriginsOf(d)
	for path, want := range map[string]string{
		"spec.template.spec.containers[0].ports[0]":               "spec.sidecar.ports[0]",
		"spec.template.spec.containers[0].env[0]":                 "spec.sidecar.env[0]",
		"spec.template.spec.containers[0].env[2]":                 "spec.skills[0].params.auth_secret_ref",
		"spec.template.spec.containers[0].env[3]":                 "spec.skills[0].params.rate_limit_burst",
		"spec.template.spec.containers[0].resources.requests.cpu": "spec.sidecar.resources.cpu",
		"spec.template.spec.nodeSelector":                         "spec.model.nodeSelector",
		"spec.template.spec.imagePullSecrets[0]":                  "spec.imagePullSecrets[0]",
	} {
		if o, ok := from.Lookup(path); !ok || o.Field != want {
			t.Errorf("origin of %s = %v, want %s", path, o, want)
		}
	}
	if o, _ := res.OriginsOf(svc).Lookup("spec.ports[0].port"); o.Field != "spec.sidecar.ports[0]" {
		t.Errorf("origin of the Service port = %v", o)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestServerRunPerRunIdentity: the server container gets the API token only when its pack
// declared RBAC, as a task pod's sidecars do.
func TestServerRunPerRunIdentity(t *testing.T) {
	for _, tc := range []struct {
		name, pack string
		token      bool
	}{
		{"with rbac", serverPack, true},
		{"without rbac", strings.Replace(serverPack, "\n    rbac: [{apiGroups: [\"\"], resources: [configmaps], verbs: [get]}]", "", 1), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, ds := compileYAML(t, Options{Identity: "per-run"}, tc.pack, serverAgent, serverRun)
			if ds != nil {
				t.Fatal(ds)
			}
			spec := find[*appsv1.Deployment](t, res, "Deployment", "serve-server").Spec.Template.Spec
			mounted := slices.ContainsFunc(spec.Containers[0].VolumeMounts, func(m corev1.VolumeMount) bool { return m.Name == TokenVolume })
			if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken || mounted != tc.token || spec.ServiceAccountName != "sympozium-run-serve" {
				t.Errorf("automount %v, token mounted %v (want %v), serviceAccount %s", spec.AutomountServiceAccountToken, mounted, tc.token, spec.ServiceAccountName)
			}
		})
	}
}

// TestTaskRunDropsServerSidecar: a task run of the same Agent runs no server sidecar and gets none
// of its RBAC (prepareTaskPrerequisites), but still mounts its skills.
func TestTaskRunDropsServerSidecar(t *testing.T) {
	res, ds := compileYAML(t, Options{}, serverPack, serverAgent, runOf("daily", "ops"))
	if ds != nil {
		t.Fatal(ds)
	}
	job := find[*batchv1.Job](t, res, "Job", "daily")
	spec := job.Spec.Template.Spec
	if got := containerNames(append(spec.InitContainers, spec.Containers...)); slices.Contains(got, ContainerName("srv")) {
		t.Errorf("containers %v include the server sidecar", got)
	}
	if _, ok := job.Annotations[AnnotationSkillPacks]; ok {
		t.Errorf("annotation %s = %q: no pack runs a sidecar", AnnotationSkillPacks, job.Annotations[AnnotationSkillPacks])
	}
	for _, o := range res.Objects {
		if k := kindOf(o); k == "Role" || k == "RoleBinding" || k == "Deployment" {
			t.Errorf("a task run emitted %s %s", k, o.GetName())
		}
	}
	if src := spec.Volumes[3].Projected.Sources; len(src) != 1 || src[0].ConfigMap.Name != "skillpack-srv" {
		t.Errorf("skills projection %v", src)
	}
}

// runOf is a task AgentRun of agent in namespace team.
func runOf(name, agent string) string {
	return "apiVersion: sympozium.ai/v1alpha1\nkind: AgentRun\nmetadata: {name: " + name + ", namespace: team}\nspec: {agentRef: " + agent + ", task: go}"
}

const webPack = `apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata: {name: web-endpoint, namespace: sympozium-system}
spec:
  skills: [{name: web-endpoint, content: "web\n"}]
  sidecar:
    image: reg/web-proxy:1
    requiresServer: true
    ports: [{name: http, containerPort: 8080}]`

const webAgent = `apiVersion: sympozium.ai/v1alpha1
kind: Agent
metadata: {name: desk, namespace: team}
spec:
  agents: {default: {model: m1, nodeSelector: {pool: a}}}
  imagePullSecrets: [{name: agent-creds}]
  skills: [{skillPackRef: p}, {skillPackRef: skillpack-web-endpoint, params: {hostname: desk.example.com}}]`

// TestWebEndpointRun: an Agent that toggles web-endpoint gets upstream's <agent>-web-endpoint
// server run, with the Agent's pull secrets and node selector; its schedules leave the skill out;
// the Agent's task pod is still judged (a stand-in) though a server run uses the Agent.
func TestWebEndpointRun(t *testing.T) {
	sched := "apiVersion: sympozium.ai/v1alpha1\nkind: SympoziumSchedule\nmetadata: {name: nightly, namespace: team}\nspec: {agentRef: desk, schedule: '@daily', task: go}"
	res, ds := compileYAML(t, Options{}, pack(""), webPack, webAgent)
	if ds != nil {
		t.Fatal(ds)
	}
	d := find[*appsv1.Deployment](t, res, "Deployment", "desk-web-endpoint-server")
	spec := d.Spec.Template.Spec
	if d.Labels[LabelAgentRun] != "desk-web-endpoint" || spec.NodeSelector["pool"] != "a" || len(spec.ImagePullSecrets) != 1 || spec.ImagePullSecrets[0].Name != "agent-creds" {
		t.Errorf("labels %v, node selector %v, pull secrets %v", d.Labels, spec.NodeSelector, spec.ImagePullSecrets)
	}
	if ref := spec.Containers[0].Env[1].ValueFrom.SecretKeyRef; ref.Name != "desk-web-proxy-key" {
		t.Errorf("API key Secret %s, want desk-web-proxy-key", ref.Name)
	}
	if o, _ := res.OriginsOf(d).Lookup("spec.template.spec.nodeSelector"); o.Field != "spec.agents.default.nodeSelector" {
		t.Errorf("node selector's origin %v: want the Agent's", o)
	}
	if !slices.ContainsFunc(res.StandInPods, func(p Pod) bool { return p.Instance.Metadata.Name == "desk" && !p.Server() }) {
		t.Error("no stand-in judges the Agent's task pod")
	}

	res, ds = compileYAML(t, Options{}, pack(""), webPack, webAgent, sched)
	if ds != nil {
		t.Fatal(ds)
	}
	cj := find[*batchv1.CronJob](t, res, "CronJob", "nightly")
	if src := cj.Spec.JobTemplate.Spec.Template.Spec.Volumes[3].Projected.Sources; len(src) != 1 || src[0].ConfigMap.Name != "skillpack-p" {
		t.Errorf("the schedule's skills %v: want p alone", src)
	}
	find[*appsv1.Deployment](t, res, "Deployment", "desk-web-endpoint-server")
}

// TestWebEndpointRunInInputs: a run among the inputs that upstream would find (its name, or the
// instance and component labels) keeps the Agent's own from being created.
func TestWebEndpointRunInInputs(t *testing.T) {
	for _, meta := range []string{
		"{name: desk-web-endpoint, namespace: team}",
		"{name: desk-web, namespace: team, labels: {sympozium.ai/instance: desk, sympozium.ai/component: web-endpoint}}",
	} {
		run := "apiVersion: sympozium.ai/v1alpha1\nkind: AgentRun\nmetadata: " + meta +
			"\nspec: {agentRef: desk, mode: server, task: serve, skills: [{skillPackRef: web-endpoint}]}"
		res, ds := compileYAML(t, Options{}, pack(""), webPack, webAgent, run)
		if ds != nil {
			t.Fatal(ds)
		}
		var deployments []string
		for _, o := range res.Objects {
			if kindOf(o) == "Deployment" {
				deployments = append(deployments, o.GetName())
			}
		}
		if len(deployments) != 1 || !strings.HasPrefix(deployments[0], strings.TrimPrefix(strings.Split(meta, ",")[0], "{name: ")) {
			t.Errorf("%s: deployments %v, want the run's own alone", meta, deployments)
		}
	}
}

// TestServerWarnings: what skillc cannot emit is said, at the toggle: the generated API key
// Secret, the HTTPRoute of a hostname, a server that does not answer the probes' port.
func TestServerWarnings(t *testing.T) {
	ws := compileWarnings(t, Options{}, pack(""), strings.Replace(webPack, "8080", "9000", 1), webAgent)
	var msgs []string
	for _, w := range ws {
		if w.Rule == "" {
			msgs = append(msgs, w.Field+": "+w.Message)
		}
	}
	for _, want := range []string{"Secret desk-web-proxy-key (key api-key)", "no HTTPRoute for desk.example.com", "no port 8080 is declared"} {
		if !slices.ContainsFunc(msgs, func(m string) bool { return strings.Contains(m, want) }) {
			t.Errorf("no warning says %q; got %q", want, msgs)
		}
	}
}

// TestServerRunRefused: the checks of a server run's shape that only show on the assembled
// objects: a Service name the API server refuses is reported at the run's name.
func TestServerRunRefused(t *testing.T) {
	run := strings.Replace(serverRun, "name: serve,", "name: 1-serve,", 1)
	_, ds := compileYAML(t, Options{}, serverPack, serverAgent, run)
	if ds == nil || !slices.ContainsFunc(ds, func(d diag.Diagnostic) bool {
		return d.Field == "metadata.name" && strings.Contains(d.Message, "emitted Service team/1-serve-server would be refused")
	}) {
		t.Errorf("diagnostics %v: want the Service name refused at the run's metadata.name", ds)
	}
}

func TestValidateDeploymentAndService(t *testing.T) {
	l := map[string]string{"a": "b"}
	good := func() *appsv1.Deployment {
		return &appsv1.Deployment{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
			ObjectMeta: metav1.ObjectMeta{Name: "d", Namespace: "n"},
			Spec: appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: l}, Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: l},
				Spec:       corev1.PodSpec{RestartPolicy: corev1.RestartPolicyAlways, Containers: []corev1.Container{{Name: "c", Image: "i", Ports: []corev1.ContainerPort{{ContainerPort: 80}}}}},
			}},
		}
	}
	svc := func(ports ...corev1.ServicePort) *corev1.Service {
		return &corev1.Service{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Service"}, ObjectMeta: metav1.ObjectMeta{Name: "s", Namespace: "n"},
			Spec: corev1.ServiceSpec{Selector: l, Ports: ports}}
	}
	tests := []struct {
		name string
		o    Object
		want []string // error substrings; none: valid
	}{
		{"valid deployment", good(), nil},
		{"selector misses the template", func() Object { d := good(); d.Spec.Template.Labels = map[string]string{"a": "c"}; return d }(), []string{"`selector` does not match template `labels`"}},
		{"no selector", func() Object { d := good(); d.Spec.Selector = nil; return d }(), []string{"spec.selector: Required"}},
		{"restart never", func() Object { d := good(); d.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyNever; return d }(), []string{"restartPolicy: Unsupported value"}},
		{"container port 0", func() Object { d := good(); d.Spec.Template.Spec.Containers[0].Ports[0].ContainerPort = 0; return d }(), []string{"containerPort: Invalid value"}},
		{"valid service", svc(corev1.ServicePort{Name: "http", Port: 80, Protocol: corev1.ProtocolTCP}), nil},
		{"service without ports", svc(), []string{"spec.ports: Required"}},
		{"two unnamed ports", svc(corev1.ServicePort{Port: 80}, corev1.ServicePort{Port: 81}), []string{"spec.ports[0].name: Required", "spec.ports[1].name: Required"}},
		{"same port twice", svc(corev1.ServicePort{Name: "a", Port: 80, Protocol: "TCP"}, corev1.ServicePort{Name: "b", Port: 80, Protocol: "TCP"}), []string{"spec.ports[1]: Duplicate"}},
		{"service name not DNS-1035", func() Object { s := svc(corev1.ServicePort{Port: 80}); s.Name = "1s"; return s }(), []string{"metadata.name: Invalid value"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs := validateObject(tc.o)
			if len(tc.want) == 0 && len(errs) > 0 {
				t.Fatalf("errors %v", errs)
			}
			for _, w := range tc.want {
				if !strings.Contains(errs.ToAggregate().Error(), w) {
					t.Errorf("errors %v: none says %q", errs, w)
				}
			}
		})
	}
}

// TestValidateServerRun: spec.mode's values, and a server run's fields that upstream ignores.
func TestValidateServerRun(t *testing.T) {
	for _, tc := range []struct {
		name string
		spec api.AgentRunSpec
		want []string // fields with an error
	}{
		{"task", api.AgentRunSpec{Mode: ModeTask, Env: map[string]api.Scalar{"A": "b"}}, nil},
		{"unset", api.AgentRunSpec{}, nil},
		{"unknown mode", api.AgentRunSpec{Mode: "Server"}, []string{"spec.mode"}},
		{"server", api.AgentRunSpec{Mode: ModeServer, Task: &api.Task{Text: "x"}}, nil},
		{"server without a task", api.AgentRunSpec{Mode: ModeServer}, []string{"spec.task"}},
		{"server with a disabled sandbox", api.AgentRunSpec{Mode: ModeServer, Task: &api.Task{}, Sandbox: &api.RunSandbox{}, AgentSandbox: &api.RunAgentSandbox{}}, nil},
		{"server with env and hooks", api.AgentRunSpec{Mode: ModeServer, Task: &api.Task{}, Env: map[string]api.Scalar{"A": "b"},
			Lifecycle: &api.LifecycleHooks{PreRun: []api.HookContainer{{Name: "h"}}}}, []string{"spec.lifecycle", "spec.env"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &api.AgentRun{Spec: tc.spec}
			var got []string
			for _, d := range validateServerRun(r) {
				got = append(got, d.Field)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("errors at %v, want %v", got, tc.want)
			}
		})
	}
}
