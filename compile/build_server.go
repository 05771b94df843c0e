package compile

import (
	"fmt"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
)

// Server mode. Upstream's AgentRun controller runs a run whose spec.mode is server as a
// Deployment and a Service instead of a Job (reconcilePendingServer in
// internal/controller/agentrun_controller.go), with one container: the run's first sidecar that
// declares requiresServer. Its Agent controller creates such a run, <agent>-web-endpoint, for
// every Agent that toggles the web-endpoint pack (reconcileWebEndpoint, ensureWebEndpointAgentRun
// in agent_controller.go). A task run drops every requiresServer sidecar
// (prepareTaskPrerequisites), and a schedule's runs leave the web-endpoint skill out
// (SympoziumScheduleReconciler).

// AgentRun spec.mode values (the CRD's enum; empty is task).
const (
	ModeTask   = "task"
	ModeServer = "server"
)

// Names of what a server run emits, as upstream names them.
const (
	// ComponentAgentServer is the LabelComponent of a server run's Deployment, pods and Service.
	ComponentAgentServer = "agent-server"
	// ServerContainer is the server pod's one container.
	ServerContainer = "web-proxy"
	// WebEndpointPack is the pack whose toggle on an Agent makes upstream create a server run.
	WebEndpointPack = "web-endpoint"
	// WebEndpointRunSuffix names that run after its Agent; ServerSuffix its Deployment and Service
	// after the run; WebProxyKeySuffix, after the Agent, the Secret its API key is read from.
	WebEndpointRunSuffix = "-web-endpoint"
	ServerSuffix         = "-server"
	WebProxyKeySuffix    = "-web-proxy-key"
	// webProxyKeyKey is the Secret's key that holds the API key.
	webProxyKeyKey = "api-key"
	// webEndpointTask is the task upstream gives the web endpoint's run.
	webEndpointTask = "Serve HTTP requests for this instance"
)

// What upstream's server Deployment fixes, whatever the pack says: probes on :8080/healthz and
// limits of 500m CPU and 256Mi memory on the server container.
const (
	serverProbePort   = 8080
	serverProbePath   = "/healthz"
	serverCPULimit    = "500m"
	serverMemoryLimit = "256Mi"
)

// The web endpoint params upstream reads itself (beside making each one SKILL_<PARAM>).
const (
	paramAuthSecretRef  = "auth_secret_ref"
	paramHostname       = "hostname"
	paramRateLimitRPM   = "rate_limit_rpm"
	paramRateLimitBurst = "rate_limit_burst"
)

// serverEnvNames are the variables upstream sets on the server container after the pack's own
// env; a pack that declares one would be overridden (the last definition wins).
var serverEnvNames = []string{"INSTANCE_NAME", "WEB_PROXY_API_KEY", "RATE_LIMIT_RPM", "RATE_LIMIT_BURST"}

// Server reports whether the pod is a server-mode run: a Deployment and a Service, not a Job.
func (p *Pod) Server() bool { return p.Spec != nil && p.Spec.Mode == ModeServer }

// serverOnly reports whether t's sidecar runs only in a server-mode run: a task pod drops it, and
// with it its RBAC (prepareTaskPrerequisites filters before ensureSkillRBAC).
func serverOnly(t *Toggle) bool {
	sc := t.Pack.Spec.Sidecar
	return sc != nil && sc.RequiresServer
}

// serverToggle is the toggle whose sidecar a server run serves: the first with a sidecar image
// and requiresServer, as reconcilePendingServer picks it from the resolved sidecars.
func serverToggle(pod *Pod) *Toggle {
	for i := range pod.Toggles {
		if sc := pod.Toggles[i].Pack.Spec.Sidecar; sc != nil && sc.Image != "" && sc.RequiresServer {
			return &pod.Toggles[i]
		}
	}
	return nil
}

// isWebEndpointRef is upstream's test for the web-endpoint toggle: by the ref as written.
func isWebEndpointRef(ref string) bool {
	return ref == WebEndpointPack || ref == ConfigMapPrefix+WebEndpointPack
}

// withoutWebEndpoint is a schedule's toggles: the Agent's without the web-endpoint pack, which
// upstream's schedule controller leaves out of every run it creates. ts is not changed.
func withoutWebEndpoint(ts []Toggle) []Toggle {
	if !slices.ContainsFunc(ts, func(t Toggle) bool { return t.Pack.Metadata.Name == WebEndpointPack }) {
		return ts
	}
	out := make([]Toggle, 0, len(ts)-1)
	for _, t := range ts {
		if t.Pack.Metadata.Name != WebEndpointPack {
			out = append(out, t)
		}
	}
	return out
}

// webEndpointPods are the server runs upstream's Agent controller creates: one per Agent whose
// skills include the web-endpoint pack, named <agent>-web-endpoint, with that one toggle
// (ensureWebEndpointAgentRun). Upstream creates none when a run of the Agent labelled
// sympozium.ai/component: web-endpoint exists, or a run of that name (its create fails): such a
// run among the inputs is compiled instead. Fields come from the Agent: their origin is its file.
func webEndpointPods(in *api.Inputs, instToggles map[nsName][]Toggle) []Pod {
	var out []Pod
	for _, inst := range in.Instances {
		ns := NamespaceOf(inst.Metadata, DefaultNamespace)
		i := slices.IndexFunc(inst.Spec.Skills, func(r api.SkillRef) bool { return isWebEndpointRef(r.SkillPackRef) })
		if i < 0 {
			continue
		}
		ts := instToggles[nsName{ns, inst.Metadata.Name}]
		field := fmt.Sprintf("spec.skills[%d]", i)
		ti := slices.IndexFunc(ts, func(t Toggle) bool { return t.Field == field })
		name := inst.Metadata.Name + WebEndpointRunSuffix
		if ti < 0 || webEndpointRunExists(in, ns, inst.Metadata.Name, name) {
			continue // an unresolved ref is already an error
		}
		out = append(out, Pod{Kind: "AgentRun", Name: name, Namespace: ns, Src: inst.Src, Instance: inst,
			Toggles: []Toggle{ts[ti]}, Task: webEndpointTask, Spec: webEndpointRunSpec(inst, inst.Spec.Skills[i])})
	}
	return out
}

// webEndpointRunExists: the inputs hold a run that keeps upstream from creating the Agent's web
// endpoint run.
func webEndpointRunExists(in *api.Inputs, ns, agent, name string) bool {
	for _, r := range in.Runs {
		if NamespaceOf(r.Metadata, DefaultNamespace) != ns {
			continue
		}
		l := r.Metadata.Labels
		if r.Metadata.Name == name || l[LabelInstance] == agent && l[LabelComponent] == WebEndpointPack {
			return true
		}
	}
	return false
}

// webEndpointRunSpec is the spec ensureWebEndpointAgentRun writes: the Agent's model, pull
// secrets, volumes, env and run timeout, the web-endpoint toggle alone, mode server.
func webEndpointRunSpec(inst *api.Instance, web api.SkillRef) *api.AgentRunSpec {
	spec := scheduledRunSpec(inst)
	spec.AgentID, spec.SessionKey = WebEndpointPack, WebEndpointPack
	spec.Task = &api.Task{Text: webEndpointTask}
	spec.Mode = ModeServer
	spec.Skills = []api.SkillRef{web}
	spec.Lifecycle = nil // not copied by ensureWebEndpointAgentRun
	return spec
}

// madeFromAgent: the pod is a run upstream's Agent controller creates, its fields the Agent's.
func madeFromAgent(pod *Pod) bool {
	return pod.Src.File == pod.Instance.Src.File && pod.Src.Line == pod.Instance.Src.Line
}

// buildServer renders a server run: its Deployment and Service (reconcilePendingServer), with
// where their fields came from. The pod is upstream's (one container, the server sidecar, with its
// env, ports, probes and resources), hardened as skillc hardens every pod: seccomp RuntimeDefault
// and no capabilities, which upstream leaves to the runtime's defaults.
func buildServer(cfg *api.ConfigSpec, pod *Pod, rr *recorder) ([]Object, []*origins, diag.Diagnostics) {
	t := serverToggle(pod)
	if t == nil {
		if madeFromAgent(pod) {
			inst := pod.Instance
			return nil, nil, diag.Diagnostics{inst.Src.Diag(pod.Toggles[0].Field+".skillPackRef",
				"%s %s/%s toggles SkillPack %q, so upstream creates the server run %s, but the pack has no sidecar with requiresServer: true: upstream fails that run (reconcilePendingServer)",
				inst.Kind, pod.Namespace, inst.Metadata.Name, WebEndpointPack, pod.Name)}
		}
		return nil, nil, diag.Diagnostics{pod.Src.Diag("spec.mode",
			"spec.mode is server but no SkillPack of the run has a sidecar with requiresServer: true: upstream fails the run (reconcilePendingServer)")}
	}
	sc := t.Pack.Spec.Sidecar
	packSrc := &t.Pack.Src
	agent := pod.Instance.Metadata.Name
	fromAgent := madeFromAgent(pod)
	l := labels(LabelAgentRun, pod.Name, LabelInstance, agent, LabelComponent, ComponentAgentServer)
	var diags diag.Diagnostics

	from := rr.begin(pod, DeploymentPodSpecPath)
	from.set("", &pod.Src, "metadata.name")
	for _, p := range [...]string{"metadata.labels", "spec.selector", "spec.template.metadata.labels"} {
		from.set(p, &pod.Instance.Src, "metadata.name") // only the Agent's name can make a label invalid
	}
	from.setPod("", 0, 0, &pod.Src, "metadata.name", 0)
	env := serverEnv(pod, t, from)
	c := corev1.Container{
		Name:            ServerContainer,
		Image:           sc.Image,
		ImagePullPolicy: corev1.PullIfNotPresent, // ResolveImagePullPolicy's fallback
		Env:             env,
		Ports:           containerPorts(sc.Ports),
		LivenessProbe:   serverProbe(5, 10),
		ReadinessProbe:  serverProbe(3, 5),
		Resources:       serverResources(sc.Resources),
		SecurityContext: hardened(true),
	}
	c.SecurityContext.RunAsNonRoot = ptr(true)
	if sc.ImagePullPolicy != "" {
		c.ImagePullPolicy = corev1.PullPolicy(sc.ImagePullPolicy) // validated on load
	}
	from.add(rec{path: "containers[0]", src: packSrc, field: "spec.sidecar", flags: inPod})
	from.setPod("containers[0].image", 0, 0, packSrc, "spec.sidecar.image", 0)
	from.setPod("containers[0].imagePullPolicy", 0, 0, packSrc, "spec.sidecar.image", 0)
	for i := range sc.Ports {
		from.setPod("containers[0].ports[#]", i, 0, packSrc, "spec.sidecar.ports[#]", i)
	}
	if r := sc.Resources; r != nil {
		if r.CPU != "" {
			from.setPod("containers[0].resources.requests.cpu", 0, 0, packSrc, "spec.sidecar.resources.cpu", 0)
		}
		if r.Memory != "" {
			from.setPod("containers[0].resources.requests.memory", 0, 0, packSrc, "spec.sidecar.resources.memory", 0)
		}
	}
	spec := corev1.PodSpec{
		RestartPolicy:      corev1.RestartPolicyAlways,
		ServiceAccountName: ServiceAccountName(cfg.Identity, pod.Name),
		ImagePullSecrets:   serverPullSecrets(pod, from),
		NodeSelector:       serverNodeSelector(pod, fromAgent, from),
		SecurityContext: &corev1.PodSecurityContext{
			RunAsNonRoot:   ptr(true),
			SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
		Containers: []corev1.Container{c},
	}
	if cfg.Identity == api.IdentityPerRun {
		// As in a task pod: the API token only where the pack declared RBAC.
		spec.AutomountServiceAccountToken = ptr(false)
		if len(sc.RBAC) > 0 || len(sc.ClusterRBAC) > 0 {
			spec.Containers[0].VolumeMounts = []corev1.VolumeMount{{Name: TokenVolume, MountPath: tokenMountPath, ReadOnly: true}}
			spec.Volumes = []corev1.Volume{tokenProjection()}
			from.setPod("volumes[0]", 0, 0, packSrc, "spec.sidecar.rbac", 0)
		}
	}
	deploy := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: objectMeta(pod.Name+ServerSuffix, pod.Namespace, l),
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr(int32(1)),
			Selector: &metav1.LabelSelector{MatchLabels: labels(LabelAgentRun, pod.Name, LabelInstance, agent, LabelComponent, ComponentAgentServer)},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels(LabelAgentRun, pod.Name, LabelInstance, agent, LabelComponent, ComponentAgentServer)},
				Spec:       spec,
			},
		},
	}
	deployFrom := from.done()

	svcFrom := rr.begin(pod, "")
	svcFrom.set("", &pod.Src, "metadata.name")
	svcFrom.set("metadata.labels", &pod.Instance.Src, "metadata.name")
	svcFrom.set("spec.selector", &pod.Instance.Src, "metadata.name")
	ports := make([]corev1.ServicePort, 0, len(sc.Ports))
	for i, p := range sc.Ports {
		ports = append(ports, corev1.ServicePort{Name: p.Name, Port: p.ContainerPort, TargetPort: intstr.FromInt32(p.ContainerPort), Protocol: protocol(p.Protocol)})
		svcFrom.add(rec{path: "spec.ports[#]", idx: [2]int32{int32(i)}, src: packSrc, field: "spec.sidecar.ports[#]", fidx: int32(i)})
	}
	svc := &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: objectMeta(pod.Name+ServerSuffix, pod.Namespace, labels(LabelAgentRun, pod.Name, LabelInstance, agent, LabelComponent, ComponentAgentServer)),
		Spec:       corev1.ServiceSpec{Selector: labels(LabelAgentRun, pod.Name, LabelInstance, agent, LabelComponent, ComponentAgentServer), Ports: ports},
	}
	diags = append(diags, serverWarnings(pod, t)...)
	return []Object{deploy, svc}, []*origins{deployFrom, svcFrom.done()}, diags
}

// serverEnv is the server container's env as reconcilePendingServer builds it: the pack's env,
// INSTANCE_NAME, the API key from a Secret, RATE_LIMIT_RPM and RATE_LIMIT_BURST from the params of
// the same name, then SKILL_<PARAM> per param (sorted: upstream ranges over a map), with each
// variable's origin.
func serverEnv(pod *Pod, t *Toggle, from *origins) []corev1.EnvVar {
	sc := t.Pack.Spec.Sidecar
	packSrc := &t.Pack.Src
	const path = "containers[0].env[#]"
	env := make([]corev1.EnvVar, 0, len(sc.Env)+4+len(t.Params))
	for i, e := range sc.Env {
		from.add(rec{path: path, idx: [2]int32{int32(len(env))}, src: packSrc, field: "spec.sidecar.env[#]", fidx: int32(i), flags: inPod | verbatim})
		env = append(env, coreEnvVar(e))
	}
	from.setPod(path, len(env), 0, &pod.Instance.Src, "metadata.name", 0)
	env = append(env, corev1.EnvVar{Name: "INSTANCE_NAME", Value: pod.Instance.Metadata.Name})
	secret := pod.Instance.Metadata.Name + WebProxyKeySuffix
	if ref := string(t.Params[paramAuthSecretRef]); ref != "" {
		secret = ref
		from.add(rec{path: path, idx: [2]int32{int32(len(env))}, src: &t.Src, t: t, field: ".params.$", name: paramAuthSecretRef, flags: inPod | toggleField})
	} else {
		// Named after the Agent; the toggle is where a Secret of one's own is named.
		from.add(rec{path: path, idx: [2]int32{int32(len(env))}, src: &t.Src, t: t, field: ".skillPackRef", flags: inPod | toggleField})
	}
	env = append(env, corev1.EnvVar{Name: "WEB_PROXY_API_KEY", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
		LocalObjectReference: corev1.LocalObjectReference{Name: secret}, Key: webProxyKeyKey}}})
	for _, p := range [...]struct{ param, name string }{{paramRateLimitRPM, "RATE_LIMIT_RPM"}, {paramRateLimitBurst, "RATE_LIMIT_BURST"}} {
		if v, ok := t.Params[p.param]; ok {
			from.add(rec{path: path, idx: [2]int32{int32(len(env))}, src: &t.Src, t: t, field: ".params.$", name: p.param, flags: inPod | toggleField})
			env = append(env, corev1.EnvVar{Name: p.name, Value: string(v)})
		}
	}
	for _, k := range sortedKeys(t.Params) {
		from.add(rec{path: path, idx: [2]int32{int32(len(env))}, src: &t.Src, t: t, field: ".params.$", name: k, flags: inPod | toggleField})
		env = append(env, corev1.EnvVar{Name: paramEnvName(k), Value: string(t.Params[k])})
	}
	return env
}

func protocol(p string) corev1.Protocol {
	if p == "" {
		return corev1.ProtocolTCP
	}
	return corev1.Protocol(p)
}

func containerPorts(ports []api.SidecarPort) []corev1.ContainerPort {
	out := make([]corev1.ContainerPort, 0, len(ports))
	for _, p := range ports {
		out = append(out, corev1.ContainerPort{Name: p.Name, ContainerPort: p.ContainerPort, Protocol: protocol(p.Protocol)})
	}
	return out
}

func serverProbe(initialDelay, period int32) *corev1.Probe {
	return &corev1.Probe{
		ProbeHandler:        corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: serverProbePath, Port: intstr.FromInt32(serverProbePort)}},
		InitialDelaySeconds: initialDelay,
		PeriodSeconds:       period,
	}
}

// serverResources: requests from the pack (default 100m/128Mi), limits fixed by upstream.
func serverResources(r *api.SidecarResources) corev1.ResourceRequirements {
	req := sidecarResources(r).Requests
	return corev1.ResourceRequirements{Requests: req, Limits: corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse(serverCPULimit),
		corev1.ResourceMemory: resource.MustParse(serverMemoryLimit),
	}}
}

// serverPullSecrets: the run's own imagePullSecrets (reconcilePendingServer takes the run's only;
// the Agent's run gets the Agent's), without repeats.
func serverPullSecrets(pod *Pod, from *origins) []corev1.LocalObjectReference {
	var out []corev1.LocalObjectReference
	for i, s := range pod.Spec.ImagePullSecrets {
		if s.Name == "" || slices.Contains(out, s) {
			continue
		}
		from.setPod("imagePullSecrets[#]", len(out), 0, &pod.Src, "spec.imagePullSecrets[#]", i)
		out = append(out, s)
	}
	return out
}

// serverNodeSelector: the run's spec.model.nodeSelector (the Agent's run: the Agent's default).
func serverNodeSelector(pod *Pod, fromAgent bool, from *origins) map[string]string {
	m := pod.Spec.Model
	if m == nil || len(m.NodeSelector) == 0 {
		return nil
	}
	field := "spec.model.nodeSelector"
	if fromAgent {
		field = "spec.agents.default.nodeSelector"
	}
	from.setPod("nodeSelector", 0, 0, &pod.Src, field, 0)
	return m.NodeSelector
}

// serverWarnings say what a server run needs that skillc cannot emit.
func serverWarnings(pod *Pod, t *Toggle) diag.Diagnostics {
	warn := func(field, format string, args ...any) diag.Diagnostic {
		return diag.Diagnostic{File: t.Src.File, Line: t.Src.LineOf(t.Field + field), Field: t.Field + field, Severity: diag.SeverityWarning, Message: fmt.Sprintf(format, args...)}
	}
	var out diag.Diagnostics
	if string(t.Params[paramAuthSecretRef]) == "" {
		out = append(out, warn(".skillPackRef",
			"%s/%s: the server reads its API key from Secret %s (key %s), which upstream generates with a random key when the run starts (ensureServerAPIKeySecret); a key cannot be pre-rendered into Git. Create that Secret (sealed-secrets, external-secrets, ...) or name one with the param %s: until it exists the pod does not start",
			pod.Namespace, pod.Name, pod.Instance.Metadata.Name+WebProxyKeySuffix, webProxyKeyKey, paramAuthSecretRef))
	}
	if h := string(t.Params[paramHostname]); h != "" {
		out = append(out, warn(".params."+paramHostname,
			"%s/%s: no HTTPRoute for %s is emitted: upstream creates %s only once the SympoziumConfig's gateway reports ready (maybeCreateHTTPRoute), a run-time status; write the HTTPRoute (backend Service %s, port %d) beside your gateway",
			pod.Namespace, pod.Name, h, pod.Name+"-web", pod.Name+ServerSuffix, serverProbePort))
	}
	return out
}

// validateServerSidecar checks what a sidecar's requiresServer and ports mean upstream: ports are
// only a server's (its container ports and Service), and a server container is built from the
// image, env, ports and resources alone, so the pack fields reconcilePendingServer does not read are
// refused rather than dropped.
func validateServerSidecar(src diag.Source, sc *api.Sidecar) diag.Diagnostics {
	var diags diag.Diagnostics
	if len(sc.Ports) > 0 && !sc.RequiresServer {
		diags = append(diags, src.Diag("spec.sidecar.ports", "ports are only used by a sidecar with requiresServer: true (its Deployment's container ports and its Service, reconcilePendingServer); a task run's sidecar exposes none: set requiresServer or remove ports"))
	}
	names := map[string]int{}
	type portProto struct {
		port  int32
		proto corev1.Protocol
	}
	seen := map[portProto]int{}
	for i, p := range sc.Ports {
		field := fmt.Sprintf("spec.sidecar.ports[%d]", i)
		if p.Name == "" {
			diags = append(diags, src.Diag(field+".name", "required"))
		} else {
			for _, msg := range validation.IsValidPortName(p.Name) {
				diags = append(diags, src.Diag(field+".name", "invalid port name %q: %s", p.Name, msg))
			}
		}
		if j, dup := names[p.Name]; dup && p.Name != "" {
			diags = append(diags, src.Diag(field+".name", "port name %q is also spec.sidecar.ports[%d]", p.Name, j))
		}
		names[p.Name] = i
		for _, msg := range validation.IsValidPortNum(int(p.ContainerPort)) {
			diags = append(diags, src.Diag(field+".containerPort", "invalid port %d: %s", p.ContainerPort, msg))
		}
		switch corev1.Protocol(p.Protocol) {
		case "", corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP:
		default:
			diags = append(diags, src.Diag(field+".protocol", "must be TCP, UDP or SCTP, got %q", p.Protocol))
		}
		k := portProto{p.ContainerPort, protocol(p.Protocol)}
		if j, dup := seen[k]; dup {
			diags = append(diags, src.Diag(field+".containerPort", "port %d/%s is also spec.sidecar.ports[%d]", p.ContainerPort, k.proto, j))
		}
		seen[k] = i
	}
	if !sc.RequiresServer {
		return diags
	}
	if len(sc.Ports) == 0 {
		diags = append(diags, src.Diag("spec.sidecar.ports", "a sidecar with requiresServer: true needs at least one port: upstream's Service has one per entry (reconcilePendingServer), and the API server refuses a Service without ports"))
	}
	for _, f := range []struct {
		field string
		set   bool
	}{
		{"spec.sidecar.command", len(sc.Command) > 0},
		{"spec.sidecar.secretRef", sc.SecretRef != ""},
		{"spec.sidecar.secretMountPath", sc.SecretMountPath != ""},
		{"spec.sidecar.hostAccess", sc.HostAccess != nil && sc.HostAccess.Enabled},
		{"spec.sidecar.volumes", len(sc.Volumes) > 0},
		{"spec.sidecar.volumeMounts", len(sc.VolumeMounts) > 0},
		{"spec.sidecar.tools", len(sc.Tools) > 0},
	} {
		if f.set {
			diags = append(diags, src.Diag(f.field, "upstream builds a requiresServer sidecar's container from its image, env, ports and resources alone (reconcilePendingServer), and drops the sidecar from task runs: this field would never take effect; remove it"))
		}
	}
	for i, e := range sc.Env {
		if slices.Contains(serverEnvNames, e.Name) {
			diags = append(diags, src.Diag(fmt.Sprintf("spec.sidecar.env[%d].name", i), "%q is set by upstream on a requiresServer sidecar's container after the pack's env (reconcilePendingServer), so this one would never take effect", e.Name))
		}
	}
	if r := sc.Resources; r != nil {
		for _, q := range []struct {
			name  string
			value api.Scalar
			limit string
		}{{"cpu", r.CPU, serverCPULimit}, {"memory", r.Memory, serverMemoryLimit}} {
			v, err := resource.ParseQuantity(string(q.value))
			if q.value == "" || err != nil {
				continue // unset, or refused by the resources check
			}
			if v.Cmp(resource.MustParse(q.limit)) > 0 {
				diags = append(diags, src.Diag("spec.sidecar.resources."+q.name, "%s requests %s, above the %s limit upstream gives a requiresServer sidecar's container (reconcilePendingServer): the API server would refuse the Deployment", q.name, q.value, q.limit))
			}
		}
	}
	if !slices.ContainsFunc(sc.Ports, func(p api.SidecarPort) bool { return p.ContainerPort == serverProbePort }) && len(sc.Ports) > 0 {
		diags = append(diags, diag.Diagnostic{File: src.File, Line: src.LineOf("spec.sidecar.ports"), Field: "spec.sidecar.ports", Severity: diag.SeverityWarning,
			Message: fmt.Sprintf("upstream's server Deployment probes port %d at %s (reconcilePendingServer) and no port %d is declared: the server must answer there, or it is never ready", serverProbePort, serverProbePath, serverProbePort)})
	}
	return diags
}

// validateServerRun checks an AgentRun's spec.mode, and that a server run sets nothing upstream's
// server path ignores: its pod runs the server sidecar alone.
func validateServerRun(r *api.AgentRun) diag.Diagnostics {
	src := r.Src
	s := &r.Spec
	switch s.Mode {
	case "", ModeTask, ModeServer:
	default:
		return diag.Diagnostics{src.Diag("spec.mode", "must be task or server, got %q", s.Mode)}
	}
	if s.Mode != ModeServer {
		return nil
	}
	var diags diag.Diagnostics
	if s.Task == nil {
		diags = append(diags, src.Diag("spec.task", "required: upstream fails a run without a task before it looks at its mode (reconcilePending)"))
	}
	if s.AgentSandbox != nil && s.AgentSandbox.Enabled {
		diags = append(diags, src.Diag("spec.agentSandbox.enabled", "spec.mode is server, but upstream runs a run with agentSandbox enabled as an agent-sandbox Sandbox before it looks at its mode (reconcilePending): choose one"))
	}
	for _, f := range []struct {
		field string
		set   bool
	}{
		{"spec.sandbox", s.Sandbox != nil && s.Sandbox.Enabled},
		{"spec.lifecycle", s.Lifecycle != nil && (len(s.Lifecycle.PreRun) > 0 || len(s.Lifecycle.PostRun) > 0 || len(s.Lifecycle.RBAC) > 0)},
		{"spec.volumes", len(s.Volumes) > 0},
		{"spec.volumeMounts", len(s.VolumeMounts) > 0},
		{"spec.env", len(s.Env) > 0},
	} {
		if f.set {
			diags = append(diags, src.Diag(f.field, "spec.mode is server: upstream's server Deployment runs the server sidecar alone (reconcilePendingServer) and never applies this field; remove it"))
		}
	}
	return diags
}

// validateWebEndpoint refuses an Agent's spec.webEndpoint.enabled without the web-endpoint toggle:
// no upstream controller reads the field, so it would expose nothing.
func validateWebEndpoint(in *api.Instance) diag.Diagnostics {
	w := in.Spec.WebEndpoint
	if w == nil || !w.Enabled || slices.ContainsFunc(in.Spec.Skills, func(r api.SkillRef) bool { return isWebEndpointRef(r.SkillPackRef) }) {
		return nil
	}
	return diag.Diagnostics{in.Src.Diag("spec.webEndpoint.enabled", "upstream's controllers never read spec.webEndpoint: an Agent gets a web endpoint by toggling the web-endpoint SkillPack (reconcileWebEndpoint); add {skillPackRef: web-endpoint} to spec.skills, with params hostname, rate_limit_rpm, rate_limit_burst or auth_secret_ref as needed")}
}
