package compile

import (
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
)

// The source checks of the fields that shape a run's pod (build_runpod.go): what the API server
// would refuse once the controller built the pod, what upstream's controller would fail the run
// for, and a warning for each field upstream's controller reads nowhere, so that none is accepted
// and silently ignored.

func warning(src diag.Source, field, format string, args ...any) diag.Diagnostic {
	return diag.Diagnostic{File: src.File, Line: src.LineOf(field), Field: field, Severity: diag.SeverityWarning, Message: fmt.Sprintf(format, args...)}
}

// validateAgentEnv checks the agent's variables a run (spec.env) or an Agent
// (spec.agents.default.env) sets: valid names, none of SPEC's base variables, none that changes
// what the agent runs before its own code.
func validateAgentEnv(src diag.Source, field string, env map[string]api.Scalar) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, k := range sortedKeys(env) {
		f := field + "." + k
		for _, msg := range validation.IsEnvVarName(k) {
			diags = append(diags, src.Diag(f, "invalid env name %q: %s", k, msg))
		}
		if _, reserved := agentEnvNames[k]; reserved {
			diags = append(diags, src.Diag(f, "%q is set by skillc itself", k))
		}
		if why := reservedEnv(k, "the agent"); why != "" {
			diags = append(diags, src.Diag(f, "%q is reserved: %s", k, why))
		}
	}
	return diags
}

// validateConfigMapRef checks a skills[].configMapRef: a ConfigMap name, projected into the
// skills volume as it is in the cluster. skillc never reads it, so the gate cannot see it: a
// warning says so at its line.
func validateConfigMapRef(src diag.Source, f string, r api.SkillRef) diag.Diagnostics {
	if r.ConfigMapRef == "" {
		return nil
	}
	var diags diag.Diagnostics
	field := f + ".configMapRef"
	for _, msg := range validation.IsDNS1123Subdomain(r.ConfigMapRef) {
		diags = append(diags, src.Diag(field, "invalid ConfigMap name %q: %s", r.ConfigMapRef, msg))
	}
	if len(diags) > 0 {
		return diags
	}
	diags = append(diags, warning(src, field, "ConfigMap %q is mounted into /skills as it is in the cluster when the run starts: skillc never reads it, so the gate cannot see its content (its skills and any commands in them are unchecked)", r.ConfigMapRef))
	if r.SkillPackRef == "" && len(r.Params) > 0 {
		diags = append(diags, warning(src, f+".params", "params become SKILL_<PARAM> variables of a SkillPack's sidecar; a configMapRef has none, so upstream uses them nowhere"))
	}
	return diags
}

// validateUserVolumes checks a run's (or an Agent's) volumes and the agent's mounts of them: valid,
// unreserved names (upstream would drop a reserved one with a log line), mounts the API server and
// the kubelet accept. Host paths are the gate's to judge (META-01: host access only through a
// pack's hostAccess).
func validateUserVolumes(src diag.Source, vols []corev1.Volume, mounts []corev1.VolumeMount) diag.Diagnostics {
	var diags diag.Diagnostics
	seen := map[string]int{}
	for i, v := range vols {
		f := fmt.Sprintf("spec.volumes[%d].name", i)
		for _, msg := range validation.IsDNS1123Label(v.Name) {
			diags = append(diags, src.Diag(f, "invalid volume name %q: %s", v.Name, msg))
		}
		if why := reservedUserVolume(v.Name); why != "" {
			diags = append(diags, src.Diag(f, "volume name %q is reserved: %s", v.Name, why))
		}
		if j, dup := seen[v.Name]; dup {
			diags = append(diags, src.Diag(f, "duplicate volume name %q (also spec.volumes[%d])", v.Name, j))
		}
		seen[v.Name] = i
	}
	paths := map[string]int{}
	for i, m := range mounts {
		f := fmt.Sprintf("spec.volumeMounts[%d]", i)
		diags = append(diags, validateVolumeMount(src, f, m, false)...)
		if why := reservedUserVolume(m.Name); why != "" {
			diags = append(diags, src.Diag(f+".name", "volume name %q is reserved: %s", m.Name, why))
		}
		if j, dup := paths[m.MountPath]; dup && m.MountPath != "" {
			diags = append(diags, src.Diag(f+".mountPath", "spec.volumeMounts[%d] already mounts %s: a container mounts one volume per path", j, m.MountPath))
		}
		paths[m.MountPath] = i
	}
	return diags
}

// reservedUserVolume says why a run's or an Agent's volume (or mount) name is refused: one of
// upstream's own, which its controller would drop with a log line, or one of skillc's.
func reservedUserVolume(name string) string {
	if slices.Contains(UpstreamReservedVolumes, name) {
		return fmt.Sprintf("upstream's controller keeps the names %s for its own volumes and drops any other volume or mount so named; name yours otherwise", strings.Join(UpstreamReservedVolumes, ", "))
	}
	return reservedVolume(name)
}

// validateNodeSelector applies the API server's check of a pod's nodeSelector (ValidateLabels).
func validateNodeSelector(src diag.Source, field string, sel map[string]string) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, k := range sortedKeys(sel) {
		for _, msg := range validation.IsQualifiedName(k) {
			diags = append(diags, src.Diag(field, "invalid nodeSelector key %q: %s", k, msg))
		}
		for _, msg := range validation.IsValidLabelValue(sel[k]) {
			diags = append(diags, src.Diag(field+"."+k, "invalid nodeSelector value %q: %s", sel[k], msg))
		}
	}
	return diags
}

// validDuration is a positive Go duration, as upstream parses timeouts (time.ParseDuration).
func validDuration(s string) bool {
	d, err := time.ParseDuration(s)
	return err == nil && d > 0
}

// validateAgentPod checks what an Agent gives the pods of its runs and schedules.
func validateAgentPod(in *api.Instance) diag.Diagnostics {
	src := in.Src
	var diags diag.Diagnostics
	diags = append(diags, validateUserVolumes(src, in.Spec.Volumes, in.Spec.VolumeMounts)...)
	if a := in.Spec.Agents; a != nil {
		d := &a.Default
		const base = "spec.agents.default"
		diags = append(diags, validateAgentEnv(src, base+".env", d.Env)...)
		if d.RunTimeout != "" && !validDuration(d.RunTimeout) {
			// Upstream's ParseRunTimeout drops it silently and runs get the 10-minute default.
			diags = append(diags, src.Diag(base+".runTimeout", "invalid duration %q (e.g. 5m, 1h30m)", d.RunTimeout))
		}
		diags = append(diags, validateNodeSelector(src, base+".nodeSelector", d.NodeSelector)...)
		if d.Sandbox != nil {
			diags = append(diags, warning(src, base+".sandbox", "upstream v0.10.46 copies agents.default.sandbox into no run (neither the schedule controller nor any other creator of runs reads it): no sandbox is emitted for it. Set spec.sandbox on the AgentRun"))
		}
		if s := d.Subagents; s != nil && !refsPack(in.Spec.Skills, "subagents") {
			diags = append(diags, warning(src, base+".subagents", "these limits reach only runs whose skills include the subagents SkillPack (upstream injectSubagentsConfig); this Agent does not toggle it, so only runs that list it themselves get them"))
		}
	}
	for i, r := range in.Spec.Skills {
		if strings.TrimPrefix(r.SkillPackRef, "skillpack-") == "memory" {
			// reconcileMemoryPVC, reconcileMemoryDeployment; the wait-for-memory init container and
			// MEMORY_SERVER_URL in buildContainers. Said rather than silently dropped.
			diags = append(diags, warning(src, fmt.Sprintf("spec.skills[%d].skillPackRef", i), "upstream runs a memory server for an Agent with the memory skill (a Deployment `%s-memory`, its PersistentVolumeClaim and Service: reconcileMemoryDeployment) and points every run at it (MEMORY_SERVER_URL, a wait-for-memory init container); skillc emits none of these yet: the skill's text reaches the agent, its server does not", in.Metadata.Name))
			break
		}
	}
	if m := in.Spec.Memory; m != nil {
		if m.MaxSizeKB != 0 {
			diags = append(diags, warning(src, "spec.memory.maxSizeKB", "upstream's controller reads maxSizeKB nowhere (v0.10.46): nothing caps the memory ConfigMap"))
		}
		if m.AutoStore != nil && !*m.AutoStore && !refsPack(in.Spec.Skills, "memory") {
			diags = append(diags, warning(src, "spec.memory.autoStore", "autoStore: false reaches only runs whose skills include the memory SkillPack (upstream injectMemoryConfig); this Agent does not toggle it"))
		}
	}
	if o := in.Spec.Observability; o != nil {
		const base = "spec.observability"
		switch o.OTLPProtocol {
		case "", "grpc", "http/protobuf":
		default:
			diags = append(diags, src.Diag(base+".otlpProtocol", "must be grpc or http/protobuf, got %q", o.OTLPProtocol))
		}
		if !o.Enabled && (o.OTLPEndpoint != "" || o.OTLPProtocol != "" || o.ServiceName != "" || len(o.ResourceAttributes) > 0) {
			diags = append(diags, warning(src, base+".enabled", "observability is not enabled: its settings are ignored"))
		}
		// buildObservabilityEnv passes none of these to the pod (v0.10.46).
		for _, f := range []struct {
			name string
			set  bool
		}{{"headers", len(o.Headers) > 0}, {"headersSecretRef", o.HeadersSecretRef != ""}, {"samplingRatio", o.SamplingRatio != ""}} {
			if f.set {
				diags = append(diags, warning(src, base+"."+f.name, "upstream's controller passes %s to no container (v0.10.46 buildObservabilityEnv), and neither does skillc: the exporters run without it", f.name))
			}
		}
	}
	return diags
}

// refsPack reports whether skill references toggle the pack named name (with or without its
// skillpack- prefix, as resolution strips it).
func refsPack(refs []api.SkillRef, name string) bool {
	return slices.ContainsFunc(refs, func(r api.SkillRef) bool { return strings.TrimPrefix(r.SkillPackRef, "skillpack-") == name })
}

// validateRunPod checks what a run's own spec puts into its pod.
func validateRunPod(r *api.AgentRun) diag.Diagnostics {
	src := r.Src
	spec := &r.Spec
	var diags diag.Diagnostics
	// spec.mode is validateServerRun's.
	diags = append(diags, validateUserVolumes(src, spec.Volumes, spec.VolumeMounts)...)
	if m := spec.Model; m != nil {
		diags = append(diags, validateNodeSelector(src, "spec.model.nodeSelector", m.NodeSelector)...)
	}
	if t := spec.Task; t != nil && t.Object {
		diags = append(diags, validateTaskObject(src, t)...)
	}
	if sb := spec.Sandbox; sb != nil {
		diags = append(diags, validateSandbox(src, sb)...)
	}
	return diags
}

// taskModes are the orchestration modes upstream v0.10.46 registers (taskmodes/register.go).
var taskModes = []string{"sidecar-driven"}

// validateTaskObject checks an object task as upstream's dispatch does before it builds the pod
// (resolveTaskModeAdjustments): a registered mode, and for sidecar-driven a tool. Keys upstream's
// TaskSpec does not read are refused: it would drop them.
func validateTaskObject(src diag.Source, t *api.Task) diag.Diagnostics {
	var diags diag.Diagnostics
	if !slices.Contains(taskModes, t.Mode) {
		diags = append(diags, src.Diag("spec.task.mode", "unknown task mode %q: upstream v0.10.46 supports %s and fails the run otherwise (a string task is a prompt)", t.Mode, strings.Join(taskModes, ", ")))
	} else if t.Tool == "" {
		diags = append(diags, src.Diag("spec.task.tool", "required by the sidecar-driven mode: the tool (sidecar.tools[].name) of the sidecar that drives the run"))
	}
	for _, k := range t.Ignored {
		diags = append(diags, src.Diag("spec.task."+k, "upstream's task object has mode, tool and parameters: its controller would ignore %q", k))
	}
	return diags
}

// validateSandbox checks a run's spec.sandbox as the API server would check the container and
// pod upstream builds from it, and warns about the fields upstream's controller does not read.
func validateSandbox(src diag.Source, sb *api.RunSandbox) diag.Diagnostics {
	const base = "spec.sandbox"
	var diags diag.Diagnostics
	if sb.Image != "" {
		if err := api.ParseImage(sb.Image); err != nil {
			diags = append(diags, src.Diag(base+".image", "invalid image reference %q: %v", sb.Image, err))
		}
	}
	switch corev1.PullPolicy(sb.ImagePullPolicy) {
	case "", corev1.PullAlways, corev1.PullIfNotPresent, corev1.PullNever:
	default:
		diags = append(diags, src.Diag(base+".imagePullPolicy", "must be Always, IfNotPresent or Never, got %q", sb.ImagePullPolicy))
	}
	if r := sb.Resources; r != nil {
		for _, part := range []struct {
			name string
			list map[string]api.Scalar
		}{{"requests", r.Requests}, {"limits", r.Limits}} {
			for _, k := range sortedKeys(part.list) {
				if _, err := api.ParseQuantity(string(part.list[k]), k == "cpu"); err != nil {
					diags = append(diags, src.Diag(base+".resources."+part.name+"."+k, "invalid quantity %q: %v", part.list[k], err))
				}
			}
		}
		if sb.Enabled {
			diags = append(diags, warning(src, base+".resources", "upstream's controller gives the sandbox fixed resources (requests %s/%s, limits %s/%s) whatever this says (v0.10.46 buildContainers), and so does skillc; only a SympoziumPolicy's sandbox limits read it",
				sandboxCPURequest, sandboxMemRequest, sandboxCPULimit, sandboxMemLimit))
		}
	}
	if sc := sb.SecurityContext; sc != nil {
		if c := sc.Capabilities; c != nil && len(c.Drop) > 0 && !slices.Equal(c.Drop, []string{"ALL"}) && sb.Enabled {
			diags = append(diags, warning(src, base+".securityContext.capabilities.drop", "upstream drops ALL capabilities from the sandbox whatever this says (v0.10.46 buildContainers), and so does skillc"))
		}
		// Both are bools upstream: only a written false says something the pod will not do.
		if f := base + ".securityContext.readOnlyRootFilesystem"; src.Written(f) && !sc.ReadOnlyRootFilesystem && sb.Enabled {
			diags = append(diags, warning(src, f, "upstream mounts the sandbox's root filesystem read-only whatever this says (v0.10.46 buildContainers), and so does skillc"))
		}
		if f := base + ".securityContext.runAsNonRoot"; src.Written(f) && !sc.RunAsNonRoot && sb.Enabled {
			diags = append(diags, warning(src, f, "the pod runs as UID 1000, non-root, whatever this says (upstream buildAgentPodTemplate), and so does skillc"))
		}
		if p := sc.SeccompProfile; p != nil {
			switch corev1.SeccompProfileType(p.Type) {
			case corev1.SeccompProfileTypeRuntimeDefault, corev1.SeccompProfileTypeUnconfined:
			case corev1.SeccompProfileTypeLocalhost:
				diags = append(diags, src.Diag(base+".securityContext.seccompProfile.type", "Localhost needs a localhostProfile, which upstream's seccompProfile has no field for: the API server would refuse the pod"))
			default:
				diags = append(diags, src.Diag(base+".securityContext.seccompProfile.type", "must be RuntimeDefault, Unconfined or Localhost, got %q", p.Type))
			}
		}
	}
	return diags
}

// scheduleTypes are upstream's SympoziumSchedule types.
var scheduleTypes = []string{"heartbeat", "scheduled", "sweep"}

// validateScheduleRuns checks what a schedule says about its runs: type and firstTick. A CronJob
// first fires at the next time its schedule matches, which is exactly upstream's afterInterval;
// upstream's default, immediate, runs once as soon as the schedule exists, which a pre-rendered
// CronJob cannot: a warning says so.
func validateScheduleRuns(sc *api.Schedule) diag.Diagnostics {
	src := sc.Src
	var diags diag.Diagnostics
	if t := sc.Spec.Type; t != "" && !slices.Contains(scheduleTypes, t) {
		diags = append(diags, src.Diag("spec.type", "must be heartbeat, scheduled or sweep, got %q", t))
	}
	switch sc.Spec.FirstTick {
	case "afterInterval":
	case "", "immediate":
		if checkCron(sc.Spec.Schedule) != "" {
			break // refused on its own
		}
		field := "spec.firstTick"
		what := "firstTick immediate"
		if sc.Spec.FirstTick == "" {
			field, what = "spec.schedule", "firstTick (unset: immediate, upstream's default)"
		}
		diags = append(diags, warning(src, field, "%s runs the schedule once as soon as it is created; the CronJob skillc emits first runs at the next time %q matches. Set firstTick: afterInterval to say so, and add an AgentRun for a first run now", what, sc.Spec.Schedule))
	default:
		diags = append(diags, src.Diag("spec.firstTick", "must be immediate or afterInterval, got %q", sc.Spec.FirstTick))
	}
	return diags
}
