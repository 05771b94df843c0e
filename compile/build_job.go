package compile

import (
	"fmt"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
)

// Defaults of the pod, from SPEC §3.
const (
	defaultDeadlineSeconds = 600
	deadlineGraceSeconds   = 60
	defaultSidecarCPU      = "100m"
	defaultSidecarMemory   = "128Mi"
	podUID                 = 1000
	tokenVolume            = "kube-api-access"
	tokenMountPath         = "/var/run/secrets/kubernetes.io/serviceaccount"
)

// buildJob renders a run's Job and, when record is set, where its fields came from (asked for
// only when the Job has a problem to report: recording costs as much as building).
func buildJob(cfg *api.ConfigSpec, pod *Pod, record bool) (*batchv1.Job, origins, diag.Diagnostics) {
	tmpl, podFrom, diags := buildPodTemplate(cfg, pod, record)
	if tmpl == nil {
		return nil, nil, diags
	}
	var from origins
	if record {
		from = podObjectOrigins(pod, "spec.template.")
		from.set("spec.activeDeadlineSeconds", pod.Src, "spec.timeout")
		podFrom.prefixed("spec.template.spec.", from)
	}
	return &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: objectMeta(pod.Name, pod.Namespace, podLabels(pod)),
		Spec:       jobSpec(pod, *tmpl),
	}, from, diags
}

// jobSpec runs the pod once (an agent run is not retried: it may have acted) within its deadline.
func jobSpec(pod *Pod, tmpl corev1.PodTemplateSpec) batchv1.JobSpec {
	deadline := int64(defaultDeadlineSeconds)
	if t := pod.Timeout; t != "" {
		d, _ := time.ParseDuration(t) // validated on load
		deadline = int64(d/time.Second) + deadlineGraceSeconds
	}
	return batchv1.JobSpec{
		BackoffLimit:          ptr(int32(0)),
		ActiveDeadlineSeconds: &deadline,
		Template:              tmpl,
	}
}

// podObjectOrigins are the origins of a Job's or CronJob's own fields: the run or schedule, except
// the labels, where only the instance's name can be invalid (a 253-character object name, but a
// label value holds 63).
func podObjectOrigins(pod *Pod, template string) origins {
	from := origins{}
	from.set("", pod.Src, "metadata.name")
	from.set("metadata.labels", pod.Instance.Src, "metadata.name")
	from.set(template+"metadata.labels", pod.Instance.Src, "metadata.name")
	return from
}

// podLabels are the labels of a run's Job and pod, or of a schedule's CronJob and its pods.
func podLabels(pod *Pod) map[string]string {
	return labels(
		runLabelKey(pod), pod.Name,
		LabelInstance, pod.Instance.Metadata.Name,
		LabelComponent, "agent-run",
	)
}

// runLabelKey names what a pod's objects belong to: a run, or a schedule.
func runLabelKey(pod *Pod) string {
	if pod.Scheduled() {
		return LabelSchedule
	}
	return LabelAgentRun
}

// buildPodTemplate renders the pod every run and every schedule of an instance gets and,
// when record is set, where its fields came from (paths relative to the pod spec).
func buildPodTemplate(cfg *api.ConfigSpec, pod *Pod, record bool) (*corev1.PodTemplateSpec, origins, diag.Diagnostics) {
	perRun := cfg.Identity == api.IdentityPerRun
	spec := corev1.PodSpec{
		ServiceAccountName: serviceAccountName(cfg.Identity, pod.Name),
		RestartPolicy:      corev1.RestartPolicyNever,
		SecurityContext: &corev1.PodSecurityContext{
			RunAsUser:      ptr(int64(podUID)),
			RunAsNonRoot:   ptr(true),
			FSGroup:        ptr(int64(podUID)),
			SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
		ImagePullSecrets: pullSecrets(pod, nil),
		Containers:       []corev1.Container{agentContainer(cfg, pod), ipcBridgeContainer(cfg)},
		Volumes:          baseVolumes(pod),
	}
	if perRun {
		spec.AutomountServiceAccountToken = ptr(false)
	}
	var from origins
	if record {
		from = origins{}
		from.set("", pod.Src, "metadata.name")
		agentEnvOrigins(spec.Containers[0].Env, pod, from)
		pullSecrets(pod, from)
		for i, t := range pod.Toggles {
			// baseVolumes projects one source per toggle into "skills", its fourth volume.
			from.set(fmt.Sprintf("volumes[3].projected.sources[%d]", i), t.Src, t.Field+".skillPackRef")
		}
	}
	var diags diag.Diagnostics
	needsToken := false
	volumeOwner := map[string]string{}
	for _, v := range spec.Volumes {
		volumeOwner[v.Name] = "skillc"
	}
	addVolume := func(t Toggle, v corev1.Volume) {
		if owner, dup := volumeOwner[v.Name]; dup {
			diags = append(diags, t.Pack.Src.Diag("spec.sidecar.volumes", "volume %q of SkillPack %q collides with a volume of %s in the pod of %s/%s", v.Name, t.Pack.Metadata.Name, owner, pod.Namespace, pod.Name))
			return
		}
		volumeOwner[v.Name] = "SkillPack " + t.Pack.Metadata.Name
		spec.Volumes = append(spec.Volumes, v)
	}
	// Where each container and volume of a pack came from, recorded as it is appended.
	recordAll := func(prefix string, ps []string, src diag.Source) {
		for i, f := range ps {
			if f != "" {
				from.set(fmt.Sprintf("%s[%d]", prefix, i), src, f)
			}
		}
	}
	for _, t := range pod.Toggles {
		sc := t.Pack.Spec.Sidecar
		if sc == nil || sc.Image == "" {
			continue
		}
		c, vols, co, d := sidecarContainer(t, record)
		diags = append(diags, d...)
		if ha := sc.HostAccess; ha != nil && ha.Enabled {
			spec.HostPID = spec.HostPID || ha.HostPID
			spec.HostNetwork = spec.HostNetwork || ha.HostNetwork
		}
		if perRun && (len(sc.RBAC) > 0 || len(sc.ClusterRBAC) > 0) {
			// Only the sidecars that declared RBAC get the API token; the agent never does.
			needsToken = true
			c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: tokenVolume, MountPath: tokenMountPath, ReadOnly: true})
		}
		for i, v := range vols {
			if _, dup := volumeOwner[v.Name]; !dup && record {
				from.set(fmt.Sprintf("volumes[%d]", len(spec.Volumes)), t.Pack.Src, co.volumes[i])
			}
			addVolume(t, v)
		}
		list := &spec.Containers
		if cfg.Sidecars == api.SidecarsNative {
			// A native sidecar ends with the pod: a pre-rendered Job has no controller to stop it.
			c.RestartPolicy = ptr(corev1.ContainerRestartPolicyAlways)
			list = &spec.InitContainers
		}
		index := len(*list)
		*list = append(*list, c)
		if !record {
			continue
		}
		prefix := fmt.Sprintf("containers[%d]", index)
		if list == &spec.InitContainers {
			prefix = fmt.Sprintf("initContainers[%d]", index)
		}
		from.set(prefix, t.Pack.Src, "spec.sidecar")
		from.set(prefix+".name", t.Pack.Src, "metadata.name")
		from.set(prefix+".image", t.Pack.Src, "spec.sidecar.image")
		from.set(prefix+".imagePullPolicy", t.Pack.Src, "spec.sidecar.imagePullPolicy")
		from.set(prefix+".resources", t.Pack.Src, "spec.sidecar.resources")
		if ha := sc.HostAccess; ha != nil && ha.Enabled && (ha.RunAsRoot || ha.Privileged) {
			from.set(prefix+".securityContext", t.Pack.Src, "spec.sidecar.hostAccess") // UID 0 or privileged: explain names the cause
		}
		recordAll(prefix+".volumeMounts", co.mounts, t.Pack.Src)
		recordAll(prefix+".env", co.env, t.Pack.Src)
		for i, k := range co.params {
			if k != "" {
				from.set(fmt.Sprintf("%s.env[%d]", prefix, i), t.Src, t.Field+".params."+k)
			}
		}
	}
	if spec.HostNetwork {
		spec.DNSPolicy = corev1.DNSClusterFirstWithHostNet
	}
	if needsToken {
		spec.Volumes = append(spec.Volumes, tokenProjection())
	}
	if diags.HasErrors() {
		return nil, nil, diags
	}
	return &corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: podLabels(pod)},
		Spec:       spec,
	}, from, diags
}

// pullSecrets is the instance's image pull secrets followed by the run's, without repeats; with
// from set, it records where each came from.
func pullSecrets(pod *Pod, from origins) []corev1.LocalObjectReference {
	var out []corev1.LocalObjectReference
	seen := map[string]bool{}
	for _, list := range []struct {
		src  diag.Source
		refs []corev1.LocalObjectReference
	}{{pod.Instance.Src, pod.Instance.Spec.ImagePullSecrets}, {pod.Src, pod.PullSecrets}} {
		for i, s := range list.refs {
			if s.Name != "" && !seen[s.Name] {
				seen[s.Name] = true
				if from != nil {
					from.set(fmt.Sprintf("imagePullSecrets[%d]", len(out)), list.src, fmt.Sprintf("spec.imagePullSecrets[%d]", i))
				}
				out = append(out, s)
			}
		}
	}
	return out
}

// hardened is the security context of every container that asks for nothing special.
func hardened(readOnlyRoot bool) *corev1.SecurityContext {
	sc := &corev1.SecurityContext{
		AllowPrivilegeEscalation: ptr(false),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
	}
	if readOnlyRoot {
		sc.ReadOnlyRootFilesystem = ptr(true)
	}
	return sc
}

// agentEnvOrigins records where each of the agent's variables came from: the run (or schedule)
// and its instance.
func agentEnvOrigins(env []corev1.EnvVar, pod *Pod, from origins) {
	for i, e := range env {
		f := fmt.Sprintf("containers[0].env[%d]", i)
		switch _, fromRun := pod.Env[e.Name]; {
		case fromRun:
			from.set(f, pod.Src, "spec.env."+e.Name)
		case e.Name == "TASK":
			from.set(f, pod.Src, "spec.task")
		case e.Name == "MODEL_NAME" && pod.Model != "":
			from.set(f, pod.Src, "spec.model.model")
		case e.Name == "MODEL_NAME":
			from.set(f, pod.Instance.Src, "spec.agents.default.model")
		case e.Name == "INSTANCE_NAME":
			from.set(f, pod.Instance.Src, "metadata.name")
		}
	}
}

func agentContainer(cfg *api.ConfigSpec, pod *Pod) corev1.Container {
	model := ""
	if a := pod.Instance.Spec.Agents; a != nil {
		model = a.Default.Model
	}
	if pod.Model != "" {
		model = pod.Model
	}
	env := map[string]string{
		"AGENT_RUN_ID":    pod.Name,
		"INSTANCE_NAME":   pod.Instance.Metadata.Name,
		"AGENT_NAMESPACE": pod.Namespace,
		"TASK":            pod.Task,
		"MODEL_NAME":      model,
	}
	for k, v := range pod.Env {
		env[k] = string(v)
	}
	vars := make([]corev1.EnvVar, 0, len(env))
	for _, k := range sortedKeys(env) {
		v := corev1.EnvVar{Name: k, Value: env[k]}
		if k == "AGENT_RUN_ID" && pod.Scheduled() {
			// Each trigger is a Job the CronJob names: the run's id is that name.
			v = corev1.EnvVar{Name: k, ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{
				APIVersion: "v1", FieldPath: "metadata.labels['batch.kubernetes.io/job-name']"}}}
		}
		vars = append(vars, v)
	}
	return corev1.Container{
		Name:  "agent",
		Image: cfg.Images.AgentRunner,
		Env:   vars,
		VolumeMounts: []corev1.VolumeMount{
			{Name: "skills", MountPath: "/skills", ReadOnly: true},
			{Name: "workspace", MountPath: "/workspace"},
			{Name: "ipc", MountPath: "/ipc"},
			{Name: "tmp", MountPath: "/tmp"},
		},
		SecurityContext: hardened(true),
	}
}

func ipcBridgeContainer(cfg *api.ConfigSpec) corev1.Container {
	return corev1.Container{
		Name:            "ipc-bridge",
		Image:           cfg.Images.IPCBridge,
		VolumeMounts:    []corev1.VolumeMount{{Name: "ipc", MountPath: "/ipc"}},
		SecurityContext: hardened(true),
	}
}

// sidecarOrigins says, for a sidecar's mounts, env and volumes in emitted order, which field of
// the pack each came from ("" for skillc's own); params holds the toggle's param key of each env
// variable that a param became.
type sidecarOrigins struct {
	mounts, env, params, volumes []string
}

// sidecarContainer renders a pack's sidecar and the volumes only it mounts.
func sidecarContainer(t Toggle, record bool) (corev1.Container, []corev1.Volume, sidecarOrigins, diag.Diagnostics) {
	p := t.Pack
	sc := p.Spec.Sidecar
	name := p.Metadata.Name
	c := corev1.Container{
		Name:            "skill-" + name,
		Image:           sc.Image,
		ImagePullPolicy: corev1.PullPolicy(sc.ImagePullPolicy),
		Command:         sc.Command,
		Env:             sidecarEnv(t),
		Resources:       sidecarResources(sc.Resources),
		VolumeMounts:    []corev1.VolumeMount{{Name: "ipc", MountPath: "/ipc"}, {Name: "tmp", MountPath: "/tmp"}},
	}
	if sc.MountWorkspace == nil || *sc.MountWorkspace {
		c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: "workspace", MountPath: "/workspace"})
	}
	var co sidecarOrigins
	if record {
		co = sidecarOrigins{mounts: make([]string, len(c.VolumeMounts)), env: make([]string, len(c.Env)), params: make([]string, len(c.Env))}
		co.env[0] = "metadata.name"
		for i := range sc.Env {
			co.env[1+i] = fmt.Sprintf("spec.sidecar.env[%d]", i)
		}
		for i, k := range sortedKeys(t.Params) {
			co.params[1+len(sc.Env)+i] = k
		}
	}
	var vols []corev1.Volume
	if sc.SecretRef != "" {
		vol := "skill-secret-" + name
		mountPath := sc.SecretMountPath
		if mountPath == "" {
			mountPath = "/secrets/" + sc.SecretRef
		}
		vols = append(vols, corev1.Volume{Name: vol, VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: sc.SecretRef}}})
		c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: vol, MountPath: mountPath, ReadOnly: true})
		if record {
			co.volumes = append(co.volumes, "spec.sidecar.secretRef")
			co.mounts = append(co.mounts, "spec.sidecar.secretMountPath")
		}
	}
	ha := sc.HostAccess
	if ha == nil || !ha.Enabled {
		c.SecurityContext = hardened(false)
	} else {
		c.SecurityContext = hostSecurityContext(ha)
		for i, m := range ha.Mounts {
			vol := fmt.Sprintf("host-%s-%d", name, i)
			vols = append(vols, corev1.Volume{Name: vol, VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: m.HostPath}}})
			c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: vol, MountPath: m.MountPath, ReadOnly: m.ReadOnly == nil || *m.ReadOnly})
			if record {
				co.volumes = append(co.volumes, fmt.Sprintf("spec.sidecar.hostAccess.mounts[%d].hostPath", i))
				co.mounts = append(co.mounts, fmt.Sprintf("spec.sidecar.hostAccess.mounts[%d]", i))
			}
		}
	}
	// The pack's own extra volumes pass through as declared; the policy gate judges them.
	vols = append(vols, sc.Volumes...)
	c.VolumeMounts = append(c.VolumeMounts, sc.VolumeMounts...)
	for i := range sc.Volumes {
		if record {
			co.volumes = append(co.volumes, fmt.Sprintf("spec.sidecar.volumes[%d]", i))
		}
	}
	for i := range sc.VolumeMounts {
		if record {
			co.mounts = append(co.mounts, fmt.Sprintf("spec.sidecar.volumeMounts[%d]", i))
		}
	}
	var diags diag.Diagnostics
	mounts := map[string]bool{}
	for _, m := range c.VolumeMounts {
		if mounts[m.MountPath] {
			diags = append(diags, p.Src.Diag("spec.sidecar", "SkillPack %q mounts two volumes at %s in container %s", name, m.MountPath, c.Name))
		}
		mounts[m.MountPath] = true
	}
	return c, vols, co, diags
}

// hostSecurityContext grants exactly what hostAccess asks for and nothing more.
func hostSecurityContext(ha *api.HostAccess) *corev1.SecurityContext {
	sc := &corev1.SecurityContext{}
	if ha.RunAsRoot {
		sc.RunAsUser = ptr(int64(0))
		sc.RunAsNonRoot = ptr(false)
	}
	if ha.Privileged {
		sc.Privileged = ptr(true)
	} else {
		// Kubernetes refuses allowPrivilegeEscalation=false beside privileged=true.
		sc.AllowPrivilegeEscalation = ptr(false)
	}
	return sc
}

// sidecarEnv: the pack's name, then its declared env in order, then SKILL_<PARAM> sorted.
func sidecarEnv(t Toggle) []corev1.EnvVar {
	sc := t.Pack.Spec.Sidecar
	env := []corev1.EnvVar{{Name: "SYMPOZIUM_SKILL_PACK", Value: t.Pack.Metadata.Name}}
	for _, e := range sc.Env {
		v := corev1.EnvVar{Name: e.Name}
		if e.Value != nil {
			v.Value = *e.Value
		}
		if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
			ref := e.ValueFrom.SecretKeyRef
			v.ValueFrom = &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: ref.Name}, Key: ref.Key, Optional: ref.Optional,
			}}
		}
		env = append(env, v)
	}
	params := make(map[string]string, len(t.Params))
	for k, v := range t.Params {
		params[paramEnvName(k)] = string(v) // collisions are refused by validateRefs
	}
	for _, k := range sortedKeys(params) {
		env = append(env, corev1.EnvVar{Name: k, Value: params[k]})
	}
	return env
}

// sidecarResources sets requests equal to limits (Guaranteed QoS), defaulting each to 100m/128Mi.
func sidecarResources(r *api.SidecarResources) corev1.ResourceRequirements {
	cpu, mem := api.Scalar(defaultSidecarCPU), api.Scalar(defaultSidecarMemory)
	if r != nil && r.CPU != "" {
		cpu = r.CPU
	}
	if r != nil && r.Memory != "" {
		mem = r.Memory
	}
	list := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse(string(cpu)), // validated on load
		corev1.ResourceMemory: resource.MustParse(string(mem)),
	}
	return corev1.ResourceRequirements{Requests: list, Limits: list.DeepCopy()}
}

// baseVolumes are the pod's own volumes: scratch space, the IPC channel and the skills projection.
func baseVolumes(pod *Pod) []corev1.Volume {
	sources := make([]corev1.VolumeProjection, 0, len(pod.Toggles))
	for _, t := range pod.Toggles {
		sources = append(sources, corev1.VolumeProjection{ConfigMap: &corev1.ConfigMapProjection{
			LocalObjectReference: corev1.LocalObjectReference{Name: configMapName(t.Pack.Metadata.Name)},
		}})
	}
	return []corev1.Volume{
		{Name: "workspace", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: ptr(resource.MustParse("1Gi"))}}},
		{Name: "ipc", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory, SizeLimit: ptr(resource.MustParse("64Mi"))}}},
		{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: ptr(resource.MustParse("256Mi"))}}},
		{Name: "skills", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: sources}}},
	}
}

// tokenProjection is the API token volume kubelet would auto-mount, made explicit so that only the
// sidecars that declared RBAC mount it.
func tokenProjection() corev1.Volume {
	return corev1.Volume{Name: tokenVolume, VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
		Sources: []corev1.VolumeProjection{
			{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token", ExpirationSeconds: ptr(int64(3607))}},
			{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "kube-root-ca.crt"}, Items: []corev1.KeyToPath{{Key: "ca.crt", Path: "ca.crt"}}}},
			{DownwardAPI: &corev1.DownwardAPIProjection{Items: []corev1.DownwardAPIVolumeFile{{Path: "namespace", FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.namespace"}}}}},
		},
	}}}
}
