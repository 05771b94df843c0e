package main

import (
	"os"
	"path"
	"regexp"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

// workflow is the part of a GitHub Actions workflow the tests read.
type workflow struct {
	Env  map[string]string `yaml:"env"`
	Jobs map[string]struct {
		Env   map[string]string `yaml:"env"`
		Steps []struct {
			Name string            `yaml:"name"`
			Env  map[string]string `yaml:"env"`
			Run  string            `yaml:"run"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
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

// skillcCalls reads a workflow file and returns every skillc command its steps run, with the
// workflow's, job's and step's env expanded (an expression ${{ ... }} or an unknown variable
// becomes the word X).
func skillcCalls(t *testing.T, file string) (*workflow, []skillcCall) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var wf workflow
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	var calls []skillcCall
	for _, job := range wf.Jobs {
		for _, step := range job.Steps {
			env := map[string]string{}
			for _, m := range []map[string]string{wf.Env, job.Env, step.Env} {
				for k, v := range m {
					env[k] = actionsExpr.ReplaceAllString(v, "X")
				}
			}
			run := actionsExpr.ReplaceAllString(step.Run, "X")
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
				calls = append(calls, skillcCall{step.Name, args})
			}
		}
	}
	if len(calls) == 0 {
		t.Fatalf("%s runs no skillc command", file)
	}
	return &wf, calls
}

// TestWorkflowCommands: every skillc command line of the workflows we ship names a subcommand
// and flags that exist and arguments the subcommand accepts, so renaming a flag cannot leave
// the examples broken.
func TestWorkflowCommands(t *testing.T) {
	for _, file := range []string{".github/workflows/skillc-pr.yaml", "kustomize/flux/render.yaml"} {
		t.Run(path.Base(file), func(t *testing.T) {
			_, calls := skillcCalls(t, file)
			for _, c := range calls {
				root := newRootCommand()
				cmd, rest, err := root.Find(c.args)
				if err != nil || cmd == root {
					t.Errorf("step %q: skillc %s: no such subcommand (%v)", c.step, strings.Join(c.args, " "), err)
					continue
				}
				if err := cmd.ParseFlags(rest); err != nil {
					t.Errorf("step %q: skillc %s: %v", c.step, strings.Join(c.args, " "), err)
					continue
				}
				if err := cmd.ValidateArgs(cmd.Flags().Args()); err != nil {
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
		if len(c.args) < 2 || c.args[0] != "compile" || !strings.Contains(strings.Join(c.args, " "), "--check") {
			continue
		}
		ran = true
		stdout, stderr, code := execute(t, c.args...)
		if code != 0 {
			t.Errorf("skillc %s: exit %d\n%s%s", strings.Join(c.args, " "), code, stdout, stderr)
		}
	}
	if !ran {
		t.Fatal("render.yaml runs no skillc compile --check")
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
