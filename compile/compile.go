// Package compile turns SkillPacks, instance toggles and runs into the Kubernetes objects a
// Sympozium-style controller would create at run time: load → resolve → build → serialize.
// It does no I/O beyond reading its inputs and never writes.
package compile

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/source"
)

// Options are the settings of one compile. Config is the platform's CompilerConfig (nil: the
// defaults, or the one CompilerConfig found among the inputs); the other fields, when set,
// override it (they are the command-line flags).
type Options struct {
	Config   *api.CompilerConfig
	Identity string
	Sidecars string
	Target   string
	Profile  string
}

// Result is a successful compile: the objects in output order, the effective config, the pods
// built and the skill budgets, and where each object's fields came from (OriginsOf,
// ObjectOrigins).
type Result struct {
	Objects []Object
	Config  *api.CompilerConfig
	Pods    []Pod
	Budgets []Budget // estimated skill tokens per instance
	// StandIns are built for StandInPods only to be gated, never emitted: the pods of instances
	// that no run uses yet and of packs that nothing uses.
	StandIns    []Object
	StandInPods []Pod
	// Inputs are the decoded sources, with their files: the gate checks who wrote what (tenants).
	Inputs *api.Inputs

	origins map[Object]*origins // as the builders recorded them
}

// Compile loads files and compiles them. It returns every diagnostic, sorted: with an input error
// among them (diags.HasErrors) the Result is nil; otherwise they are warnings and notes.
func Compile(files []source.File, opts Options) (*Result, diag.Diagnostics) {
	in, diags := source.Load(files)
	cfg, d := effectiveConfig(in, opts)
	diags = append(diags, d...)
	if diags.HasErrors() {
		diags.Sort()
		return nil, diags
	}
	res, d := Build(in, cfg)
	diags = append(diags, d...)
	diags.Sort()
	return res, diags
}

func effectiveConfig(in *api.Inputs, opts Options) (*api.CompilerConfig, diag.Diagnostics) {
	cfg := opts.Config
	var diags diag.Diagnostics
	switch {
	case cfg != nil && len(in.Configs) > 0:
		c := in.Configs[0]
		diags = append(diags, c.Src.Diag("", "a CompilerConfig is given apart from the inputs (Options.Config) and also among them; keep one"))
	case len(in.Configs) > 1:
		for _, c := range in.Configs[1:] {
			diags = append(diags, c.Src.Diag("", "more than one CompilerConfig among the inputs (first at %s:%d)", in.Configs[0].Src.File, in.Configs[0].Src.Line))
		}
	case len(in.Configs) == 1:
		cfg = in.Configs[0]
	}
	if cfg == nil {
		cfg = api.DefaultConfig()
	}
	c := *cfg // flags must not change the caller's config
	for _, o := range []struct {
		field, value string
		set          func(string)
		allowed      []string
	}{
		{"spec.identity", opts.Identity, func(v string) { c.Spec.Identity = api.Identity(v) }, api.Identities},
		{"spec.sidecars", opts.Sidecars, func(v string) { c.Spec.Sidecars = api.SidecarMode(v) }, api.SidecarModes},
		{"spec.target", opts.Target, func(v string) { c.Spec.Target = api.Target(v) }, api.Targets},
		{"spec.policy.profile", opts.Profile, func(v string) { c.Spec.Policy.Profile = api.Profile(v) }, api.Profiles},
	} {
		if o.value == "" {
			continue
		}
		if !slices.Contains(o.allowed, o.value) {
			// No file: the value is one of Options, and its field is the config's it overrides.
			diags = append(diags, diag.Diagnostic{Field: o.field, Severity: diag.SeverityError, Message: fmt.Sprintf("must be one of %v, got %q", o.allowed, o.value)})
			continue
		}
		o.set(o.value)
	}
	c.Default()
	diags = append(diags, c.Validate()...)
	for _, img := range []struct{ field, ref string }{
		{"spec.images.agentRunner", c.Spec.Images.AgentRunner},
		{"spec.images.ipcBridge", c.Spec.Images.IPCBridge},
		{"spec.images.sandbox", c.Spec.Images.Sandbox},
		{"spec.images.mcpBridge", c.Spec.Images.MCPBridge},
	} {
		// Every pod runs the first two, and a sandboxed run the third: a reference no runtime
		// can pull fails every such run.
		if err := api.ParseImage(img.ref); err != nil {
			diags = append(diags, c.Src.Diag(img.field, "invalid image reference %q: %v", img.ref, err))
		}
	}
	diags = append(diags, checkChannelImages(&c)...)
	return &c, diags
}

// Build compiles decoded inputs with an effective (defaulted, validated) config. Like Compile, it
// returns a nil Result exactly when the diagnostics hold an input error.
func Build(in *api.Inputs, cfg *api.CompilerConfig) (*Result, diag.Diagnostics) {
	// Ensembles first: what their controller creates is validated and resolved like the rest.
	in, diags := expandEnsembles(in)
	for _, p := range in.Packs {
		diags = append(diags, validatePack(p)...)
	}
	for _, i := range in.Instances {
		diags = append(diags, validateInstance(i)...)
		for _, check := range agentChecks {
			diags = append(diags, check(&cfg.Spec, i)...)
		}
	}
	for _, r := range in.Runs {
		diags = append(diags, validateRun(r)...)
	}
	for _, sc := range in.Schedules {
		diags = append(diags, validateSchedule(sc)...)
	}
	diags = append(diags, validatePolicies(in)...)
	if diags.HasErrors() {
		diags.Sort()
		return nil, diags
	}
	spec := &cfg.Spec
	pods, instToggles, d := resolve(spec, in)
	diags = append(diags, d...)
	if diags.HasErrors() {
		diags.Sort()
		return nil, diags
	}
	if d := objectCeiling(spec.Limits.MaxObjects, pods, instToggles); d != nil {
		return nil, d
	}
	configMaps := map[nsName]bool{} // built once, whether for a run or a stand-in
	objs, from, d := buildObjects(cfg, pods, instToggles, configMaps)
	diags = append(diags, d...)
	instObjs, instFrom, d := buildInstanceObjects(cfg, in.Instances)
	diags = append(diags, d...)
	objs = append(objs, instObjs...)
	maps.Copy(from, instFrom)
	seeds, seedFrom := ensembleMemorySeeds(spec, in.Instances, &recorder{})
	for i, o := range seeds {
		objs, from[o] = append(objs, o), seedFrom[i]
		diags = append(diags, checkEmitted(&cursor{}, o, spec.Target, seedFrom[i])...)
	}
	objs, d = buildAgentObjects(cfg, in, objs, from)
	diags = append(diags, d...)
	standInPods := standIns(spec, in, pods, instToggles)
	standInObjs, standInFrom, d := buildObjects(cfg, standInPods, nil, configMaps)
	diags = append(diags, d...)
	maps.Copy(from, standInFrom)
	budgets, d := budgets(spec.SkillBudgetTokens, instToggles, in)
	diags = append(diags, d...)
	if diags.HasErrors() {
		diags.Sort()
		return nil, diags
	}
	sortObjects(objs)
	sortObjects(standInObjs)
	if d := duplicateObjects(objs, pods); d != nil {
		d.Sort()
		return nil, d
	}
	linkPostRunJobs(objs)
	applyTarget(spec.Target, objs)
	diags.Sort()
	return &Result{Objects: objs, Config: cfg, Pods: pods, Budgets: budgets, StandIns: standInObjs, StandInPods: standInPods, Inputs: in, origins: from}, diags
}

// buildObjects renders every object: ConfigMaps per namespace and pack, identities, Jobs and RBAC,
// with where each came from. Each is checked as the API server would check it (checkEmitted) as
// soon as it is built.
func buildObjects(cfg *api.CompilerConfig, pods []Pod, instToggles map[nsName][]Toggle, configMaps map[nsName]bool) ([]Object, map[Object]*origins, diag.Diagnostics) {
	spec := &cfg.Spec
	var images *diag.Source // the config's file, when it has one: where the pod's images are set
	if cfg.Src.File != "" {
		images = &cfg.Src
	}
	var objs []Object
	recorded := make(map[Object]*origins, objectCount(pods, instToggles))
	rr := &recorder{}
	var diags diag.Diagnostics
	emit := func(o Object, from *origins) {
		objs = append(objs, o)
		recorded[o] = from
	}
	ck := &cursor{memo: map[memoKey][]string{}} // one memo for the whole compile: see cursor.check
	addConfigMaps := func(ns string, ts []Toggle) {
		for _, t := range ts {
			k := nsName{ns, t.Pack.Metadata.Name}
			if configMaps[k] {
				continue
			}
			configMaps[k] = true
			cm, from, d := buildConfigMap(ns, t.Pack, rr)
			diags = append(diags, d...)
			if cm != nil {
				emit(cm, from)
				diags = append(diags, checkEmitted(ck, cm, spec.Target, from)...)
			}
		}
	}
	for k, ts := range instToggles {
		addConfigMaps(k.ns, ts)
	}
	sharedSA := map[string]bool{}
	for i := range pods {
		pod := &pods[i]
		addConfigMaps(pod.Namespace, pod.Toggles)
		if spec.Identity == api.IdentityPerRun {
			sa := buildServiceAccount(ServiceAccountName(spec.Identity, pod.Name), pod.Namespace,
				labels(runLabelKey(pod), pod.Name, LabelInstance, pod.Instance.Metadata.Name))
			from := rr.begin(pod, "")
			from.set("", &pod.Src, "metadata.name")
			from.set("metadata.labels", &pod.Instance.Src, "metadata.name")
			emit(sa, from.done())
			diags = append(diags, checkEmitted(ck, sa, spec.Target, from)...)
			diags = append(diags, checkLength(pod.Src, "metadata.name", "ServiceAccount name", ServiceAccountName(spec.Identity, pod.Name), maxObjectName)...)
		} else if !sharedSA[pod.Namespace] {
			sharedSA[pod.Namespace] = true
			emit(buildServiceAccount(SharedServiceAccount, pod.Namespace, labels()), rr.begin(nil, "").done()) // a platform default: no source
		}
		if pod.Server() {
			built, froms, d := buildServer(spec, pod, rr)
			diags = append(diags, d...)
			for i, o := range built {
				emit(o, froms[i])
				diags = append(diags, checkEmitted(ck, o, spec.Target, froms[i])...)
			}
		} else if agentSandbox(pod) != nil {
			// upstream reconcilePending: a sandbox-backed run forks before the Job is built.
			sb, from, d := buildAgentSandbox(spec, pod, images, rr)
			diags = append(diags, d...)
			if sb != nil {
				emit(sb, from)
				diags = append(diags, checkEmitted(ck, sb, spec.Target, from)...)
			}
		} else if pod.Scheduled() {
			cj, from, d := buildCronJob(spec, pod, images, rr)
			diags = append(diags, d...)
			if cj != nil {
				emit(cj, from)
				diags = append(diags, checkEmitted(ck, cj, spec.Target, from)...)
			}
		} else {
			job, from, d := buildJob(spec, pod, images, rr)
			diags = append(diags, d...)
			if job != nil {
				emit(job, from)
				diags = append(diags, checkEmitted(ck, job, spec.Target, from)...)
			}
		}
		for ti := range pod.Toggles {
			t := &pod.Toggles[ti]
			if !pod.Server() && serverOnly(t) {
				continue // a task pod runs no server sidecar, and gets none of its RBAC
			}
			rbac, d := buildRBAC(spec.Identity, pod, *t)
			diags = append(diags, d...)
			for _, o := range rbac {
				from := rbacOrigins(pod, t, o, rr)
				emit(o, from)
				diags = append(diags, checkEmitted(ck, o, spec.Target, from)...)
			}
		}
		for _, build := range podObjectBuilders {
			built, froms, d := build(spec, pod, images, rr)
			diags = append(diags, d...)
			for i, o := range built {
				emit(o, froms[i])
				diags = append(diags, checkEmitted(ck, o, spec.Target, froms[i])...)
			}
		}
		// objectCeiling counted a lower bound before building; this is the exact count.
		if max := spec.Limits.MaxObjects; max > 0 && len(objs) > max {
			diags = append(diags, ceilingDiag(max, len(objs), pod))
			break
		}
	}
	if len(objs) == 0 && len(pods) == 0 && len(instToggles) == 0 && instToggles != nil {
		diags = append(diags, diag.Diagnostic{Severity: diag.SeverityInfo, Message: "no instances or runs in the inputs: nothing to compile"})
	}
	return objs, recorded, diags
}

// buildAgentObjects adds to objs what agentObjectBuilders build, recording their origins in
// from, each checked as the API server would check it.
func buildAgentObjects(cfg *api.CompilerConfig, in *api.Inputs, objs []Object, from map[Object]*origins) ([]Object, diag.Diagnostics) {
	spec := &cfg.Spec
	var images *diag.Source
	if cfg.Src.File != "" {
		images = &cfg.Src
	}
	rr := &recorder{}
	ck := &cursor{memo: map[memoKey][]string{}}
	var diags diag.Diagnostics
	accounts := map[nsName]bool{}
	for _, o := range objs {
		if kindOf(o) == "ServiceAccount" {
			accounts[nsName{o.GetNamespace(), o.GetName()}] = true
		}
	}
	for _, build := range agentObjectBuilders {
		built, froms, d := build(spec, in, images, rr)
		diags = append(diags, d...)
		for i, o := range built {
			if k := (nsName{o.GetNamespace(), o.GetName()}); kindOf(o) == "ServiceAccount" {
				if accounts[k] {
					continue // a platform default some run's pod already has there
				}
				accounts[k] = true
			}
			objs = append(objs, o)
			from[o] = froms[i]
			diags = append(diags, checkEmitted(ck, o, spec.Target, froms[i])...)
		}
	}
	return objs, diags
}

// objectCount is about how many objects buildObjects emits (at most one ConfigMap per toggle), to
// size its records' index once.
func objectCount(pods []Pod, instToggles map[nsName][]Toggle) int {
	n := 0
	for _, ts := range instToggles {
		n += len(ts)
	}
	for i := range pods {
		n += 2
		for _, t := range pods[i].Toggles {
			if sc := t.Pack.Spec.Sidecar; sc != nil {
				n += 2*min(len(sc.RBAC), 1) + 2*min(len(sc.ClusterRBAC), 1)
			}
		}
	}
	return n
}

// duplicateObjects refuses two emitted objects with one identity. It happens when runs of the same
// name live in two namespaces: their cluster-scoped RBAC names (sympozium-skill-<pack>-<run>)
// collide, and applying both would let one run's grants overwrite the other's.
func duplicateObjects(objs []Object, pods []Pod) diag.Diagnostics {
	var diags diag.Diagnostics
	for i := 1; i < len(objs); i++ {
		a, b := objs[i-1], objs[i]
		if kindOf(a) != kindOf(b) || a.GetNamespace() != b.GetNamespace() || a.GetName() != b.GetName() {
			continue
		}
		run := a.GetLabels()[LabelAgentRun] + a.GetLabels()[LabelSchedule]
		var where []string
		for _, p := range pods {
			if p.Name == run {
				where = append(where, fmt.Sprintf("%s:%d (%s/%s)", p.Src.File, p.Src.Line, p.Namespace, p.Name))
			}
		}
		d := diag.Diagnostic{Severity: diag.SeverityError, Message: fmt.Sprintf("two %s objects named %q would be emitted; runs with the same name in different namespaces share cluster-scoped RBAC names: rename one of %s",
			kindOf(a), a.GetName(), strings.Join(where, ", "))}
		if len(pods) > 0 {
			for _, p := range pods {
				if p.Name == run {
					d.File, d.Line, d.Field = p.Src.File, p.Src.LineOf("metadata.name"), "metadata.name"
					break
				}
			}
		}
		diags = append(diags, d)
	}
	return diags
}
