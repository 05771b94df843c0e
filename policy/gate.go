package policy

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/skillc-dev/skillc/compile"
)

// Gate judges a compile's objects with the policy library and the platform's allow-lists and
// exceptions, which live only in the CompilerConfig: a SkillPack cannot exempt itself.
type Gate struct {
	engine *Engine
	cfg    *compile.CompilerConfig
	today  string
}

// NewGate prepares the policies once for every evaluation of this compile.
func NewGate(ctx context.Context, cfg *compile.CompilerConfig, policyDirs []string, today time.Time) (*Gate, error) {
	day := today.UTC().Format(time.DateOnly)
	eng, err := New(ctx, Params(&cfg.Spec, day), policyDirs...)
	if err != nil {
		return nil, err
	}
	return &Gate{engine: eng, cfg: cfg, today: day}, nil
}

// Params are the rules' data.skillc.parameters: the config's policy section, profile and date.
func Params(spec *compile.ConfigSpec, today string) map[string]any {
	raw, _ := json.Marshal(spec.Policy) // plain structs: cannot fail
	var p map[string]any
	_ = json.Unmarshal(raw, &p)
	for k, v := range p {
		if v == nil {
			delete(p, k) // absent, so the rules' defaults apply
		}
	}
	p["today"] = today
	return p
}

// Check evaluates every object (and the config itself) and returns the located findings.
func (g *Gate) Check(ctx context.Context, res *compile.Result) (*Report, error) {
	rep := &Report{Budgets: res.Budgets}
	loc := newLocator(res)
	var raw []located

	cfgFindings, err := g.engine.Eval(ctx, configInput(g.cfg))
	if err != nil {
		return nil, err
	}
	rep.Stats.Evaluations++
	for _, f := range cfgFindings {
		raw = append(raw, located{f, loc.config(f.Field)})
	}

	type memo struct {
		name     string
		findings []Finding
	}
	seen := map[string]memo{}
	tasks := newTaskBatch()
	for _, o := range res.Objects {
		m, err := compile.ToMap(o)
		if err != nil {
			return nil, err
		}
		rep.Stats.Objects++
		// Each run's task differs; the rest of its pod is the instance's. Judge the pod without the
		// task, and every distinct task once, in one batch below.
		tasks.take(o, m)
		key := shapeKey(m, ownerName(o), o.GetLabels()[instanceLabel])
		var findings []Finding
		if prev, ok := seen[key]; ok {
			// The same shape, differing only in the run's name: the same verdicts.
			rep.Stats.Reused++
			for _, f := range prev.findings {
				f.Message = strings.ReplaceAll(f.Message, prev.name, o.GetName())
				f.Name = o.GetName()
				findings = append(findings, f)
			}
		} else {
			findings, err = g.engine.Eval(ctx, m)
			if err != nil {
				return nil, fmt.Errorf("%s %s/%s: %w", compile.KindOf(o), o.GetNamespace(), o.GetName(), err)
			}
			rep.Stats.Evaluations++
			seen[key] = memo{o.GetName(), findings}
		}
		for _, f := range findings {
			raw = append(raw, located{f, loc.object(o, f)})
		}
	}
	taskFindings, err := tasks.eval(ctx, g.engine)
	if err != nil {
		return nil, err
	}
	if tasks.size() > 0 {
		rep.Stats.Evaluations++
	}
	for _, tf := range taskFindings {
		raw = append(raw, located{tf.f, loc.object(tf.o, tf.f)})
	}
	g.sortIntoReport(rep, raw, loc)
	return rep, nil
}

// taskBatch collects the agent's TASK text of every Job and CronJob, blanking it in the object.
type taskBatch struct {
	index map[string]int // task text → position in texts
	texts []string
	users [][]taskUse // per text, where it is used
}

type taskUse struct {
	o     compile.Object
	field string // path of the TASK env var's value in o
}

type taskFinding struct {
	o compile.Object
	f Finding
}

func newTaskBatch() *taskBatch { return &taskBatch{index: map[string]int{}} }

func (b *taskBatch) size() int { return len(b.texts) }

// take removes the TASK value from a workload's agent container and remembers it.
func (b *taskBatch) take(o compile.Object, m map[string]any) {
	prefix, spec := "spec.template.spec", dig(m, "spec", "template", "spec")
	if compile.KindOf(o) == "CronJob" {
		prefix, spec = "spec.jobTemplate.spec.template.spec", dig(m, "spec", "jobTemplate", "spec", "template", "spec")
	}
	containers, _ := spec["containers"].([]any)
	for ci, c := range containers {
		cm, _ := c.(map[string]any)
		if cm["name"] != "agent" {
			continue
		}
		env, _ := cm["env"].([]any)
		for ei, e := range env {
			em, _ := e.(map[string]any)
			text, ok := em["value"].(string)
			if em["name"] != "TASK" || !ok || text == "" {
				continue
			}
			em["value"] = ""
			i, seen := b.index[text]
			if !seen {
				i = len(b.texts)
				b.index[text] = i
				b.texts = append(b.texts, text)
				b.users = append(b.users, nil)
			}
			b.users[i] = append(b.users[i], taskUse{o, fmt.Sprintf("%s.containers[%d].env[%d].value", prefix, ci, ei)})
		}
	}
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
	if len(b.texts) == 0 {
		return nil, nil
	}
	env := make([]any, len(b.texts))
	for i, t := range b.texts {
		env[i] = map[string]any{"name": "TASK", "value": t}
	}
	job := map[string]any{
		"apiVersion": "batch/v1", "kind": "Job",
		"metadata": map[string]any{"name": batchName},
		"spec": map[string]any{"template": map[string]any{"spec": map[string]any{
			"serviceAccountName": batchName,
			"containers":         []any{map[string]any{"name": "agent", "image": "task-batch:1", "env": env}},
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
			ref := compile.KindOf(u.o) + " " + u.o.GetNamespace() + "/" + u.o.GetName()
			g.Message = strings.Replace(strings.Replace(g.Message, "Job "+batchName, ref, 1), f.Field, u.field, 1)
			g.Field, g.Kind, g.Name, g.Namespace = u.field, compile.KindOf(u.o), u.o.GetName(), u.o.GetNamespace()
			out = append(out, taskFinding{u.o, g})
		}
	}
	return out, nil
}

// ownerName is the run or schedule an object was generated for.
func ownerName(o compile.Object) string {
	if run := o.GetLabels()[runLabel]; run != "" {
		return run
	}
	return o.GetLabels()[scheduleLabel]
}

const (
	scheduleLabel = "sympozium.ai/schedule"
	runLabel      = "sympozium.ai/agent-run"
	instanceLabel = "sympozium.ai/instance"
	skillLabel    = "sympozium.ai/skill"
)

// shapeKey is an object's JSON with the run's and instance's names blanked where they stand as
// whole values or as the "-<run>" suffix of a derived name. Two objects with equal keys differ only
// in those names, which no rule judges, so one evaluation serves both.
func shapeKey(m map[string]any, run, instance string) string {
	b, _ := json.Marshal(m) // map keys marshal sorted: deterministic
	if run != "" {
		b = bytes.ReplaceAll(b, []byte(`"`+run+`"`), []byte("\"\x00R\""))
		b = bytes.ReplaceAll(b, []byte(`-`+run+`"`), []byte("-\x00R\""))
	}
	if instance != "" {
		b = bytes.ReplaceAll(b, []byte(`"`+instance+`"`), []byte("\"\x00I\""))
	}
	return string(b)
}

// configInput is the CompilerConfig as the rules see it (META-02 judges its exceptions).
func configInput(cfg *compile.CompilerConfig) map[string]any {
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
	pos compile.Diagnostic // File, Line, Field of the cause in the sources
}

// sortIntoReport applies exceptions, merges identical causes (one pack's Role in many runs is one
// problem, reported once with the number of objects), and sorts.
func (g *Gate) sortIntoReport(rep *Report, raw []located, loc *locator) {
	type group struct {
		d       compile.Diagnostic
		exc     *compile.PolicyException
		objects map[string]bool
	}
	var order []string
	groups := map[string]*group{}
	for _, l := range raw {
		d := l.pos
		d.Rule = l.f.Rule
		// The library's message starts "RULE: "; the diagnostic prints the rule itself.
		d.Message = strings.TrimPrefix(l.f.Message, l.f.Rule+": ")
		d.Severity = compile.SeverityDeny
		if l.f.Severity == "warn" {
			d.Severity = compile.SeverityWarning
		}
		exc := g.exceptionFor(l.f, loc)
		// One cause in many objects (a pack's Role in every run) is one finding: group by the
		// message with the object's own name taken out, and count the objects.
		cause := d.Message
		if l.f.Name != "" {
			cause = strings.ReplaceAll(cause, l.f.Name, "\x00")
		}
		key := strings.Join([]string{d.Rule, string(d.Severity), d.File, strconv.Itoa(d.Line), d.Field, l.f.Kind, cause, strconv.FormatBool(exc != nil)}, "\x00")
		object := l.f.Kind + "/" + l.f.Namespace + "/" + l.f.Name
		if gr, ok := groups[key]; ok {
			gr.objects[object] = true
			continue
		}
		groups[key] = &group{d: d, exc: exc, objects: map[string]bool{object: true}}
		order = append(order, key)
	}
	for _, k := range order {
		gr := groups[k]
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
func (g *Gate) exceptionFor(f Finding, loc *locator) *compile.PolicyException {
	if !f.Waivable || f.Pack == "" {
		return nil
	}
	for i := range g.cfg.Spec.Policy.Exceptions {
		e := &g.cfg.Spec.Policy.Exceptions[i]
		if e.SkillPack != f.Pack || e.Owner == "" || e.Justification == "" || !validDate(e.Expires) || e.Expires < g.today {
			continue
		}
		if !slices.Contains(e.Rules, f.Rule) || slices.Contains(e.Rules, "*") {
			continue
		}
		if e.Version != "" || e.ImageDigest != "" {
			p := loc.pack(f.Namespace, f.Pack)
			if p == nil || (e.Version != "" && p.Spec.Version != e.Version) {
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
