package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skillc-dev/skillc/internal/memtest"
	"github.com/skillc-dev/skillc/source"
)

// TestCheckDirInputLimitsMemory: compile --verify -o DIR reads the render under compile's input limits
// and shows no content it did not write. A listed file over 32 MiB is refused (exit 2) without
// being read; a listed file that holds something else than a skillc object is named as changed,
// its content never printed; DIR is unchanged either way.
func TestCheckDirInputLimitsMemory(t *testing.T) {
	memtest.Bounded(t)
	const fixture = "fixtures/target-argocd"
	const job = "ops/job-cert-audit.yaml"
	const secret = "hunter2-do-not-print"
	for _, tc := range []struct {
		name     string
		mutate   func(t *testing.T, dir string)
		code     int
		stdout   string // a substring; "" for none at all
		stderr   string // a substring
		maxAlloc uint64
	}{
		{"a listed file over 32 MiB", func(t *testing.T, dir string) {
			if err := os.Truncate(filepath.Join(dir, job), source.MaxFileSize+1); err != nil { // sparse: no disk used
				t.Fatal(err)
			}
		}, 2, "", job + " is larger than 32 MiB (compile's input limit): not a file skillc wrote", 16 << 20},
		{"a listed file with foreign content", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, job), "password: "+secret+"\n")
		}, 1, "Files a/DIR/" + job + " and b/DIR/" + job + " differ (the old one is not an object skillc wrote: its content is not shown)\n", "1 changed, 0 missing, 0 extra", 0},
		{"a listed file relabelled", func(t *testing.T, dir string) {
			data, err := os.ReadFile(filepath.Join(dir, job))
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(dir, job), strings.ReplaceAll(string(data), "app.kubernetes.io/managed-by: skillc", "app.kubernetes.io/managed-by: "+secret))
		}, 1, "the old one is not an object skillc wrote", "1 changed", 0},
		{"a listed file with a NUL byte", func(t *testing.T, dir string) {
			appendToFile(t, filepath.Join(dir, job), "# \x00 "+secret+"\n")
		}, 1, "the old one is not an object skillc wrote", "1 changed", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "rendered")
			if _, stderr, code := execute(t, "compile", "-o", dir, "--target", "argocd", fixture); code != 0 {
				t.Fatalf("render: exit %d: %s", code, stderr)
			}
			tc.mutate(t, dir)
			before := snapshot(t, dir)
			var stdout, stderr string
			var code int
			n := memtest.Allocated(func() {
				stdout, stderr, code = execute(t, "compile", "--verify", "-o", dir, "--target", "argocd", fixture)
			})
			stdout = strings.ReplaceAll(stdout, filepath.ToSlash(dir), "DIR")
			if code != tc.code || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("exit %d, stderr %q; want exit %d, %q", code, stderr, tc.code, tc.stderr)
			}
			if tc.stdout == "" && stdout != "" || !strings.Contains(stdout, tc.stdout) {
				t.Errorf("stdout:\n%s\nwant %q", stdout, tc.stdout)
			}
			if strings.Contains(stdout+stderr, secret) {
				t.Errorf("foreign content printed:\n%s%s", stdout, stderr)
			}
			if tc.maxAlloc > 0 && n > tc.maxAlloc {
				t.Errorf("allocated %d MiB, over %d MiB", n>>20, tc.maxAlloc>>20)
			}
			if snapshot(t, dir) != before {
				t.Error("--verify changed DIR")
			}
		})
	}
}

// TestLegacyRenderAliasesNotExpandedMemory: a render without a manifest is recognised file by file by
// reading each with source's Reader and looking its labels up in the node tree. A 1 MiB file
// whose one scalar is aliased 300 times (2 GB of RSS when a YAML-to-JSON decoder read it) is
// refused as a file skillc did not write, by compile -o and --verify alike, in bounded memory.
func TestLegacyRenderAliasesNotExpandedMemory(t *testing.T) {
	memtest.Bounded(t)
	bomb := "kind: ConfigMap\nmetadata: {name: x, namespace: ns, labels: {app.kubernetes.io/managed-by: skillc}}\nbig: &b " +
		strings.Repeat("x", 1<<20) + "\ndata: [" + strings.Repeat("*b, ", 299) + "*b]\n"
	for _, check := range []bool{false, true} {
		dir := filepath.Join(t.TempDir(), "out")
		writeFile(t, filepath.Join(dir, "ns", "configmap-x.yaml"), bomb)
		args := []string{"compile", "-o", dir, "fixtures/seed-minimal"}
		if check {
			args = append(args, "--verify")
		}
		var stdout, stderr string
		var code int
		n := memtest.Allocated(func() { stdout, stderr, code = execute(t, args...) })
		want := dir + ": holds ns/configmap-x.yaml, which skillc did not write"
		if code != 2 || stdout != "" || !strings.HasPrefix(stderr, want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2, %q", args, code, firstLine(stderr), want)
		}
		if limit := uint64(64 << 20); n > limit {
			t.Errorf("%v: allocated %d MiB, over %d MiB", args, n>>20, limit>>20)
		}
	}
}
