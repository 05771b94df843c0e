package compile

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
)

// Resolution (SPEC §2): toggles to packs, private before public; runs to instances; each pod's
// packs checked for collisions before anything is built.

// Toggle is one skill toggle resolved to its pack, with where it was written.
type Toggle struct {
	Pack *api.SkillPack
	// PackNamespace is where Pack was found: the pod's namespace (private) or the catalog's.
	// With the name it is the pack's identity, which allow-lists and exceptions match.
	PackNamespace string
	Params        map[string]api.Scalar
	Src           diag.Source
	Field         string // e.g. spec.skills[2]
	// Shadows is the catalog pack of the same name a private Pack shadows (nil if none): upstream
	// takes a private copy's missing sidecar tools from it (resolveSkillSidecars).
	Shadows *api.SkillPack
}

// Pod is what one run or schedule needs built: who it is, its instance, its packs in toggle order,
// and what the agent is told.
type Pod struct {
	Kind      string // AgentRun or SympoziumSchedule
	Name      string
	Namespace string
	Src       diag.Source
	Instance  *api.Instance
	Toggles   []Toggle

	Task        string
	Model       string // overrides the instance's model when set
	Env         map[string]api.Scalar
	Timeout     string
	PullSecrets []corev1.LocalObjectReference
	Schedule    *api.Schedule // set for schedules
	// StandIn: no run or schedule exists; the pod is built only to be gated (see standIns).
	StandIn bool
	// StandInWhy, when set, says why an instance that has runs gets a stand-in too.
	StandInWhy string
	// Spec is the run's spec as the controller builds its pod from it: the AgentRun's own, or for
	// a schedule (and a stand-in) the spec upstream's schedule controller writes into each run it
	// creates from the Agent (scheduledRunSpec). Fields taken from the Agent have their origin in
	// Instance.Src; a run's own fields in Src.
	Spec *api.AgentRunSpec
}

// scheduledRunSpec is the AgentRun spec upstream's schedule controller creates from an Agent
// (SympoziumScheduleReconciler.Reconcile in internal/controller/sympoziumschedule_controller.go):
// the Agent's model settings, pull secrets, lifecycle hooks, volumes, env and run timeout. The
// skills are the pod's toggles; the task is the schedule's.
func scheduledRunSpec(inst *api.Instance) *api.AgentRunSpec {
	spec := &api.AgentRunSpec{AgentRef: inst.Metadata.Name, ImagePullSecrets: inst.Spec.ImagePullSecrets,
		Volumes: inst.Spec.Volumes, VolumeMounts: inst.Spec.VolumeMounts}
	for _, ref := range inst.Spec.AuthRefs {
		if strings.TrimSpace(ref.Secret) != "" { // resolveAuthSecret: the first named Secret
			spec.Model = &api.RunModel{AuthSecretRef: ref.Secret}
			break
		}
	}
	if a := inst.Spec.Agents; a != nil {
		d := &a.Default
		if spec.Model == nil {
			spec.Model = &api.RunModel{}
		}
		spec.Model.Model, spec.Model.BaseURL, spec.Model.Thinking = d.Model, d.BaseURL, d.Thinking
		spec.Model.NodeSelector, spec.Model.ProviderHeaders = d.NodeSelector, d.ProviderHeaders
		spec.Lifecycle, spec.Env, spec.Timeout = d.Lifecycle, d.Env, d.RunTimeout
	}
	if spec.Model == nil {
		spec.Model = &api.RunModel{}
	}
	spec.Model.Provider, _ = resolveProvider(inst)
	if m := inst.Spec.Memory; m != nil {
		spec.SystemPrompt = m.SystemPrompt // memorySystemPrompt
	}
	ensembleScheduledRun(inst, spec)
	return spec
}

// Scheduled reports whether the pod is a schedule's (a CronJob's) rather than a run's (a Job's).
func (p *Pod) Scheduled() bool { return p.Schedule != nil }

type nsName struct{ ns, name string }

// resolver indexes the inputs for lookups.
type resolver struct {
	cfg       *api.ConfigSpec
	packs     map[nsName]*api.SkillPack
	instances map[nsName]*api.Instance
	diags     diag.Diagnostics
}

// DefaultNamespace is where kubectl applies an object that names no namespace.
const DefaultNamespace = "default"

// NamespaceOf gives a namespaced source its namespace: packs default to the public catalog,
// everything else to DefaultNamespace, as kubectl would apply it.
func NamespaceOf(m api.ObjectMeta, fallback string) string {
	if m.Namespace != "" {
		return m.Namespace
	}
	return fallback
}

func newResolver(cfg *api.ConfigSpec, in *api.Inputs) *resolver {
	r := &resolver{cfg: cfg, packs: map[nsName]*api.SkillPack{}, instances: map[nsName]*api.Instance{}}
	for _, p := range in.Packs {
		k := nsName{NamespaceOf(p.Metadata, cfg.CatalogNamespace), p.Metadata.Name}
		if prev, dup := r.packs[k]; dup {
			r.diags = append(r.diags, p.Src.Diag("metadata.name", "SkillPack %s/%s is defined twice (also %s:%d)", k.ns, k.name, prev.Src.File, prev.Src.Line))
			continue
		}
		r.packs[k] = p
	}
	for _, i := range in.Instances {
		k := nsName{NamespaceOf(i.Metadata, DefaultNamespace), i.Metadata.Name}
		if prev, dup := r.instances[k]; dup {
			r.diags = append(r.diags, i.Src.Diag("metadata.name", "instance %s/%s is defined twice (also %s:%d)", k.ns, k.name, prev.Src.File, prev.Src.Line))
			continue
		}
		r.instances[k] = i
	}
	return r
}

// namespaceOfPack is the namespace a pack lives in (a pack without one is the catalog's).
func (r *resolver) namespaceOfPack(p *api.SkillPack) string {
	return NamespaceOf(p.Metadata, r.cfg.CatalogNamespace)
}

// Identity is the pack's namespace/name: what allow-lists and exceptions name.
func (t *Toggle) Identity() string { return t.PackNamespace + "/" + t.Pack.Metadata.Name }

// lookup finds a pack for a ref from namespace ns: private (ns) first, then the public catalog.
func (r *resolver) lookup(ns, ref string) (*api.SkillPack, *api.SkillPack) {
	name := strings.TrimPrefix(ref, "skillpack-")
	private := r.packs[nsName{ns, name}]
	public := r.packs[nsName{r.cfg.CatalogNamespace, name}]
	if private != nil {
		if public != nil && ns != r.cfg.CatalogNamespace {
			return private, public
		}
		return private, nil
	}
	return public, nil
}

// toggles resolves a list of refs written in src at field, for a pod in namespace ns.
func (r *resolver) toggles(src diag.Source, field, ns, owner string, refs []api.SkillRef) []Toggle {
	out := make([]Toggle, 0, len(refs))
	seen := map[string]string{}
	for i, ref := range refs {
		if ref.SkillPackRef == "" {
			continue // a configMapRef alone: a ConfigMap projected as it is (baseVolumes)
		}
		f := fmt.Sprintf("%s[%d]", field, i)
		pack, shadowed := r.lookup(ns, ref.SkillPackRef)
		if pack == nil {
			r.diags = append(r.diags, src.Diag(f+".skillPackRef",
				"%s: skillPackRef %q resolves to no SkillPack (looked in namespaces %q and %q); the run would silently lose these skills",
				owner, ref.SkillPackRef, ns, r.cfg.CatalogNamespace))
			continue
		}
		if shadowed != nil {
			r.diags = append(r.diags, diag.Diagnostic{File: src.File, Line: src.LineOf(f + ".skillPackRef"), Field: f + ".skillPackRef", Severity: diag.SeverityWarning,
				Message: fmt.Sprintf("%s: private SkillPack %s/%s (%s:%d) shadows the public one in %s (%s:%d)",
					owner, ns, pack.Metadata.Name, pack.Src.File, pack.Src.Line, r.cfg.CatalogNamespace, shadowed.Src.File, shadowed.Src.Line)})
		}
		if prev, dup := seen[pack.Metadata.Name]; dup {
			r.diags = append(r.diags, src.Diag(f+".skillPackRef", "%s: SkillPack %q is toggled twice (also %s)", owner, pack.Metadata.Name, prev))
			continue
		}
		seen[pack.Metadata.Name] = f
		out = append(out, Toggle{Pack: pack, PackNamespace: r.namespaceOfPack(pack), Params: ref.Params, Src: src, Field: f, Shadows: shadowed})
	}
	return out
}

// resolve turns the inputs into pods, plus the instances' own toggles (ConfigMaps are emitted
// wherever an instance uses a pack, even with no run yet).
func resolve(cfg *api.ConfigSpec, in *api.Inputs) ([]Pod, map[nsName][]Toggle, diag.Diagnostics) {
	r := newResolver(cfg, in)
	instToggles := map[nsName][]Toggle{}
	for _, inst := range in.Instances {
		ns := NamespaceOf(inst.Metadata, DefaultNamespace)
		owner := fmt.Sprintf("%s %s/%s", inst.Kind, ns, inst.Metadata.Name)
		ts := r.toggles(inst.Src, "spec.skills", ns, owner, inst.Spec.Skills)
		instToggles[nsName{ns, inst.Metadata.Name}] = ts
		r.checkCollisions(owner, inst.Src, ts)
	}
	var pods []Pod
	for _, run := range in.Runs {
		ns := NamespaceOf(run.Metadata, DefaultNamespace)
		owner := fmt.Sprintf("AgentRun %s/%s", ns, run.Metadata.Name)
		instName, field := run.Spec.Ref()
		inst := r.instances[nsName{ns, instName}]
		if inst == nil {
			r.diags = append(r.diags, run.Src.Diag(field, "%s: instance %q not found in namespace %q%s", owner, instName, ns, ensembleHint(in, ns, instName)))
			continue
		}
		pod := Pod{Kind: "AgentRun", Name: run.Metadata.Name, Namespace: ns, Src: run.Src, Instance: inst,
			Env: run.Spec.Env, Timeout: run.Spec.Timeout, PullSecrets: run.Spec.ImagePullSecrets, Spec: &run.Spec}
		if run.Spec.Task != nil {
			pod.Task = run.Spec.Task.Text
		}
		if run.Spec.Model != nil {
			pod.Model = run.Spec.Model.Model
		}
		if len(run.Spec.Skills) > 0 {
			pod.Toggles = r.toggles(run.Src, "spec.skills", ns, owner, run.Spec.Skills)
			r.checkCollisions(owner, run.Src, pod.Toggles)
		} else {
			pod.Toggles = instToggles[nsName{ns, instName}]
		}
		pods = append(pods, pod)
	}
	for _, sched := range in.Schedules {
		ns := NamespaceOf(sched.Metadata, DefaultNamespace)
		instName, field := sched.Spec.Ref()
		inst := r.instances[nsName{ns, instName}]
		if inst == nil {
			r.diags = append(r.diags, sched.Src.Diag(field, "SympoziumSchedule %s/%s: instance %q not found in namespace %q%s", ns, sched.Metadata.Name, instName, ns, ensembleHint(in, ns, instName)))
			continue
		}
		spec := scheduledRunSpec(inst)
		spec.AgentID = "schedule-" + sched.Metadata.Name
		pods = append(pods, Pod{Kind: "SympoziumSchedule", Name: sched.Metadata.Name, Namespace: ns, Src: sched.Src, Instance: inst,
			Task: sched.Spec.Task, Toggles: withoutWebEndpoint(instToggles[nsName{ns, inst.Metadata.Name}]), Schedule: sched, Spec: spec})
	}
	pods = append(pods, webEndpointPods(in, instToggles)...)
	return pods, instToggles, r.diags
}

// checkCollisions refuses two packs in one pod that would write the same path under /skills (a
// skill's <skill>.md, or a package's <skill>/<path>: skillsProjection).
func (r *resolver) checkCollisions(owner string, src diag.Source, ts []Toggle) {
	files := map[string]string{}
	for _, t := range ts {
		for _, key := range skillKeys(t.Pack) {
			if other, dup := files[key]; dup {
				r.diags = append(r.diags, src.Diag(t.Field+".skillPackRef",
					"%s: SkillPacks %q and %q both provide /skills/%s: one would hide the other; rename one skill",
					owner, other, t.Pack.Metadata.Name, key))
				continue
			}
			files[key] = t.Pack.Metadata.Name
		}
	}
}

// skillKeys lists the files a pack mounts under /skills.
func skillKeys(p *api.SkillPack) []string { return skillPaths(p) }

// StandInName is the run and instance name of a stand-in pod, and StandInNamespace the namespace
// of a catalog pack's stand-in.
const (
	StandInName      = "skillc-stand-in"
	StandInNamespace = "skillc-stand-in"
)

// standIns are the pods the gate judges though nothing is emitted for them: an instance that no
// run or schedule uses yet (the controller may start one at any time), and a pack that no pod
// uses at all (a pack catalogue's own CI has nothing else to gate). A pack's stand-in runs in its
// own namespace, or StandInNamespace for a catalog pack, with the config's identity.
func standIns(cfg *api.ConfigSpec, in *api.Inputs, pods []Pod, instToggles map[nsName][]Toggle) []Pod {
	used := map[*api.SkillPack]bool{}
	running := map[*api.Instance]bool{}
	scheduled := map[*api.Instance]bool{}
	for _, p := range pods {
		// A server run serves requests with runs of its own: the Agent's task pod is still unjudged.
		running[p.Instance] = running[p.Instance] || !p.Server()
		scheduled[p.Instance] = scheduled[p.Instance] || p.Scheduled()
		for _, t := range p.Toggles {
			used[t.Pack] = true
		}
	}
	var out []Pod
	for _, inst := range in.Instances {
		ns := NamespaceOf(inst.Metadata, DefaultNamespace)
		ts := instToggles[nsName{ns, inst.Metadata.Name}]
		why := ""
		switch {
		case scheduled[inst]:
			continue // a schedule's pod is built from the Agent's run spec already
		case running[inst] && shapesControllerRuns(inst):
			// An AgentRun from Git keeps its own spec; the runs the controller creates from the
			// Agent (a channel's, a delegation's) take these too, and nothing else judges them.
			why = "its AgentRuns do not take the Agent's volumes, env or lifecycle hooks, the runs its controller creates do"
		case running[inst] || len(ts) == 0 && !shapesControllerRuns(inst):
			continue
		}
		for _, t := range ts {
			used[t.Pack] = true
		}
		out = append(out, Pod{Kind: "AgentRun", Name: StandInName, Namespace: ns, Src: inst.Src, Instance: inst, Toggles: ts, StandIn: true, StandInWhy: why, Spec: scheduledRunSpec(inst)})
	}
	for _, p := range in.Packs {
		if used[p] {
			continue
		}
		used[p] = true
		ns := NamespaceOf(p.Metadata, cfg.CatalogNamespace)
		podNS := ns
		if ns == cfg.CatalogNamespace {
			podNS = StandInNamespace
		}
		inst := &api.Instance{}
		inst.Metadata.Name, inst.Metadata.Namespace, inst.Src = StandInName, podNS, p.Src
		t := Toggle{Pack: p, PackNamespace: ns, Src: p.Src, Field: "metadata"}
		out = append(out, Pod{Kind: "AgentRun", Name: StandInName, Namespace: podNS, Src: p.Src, Instance: inst, Toggles: []Toggle{t}, StandIn: true, Spec: scheduledRunSpec(inst)})
	}
	return out
}

// shapesControllerRuns reports whether an Agent gives the runs its controller creates what an
// AgentRun's own spec does not inherit (upstream's run creators copy these; resolveAgentRunInputs
// does not): volumes and their mounts, env, lifecycle hooks.
func shapesControllerRuns(inst *api.Instance) bool {
	if len(inst.Spec.Volumes) > 0 || len(inst.Spec.VolumeMounts) > 0 {
		return true
	}
	d := agentDefaults(inst)
	return len(d.Env) > 0 || d.Lifecycle != nil
}
