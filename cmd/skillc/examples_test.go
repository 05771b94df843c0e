package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	yaml "go.yaml.in/yaml/v3"
)

// workflowStep is a step of a workflow's job or of a composite action.
type workflowStep struct {
	Name string            `yaml:"name"`
	Env  map[string]string `yaml:"env"`
	Run  string            `yaml:"run"`
}

// workflow is the part of a GitHub Actions workflow, or of a composite action (action.yml:
// runs.steps), the tests read.
type workflow struct {
	Env  map[string]string `yaml:"env"`
	Jobs map[string]struct {
		Env   map[string]string `yaml:"env"`
		Steps []workflowStep    `yaml:"steps"`
	} `yaml:"jobs"`
	Runs struct {
		Steps []workflowStep `yaml:"steps"`
	} `yaml:"runs"`
}

// skillcCall is one skillc command line found in a workflow's run scripts, its variables expanded.
type skillcCall struct {
	step string
	args []string // without "skillc"
}

var (
	// A skillc invocation: the word skillc at the start of a command, up to the end of that
	// command (a pipe, a redirection, a list operator or the end of the line).
	skillcCommand = regexp.MustCompile(`(?m)(?:^|[\s(;&|])skillc ([^|&;<>)\n]*)`)
	actionsExpr   = regexp.MustCompile(`\$\{\{[^}]*\}\}`)
)

// skillcCalls is findSkillcCalls for a file that must run skillc.
func skillcCalls(t *testing.T, file string) (*workflow, []skillcCall) {
	t.Helper()
	wf, calls := findSkillcCalls(t, file)
	if len(calls) == 0 {
		t.Fatalf("%s runs no skillc command", file)
	}
	return wf, calls
}

// findSkillcCalls reads a workflow file and returns every skillc command its steps run, with the
// workflow's, job's and step's env expanded (an expression ${{ ... }} or an unknown variable
// becomes the word X).
func findSkillcCalls(t *testing.T, file string) (*workflow, []skillcCall) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var wf workflow
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	type scoped struct {
		jobEnv map[string]string
		step   workflowStep
	}
	var steps []scoped
	for _, job := range wf.Jobs {
		for _, step := range job.Steps {
			steps = append(steps, scoped{job.Env, step})
		}
	}
	for _, step := range wf.Runs.Steps {
		steps = append(steps, scoped{nil, step})
	}
	var calls []skillcCall
	for _, st := range steps {
		env := map[string]string{}
		for _, m := range []map[string]string{wf.Env, st.jobEnv, st.step.Env} {
			for k, v := range m {
				env[k] = actionsExpr.ReplaceAllString(v, "X")
			}
		}
		run := actionsExpr.ReplaceAllString(st.step.Run, "X")
		for _, m := range skillcCommand.FindAllStringSubmatch(run, -1) {
			line := os.Expand(m[1], func(k string) string {
				if v, ok := env[k]; ok {
					return v
				}
				return "X"
			})
			var args []string
			for _, w := range strings.Fields(line) {
				args = append(args, strings.Trim(w, `"'`))
			}
			calls = append(calls, skillcCall{st.step.Name, args})
		}
	}
	return &wf, calls
}

// checkCommandLine parses a skillc command line (without "skillc") against the real command tree:
// the subcommand must exist, its flags parse, no flag is a deprecated spelling (what we ship
// and document uses the new ones: docs/cli.md), and the subcommand accepts the arguments.
func checkCommandLine(args []string) error {
	root := newRootCommand()
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	root.SetErr(io.Discard) // the deprecation lines: reported below instead
	cmd, rest, err := root.Find(args)
	if err != nil {
		return fmt.Errorf("no such subcommand: %w", err)
	}
	if cmd == root && (len(rest) == 0 || !strings.HasPrefix(rest[0], "-")) {
		return errors.New("no such subcommand")
	}
	if err := cmd.ParseFlags(rest); err != nil {
		return err
	}
	var deprecated []string
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if f.Deprecated != "" {
			deprecated = append(deprecated, fmt.Sprintf("--%s is deprecated: %s", f.Name, f.Deprecated))
		}
	})
	if len(deprecated) > 0 {
		return errors.New(strings.Join(deprecated, "; "))
	}
	return cmd.ValidateArgs(cmd.Flags().Args())
}

// TestWorkflowCommands: every skillc command line of the workflows we ship and of the action
// names a subcommand and flags that exist, in their current spelling, and arguments the
// subcommand accepts, so renaming a flag cannot leave the examples broken.
func TestWorkflowCommands(t *testing.T) {
	files, err := filepath.Glob(".github/workflows/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, "kustomize/flux/render.yaml", "action.yml")
	// These run skillc; the others (build, release) may or may not.
	mustRun := map[string]bool{".github/workflows/skillc-pr.yaml": true, "kustomize/flux/render.yaml": true, "action.yml": true}
	for _, file := range files {
		t.Run(path.Base(file), func(t *testing.T) {
			_, calls := findSkillcCalls(t, file)
			if len(calls) == 0 && mustRun[file] {
				t.Fatalf("%s runs no skillc command", file)
			}
			for _, c := range calls {
				if err := checkCommandLine(c.args); err != nil {
					t.Errorf("step %q: skillc %s: %v", c.step, strings.Join(c.args, " "), err)
				}
			}
		})
	}
}

// TestFluxExampleUpToDate runs the example workflow's own check on the committed example: the
// render Flux syncs (kustomize/flux/rendered) is what its sources compile to. When it fails,
// `skillc compile -o kustomize/flux/rendered kustomize/flux/sources` updates it. The Flux
// Kustomization must point at the same folder.
func TestFluxExampleUpToDate(t *testing.T) {
	wf, calls := skillcCalls(t, "kustomize/flux/render.yaml")
	var ran bool
	for _, c := range calls {
		if len(c.args) < 2 || c.args[0] != "compile" || !strings.Contains(strings.Join(c.args, " "), "--verify") {
			continue
		}
		ran = true
		stdout, stderr, code := execute(t, c.args...)
		if code != 0 {
			t.Errorf("skillc %s: exit %d\n%s%s", strings.Join(c.args, " "), code, stdout, stderr)
		}
	}
	if !ran {
		t.Fatal("render.yaml runs no skillc compile --verify")
	}

	data, err := os.ReadFile("kustomize/flux/sync.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	var found bool
	for {
		var doc struct {
			Kind string `yaml:"kind"`
			Spec struct {
				Path  string `yaml:"path"`
				Prune bool   `yaml:"prune"`
				Wait  bool   `yaml:"wait"`
			} `yaml:"spec"`
		}
		if err := dec.Decode(&doc); err != nil {
			break
		}
		if doc.Kind != "Kustomization" {
			continue
		}
		found = true
		if got, want := path.Clean(doc.Spec.Path), path.Clean(wf.Env["RENDERED"]); got != want {
			t.Errorf("Kustomization spec.path %q, the workflow renders to %q", got, want)
		}
		if !doc.Spec.Prune || doc.Spec.Wait {
			t.Errorf("Kustomization prune=%v wait=%v, want prune (runs leave with Git) and no wait (a Job is in progress until its run ends)", doc.Spec.Prune, doc.Spec.Wait)
		}
	}
	if !found {
		t.Error("kustomize/flux/sync.yaml has no Kustomization")
	}
}

// TestActionOptionalFlags: the flags action.yml adds from its inputs (args+=(--flag ...)) exist
// on every skillc subcommand it runs with them, so an input cannot name a flag that is gone.
func TestActionOptionalFlags(t *testing.T) {
	_, calls := skillcCalls(t, "action.yml")
	var added []string
	for _, m := range regexp.MustCompile(`args\+=\((--[a-z-]+)`).FindAllStringSubmatch(mustRead(t, "action.yml"), -1) {
		added = append(added, m[1])
	}
	slices.Sort(added)
	added = slices.Compact(added)
	if len(added) == 0 {
		t.Fatal("action.yml adds no optional flag: the scan is broken")
	}
	var checked int
	for _, c := range calls {
		if len(c.args) == 0 || c.args[0] == "version" {
			continue
		}
		root := newRootCommand()
		cmd, _, err := root.Find(c.args)
		if err != nil || cmd == root {
			continue // TestWorkflowCommands reports it
		}
		for _, flag := range added {
			checked++
			if cmd.Flags().Lookup(strings.TrimPrefix(flag, "--")) == nil {
				t.Errorf("step %q: skillc %s has no flag %s (added from an input)", c.step, cmd.Name(), flag)
			}
		}
	}
	if checked == 0 {
		t.Error("no skillc command of action.yml was checked")
	}
}

// preCommitHook is one hook of .pre-commit-hooks.yaml (strict: a misspelled key fails).
type preCommitHook struct {
	ID            string   `yaml:"id"`
	Name          string   `yaml:"name"`
	Description   string   `yaml:"description"`
	Entry         string   `yaml:"entry"`
	Language      string   `yaml:"language"`
	Args          []string `yaml:"args"`
	PassFilenames *bool    `yaml:"pass_filenames"`
	Files         string   `yaml:"files"`
}

// TestPreCommitHooks: every hook of .pre-commit-hooks.yaml runs a skillc subcommand with flags
// that exist, built by pre-commit from this module (language: golang), over the whole tree
// (pass_filenames: false: a toggle resolves against packs in other files), and the staleness
// hook only compares (--verify), never writes.
func TestPreCommitHooks(t *testing.T) {
	var hooks []preCommitHook
	dec := yaml.NewDecoder(strings.NewReader(mustRead(t, ".pre-commit-hooks.yaml")))
	dec.KnownFields(true)
	if err := dec.Decode(&hooks); err != nil {
		t.Fatalf(".pre-commit-hooks.yaml: %v", err)
	}
	if len(hooks) < 2 {
		t.Fatalf("%d hooks, want the gate and the staleness check", len(hooks))
	}
	subcommands := map[string]bool{}
	for _, h := range hooks {
		words := append(strings.Fields(h.Entry), h.Args...)
		if len(words) < 2 || words[0] != "skillc" {
			t.Errorf("hook %s: entry %q does not run skillc", h.ID, h.Entry)
			continue
		}
		if h.Language != "golang" {
			t.Errorf("hook %s: language %q, want golang (pre-commit builds skillc at the pinned rev)", h.ID, h.Language)
		}
		if h.PassFilenames == nil || *h.PassFilenames {
			t.Errorf("hook %s: pass_filenames must be false: skillc needs the whole source tree", h.ID)
		}
		root := newRootCommand()
		cmd, _, err := root.Find(words[1:])
		if err != nil || cmd == root {
			t.Errorf("hook %s: %s: no such subcommand (%v)", h.ID, h.Entry, err)
			continue
		}
		if err := checkCommandLine(words[1:]); err != nil {
			t.Errorf("hook %s: %s: %v", h.ID, h.Entry, err)
			continue
		}
		subcommands[cmd.Name()] = true
		if cmd.Name() == "compile" && !strings.Contains(h.Entry, "--verify") {
			t.Errorf("hook %s: skillc compile without --verify would rewrite the render in a hook", h.ID)
		}
	}
	if !subcommands["check"] || !subcommands["compile"] {
		t.Errorf("hooks run %v, want check (the gate) and compile --verify (staleness)", subcommands)
	}
	// The usage example in the file's header comment is valid too.
	example := regexp.MustCompile(`(?m)^#\s+- id: (\S+)\n#\s+args: \[(.*)\]$`)
	found := example.FindAllStringSubmatch(mustRead(t, ".pre-commit-hooks.yaml"), -1)
	if len(found) != len(hooks) {
		t.Fatalf("header example shows %d hooks with args, want %d", len(found), len(hooks))
	}
	for _, m := range found {
		i := slices.IndexFunc(hooks, func(h preCommitHook) bool { return h.ID == m[1] })
		if i < 0 {
			t.Errorf("header example: no hook %s", m[1])
			continue
		}
		var args []string
		for _, a := range strings.Split(m[2], ",") {
			args = append(args, strings.TrimSpace(a))
		}
		if err := checkCommandLine(append(strings.Fields(hooks[i].Entry)[1:], args...)); err != nil {
			t.Errorf("header example %s: %v", m[1], err)
		}
	}
}
