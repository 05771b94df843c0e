package policy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/util"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/internal/emit"
	"github.com/skillc-dev/skillc/internal/gen"
	"github.com/skillc-dev/skillc/source"
)

// opaValue is OPA's own reading of JSON bytes: util.UnmarshalJSON, then ast.InterfaceToValue.
func opaValue(data []byte) (ast.Value, error) {
	var x any
	if err := util.UnmarshalJSON(data, &x); err != nil {
		return nil, err
	}
	return ast.InterfaceToValue(x)
}

// mapInput is the gate's input as it was made before objectInput: emit.ToMap, TASK blanked in the
// generic map, then what rego.EvalInput does to generic values (util.RoundTripFast, then
// ast.InterfaceToValue).
func mapInput(o compile.Object, blank bool) (ast.Value, error) {
	m, err := emit.ToMap(o)
	if err != nil {
		return nil, err
	}
	if blank {
		blankTaskMap(o, m)
	}
	x := any(m)
	if err := util.RoundTripFast(&x); err != nil {
		return nil, err
	}
	return ast.InterfaceToValue(x)
}

// blankTaskMap is how the gate blanked the TASK in an object's generic form before objectInput.
func blankTaskMap(o compile.Object, m map[string]any) {
	path := compile.PodSpecPath(o)
	if path == "" {
		return
	}
	spec := dig(m, strings.Split(path, ".")...)
	containers, _ := spec["containers"].([]any)
	for _, c := range containers {
		cm, _ := c.(map[string]any)
		if cm["name"] != compile.AgentContainer {
			continue
		}
		env, _ := cm["env"].([]any)
		for _, e := range env {
			if em, _ := e.(map[string]any); em["name"] == "TASK" {
				if _, ok := em["value"].(string); ok {
					em["value"] = ""
				}
			}
		}
	}
}

// sameValue says where a and b differ, or "": ast.Compare (numbers compared by value) and, more
// strictly, the same types and the same number texts everywhere (a message may print a number).
func sameValue(a, b ast.Value) string {
	if ast.Compare(a, b) != 0 {
		return fmt.Sprintf("ast.Compare: %v != %v", a, b)
	}
	return strictDiff("", a, b)
}

func strictDiff(at string, a, b ast.Value) string {
	if fmt.Sprintf("%T", a) != fmt.Sprintf("%T", b) {
		return fmt.Sprintf("%s: %T != %T", at, a, b)
	}
	switch a := a.(type) {
	case ast.Number:
		if a != b.(ast.Number) {
			return fmt.Sprintf("%s: number %s != %s", at, a, b)
		}
	case *ast.Array:
		b := b.(*ast.Array)
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: %d elements != %d", at, a.Len(), b.Len())
		}
		for i := range a.Len() {
			if d := strictDiff(fmt.Sprintf("%s[%d]", at, i), a.Elem(i).Value, b.Elem(i).Value); d != "" {
				return d
			}
		}
	case ast.Object:
		b := b.(ast.Object)
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: %d keys != %d", at, a.Len(), b.Len())
		}
		for _, k := range a.Keys() {
			bv := b.Get(k)
			if bv == nil {
				return fmt.Sprintf("%s: key %v missing", at, k)
			}
			if d := strictDiff(at+"."+k.String(), a.Get(k).Value, bv.Value); d != "" {
				return d
			}
		}
	default:
		if ast.Compare(a, b) != 0 {
			return fmt.Sprintf("%s: %v != %v", at, a, b)
		}
	}
	return ""
}

// checkJSON asserts jsonValue reads data as OPA does: both refuse it, or both make the same value.
func checkJSON(t *testing.T, data []byte) {
	t.Helper()
	want, wantErr := opaValue(data)
	got, err := jsonValue(data, nil)
	switch {
	case (err != nil) != (wantErr != nil):
		t.Fatalf("%q: jsonValue error %v, OPA's error %v", data, err, wantErr)
	case err != nil:
		return
	}
	if d := sameValue(got, want); d != "" {
		t.Fatalf("%q: %s", data, d)
	}
}

var jsonEdgeCases = []string{
	// scalars, and numbers as JSON writes them (OPA keeps the text; interned from -1 to 512)
	`null`, `true`, `false`, `""`, `0`, `-0`, `-1`, `512`, `513`, `-2`, `1.0`, `1.50`, `1e3`, `1E+3`,
	`-0.0e-0`, `12345678901234567890123`, `1e400`, `1e-400`, `0.1`, `9007199254740993`,
	`18446744073709551615`, `-9223372036854775809`,
	// strings: escapes, unicode escapes, surrogate pairs (valid, lone, reversed), raw UTF-8,
	// invalid UTF-8 (U+FFFD), and encoding/json's <>& escapes
	`"plain"`, `"a\"b\\c\/d\b\f\n\r\t"`, `"\u0041\u00e9\u4e2d"`, `"\ud83d\ude00"`, `"\ud83d"`,
	`"\ude00\ud83d"`, `"\ud83dx"`, `"\ud83d\u0041"`, "\"é中😀\"", "\"\xff\xfe\"", "\"a\xc3\"",
	"\"\xed\xa0\x80\"", `"\u003c\u003e\u0026"`, `"\u0000"`, `"\uDEAD"`,
	// structures, whitespace, repeated keys (the last one counts), empty ones
	`{}`, `[]`, ` { "a" : [ 1 , { } , [ ] ] } `, "\t\n\r[1]\n", `{"a":1,"a":2}`,
	`{"a":{"x":1},"b":0,"a":[]}`, `{"status":{},"resources":{},"x":{"loadBalancer":{}}}`,
	`[[[[[[[[[[]]]]]]]]]]`, `{"":""}`, `{"\u0061":1,"a":2}`,
	// refused: encoding/json's errors
	``, ` `, `nul`, `tru`, `True`, `01`, `-`, `1.`, `.1`, `1e`, `1e+`, `+1`, `0x1`, `NaN`, `Infinity`,
	`"abc`, `"\x"`, `"\u12"`, `"\u12G4"`, "\"a\x01\"", "\"\\\x01\"", `"\`, `{`, `[`, `{"a"}`,
	`{"a":}`, `{"a":1,}`, `[1,]`, `[1 2]`, `{1:2}`, `{'a':1}`, `{} {}`, `[] x`, `1 2`, `"a" "b"`,
	`]`, `}`, `,`, "\xef\xbb\xbf{}", `{"a":1]`, `[1}`, `/**/1`,
}

func TestJSONValueMatchesOPA(t *testing.T) {
	for _, c := range jsonEdgeCases {
		checkJSON(t, []byte(c))
	}
	// 64 keys: past the point where repeated keys are found through a map.
	var b strings.Builder
	b.WriteString("{")
	for i := range 64 {
		fmt.Fprintf(&b, `"k%d":%d,`, i%40, i)
	}
	b.WriteString(`"end":null}`)
	checkJSON(t, []byte(b.String()))
	// A compiled Job, as encoding/json writes it.
	raw, err := json.Marshal(jobObject())
	if err != nil {
		t.Fatal(err)
	}
	checkJSON(t, raw)
	// encoding/json's nesting limit: 10,000 levels are read, 10,001 refused.
	for _, depth := range []int{10000, 10001} {
		checkJSON(t, []byte(strings.Repeat("[", depth)+strings.Repeat("]", depth)))
		checkJSON(t, []byte(strings.Repeat(`{"a":`, depth)+"1"+strings.Repeat("}", depth)))
	}
	if _, err := jsonValue([]byte(strings.Repeat("[", 10001)+strings.Repeat("]", 10001)), nil); err == nil {
		t.Error("10,001 levels were read: encoding/json refuses them")
	}
}

func TestJSONValueDrops(t *testing.T) {
	got, err := jsonValue([]byte(`{"status":{"loadBalancer":{}},"spec":{"resources":{},"x":{}},"resources":{"a":1},"items":[{"status":{}}]}`), emit.DroppedWhenEmpty)
	if err != nil {
		t.Fatal(err)
	}
	want := ast.MustParseTerm(`{"spec":{"x":{}},"resources":{"a":1},"items":[{}]}`).Value
	if d := sameValue(got, want); d != "" {
		t.Fatal(d)
	}
}

// TestObjectInputMatchesMaps: for every object (and stand-in) of every fixture and of a generated
// repository (a fifth of the reference one: every kind and pod shape it has, in seconds under
// -race), jsonValue reads the object's JSON as OPA does, and objectInput makes exactly the
// value the generic maps made, with and without the TASK blanked.
func TestObjectInputMatchesMaps(t *testing.T) {
	results := fixtureResults(t)
	res := generated(t, gen.Size{Packs: 20, Instances: 50, Runs: 200})
	results["generated repository"] = res
	objects, blanked := 0, 0
	for name, res := range results {
		for _, o := range append(append([]compile.Object(nil), res.Objects...), res.StandIns...) {
			objects++
			// The decoder alone, on the object's own JSON, against OPA's reading of it.
			raw, err := json.Marshal(o)
			if err != nil {
				t.Fatal(err)
			}
			checkJSON(t, raw)
			for _, blank := range []bool{false, true} {
				got, err := objectInput(o, blank)
				if err != nil {
					t.Fatalf("%s: %s %s/%s: %v", name, compile.KindOf(o), o.GetNamespace(), o.GetName(), err)
				}
				want, err := mapInput(o, blank)
				if err != nil {
					t.Fatal(err)
				}
				if d := sameValue(got, want); d != "" {
					t.Fatalf("%s: %s %s/%s (TASK blanked: %v): %s", name, compile.KindOf(o), o.GetNamespace(), o.GetName(), blank, d)
				}
				if blank && ast.Compare(got, objectInputOrFail(t, o)) != 0 {
					blanked++
				}
			}
		}
	}
	// The comparison must have covered objects whose TASK was blanked, and the fixtures' objects.
	if len(results) < 30 || objects < 3000 || blanked < 200 {
		t.Fatalf("%d results, %d objects, %d with a TASK blanked: the corpus shrank", len(results), objects, blanked)
	}
	t.Logf("%d fixtures and a generated repository: %d objects, %d with a TASK blanked", len(results)-1, objects, blanked)
}

func objectInputOrFail(t *testing.T, o compile.Object) ast.Value {
	t.Helper()
	v, err := objectInput(o, false)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestObjectInputUnshared: blanking a TASK rebuilds the objects on its path and leaves the value it
// started from as it was (values are hashed once, when built).
func TestObjectInputUnshared(t *testing.T) {
	in := []byte(`{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","env":[{"name":"TASK","value":"x"}]},{"name":"` +
		compile.AgentContainer + `","env":[{"name":"A","value":"a"},{"name":"TASK","value":"do it"},{"name":"TASK","valueFrom":{}}]}]}}}}`)
	v, err := jsonValue(in, nil)
	if err != nil {
		t.Fatal(err)
	}
	before := v.String()
	job := jobObject()
	got := blankTaskValue(job, v)
	if v.String() != before {
		t.Fatal("blankTaskValue changed the value it was given")
	}
	want := ast.MustParseTerm(strings.Replace(string(in), `"do it"`, `""`, 1)).Value
	if d := sameValue(got, want); d != "" {
		t.Fatal(d)
	}
	if got.Hash() != want.Hash() {
		t.Fatal("the rebuilt value's hash is not a fresh value's")
	}
	if blankTaskValue(job, want) != want {
		t.Fatal("nothing to blank, yet the value was rebuilt")
	}
}

func jobObject() compile.Object {
	files := splitConfig("job.yaml", pack(""))
	res, ds := compile.Compile(files, compile.Options{})
	if ds.Err() != nil {
		panic(ds.Err())
	}
	for _, o := range append(res.Objects, res.StandIns...) {
		if compile.KindOf(o) == "Job" {
			return o
		}
	}
	panic("no Job")
}

// FuzzASTInput: for any bytes, jsonValue and OPA's own reading both refuse them or make the same
// value. Seeds: testdata/fuzz/FuzzASTInput and the edge cases above.
func FuzzASTInput(f *testing.F) {
	for _, c := range jsonEdgeCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkJSON(t, data)
	})
}

// fixtureResults compiles every fixture folder with its own config and flags, as the golden tests
// do.
func fixtureResults(t *testing.T) map[string]*compile.Result {
	t.Helper()
	dirs, _ := filepath.Glob("../fixtures/*")
	denied, _ := filepath.Glob("../fixtures/denied/*")
	out := map[string]*compile.Result{}
	for _, dir := range append(dirs, denied...) {
		base := filepath.Base(dir)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() || base == "invalid" || base == "diff" || base == "denied" {
			continue
		}
		paths, opts := []string{dir}, compile.Options{}
		if b, err := os.ReadFile(filepath.Join(dir, "args")); err == nil {
			args := strings.Fields(string(b))
			for i := 0; i < len(args); i++ {
				switch args[i] {
				case "--sidecars":
					i++
					opts.Sidecars = args[i]
				case "--target":
					i++
					opts.Target = args[i]
				case "--identity":
					i++
					opts.Identity = args[i]
				case "--profile":
					i++
					opts.Profile = args[i]
				default:
					paths = append(paths, filepath.Join("..", args[i]))
				}
			}
		}
		files, diags := source.ReadPaths(paths, nil)
		if diags.HasErrors() {
			t.Fatalf("%s: %v", dir, diags)
		}
		res, ds := compile.Compile(files, opts)
		if err := ds.Err(); err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		out[strings.TrimPrefix(dir, "../")] = res
	}
	return out
}

// BenchmarkObjectInput: what making one object's input costs, per way of making it, over the
// objects the gate evaluates in the reference repository (one per shape): the generic maps
// (emit.ToMap then what rego.EvalInput does), OPA's reader (encoding/json into generic values,
// then ast.InterfaceToValue; without the dropped stanzas or the TASK blanked), and objectInput.
func BenchmarkObjectInput(b *testing.B) {
	res := generated(b, gen.Size{Packs: 100, Instances: 250, Runs: 1000})
	all := slices.Concat(res.Objects, res.StandIns)
	keys, err := shapeKeys(all, true, 1)
	if err != nil {
		b.Fatal(err)
	}
	var objs []compile.Object
	seen := map[[32]byte]bool{}
	for i, o := range all {
		if !seen[keys[i]] {
			seen[keys[i]] = true
			objs = append(objs, o)
		}
	}
	b.Logf("%d objects of %d", len(objs), len(all))
	var enc inputEncoder // one per goroutine, as evalEach has
	ways := []struct {
		name string
		make func(compile.Object) (ast.Value, error)
	}{
		{"maps", func(o compile.Object) (ast.Value, error) { return mapInput(o, true) }},
		{"opa-reader", func(o compile.Object) (ast.Value, error) {
			raw, err := json.Marshal(o)
			if err != nil {
				return nil, err
			}
			return ast.ValueFromReader(bytes.NewReader(raw))
		}},
		{"objectInput", func(o compile.Object) (ast.Value, error) { return enc.input(o, true) }},
	}
	for _, w := range ways {
		b.Run(w.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, o := range objs {
					if _, err := w.make(o); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(objs)), "ns/object")
		})
	}
}

// TestEvalValueMatchesEval: the engine's verdicts on objectInput's values are those on the generic
// maps, object by object, for every fixture (each with its own config's parameters).
func TestEvalValueMatchesEval(t *testing.T) {
	ctx := context.Background()
	findings := 0
	for name, res := range fixtureResults(t) {
		eng, err := New(ctx, Params(&res.Config.Spec, "2026-12-01"))
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range append(append([]compile.Object(nil), res.Objects...), res.StandIns...) {
			m, err := emit.ToMap(o)
			if err != nil {
				t.Fatal(err)
			}
			want, err := eng.Eval(ctx, m)
			if err != nil {
				t.Fatal(err)
			}
			in, err := objectInput(o, false)
			if err != nil {
				t.Fatal(err)
			}
			got, err := eng.EvalValue(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%s: %s %s/%s:\n EvalValue %v\n Eval      %v", name, compile.KindOf(o), o.GetNamespace(), o.GetName(), got, want)
			}
			findings += len(got)
		}
	}
	if findings < 50 {
		t.Fatalf("only %d findings: the comparison covered little", findings)
	}
	t.Logf("%d findings, the same both ways", findings)
}
