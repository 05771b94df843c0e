package compile

import (
	"maps"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
)

// The agent-sandbox execution backend (kubernetes-sigs/agent-sandbox): an AgentRun with
// spec.agentSandbox.enabled runs as a Sandbox instead of a Job, or claims a pre-warmed one from a
// warm pool, and an Agent's agents.default.agentSandbox.warmPool is a SandboxWarmPool. Upstream
// writes them as unstructured objects (internal/controller/agentrun_sandbox.go); skillc types them
// here with the same fields, and the Sandbox's and the warm pool's pods go through the gate like a
// Job's.

// AgentSandboxAPIVersion is the group/version upstream's controller writes all three kinds in
// (sandboxGVR, sandboxClaimGVR, warmPoolGVR). kubernetes-sigs/agent-sandbox serves Sandbox there,
// but SandboxClaim and SandboxWarmPool in extensionsGroup with other fields: upstream's two only
// apply against its own test CRDs (hack/agent-sandbox-crds.yaml), and a warning says so.
const (
	AgentSandboxAPIVersion = "agents.x-k8s.io/v1alpha1"
	extensionsGroup        = "extensions.agents.x-k8s.io"
)

// Kinds of the agent-sandbox backend.
const (
	KindSandbox         = "Sandbox"
	KindSandboxClaim    = "SandboxClaim"
	KindSandboxWarmPool = "SandboxWarmPool"
)

// SandboxPodSpecPath is the pod spec's path in a Sandbox and in a SandboxWarmPool.
const SandboxPodSpecPath = "spec.podTemplate.spec"

// Names and labels upstream gives the backend's objects.
const (
	// LabelAgentSandbox marks a sandbox-backed run's objects and pod (sandboxCRLabels).
	LabelAgentSandbox  = "sympozium.ai/agent-sandbox"
	sandboxPrefix      = "sb-"  // buildSandboxCR
	sandboxClaimPrefix = "sbc-" // buildSandboxClaimCR
	warmPoolPrefix     = "wp-"  // EnsureWarmPool
	ComponentWarmPool  = "warm-pool"
)

// Sandbox is agents.x-k8s.io/v1alpha1 Sandbox as upstream's buildSandboxCR writes it.
type Sandbox struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              SandboxSpec `json:"spec"`
}

type SandboxSpec struct {
	PodTemplate corev1.PodTemplateSpec `json:"podTemplate"`
}

// SandboxClaim is upstream's claim on a warm pool (buildSandboxClaimCR): a name, no pod.
type SandboxClaim struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              SandboxClaimSpec `json:"spec"`
}

type SandboxClaimSpec struct {
	WarmPoolRef SandboxWarmPoolRef `json:"warmPoolRef"`
}

type SandboxWarmPoolRef struct {
	Name string `json:"name"`
}

// SandboxWarmPool is upstream's warm pool of an Agent (EnsureWarmPool). runtimeClassName sits
// beside the pod template, where upstream puts it.
type SandboxWarmPool struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              SandboxWarmPoolSpec `json:"spec"`
}

type SandboxWarmPoolSpec struct {
	Size             int64                  `json:"size"`
	RuntimeClassName string                 `json:"runtimeClassName,omitempty"`
	PodTemplate      corev1.PodTemplateSpec `json:"podTemplate"`
}

func (s *Sandbox) DeepCopyObject() runtime.Object {
	c := *s
	s.ObjectMeta.DeepCopyInto(&c.ObjectMeta)
	s.Spec.PodTemplate.DeepCopyInto(&c.Spec.PodTemplate)
	return &c
}

func (s *SandboxClaim) DeepCopyObject() runtime.Object {
	c := *s
	s.ObjectMeta.DeepCopyInto(&c.ObjectMeta)
	return &c
}

func (s *SandboxWarmPool) DeepCopyObject() runtime.Object {
	c := *s
	s.ObjectMeta.DeepCopyInto(&c.ObjectMeta)
	s.Spec.PodTemplate.DeepCopyInto(&c.Spec.PodTemplate)
	return &c
}

// Upstream's warm-pool pod: the agent runner kept asleep, with fixed resources (EnsureWarmPool
// reads neither warmPool.resources nor anything of the Agent's runs).
var (
	warmPoolRequests = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("250m"), corev1.ResourceMemory: resource.MustParse("512Mi")}
	warmPoolLimits   = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1"), corev1.ResourceMemory: resource.MustParse("1Gi")}
)

// SandboxName is the Sandbox of a run (buildSandboxCR).
func SandboxName(run string) string { return sandboxPrefix + run }

// SandboxClaimName is the claim of a run on a warm pool (buildSandboxClaimCR).
func SandboxClaimName(run string) string { return sandboxClaimPrefix + run }

// WarmPoolName is an Agent's warm pool (EnsureWarmPool).
func WarmPoolName(agent string) string { return warmPoolPrefix + agent }

// agentSandbox is the run's agent-sandbox setting when it runs there: upstream's reconcilePending
// forks on the run's own spec.agentSandbox.enabled only (an Agent's setting is not inherited, and
// a schedule's runs never carry one).
func agentSandbox(pod *Pod) *api.RunAgentSandbox {
	if pod.Scheduled() || pod.StandIn || pod.Spec == nil {
		return nil
	}
	if as := pod.Spec.AgentSandbox; as != nil && as.Enabled {
		return as
	}
	return nil
}

// sandboxLabels are a sandbox-backed run's labels and its pod's (sandboxCRLabels: the run's
// labels and the backend's marker).
func sandboxLabels(pod *Pod) map[string]string {
	l := podLabels(pod)
	l[LabelAgentSandbox] = "true"
	return l
}

// buildAgentSandbox renders a sandbox-backed run (upstream reconcilePendingAgentSandbox): a
// Sandbox carrying the run's pod, or, with warmPoolRef, a SandboxClaim that carries no pod at all.
func buildAgentSandbox(cfg *api.ConfigSpec, pod *Pod, images *diag.Source, rr *recorder) (Object, *origins, diag.Diagnostics) {
	as := agentSandbox(pod)
	if as.WarmPoolRef != "" {
		return buildSandboxClaim(cfg, pod, images, rr)
	}
	from := rr.begin(pod, SandboxPodSpecPath)
	tmpl, diags := buildPodTemplate(cfg, pod, images, from)
	if tmpl == nil {
		return nil, nil, diags
	}
	tmpl.Labels[LabelAgentSandbox] = "true"
	if rc := as.RuntimeClass; rc != "" {
		// buildSandboxCR: the runtime class lives inside the pod template.
		tmpl.Spec.RuntimeClassName = &rc
		from.setPod("runtimeClassName", 0, 0, &pod.Src, "spec.agentSandbox.runtimeClass", 0)
	}
	// Upstream's controller deletes the Sandbox when the run's timeout passes
	// (reconcileRunningAgentSandbox); nothing does in a render, so the pod's own deadline does,
	// as the Job's does.
	tmpl.Spec.ActiveDeadlineSeconds = ptr(*jobSpec(pod, *tmpl).ActiveDeadlineSeconds)
	from.setPod("activeDeadlineSeconds", 0, 0, &pod.Src, "spec.timeout", 0)
	podObjectOrigins(pod, from, "spec.podTemplate.metadata.labels")
	meta := workloadMeta(pod)
	meta.Name, meta.Labels = SandboxName(pod.Name), sandboxLabels(pod)
	return &Sandbox{
		TypeMeta:   metav1.TypeMeta{APIVersion: AgentSandboxAPIVersion, Kind: KindSandbox},
		ObjectMeta: meta,
		Spec:       SandboxSpec{PodTemplate: *tmpl},
	}, from.done(), diags
}

// buildSandboxClaim renders a run's claim on a warm pool (buildSandboxClaimCR). Upstream builds
// the run's pod first and then drops it: the claimed sandbox runs the pool's pod. The pod is still
// built here, so that what upstream's controller would refuse in it is refused, and a warning says
// what the run loses.
func buildSandboxClaim(cfg *api.ConfigSpec, pod *Pod, images *diag.Source, rr *recorder) (Object, *origins, diag.Diagnostics) {
	ref := agentSandbox(pod).WarmPoolRef
	tmpl, diags := buildPodTemplate(cfg, pod, images, rr.begin(pod, SandboxPodSpecPath))
	if tmpl == nil {
		return nil, nil, diags
	}
	from := rr.begin(pod, "") // the pod's records go: the claim carries no pod
	from.set("", &pod.Src, "metadata.name")
	from.set("metadata.labels", &pod.Instance.Src, "metadata.name")
	from.set("spec.warmPoolRef.name", &pod.Src, "spec.agentSandbox.warmPoolRef")
	name := SandboxClaimName(pod.Name)
	diags = append(diags, checkLength(pod.Src, "metadata.name", "SandboxClaim name", name, maxObjectName)...)
	diags = append(diags, warning(pod.Src, "spec.agentSandbox.warmPoolRef",
		"the run claims a sandbox of warm pool %q: upstream's SandboxClaim carries no pod template, so the claimed sandbox runs the pool's pod (the agent runner asleep), without this run's task, skills, sidecars or env; and kubernetes-sigs/agent-sandbox serves SandboxClaim as %s, not %s: it applies only where Sympozium's own agent-sandbox CRDs are installed", ref, extensionsGroup, AgentSandboxAPIVersion))
	return &SandboxClaim{
		TypeMeta:   metav1.TypeMeta{APIVersion: AgentSandboxAPIVersion, Kind: KindSandboxClaim},
		ObjectMeta: objectMeta(name, pod.Namespace, sandboxLabels(pod)),
		Spec:       SandboxClaimSpec{WarmPoolRef: SandboxWarmPoolRef{Name: ref}},
	}, from.done(), diags
}

// warmPools renders the SandboxWarmPool of every Agent that asks for one.
func warmPools(cfg *api.ConfigSpec, in *api.Inputs, images *diag.Source, rr *recorder) ([]Object, []*origins, diag.Diagnostics) {
	var objs []Object
	var froms []*origins
	var diags diag.Diagnostics
	for _, inst := range in.Instances {
		o, f, d := buildWarmPool(cfg, inst, images, rr)
		objs, froms, diags = append(objs, o...), append(froms, f...), append(diags, d...)
	}
	return objs, froms, diags
}

// buildWarmPool renders an Agent's SandboxWarmPool (upstream EnsureWarmPool): when its
// agents.default.agentSandbox is enabled with a warmPool. The runtime class is the pool's, else
// the Agent's. Upstream v0.10.46 defines EnsureWarmPool and documents the pool ("the controller
// automatically creates and manages a SandboxWarmPool") but no reconciler calls it; skillc emits
// the pool the field asks for rather than accept the field and emit nothing, and the gate judges
// its pod.
func buildWarmPool(cfg *api.ConfigSpec, inst *api.Instance, images *diag.Source, rr *recorder) ([]Object, []*origins, diag.Diagnostics) {
	if inst.Spec.Agents == nil {
		return nil, nil, nil
	}
	as := inst.Spec.Agents.Default.AgentSandbox
	if as == nil || !as.Enabled || as.WarmPool == nil {
		return nil, nil, nil
	}
	const field = "spec.agents.default.agentSandbox"
	wp := as.WarmPool
	ns := NamespaceOf(inst.Metadata, DefaultNamespace)
	src := &inst.Src
	from := rr.begin(nil, SandboxPodSpecPath)
	from.set("", src, "metadata.name")
	from.set("spec.size", src, field+".warmPool.size")
	l := labels(LabelInstance, inst.Metadata.Name, LabelComponent, ComponentWarmPool)
	from.set("metadata.labels", src, "metadata.name")
	from.set("spec.podTemplate.metadata.labels", src, "metadata.name")
	rc := wp.RuntimeClass
	switch {
	case rc != "":
		from.set("spec.runtimeClassName", src, field+".warmPool.runtimeClass")
	case as.RuntimeClass != "":
		rc = as.RuntimeClass
		from.set("spec.runtimeClassName", src, field+".runtimeClass")
	}
	// The pod is the platform's (the image from the config) and upstream's (the rest): the
	// warmPool setting as a whole answers for it.
	from.setPod("", 0, 0, src, field+".warmPool", 0)
	if images != nil {
		from.setPod("containers[0].image", 0, 0, images, "spec.images.agentRunner", 0)
	}
	size := int64(2) // the CRD's default (+kubebuilder:default=2)
	if wp.Size != nil {
		size = int64(*wp.Size) // a negative one is refused with the emitted object
	}
	var diags diag.Diagnostics
	name := WarmPoolName(inst.Metadata.Name)
	diags = append(diags, checkLength(*src, "metadata.name", "SandboxWarmPool name", name, maxObjectName)...)
	diags = append(diags, warning(*src, field+".warmPool",
		"SandboxWarmPool %s/%s is written as upstream writes it (%s, spec.size); kubernetes-sigs/agent-sandbox serves warm pools as %s with spec.replicas: it applies only where Sympozium's own agent-sandbox CRDs are installed", ns, name, AgentSandboxAPIVersion, extensionsGroup))
	// The pool's pods run as the Agent's default identity, whatever the config's: it must exist
	// there even when no run uses it (buildAgentObjects keeps one per namespace).
	sa := buildServiceAccount(SharedServiceAccount, ns, labels(LabelComponent, ComponentWarmPool))
	poolFrom := from.done()
	return []Object{sa, &SandboxWarmPool{
		TypeMeta:   metav1.TypeMeta{APIVersion: AgentSandboxAPIVersion, Kind: KindSandboxWarmPool},
		ObjectMeta: objectMeta(name, ns, l),
		Spec: SandboxWarmPoolSpec{
			Size:             size,
			RuntimeClassName: rc,
			PodTemplate: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: maps.Clone(l)},
				Spec: corev1.PodSpec{
					ServiceAccountName: SharedServiceAccount,
					Containers: []corev1.Container{{
						Name:    AgentContainer,
						Image:   cfg.Images.AgentRunner,
						Command: []string{"sleep", "infinity"},
						Resources: corev1.ResourceRequirements{
							Requests: warmPoolRequests.DeepCopy(),
							Limits:   warmPoolLimits.DeepCopy(),
						},
					}},
				},
			},
		},
	}}, []*origins{rr.begin(nil, "").done(), poolFrom}, diags
}

// agentSandboxNotes explains an Agent's agentSandbox where upstream's controller does not apply
// it: its runs run as Jobs unless each sets its own spec.agentSandbox.
func agentSandboxNotes(_ *api.ConfigSpec, inst *api.Instance) diag.Diagnostics {
	if inst.Spec.Agents == nil {
		return nil
	}
	as := inst.Spec.Agents.Default.AgentSandbox
	if as == nil || !as.Enabled {
		return nil
	}
	return diag.Diagnostics{warning(inst.Src, "spec.agents.default.agentSandbox.enabled",
		"%s %s: upstream's controller does not apply an Agent's agentSandbox to its runs (reconcilePending reads only each AgentRun's spec.agentSandbox, and schedules never set it): runs without their own spec.agentSandbox.enabled run as Jobs",
		inst.Kind, inst.Metadata.Name)}
}
