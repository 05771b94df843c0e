package main

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The real kpt (preinstalled; `go install` of kpt fails here) runs skillc fn as an exec function
// over the example package kustomize/kpt, in place, as `kpt fn render` and `kpt fn eval` do.

// kptBin is kpt on PATH, or a skip that says so.
func kptBin(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("kpt")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("kpt is not installed, and under CI=true a missing tool fails (the GitHub workflow installs it; these machines have it): %v", err)
		}
		t.Skipf("kpt is not installed (the tests run kpt fn render and eval with skillc as an exec function): %v", err)
	}
	return p
}

// kptPackage copies kustomize/kpt into a temporary folder, its mutator made an exec of skillc
// (kpt would pull the image otherwise), with edit applied to each file's content.
func kptPackage(t *testing.T, skillc string, edit func(name, content string) string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "pkg")
	src := filepath.Join("kustomize", "kpt")
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		s := string(b)
		if rel == "Kptfile" {
			s = regexp.MustCompile(`(?m)^(\s*)- image: .*$`).ReplaceAllString(s, "${1}- exec: "+skillc+" fn")
		}
		if edit != nil {
			s = edit(rel, s)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), []byte(s), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// packageFiles reads every file of a folder.
func packageFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func runKpt(t *testing.T, kpt string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(kpt, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func TestKptInPlace(t *testing.T) {
	kpt := kptBin(t)
	skillc := buildSkillc(t)
	generated := []string{
		"generated/team-a/configmap-skillpack-cluster-triage.yaml",
		"generated/team-a/job-triage-1.yaml",
		"generated/team-a/role-sympozium-skill-cluster-triage-triage-1.yaml",
		"generated/team-a/rolebinding-sympozium-skill-cluster-triage-triage-1.yaml",
		"generated/team-a/serviceaccount-sympozium-run-triage-1.yaml",
	}

	// renderTwice renders the package twice: the second render must change no byte.
	renderTwice := func(t *testing.T, args func(dir string) []string, edit func(name, content string) string) (before, after map[string]string) {
		dir := kptPackage(t, skillc, edit)
		before = packageFiles(t, dir)
		if out, err := runKpt(t, kpt, args(dir)...); err != nil {
			t.Fatalf("first run: %v\n%s", err, out)
		}
		first := packageFiles(t, dir)
		if out, err := runKpt(t, kpt, args(dir)...); err != nil {
			t.Fatalf("second run: %v\n%s", err, out)
		}
		if diff := cmp.Diff(first, packageFiles(t, dir)); diff != "" {
			t.Errorf("a second run changed the package (-first +second):\n%s", diff)
		}
		return before, first
	}
	render := func(dir string) []string { return []string{"fn", "render", "--allow-exec", dir} }

	for _, tc := range []struct {
		name string
		args func(dir string) []string
		edit func(name, content string) string
	}{
		{name: "render", args: render},
		{name: "render with keepSources", args: render, edit: func(name, s string) string {
			return strings.Replace(s, "  identity: per-run", "  identity: per-run\n  keepSources: true", 1)
		}},
		{name: "eval --fn-config", args: func(dir string) []string {
			// kpt fn eval --exec takes one path: arguments go through a script.
			script := filepath.Join(filepath.Dir(dir), "skillc-fn.sh")
			if err := os.WriteFile(script, []byte("#!/bin/sh\nexec "+skillc+" fn\n"), 0o755); err != nil {
				t.Fatal(err)
			}
			return []string{"fn", "eval", "--exec", script, "--fn-config", filepath.Join(dir, "skillc.yaml"), dir}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, after := renderTwice(t, tc.args, tc.edit)
			// Sources, config and Kptfile are kept byte for byte; the output is beside them.
			for name, content := range before {
				if after[name] != content {
					t.Errorf("%s changed or was removed:\n%s", name, after[name])
				}
			}
			for _, name := range generated {
				if !strings.Contains(after[name], "app.kubernetes.io/managed-by: skillc") || !strings.Contains(after[name], "skillc.dev/generated-by:") {
					t.Errorf("%s: not generated by skillc fn:\n%s", name, after[name])
				}
			}
			if got, want := len(after), len(before)+len(generated); got != want {
				t.Errorf("%d files after the run, want %d: %v", got, want, keys(after))
			}
		})
	}

	t.Run("what renders is what compile prints", func(t *testing.T) {
		dir := kptPackage(t, skillc, nil)
		if out, err := runKpt(t, kpt, render(dir)...); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		want, stderr, code := execute(t, "compile", "--config", filepath.Join("kustomize", "kpt", "skillc.yaml"),
			filepath.Join("kustomize", "kpt", "skills.yaml"), filepath.Join("kustomize", "kpt", "team-a.yaml"))
		if code != 0 {
			t.Fatalf("compile: exit %d\n%s", code, stderr)
		}
		var docs []string
		for _, name := range generated {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			docs = append(docs, string(b))
		}
		got := objectsByID(t, strings.Join(docs, "---\n"))
		for _, o := range got {
			// What fn adds to say it generated the object; compile does not.
			meta, _ := o["metadata"].(map[string]any)
			if a, ok := meta["annotations"].(map[string]any); ok {
				delete(a, "skillc.dev/generated-by")
				if len(a) == 0 {
					delete(meta, "annotations")
				}
			}
		}
		if diff := cmp.Diff(objectsByID(t, want), got); diff != "" {
			t.Errorf("(-compile +kpt):\n%s", diff)
		}
	})

	t.Run("denied: nothing written, results name the source", func(t *testing.T) {
		dir := kptPackage(t, skillc, func(name, s string) string {
			if name != "skills.yaml" {
				return s
			}
			return strings.Replace(s, "resources: [events]", "resources: [events, secrets]", 1)
		})
		before := packageFiles(t, dir)
		results := t.TempDir()
		out, err := runKpt(t, kpt, "fn", "render", "--allow-exec", "--results-dir", results, dir)
		if err == nil {
			t.Fatalf("kpt fn render succeeded on a denied package:\n%s", out)
		}
		if diff := cmp.Diff(before, packageFiles(t, dir)); diff != "" {
			t.Errorf("a denied render changed the package:\n%s", diff)
		}
		b, err := os.ReadFile(filepath.Join(results, "results.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"severity: error", "kind: SkillPack", "name: cluster-triage", "path: spec.sidecar.rbac[2].verbs", "path: skills.yaml", "rule: RBAC-04", "exitCode: 1"} {
			if !strings.Contains(string(b), want) {
				t.Errorf("kpt's results lack %q:\n%s", want, b)
			}
		}
	})

	t.Run("refused: an object skillc did not generate would be replaced", func(t *testing.T) {
		dir := kptPackage(t, skillc, nil)
		job := "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: triage-1\n  namespace: team-a\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: x, image: busybox:1.36}]\n"
		if err := os.WriteFile(filepath.Join(dir, "job.yaml"), []byte(job), 0o644); err != nil {
			t.Fatal(err)
		}
		before := packageFiles(t, dir)
		out, err := runKpt(t, kpt, render(dir)...)
		if err == nil {
			t.Fatalf("kpt fn render succeeded:\n%s", out)
		}
		// Refused before anything is placed, as in every mode of fn and build: the message names
		// the pass-through file and the compiled object's source.
		if !strings.Contains(out, "job.yaml: Job team-a/triage-1 is also compiled by skillc (from team-a.yaml)") {
			t.Errorf("no refusal in:\n%s", out)
		}
		if diff := cmp.Diff(before, packageFiles(t, dir)); diff != "" {
			t.Errorf("a refused render changed the package:\n%s", diff)
		}
	})
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
