package compile

import (
	"strings"
	"testing"

	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/internal/testinput"
	"github.com/skillc-dev/skillc/source"
)

// compileYAML compiles inline YAML documents as one file named in.yaml. It returns the
// diagnostics only when they hold an error; warnings are in compileWarnings.
func compileYAML(t *testing.T, opts Options, docs ...string) (*Result, diag.Diagnostics) {
	t.Helper()
	res, ds := Compile([]source.File{{Name: "in.yaml", Data: []byte(strings.Join(docs, "\n---\n"))}}, opts)
	if ds.HasErrors() {
		return nil, ds
	}
	return res, nil
}

// compileWarnings compiles like compileYAML and returns the warnings of a successful compile.
func compileWarnings(t *testing.T, opts Options, docs ...string) diag.Diagnostics {
	t.Helper()
	_, ds := Compile([]source.File{{Name: "in.yaml", Data: []byte(strings.Join(docs, "\n---\n"))}}, opts)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	return ds.Filter(diag.SeverityWarning)
}

// find returns the object of a kind and name, failing the test when it is absent.
func find[T Object](t *testing.T, res *Result, kind, name string) T {
	t.Helper()
	for _, o := range res.Objects {
		if kindOf(o) == kind && o.GetName() == name {
			return o.(T)
		}
	}
	t.Fatalf("no %s %q among %d objects", kind, name, len(res.Objects))
	var zero T
	return zero
}

// The shared test inputs (internal/testinput), by their short names here.
const (
	testInstance = testinput.Instance
	testRun      = testinput.Run
	goodSkill    = testinput.GoodSkill
)

func pack(sidecar string) string { return testinput.Pack(sidecar) }

func buildZip(t testing.TB, entries ...testinput.ZipEntry) []byte {
	return testinput.BuildZip(t, entries...)
}
