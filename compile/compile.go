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
	unit    int                 // the plan's unit this is (Plan.Unit)
	counts  []int               // objects per pod of the unit
}

// Compile loads files and compiles them. It returns every diagnostic, sorted: with an input error
// among them (diags.HasErrors) the Result is nil; otherwise they are warnings and notes.
func Compile(files []source.File, opts Options) (*Result, diag.Diagnostics) {
	return loaded(files, opts, Build)
}

// PrepareFiles is Compile up to the plan (Prepare): the files loaded, the config made effective,
// the inputs validated and resolved.
func PrepareFiles(files []source.File, opts Options) (*Plan, diag.Diagnostics) {
	return loaded(files, opts, Prepare)
}

// loaded loads files, makes the config effective and hands both to next; the diagnostics of all
// three come back sorted.
func loaded[T any](files []source.File, opts Options, next func(*api.Inputs, *api.CompilerConfig) (*T, diag.Diagnostics)) (*T, diag.Diagnostics) {
	in, diags := source.Load(files)
	cfg, d := effectiveConfig(in, opts)
	diags = append(diags, d...)
	if diags.HasErrors() {
		diags.Sort()
		return nil, diags
	}
	v, d := next(in, cfg)
	diags = append(diags, d...)
	diags.Sort()
	return v, diags
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

// Build compiles decoded inputs with an effective (defaulted, validated) config: Prepare, then
// every unit of the plan. Like Compile, it returns a nil Result exactly when the diagnostics hold
// an input error.
func Build(in *api.Inputs, cfg *api.CompilerConfig) (*Result, diag.Diagnostics) {
	p, diags := Prepare(in, cfg)
	if p == nil {
		return nil, diags
	}
	res := *p.Base
	res.origins = map[Object]*origins{}
	for i := range p.Units() {
		u, d := p.Unit(i)
		diags = append(diags, d...)
		if d := p.Accept(u); d != nil {
			return nil, d
		}
		res.Objects = append(res.Objects, u.Objects...)
		res.StandIns = append(res.StandIns, u.StandIns...)
		maps.Copy(res.origins, u.origins)
	}
	if diags.HasErrors() {
		diags.Sort()
		return nil, diags
	}
	sortObjects(res.Objects)
	sortObjects(res.StandIns)
	if d := DuplicateObjects(res.Objects, res.Pods); d != nil {
		d.Sort()
		return nil, d
	}
	diags.Sort()
	return &res, diags
}

// unitBuilder builds a unit's objects, with where each came from. Each is checked as the API
// server would check it (checkEmitted) as soon as it is built.
type unitBuilder struct {
	spec   *api.ConfigSpec
	images *diag.Source // the config's file, when it has one: where the pod's images are set
	rr     *recorder
	ck     *cursor // one memo for the unit: see cursor.check
	objs   []Object
	from   map[Object]*origins
	diags  diag.Diagnostics
	counts []int // objects per pod
}

func (b *unitBuilder) emit(o Object, from *origins, check bool) {
	b.objs = append(b.objs, o)
	b.from[o] = from
	if check {
		b.diags = append(b.diags, checkEmitted(b.ck, o, b.spec.Target, from)...)
	}
}

// pod builds what a run (or schedule, or stand-in) needs: its identity, its workload, its RBAC and
// the rest of podObjectBuilders. It returns how many objects it emitted.
func (b *unitBuilder) pod(pod *Pod) int {
	spec, rr := b.spec, b.rr
	n := len(b.objs)
	if spec.Identity == api.IdentityPerRun {
		sa := buildServiceAccount(ServiceAccountName(spec.Identity, pod.Name), pod.Namespace,
			labels(runLabelKey(pod), pod.Name, LabelInstance, pod.Instance.Metadata.Name))
		from := rr.begin(pod, "")
		from.set("", &pod.Src, "metadata.name")
		from.set("metadata.labels", &pod.Instance.Src, "metadata.name")
		b.emit(sa, from.done(), true)
		b.diags = append(b.diags, checkLength(pod.Src, "metadata.name", "ServiceAccount name", ServiceAccountName(spec.Identity, pod.Name), maxObjectName)...)
	}
	var built []Object
	var froms []*origins
	var d diag.Diagnostics
	switch {
	case pod.Server():
		built, froms, d = buildServer(spec, pod, rr)
	case agentSandbox(pod) != nil:
		// upstream reconcilePending: a sandbox-backed run forks before the Job is built.
		sb, from, dd := buildAgentSandbox(spec, pod, b.images, rr)
		if sb != nil {
			built, froms = []Object{sb}, []*origins{from}
		}
		d = dd
	case pod.Scheduled():
		cj, from, dd := buildCronJob(spec, pod, b.images, rr)
		if cj != nil {
			built, froms = []Object{cj}, []*origins{from}
		}
		d = dd
	default:
		job, from, dd := buildJob(spec, pod, b.images, rr)
		if job != nil {
			built, froms = []Object{job}, []*origins{from}
		}
		d = dd
	}
	b.diags = append(b.diags, d...)
	for i, o := range built {
		b.emit(o, froms[i], true)
	}
	for ti := range pod.Toggles {
		t := &pod.Toggles[ti]
		if !pod.Server() && serverOnly(t) {
			continue // a task pod runs no server sidecar, and gets none of its RBAC
		}
		rbac, d := buildRBAC(spec.Identity, pod, *t)
		b.diags = append(b.diags, d...)
		for _, o := range rbac {
			b.emit(o, rbacOrigins(pod, t, o, rr), true)
		}
	}
	for _, build := range podObjectBuilders {
		built, froms, d := build(spec, pod, b.images, rr)
		b.diags = append(b.diags, d...)
		for i, o := range built {
			b.emit(o, froms[i], true)
		}
	}
	return len(b.objs) - n
}

// buildAgentObjects adds to objs what agentObjectBuilders build, recording their origins in
// from, each checked as the API server would check it. accounts are the ServiceAccounts the runs'
// pods already have (a platform default is emitted once per namespace).
func buildAgentObjects(cfg *api.CompilerConfig, in *api.Inputs, objs []Object, from map[Object]*origins, accounts map[nsName]bool, diags diag.Diagnostics) ([]Object, diag.Diagnostics) {
	spec := &cfg.Spec
	var images *diag.Source
	if cfg.Src.File != "" {
		images = &cfg.Src
	}
	rr := &recorder{}
	ck := &cursor{memo: map[memoKey][]string{}}
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

// DuplicateObjects refuses two emitted objects (sorted, in output order) with one identity. It happens when runs of the same
// name live in two namespaces: their cluster-scoped RBAC names (sympozium-skill-<pack>-<run>)
// collide, and applying both would let one run's grants overwrite the other's.
func DuplicateObjects(objs []Object, pods []Pod) diag.Diagnostics {
	var diags diag.Diagnostics
	for i := 1; i < len(objs); i++ {
		a, b := objs[i-1], objs[i]
		if kindOf(a) != kindOf(b) || a.GetNamespace() != b.GetNamespace() || a.GetName() != b.GetName() {
			continue
		}
		diags = append(diags, DuplicateObject(kindOf(a), a.GetName(), a.GetLabels()[LabelAgentRun]+a.GetLabels()[LabelSchedule], pods))
	}
	return diags
}

// DuplicateObject is the refusal of two objects of kind named name, of the run (or schedule) run.
func DuplicateObject(kind, name, run string, pods []Pod) diag.Diagnostic {
	var where []string
	for _, p := range pods {
		if p.Name == run {
			where = append(where, fmt.Sprintf("%s:%d (%s/%s)", p.Src.File, p.Src.Line, p.Namespace, p.Name))
		}
	}
	d := diag.Diagnostic{Severity: diag.SeverityError, Message: fmt.Sprintf("two %s objects named %q would be emitted; runs with the same name in different namespaces share cluster-scoped RBAC names: rename one of %s",
		kind, name, strings.Join(where, ", "))}
	for _, p := range pods {
		if p.Name == run {
			d.File, d.Line, d.Field = p.Src.File, p.Src.LineOf("metadata.name"), "metadata.name"
			break
		}
	}
	return d
}
