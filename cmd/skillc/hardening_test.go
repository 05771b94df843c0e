package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/internal/gen"
	"github.com/skillc-dev/skillc/render"
)

// TestPanicBecomesExit3: a bug is never shown as a stack trace; the guard in run turns it into exit
// 3 with "please report" and the command line, and prints nothing on stdout.
func TestPanicBecomesExit3(t *testing.T) {
	panicking := func() *cobra.Command {
		root := newRootCommand()
		root.AddCommand(&cobra.Command{Use: "boom", RunE: func(_ *cobra.Command, args []string) error {
			_ = args[len(args)] // a real runtime panic (index out of range), not a string
			return nil
		}})
		return root
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), panicking, []string{"boom", "tenants/evil.yaml"}, strings.NewReader(""), &stdout, &stderr)
	if code != 3 {
		t.Errorf("exit %d, want 3", code)
	}
	msg := stderr.String()
	for _, want := range []string{"skillc: internal error, please report: ", "index out of range [1] with length 1", "(inputs: boom tenants/evil.yaml)"} {
		if !strings.Contains(msg, want) {
			t.Errorf("stderr %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "goroutine ") || strings.Count(msg, "\n") != 1 || stdout.Len() != 0 {
		t.Errorf("stack trace or output: stdout %q, stderr %q", stdout.String(), msg)
	}

	// The same run without a panic keeps the command's own exit code.
	stderr.Reset()
	if code := run(context.Background(), newRootCommand, []string{"compile", "fixtures/invalid/unknown-field"}, strings.NewReader(""), &stdout, &stderr); code != 2 {
		t.Errorf("invalid input through run: exit %d, stderr %q", code, stderr.String())
	}
}

// pauseHookEnv is the test hook of a binary built with -tags skillc_testhooks (testhooks.go).
const pauseHookEnv = "SKILLC_TEST_PAUSE_WRITE"

// TestInterruptedRunLeavesNoTrace runs the real binary on a generated repository, interrupts it
// while it writes -o DIR and checks that DIR is unchanged and no temporary directory remains. The
// test hook SKILLC_TEST_PAUSE_WRITE, compiled in with -tags skillc_testhooks, makes the binary
// wait, after the temporary directory holds its first file, for the signal: no sleeps, no timing
// assumptions.
func TestInterruptedRunLeavesNoTrace(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("signals")
	}
	if testing.Short() {
		t.Skip("builds the binary")
	}
	work := t.TempDir()
	bin := buildSkillcTags(t, "skillc_testhooks")
	repo := filepath.Join(work, "repo")
	for _, f := range gen.Repo(gen.Size{Packs: 30, Instances: 20, Runs: 200}) {
		p := filepath.Join(repo, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	parent := filepath.Join(work, "out")
	out := filepath.Join(parent, "rendered")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "previous.yaml"), []byte("kind: Previous\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A render skillc wrote (only such a DIR is replaced): its manifest lists previous.yaml.
	if err := os.WriteFile(filepath.Join(out, render.ManifestName), render.EncodeManifest([]string{"previous.yaml"}, "dev"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, out)

	// start runs the binary with the pause hook and returns once it is paused mid-write.
	start := func(t *testing.T) *proc {
		hook := filepath.Join(work, "paused")
		os.Remove(hook)
		p := &proc{cmd: exec.Command(bin, "compile", "-o", out, repo), done: make(chan struct{})}
		p.cmd.Env = append(os.Environ(), pauseHookEnv+"="+hook)
		p.cmd.Stderr = &p.stderr
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { p.err = p.cmd.Wait(); close(p.done) }()
		for {
			if b, err := os.ReadFile(hook); err == nil && len(b) > 0 {
				p.tmp = string(b)
				if _, err := os.Stat(p.tmp); err != nil || !strings.HasPrefix(filepath.Base(p.tmp), ".rendered.skillc-tmp-") {
					t.Fatalf("paused with temporary directory %q: %v", p.tmp, err)
				}
				return p
			}
			select {
			case <-p.done: // a run that exits before pausing is a bug: report it, do not wait
				t.Fatalf("exited before pausing (%v): %s", p.err, p.stderr.String())
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			p := start(t)
			if err := p.cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			<-p.done
			if code := p.cmd.ProcessState.ExitCode(); code != tc.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tc.code, p.stderr.String())
			}
			if msg := p.stderr.String(); !strings.Contains(msg, "interrupted") || strings.Contains(msg, "goroutine ") {
				t.Errorf("stderr %q", msg)
			}
			if snapshot(t, out) != before {
				t.Error("an interrupted run changed DIR")
			}
			assertOnlyEntry(t, parent, "rendered")
		})
	}
	t.Run("SIGKILL then rerun", func(t *testing.T) {
		p := start(t)
		if err := p.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		<-p.done
		if _, err := os.Stat(p.tmp); err != nil {
			t.Fatalf("kill -9 cannot clean up, yet %s is gone: %v", p.tmp, err)
		}
		if snapshot(t, out) != before {
			t.Error("a killed run changed DIR")
		}
		rerun := exec.Command(bin, "compile", "-o", out, repo)
		if b, err := rerun.CombinedOutput(); err != nil {
			t.Fatalf("rerun: %v\n%s", err, b)
		}
		assertOnlyEntry(t, parent, "rendered")
		if _, err := os.Stat(filepath.Join(out, "previous.yaml")); !errors.Is(err, os.ErrNotExist) {
			t.Error("the rerun did not replace DIR")
		}
	})
}

// proc is a skillc process started by a test.
type proc struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	tmp    string        // the temporary directory it paused in
	done   chan struct{} // closed when it has exited (err and cmd.ProcessState are then set)
	err    error
}

// errorClass is one message format the loaders and validators can raise as an input error.
type errorClass struct {
	pos    string // file:line of the call site
	format string
}

// errorClasses collects the input-error message formats of the compile package: the format
// strings of Diag, d.fail, diag, fmt.Errorf and errors.New calls and of Diagnostic literals with
// SeverityError. Formats that are only a verb ("%s", "%v") pass another message on and are skipped.
func errorClasses(t *testing.T) []errorClass {
	t.Helper()
	fset := token.NewFileSet()
	var paths []string
	for _, dir := range []string{"api", "source", "compile", "krm"} { // where input is read and checked
		p, err := filepath.Glob(dir + "/*.go")
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p...)
	}
	var out []errorClass
	add := func(e ast.Expr) {
		lit, ok := e.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil || strings.Trim(s, "%sv ") == "" {
			return
		}
		p := fset.Position(lit.Pos())
		out = append(out, errorClass{fmt.Sprintf("%s:%d", p.Filename, p.Line), s})
	}
	for _, path := range paths {
		// Serializing and exporting report internal failures, not input errors.
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				name := ""
				switch fn := n.Fun.(type) {
				case *ast.Ident:
					name = fn.Name
				case *ast.SelectorExpr:
					name = fn.Sel.Name
				}
				idx := map[string]int{"Diag": 1, "fail": 2, "diagAt": 2, "Errorf": 0, "New": 0}[name]
				if _, ok := map[string]bool{"Diag": true, "fail": true, "diagAt": true, "Errorf": true, "New": true}[name]; ok && len(n.Args) > idx {
					add(n.Args[idx])
				}
			case *ast.CompositeLit:
				var msg ast.Expr
				isError := false
				for _, el := range n.Elts {
					kv, ok := el.(*ast.KeyValueExpr)
					if !ok {
						continue
					}
					switch key, _ := kv.Key.(*ast.Ident); {
					case key == nil:
					case key.Name == "Severity":
						switch v := kv.Value.(type) {
						case *ast.Ident:
							isError = v.Name == "SeverityError"
						case *ast.SelectorExpr:
							isError = v.Sel.Name == "SeverityError"
						}
					case key.Name == "Message":
						msg = kv.Value
						if call, ok := msg.(*ast.CallExpr); ok && len(call.Args) > 0 {
							msg = call.Args[0]
						}
					}
				}
				if isError && msg != nil {
					add(msg)
				}
			}
			return true
		})
	}
	return out
}

// formatRE turns a format into a pattern that matches its messages.
func formatRE(format string) *regexp.Regexp {
	re := regexp.QuoteMeta(format)
	re = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]`).ReplaceAllString(re, `.*`)
	return regexp.MustCompile(re)
}

// classesCoveredByTests are input-error classes whose inputs are built by Go tests rather than
// committed under fixtures/invalid (hostile archives, huge files), with the test that shows each.
var classesCoveredByTests = map[string]string{
	"%s %s is also compiled by skillc (from %s): two objects with one id, of which the cluster would keep one. Fix: rename or remove this one": "cmd/skillc TestPassThroughBuild, TestPassThroughFn",
	"archive is %d bytes, over the %d MiB limit":                                                  "compile TestReadZipRefusesNonZipAndHuge",
	"archive has %d entries, over the limit of %d files":                                          "compile FuzzReadZip seeds; compile TestReadZipRefusesNonZipAndHuge (more than 1000 files)",
	"archive has more than %d files":                                                              "compile TestReadZipRefusesNonZipAndHuge",
	"entry %q appears twice":                                                                      "compile TestReadZipMemory/duplicate",
	"entry %q: %v":                                                                                "compile TestHostileInputsBoundedMemory/zip_bomb_with_a_lying_header",
	"archive expands to more than %d MiB (declared by %q)":                                        "compile TestHostileInputsBoundedMemory/zip_bomb",
	"archive expands to more than %d MiB (refused while reading %q)":                              "compile TestReadZipMemory/bomb (stored entries whose headers add up)",
	"entry %q is a symlink: refused":                                                              "compile TestReadZipMemory/symlink",
	"entry %q has an absolute path: refused":                                                      "compile TestReadZipMemory/absolute_path",
	"entry %q has a backslash in its path: refused":                                               "compile TestReadZipMemory/backslash",
	"entry %q leaves the package with \"..\": refused":                                            "compile TestReadZipMemory/zip_slip",
	"no SKILL.md at the root or under one top folder":                                             "compile TestReadZipMemory/no_SKILL.md",
	"more than %d documents in the inputs: refused":                                               "compile TestTotalDocumentsLimit",
	"YAML aliases in these inputs expand to more than %d nodes or %d MiB of text in all: refused": "compile TestHostileInputsBoundedMemory/aliases_add_up_across_documents",
	"more than %d documents in one file: refused":                                                 "compile TestHostileInputsBoundedMemory/too_many_documents",
	"file is larger than %d MiB":                                                                  "compile TestHostileInputsBoundedMemory/file_too_large",
	"document has more than %d YAML elements (%d separators): refused before parsing":             "compile TestHostileInputsBoundedMemory/a_million_elements_in_2_MiB",
	"is a symlink: not followed inside a directory (name the target explicitly)":                  "cmd/skillc TestSymlinksNotFollowedInWalks",
	"not a regular file (%v): not read inside a directory":                                        "compile TestWalkRefusals",
	"%s is a symlink: refused in a SKILL.md package":                                              "compile TestPackageDirRefusalsMemory/symlink",
	"package has more than %d files":                                                              "compile TestPackageDirRefusalsMemory/too_many_files",
	"package is larger than %d MiB":                                                               "compile TestPackageDirRefusalsMemory/too_large",
	"reading SKILL.md package: %w":                                                                "compile TestPackageDirRefusalsMemory",
	"SkillPack %q renders a ConfigMap of %d bytes, over Kubernetes' 1 MiB limit; largest: %s":     "compile TestConfigMapTooLarge",
	"the sidecar tools manifest of %s %s/%s is %d bytes, over upstream's %d-byte budget (ensureSidecarToolsConfigMap): fewer tools, or shorter descriptions and parameter schemas": "compile TestSidecarToolsManifestBudget",
	"expected a config.kubernetes.io/v1 ResourceList (what kustomize and kpt send); to compile files, use skillc compile":                                                          "cmd/skillc TestFnInputLimitsMemory/two_documents, TestFn/not_a_ResourceList",
	"more than %d items in the ResourceList: refused":                                    "cmd/skillc TestFnInputLimitsMemory/too_many_items",
	"expected a Kubernetes object (a mapping with apiVersion and kind), got %s":          "cmd/skillc TestFnInputLimitsMemory/an_item_that_is_not_an_object",
	"expected a CompilerConfig (a mapping), got %s":                                      "cmd/skillc TestFnInputLimitsMemory/functionConfig_not_a_mapping",
	"CompilerConfig %s is among the resources and %s is the function's config: keep one": "cmd/skillc TestFn/a_CompilerConfig_among_the_items_too",
	"functionConfig must be a %s/v1alpha1 CompilerConfig, got %s %s%s":                   "cmd/skillc TestFn/functionConfig_of_another_kind",
	"removing kustomize annotations: %w":                                                 "kyaml re-encoding a node the Reader parsed: an internal failure, not an input",
	"encoding %s %s: %w":                                                                 "kyaml re-encoding a node the Reader parsed: an internal failure, not an input",
	"re-reading %s %s: %w":                                                               "kyaml re-parsing skillc's own output: an internal failure, not an input",
	"skillc build writes nothing":                                                        "kustomize build never writes through its file system: a guard, not an input",
	"%s %s is in the package already and was not generated by skillc fn (no %s: %s annotation): remove it, or move it out of the package, and render again": "krm TestPlaceGeneratedConflict, cmd/skillc TestKptInPlace",
	"annotating %s %s: %w":            "kyaml setting an annotation on skillc's own output: an internal failure, not an input",
	"reading: %v":                     "stdin read errors: not reproducible from a test",
	"internal: cannot decode into %s": "a bug in a Go type, not an input",
	"internal: map key %s":            "a bug in a Go type, not an input",
}

// classesWithoutCase is the backlog: input-error classes that have neither a fixture under
// fixtures/invalid nor a test above. It only shrinks: a class that gains a case must leave it.
var classesWithoutCase = map[string]bool{
	// Unreachable from input today: no float field; paramEnvName only yields valid names.
	"expected a number, got %s":   true,
	"param %q becomes env %q: %s": true,
}

// TestEveryErrorClassHasACase: every input-error message format in api/, source/, compile/ and krm/ is shown by a golden
// file under golden/invalid (as the CLI prints it), by a named Go test, or is on the backlog; a new class without a case
// fails here.
func TestEveryErrorClassHasACase(t *testing.T) {
	goldens, err := filepath.Glob("golden/invalid/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, g := range goldens {
		b, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, strings.Split(string(b), "\n")...)
	}
	seen := map[string]bool{}
	for _, c := range errorClasses(t) {
		if seen[c.format] {
			continue
		}
		seen[c.format] = true
		// As the CLI prints it: a library's setting named by its flag (asFlags).
		re := formatRE(asFlags(diag.Diagnostics{{File: "f", Message: c.format}})[0].Message)
		inGolden := slices.ContainsFunc(lines, re.MatchString)
		_, byTest := classesCoveredByTests[c.format]
		switch {
		case inGolden && classesWithoutCase[c.format]:
			t.Errorf("%s: %q now has a golden case: remove it from classesWithoutCase", c.pos, c.format)
		case !inGolden && !byTest && !classesWithoutCase[c.format]:
			t.Errorf("%s: input error %q has no case: add fixtures/invalid/<case> (or a test, listed in classesCoveredByTests)", c.pos, c.format)
		}
	}
	for _, m := range []map[string]bool{classesWithoutCase, keysSet(classesCoveredByTests)} {
		for f := range m {
			if !seen[f] {
				t.Errorf("%q is listed but no longer raised: remove it", f)
			}
		}
	}
	t.Logf("%d error classes, %d on the backlog", len(seen), len(classesWithoutCase))
}

func keysSet(m map[string]string) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

// TestShippedBinaryHasNoTestHook: skillc as built (go build, make build, a release) does not
// contain the pause hook: neither its variable's name nor its code. Built with -tags
// skillc_testhooks it does, so the check can see it when it is there.
func TestShippedBinaryHasNoTestHook(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary twice")
	}
	for _, tc := range []struct {
		tags string
		want bool
	}{{"", false}, {"skillc_testhooks", true}} {
		data, err := os.ReadFile(buildSkillcTags(t, tc.tags))
		if err != nil {
			t.Fatal(err)
		}
		if got := bytes.Contains(data, []byte(pauseHookEnv)); got != tc.want {
			t.Errorf("go build -tags %q: contains %s = %v, want %v", tc.tags, pauseHookEnv, got, tc.want)
		}
	}
}
