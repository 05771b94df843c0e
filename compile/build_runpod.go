package compile

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
)

// What upstream's AgentRunReconciler puts into a run's pod from the run's spec and its Agent
// (buildContainers, buildVolumes, buildAgentPodTemplate and the pod mutators of
// agentrun_pod_mutators.go, in internal/controller/), beside SPEC's base pod. Each value is added
// only when its field is set, and records where it was written.

// where is a source document and a field path in it: where an emitted value was written.
type where struct {
	src   *diag.Source
	field string
}

// fromAgent reports whether pod.Spec is the spec upstream's schedule controller writes from the
// Agent (a schedule's pod, or a stand-in's), so that its fields were written in the Agent.
func fromAgent(pod *Pod) bool { return pod.Scheduled() || pod.StandIn }

func runAt(pod *Pod, field string) where   { return where{&pod.Src, field} }
func agentAt(pod *Pod, field string) where { return where{&pod.Instance.Src, field} }

// specAt is where a field of pod.Spec was written: the run's own field, or the Agent field the
// schedule controller copies into it.
func specAt(pod *Pod, runField, agentField string) where {
	if fromAgent(pod) {
		return agentAt(pod, agentField)
	}
	return runAt(pod, runField)
}

// agentDefaults is the Agent's agents.default (zero when it has none).
func agentDefaults(inst *api.Instance) *api.AgentConfig {
	if inst.Spec.Agents == nil {
		return &api.AgentConfig{}
	}
	return &inst.Spec.Agents.Default
}

// runTimeout is a run's timeout as upstream resolves it: spec.timeout, else the Agent's
// agents.default.runTimeout (resolveAgentRunInputs; the schedule controller copies the latter
// into each run it creates). Zero: none, the Job's deadline is the default.
func runTimeout(pod *Pod) (time.Duration, where) {
	if !fromAgent(pod) && pod.Spec.Timeout != "" {
		d, _ := time.ParseDuration(pod.Spec.Timeout) // validated on load
		return d, runAt(pod, "spec.timeout")
	}
	if t := agentDefaults(pod.Instance).RunTimeout; t != "" {
		d, _ := time.ParseDuration(t) // validated on load
		return d, agentAt(pod, "spec.agents.default.runTimeout")
	}
	return 0, where{}
}

// IsServerRun reports whether a run is upstream's server mode (spec.mode: server), which
// reconcilePendingServer renders as a Deployment and a Service instead of a Job: the seam where
// the server-mode builder takes the run over (until it does, the run is compiled as a Job).
func IsServerRun(pod *Pod) bool { return !fromAgent(pod) && pod.Spec.Mode == "server" }

// memoryEnabled is the Agent's legacy memory switch (resolveAgentRunInputs).
func memoryEnabled(inst *api.Instance) bool {
	return inst.Spec.Memory != nil && inst.Spec.Memory.Enabled
}

// MemoryConfigMapName is the ConfigMap upstream keeps an Agent's legacy memory in.
func MemoryConfigMapName(agent string) string { return agent + "-memory" }

// observability is the Agent's observability settings when enabled (resolveAgentRunInputs), else
// nil.
func observability(inst *api.Instance) *api.ObservabilitySpec {
	if o := inst.Spec.Observability; o != nil && o.Enabled {
		return o
	}
	return nil
}

// hasPack reports whether the pod runs the SkillPack named name: upstream's mutators key features
// off a skill's attachment (agentRunHasMemorySkill, injectSubagentsConfig).
func hasPack(pod *Pod, name string) (*Toggle, bool) {
	for i := range pod.Toggles {
		if pod.Toggles[i].Pack.Metadata.Name == name {
			return &pod.Toggles[i], true
		}
	}
	return nil, false
}

// allowedAuthSecretKeys are the only keys of a run's auth Secret upstream passes to the agent,
// each an optional secretKeyRef, so that nothing else the Secret holds reaches it
// (allowedAuthSecretKeys in agentrun_controller.go).
var allowedAuthSecretKeys = []string{
	"OPENAI_API_KEY", "ANTHROPIC_API_KEY", "AZURE_OPENAI_API_KEY", "AZURE_OPENAI_ENDPOINT",
	"OLLAMA_HOST", "GOOGLE_API_KEY", "MISTRAL_API_KEY", "GROQ_API_KEY", "DEEPSEEK_API_KEY",
	"OPENROUTER_API_KEY", "API_KEY",
}

// authSecretRef is the index of the Agent's authRef whose Secret a schedule's runs use: the
// first that names one (upstream resolveAuthSecret); -1 for none.
func authSecretRef(inst *api.Instance) int {
	return slices.IndexFunc(inst.Spec.AuthRefs, func(r api.SecretRef) bool { return strings.TrimSpace(r.Secret) != "" })
}

// guessedProviders are the provider names upstream looks for in an auth Secret's name, in order.
var guessedProviders = []string{"anthropic", "azure-openai", "bedrock", "lm-studio", "ollama", "openai"}

// resolveProvider is the model provider the schedule controller gives each run of an Agent, and
// the field it read (upstream resolveProvider, internal/controller/channel_router.go): the
// sympozium.ai/provider label, the first authRef's provider, a provider named in an auth
// Secret's name, a local server's baseURL, else openai.
func resolveProvider(inst *api.Instance) (string, string) {
	if p := inst.Metadata.Labels["sympozium.ai/provider"]; p != "" {
		return p, "metadata.labels.sympozium.ai/provider"
	}
	for i, ref := range inst.Spec.AuthRefs {
		if ref.Provider != "" {
			return ref.Provider, fmt.Sprintf("spec.authRefs[%d].provider", i)
		}
	}
	for i, ref := range inst.Spec.AuthRefs {
		for _, p := range guessedProviders {
			if strings.Contains(ref.Secret, p) {
				return p, fmt.Sprintf("spec.authRefs[%d].secret", i)
			}
		}
	}
	if base := agentDefaults(inst).BaseURL; base != "" {
		switch {
		case strings.Contains(base, "ollama"), strings.Contains(base, ":11434"):
			return "ollama", "spec.agents.default.baseURL"
		case strings.Contains(base, "lm-studio"), strings.Contains(base, ":1234"):
			return "lm-studio", "spec.agents.default.baseURL"
		}
		return "custom", "spec.agents.default.baseURL"
	}
	return "openai", "spec.authRefs"
}

// envVar is a container variable and where it was written ('$' in at.field is its name).
type envVar struct {
	corev1.EnvVar
	at where
}

// envSet is a container's environment as it is assembled: one value per name (a later set
// replaces an earlier one, as the kubelet keeps the last of duplicates), emitted sorted.
type envSet map[string]envVar

func (s envSet) set(name, value string, at where) {
	s[name] = envVar{corev1.EnvVar{Name: name, Value: value}, at}
}

func (s envSet) setFrom(name string, from *corev1.EnvVarSource, at where) {
	s[name] = envVar{corev1.EnvVar{Name: name, ValueFrom: from}, at}
}

// emit returns the variables sorted by name, recording where each came from under path (a
// pod-spec path ending in "env[#]", '#' the variable's index).
func (s envSet) emit(path string, from *origins) []corev1.EnvVar {
	out := make([]corev1.EnvVar, 0, len(s))
	for _, name := range sortedKeys(s) {
		v := s[name]
		from.add(rec{path: path, idx: [2]int32{int32(len(out))}, src: v.at.src, field: v.at.field, name: name, flags: inPod})
		out = append(out, v.EnvVar)
	}
	return out
}

// fieldRef is a variable the kubelet fills from the pod's own fields.
func fieldRef(path string) *corev1.EnvVarSource {
	return &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: path}}
}

// runIDRef is how a schedule's pod learns its run's id: each trigger is a Job the CronJob names.
var runIDRef = "metadata.labels['batch.kubernetes.io/job-name']"

// agentEnv is the agent container's environment: SPEC's base variables, those upstream's
// buildContainers and pod mutators derive from the run's spec and its Agent, and the run's
// spec.env (a schedule's: the Agent's agents.default.env). A variable of spec.env that skillc
// also derives is refused: upstream lets spec.env win silently, which would drop the field.
func agentEnv(pod *Pod) (envSet, diag.Diagnostics) {
	spec := pod.Spec
	s := envSet{}
	// SPEC's base variables.
	if pod.Scheduled() {
		s.setFrom("AGENT_RUN_ID", fieldRef(runIDRef), runAt(pod, "metadata.name"))
	} else {
		s.set("AGENT_RUN_ID", pod.Name, runAt(pod, "metadata.name"))
	}
	s.set("INSTANCE_NAME", pod.Instance.Metadata.Name, agentAt(pod, "metadata.name"))
	s.set("AGENT_NAMESPACE", pod.Namespace, runAt(pod, "metadata.namespace"))
	s.set("TASK", pod.Task, runAt(pod, "spec.task"))
	if pod.Model != "" {
		s.set("MODEL_NAME", pod.Model, runAt(pod, "spec.model.model"))
	} else {
		s.set("MODEL_NAME", agentDefaults(pod.Instance).Model, agentAt(pod, "spec.agents.default.model"))
	}

	// buildContainers: what the run's spec says, each when set.
	if v := spec.AgentID; v != "" {
		at := runAt(pod, "spec.agentId")
		if pod.Scheduled() {
			at = runAt(pod, "metadata.name") // the schedule controller's "schedule-<name>"
		}
		s.set("AGENT_ID", v, at)
	}
	if v := spec.SessionKey; v != "" {
		s.set("SESSION_KEY", v, runAt(pod, "spec.sessionKey"))
	}
	if v := spec.SystemPrompt; v != "" {
		s.set("SYSTEM_PROMPT", v, specAt(pod, "spec.systemPrompt", "spec.memory.systemPrompt"))
	}
	if m := spec.Model; m != nil {
		if m.Provider != "" {
			at := runAt(pod, "spec.model.provider")
			if fromAgent(pod) {
				_, f := resolveProvider(pod.Instance)
				at = agentAt(pod, f)
			}
			s.set("MODEL_PROVIDER", m.Provider, at)
		}
		if m.BaseURL != "" {
			s.set("MODEL_BASE_URL", m.BaseURL, specAt(pod, "spec.model.baseURL", "spec.agents.default.baseURL"))
		}
		if m.Thinking != "" {
			s.set("THINKING_MODE", m.Thinking, specAt(pod, "spec.model.thinking", "spec.agents.default.thinking"))
		}
		if len(m.ProviderHeaders) > 0 {
			b, _ := json.Marshal(m.ProviderHeaders) // keys sorted: deterministic
			s.set("MODEL_PROVIDER_HEADERS", string(b), specAt(pod, "spec.model.providerHeaders", "spec.agents.default.providerHeaders"))
		}
		if m.AuthSecretRef != "" {
			at := runAt(pod, "spec.model.authSecretRef")
			if fromAgent(pod) {
				at = agentAt(pod, fmt.Sprintf("spec.authRefs[%d].secret", authSecretRef(pod.Instance)))
			}
			for _, key := range allowedAuthSecretKeys {
				s.setFrom(key, &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
					LocalObjectReference: corev1.LocalObjectReference{Name: m.AuthSecretRef}, Key: key, Optional: ptr(true),
				}}, at)
			}
		}
	}
	if u := spec.UseContext; u != nil {
		s.set("USE_CONTEXT", strconv.FormatBool(*u), runAt(pod, "spec.useContext"))
	}
	if t := spec.Task; t != nil && t.Object {
		// The sidecar-driven handler's ConfigureAgentContainer: the agent answers the sidecar's
		// prompts instead of running its own loop.
		s.set("AGENT_MODE", "prompt-server", runAt(pod, "spec.task.mode"))
	}
	if d, at := runTimeout(pod); d > 0 {
		s.set("RUN_TIMEOUT", d.String(), at)
	}
	if spec.DryRun {
		s.set("DRY_RUN", "true", runAt(pod, "spec.dryRun"))
	}
	if spec.CanaryMode {
		at := specAt(pod, "spec.canaryMode", "metadata.labels.sympozium.ai/ensemble")
		s.set("CANARY_MODE", "true", at)
		s.setFrom("HOST_IP", fieldRef("status.hostIP"), at)
	}
	if memoryEnabled(pod.Instance) {
		s.set("MEMORY_ENABLED", "true", agentAt(pod, "spec.memory.enabled"))
	}
	if tp := spec.ToolPolicy; tp != nil {
		if len(tp.Allow) > 0 {
			s.set("TOOL_POLICY_ALLOW", strings.Join(tp.Allow, ","), runAt(pod, "spec.toolPolicy.allow"))
		}
		if len(tp.Deny) > 0 {
			s.set("TOOL_POLICY_DENY", strings.Join(tp.Deny, ","), runAt(pod, "spec.toolPolicy.deny"))
		}
	}
	if obs := observability(pod.Instance); obs != nil {
		if obs.OTLPEndpoint != "" {
			// buildContainers' own OTel variables, before buildObservabilityEnv's (which win).
			s.set("OTEL_EXPORTER_OTLP_ENDPOINT", obs.OTLPEndpoint, agentAt(pod, "spec.observability.otlpEndpoint"))
			s.set("OTEL_SERVICE_NAME", "sympozium-agent-runner", agentAt(pod, "spec.observability.otlpEndpoint"))
		}
		observabilityEnv(pod, obs, s)
	}
	subagentsEnv(pod, s)

	// spec.env, after everything derived.
	var diags diag.Diagnostics
	userAt := specAt(pod, "spec.env.$", "spec.agents.default.env.$")
	for _, k := range sortedKeys(spec.Env) {
		if prev, derived := s[k]; derived {
			f := strings.ReplaceAll(userAt.field, "$", k)
			diags = append(diags, userAt.src.Diag(f, "%q is also set from %s (%s:%d) in the pod of %s %s/%s: upstream's spec.env would silently replace that value; keep one",
				k, strings.ReplaceAll(prev.at.field, "$", k), prev.at.src.File, prev.at.src.LineOf(prev.at.field), pod.Kind, pod.Namespace, pod.Name))
			continue
		}
		s[k] = envVar{corev1.EnvVar{Name: k, Value: string(spec.Env[k])}, userAt}
	}
	// injectMemoryConfig runs after spec.env and leaves a MEMORY_AUTO_STORE of spec.env alone.
	if m := pod.Instance.Spec.Memory; m != nil && m.AutoStore != nil && !*m.AutoStore {
		if _, ok := hasPack(pod, "memory"); ok {
			if _, set := s["MEMORY_AUTO_STORE"]; !set {
				s.set("MEMORY_AUTO_STORE", "false", agentAt(pod, "spec.memory.autoStore"))
			}
		}
	}
	return s, diags
}

// subagentsEnv is upstream's injectSubagentsConfig: a run with the subagents SkillPack learns
// the Agent's limits on the sub-runs it may spawn (defaults 3 children, 5 concurrent, depth 2).
func subagentsEnv(pod *Pod, s envSet) {
	t, ok := hasPack(pod, "subagents")
	if !ok {
		return
	}
	toggle := where{&t.Src, t.Field + ".skillPackRef"}
	s.set("SUBAGENTS_ENABLED", "true", toggle)
	sub := agentDefaults(pod.Instance).Subagents
	for _, l := range []struct {
		name, field string
		def         int
		value       func(*api.SubagentsSpec) int
	}{
		{"SUBAGENTS_MAX_CHILDREN", "maxChildrenPerAgent", 3, func(s *api.SubagentsSpec) int { return s.MaxChildrenPerAgent }},
		{"SUBAGENTS_MAX_CONCURRENT", "maxConcurrent", 5, func(s *api.SubagentsSpec) int { return s.MaxConcurrent }},
		{"SUBAGENTS_MAX_DEPTH", "maxDepth", 2, func(s *api.SubagentsSpec) int { return s.MaxDepth }},
	} {
		if sub != nil && l.value(sub) > 0 {
			s.set(l.name, strconv.Itoa(l.value(sub)), agentAt(pod, "spec.agents.default.subagents."+l.field))
		} else {
			s.set(l.name, strconv.Itoa(l.def), toggle)
		}
	}
}

// observabilityEnv is upstream's buildObservabilityEnv, on the agent and the IPC bridge alike.
// The run's id in the resource attributes is, for a schedule, the Job's name: the kubelet
// expands $(AGENT_RUN_ID), which sorts before these variables.
func observabilityEnv(pod *Pod, obs *api.ObservabilitySpec, s envSet) {
	const base = "spec.observability"
	s.set("SYMPOZIUM_OTEL_ENABLED", "true", agentAt(pod, base+".enabled"))
	for _, v := range []struct{ value, field, name string }{
		{obs.OTLPEndpoint, "otlpEndpoint", "OTLP_ENDPOINT"},
		{obs.OTLPProtocol, "otlpProtocol", "OTLP_PROTOCOL"},
		{obs.ServiceName, "serviceName", "SERVICE_NAME"},
	} {
		if v.value == "" {
			continue
		}
		at := agentAt(pod, base+"."+v.field)
		s.set("SYMPOZIUM_OTEL_"+v.name, v.value, at)
		otel := "OTEL_EXPORTER_" + v.name
		if v.name == "SERVICE_NAME" {
			otel = "OTEL_SERVICE_NAME"
		}
		s.set(otel, v.value, at)
	}
	runID := pod.Name
	if pod.Scheduled() {
		runID = "$(AGENT_RUN_ID)"
	}
	attrs := map[string]string{
		"sympozium.instance.name": pod.Instance.Metadata.Name,
		"sympozium.agent_run.id":  runID,
		"k8s.namespace.name":      pod.Namespace,
	}
	for k, v := range obs.ResourceAttributes {
		attrs[k] = v
	}
	pairs := make([]string, 0, len(attrs))
	for k, v := range attrs {
		if k != "" && v != "" {
			pairs = append(pairs, k+"="+v)
		}
	}
	sort.Strings(pairs)
	at := agentAt(pod, base+".enabled")
	if len(obs.ResourceAttributes) > 0 {
		at = agentAt(pod, base+".resourceAttributes")
	}
	s.set("SYMPOZIUM_OTEL_RESOURCE_ATTRIBUTES", strings.Join(pairs, ","), at)
	s.set("OTEL_RESOURCE_ATTRIBUTES", strings.Join(pairs, ","), at)
}

// ipcBridgeEnv is what upstream gives the IPC bridge beside SPEC's bare container: the Agent's
// channels, the only ones the bridge lets the agent send to (ALLOWED_OUTBOUND_CHANNELS), and
// observability. SPEC's bridge has no other variable: a schedule's gets AGENT_RUN_ID (as
// upstream's always has) when a resource attribute refers to it.
func ipcBridgeEnv(pod *Pod) envSet {
	s := envSet{}
	// Always set, as upstream does: empty is the bridge's "no channel", while an absent variable
	// would let the agent send to any channel.
	var types []string
	for _, ch := range pod.Instance.Spec.Channels {
		if t := strings.TrimSpace(ch.Type); t != "" {
			types = append(types, t)
		}
	}
	s.set("ALLOWED_OUTBOUND_CHANNELS", strings.Join(types, ","), agentAt(pod, "spec.channels"))
	if obs := observability(pod.Instance); obs != nil {
		observabilityEnv(pod, obs, s)
		if pod.Scheduled() {
			s.setFrom("AGENT_RUN_ID", fieldRef(runIDRef), runAt(pod, "metadata.name"))
		}
	}
	return s
}

// skillRefs are the skill references the pod's skills volume is built from, and where: the
// run's own, else its Agent's (resolveAgentRunInputs; the schedule controller copies the
// Agent's).
func skillRefs(pod *Pod) ([]api.SkillRef, *diag.Source) {
	if !fromAgent(pod) && len(pod.Spec.Skills) > 0 {
		return pod.Spec.Skills, &pod.Src
	}
	return pod.Instance.Spec.Skills, &pod.Instance.Src
}

// Upstream's sandbox sidecar (buildContainers, "sandbox"): a shell beside the agent, with its
// workspace, idle until the agent executes commands in it.
const (
	SandboxContainer  = "sandbox"
	sandboxCPURequest = "100m"
	sandboxMemRequest = "256Mi"
	sandboxCPULimit   = "500m"
	sandboxMemLimit   = "512Mi"
)

// sandboxContainer renders a run's spec.sandbox as upstream does: the image (the config's by
// default) and its pull policy are the run's; the command, mounts, resources and security
// context are upstream's own, whatever spec.sandbox.resources and securityContext say (the
// controller reads neither: validateRun warns).
func sandboxContainer(cfg *api.ConfigSpec, sb *api.RunSandbox) corev1.Container {
	image := cfg.Images.Sandbox
	if sb.Image != "" {
		image = sb.Image
	}
	return corev1.Container{
		Name:            SandboxContainer,
		Image:           image,
		ImagePullPolicy: resolvePullPolicy(sb.ImagePullPolicy),
		Command:         []string{"sleep", "infinity"},
		VolumeMounts: []corev1.VolumeMount{
			{Name: VolumeWorkspace, MountPath: "/workspace"},
			{Name: VolumeTmp, MountPath: "/tmp"},
		},
		Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(sandboxCPURequest), corev1.ResourceMemory: resource.MustParse(sandboxMemRequest)},
			Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(sandboxCPULimit), corev1.ResourceMemory: resource.MustParse(sandboxMemLimit)},
		},
		// Upstream sets no allowPrivilegeEscalation here: the gate judges what upstream emits.
		SecurityContext: &corev1.SecurityContext{
			ReadOnlyRootFilesystem: ptr(true),
			Capabilities:           &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		},
	}
}

// resolvePullPolicy is upstream's ResolveImagePullPolicy: a valid policy, else IfNotPresent.
func resolvePullPolicy(p string) corev1.PullPolicy {
	switch pp := corev1.PullPolicy(p); pp {
	case corev1.PullAlways, corev1.PullIfNotPresent, corev1.PullNever:
		return pp
	}
	return corev1.PullIfNotPresent
}

// addSandbox adds a run's sandbox sidecar: a native sidecar by default, since a pre-rendered Job
// has no controller to stop its `sleep infinity` (upstream runs it as a plain container and ends
// the pod itself).
func addSandbox(cfg *api.ConfigSpec, pod *Pod, spec *corev1.PodSpec, images *diag.Source, from *origins) {
	sb := pod.Spec.Sandbox
	if fromAgent(pod) || sb == nil || !sb.Enabled {
		return
	}
	c := sandboxContainer(cfg, sb)
	list, path := &spec.Containers, "containers[#]"
	if cfg.Sidecars == api.SidecarsNative {
		c.RestartPolicy = ptr(corev1.ContainerRestartPolicyAlways)
		list, path = &spec.InitContainers, "initContainers[#]"
	}
	i := len(*list)
	from.setPod(path, i, 0, &pod.Src, "spec.sandbox", 0)
	switch {
	case sb.Image != "":
		from.setPod(path+".image", i, 0, &pod.Src, "spec.sandbox.image", 0)
	case images != nil:
		from.setPod(path+".image", i, 0, images, "spec.images.sandbox", 0)
	}
	if sb.ImagePullPolicy != "" {
		from.setPod(path+".imagePullPolicy", i, 0, &pod.Src, "spec.sandbox.imagePullPolicy", 0)
	}
	*list = append(*list, c)
}

// sandboxSeccomp is the pod's seccomp profile when spec.sandbox.securityContext names one
// (upstream seccompProfileForPod, which reads it whether or not the sandbox is enabled).
func sandboxSeccomp(pod *Pod, spec *corev1.PodSpec, from *origins) {
	sb := pod.Spec.Sandbox
	if fromAgent(pod) || sb == nil || sb.SecurityContext == nil || sb.SecurityContext.SeccompProfile == nil {
		return
	}
	spec.SecurityContext.SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileType(sb.SecurityContext.SeccompProfile.Type)}
	from.setPod("securityContext.seccompProfile", 0, 0, &pod.Src, "spec.sandbox.securityContext.seccompProfile", 0)
	from.setPod("securityContext.seccompProfile.type", 0, 0, &pod.Src, "spec.sandbox.securityContext.seccompProfile.type", 0)
}

// addUserVolumes adds the run's spec.volumes to the pod and its spec.volumeMounts to the agent
// (a schedule's: the Agent's, which the schedule controller copies), after skillc's and the
// packs' volumes (upstream buildVolumes and buildContainers). Names upstream or skillc reserve
// are refused on load; a name another volume of this pod already has is refused here, where
// upstream would drop one of them with a log line.
func addUserVolumes(pod *Pod, spec *corev1.PodSpec, volumeOwner map[string]string, from *origins) diag.Diagnostics {
	var diags diag.Diagnostics
	at := specAt(pod, "spec.volumes", "spec.volumes")
	for i, v := range pod.Spec.Volumes {
		field := fmt.Sprintf("%s[%d]", at.field, i)
		if owner, dup := volumeOwner[v.Name]; dup {
			diags = append(diags, at.src.Diag(field+".name", "volume %q collides with a volume of %s in the pod of %s %s/%s; rename it", v.Name, owner, pod.Kind, pod.Namespace, pod.Name))
			continue
		}
		volumeOwner[v.Name] = "the " + pod.Kind
		if fromAgent(pod) {
			volumeOwner[v.Name] = "the Agent"
		}
		from.add(rec{path: "volumes[#]", idx: [2]int32{int32(len(spec.Volumes))}, src: at.src, field: at.field + "[#]", fidx: int32(i), flags: inPod | verbatim})
		spec.Volumes = append(spec.Volumes, v)
	}
	agent := &spec.Containers[0]
	mat := specAt(pod, "spec.volumeMounts", "spec.volumeMounts")
	for i, m := range pod.Spec.VolumeMounts {
		field := fmt.Sprintf("%s[%d]", mat.field, i)
		if _, ok := volumeOwner[m.Name]; !ok {
			diags = append(diags, mat.src.Diag(field+".name", "volumeMount %q names no volume of the pod of %s %s/%s: declare it in spec.volumes", m.Name, pod.Kind, pod.Namespace, pod.Name))
			continue
		}
		if j := slices.IndexFunc(agent.VolumeMounts, func(o corev1.VolumeMount) bool { return o.MountPath == m.MountPath }); j >= 0 {
			diags = append(diags, mat.src.Diag(field+".mountPath", "the agent container already mounts %s (volume %q): a container mounts one volume per path", m.MountPath, agent.VolumeMounts[j].Name))
			continue
		}
		from.add(rec{path: "containers[0].volumeMounts[#]", idx: [2]int32{int32(len(agent.VolumeMounts))}, src: mat.src, field: mat.field + "[#]", fidx: int32(i), flags: inPod | verbatim})
		agent.VolumeMounts = append(agent.VolumeMounts, m)
	}
	return diags
}

// nodeSelector is the pod's nodeSelector: the run's spec.model.nodeSelector (a schedule's: the
// Agent's agents.default.nodeSelector), as buildAgentPodTemplate sets it.
func nodeSelector(pod *Pod, spec *corev1.PodSpec, from *origins) {
	m := pod.Spec.Model
	if m == nil || len(m.NodeSelector) == 0 {
		return
	}
	spec.NodeSelector = m.NodeSelector
	at := specAt(pod, "spec.model.nodeSelector", "spec.agents.default.nodeSelector")
	from.add(rec{path: "nodeSelector", src: at.src, field: at.field, flags: inPod | verbatim})
}

// sidecarDriven is what upstream's sidecar-driven task mode changes in a run's pod
// (taskmodes/sidecar_driven.go, AdjustSidecars): the first sidecar that declares the task's
// tool runs that tool (its exec and subcommand) instead of its command, and receives the task's
// parameters as SYMPOZIUM_RUN_CONFIG_JSON.
type sidecarDriven struct {
	toggle  int // index in pod.Toggles
	tool    int // index in the toggle's sidecar.tools
	command []string
	config  string
}

// taskMode resolves a run's object task (validated on load: mode sidecar-driven, a tool) to the
// sidecar it drives, or refuses it as upstream would fail the run. Server-only sidecars are not
// in a task's pod (prepareTaskPrerequisites).
func taskMode(pod *Pod) (*sidecarDriven, diag.Diagnostics) {
	task := pod.Spec.Task
	if fromAgent(pod) || task == nil || !task.Object {
		return nil, nil
	}
	var declared []string
	for ti, t := range pod.Toggles {
		sc := t.Pack.Spec.Sidecar
		if sc == nil || sc.Image == "" || sc.RequiresServer {
			continue
		}
		for j, tool := range sc.Tools {
			if tool.Name != task.Tool {
				declared = append(declared, t.Pack.Metadata.Name+"."+tool.Name)
				continue
			}
			cmd := slices.Clone(tool.Exec)
			if tool.Subcommand != "" {
				cmd = append(cmd, tool.Subcommand)
			}
			params := task.Parameters
			if params == nil {
				params = map[string]string{} // "{}", never "null": the sidecar parses an object
			}
			b, _ := json.Marshal(params)
			return &sidecarDriven{toggle: ti, tool: j, command: cmd, config: string(b)}, nil
		}
	}
	return nil, diag.Diagnostics{pod.Src.Diag("spec.task.tool", "no sidecar of the run declares tool %q (declared: %v): upstream's sidecar-driven mode would fail the run",
		task.Tool, declared)}
}

// applyTaskMode changes the driven sidecar c (at path, index ci of its list) as taskMode said,
// recording where its command and its new variable came from.
func applyTaskMode(tm *sidecarDriven, t *Toggle, c *corev1.Container, pod *Pod, path string, ci int, from *origins) {
	if len(tm.command) > 0 {
		c.Command = tm.command
		from.add(rec{path: path + ".command", idx: [2]int32{int32(ci)}, src: &t.Pack.Src, field: "spec.sidecar.tools[#].exec", fidx: int32(tm.tool), flags: inPod})
	}
	from.setPod(path+".env[#]", ci, len(c.Env), &pod.Src, "spec.task.parameters", 0)
	c.Env = append(c.Env, corev1.EnvVar{Name: "SYMPOZIUM_RUN_CONFIG_JSON", Value: tm.config})
}
