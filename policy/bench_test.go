package policy

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/internal/emit"
	"github.com/skillc-dev/skillc/internal/gen"
	"github.com/skillc-dev/skillc/source"
)

// BenchmarkGate measures the gate alone (policies prepared once per compile, as the CLI does) on
// the reference repository and its double.
func BenchmarkGate(b *testing.B) {
	for _, s := range []gen.Size{{Packs: 100, Instances: 250, Runs: 1000}, {Packs: 200, Instances: 500, Runs: 2000}} {
		res := generated(b, s)
		b.Run(fmt.Sprintf("P%d-I%d-R%d", s.Packs, s.Instances, s.Runs), func(b *testing.B) {
			var stats Stats
			for b.Loop() {
				g, err := NewGate(context.Background(), res.Config, nil, time.Now())
				if err != nil {
					b.Fatal(err)
				}
				rep, err := g.Check(context.Background(), res)
				if err != nil {
					b.Fatal(err)
				}
				stats = rep.Stats
			}
			b.ReportMetric(float64(stats.Objects), "objects")
			b.ReportMetric(float64(stats.Evaluations), "evaluations")
		})
	}
}

// BenchmarkPipeline is what `skillc compile` does in memory: compile, gate, serialize every object.
func BenchmarkPipeline(b *testing.B) {
	for _, s := range []gen.Size{{Packs: 100, Instances: 250, Runs: 1000}} {
		var files []source.File
		for _, f := range gen.Repo(s) {
			files = append(files, source.File{Name: f.Name, Data: f.Data})
		}
		b.Run(fmt.Sprintf("P%d-I%d-R%d", s.Packs, s.Instances, s.Runs), func(b *testing.B) {
			for b.Loop() {
				res, ds := compile.Compile(files, compile.Options{})
				err := ds.Err()
				if err != nil {
					b.Fatal(err)
				}
				g, err := NewGate(context.Background(), res.Config, nil, time.Now())
				if err != nil {
					b.Fatal(err)
				}
				if _, err := g.Check(context.Background(), res); err != nil {
					b.Fatal(err)
				}
				if _, err := emit.MarshalEach(res.Objects); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLeastPrivilege measures RBAC-20/21 alone on the reference repository: what they add
// to the gate (each pack judged once; needs caches each skill text's parse).
func BenchmarkLeastPrivilege(b *testing.B) {
	res := generated(b, gen.Size{Packs: 100, Instances: 250, Runs: 1000})
	var n int
	for b.Loop() {
		n = len(leastPrivilegeFindings(res, res.Config.Spec.Policy.Profile))
	}
	b.ReportMetric(float64(n), "findings")
}

// BenchmarkEval measures one evaluation of the built-in library per kind: up to 100 objects of each
// kind of the reference repository, each evaluated once per op. ns/op and allocs/op divided by
// objects is the cost of one evaluation of that kind.
func BenchmarkEval(b *testing.B) {
	benchEvalByKind(b, func(o compile.Object) (map[string]any, error) { return emit.ToMap(o) },
		func(eng *Engine, m map[string]any) error { _, err := eng.Eval(context.Background(), m); return err })
}

// BenchmarkEvalValue is BenchmarkEval with each object in OPA's form already (objectInput), as the
// gate evaluates it: the cost of the library alone, without the conversion of generic values that
// Eval does first (a third of a Job's BenchmarkEval).
func BenchmarkEvalValue(b *testing.B) {
	benchEvalByKind(b, func(o compile.Object) (ast.Value, error) { return objectInput(o, false) },
		func(eng *Engine, v ast.Value) error { _, err := eng.EvalValue(context.Background(), v); return err })
}

// benchEvalByKind converts up to 100 objects of each kind of the reference repository with input
// and evaluates each once per op with eval, a sub-benchmark per kind.
func benchEvalByKind[T any](b *testing.B, input func(compile.Object) (T, error), eval func(*Engine, T) error) {
	res := generated(b, gen.Size{Packs: 100, Instances: 250, Runs: 1000})
	eng, err := New(context.Background(), Params(&res.Config.Spec, "2026-01-01"))
	if err != nil {
		b.Fatal(err)
	}
	byKind := map[string][]T{}
	for _, o := range res.Objects {
		kind := compile.KindOf(o)
		if len(byKind[kind]) == 100 {
			continue
		}
		v, err := input(o)
		if err != nil {
			b.Fatal(err)
		}
		byKind[kind] = append(byKind[kind], v)
	}
	for _, kind := range slices.Sorted(maps.Keys(byKind)) {
		objs := byKind[kind]
		b.Run(kind, func(b *testing.B) {
			for b.Loop() {
				for _, v := range objs {
					if err := eval(eng, v); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(len(objs)), "objects")
		})
	}
}

// generated compiles the repository internal/gen makes at size s (the reference repository is
// P=100 I=250 R=1000).
func generated(tb testing.TB, s gen.Size) *compile.Result {
	tb.Helper()
	var files []source.File
	for _, f := range gen.Repo(s) {
		files = append(files, source.File{Name: f.Name, Data: f.Data})
	}
	res, ds := compile.Compile(files, compile.Options{})
	if err := ds.Err(); err != nil {
		tb.Fatal(err)
	}
	return res
}
