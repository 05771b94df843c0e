package compile

import (
	"cmp"
	"maps"
	"slices"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
)

// Plan is a compile validated and resolved but not yet built. Its units build the objects a few
// runs at a time (Unit), so that a caller can gate, serialize and let go of each unit before the
// next: memory then holds a unit, not the whole render (docs/performance.md). Build is every unit
// at once. Units are independent of each other: they may be built in any order, concurrently.
type Plan struct {
	// Base is what the gate judges besides the objects: the config, every pod and stand-in, the
	// budgets and the inputs. It has no objects.
	Base  *Result
	units []unit
	// the exact object ceiling, counted in Build's order as the units are accepted (Accept)
	max        int
	count      [2]int // objects so far: real, stand-in
	extra      [][]int
	nextAccept int
	crossed    bool
}

// unit is one part of the build: a chunk of pods (a run's workload, identity and RBAC), a chunk of
// the namespaces' pack ConfigMaps, or what serves a namespace or an Agent rather than a run.
type unit struct {
	standIn    bool
	pods       []Pod // a chunk of the plan's pods or stand-ins (shared, never copied)
	podStart   int   // pods[0]'s index among them
	configMaps []packConfigMap
	global     bool
	sharedSAs  []string // namespaces whose shared ServiceAccount this unit emits
	accounts   map[nsName]bool
}

type packConfigMap struct {
	ns   string
	pack *api.SkillPack
}

// Chunk sizes: big enough that a unit's fixed costs (a locator, a shape lookup) are small, small
// enough that a few units in flight stay a few MiB.
const (
	podsPerUnit       = 32
	configMapsPerUnit = 128
)

// Prepare validates and resolves decoded inputs with an effective config, and plans the build. Like
// Build, it returns a nil Plan exactly when the diagnostics hold an input error.
func Prepare(in *api.Inputs, cfg *api.CompilerConfig) (*Plan, diag.Diagnostics) {
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
	standInPods := standIns(spec, in, pods, instToggles)
	budgets, d := budgets(spec.SkillBudgetTokens, instToggles, in)
	diags = append(diags, d...)
	if diags.HasErrors() {
		diags.Sort()
		return nil, diags
	}
	if len(pods) == 0 && len(instToggles) == 0 && instToggles != nil {
		diags = append(diags, diag.Diagnostic{Severity: diag.SeverityInfo, Message: "no instances or runs in the inputs: nothing to compile"})
	}
	p := &Plan{
		Base: &Result{Config: cfg, Pods: pods, Budgets: budgets, StandInPods: standInPods, Inputs: in},
		max:  spec.Limits.MaxObjects,
	}
	// Each namespace's pack ConfigMaps are built once, whether for a run or a stand-in, from the
	// first toggle that names the pack there: the instances' (in namespace and name order), then
	// the runs' in order. Each SharedServiceAccount is emitted with its namespace's first pod.
	seen := map[nsName]bool{}
	newConfigMaps := func(ns string, ts []Toggle, into *[]packConfigMap) int {
		n := 0
		for _, t := range ts {
			if k := (nsName{ns, t.Pack.Metadata.Name}); !seen[k] {
				seen[k] = true
				*into = append(*into, packConfigMap{ns, t.Pack})
				n++
			}
		}
		return n
	}
	var realCMs []packConfigMap
	for _, k := range slices.SortedFunc(maps.Keys(instToggles), func(a, b nsName) int {
		return cmp.Or(cmp.Compare(a.ns, b.ns), cmp.Compare(a.name, b.name))
	}) {
		p.count[0] += newConfigMaps(k.ns, instToggles[k], &realCMs)
	}
	accounts := map[nsName]bool{}
	plan := func(pods []Pod, standIn bool, cms *[]packConfigMap) ([]int, []string) {
		extra := make([]int, len(pods))
		shared := map[string]bool{}
		var sharedOrder []string
		for i := range pods {
			pod := &pods[i]
			extra[i] = newConfigMaps(pod.Namespace, pod.Toggles, cms)
			if spec.Identity == api.IdentityPerRun {
				if !standIn {
					accounts[nsName{pod.Namespace, ServiceAccountName(spec.Identity, pod.Name)}] = true
				}
			} else if !shared[pod.Namespace] {
				shared[pod.Namespace] = true
				sharedOrder = append(sharedOrder, pod.Namespace)
				extra[i]++
				if !standIn {
					accounts[nsName{pod.Namespace, SharedServiceAccount}] = true
				}
			}
		}
		return extra, sharedOrder
	}
	realExtra, realShared := plan(pods, false, &realCMs)
	var standInCMs []packConfigMap
	standInExtra, standInShared := plan(standInPods, true, &standInCMs)
	p.extra = [][]int{realExtra, standInExtra}
	add := func(standIn bool, cms []packConfigMap, pods []Pod, shared []string, global bool) {
		for lo := 0; lo < len(cms); lo += configMapsPerUnit {
			p.units = append(p.units, unit{standIn: standIn, configMaps: cms[lo:min(lo+configMapsPerUnit, len(cms))]})
		}
		for lo := 0; lo < len(pods); lo += podsPerUnit {
			hi := min(lo+podsPerUnit, len(pods))
			p.units = append(p.units, unit{standIn: standIn, pods: pods[lo:hi:hi], podStart: lo})
		}
		p.units = append(p.units, unit{standIn: standIn, sharedSAs: shared, global: global, accounts: accounts})
	}
	add(false, realCMs, pods, realShared, true)
	add(true, standInCMs, standInPods, standInShared, false)
	return p, diags
}

// Units is the number of units.
func (p *Plan) Units() int { return len(p.units) }

// Unit builds unit i: a Result whose Objects (or StandIns, for a unit of stand-ins) are the unit's
// objects in output order, whose Pods (or StandInPods) are the pods they were built for, with
// their origins. Each object is checked as the API server would check it. Safe to call
// concurrently for different units.
func (p *Plan) Unit(i int) (*Result, diag.Diagnostics) {
	u := &p.units[i]
	cfg := p.Base.Config
	spec := &cfg.Spec
	var images *diag.Source // the config's file, when it has one: where the pod's images are set
	if cfg.Src.File != "" {
		images = &cfg.Src
	}
	// Sized for the unit's objects (a pod's are its identity, its workload and a pack's RBAC):
	// the map and the slice then grow once or never.
	n := len(u.configMaps) + len(u.sharedSAs)
	for j := range u.pods {
		n += 2 + 4*len(u.pods[j].Toggles)
	}
	b := &unitBuilder{spec: spec, images: images, rr: newRecorder(n), ck: &cursor{memo: map[memoKey][]string{}},
		objs: make([]Object, 0, n), from: make(map[Object]*origins, n)}
	for _, k := range u.configMaps {
		cm, from, d := buildConfigMap(k.ns, k.pack, b.rr)
		b.diags = append(b.diags, d...)
		if cm != nil {
			b.emit(cm, from, true)
		}
	}
	for _, ns := range u.sharedSAs {
		b.emit(buildServiceAccount(SharedServiceAccount, ns, labels()), b.rr.begin(nil, "").done(), false) // a platform default: no source
	}
	for j := range u.pods {
		b.counts = append(b.counts, b.pod(&u.pods[j]))
	}
	if u.global {
		objs, from, d := buildInstanceObjects(cfg, p.Base.Inputs.Instances)
		b.diags = append(b.diags, d...)
		b.objs = append(b.objs, objs...)
		maps.Copy(b.from, from)
		seeds, seedFrom := ensembleMemorySeeds(spec, p.Base.Inputs.Instances, b.rr)
		for i, o := range seeds {
			b.emit(o, seedFrom[i], true)
		}
		b.objs, b.diags = buildAgentObjects(cfg, p.Base.Inputs, b.objs, b.from, maps.Clone(u.accounts), b.diags)
	}
	sortObjects(b.objs)
	linkPostRunJobs(b.objs)
	applyTarget(spec.Target, b.objs)
	res := &Result{Config: cfg, Budgets: p.Base.Budgets, Inputs: p.Base.Inputs, origins: b.from, unit: i, counts: b.counts}
	if u.standIn {
		res.StandIns, res.StandInPods = b.objs, u.pods
	} else {
		res.Objects, res.Pods = b.objs, u.pods
	}
	return res, b.diags
}

// Accept counts a built unit's objects towards spec.limits.maxObjects, in Build's order: call it
// for every unit, in order, until it returns an error. The refusal names the run whose objects
// crossed the ceiling (objectCeiling refused what a lower bound could, before anything was built).
func (p *Plan) Accept(res *Result) diag.Diagnostics {
	if res.unit != p.nextAccept {
		panic("compile: Plan.Accept out of order")
	}
	p.nextAccept++
	u := &p.units[res.unit]
	k := 0
	if u.standIn {
		k = 1
	}
	if p.max <= 0 || p.crossed || len(u.pods) == 0 {
		return nil
	}
	for j := range u.pods {
		p.count[k] += res.counts[j] + p.extra[k][u.podStart+j]
		if p.count[k] > p.max {
			p.crossed = true
			return diag.Diagnostics{ceilingDiag(p.max, p.count[k], &u.pods[j])}
		}
	}
	return nil
}
