package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// TestWriterConcurrentProcesses: 12 `skillc compile -o` processes into one DIR at once, of two
// different sources, all exit 0, and DIR ends as exactly one of the two renders (as a single run
// writes it) with nothing left beside it: the writers serialise on a lock of DIR's parent.
func TestWriterConcurrentProcesses(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no flock: concurrent writers into one DIR are unsupported")
	}
	bin := buildSkillc(t)
	sources := [][]string{{"skills/", "fixtures/default/"}, {"fixtures/seed-k8s-ops"}}
	refs := t.TempDir()
	want := make([]string, len(sources))
	for i, src := range sources {
		dir := filepath.Join(refs, string(rune('a'+i)))
		if out, err := exec.Command(bin, append([]string{"compile", "-o", dir}, src...)...).CombinedOutput(); err != nil {
			t.Fatalf("reference render %v: %v\n%s", src, err, out)
		}
		want[i] = snapshot(t, dir)
	}
	if want[0] == want[1] {
		t.Fatal("the two sources render the same: the test could not tell them apart")
	}
	parent := t.TempDir()
	out := filepath.Join(parent, "rendered")
	const writers = 12
	var wg sync.WaitGroup
	outputs := make([][]byte, writers)
	errs := make([]error, writers)
	for i := range writers {
		wg.Go(func() {
			cmd := exec.Command(bin, append([]string{"compile", "-o", out}, sources[i%2]...)...)
			outputs[i], errs[i] = cmd.CombinedOutput()
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("writer %d: %v\n%s", i, err, outputs[i])
		}
	}
	assertOnlyEntry(t, parent, "rendered")
	if got := snapshot(t, out); got != want[0] && got != want[1] {
		t.Errorf("DIR is neither render:\n%s", got)
	}
	if _, err := os.Stat(out); err != nil {
		t.Fatal(err)
	}
}
