package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skillc-dev/skillc/internal/memtest"
	"github.com/skillc-dev/skillc/source"
)

// TestOneLoaderForEveryCommand feeds the same hostile input to compile, check, diff (as a source
// tree and as a render), fn (as a ResourceList item) and build (as a kustomization's resource) and
// expects the same refusal from source's Reader: exit 2, the same message, nothing on stdout
// (check prints its report there: the message).
// compile, check and diff name the file and line; fn names <stdin> and the line in the
// ResourceList; build names the file and line too: its file system runs the Reader over every
// YAML file before kustomize's own parser sees it (which would expand aliases and drop tags).
// build walks a document whole, not as a SkillPack or AgentRun, so an alias refusal names no
// field path there (wantBuild).
func TestOneLoaderForEveryCommand(t *testing.T) {
	const run = "apiVersion: sympozium.ai/v1alpha1\nkind: AgentRun\nmetadata: {name: r, namespace: dev}\n"
	const job = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j, namespace: dev}\n"
	for _, tc := range []struct {
		name      string
		doc       string
		want      string
		wantBuild string // build's message, when it differs from want
		notFn     bool   // two documents: not one ResourceList item (a ResourceList is one document)
	}{
		{"elements counted before parsing", run + "spec: {instanceRef: i, task: {steps: [" + strings.Repeat("1,", source.MaxYAMLElements) + "1]}}\n",
			"document has more than 250000 YAML elements", "", false},
		{"one big scalar aliased 2000 times", run + "status: {big: &big " + strings.Repeat("x", 100_000) + "}\nspec: {instanceRef: i, task: {steps: [" +
			strings.Repeat("*big, ", 1999) + "*big]}}\n", "spec.task: YAML aliases expand to more than 1 MiB of text: refused",
			"in.yaml:1: YAML aliases expand to more than 1 MiB of text: refused", false},
		{"an anchor of an earlier document", job + "spec: {x: &a 1}\n---\n" + run + "spec: {instanceRef: i, task: *a}\n",
			"alias *a refers to an anchor of an earlier document", "", true},
		{"an unknown tag", run + "spec: {instanceRef: i, task: !!python/object:os.system x}\n", `YAML tag "!!python/object:os.system" is not supported`, "", false},
		{"a NUL byte", run + "spec: {instanceRef: i, task: \"a\x00b\"}\n", "control character U+0000 is not allowed in YAML", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "in.yaml")
			writeFile(t, file, tc.doc)
			writeFile(t, filepath.Join(dir, "kustomization.yaml"), "resources: [in.yaml]\n")
			other := filepath.Join(t.TempDir(), "empty.yaml")
			writeFile(t, other, "")
			cmds := map[string]struct {
				stdin string
				args  []string
			}{
				"compile":       {"", []string{"compile", file}},
				"check":         {"", []string{"check", file}},
				"diff (new)":    {"", []string{"diff", other, file}},
				"diff (old)":    {"", []string{"diff", file, other}},
				"fn":            {resourceList("", tc.doc), []string{"fn"}},
				"compile stdin": {tc.doc, []string{"compile", "-"}},
			}
			if tc.notFn {
				delete(cmds, "fn")
			}
			cmds["build"] = struct {
				stdin string
				args  []string
			}{"", []string{"build", dir}}
			for name, c := range cmds {
				want := tc.want
				if name == "build" && tc.wantBuild != "" {
					want = tc.wantBuild
				}
				out, stderr, code := executeStdin(t, c.stdin, c.args...)
				if name == "check" {
					stderr, out = out+stderr, ""
				}
				if name == "fn" && code == 2 {
					// fn's refusal is a ResourceList of results, without items (kpt reads it).
					failureResults(t, out)
					out = ""
				}
				if code != 2 || out != "" {
					t.Errorf("%s: exit %d, %d bytes on stdout; want exit 2 and nothing", name, code, len(out))
				}
				if !strings.Contains(stderr, want) {
					t.Errorf("%s: stderr %q, want %q", name, firstLine(stderr), want)
				}
			}
		})
	}
}

// TestDiffBoundedMemory: diff reads a render under compile's limits (issue 11: an 8 MiB flat list
// that compile refuses made diff use 3.4 GB). The refusal allocates a small multiple of the file.
func TestDiffBoundedMemory(t *testing.T) {
	memtest.Bounded(t)
	dir := t.TempDir()
	data := "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nx: [" + strings.Repeat("1,", 4<<20) + "1]\n"
	writeFile(t, filepath.Join(dir, "old.yaml"), data)
	writeFile(t, filepath.Join(dir, "new.yaml"), "")
	var stderr string
	var code int
	n := memtest.Allocated(func() {
		_, stderr, code = execute(t, "diff", filepath.Join(dir, "old.yaml"), filepath.Join(dir, "new.yaml"))
	})
	if code != 2 || !strings.Contains(stderr, "old.yaml:1: document has more than 250000 YAML elements") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if limit := uint64(2*len(data)) + 16<<20; n > limit {
		t.Errorf("allocated %d MiB, over %d MiB", n>>20, limit>>20)
	}
	t.Logf("%d KiB allocated for a %d KiB render", n>>10, len(data)>>10)
	if _, err := os.Stat(filepath.Join(dir, "new.yaml")); err != nil {
		t.Fatal(err)
	}
}
