package main

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/internal/emit"
	"github.com/skillc-dev/skillc/source"
)

var update = flag.Bool("update", false, "rewrite golden/ from the current output")

// Tests run from the repository root so that file names in messages read as users see them.
func TestMain(m *testing.M) {
	if file := os.Getenv(rusageEnv); file != "" {
		os.Exit(rusageWrapper(file, os.Args[1:]))
	}
	if err := os.Chdir("../.."); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	dir, err := os.MkdirTemp("", "skillc-test-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir) // only what buildSkillcTags wrote
	os.Exit(code)
}

// execute runs the CLI in-process with empty stdin and returns stdout, stderr and the exit code.
func execute(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	return executeStdin(t, "", args...)
}

// executeStdin runs the CLI in-process with stdin.
func executeStdin(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := newRootCommand()
	cmd.SetArgs(args)
	cmd.SetOut(&stdout)
	cmd.SetErr(&stderr)
	cmd.SetIn(strings.NewReader(stdin))
	code := exitCode(cmd.Execute(), &stderr)
	return stdout.String(), stderr.String(), code
}

// caseArgs is the compile command line of a fixture: `compile [args file words...] fixtures/<case>`.
func caseArgs(t *testing.T, dir string) []string {
	args := []string{"compile"}
	if b, err := os.ReadFile(filepath.Join(dir, "args")); err == nil {
		args = append(args, strings.Fields(string(b))...)
	}
	return append(args, dir)
}

func fixtureCases(t *testing.T, root string) []string {
	t.Helper()
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var cases []string
	for _, e := range entries {
		if e.IsDir() && e.Name() != "invalid" && e.Name() != "denied" && e.Name() != "diff" {
			cases = append(cases, e.Name())
		}
	}
	if len(cases) == 0 {
		t.Fatalf("no cases under %s", root)
	}
	return cases
}

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run `make golden` to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

// TestGolden compiles every valid fixture and compares stdout with golden/<case>.yaml.
func TestGolden(t *testing.T) {
	for _, name := range fixtureCases(t, "fixtures") {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("fixtures", name)
			stdout, stderr, code := execute(t, caseArgs(t, dir)...)
			if code != 0 {
				t.Fatalf("exit %d, want 0; stderr:\n%s", code, stderr)
			}
			if stdout == "" {
				t.Fatal("no output")
			}
			checkGolden(t, filepath.Join("golden", name+".yaml"), stdout)

			// The gate's calibration: every finding of every fixture, reviewed like code.
			args := caseArgs(t, dir)
			args[0] = "check"
			report, stderr, code := execute(t, args...)
			if code != 0 || stderr != "" {
				t.Fatalf("check: exit %d, stderr %q", code, stderr)
			}
			checkGolden(t, filepath.Join("golden", "check", name+".txt"), report)
		})
	}
}

// TestGoldenDenied compiles every fixture the gate must deny: exit 1, nothing on stdout, and the
// findings (with their source lines) are golden.
func TestGoldenDenied(t *testing.T) {
	for _, name := range fixtureCases(t, filepath.Join("fixtures", "denied")) {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("fixtures", "denied", name)
			stdout, stderr, code := execute(t, caseArgs(t, dir)...)
			if code != 1 {
				t.Fatalf("exit %d, want 1 (denied); stderr:\n%s", code, stderr)
			}
			if stdout != "" {
				t.Errorf("a denied compile wrote output:\n%s", stdout)
			}
			checkGolden(t, filepath.Join("golden", "denied", name+".txt"), stderr)
		})
	}
}

// TestGoldenInvalid compiles every invalid fixture: exit code and every message are golden, and
// nothing may reach stdout.
func TestGoldenInvalid(t *testing.T) {
	for _, name := range fixtureCases(t, filepath.Join("fixtures", "invalid")) {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("fixtures", "invalid", name)
			stdout, stderr, code := execute(t, caseArgs(t, dir)...)
			if code == 0 {
				t.Fatalf("exit 0 for an invalid input; stdout:\n%s", stdout)
			}
			if stdout != "" {
				t.Errorf("partial output on stdout:\n%s", stdout)
			}
			if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic") {
				t.Errorf("stack trace on stderr:\n%s", stderr)
			}
			checkGolden(t, filepath.Join("golden", "invalid", name+".txt"), fmt.Sprintf("exit %d\n%s", code, stderr))
		})
	}
}

// TestDeterministic feeds every valid fixture's documents in shuffled order, as separate files
// under other names, and expects byte-identical output.
func TestDeterministic(t *testing.T) {
	for _, name := range fixtureCases(t, "fixtures") {
		t.Run(name, func(t *testing.T) {
			args := caseArgs(t, filepath.Join("fixtures", name))
			paths, flags := args[len(args)-1:], args[1:len(args)-1]
			if len(flags) > 0 && !strings.HasPrefix(flags[0], "-") {
				paths = append(flags, paths...)
				flags = nil
			}
			if len(flags) > 0 {
				t.Skip("fixture sets flags")
			}
			files, diags := source.ReadPaths(paths, nil)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			want := renderGolden(t, files)
			var docs []source.File
			for _, f := range files {
				if f.Package != nil || strings.HasSuffix(f.Name, ".zip") {
					docs = append(docs, f) // a package is one source, whole
					continue
				}
				for i, d := range bytes.Split(f.Data, []byte("\n---\n")) {
					docs = append(docs, source.File{Name: fmt.Sprintf("%s#%d", f.Name, i), Data: append(d, '\n'), Walked: f.Walked})
				}
			}
			for seed := range uint64(3) {
				r := rand.New(rand.NewPCG(seed, 1))
				r.Shuffle(len(docs), func(i, j int) { docs[i], docs[j] = docs[j], docs[i] })
				if got := renderGolden(t, docs); got != want {
					t.Fatalf("shuffled input (seed %d) changed the output:\n%s", seed, cmp.Diff(want, got))
				}
			}
		})
	}
}

func renderGolden(t *testing.T, files []source.File) string {
	t.Helper()
	res, ds := compile.Compile(files, compile.Options{})
	err := ds.Err()
	if err != nil {
		t.Fatal(err)
	}
	out, err := emit.MarshalStream(res.Objects)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
