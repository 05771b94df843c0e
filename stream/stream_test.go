package stream

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/internal/emit"
	"github.com/skillc-dev/skillc/internal/gen"
	"github.com/skillc-dev/skillc/policy"
	"github.com/skillc-dev/skillc/source"
)

var today = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// gates are the gates made so far, by their config's spec: compiling the library is most of a
// small fixture's time (under -race, seconds).
var gates = map[string]*policy.Gate{}

func gateFor(cfg *api.CompilerConfig) (*policy.Gate, error) {
	key, err := json.Marshal(cfg.Spec)
	if err != nil {
		return nil, err
	}
	if g := gates[string(key)]; g != nil {
		return g, nil
	}
	g, err := policy.NewGate(context.Background(), cfg, nil, today)
	if err == nil {
		gates[string(key)] = g
	}
	return g, err
}

// whole is the compile as Build and Check do it, everything in memory at once, and the gate it
// made (nil when the compile failed).
func whole(t *testing.T, files []source.File) ([]byte, *policy.Report, diag.Diagnostics, *policy.Gate) {
	t.Helper()
	res, diags := compile.Compile(files, compile.Options{})
	if diags.HasErrors() {
		return nil, nil, diags, nil
	}
	g, err := gateFor(res.Config)
	if err != nil { // the config's rule settings: judged before any object
		return nil, nil, append(diags, diag.Diagnostic{Message: err.Error()}), nil
	}
	rep, err := g.Check(context.Background(), res)
	if err != nil {
		t.Fatal(err)
	}
	stream, err := emit.MarshalStream(res.Objects)
	if err != nil {
		t.Fatal(err)
	}
	return stream, rep, diags, g
}

// streamed is the same compile a unit at a time, judged by g (a gate for the same config, whole's,
// which judges nothing itself: a Stream keeps all it learns).
func streamed(t *testing.T, files []source.File, g *policy.Gate, opts Options) ([]byte, *policy.Report, diag.Diagnostics) {
	t.Helper()
	p, diags := compile.PrepareFiles(files, compile.Options{})
	if p == nil {
		return nil, nil, diags
	}
	opts.Render = true
	res, err := Run(context.Background(), p, g, diags, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	if res.Diags.HasErrors() {
		return nil, nil, res.Diags
	}
	var b bytes.Buffer
	if _, err := res.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	files2, err := res.Files()
	if err != nil {
		t.Fatal(err)
	}
	paths, readers := res.Paths()
	read := readers()
	if len(paths) != len(files2) {
		t.Errorf("%d paths, %d files", len(paths), len(files2))
	}
	for _, p := range paths {
		data, err := read(p)
		if err != nil || !bytes.Equal(data, files2[p]) {
			t.Errorf("%s: read back %d bytes (%v), want the file's %d", p, len(data), err, len(files2[p]))
		}
	}
	return b.Bytes(), res.Report, res.Diags
}

// TestStreamIsBuild: a compile streamed a unit at a time (in memory, and spooled from the first
// byte) gives Build's bytes, Check's report and the same diagnostics, on every fixture with the
// built-in packs and on generated repositories of many units (the findings of one cause in
// several units are one finding, named after the same object).
func TestStreamIsBuild(t *testing.T) {
	cases := map[string][]string{}
	for _, pattern := range []string{"../fixtures/*", "../fixtures/denied/*", "../fixtures/invalid/*"} {
		dirs, _ := filepath.Glob(pattern)
		for _, d := range dirs {
			if fi, err := os.Stat(d); err == nil && fi.IsDir() && filepath.Base(d) != "denied" && filepath.Base(d) != "invalid" {
				cases[d] = []string{"../skills", d}
			}
		}
	}
	if len(cases) < 50 {
		t.Fatalf("%d fixture folders: the glob missed them", len(cases))
	}
	for name, paths := range cases {
		files, ds := source.ReadPaths(paths, nil)
		if ds.HasErrors() {
			continue
		}
		check(t, name, files, 0)
	}
	for _, s := range []gen.Size{{Packs: 10, Instances: 25, Runs: 100}, {Packs: 20, Instances: 45, Runs: 200}} {
		var files []source.File
		for _, f := range gen.Repo(s) {
			files = append(files, source.File{Name: f.Name, Data: f.Data})
		}
		check(t, "generated", files, 0, 1)
		// Runs in the reverse order: units come in an order unlike the output's.
		slices.Reverse(files)
		check(t, "generated, reversed", files, 0)
	}
}

// check compares whole and streamed, with each SpoolAbove given (0: the default, 1: from the
// first byte).
func check(t *testing.T, name string, files []source.File, spools ...int64) {
	t.Helper()
	want, wantRep, wantDiags, g := whole(t, files)
	if g == nil {
		if !wantDiags.HasErrors() {
			return // the config's rule settings: refused before anything is judged
		}
		// An input error: the same diagnostics, and nothing else.
		p, diags := compile.PrepareFiles(files, compile.Options{})
		if p != nil {
			res, err := Run(context.Background(), p, nil, diags, Options{})
			if err != nil {
				t.Fatal(err)
			}
			diags = res.Diags
			if len(res.Docs) > 0 || res.Report != nil {
				t.Errorf("%s: an input error, and %d documents, a report %v", name, len(res.Docs), res.Report != nil)
			}
		}
		if d := cmp.Diff(wantDiags, diags); d != "" {
			t.Errorf("%s: diagnostics (-want +got):\n%s", name, d)
		}
		return
	}
	// skillc check: judged without rendering, the same report.
	if p, diags := compile.PrepareFiles(files, compile.Options{}); p != nil {
		res, err := Run(context.Background(), p, g, diags, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range res.Docs {
			if d.n != 0 {
				t.Fatalf("%s: check rendered %s", name, d.Path())
			}
		}
		if d := cmp.Diff(wantRep, res.Report); d != "" {
			t.Errorf("%s: check's report (-want +got):\n%s", name, d)
		}
		if d := cmp.Diff(wantDiags, res.Diags); d != "" {
			t.Errorf("%s: check's diagnostics (-want +got):\n%s", name, d)
		}
	}
	for _, spool := range spools {
		got, rep, diags := streamed(t, files, g, Options{SpoolAbove: spool})
		if !bytes.Equal(got, want) {
			t.Errorf("%s (spool above %d): the streamed output differs from Build's (%d bytes, want %d)", name, spool, len(got), len(want))
		}
		if d := cmp.Diff(wantDiags, diags); d != "" {
			t.Errorf("%s: diagnostics (-want +got):\n%s", name, d)
		}
		if d := cmp.Diff(wantRep, rep); d != "" {
			t.Errorf("%s: report (-want +got):\n%s", name, d)
		}
	}
}

// TestSpoolLeavesNothing: the spool is unlinked as soon as it is made: while the result is open,
// and after, the temporary folder holds nothing of it.
func TestSpoolLeavesNothing(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	var files []source.File
	for _, f := range gen.Repo(gen.Size{Packs: 5, Instances: 10, Runs: 20}) {
		files = append(files, source.File{Name: f.Name, Data: f.Data})
	}
	p, diags := compile.PrepareFiles(files, compile.Options{})
	g, err := policy.NewGate(context.Background(), p.Base.Config, nil, today)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), p, g, diags, Options{Render: true, SpoolAbove: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.spool == nil {
		t.Fatal("SpoolAbove 1 did not spool")
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("the spool is in %s while open: %v", tmp, entries)
	}
	if err := res.Close(); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("%s after Close: %v", tmp, entries)
	}
}

// BenchmarkStream is what `skillc compile` does, streamed, at the reference size: prepare, then
// build, gate and render every unit (in memory: the reference repository stays under the spool's
// threshold). Compare with policy's BenchmarkPipeline, which holds every object.
func BenchmarkStream(b *testing.B) {
	var files []source.File
	for _, f := range gen.Repo(gen.Size{Packs: 100, Instances: 250, Runs: 1000}) {
		files = append(files, source.File{Name: f.Name, Data: f.Data})
	}
	for b.Loop() {
		p, diags := compile.PrepareFiles(files, compile.Options{})
		if p == nil {
			b.Fatal(diags)
		}
		g, err := policy.NewGate(context.Background(), p.Base.Config, nil, today)
		if err != nil {
			b.Fatal(err)
		}
		res, err := Run(context.Background(), p, g, diags, Options{Render: true})
		if err != nil {
			b.Fatal(err)
		}
		if res.Diags.HasErrors() || len(res.Docs) != 13320 {
			b.Fatalf("%d documents: %v", len(res.Docs), res.Diags)
		}
		_ = res.Close()
	}
}

// TestPrejudgeInAnyOrder: the verdicts Prejudge makes where units are built serve only the object
// the ordered gate would evaluate itself, so the report is Check's whatever order the builders
// claim shapes in: here every unit is prejudged last to first (each shape claimed by its last
// object, never the one judged), then first to last, then only every other unit.
func TestPrejudgeInAnyOrder(t *testing.T) {
	var files []source.File
	for _, f := range gen.Repo(gen.Size{Packs: 10, Instances: 25, Runs: 100}) {
		files = append(files, source.File{Name: f.Name, Data: f.Data})
	}
	_, want, _, g := whole(t, files)
	if g == nil {
		t.Fatal("the generated repository did not compile")
	}
	p, diags := compile.PrepareFiles(files, compile.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	orders := map[string]func(n int) []int{
		"last to first": func(n int) []int {
			o := make([]int, n)
			for i := range o {
				o[i] = n - 1 - i
			}
			return o
		},
		"first to last": func(n int) []int {
			o := make([]int, n)
			for i := range o {
				o[i] = i
			}
			return o
		},
		"every other": func(n int) []int {
			var o []int
			for i := 1; i < n; i += 2 {
				o = append(o, i)
			}
			return o
		},
	}
	for name, order := range orders {
		s, err := g.Begin(context.Background(), p.Base)
		if err != nil {
			t.Fatal(err)
		}
		k := g.NewKeyer()
		var enc emit.Encoder
		units := make([]built, p.Units())
		for i := range units {
			if units[i] = buildUnit(p, k, s, i, &enc, &templates{}, true); units[i].err != nil {
				t.Fatal(units[i].err)
			}
		}
		for _, i := range order(len(units)) {
			k.Prejudge(s, units[i].res, units[i].keys, units[i].raws)
		}
		for _, b := range units {
			if err := s.AddKeyed(b.res, b.keys, b.raws); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Report()
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s: report (-want +got):\n%s", name, d)
		}
	}
}

// TestTemplatesWithAwkwardNames: documents written from a shape's template are Build's when the
// names or tasks put back need quoting (a run named "true", "123" or "1e3", an instance "yes", a
// namespace "on"), are long, are a suffix of a longer name, or are a task written as a literal block,
// with escapes or folded: the generated repository with some of its runs, an instance, a
// namespace and some tasks renamed.
func TestTemplatesWithAwkwardNames(t *testing.T) {
	renames := strings.NewReplacer( // quoted: the inputs are YAML too
		"run-00003", `"true"`, "run-00007", `"123"`, "run-00011", `"1e3"`, "run-00013", `"null"`,
		"run-00017", `"y"`, "run-00019", strings.Repeat("r", 63), "run-00023", `"0x1f"`,
		"inst-0002", `"yes"`, "ns-01", `"on"`,
		// and tasks the writer writes otherwise: a literal block, escapes, folded text.
		"Synthetic task 5.", `"line one\nline two"`, "Synthetic task 9.", `"say \"hi\" <b> & é \u2028 \t"`,
		"Synthetic task 12.", strings.Repeat("a long task ", 12), "Synthetic task 14.", `"true"`)
	var files []source.File
	for _, f := range gen.Repo(gen.Size{Packs: 10, Instances: 25, Runs: 100}) {
		files = append(files, source.File{Name: f.Name, Data: []byte(renames.Replace(string(f.Data)))})
	}
	check(t, "awkward names", files, 0)
	want, _, diags, _ := whole(t, files)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	for _, s := range []string{`"true"`, `"123"`, `"1e3"`, `"null"`, `"y"`, `"yes"`, `"on"`, `"0x1f"`} {
		if !bytes.Contains(want, []byte(s)) {
			t.Errorf("no %s in the render: the renamed inputs do not test quoting", s)
		}
	}
}
