package compile

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
)

// Lifecycle hooks (upstream LifecycleHooks, internal/controller/agentrun_controller.go): preRun
// hooks are init containers of the run's pod (buildContainers), lifecycle.rbac a Role and
// RoleBinding beside it (ensureLifecycleRBAC), and postRun hooks a second Job that upstream starts
// once the agent's Job has finished (startPostRun, buildPostRunJob), sharing /workspace through a
// claim (ensureWorkspacePVC). Hooks are the run's author's containers, not SkillPacks: they carry
// no pack identity (no skill-<pack> name, no sympozium.ai/skill label, no entry in
// skillc.dev/skillpacks), so no allow-list or exception keyed by a pack can cover them.

// What upstream gives every hook container, and its postRun Job.
const (
	hookCPURequest       = "100m"
	hookMemoryRequest    = "128Mi"
	hookCPULimit         = "500m"
	hookMemoryLimit      = "512Mi"
	postRunDeadline      = 600 // seconds: buildPostRunJob's "10 min default for postRun"
	postRunDoneContainer = "done"
	// postRunDoneImage is upstream's no-op main container: a Job's pod needs one, and the hooks
	// run before it as init containers, one after the other.
	postRunDoneImage   = "busybox:1.36"
	workspaceClaimSize = "1Gi"
)

// Argo CD's hook annotations, on the postRun Job under spec.target argocd (see postRunAnnotations).
const (
	annotationArgoHook             = "argocd.argoproj.io/hook"
	annotationArgoHookDeletePolicy = "argocd.argoproj.io/hook-delete-policy"
	// AnnotationAgentRunTemplate, on the postRun Job's pod template, is the digest of the agent
	// Job's pod template: see linkPostRunJobs.
	AnnotationAgentRunTemplate = "skillc.dev/agent-run-template"
)

// lifecycle is a pod's hooks and where they were written: a run's own spec.lifecycle, or for a
// schedule (and an Agent's stand-in) the Agent's spec.agents.default.lifecycle, which upstream's
// schedule controller copies into each run it creates. env is where the spec.env that upstream
// forwards to every hook was written.
type lifecycle struct {
	*api.LifecycleHooks
	src      *diag.Source
	field    string
	envField string
}

func lifecycleOf(pod *Pod) *lifecycle {
	if pod.Spec == nil || pod.Spec.Lifecycle == nil {
		return nil
	}
	l := pod.Spec.Lifecycle
	if len(l.PreRun) == 0 && len(l.PostRun) == 0 && len(l.RBAC) == 0 {
		return nil
	}
	if pod.Kind == "AgentRun" && !pod.StandIn {
		return &lifecycle{l, &pod.Src, "spec.lifecycle", "spec.env"}
	}
	return &lifecycle{l, &pod.Instance.Src, "spec.agents.default.lifecycle", "spec.agents.default.env"}
}

func (lc *lifecycle) hookField(phase string, i int) string {
	return fmt.Sprintf("%s.%s[%d]", lc.field, phase, i)
}

// tokenForHooks: with one identity per run only the containers that need the API get its token;
// the hooks need it when lifecycle.rbac grants them something (upstream binds those grants to the
// identity every container of the pod has).
func (lc *lifecycle) tokenForHooks(cfg *api.ConfigSpec) bool {
	return cfg.Identity == api.IdentityPerRun && len(lc.RBAC) > 0
}

// hookContainers is the podPart of lifecycle hooks: the preRun init containers, and with postRun
// hooks the workspace on a claim the postRun Job mounts too (buildVolumes). It refuses postRun
// where nothing could run it after the agent (postRunRefusal).
func hookContainers(cfg *api.ConfigSpec, pod *Pod, spec *corev1.PodSpec, from *origins) diag.Diagnostics {
	lc := lifecycleOf(pod)
	if lc == nil {
		return nil
	}
	var diags diag.Diagnostics
	if len(lc.PostRun) > 0 {
		if d := postRunPlacement(cfg, pod, lc); d != nil {
			if d.Severity == diag.SeverityError {
				return diag.Diagnostics{*d}
			}
			diags = append(diags, *d)
		}
		for i := range spec.Volumes {
			if v := &spec.Volumes[i]; v.Name == VolumeWorkspace {
				v.VolumeSource = corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: WorkspaceClaimName(pod.Name)}}
				from.setPod("volumes[#]", i, 0, lc.src, lc.field+".postRun", 0)
			}
		}
	}
	if len(lc.PreRun) == 0 {
		return diags
	}
	// Upstream's skill sidecars are plain containers: every hook has finished before any of them
	// starts, so a hook can prepare /workspace for them and a failed hook stops the pod before
	// they run. skillc's native sidecars are init containers that start in list order, so the
	// hooks go before the first of them (after any init container that runs to completion, as
	// upstream's system init containers precede its hooks).
	pos := len(spec.InitContainers)
	for i := range spec.InitContainers {
		if rp := spec.InitContainers[i].RestartPolicy; rp != nil && *rp == corev1.ContainerRestartPolicyAlways {
			pos = i
			break
		}
	}
	from.shiftInitContainers(pos, len(lc.PreRun))
	token := lc.tokenForHooks(cfg)
	hooks := make([]corev1.Container, 0, len(lc.PreRun))
	for i := range lc.PreRun {
		hooks = append(hooks, hookContainer(pod, lc, preRun, i, "initContainers[#]", pos+i, token, from))
	}
	spec.InitContainers = slices.Insert(spec.InitContainers, pos, hooks...)
	return diags
}

// postRunPlacement says whether postRun hooks can run after the agent where this pod goes: an
// error where they cannot, a warning with what differs from upstream where they run as an Argo CD
// PostSync hook, nothing for a stand-in (only gated, never applied).
func postRunPlacement(cfg *api.ConfigSpec, pod *Pod, lc *lifecycle) *diag.Diagnostic {
	field := lc.field + ".postRun"
	switch {
	case pod.StandIn:
		return nil
	case pod.Scheduled():
		d := lc.src.Diag(field, "upstream Sympozium field that skillc does not support: %s",
			fmt.Sprintf("SympoziumSchedule %s/%s runs this Agent, and upstream runs postRun hooks in a second Job after each run's Job has finished (startPostRun); a CronJob cannot start a Job after each of its Jobs, and an Argo CD hook runs once per sync, not once per run. Remove postRun from the Agent, or give it to the AgentRuns that need it", pod.Namespace, pod.Name))
		return &d
	case cfg.Target != api.TargetArgoCD:
		d := lc.src.Diag(field, "upstream Sympozium field that skillc does not support: %s",
			fmt.Sprintf("with spec.target %s: upstream runs postRun hooks in a second Job once the agent's Job has finished (startPostRun), and a Job rendered beside the agent's would start at once, beside the agent; only spec.target argocd orders it (a PostSync hook, which Argo CD runs once the agent's Job is complete)", cfg.Target))
		return &d
	}
	return &diag.Diagnostic{File: lc.src.File, Line: lc.src.LineOf(field), Field: field, Severity: diag.SeverityWarning,
		Message: fmt.Sprintf("postRun hooks run in Job %s/%s, an Argo CD PostSync hook: Argo CD starts it only once every resource of the Application is healthy, so the sync waits for the run to finish, and a failed run fails the sync and skips the hooks (upstream runs them after a failure too, with AGENT_EXIT_CODE=1, and skips them after a preRun skip, which here completes the Job); AGENT_RESULT is not set (the controller reads it from the agent's logs)",
			pod.Namespace, PostRunJobName(pod.Name))}
}

// hookObjects are the objects of a pod's lifecycle beside its workload: the lifecycle Role and
// RoleBinding, and where postRun hooks can run, the workspace claim and the postRun Job.
func hookObjects(cfg *api.ConfigSpec, pod *Pod, _ *diag.Source, rr *recorder) ([]Object, []*origins, diag.Diagnostics) {
	lc := lifecycleOf(pod)
	if lc == nil {
		return nil, nil, nil
	}
	var objs []Object
	var froms []*origins
	if len(lc.RBAC) > 0 {
		role, binding := lifecycleRBAC(cfg.Identity, pod, lc)
		objs = append(objs, role, binding)
		froms = append(froms, lifecycleRBACOrigins(pod, lc, true, rr), lifecycleRBACOrigins(pod, lc, false, rr))
	}
	if len(lc.PostRun) == 0 || pod.Scheduled() || (cfg.Target != api.TargetArgoCD && !pod.StandIn) {
		return objs, froms, nil // postRunPlacement refused it
	}
	claim, from := workspaceClaim(pod, lc, rr)
	objs, froms = append(objs, claim), append(froms, from)
	job, from, diags := buildPostRunJob(cfg, pod, lc, rr)
	if job != nil {
		objs, froms = append(objs, job), append(froms, from)
	}
	return objs, froms, diags
}

// lifecycleRBAC is upstream's ensureLifecycleRBAC: a Role with lifecycle.rbac's rules and its
// binding to the run's identity, named sympozium-lifecycle-<run>. Its labels name the run and the
// lifecycle component, never a skill: the gate judges it as a grant of no pack (a tenant writing a
// run's hooks cannot borrow a pack's exception for them). No ownerReferences, as for a pack's
// RBAC: the GitOps tool prunes them when the run leaves Git.
func lifecycleRBAC(identity api.Identity, pod *Pod, lc *lifecycle) (*rbacv1.Role, *rbacv1.RoleBinding) {
	name := LifecycleRBACName(pod.Name)
	l := func() map[string]string {
		return labels(runLabelKey(pod), pod.Name, LabelComponent, ComponentLifecycle, LabelSympoziumOwner, OwnerSympozium)
	}
	return &rbacv1.Role{
			TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "Role"},
			ObjectMeta: objectMeta(name, pod.Namespace, l()),
			Rules:      policyRules(lc.RBAC),
		}, &rbacv1.RoleBinding{
			TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
			ObjectMeta: objectMeta(name, pod.Namespace, l()),
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: ServiceAccountName(identity, pod.Name), Namespace: pod.Namespace}},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: name},
		}
}

// lifecycleRBACOrigins: the object is lifecycle.rbac's, its name and subject the run's, and each
// of a Role's rules the rule it copies.
func lifecycleRBACOrigins(pod *Pod, lc *lifecycle, role bool, rr *recorder) *origins {
	from := rr.begin(pod, "")
	from.set("", lc.src, lc.field+".rbac")
	from.set("metadata.name", &pod.Src, "metadata.name")
	from.set("subjects", &pod.Src, "metadata.name")
	if role {
		for i := range lc.RBAC {
			from.add(rec{path: "rules[#]", idx: [2]int32{int32(i)}, src: lc.src, field: lc.field + ".rbac[#]", fidx: int32(i), flags: verbatim})
		}
	}
	return from.done()
}

// workspaceClaim is upstream's ensureWorkspacePVC: 1Gi, ReadWriteOnce; the agent's pod and then
// the postRun Job's mount it in turn.
func workspaceClaim(pod *Pod, lc *lifecycle, rr *recorder) (*corev1.PersistentVolumeClaim, *origins) {
	from := rr.begin(pod, "")
	from.set("", lc.src, lc.field+".postRun")
	from.set("metadata.name", &pod.Src, "metadata.name")
	return &corev1.PersistentVolumeClaim{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"},
		ObjectMeta: objectMeta(WorkspaceClaimName(pod.Name), pod.Namespace, labels(LabelAgentRun, pod.Name, LabelComponent, ComponentWorkspace)),
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(workspaceClaimSize)}},
		},
	}, from.done()
}

// buildPostRunJob is upstream's buildPostRunJob: each postRun hook an init container, in order,
// then a no-op main container; /workspace from the run's claim, /tmp of its own; the pod's
// security context and identity as the agent's. Under spec.target argocd it is a PostSync hook
// (postRunAnnotations). Without a controller, skillc knows neither the agent's result nor a
// failed run's exit code: AGENT_EXIT_CODE is 0 because Argo CD starts the hook only once the
// agent's Job is complete (every container exited 0), and AGENT_RESULT is not set. Gate hooks,
// which upstream runs first, are refused on input (validateLifecycle).
func buildPostRunJob(cfg *api.ConfigSpec, pod *Pod, lc *lifecycle, rr *recorder) (*batchv1.Job, *origins, diag.Diagnostics) {
	name := PostRunJobName(pod.Name)
	if d := checkLength(pod.Src, "metadata.name", "postRun Job name", name, maxLabelName); d != nil {
		return nil, nil, d
	}
	from := rr.begin(pod, JobPodSpecPath)
	from.set("", lc.src, lc.field+".postRun")
	from.set("metadata.name", &pod.Src, "metadata.name")
	from.set("metadata.labels", &pod.Instance.Src, "metadata.name")
	from.set("spec.template.metadata.labels", &pod.Instance.Src, "metadata.name")
	from.setPod("", 0, 0, lc.src, lc.field+".postRun", 0)
	seccomp := &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}
	if sb := pod.Spec.Sandbox; sb != nil && sb.SecurityContext != nil && sb.SecurityContext.SeccompProfile != nil {
		// upstream seccompProfileForPod: the run's sandbox profile applies to its postRun pod too.
		seccomp.Type = corev1.SeccompProfileType(sb.SecurityContext.SeccompProfile.Type)
		from.setPod("securityContext.seccompProfile", 0, 0, &pod.Src, "spec.sandbox.securityContext.seccompProfile", 0)
	}
	spec := corev1.PodSpec{
		ServiceAccountName: ServiceAccountName(cfg.Identity, pod.Name),
		RestartPolicy:      corev1.RestartPolicyNever,
		SecurityContext: &corev1.PodSecurityContext{
			RunAsUser:      ptr(int64(podUID)),
			RunAsNonRoot:   ptr(true),
			FSGroup:        ptr(int64(podUID)),
			SeccompProfile: seccomp,
		},
		ImagePullSecrets: pullSecrets(pod, from),
		Containers: []corev1.Container{{
			Name:            postRunDoneContainer,
			Image:           postRunDoneImage,
			ImagePullPolicy: corev1.PullIfNotPresent,
			Command:         []string{"true"},
			SecurityContext: hardened(true),
			Resources:       hookResources("10m", "8Mi", "50m", "16Mi"),
		}},
		Volumes: []corev1.Volume{
			{Name: VolumeWorkspace, VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: WorkspaceClaimName(pod.Name)}}},
			{Name: VolumeTmp, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: ptr(resource.MustParse("256Mi"))}}},
		},
	}
	token := lc.tokenForHooks(cfg)
	if cfg.Identity == api.IdentityPerRun {
		spec.AutomountServiceAccountToken = ptr(false)
	}
	if token {
		spec.Volumes = append(spec.Volumes, tokenProjection())
	}
	for i := range lc.PostRun {
		spec.InitContainers = append(spec.InitContainers, hookContainer(pod, lc, postRun, i, "initContainers[#]", i, token, from))
	}
	l := labels(LabelAgentRun, pod.Name, LabelInstance, pod.Instance.Metadata.Name, LabelComponent, ComponentPostRun)
	job := &batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: pod.Namespace, Labels: l, Annotations: postRunAnnotations(cfg.Target, pod)},
		Spec: batchv1.JobSpec{
			BackoffLimit:          ptr(int32(0)),
			ActiveDeadlineSeconds: ptr(int64(postRunDeadline)),
			Template:              corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: maps.Clone(l)}, Spec: spec},
		},
	}
	return job, from.done(), nil
}

// postRunAnnotations make the postRun Job an Argo CD PostSync hook. Argo CD runs PostSync hooks
// once every Sync-phase resource is healthy (the docs' "Sync Phases and Waves"; gitops-engine's
// sync_context waits on every running task before the next phase), and a Job is healthy when it
// is Complete, degraded when Failed (gitops-engine pkg/health/health_job.go): the hooks start
// after the agent's Job has succeeded, never beside it. Hooks are applied on every sync; with
// HookFailed alone, a hook that succeeded is kept, and re-applying the unchanged Job finds it
// Complete, so a later sync does not run the hooks again (without a policy Argo CD uses
// BeforeHookCreation, which would re-run them on every sync). A failed one is deleted, and runs
// again at the next sync. The Job's own sync options (targetAnnotations) recreate it when its
// template changes: linkPostRunJobs makes it change whenever the agent's Job does.
func postRunAnnotations(target api.Target, pod *Pod) map[string]string {
	if target != api.TargetArgoCD || pod.StandIn {
		return nil
	}
	return map[string]string{annotationArgoHook: "PostSync", annotationArgoHookDeletePolicy: "HookFailed"}
}

// The two phases of hooks: upstream's container name prefix, their mounts (postRun hooks have
// no /ipc: the agent's pod is gone) and the variables upstream sets before the hook's own.
type hookPhase struct {
	name, prefix string
	mounts       []corev1.VolumeMount
	exitCode     bool // AGENT_EXIT_CODE
}

var (
	preRun = &hookPhase{name: "preRun", prefix: PreRunContainerPrefix, mounts: []corev1.VolumeMount{
		{Name: VolumeWorkspace, MountPath: "/workspace"}, {Name: VolumeIPC, MountPath: "/ipc"}, {Name: VolumeTmp, MountPath: "/tmp"}}}
	postRun = &hookPhase{name: "postRun", prefix: PostRunContainerPrefix, exitCode: true, mounts: []corev1.VolumeMount{
		{Name: VolumeWorkspace, MountPath: "/workspace"}, {Name: VolumeTmp, MountPath: "/tmp"}}}
)

func (p *hookPhase) hooks(lc *lifecycle) []api.HookContainer {
	if p == preRun {
		return lc.PreRun
	}
	return lc.PostRun
}

// hookContainer renders hook i of a phase at the pod's container list path (base, index ci) and
// records where each of its fields came from: upstream's fixed hardening, resources and mounts
// are the hook's as a whole; image, command, args and its own env entries its fields; the
// variables upstream adds come from the run.
func hookContainer(pod *Pod, lc *lifecycle, phase *hookPhase, i int, base string, ci int, token bool, from *origins) corev1.Container {
	h := phase.hooks(lc)[i]
	hf := lc.hookField(phase.name, i)
	c := corev1.Container{
		Name:            phase.prefix + h.Name,
		Image:           h.Image,
		ImagePullPolicy: resolvePullPolicy(h.ImagePullPolicy),
		Command:         h.Command,
		Args:            h.Args,
		SecurityContext: hardened(true),
		Resources:       hookResources(hookCPURequest, hookMemoryRequest, hookCPULimit, hookMemoryLimit),
		VolumeMounts:    slices.Clone(phase.mounts),
	}
	from.setPod(base, ci, 0, lc.src, hf, 0)
	from.setPod(base+".name", ci, 0, lc.src, hf+".name", 0)
	from.setPod(base+".image", ci, 0, lc.src, hf+".image", 0)
	from.setPod(base+".imagePullPolicy", ci, 0, lc.src, hf+".image", 0) // the image and its policy are one choice
	if len(h.Command) > 0 {
		from.add(rec{path: base + ".command", idx: [2]int32{int32(ci)}, src: lc.src, field: hf + ".command", flags: inPod | verbatim})
	}
	if len(h.Args) > 0 {
		from.add(rec{path: base + ".args", idx: [2]int32{int32(ci)}, src: lc.src, field: hf + ".args", flags: inPod | verbatim})
	}
	if token {
		from.setPod(base+".volumeMounts[#]", ci, len(c.VolumeMounts), lc.src, lc.field+".rbac", 0)
		c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: TokenVolume, MountPath: tokenMountPath, ReadOnly: true})
	}
	env := base + ".env[#]"
	add := func(v corev1.EnvVar, src *diag.Source, field string) {
		from.setPod(env, ci, len(c.Env), src, field, 0)
		c.Env = append(c.Env, v)
	}
	add(runIDEnv(pod), &pod.Src, "metadata.name")
	add(corev1.EnvVar{Name: "INSTANCE_NAME", Value: pod.Instance.Metadata.Name}, &pod.Instance.Src, "metadata.name")
	add(corev1.EnvVar{Name: "AGENT_NAMESPACE", Value: pod.Namespace}, &pod.Src, "metadata.namespace")
	own := func() {
		for j, e := range h.Env {
			from.add(rec{path: env, idx: [2]int32{int32(ci), int32(len(c.Env))}, src: lc.src, field: hf + ".env[#]", fidx: int32(j), flags: inPod | verbatim})
			c.Env = append(c.Env, coreEnvVar(e))
		}
	}
	forwarded := func() {
		for _, k := range sortedKeys(pod.Spec.Env) {
			from.add(rec{path: env, idx: [2]int32{int32(ci), int32(len(c.Env))}, src: lc.src, field: lc.envField + ".$", name: k, flags: inPod})
			c.Env = append(c.Env, corev1.EnvVar{Name: k, Value: string(pod.Spec.Env[k])})
		}
	}
	if phase.exitCode {
		// buildPostRunJob: the outcome, then the run's env, then the hook's.
		add(corev1.EnvVar{Name: "AGENT_EXIT_CODE", Value: "0"}, lc.src, lc.field+".postRun")
		forwarded()
		own()
	} else {
		// buildContainers: the hook's env, then the run's.
		own()
		forwarded()
	}
	return c
}

// runIDEnv is AGENT_RUN_ID: the run's name, or for a schedule the name of each Job its CronJob
// creates (as the agent gets it).
func runIDEnv(pod *Pod) corev1.EnvVar {
	if pod.Scheduled() {
		return corev1.EnvVar{Name: "AGENT_RUN_ID", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{
			APIVersion: "v1", FieldPath: "metadata.labels['batch.kubernetes.io/job-name']"}}}
	}
	return corev1.EnvVar{Name: "AGENT_RUN_ID", Value: pod.Name}
}

func hookResources(cpuReq, memReq, cpuLim, memLim string) corev1.ResourceRequirements {
	return corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpuReq), corev1.ResourceMemory: resource.MustParse(memReq)},
		Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpuLim), corev1.ResourceMemory: resource.MustParse(memLim)},
	}
}

// shiftInitContainers moves the records of the init containers at index pos and after n places
// on, for n containers inserted before them. Init containers are recorded with '#' for their
// index, the first of idx.
func (o *origins) shiftInitContainers(pos, n int) {
	rr := o.rr
	for i := rr.start; i < len(rr.buf); i++ {
		r := &rr.buf[i]
		if r.flags&inPod != 0 && strings.HasPrefix(r.path, "initContainers[#]") && int(r.idx[0]) >= pos {
			r.idx[0] += int32(n)
		}
	}
}

// mountsVolume says whether any container of spec mounts the volume name.
func mountsVolume(spec *corev1.PodSpec, name string) bool {
	for _, list := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
		for i := range list {
			for _, m := range list[i].VolumeMounts {
				if m.Name == name {
					return true
				}
			}
		}
	}
	return false
}

// linkPostRunJobs writes on each postRun Job's pod template the digest of its run's agent Job's
// pod template. Both Jobs are immutable and recreated by the delivery target when they change;
// a run whose agent Job changes (its task, a pack's image) runs again, and so must its postRun
// hooks, though nothing of theirs changed: the digest changes their template with the agent's.
func linkPostRunJobs(objs []Object) {
	agents := map[nsName]*batchv1.Job{}
	for _, o := range objs {
		if j, ok := o.(*batchv1.Job); ok && j.Labels[LabelComponent] == ComponentAgentRun {
			agents[nsName{j.Namespace, j.Name}] = j
		}
	}
	for _, o := range objs {
		j, ok := o.(*batchv1.Job)
		if !ok || j.Labels[LabelComponent] != ComponentPostRun {
			continue
		}
		agent := agents[nsName{j.Namespace, j.Labels[LabelAgentRun]}]
		if agent == nil {
			continue
		}
		b, err := json.Marshal(agent.Spec.Template)
		if err != nil {
			continue // a typed pod template always marshals
		}
		sum := sha256.Sum256(b)
		if j.Spec.Template.Annotations == nil {
			j.Spec.Template.Annotations = map[string]string{}
		}
		j.Spec.Template.Annotations[AnnotationAgentRunTemplate] = "sha256:" + hex.EncodeToString(sum[:])
	}
}

// validateLifecycle checks lifecycle hooks where they were written (field: spec.lifecycle of a
// run, spec.agents.default.lifecycle of an Agent), as the API server (names, images, env),
// upstream's webhook (validateHookEnv) and its controller (validateGateHooks) would. env is the
// run's env upstream forwards to every hook, written at envField.
func validateLifecycle(src diag.Source, field string, l *api.LifecycleHooks, envField string, env map[string]api.Scalar) diag.Diagnostics {
	if l == nil {
		return nil
	}
	var diags diag.Diagnostics
	switch l.GateDefault {
	case "", "allow", "block":
	default:
		diags = append(diags, src.Diag(field+".gateDefault", "must be allow or block, got %q", l.GateDefault))
	}
	for i, r := range l.RBAC {
		diags = append(diags, validateRule(src, fmt.Sprintf("%s.rbac[%d]", field, i), r, false)...)
	}
	for _, phase := range []*hookPhase{preRun, postRun} {
		names := map[string]int{}
		gate := -1
		for i, h := range phase.hooks(&lifecycle{LifecycleHooks: l}) {
			f := fmt.Sprintf("%s.%s[%d]", field, phase.name, i)
			diags = append(diags, validateHook(src, f, phase, h, envField, env)...)
			if j, dup := names[h.Name]; dup && h.Name != "" {
				diags = append(diags, src.Diag(f+".name", "hook name %q is also %s[%d]'s: both would be container %s", h.Name, phase.name, j, phase.prefix+h.Name))
			} else {
				names[h.Name] = i
			}
			if !h.Gate {
				continue
			}
			switch {
			case phase == preRun:
				diags = append(diags, src.Diag(f+".gate", "gate: true is only valid on postRun hooks (upstream's validateGateHooks fails such a run)"))
			case gate >= 0:
				diags = append(diags, src.Diag(f+".gate", "at most one postRun hook may set gate: true (also postRun[%d]; upstream's validateGateHooks fails such a run)", gate))
			default:
				gate = i
				diags = append(diags, src.Diag(f+".gate", "upstream Sympozium field that skillc does not support: %s",
					"a response gate needs Sympozium's controller: the ipc-bridge withholds the run's completion (GATE_SUPPRESS_COMPLETION) until the controller reads the hook's verdict from the AgentRun's sympozium.ai/gate-verdict annotation and publishes it (resolveGate); with skillc no controller runs the AgentRun, so the result would never be published. Drop gate, or let Sympozium run this AgentRun"))
			}
		}
	}
	return diags
}

// hookEnvSetByUpstream are the variables upstream sets on every hook of a phase; a hook's own or
// a forwarded spec.env entry of the same name would be a second definition in the container.
var hookEnvSetByUpstream = map[*hookPhase][]string{
	preRun:  {"AGENT_RUN_ID", "INSTANCE_NAME", "AGENT_NAMESPACE"},
	postRun: {"AGENT_RUN_ID", "INSTANCE_NAME", "AGENT_NAMESPACE", "AGENT_EXIT_CODE", "AGENT_RESULT", "GATE_MODE"},
}

func validateHook(src diag.Source, f string, phase *hookPhase, h api.HookContainer, envField string, env map[string]api.Scalar) diag.Diagnostics {
	var diags diag.Diagnostics
	switch {
	case h.Name == "":
		diags = append(diags, src.Diag(f+".name", "required"))
	default:
		for _, msg := range validation.IsDNS1123Label(h.Name) {
			diags = append(diags, src.Diag(f+".name", "invalid hook name %q: %s (it becomes container %s)", h.Name, msg, phase.prefix+h.Name))
		}
		diags = append(diags, checkLength(src, f+".name", "container name", phase.prefix+h.Name, maxLabelName)...)
	}
	if h.Image == "" {
		diags = append(diags, src.Diag(f+".image", "required"))
	} else if err := api.ParseImage(h.Image); err != nil {
		diags = append(diags, src.Diag(f+".image", "invalid image reference %q: %v", h.Image, err))
	}
	switch corev1.PullPolicy(h.ImagePullPolicy) {
	case "", corev1.PullAlways, corev1.PullIfNotPresent, corev1.PullNever:
	default:
		diags = append(diags, src.Diag(f+".imagePullPolicy", "must be Always, IfNotPresent or Never, got %q", h.ImagePullPolicy))
	}
	if h.Timeout != "" {
		if d, err := time.ParseDuration(h.Timeout); err != nil || d <= 0 {
			diags = append(diags, src.Diag(f+".timeout", "invalid duration %q (e.g. 5m, 1h30m)", h.Timeout))
		} else {
			diags = append(diags, diag.Diagnostic{File: src.File, Line: src.LineOf(f + ".timeout"), Field: f + ".timeout", Severity: diag.SeverityWarning,
				Message: "upstream's controller does not enforce a hook's timeout (nor the 5 minutes its documentation gives as the default): nothing is emitted for it; the run's timeout bounds preRun hooks, and 600 s the postRun Job"})
		}
	}
	seen := map[string]int{}
	for j, e := range h.Env {
		ef := fmt.Sprintf("%s.env[%d]", f, j)
		for _, msg := range validation.IsEnvVarName(e.Name) {
			diags = append(diags, src.Diag(ef+".name", "invalid env name %q: %s", e.Name, msg))
		}
		// upstream's webhook, validateHookEnv: a literal or a Secret's key, never both.
		switch {
		case e.Value != nil && e.ValueFrom != nil:
			diags = append(diags, src.Diag(ef, "set value or valueFrom, not both"))
		case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef == nil:
			diags = append(diags, src.Diag(ef+".valueFrom", "only secretKeyRef is supported"))
		case e.ValueFrom != nil && (e.ValueFrom.SecretKeyRef.Name == "" || e.ValueFrom.SecretKeyRef.Key == ""):
			diags = append(diags, src.Diag(ef+".valueFrom.secretKeyRef", "name and key are required"))
		}
		if why := reservedEnv(e.Name, "the hook"); why != "" {
			diags = append(diags, src.Diag(ef+".name", "%q is reserved: %s", e.Name, why))
		}
		var also string
		switch k, dup := seen[e.Name]; {
		case slices.Contains(hookEnvSetByUpstream[phase], e.Name):
			also = "upstream's controller, on every " + phase.name + " hook"
		case dup:
			also = fmt.Sprintf("env[%d]", k)
		default:
			if _, fwd := env[e.Name]; fwd {
				also = envField + ", which upstream forwards to every hook"
			}
		}
		if also != "" && e.Name != "" {
			diags = append(diags, src.Diag(ef+".name", "%q is also set by %s: the container would define it twice", e.Name, also))
		}
		seen[e.Name] = j
	}
	return diags
}
