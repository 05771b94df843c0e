package policy

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/cover"
	"github.com/open-policy-agent/opa/v1/format"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
)

// minRegoCoverage is the floor `opa test --coverage --threshold` held before this test replaced
// the opa CLI in make test-policy.
const minRegoCoverage = 90.0

// TestRegoLibrary is what `opa check --strict`, `opa fmt --list`, `opa test` and
// `opa test --coverage --threshold 90` did over policy/, with the OPA packages skillc already
// links: the same parser, strict compiler, formatter, test runner and coverage tracer, so CI no
// longer builds the opa CLI.
func TestRegoLibrary(t *testing.T) {
	ctx := context.Background()
	modules := map[string]*ast.Module{}
	sources := map[string][]byte{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".rego") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		m, err := ast.ParseModuleWithOpts(path, string(src), parserOptions())
		if err != nil {
			t.Errorf("opa check: %v", err)
			return nil
		}
		modules[path], sources[path] = m, src
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(modules) < 20 {
		t.Fatalf("found %d Rego files under policy/: is the walk blind?", len(modules))
	}

	// opa fmt --list: every file as the formatter writes it.
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range sources {
			if !yield(k) {
				return
			}
		}
	}) {
		want, err := format.SourceWithOpts(name, sources[name], format.Opts{RegoVersion: ast.RegoV1})
		if err != nil {
			t.Errorf("opa fmt %s: %v", name, err)
			continue
		}
		if !bytes.Equal(want, sources[name]) {
			t.Errorf("opa fmt needed: %s", name)
		}
	}

	// opa check --strict: the library and its tests compile with the strict checks (unused
	// imports and variables, deprecated built-ins, shadowed names).
	strict := ast.NewCompiler().WithStrict(true).WithEnablePrintStatements(true).WithUseTypeCheckAnnotations(true)
	if strict.Compile(modules); strict.Failed() {
		t.Fatalf("opa check --strict:\n%v", strict.Errors)
	}

	// opa test --coverage: every test passes, and the rules are covered.
	cov := cover.New()
	runner := tester.NewRunner().
		SetCompiler(ast.NewCompiler().WithEnablePrintStatements(true).WithUseTypeCheckAnnotations(true)).
		SetStore(inmem.New()).
		CapturePrintOutput(true).
		SetCoverageQueryTracer(cov).
		SetModules(modules)
	ch, err := runner.RunTests(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var passed, failed int
	for r := range ch {
		switch {
		case r.Error != nil:
			failed++
			t.Errorf("%s.%s: %v", r.Package, r.Name, r.Error)
		case r.Fail:
			failed++
			t.Errorf("%s.%s: FAIL (%s)", r.Package, r.Name, r.Location)
		case r.Skip:
		default:
			passed++
		}
	}
	if passed < 200 {
		t.Errorf("%d Rego tests passed: fewer than the library has", passed)
	}
	report := cov.Report(modules)
	t.Logf("Rego tests: %d passed, %d failed; coverage %.2f %%", passed, failed, report.Coverage)
	if report.Coverage < minRegoCoverage {
		t.Errorf("Rego coverage %.2f %% is under %.0f %%", report.Coverage, minRegoCoverage)
	}
}
