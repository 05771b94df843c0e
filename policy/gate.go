package policy

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"golang.org/x/sync/errgroup"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
)

// Gate judges a compile's objects with the policy library and the platform's allow-lists and
// exceptions, which live only in the CompilerConfig: a SkillPack cannot exempt itself.
type Gate struct {
	engine *Engine
	cfg    *api.CompilerConfig
	today  string
	// dirs and passEngine: the --policy folders, and the engine pass-through objects are judged
	// with (built on first use: the same policies, without allow-lists).
	dirs       []Folder
	passEngine *Engine
	// builtinOnly: only the built-in library is loaded. Its verdicts never depend on a run's,
	// instance's or tenant namespace's name, and only its secret rules read the agent's TASK, so
	// objects that differ only in those names share one evaluation and tasks are judged in one
	// batch. A user's policy may judge anything ("no agents in prod", a deny on task text): with
	// --policy every object is evaluated whole, on its own.
	builtinOnly bool
}

// NewGate prepares the policies once for every evaluation of this compile.
func NewGate(ctx context.Context, cfg *api.CompilerConfig, policyDirs []Folder, today time.Time) (*Gate, error) {
	ds, err := CheckRules(cfg)
	if err != nil {
		return nil, err
	}
	if ds != nil {
		return nil, ds
	}
	day := today.UTC().Format(time.DateOnly)
	eng, err := NewFolders(ctx, Params(&cfg.Spec, day), policyDirs...)
	if err != nil {
		return nil, err
	}
	return &Gate{engine: eng, cfg: cfg, today: day, dirs: policyDirs, builtinOnly: len(policyDirs) == 0}, nil
}

// Params are the rules' data.skillc.parameters in skillc's gate: the config's policy section,
// profile and date, and the catalog namespace (a bare allow-list entry names a pack of it).
func Params(spec *api.ConfigSpec, today string) map[string]any {
	p := policyParams(spec)
	p["today"] = today
	// The gate decides declared host access from compile's origin records (hostAccessFindings):
	// the library's name-based check is for renders judged without them (conftest).
	p["hostAccessFromOrigins"] = true
	return p
}

// ConftestParams are data.skillc.parameters for conftest on a render (skillc params): the same
// settings, with the exceptions applied by the library itself (a waived finding is a warning that
// names its exception), the clock's date, and host access judged from the render alone.
func ConftestParams(spec *api.ConfigSpec) map[string]any {
	p := policyParams(spec)
	p["applyExceptions"] = true
	return p
}

// policyParams is what Params and ConftestParams share: the config's policy section and the
// catalog namespace.
func policyParams(spec *api.ConfigSpec) map[string]any {
	raw, _ := json.Marshal(spec.Policy) // plain structs: cannot fail
	var p map[string]any
	_ = json.Unmarshal(raw, &p)
	for k, v := range p {
		if v == nil {
			delete(p, k) // absent, so the rules' defaults apply
		}
	}
	// Allow-lists and exceptions name packs as namespace/name; a bare name is the catalog's.
	if spec.CatalogNamespace != "" {
		p["catalogNamespace"] = spec.CatalogNamespace
	}
	// Paths are the config's --policy folders: nothing for the rules to read.
	delete(p, "paths")
	return p
}

// Check evaluates every object (and the config itself) and returns the located findings: a
// stream of one unit, the whole compile.
func (g *Gate) Check(ctx context.Context, res *compile.Result) (*Report, error) {
	s, err := g.Begin(ctx, res)
	if err != nil {
		return nil, err
	}
	if err := s.Add(res); err != nil {
		return nil, s.Close(err)
	}
	return s.Report()
}

// Stream judges a compile a unit at a time (compile.Plan): Begin with the plan's base, Add each
// unit in the plan's order, then Report, which is the same report as Check's on the whole
// compile. A unit's objects are not kept: only their findings, each located as it is judged.
type Stream struct {
	g      *Gate
	ctx    context.Context
	end    func(error) error // ends the policy budget
	base   *compile.Result
	loc    *locator
	levels *podSecurityLevels
	groups map[string]*group // findings so far, grouped by cause (see group)
	seq    int               // findings so far
	shapes map[[sha256.Size]byte]shapeVerdict
	known  sync.Map // the keys of shapes, for Known: read by the goroutines that build units
	claims sync.Map // shape key → *claim: evaluations begun where units are built (Prejudge)
	tasks  *taskBatch
	lp     chan []located // the least-privilege findings, made from the sources while units come
	stats  Stats
	units  int
	ended  bool
}

// Close ends a stream that will not be reported (a unit failed): it stops the policy budget and
// returns err, or the policy folders' input errors when the budget caused it.
func (s *Stream) Close(err error) error {
	if s.ended || s.end == nil { // ended, or never begun
		return err
	}
	s.ended = true
	return s.end(err)
}

// shapeVerdict is the verdict of a shape's first object, and whether it may serve the others.
type shapeVerdict struct {
	findings []Finding
	// free: nothing in it names what the shape blanked (a message quoting the run's name, a pack
	// named after it); otherwise each object of the shape is judged on its own.
	free bool
}

// position is a finding's place in the report's order: Check's order on the whole compile (phase,
// then the object's place in output order, then the order it was found in), so that a group of
// same-cause findings is named after the same object however the units came.
type position struct {
	phase int
	key   compile.Key
	unit  int
	seq   int
}

func (p position) compare(q position) int {
	c := cmp.Compare(p.phase, q.phase)
	if c != 0 {
		return c
	}
	switch p.phase {
	case phaseSympoziumPolicies:
		c = cmp.Compare(p.unit, q.unit) // pods in the plan's order
	case phaseObjects, phaseStandIns, phasePodSecurity, phasePodSecurityStandIns:
		c = p.key.Compare(q.key)
	}
	return cmp.Or(c, cmp.Compare(p.seq, q.seq))
}

// group is one cause in many objects (a pack's Role in every run): one finding, named after its
// first object, with the number of objects.
type group struct {
	d       diag.Diagnostic
	exc     *api.PolicyException
	objects map[string]bool
	at      position
}

// The phases of a report, in order.
const (
	phaseConfig = iota
	phaseObjects
	phaseStandIns
	phaseTenants
	phaseSympoziumPolicies
	phaseLeastPrivilege
	phasePodSecurity
	phasePodSecurityStandIns
	phaseTasks
)

// Begin starts judging a compile whose pods, stand-ins, config and inputs are base's (its objects,
// if any, are not judged: Add them). It judges the config itself.
func (g *Gate) Begin(ctx context.Context, base *compile.Result) (*Stream, error) {
	ctx, end := g.withBudget(ctx)
	s := &Stream{g: g, ctx: ctx, end: end, base: base, loc: newLocator(base), levels: newPodSecurityLevels(base),
		groups: map[string]*group{}, shapes: map[[sha256.Size]byte]shapeVerdict{}, tasks: newTaskBatch()}
	cfgFindings, err := g.engine.Eval(ctx, configInput(g.cfg))
	if err != nil {
		return nil, end(err)
	}
	// They depend on the packs alone: judged beside the units, not after the last one, when
	// nothing else would run beside them.
	s.lp = make(chan []located, 1)
	go func() { s.lp <- leastPrivilegeFindings(base, g.cfg.Spec.Policy.Profile) }()
	s.stats.Evaluations++
	for _, f := range cfgFindings {
		s.keep(s.loc, located{f: f, pos: s.loc.config(f.Field)}, phaseConfig, nil, 0)
	}
	return s, nil
}

// keep adds a finding to the report: exceptions applied, grouped with the findings of the same
// cause (the object itself is not kept).
func (s *Stream) keep(loc *locator, l located, phase int, o compile.Object, unit int) {
	if l.o == nil {
		l.o = o
	}
	at := position{phase: phase, unit: unit, seq: s.seq}
	s.seq++
	if l.o != nil {
		at.key = compile.KeyOf(l.o)
		if l.t == nil && l.f.Waivable && l.f.Pack != "" {
			l.t = loc.packToggle(l.o, l.f.Pack)
		}
		l.o = nil
	}
	s.g.group(s.groups, l, at)
}

// Keyer computes the shape keys of a unit's objects (Objects, then StandIns) for AddKeyed where
// the unit is built, off the stream's ordered path: one per goroutine.
type Keyer struct {
	g       *Gate
	k       keyer
	enc     inputEncoder // Prejudge's
	names   [4]string    // Unblank's: run, instance, namespace and the TASK of the last KeyBlanked
	unblank func(string) string
	task    []byte // KeyBlanked's scratch
}

// claim is one object's evaluation begun by Prejudge: res.Objects[i]'s, for its shape.
type claim struct {
	res      *compile.Result
	i        int
	done     chan struct{} // closed when findings and err are set
	findings []Finding
	err      error
}

// Prejudge evaluates, on the goroutine that built the unit res, each of its objects whose shape the
// stream has neither judged nor seen begun (keys are AddKeyed's, raws its JSON where kept). AddKeyed
// then finds the verdict ready instead of evaluating on the ordered path, where one new shape in a
// unit kept one core busy and the other waiting. It uses a claim only for the object it would
// evaluate itself, its shape's first in the plan's order, so the report does not depend on which
// goroutine came first; a claim that loses that race is an evaluation spent in vain.
func (k *Keyer) Prejudge(s *Stream, res *compile.Result, keys [][sha256.Size]byte, raws [][]byte) {
	if !k.g.builtinOnly || s.g == nil { // s.g: a stream not begun (inputs failed) judges nothing
		return
	}
	for i, o := range res.Objects {
		if s.Known(keys[i]) {
			continue
		}
		c := &claim{res: res, i: i, done: make(chan struct{})}
		if _, begun := s.claims.LoadOrStore(keys[i], c); begun {
			continue
		}
		if s.Known(keys[i]) { // judged since: AddKeyed will not look for this claim
			s.claims.CompareAndDelete(keys[i], c)
			close(c.done)
			continue
		}
		var raw []byte
		if raws != nil {
			raw = raws[i]
		}
		in, err := k.enc.inputFrom(o, raw, true) // TASK blanked: judged in the task batch
		if err == nil {
			c.findings, err = k.g.engine.EvalValue(s.ctx, in)
		}
		if err != nil {
			c.err = fmt.Errorf("%s %s/%s: %w", compile.KindOf(o), o.GetNamespace(), o.GetName(), err)
		}
		close(c.done)
	}
}

// claimed is the verdict Prejudge made for objs[r], the first object of its shape in a unit res,
// if it made one for that very object.
func (s *Stream) claimed(key [sha256.Size]byte, res *compile.Result, r int) (*claim, bool) {
	v, ok := s.claims.Load(key)
	if !ok {
		return nil, false
	}
	c := v.(*claim)
	return c, c.res == res && c.i == r
}

// NewKeyer is a Keyer for g's shapes.
func (g *Gate) NewKeyer() *Keyer { return &Keyer{g: g} }

// Shaped: objects share evaluations by shape (the built-in library alone); otherwise AddKeyed
// takes no keys and judges every object whole.
func (k *Keyer) Shaped() bool { return k.g.builtinOnly }

// Key is o's shape key.
func (k *Keyer) Key(o compile.Object) ([sha256.Size]byte, error) { return k.k.shapeKey(o, true) }

// KeyJSON is o's shape key from raw, o's own encoding/json bytes and newline (as a
// json.Encoder writes them): the encoding the YAML writer made, not made twice. A workload's key
// leaves its TASK out: ok is false where raw cannot be cut to that for sure (withoutTaskJSON); Key
// it then.
func (k *Keyer) KeyJSON(o compile.Object, raw []byte) (key [sha256.Size]byte, ok bool) {
	if compile.PodSpecOf(o) != nil {
		if raw, ok = withoutTaskJSON(o, raw); !ok {
			return key, false
		}
	}
	return k.k.keyOf(o, raw, true), true
}

// KeyBlanked is KeyJSON that also returns raw with o's names, and a workload's TASK, replaced by
// tokens (emit.Template's bytes; valid until k's next use) and their SHA-256, the template's key.
// That is the bytes the shape key hashed, except for a workload, whose key leaves the TASK out.
// blanked is nil where raw holds no single TASK of the agent to replace for sure.
func (k *Keyer) KeyBlanked(o compile.Object, raw []byte) (key, tmplKey [sha256.Size]byte, blanked []byte, ok bool) {
	// Found with at == end for a kind without a TASK to blank, or a pod without a TASK value.
	task, at, end, found := agentTaskJSON(o, raw)
	if !found || !utf8.ValidString(task) { // encoding/json writes invalid UTF-8 as U+FFFD: not task
		key, ok = k.KeyJSON(o, raw)
		return key, key, nil, ok
	}
	if end == at { // no TASK value (or no pod): the bytes are the key's already
		blanked = k.k.blank(o, raw, true)
		key = sha256.Sum256(blanked)
		return key, key, blanked, true
	}
	k.task = append(append(append(k.task[:0], raw[:at]...), "\"\x00T\""...), raw[end:]...)
	k.names[3] = task
	blanked = k.k.blank(o, k.task, true)
	// The key's bytes are blanked without the value, as withoutTaskJSON cuts it: blank replaces
	// only names, which hold no '"' and so never meet the value's member, unless a name is
	// "value" itself, when the member is not found and the key is made the long way.
	cut := bytes.Index(blanked, []byte(taskValueToken))
	if cut < 0 {
		key, ok = k.KeyJSON(o, raw)
		return key, key, nil, ok
	}
	h := sha256.New()
	h.Write(blanked[:cut])
	h.Write(blanked[cut+len(taskValueToken):])
	h.Sum(key[:0])
	return key, sha256.Sum256(blanked), blanked, true
}

// taskValueToken is the agent's TASK member in KeyBlanked's bytes: a NUL is never in encoding/json's
// output, so it is found nowhere else.
const taskValueToken = ",\"value\":\"\x00T\""

// agentTaskJSON finds in raw, o's JSON, the value of its agent's TASK as a JSON string
// (raw[at:end]), where withoutTask would blank it: found is false unless there is exactly one such
// value and raw holds no other TASK value (a sidecar's with the same text). A workload without a
// task is found with at == end == 0 and no value to replace.
func agentTaskJSON(o compile.Object, raw []byte) (task string, at, end int, found bool) {
	values, blanks := agentTasks(o)
	if !blanks {
		return "", 0, 0, true
	}
	n := bytes.Count(raw, []byte(taskEnv))
	if len(values) == 0 && n == 0 {
		return "", 0, 0, true
	}
	if len(values) != 1 || n != 1 {
		return "", 0, 0, false
	}
	esc, err := json.Marshal(values[0])
	if err != nil {
		return "", 0, 0, false
	}
	i := bytes.Index(raw, append([]byte(taskEnv), esc...))
	at = i + len(taskEnv)
	end = at + len(esc)
	if i < 0 || end >= len(raw) || raw[end] != '}' && raw[end] != ',' {
		return "", 0, 0, false
	}
	return values[0], at, end, true
}

// Unblank is, for a Template made from KeyBlanked's bytes of o, the function that puts o's names
// and TASK back into a string (valid until k's next Unblank or KeyBlanked).
func (k *Keyer) Unblank(o compile.Object) func(string) string {
	run, instance, ns := blankedNames(o, true)
	k.names[0], k.names[1], k.names[2] = run, instance, ns
	if k.unblank == nil {
		k.unblank = func(s string) string { return unblank(s, &k.names) }
	}
	return k.unblank
}

// taskEnv is how encoding/json writes an EnvVar named TASK with a value, up to the value.
const taskEnv = `{"name":"TASK","value":`

// agentTasks are the values of the agent's TASK variables that withoutTask blanks (the empty ones
// aside), and whether o is of a kind it blanks.
func agentTasks(o compile.Object) (values []string, blanks bool) {
	switch o.(type) {
	case *batchv1.Job, *batchv1.CronJob, *compile.Sandbox: // the kinds withoutTask blanks
	default:
		return nil, false
	}
	for _, c := range compile.PodSpecOf(o).Containers {
		if c.Name != compile.AgentContainer {
			continue
		}
		for _, e := range c.Env {
			if e.Name == "TASK" && e.Value != "" {
				values = append(values, e.Value)
			}
		}
	}
	return values, true
}

// withoutTaskJSON is the encoding of withoutTask(o) made from raw, o's: each TASK value of the
// agent container cut out of the bytes (an empty value is omitted, as encoding/json omits it).
// That is exact only if every TASK value in raw is the agent's: ok is false if any other container
// has one (a tenant's sidecar could carry the same text), or if a value is not where expected. A
// '{' and an unescaped '"' cannot stand together inside a JSON string, so taskEnv is never text.
func withoutTaskJSON(o compile.Object, raw []byte) ([]byte, bool) {
	values, blanks := agentTasks(o)
	if !blanks {
		return raw, true
	}
	if bytes.Count(raw, []byte(taskEnv)) != len(values) {
		return nil, false
	}
	out := raw
	for _, v := range values {
		esc, err := json.Marshal(v) // escaped as the encoder of raw escaped it
		if err != nil {
			return nil, false
		}
		old := append([]byte(taskEnv), esc...)
		i := bytes.Index(out, old)
		end := i + len(old)
		if i < 0 || end >= len(out) || out[end] != '}' && out[end] != ',' {
			return nil, false
		}
		out = slices.Concat(out[:i], []byte(taskEnv[:len(taskEnv)-len(`,"value":`)]), out[end:])
	}
	return out, true
}

// Add judges a unit: its Objects and StandIns, located through its origins, and the SPOL
// bindings of its Pods. Units come in the plan's order (Report's order does not depend on it).
func (s *Stream) Add(res *compile.Result) error { return s.AddKeyed(res, nil, nil) }

// Known reports whether the stream has judged a shape of this key already: an object of it will
// not be evaluated, so its JSON need not be kept for AddKeyed. Safe for concurrent use; a shape
// judged meanwhile is only a JSON kept in vain.
func (s *Stream) Known(key [sha256.Size]byte) bool {
	_, ok := s.known.Load(key)
	return ok
}

// AddKeyed is Add with the unit's shape keys (Keyer) already computed, and, where raws has them,
// its Objects' encoding/json bytes (made for their YAML): an evaluated object is then not encoded
// again. raws may be nil, or hold nil for an object.
func (s *Stream) AddKeyed(res *compile.Result, keys [][sha256.Size]byte, raws [][]byte) error {
	g, ctx := s.g, s.ctx
	unit := s.units
	s.units++
	loc := s.loc.forUnit(res)
	// With the built-in library alone, objects of one shape (equal but for the run's, instance's
	// and tenant namespace's names) share one evaluation: the first object of each shape is
	// evaluated, in parallel, and its verdict serves the others, each message rebuilt from the
	// finding's fields for its own object. Shapes are keyed on the typed objects' JSON, so only
	// the evaluated objects are ever turned into OPA values (objectInput).
	// Stand-ins (instances no run uses yet, packs nothing uses) are judged like emitted objects and
	// never emitted: a pack catalogue's CI gates its packs too.
	objs := slices.Concat(res.Objects, res.StandIns)
	real := len(res.Objects)
	verdicts := make([][]Finding, len(objs))
	if g.builtinOnly {
		if keys == nil {
			var err error
			if keys, err = shapeKeys(objs, true, runtime.GOMAXPROCS(0)); err != nil {
				return err
			}
		}
		first := map[[sha256.Size]byte]bool{} // shapes new in this unit
		var reps []int
		isRep := make([]bool, len(objs))
		for i, o := range objs {
			s.tasks.take(o, loc, i >= real)
			if _, ok := s.shapes[keys[i]]; ok || first[keys[i]] {
				continue
			}
			first[keys[i]] = true
			reps = append(reps, i)
			isRep[i] = true
		}
		// Prejudge's claims first; what it did not begin is evaluated here, on every core.
		var rest []int
		ready := map[int]*claim{}
		for _, r := range reps {
			if c, ok := s.claimed(keys[r], res, r); ok {
				ready[r] = c
			} else {
				rest = append(rest, r)
			}
		}
		repVerdicts, errs := g.evalEachErrs(ctx, objs, rest, raws)
		var joined []error // in reps' order, as evalEach joins them
		for _, r := range reps {
			if c := ready[r]; c != nil {
				select {
				case <-c.done:
				case <-ctx.Done():
					return ctx.Err()
				}
				repVerdicts[r], errs[r] = c.findings, c.err
			}
			joined = append(joined, errs[r])
		}
		if err := errors.Join(joined...); err != nil {
			return err
		}
		for _, r := range reps {
			s.shapes[keys[r]] = shapeVerdict{findings: repVerdicts[r], free: nameFree(repVerdicts[r], objs[r])}
			s.known.Store(keys[r], true)
			s.claims.Delete(keys[r]) // a later object's claim, if any, is spent
			verdicts[r] = repVerdicts[r]
		}
		s.stats.Evaluations += len(reps)
		var alone []int
		for i, o := range objs {
			if isRep[i] {
				continue
			}
			v := s.shapes[keys[i]]
			if !v.free {
				alone = append(alone, i)
				continue
			}
			verdicts[i] = retarget(v.findings, o)
		}
		if len(alone) > 0 {
			more, err := g.evalEach(ctx, objs, alone, raws)
			if err != nil {
				return err
			}
			for _, i := range alone {
				verdicts[i] = more[i]
			}
		}
		s.stats.Evaluations += len(alone)
		s.stats.Reused += len(objs) - len(reps) - len(alone)
	} else { // every object judged whole, on its own
		all := make([]int, len(objs))
		for i := range all {
			all[i] = i
		}
		var err error
		verdicts, err = g.evalEach(ctx, objs, all, raws)
		if err != nil {
			return err
		}
		s.stats.Evaluations += len(objs)
	}
	s.stats.Objects += len(objs)
	for i, o := range objs {
		findings := verdicts[i]
		findings = append(findings, undeclaredMounts(o, loc.podOf(o))...)
		findings = append(findings, hostAccessFindings(o, loc)...)
		phase := phaseObjects
		if i >= real {
			phase = phaseStandIns
		}
		for _, f := range findings {
			if i >= real {
				f = standInFinding(f, loc.podOf(o))
			}
			s.keep(loc, located{f: f, pos: loc.object(o, f), o: o}, phase, o, unit)
		}
	}
	for _, l := range sympoziumPolicyFindings(res, loc) {
		s.keep(loc, l, phaseSympoziumPolicies, nil, unit)
	}
	for _, l := range podSecurityFindings(s.levels, loc, res.Objects, false) {
		s.keep(loc, l, phasePodSecurity, nil, unit)
	}
	for _, l := range podSecurityFindings(s.levels, loc, res.StandIns, true) {
		l.f = standInFinding(l.f, loc.podOf(l.o))
		s.keep(loc, l, phasePodSecurityStandIns, nil, unit)
	}
	return nil
}

// Report ends the stream: the compile-wide findings (tenants, least privilege, the runs' tasks)
// and every finding located, grouped and sorted.
func (s *Stream) Report() (_ *Report, err error) {
	defer func() { err = s.Close(err) }()
	g, res := s.g, s.base
	rep := &Report{Budgets: res.Budgets, Profile: string(g.cfg.Spec.Policy.Profile), Rules: g.cfg.Spec.Policy.Rules, Stats: s.stats}
	for _, l := range tenantFindings(res) {
		s.keep(s.loc, l, phaseTenants, nil, 0)
	}
	for _, l := range <-s.lp {
		s.keep(s.loc, l, phaseLeastPrivilege, nil, 0)
	}
	taskFindings, err := s.tasks.eval(s.ctx, g.engine)
	if err != nil {
		return nil, err
	}
	if s.tasks.size() > 0 {
		rep.Stats.Evaluations++
	}
	for _, tf := range taskFindings {
		s.keep(s.loc, located{f: tf.f, pos: tf.pos}, phaseTasks, nil, 0)
	}
	report(rep, s.groups)
	return rep, nil
}

// undeclaredMounts: a pack may not declare a volume under the token volume's name, and its own
// sidecar.volumeMounts may name only what the pack declared (its sidecar.volumes, secretRef and
// host mounts), its own HOME and the pod's shared scratch (workspace, ipc, tmp, skills). Mounting the run's API token, which skillc gives only to the sidecars that declared RBAC,
// or another pack's secret takes what the platform gave someone else (META-01). The Job alone does
// not say which mounts a pack declared, so the gate checks this from the sources; another pack's
// host volume is the library's META-01.
func undeclaredMounts(o compile.Object, pod *compile.Pod) []Finding {
	spec := compile.PodSpecOf(o)
	if spec == nil || pod == nil {
		return nil
	}
	prefix := compile.PodSpecPath(o)
	hostVolumes := map[string]bool{}
	for _, v := range spec.Volumes {
		if v.HostPath != nil {
			hostVolumes[v.Name] = true
		}
	}
	var out []Finding
	for _, t := range pod.Toggles {
		sc := t.Pack.Spec.Sidecar
		if sc == nil || sc.Image == "" {
			continue
		}
		// (A pack's own volume under one of skillc's names, the token's among them, is bad input:
		// compile's validation refuses it before any pod is built.)
		pack := t.Pack.Metadata.Name
		own := map[string]bool{compile.SecretVolumeName(pack): true, compile.HomeVolumeName(pack): true}
		for _, v := range compile.PodVolumes {
			own[v] = true
		}
		for _, v := range sc.Volumes {
			own[v.Name] = true
		}
		list, ci, c := containerNamed(spec, compile.ContainerName(pack))
		if c == nil {
			continue
		}
		for _, m := range sc.VolumeMounts {
			if own[m.Name] || hostVolumes[m.Name] {
				continue
			}
			j := slices.IndexFunc(c.VolumeMounts, func(x corev1.VolumeMount) bool { return x.Name == m.Name && x.MountPath == m.MountPath })
			what, fix := "a volume of skillc or of another pack", ""
			if m.Name == compile.TokenVolume {
				what, fix = "the run's service-account token, which skillc mounts only into the sidecars that declared RBAC", "; declare sidecar.rbac if the skill needs the API"
			} else if other := secretOwner(pod, m.Name); other != "" {
				what = fmt.Sprintf("the secret of SkillPack %q", other)
			}
			out = append(out, goFinding(o, "META-01", fmt.Sprintf("%s.%s[%d].volumeMounts[%d]", prefix, list, ci, j), pack,
				fmt.Sprintf("container %s mounts volume %q, %s: SkillPack %q did not declare it, and a pack mounts only its own volumes. Fix: remove it from sidecar.volumeMounts%s", c.Name, m.Name, what, pack, fix)))
		}
	}
	return out
}

// secretOwner is the pack of the pod whose secretRef volume is named name ("" if none).
func secretOwner(pod *compile.Pod, name string) string {
	for _, t := range pod.Toggles {
		if sc := t.Pack.Spec.Sidecar; sc != nil && sc.SecretRef != "" && compile.SecretVolumeName(t.Pack.Metadata.Name) == name {
			return t.Pack.Metadata.Name
		}
	}
	return ""
}

// containerNamed finds a container of a pod spec by name: its list, index and itself.
func containerNamed(spec *corev1.PodSpec, name string) (string, int, *corev1.Container) {
	for _, l := range []struct {
		name string
		cs   []corev1.Container
	}{{"containers", spec.Containers}, {"initContainers", spec.InitContainers}} {
		for i := range l.cs {
			if l.cs[i].Name == name {
				return l.name, i, &l.cs[i]
			}
		}
	}
	return "", 0, nil
}

// nameFree: no finding of an object's verdict names the run, instance or namespace its shape key
// blanked, nor comes from a user policy (whose text the gate cannot rebuild): the verdict holds
// for every object of the shape.
func nameFree(findings []Finding, o compile.Object) bool {
	var names []string
	for _, n := range []string{ownerName(o), o.GetLabels()[compile.LabelInstance], runNamespace(o)} {
		if n != "" {
			names = append(names, n)
		}
	}
	for _, f := range findings {
		if f.Detail == "" {
			return false
		}
		for _, n := range names {
			if containsName(f.Detail, n) || containsName(f.Field, n) || containsName(f.Pack, n) {
				return false
			}
		}
	}
	return true
}

// containsName: s contains n where the shape key may have blanked it: as a whole word, or as the
// "-<n>" suffix of a longer name. "web" is in "web access" and in "skill-x-web" (a pack named after
// the run) but not in "webhook" or "web-ui", whose text no shape key changes.
func containsName(s, n string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], n)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(n)
		if (start == 0 || !wordByte(s[start-1])) && (end == len(s) || !wordByte(s[end]) && s[end] != '-') {
			return true
		}
		i = start + 1
	}
}

func wordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.'
}

// retarget is a shape's verdict for another object of the shape: the same rules, fields and
// details, with the object's own names and a message built for it as the library builds it.
func retarget(findings []Finding, o compile.Object) []Finding {
	out := make([]Finding, 0, len(findings))
	for _, f := range findings {
		f.Kind, f.Name, f.Namespace = compile.KindOf(o), o.GetName(), o.GetNamespace()
		f.Message = libraryMessage(f.Rule, objectRef(o), f.Field, f.Detail)
		out = append(out, f)
	}
	return out
}

// goFinding is a deny that the gate decides in Go on an object, and that no exception waives
// (META-01, TEN-03), with its message built as the library builds one.
func goFinding(o compile.Object, rule, field, pack, detail string) Finding {
	f := Finding{Rule: rule, Severity: "deny", Waivable: false, Pack: pack, Field: field,
		Kind: compile.KindOf(o), Name: o.GetName(), Namespace: o.GetNamespace(), Detail: detail}
	f.Message = libraryMessage(rule, objectRef(o), field, detail)
	return f
}

// objectRef names an object as the library's messages do: "Kind ns/name", or "Kind name".
func objectRef(o compile.Object) string {
	return refOf(compile.KindOf(o), o.GetNamespace(), o.GetName())
}

func refOf(kind, ns, name string) string {
	if ns != "" {
		return kind + " " + ns + "/" + name
	}
	return kind + " " + name
}

// libraryMessage is lib.rego's make: "RULE: OBJECT FIELD: DETAIL".
func libraryMessage(rule, ref, field, detail string) string {
	return rule + ": " + ref + " " + field + ": " + detail
}

// taskBatch collects the agent's TASK text of every run's workload, blanking it in the object.
type taskBatch struct {
	uses []taskUse
	// after sort: the distinct texts in order of first use, and each one's uses
	texts []string
	users [][]*taskUse
}

// taskUse is where a task is used: what its findings need of the object, located when taken (the
// object itself is not kept), and its place in output order.
type taskUse struct {
	text                  string
	kind, namespace, name string
	field                 string // path of the TASK env var's value in the object
	pos                   diag.Diagnostic
	standIn               bool
	key                   compile.Key
	seq                   int
}

type taskFinding struct {
	f   Finding
	pos diag.Diagnostic
}

func newTaskBatch() *taskBatch { return &taskBatch{} }

func (b *taskBatch) size() int { return len(b.uses) }

// take remembers the TASK value of a workload's agent container (shapeKeys and evalEach judge the
// pod without it).
func (b *taskBatch) take(o compile.Object, loc *locator, standIn bool) {
	prefix, spec := compile.PodSpecPath(o), compile.PodSpecOf(o)
	if spec == nil {
		return
	}
	for ci, c := range spec.Containers {
		if c.Name != compile.AgentContainer {
			continue
		}
		for ei, e := range c.Env {
			if e.Name != "TASK" || e.Value == "" {
				continue
			}
			field := fmt.Sprintf("%s.containers[%d].env[%d].value", prefix, ci, ei)
			b.uses = append(b.uses, taskUse{text: e.Value, kind: compile.KindOf(o), namespace: o.GetNamespace(), name: o.GetName(),
				field: field, pos: loc.object(o, Finding{Field: field}), standIn: standIn, key: compile.KeyOf(o), seq: len(b.uses)})
		}
	}
}

// sort puts the uses in output order (real objects, then stand-ins) and numbers the distinct texts
// in order of first use: the batch is the same however the units came.
func (b *taskBatch) sort() {
	slices.SortStableFunc(b.uses, func(x, y taskUse) int {
		if x.standIn != y.standIn {
			if x.standIn {
				return 1
			}
			return -1
		}
		return cmp.Or(x.key.Compare(y.key), cmp.Compare(x.seq, y.seq))
	})
	index := map[string]int{}
	for i := range b.uses {
		u := &b.uses[i]
		k, seen := index[u.text]
		if !seen {
			k = len(b.texts)
			index[u.text] = k
			b.texts = append(b.texts, u.text)
			b.users = append(b.users, nil)
		}
		b.users[k] = append(b.users[k], u)
	}
}

// withoutTask is o with its agent's TASK value emptied, copying only what changes (o is shared).
func withoutTask(o compile.Object) compile.Object {
	var spec *corev1.PodSpec
	var out compile.Object
	switch w := o.(type) {
	case *batchv1.Job:
		c := *w
		spec, out = &c.Spec.Template.Spec, &c
	case *batchv1.CronJob:
		c := *w
		spec, out = &c.Spec.JobTemplate.Spec.Template.Spec, &c
	case *compile.Sandbox:
		c := *w
		spec, out = &c.Spec.PodTemplate.Spec, &c
	default:
		return o
	}
	spec.Containers = slices.Clone(spec.Containers)
	for ci := range spec.Containers {
		c := &spec.Containers[ci]
		if c.Name != compile.AgentContainer {
			continue
		}
		c.Env = slices.Clone(c.Env)
		for ei := range c.Env {
			if c.Env[ei].Name == "TASK" {
				c.Env[ei].Value = ""
			}
		}
	}
	return out
}

// evalEach evaluates the objects at indexes idx (TASK blanked when tasks are batched), using every
// core; verdicts are indexed like objs, so the order of completion does not matter. Every object
// is judged and every error reported (joined in idx order), as the rest of a report does.
func (g *Gate) evalEach(ctx context.Context, objs []compile.Object, idx []int, raws [][]byte) ([][]Finding, error) {
	verdicts, errs := g.evalEachErrs(ctx, objs, idx, raws)
	var joined []error
	for _, i := range idx {
		joined = append(joined, errs[i])
	}
	return verdicts, errors.Join(joined...)
}

// evalEachErrs is evalEach with each object's error apart, indexed like objs.
func (g *Gate) evalEachErrs(ctx context.Context, objs []compile.Object, idx []int, raws [][]byte) ([][]Finding, []error) {
	verdicts := make([][]Finding, len(objs))
	errs := make([]error, len(objs))
	// A few goroutines take the objects in turn: an evaluation's recursion grows a goroutine's
	// stack to hundreds of KiB, copied as it grows; a goroutine per object paid that every time.
	var next atomic.Int64
	var eg errgroup.Group
	for range min(len(idx), runtime.GOMAXPROCS(0)) {
		eg.Go(func() error {
			var enc inputEncoder
			for {
				k := int(next.Add(1)) - 1
				if k >= len(idx) {
					return nil
				}
				i := idx[k]
				o := objs[i]
				var raw []byte
				if i < len(raws) {
					raw = raws[i]
				}
				in, err := enc.inputFrom(o, raw, g.builtinOnly) // TASK blanked: judged in the task batch
				if err == nil {
					verdicts[i], err = g.engine.EvalValue(ctx, in)
				}
				if err != nil { // kept in errs: one object's error does not stop the others
					errs[i] = fmt.Errorf("%s %s/%s: %w", compile.KindOf(o), o.GetNamespace(), o.GetName(), err)
				}
			}
		})
	}
	_ = eg.Wait() // the goroutines return nil
	return verdicts, errs
}

func dig(m map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		m, _ = m[k].(map[string]any)
	}
	return m
}

// batchName marks the synthetic object the tasks are judged in; messages name the real objects.
const batchName = "skillc-task-batch"

// eval judges every distinct task in one evaluation: a Job whose agent carries one TASK variable per
// text. Only the secret rules read env values, so only their findings are kept.
func (b *taskBatch) eval(ctx context.Context, e *Engine) ([]taskFinding, error) {
	if len(b.uses) == 0 {
		return nil, nil
	}
	b.sort()
	env := make([]any, len(b.texts))
	for i, t := range b.texts {
		env[i] = map[string]any{"name": "TASK", "value": t}
	}
	job := map[string]any{
		"apiVersion": "batch/v1", "kind": "Job",
		"metadata": map[string]any{"name": batchName},
		"spec": map[string]any{"template": map[string]any{"spec": map[string]any{
			"serviceAccountName": batchName,
			"containers":         []any{map[string]any{"name": compile.AgentContainer, "image": "task-batch:1", "env": env}},
		}}},
	}
	findings, err := e.Eval(ctx, job)
	if err != nil {
		return nil, fmt.Errorf("judging run tasks: %w", err)
	}
	var out []taskFinding
	for _, f := range findings {
		var i int
		if !strings.HasPrefix(f.Rule, "SEC-") {
			continue
		}
		if _, err := fmt.Sscanf(f.Field, "spec.template.spec.containers[0].env[%d].value", &i); err != nil || i >= len(b.users) {
			continue
		}
		for _, u := range b.users[i] {
			g := f
			g.Field, g.Kind, g.Name, g.Namespace = u.field, u.kind, u.name, u.namespace
			g.Message = libraryMessage(f.Rule, refOf(u.kind, u.namespace, u.name), u.field, f.Detail)
			out = append(out, taskFinding{f: g, pos: u.pos})
		}
	}
	return out, nil
}

// ownerName is the run or schedule an object was generated for.
func ownerName(o compile.Object) string {
	if run := o.GetLabels()[compile.LabelAgentRun]; run != "" {
		return run
	}
	return o.GetLabels()[compile.LabelSchedule]
}

// runNamespace is the namespace an object was generated for: its own, or for a ClusterRoleBinding
// the namespace of its one subject, the run's ServiceAccount.
func runNamespace(o compile.Object) string {
	if crb, ok := o.(*rbacv1.ClusterRoleBinding); ok && len(crb.Subjects) == 1 {
		return crb.Subjects[0].Namespace
	}
	return o.GetNamespace()
}

// protectedNamespaces are the ones RBAC-19 judges by name: never blanked from a shape.
var protectedNamespaces = map[string]bool{"kube-system": true, "kube-public": true, "kube-node-lease": true}

// shapeKey is the SHA-256 of an object's JSON (its TASK blanked) with the run's and instance's
// names blanked where they stand as whole values or as the "-<run>" suffix of a derived name, and
// with acrossNamespaces its namespace where it stands as a whole value. Two objects with equal keys
// differ only in those names, which no rule judges, so one evaluation serves both. k holds scratch
// buffers reused from object to object.
func (k *keyer) shapeKey(o compile.Object, acrossNamespaces bool) ([sha256.Size]byte, error) {
	k.json.Reset()
	// Typed structs and sorted map keys: deterministic.
	if err := json.NewEncoder(&k.json).Encode(withoutTask(o)); err != nil {
		return [sha256.Size]byte{}, fmt.Errorf("encoding %s %s: %w", compile.KindOf(o), o.GetName(), err)
	}
	return k.keyOf(o, k.json.Bytes(), acrossNamespaces), nil
}

// keyOf is shapeKey of o from b, the JSON of o with its TASK blanked (b is not changed).
func (k *keyer) keyOf(o compile.Object, b []byte, acrossNamespaces bool) [sha256.Size]byte {
	return sha256.Sum256(k.blank(o, b, acrossNamespaces))
}

// blank is b with o's names replaced by tokens, as keyOf hashes it: in one of k's scratch
// buffers, or b itself. A token is a NUL and a letter, which encoding/json never writes (it
// escapes control characters), so unblank restores b exactly.
func (k *keyer) blank(o compile.Object, b []byte, acrossNamespaces bool) []byte {
	run, instance, ns := blankedNames(o, acrossNamespaces)
	if run != "" {
		b = k.replace(b, `"`+run+`"`, "\"\x00R\"")
		b = k.replace(b, `-`+run+`"`, "-\x00R\"")
	}
	if instance != "" {
		b = k.replace(b, `"`+instance+`"`, "\"\x00I\"")
	}
	if ns != "" {
		b = k.replace(b, `"`+ns+`"`, "\"\x00N\"")
	}
	return b
}

// blankedNames are the names a shape key blanks in o ("" for one it does not).
func blankedNames(o compile.Object, acrossNamespaces bool) (run, instance, ns string) {
	run, instance = ownerName(o), o.GetLabels()[compile.LabelInstance]
	if ns = runNamespace(o); !acrossNamespaces || protectedNamespaces[ns] {
		ns = ""
	}
	return run, instance, ns
}

// unblank is a string of blank's output with o's names (run, instance, ns) back in place of the
// tokens.
func unblank(s string, names *[4]string) string {
	if strings.IndexByte(s, 0) < 0 {
		return s
	}
	if len(s) == 2 { // a whole name: most of them
		switch s[1] {
		case 'R':
			return names[0]
		case 'I':
			return names[1]
		case 'N':
			return names[2]
		case 'T':
			return names[3]
		}
	}
	var b strings.Builder
	b.Grow(len(s) + max(len(names[0]), len(names[1]), len(names[2]), len(names[3])))
	for {
		i := strings.IndexByte(s, 0)
		if i < 0 || i+1 == len(s) {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		switch s[i+1] {
		case 'R':
			b.WriteString(names[0])
		case 'I':
			b.WriteString(names[1])
		case 'N':
			b.WriteString(names[2])
		case 'T':
			b.WriteString(names[3])
		default:
			b.WriteString(s[i : i+2])
		}
		s = s[i+2:]
	}
}

type keyer struct {
	json    bytes.Buffer
	scratch [2][]byte
	flip    int
}

// replace is bytes.ReplaceAll into one of two scratch buffers (never the one b is in), or b
// itself when old is not in it.
func (k *keyer) replace(b []byte, old, repl string) []byte {
	i := bytes.Index(b, []byte(old))
	if i < 0 {
		return b
	}
	k.flip ^= 1
	out := k.scratch[k.flip][:0]
	for i >= 0 {
		out = append(append(out, b[:i]...), repl...)
		b = b[i+len(old):]
		i = bytes.Index(b, []byte(old))
	}
	out = append(out, b...)
	k.scratch[k.flip] = out
	return out
}

// shapeKeys computes every object's shapeKey on up to procs cores. Objects go in chunks of 64,
// each with its own keyer (scratch buffers reused from object to object); keys are indexed like
// objs.
func shapeKeys(objs []compile.Object, acrossNamespaces bool, procs int) ([][sha256.Size]byte, error) {
	const chunk = 64
	keys := make([][sha256.Size]byte, len(objs))
	errs := make([]error, len(objs))
	var eg errgroup.Group
	eg.SetLimit(procs)
	for start := 0; start < len(objs); start += chunk {
		eg.Go(func() error {
			var k keyer
			for i := start; i < min(start+chunk, len(objs)); i++ {
				keys[i], errs[i] = k.shapeKey(objs[i], acrossNamespaces)
			}
			return nil // kept in errs, reported in object order
		})
	}
	_ = eg.Wait() // the goroutines return nil
	return keys, errors.Join(errs...)
}

// configInput is the CompilerConfig as the rules see it (META-02 judges its exceptions).
func configInput(cfg *api.CompilerConfig) map[string]any {
	raw, _ := json.Marshal(cfg.Spec)
	var spec map[string]any
	_ = json.Unmarshal(raw, &spec)
	return map[string]any{
		"apiVersion": "skillc.dev/v1alpha1",
		"kind":       "CompilerConfig",
		"metadata":   map[string]any{"name": cfg.Metadata.Name},
		"spec":       spec,
	}
}

type located struct {
	f   Finding
	pos diag.Diagnostic // File, Line, Field of the cause in the sources
	o   compile.Object  // the object judged (nil for the config and the sources themselves)
	t   *compile.Toggle // the pack judged, for a finding on a pack's source (RBAC-20, RBAC-21)
}

// standInFinding says that a finding comes from a stand-in run, and whose.
func standInFinding(f Finding, pod *compile.Pod) Finding {
	what := "(checked as a stand-in run: nothing enables this pack yet)"
	switch {
	case pod != nil && pod.StandInWhy != "":
		what = fmt.Sprintf("(checked as a stand-in run of %s %s/%s: %s)", pod.Instance.Kind, pod.Namespace, pod.Instance.Metadata.Name, pod.StandInWhy)
	case pod != nil && pod.Instance != nil && pod.Instance.Metadata.Name != compile.StandInName:
		what = fmt.Sprintf("(checked as a stand-in run of %s %s/%s: no AgentRun or schedule uses it yet)", pod.Instance.Kind, pod.Namespace, pod.Instance.Metadata.Name)
	}
	f.Detail += " " + what
	f.Message += " " + what
	return f
}

// group applies spec.policy.rules and exceptions to a finding and adds it to its group: identical
// causes merge (one pack's Role in many runs is one problem, reported once with the number of
// objects), named after the first finding in the report's order.
func (g *Gate) group(groups map[string]*group, l located, at position) {
	d := l.pos
	d.Rule = l.f.Rule
	// The library's message starts "RULE: "; the diagnostic prints the rule itself.
	d.Message = strings.TrimPrefix(l.f.Message, l.f.Rule+": ")
	// The library's findings come with spec.policy.rules applied; the Go gate's get it here
	// (applying it twice changes nothing).
	sev := effectiveSeverity(g.cfg.Spec.Policy.Rules, l.f.Rule, l.f.Waivable, l.f.Severity)
	if sev == string(api.RuleOff) {
		return
	}
	d.Severity = diag.SeverityDeny
	switch sev {
	case "warn":
		d.Severity = diag.SeverityWarning
	case "info": // a note the gate makes (RBAC-21 on commands it cannot judge)
		d.Severity = diag.SeverityInfo
	}
	exc := g.exceptionFor(l)
	// One cause in many objects (a pack's Role in every run) is one finding: group by the
	// library's detail (the message without the object's name), and count the objects. A user
	// policy's message is its only text: grouped as it is.
	cause := d.Message
	if l.f.Detail != "" {
		cause = "\x00" + l.f.Detail
	}
	key := strings.Join([]string{d.Rule, string(d.Severity), d.File, strconv.Itoa(d.Line), d.Field, l.f.Kind, l.f.Namespace, cause, strconv.FormatBool(exc != nil)}, "\x00")
	object := l.f.Kind + "/" + l.f.Namespace + "/" + l.f.Name
	gr, ok := groups[key]
	if !ok {
		groups[key] = &group{d: d, exc: exc, objects: map[string]bool{object: true}, at: at}
		return
	}
	gr.objects[object] = true
	if at.compare(gr.at) < 0 {
		gr.d, gr.exc, gr.at = d, exc, at
	}
}

// report puts the groups into rep, sorted.
func report(rep *Report, groups map[string]*group) {
	order := slices.SortedFunc(maps.Values(groups), func(a, b *group) int { return a.at.compare(b.at) })
	for _, gr := range order {
		if n := len(gr.objects); n > 1 {
			gr.d.Message += fmt.Sprintf(" (and %d more objects of the same shape)", n-1)
		}
		if gr.exc != nil {
			rep.Excepted = append(rep.Excepted, Excepted{Diagnostic: gr.d, Exception: gr.exc.ID, Owner: gr.exc.Owner, Expires: gr.exc.Expires})
			continue
		}
		rep.Findings = append(rep.Findings, gr.d)
	}
	rep.Findings.Sort()
	slices.SortStableFunc(rep.Excepted, func(a, b Excepted) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Message, b.Message))
	})
}

// exceptionFor returns the CompilerConfig exception that waives a finding, if any. Only
// well-formed, unexpired exceptions that name the rule explicitly and the finding's pack count;
// non-waivable findings are never excepted. (META-02 reports the malformed and expired ones.)
func (g *Gate) exceptionFor(l located) *api.PolicyException {
	f := l.f
	// The pack as resolved for the object (Stream.keep): a tenant's private pack that shares a
	// catalog pack's name is another pack and gets none of its exceptions.
	t := l.t
	if !f.Waivable || f.Pack == "" || t == nil {
		return nil
	}
	spec := &g.cfg.Spec
	for i := range spec.Policy.Exceptions {
		e := &spec.Policy.Exceptions[i]
		if spec.PackRef(e.SkillPack) != t.Identity() || e.Owner == "" || e.Justification == "" || !validDate(e.Expires) || e.Expires < g.today {
			continue
		}
		if !slices.Contains(e.Rules, f.Rule) || slices.Contains(e.Rules, "*") {
			continue
		}
		if e.Version != "" || e.ImageDigest != "" {
			p := t.Pack
			if e.Version != "" && p.Spec.Version != e.Version {
				continue
			}
			if e.ImageDigest != "" && (p.Spec.Sidecar == nil || !strings.HasSuffix(p.Spec.Sidecar.Image, "@"+e.ImageDigest)) {
				continue
			}
		}
		return e
	}
	return nil
}

func validDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}
