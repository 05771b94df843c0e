package compile

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
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
	tokenMountPath         = "/var/run/secrets/kubernetes.io/serviceaccount"
	// homeMountPath is HOME in a sidecar with a read-only root: kubectl and other clients write
	// their caches and config under $HOME. It is a volume of the sidecar's own (HomeVolumeName),
	// not the pod's shared /tmp, where the agent could plant $HOME/.kube/config and send the
	// sidecar's token to another server (what reserving KUBECONFIG prevents).
	homeMountPath = "/home/skill"
	homeSizeLimit = "128Mi"
)

// buildJob renders a run's Job and records with rr where its fields came from. images is the
// CompilerConfig the images come from (nil when the config is not from a file).
func buildJob(cfg *api.ConfigSpec, pod *Pod, images *diag.Source, rr *recorder) (*batchv1.Job, *origins, diag.Diagnostics) {
	from := rr.begin(pod, JobPodSpecPath)
	// The pod template is built in the Job itself, not copied into it.
	job := &batchv1.Job{TypeMeta: metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"}}
	diags := fillPodTemplate(cfg, pod, images, from, &job.Spec.Template)
	if diags.HasErrors() {
		return nil, nil, diags
	}
	podObjectOrigins(pod, from, "spec.template.metadata.labels")
	deadlineOrigin(pod, from, "spec.activeDeadlineSeconds")
	job.ObjectMeta = workloadMeta(pod)
	runOnce(pod, &job.Spec)
	return job, from.done(), diags
}

// jobSpec is the JobSpec of a pod template: see runOnce.
func jobSpec(pod *Pod, tmpl corev1.PodTemplateSpec) batchv1.JobSpec {
	spec := batchv1.JobSpec{Template: tmpl}
	runOnce(pod, &spec)
	return spec
}

// runOnce runs the pod once (an agent run is not retried: it may have acted) within its deadline:
// the run's timeout plus a minute, as upstream's buildJob sets it.
func runOnce(pod *Pod, spec *batchv1.JobSpec) {
	deadline := int64(defaultDeadlineSeconds)
	if d, _ := runTimeout(pod); d > 0 {
		deadline = int64(d/time.Second) + deadlineGraceSeconds
	}
	spec.BackoffLimit, spec.ActiveDeadlineSeconds = ptr(int32(0)), &deadline
}

// deadlineOrigin records where a Job's deadline came from: the timeout that set it, else the run.
func deadlineOrigin(pod *Pod, from *origins, path string) {
	if d, at := runTimeout(pod); d > 0 {
		from.set(path, at.src, at.field)
		return
	}
	from.set(path, &pod.Src, "spec.timeout")
}

// podObjectOrigins records the origins of a Job's or CronJob's own fields: the run or schedule,
// except the labels, where only the instance's name can be invalid (a 253-character object name,
// but a label value holds 63).
func podObjectOrigins(pod *Pod, from *origins, templateLabels string) {
	from.set("", &pod.Src, "metadata.name")
	from.set("metadata.labels", &pod.Instance.Src, "metadata.name")
	from.set(templateLabels, &pod.Instance.Src, "metadata.name")
}

// podLabels are the labels of a run's Job and pod, or of a schedule's CronJob and its pods.
func podLabels(pod *Pod) map[string]string {
	return labels(
		runLabelKey(pod), pod.Name,
		LabelInstance, pod.Instance.Metadata.Name,
		LabelComponent, ComponentAgentRun,
	)
}

// runLabelKey names what a pod's objects belong to: a run, or a schedule.
func runLabelKey(pod *Pod) string {
	if pod.Scheduled() {
		return LabelSchedule
	}
	return LabelAgentRun
}

// buildPodTemplate renders the pod every run and every schedule of an instance gets, recording
// into from where its fields came from (paths relative to the pod spec) as it creates them.
func buildPodTemplate(cfg *api.ConfigSpec, pod *Pod, images *diag.Source, from *origins) (*corev1.PodTemplateSpec, diag.Diagnostics) {
	tmpl := &corev1.PodTemplateSpec{}
	diags := fillPodTemplate(cfg, pod, images, from, tmpl)
	if diags.HasErrors() {
		return nil, diags
	}
	return tmpl, diags
}

// fillPodTemplate is buildPodTemplate into tmpl (zero): with an input error among the diagnostics,
// what it leaves in tmpl is to be dropped.
func fillPodTemplate(cfg *api.ConfigSpec, pod *Pod, images *diag.Source, from *origins, tmpl *corev1.PodTemplateSpec) diag.Diagnostics {
	perRun := cfg.Identity == api.IdentityPerRun
	env, diags := agentEnv(pod)
	// Room for the packs' sidecars and their volumes, so that appending them does not copy the
	// pod's containers and volumes again and again.
	sidecars, sidecarVols, token := 0, 0, 0
	for _, t := range pod.Toggles {
		sc := t.Pack.Spec.Sidecar
		if sc == nil || sc.Image == "" || sc.RequiresServer {
			continue
		}
		sidecars++
		sidecarVols += len(sc.Volumes) // as sidecarContainer makes them
		if sc.SecretRef != "" {
			sidecarVols++
		}
		if ha := sc.HostAccess; ha != nil && ha.Enabled {
			sidecarVols += len(ha.Mounts)
		}
		if privateHome(sc) {
			sidecarVols++
		}
		if perRun && (len(sc.RBAC) > 0 || len(sc.ClusterRBAC) > 0) {
			token = 1
		}
	}
	containers, initContainers := 2+sidecars, 0
	if cfg.Sidecars == api.SidecarsNative {
		containers, initContainers = 2, sidecars
	}
	// Built in place: the template is what the caller keeps (a local spec escapes to the heap,
	// and would be copied into it).
	tmpl.Spec = corev1.PodSpec{
		ServiceAccountName: ServiceAccountName(cfg.Identity, pod.Name),
		RestartPolicy:      corev1.RestartPolicyNever,
		SecurityContext: &corev1.PodSecurityContext{
			RunAsUser:      ptr(int64(podUID)),
			RunAsNonRoot:   ptr(true),
			FSGroup:        ptr(int64(podUID)),
			SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
		ImagePullSecrets: pullSecrets(pod, from),
		Containers: append(make([]corev1.Container, 0, containers),
			agentContainer(cfg, pod, env.emit("containers[0].env[#]", from), from),
			ipcBridgeContainer(cfg, ipcBridgeEnv(pod).emit("containers[1].env[#]", from)),
		),
		Volumes: baseVolumes(pod, from, sidecarVols+token),
	}
	spec := &tmpl.Spec
	if initContainers > 0 {
		spec.InitContainers = make([]corev1.Container, 0, initContainers)
	}
	if perRun {
		spec.AutomountServiceAccountToken = ptr(false)
	}
	from.setPod("", 0, 0, &pod.Src, "metadata.name", 0)
	from.images = images
	if images != nil {
		for _, f := range [...]string{".image", ".imagePullPolicy"} {
			from.setPod("containers[0]"+f, 0, 0, images, "spec.images.agentRunner", 0)
			from.setPod("containers[1]"+f, 0, 0, images, "spec.images.ipcBridge", 0)
		}
	}
	for i := range pod.Toggles {
		t := &pod.Toggles[i]
		// baseVolumes projects one source per toggle into "skills", its fourth volume.
		from.add(rec{path: "volumes[3].projected.sources[#]", idx: [2]int32{int32(i)}, src: &t.Src, t: t, field: ".skillPackRef", flags: inPod | toggleField})
	}
	tm, d := taskMode(pod)
	diags = append(diags, d...)
	needsToken := false
	hostPID, hostNetwork := false, false
	volumeOwner := map[string]string{}
	for _, v := range spec.Volumes {
		volumeOwner[v.Name] = "skillc"
	}
	for ti := range pod.Toggles {
		t := &pod.Toggles[ti]
		sc := t.Pack.Spec.Sidecar
		if sc == nil || sc.Image == "" || sc.RequiresServer {
			continue // a server sidecar runs only in a server run (prepareTaskPrerequisites)
		}
		src := &t.Pack.Src
		c, vols, declared, d := sidecarContainer(*t)
		diags = append(diags, d...)
		if ha := sc.HostAccess; ha != nil && ha.Enabled {
			// The first pack that asks for a host namespace is the one a finding on it names.
			if ha.HostPID && !hostPID {
				from.setPod("hostPID", 0, 0, src, "spec.sidecar.hostAccess.hostPID", 0)
			}
			if ha.HostNetwork && !hostNetwork {
				from.setPod("hostNetwork", 0, 0, src, "spec.sidecar.hostAccess.hostNetwork", 0)
			}
			hostPID, hostNetwork = hostPID || ha.HostPID, hostNetwork || ha.HostNetwork
			spec.HostPID, spec.HostNetwork = hostPID, hostNetwork
		}
		if perRun && (len(sc.RBAC) > 0 || len(sc.ClusterRBAC) > 0) {
			// Only the sidecars that declared RBAC get the API token; the agent never does.
			needsToken = true
			c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: TokenVolume, MountPath: tokenMountPath, ReadOnly: true})
		}
		for i, v := range vols {
			if owner, dup := volumeOwner[v.Name]; dup {
				diags = append(diags, t.Pack.Src.Diag("spec.sidecar.volumes", "volume %q of SkillPack %q collides with a volume of %s in the pod of %s/%s", v.Name, t.Pack.Metadata.Name, owner, pod.Namespace, pod.Name))
				continue
			}
			volumeOwner[v.Name] = "SkillPack " + t.Pack.Metadata.Name
			r := volumeRecord(sc, i)
			r.idx[0], r.src = int32(len(spec.Volumes)), src
			from.add(r)
			spec.Volumes = append(spec.Volumes, v)
		}
		list, path := &spec.Containers, "containers[#]"
		if cfg.Sidecars == api.SidecarsNative {
			// A native sidecar ends with the pod: a pre-rendered Job has no controller to stop it.
			c.RestartPolicy = ptr(corev1.ContainerRestartPolicyAlways)
			list, path = &spec.InitContainers, "initContainers[#]"
		}
		// One record for the container: sidecarRecords expands it into its fields when asked.
		from.add(rec{path: path, idx: [2]int32{int32(len(*list)), int32(declared)}, src: src, t: t, field: "spec.sidecar", flags: inPod | sidecar})
		if tm != nil && tm.toggle == ti {
			applyTaskMode(tm, t, &c, pod, path, len(*list), from)
		}
		*list = append(*list, c)
	}
	addSandbox(cfg, pod, spec, images, from)
	diags = append(diags, addUserVolumes(pod, spec, volumeOwner, from)...)
	nodeSelector(pod, spec, from)
	sandboxSeccomp(pod, spec, from)
	for _, part := range podParts {
		diags = append(diags, part(cfg, pod, spec, from)...)
	}
	if spec.HostNetwork {
		spec.DNSPolicy = corev1.DNSClusterFirstWithHostNet
	}
	if needsToken || mountsVolume(spec, TokenVolume) { // a part's containers may need it too (hooks)
		spec.Volumes = append(spec.Volumes, tokenProjection())
	}
	if diags.HasErrors() {
		return diags
	}
	tmpl.Labels = podLabels(pod)
	return diags
}

// volumeRecord is the record of the i-th volume sidecarContainer returns for sc (its index in the
// pod and its source are the caller's): the secret's, the host mounts', then the pack's own.
func volumeRecord(sc *api.Sidecar, i int) rec {
	if sc.SecretRef != "" {
		if i == 0 {
			return rec{field: "spec.sidecar.secretRef", path: "volumes[#]", flags: inPod}
		}
		i--
	}
	if ha := sc.HostAccess; ha != nil && ha.Enabled {
		if i < len(ha.Mounts) {
			return rec{field: "spec.sidecar.hostAccess.mounts[#].hostPath", fidx: int32(i), path: "volumes[#]", flags: inPod}
		}
		i -= len(ha.Mounts)
	}
	if privateHome(sc) {
		if i == 0 {
			return rec{field: readOnlyRootField, path: "volumes[#]", flags: inPod}
		}
		i--
	}
	return rec{field: "spec.sidecar.volumes[#]", fidx: int32(i), path: "volumes[#]", flags: inPod | verbatim}
}

// readOnlyRootField is the pack field (a skillc extension) that keeps a sidecar's root filesystem
// read-only, and so gives it HOME on a volume of its own.
const readOnlyRootField = "spec.sidecar.readOnlyRootFilesystem"

// readOnlyRoot says whether a pack's task sidecar gets a read-only root filesystem: unless the
// pack opts out. Upstream's controller leaves the root writable; skillc does not, so that POD-12
// (restricted) has nothing to say about a pack that asks for nothing.
func readOnlyRoot(sc *api.Sidecar) bool {
	return sc.ReadOnlyRootFilesystem == nil || *sc.ReadOnlyRootFilesystem
}

// privateHome says whether skillc gives a sidecar HOME on its own volume: when its root is
// read-only and the pack does not set HOME itself.
func privateHome(sc *api.Sidecar) bool {
	return readOnlyRoot(sc) && !slices.ContainsFunc(sc.Env, func(e api.EnvVar) bool { return e.Name == "HOME" })
}

// sidecarField is a field of a sidecar container and the pack field that set it.
type sidecarField struct {
	path, field string
	hostAccess  bool // only when the pack enabled host access
	verbatim    bool
}

// sidecarFields are the fields sidecarContainer sets from the pack, below the container's path.
var sidecarFields = []sidecarField{
	{path: ".image", field: "spec.sidecar.image"},
	{path: ".imagePullPolicy", field: "spec.sidecar.image"}, // the image and its policy are one choice
	{path: ".command", field: "spec.sidecar.command", verbatim: true},
	{path: ".resources", field: "spec.sidecar.resources"},
	{path: ".resources.requests.cpu", field: "spec.sidecar.resources.cpu"},
	{path: ".resources.limits.cpu", field: "spec.sidecar.resources.cpu"},
	{path: ".resources.requests.memory", field: "spec.sidecar.resources.memory"},
	{path: ".resources.limits.memory", field: "spec.sidecar.resources.memory"},
	// A host sidecar's securityContext is what hostAccess asked for; without host access it is
	// skillc's own hardening, which the sidecar as a whole answers for. Who runs as root or
	// privileged is hostAccess's to say, whether it was enabled or not.
	{path: ".securityContext", field: "spec.sidecar.hostAccess", hostAccess: true},
	{path: ".securityContext.privileged", field: "spec.sidecar.hostAccess.privileged"},
	{path: ".securityContext.runAsUser", field: "spec.sidecar.hostAccess.runAsRoot"},
	{path: ".securityContext.runAsNonRoot", field: "spec.sidecar.hostAccess.runAsRoot"},
	{path: ".securityContext.runAsGroup", field: "spec.sidecar.hostAccess.runAsRoot"},
	// Written or not, the root's mode is this field's (unset: read-only).
	{path: ".securityContext.readOnlyRootFilesystem", field: readOnlyRootField},
}

// sidecarRecords expands a sidecar container's record r (r.idx: the container's index and the
// index of its first declared volumeMount) into the records of its fields, as sidecarContainer
// and sidecarEnv lay them out: the container is the pack's sidecar, its env the pack's name, its
// declared env in order, then one variable per param of the toggle; its declared mounts last.
func sidecarRecords(r *rec, yield func(rec)) {
	t := r.t
	sc := t.Pack.Spec.Sidecar
	base := rec{src: r.src, idx: r.idx, flags: inPod}
	at := func(path, field string, fi int, flags recFlags) {
		s := base
		s.path, s.field, s.fidx, s.flags = r.path+path, field, int32(fi), s.flags|flags
		yield(s)
	}
	at("", "spec.sidecar", 0, 0)
	host := sc.HostAccess != nil && sc.HostAccess.Enabled
	for _, f := range sidecarFields {
		if f.hostAccess && !host {
			continue
		}
		var flags recFlags
		if f.verbatim {
			flags = verbatim
		}
		at(f.path, f.field, 0, flags)
	}
	base.idx[1] = 0
	at(".env[#]", "metadata.name", 0, 0)
	for i := range sc.Env {
		base.idx[1] = int32(1 + i)
		at(".env[#]", "spec.sidecar.env[#]", i, verbatim)
	}
	for k := range len(t.Params) {
		// A param's variable: the toggle's params, where the value was written.
		base.idx[1] = int32(1 + len(sc.Env) + k)
		yield(rec{path: r.path + ".env[#]", idx: base.idx, src: &t.Src, t: t, field: ".params", flags: inPod | toggleField})
	}
	if privateHome(sc) {
		// HOME and its mount, the last of skillc's: the read-only root's.
		base.idx[1] = int32(1 + len(sc.Env) + len(t.Params))
		at(".env[#]", readOnlyRootField, 0, 0)
		base.idx[1] = r.idx[1] - 1
		at(".volumeMounts[#]", readOnlyRootField, 0, 0)
	}
	for i := range sc.VolumeMounts {
		base.idx[1] = r.idx[1] + int32(i)
		at(".volumeMounts[#]", "spec.sidecar.volumeMounts[#]", i, 0)
	}
}

// pullSecrets is the instance's image pull secrets followed by the run's, without repeats,
// recording where each came from.
func pullSecrets(pod *Pod, from *origins) []corev1.LocalObjectReference {
	var out []corev1.LocalObjectReference
	var seen map[string]bool
	for _, list := range [...]struct {
		src  *diag.Source
		refs []corev1.LocalObjectReference
	}{{&pod.Instance.Src, pod.Instance.Spec.ImagePullSecrets}, {&pod.Src, pod.PullSecrets}} {
		for i, s := range list.refs {
			if s.Name != "" && !seen[s.Name] {
				if seen == nil {
					seen = map[string]bool{}
				}
				seen[s.Name] = true
				from.setPod("imagePullSecrets[#]", len(out), 0, list.src, "spec.imagePullSecrets[#]", i)
				out = append(out, s)
			}
		}
	}
	return out
}

// hardened is the security context of every container that asks for nothing special. Its parts
// are one allocation (every container of every pod has one), each still its own to the caller.
func hardened(readOnlyRoot bool) *corev1.SecurityContext {
	h := &struct {
		sc      corev1.SecurityContext
		caps    corev1.Capabilities
		drop    [1]corev1.Capability
		no, yes bool
	}{drop: [1]corev1.Capability{"ALL"}, yes: true}
	h.caps.Drop = h.drop[:]
	h.sc.AllowPrivilegeEscalation, h.sc.Capabilities = &h.no, &h.caps
	if readOnlyRoot {
		h.sc.ReadOnlyRootFilesystem = &h.yes
	}
	return &h.sc
}

// agentContainer is the agent-runner with SPEC's mounts, and the Agent's memory when it has
// legacy memory (upstream buildContainers).
func agentContainer(cfg *api.ConfigSpec, pod *Pod, env []corev1.EnvVar, from *origins) corev1.Container {
	c := corev1.Container{
		Name:  AgentContainer,
		Image: cfg.Images.AgentRunner,
		Env:   env,
		VolumeMounts: []corev1.VolumeMount{
			{Name: VolumeSkills, MountPath: "/skills", ReadOnly: true},
			{Name: VolumeWorkspace, MountPath: "/workspace"},
			{Name: VolumeIPC, MountPath: "/ipc"},
			{Name: VolumeTmp, MountPath: "/tmp"},
		},
		SecurityContext: hardened(true),
	}
	if memoryEnabled(pod.Instance) {
		from.setPod("containers[0].volumeMounts[#]", len(c.VolumeMounts), 0, &pod.Instance.Src, "spec.memory.enabled", 0)
		c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: VolumeMemory, MountPath: "/memory", ReadOnly: true})
	}
	return c
}

func ipcBridgeContainer(cfg *api.ConfigSpec, env []corev1.EnvVar) corev1.Container {
	return corev1.Container{
		Name:            IPCBridgeContainer,
		Image:           cfg.Images.IPCBridge,
		Env:             env,
		VolumeMounts:    []corev1.VolumeMount{{Name: VolumeIPC, MountPath: "/ipc"}},
		SecurityContext: hardened(true),
	}
}

// sidecarContainer renders a pack's sidecar and the volumes only it mounts (secret, host mounts,
// then the pack's own: see volumeRecord), and says where its declared volumeMounts start.
func sidecarContainer(t Toggle) (corev1.Container, []corev1.Volume, int, diag.Diagnostics) {
	p := t.Pack
	sc := p.Spec.Sidecar
	name := p.Metadata.Name
	c := corev1.Container{
		Name:            ContainerName(name),
		Image:           sc.Image,
		ImagePullPolicy: corev1.PullPolicy(sc.ImagePullPolicy),
		Command:         sc.Command,
		Env:             sidecarEnv(t),
		Resources:       sidecarResources(sc.Resources),
		VolumeMounts:    []corev1.VolumeMount{{Name: VolumeIPC, MountPath: "/ipc"}, {Name: VolumeTmp, MountPath: "/tmp"}},
	}
	if sc.MountWorkspace == nil || *sc.MountWorkspace {
		c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: VolumeWorkspace, MountPath: "/workspace"})
	}
	var vols []corev1.Volume
	if sc.SecretRef != "" {
		vol := SecretVolumeName(name)
		mountPath := sc.SecretMountPath
		if mountPath == "" {
			mountPath = "/secrets/" + sc.SecretRef
		}
		vols = append(vols, corev1.Volume{Name: vol, VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: sc.SecretRef}}})
		c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: vol, MountPath: mountPath, ReadOnly: true})
	}
	ha := sc.HostAccess
	if ha == nil || !ha.Enabled {
		c.SecurityContext = hardened(false)
	} else {
		c.SecurityContext = hostSecurityContext(ha)
		for i, m := range ha.Mounts {
			vol := HostVolumeName(name, i)
			vols = append(vols, corev1.Volume{Name: vol, VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: m.HostPath}}})
			c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: vol, MountPath: m.MountPath, ReadOnly: m.ReadOnly == nil || *m.ReadOnly})
		}
	}
	// Host sidecars too: reading the node needs no writable root. /tmp is the pod's tmp (above).
	c.SecurityContext.ReadOnlyRootFilesystem = ptr(readOnlyRoot(sc))
	if privateHome(sc) {
		vol := HomeVolumeName(name)
		vols = append(vols, corev1.Volume{Name: vol, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: ptr(quantity(homeSizeLimit))}}})
		c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: vol, MountPath: homeMountPath})
		c.Env = append(c.Env, corev1.EnvVar{Name: "HOME", Value: homeMountPath})
	}
	// The pack's own extra volumes pass through as declared; the policy gate judges them.
	vols = append(vols, sc.Volumes...)
	declared := len(c.VolumeMounts)
	c.VolumeMounts = append(c.VolumeMounts, sc.VolumeMounts...)
	var diags diag.Diagnostics
	mounts := map[string]bool{}
	for _, m := range c.VolumeMounts {
		switch {
		case mounts[m.MountPath] && m.MountPath == homeMountPath && privateHome(sc):
			diags = append(diags, p.Src.Diag(homeClash(sc), "SkillPack %q mounts a volume at %s in container %s, where skillc keeps the sidecar's HOME on its read-only root filesystem: mount it elsewhere, set HOME in sidecar.env, or set sidecar.readOnlyRootFilesystem: false", name, m.MountPath, c.Name))
		case mounts[m.MountPath]:
			diags = append(diags, p.Src.Diag("spec.sidecar", "SkillPack %q mounts two volumes at %s in container %s", name, m.MountPath, c.Name))
		}
		mounts[m.MountPath] = true
	}
	return c, vols, declared, diags
}

// homeClash is the pack field that mounts a volume at homeMountPath.
func homeClash(sc *api.Sidecar) string {
	for i, m := range sc.VolumeMounts {
		if path.Clean(m.MountPath) == homeMountPath {
			return fmt.Sprintf("spec.sidecar.volumeMounts[%d].mountPath", i)
		}
	}
	if ha := sc.HostAccess; ha != nil && ha.Enabled {
		for i, m := range ha.Mounts {
			if m.MountPath == homeMountPath {
				return fmt.Sprintf("spec.sidecar.hostAccess.mounts[%d].mountPath", i)
			}
		}
	}
	if sc.SecretMountPath == homeMountPath {
		return "spec.sidecar.secretMountPath"
	}
	return "spec.sidecar"
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
// coreEnvVar is upstream's toCoreEnvVar, for sidecars, hooks and servers alike: a value, or a
// Secret's key (validation refuses both).
func coreEnvVar(e api.EnvVar) corev1.EnvVar {
	v := corev1.EnvVar{Name: e.Name}
	if e.Value != nil {
		v.Value = *e.Value
	}
	if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
		ref := e.ValueFrom.SecretKeyRef
		v.ValueFrom = &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: ref.Name}, Key: ref.Key, Optional: ref.Optional}}
	}
	return v
}

func sidecarEnv(t Toggle) []corev1.EnvVar {
	sc := t.Pack.Spec.Sidecar
	// Room for HOME too (sidecarContainer).
	env := make([]corev1.EnvVar, 1, 2+len(sc.Env)+len(t.Params))
	env[0] = corev1.EnvVar{Name: "SYMPOZIUM_SKILL_PACK", Value: t.Pack.Metadata.Name}
	for _, e := range sc.Env {
		env = append(env, coreEnvVar(e))
	}
	params := len(env)
	for k, v := range t.Params {
		env = append(env, corev1.EnvVar{Name: paramEnvName(k), Value: string(v)})
	}
	// Sorted by name; two keys with one name are refused by validateRefs.
	slices.SortFunc(env[params:], func(a, b corev1.EnvVar) int { return strings.Compare(a.Name, b.Name) })
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
	c, m := quantity(string(cpu)), quantity(string(mem)) // validated on load
	return corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: c, corev1.ResourceMemory: m},
		Limits:   corev1.ResourceList{corev1.ResourceCPU: c.DeepCopy(), corev1.ResourceMemory: m.DeepCopy()},
	}
}

// baseVolumes are the pod's own volumes: scratch space, the IPC channel, the skills projection
// (a source per pack, then one per skills[].configMapRef, optional as upstream's buildVolumes
// makes it) and the Agent's legacy memory.
func baseVolumes(pod *Pod, from *origins, more int) []corev1.Volume {
	sources := make([]corev1.VolumeProjection, 0, len(pod.Toggles))
	for _, t := range pod.Toggles {
		sources = append(sources, skillsProjection(t.Pack))
	}
	refs, src := skillRefs(pod)
	for i, r := range refs {
		if r.ConfigMapRef == "" {
			continue
		}
		// Referenced, never read: validateRefs warns that the gate cannot see its skills.
		from.setPod("volumes[3].projected.sources[#]", len(sources), 0, src, "spec.skills[#].configMapRef", i)
		sources = append(sources, corev1.VolumeProjection{ConfigMap: &corev1.ConfigMapProjection{
			LocalObjectReference: corev1.LocalObjectReference{Name: r.ConfigMapRef}, Optional: ptr(true),
		}})
	}
	// more: room for the volumes the caller adds (the sidecars')
	n := 4 + more
	if memoryEnabled(pod.Instance) {
		n++
	}
	vols := append(make([]corev1.Volume, 0, n),
		corev1.Volume{Name: VolumeWorkspace, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: ptr(quantity("1Gi"))}}},
		corev1.Volume{Name: VolumeIPC, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory, SizeLimit: ptr(quantity("64Mi"))}}},
		corev1.Volume{Name: VolumeTmp, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: ptr(quantity("256Mi"))}}},
		corev1.Volume{Name: VolumeSkills, VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: sources}}},
	)
	if memoryEnabled(pod.Instance) {
		// Optional: the pod starts before the Agent's memory ConfigMap exists, as upstream's.
		from.setPod("volumes[#]", len(vols), 0, &pod.Instance.Src, "spec.memory.enabled", 0)
		vols = append(vols, corev1.Volume{Name: VolumeMemory, VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: MemoryConfigMapName(pod.Instance.Metadata.Name)}, Optional: ptr(true),
		}}})
	}
	return vols
}

// tokenProjection is the API token volume kubelet would auto-mount, made explicit so that only the
// sidecars that declared RBAC mount it.
func tokenProjection() corev1.Volume {
	return corev1.Volume{Name: TokenVolume, VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
		Sources: []corev1.VolumeProjection{
			{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{Path: "token", ExpirationSeconds: ptr(int64(3607))}},
			{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "kube-root-ca.crt"}, Items: []corev1.KeyToPath{{Key: "ca.crt", Path: "ca.crt"}}}},
			{DownwardAPI: &corev1.DownwardAPIProjection{Items: []corev1.DownwardAPIVolumeFile{{Path: "namespace", FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.namespace"}}}}},
		},
	}}}
}
