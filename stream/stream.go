// Package stream compiles, gates and serializes a plan a unit at a time (compile.Plan): each unit
// of runs is built, judged and rendered to YAML while the next ones are built, and only its
// documents and findings are kept. Peak memory is then the rendered stream and a few units in
// flight, not every typed object at once; the output is byte for byte Build's.
package stream

import (
	"context"
	"fmt"
	"runtime"
	"slices"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/internal/emit"
	"github.com/skillc-dev/skillc/policy"
)

// Doc is one emitted object, rendered.
type Doc struct {
	Key  compile.Key
	Path string // where -o DIR puts it (emit.ObjectPath)
	Data []byte // its YAML document
	kind string
	run  string // the run or schedule it was built for, for a duplicate's refusal
}

// Result is a streamed compile: its documents in output order, the gate's report and the compile's
// diagnostics (warnings and notes; with an input error among them there are no documents and no
// report).
type Result struct {
	Docs   []Doc
	Report *policy.Report
	Diags  diag.Diagnostics
}

// Files is the render of -o DIR: one file per document, by relative slash path.
func (r *Result) Files() map[string][]byte {
	files := make(map[string][]byte, len(r.Docs))
	for _, d := range r.Docs {
		files[d.Path] = d.Data
	}
	return files
}

// Options: Render false judges without rendering (skillc check).
type Options struct {
	Render bool
}

// built is a unit as a worker leaves it: built, and rendered when it is emitted.
type built struct {
	res   *compile.Result
	diags diag.Diagnostics
	docs  []Doc
	err   error
}

// Run builds every unit of p on every core, judges each with gate in the plan's order (its
// evaluations on every core too) and keeps each unit's documents. diags are p's (Prepare's).
// Input errors come back in the result's diagnostics; only internal failures are errors. A nil
// gate (one that could not be made) only builds, for the diagnostics: a result without documents
// or report.
func Run(ctx context.Context, p *compile.Plan, gate *policy.Gate, diags diag.Diagnostics, opts Options) (*Result, error) {
	n := p.Units()
	workers := runtime.GOMAXPROCS(0)
	window := 2 * workers // units built ahead of the gate: what memory holds besides the documents
	slots := make([]chan built, n)
	for i := range slots {
		slots[i] = make(chan built, 1)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	go func() {
		defer close(next)
		for i := range n {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	ahead := make(chan struct{}, window)
	for range workers {
		go func() {
			var enc emit.Encoder
			for {
				select {
				case ahead <- struct{}{}:
				case <-ctx.Done():
					return
				}
				i, ok := <-next
				if !ok {
					<-ahead
					return
				}
				slots[i] <- buildUnit(p, i, &enc, opts.Render)
			}
		}()
	}

	s := &policy.Stream{}
	failed := diags.HasErrors() || gate == nil
	if !failed {
		var err error
		if s, err = gate.Begin(ctx, p.Base); err != nil {
			return nil, err
		}
	}
	out := &Result{}
	for i := range n {
		var b built
		select {
		case b = <-slots[i]:
		case <-ctx.Done():
			return nil, s.Close(ctx.Err())
		}
		<-ahead
		if b.err != nil {
			return nil, s.Close(b.err)
		}
		diags = append(diags, b.diags...)
		if d := p.Accept(b.res); d != nil {
			// The ceiling: what Build returns, and nothing else.
			d.Sort()
			return &Result{Diags: d}, s.Close(nil)
		}
		if failed = failed || b.diags.HasErrors(); failed {
			continue // built on for the other units' diagnostics; nothing judged or kept
		}
		if err := s.Add(b.res); err != nil {
			return nil, s.Close(err)
		}
		out.Docs = append(out.Docs, b.docs...)
	}
	if failed {
		diags.Sort()
		return &Result{Diags: diags}, s.Close(nil)
	}
	slices.SortFunc(out.Docs, func(a, b Doc) int { return a.Key.Compare(b.Key) })
	if d := duplicates(out.Docs, p.Base.Pods); d != nil {
		d.Sort()
		return &Result{Diags: d}, s.Close(nil)
	}
	rep, err := s.Report()
	if err != nil {
		return nil, err
	}
	diags.Sort()
	out.Report, out.Diags = rep, diags
	return out, nil
}

// buildUnit builds unit i and renders its emitted objects (stand-ins are judged, never emitted).
func buildUnit(p *compile.Plan, i int, enc *emit.Encoder, render bool) built {
	res, diags := p.Unit(i)
	b := built{res: res, diags: diags}
	if diags.HasErrors() {
		return b
	}
	b.docs = make([]Doc, 0, len(res.Objects))
	for _, o := range res.Objects {
		d := Doc{Key: compile.KeyOf(o), Path: emit.ObjectPath(o), kind: compile.KindOf(o),
			run: o.GetLabels()[compile.LabelAgentRun] + o.GetLabels()[compile.LabelSchedule]}
		if render {
			data, err := enc.Marshal(o)
			if err != nil {
				b.err = fmt.Errorf("rendering unit %d: %w", i, err)
				return b
			}
			d.Data = data
		}
		b.docs = append(b.docs, d)
	}
	return b
}

// duplicates is compile.DuplicateObjects on the sorted documents.
func duplicates(docs []Doc, pods []compile.Pod) diag.Diagnostics {
	var ds diag.Diagnostics
	for i := 1; i < len(docs); i++ {
		a, b := &docs[i-1], &docs[i]
		if a.Key == b.Key && a.kind == b.kind {
			ds = append(ds, compile.DuplicateObject(a.kind, a.Key.Name, a.run, pods))
		}
	}
	return ds
}
