package policy

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/internal/memtest"
	"github.com/skillc-dev/skillc/source"
)

// slowPolicy visits every triple of the input's nodes and finds nothing: cubic in the object,
// with nothing OPA's load-time checks or the memory budget would stop.
const slowPolicy = `package slow

import rego.v1

warn contains "never" if {
	walk(input, [a, _])
	walk(input, [b, _])
	walk(input, [c, _])
	walk(input, [d, _])
	count(a) + count(b) + count(c) + count(d) < 0
}
`

// TestPolicyTimeout: a policy folder's rules that run past spec.limits.policyTimeout are stopped,
// and the compile is refused with an input error at the folder, not an internal error.
func TestPolicyTimeout(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "slow.rego"), []byte(slowPolicy), 0o644); err != nil {
		t.Fatal(err)
	}
	files, _ := source.ReadPaths([]string{"../fixtures/seed-minimal"}, nil)
	res, ds := compile.Compile(files, compile.Options{})
	if err := ds.Err(); err != nil {
		t.Fatal(err)
	}
	res.Config.Spec.Limits.PolicyTimeout = "200ms"
	g, err := NewGate(context.Background(), res.Config, NamedFolders([]string{dir}), today)
	if err != nil {
		t.Fatal(err)
	}
	_, err = g.Check(context.Background(), res)
	ds, ok := err.(diag.Diagnostics)
	if !ok || len(ds) != 1 || ds[0].File != dir || ds[0].Field != FieldPolicyFolder ||
		!strings.HasPrefix(ds[0].Message, "its rules ran longer than spec.limits.policyTimeout (200ms) and were stopped") {
		t.Fatalf("err = %#v", err)
	}
}

// TestPolicyRangeBombMemory: issue 25's reproducer, count(numbers.range(1, 4000000)) in a policy
// folder (78 s and 1.5 GB before), is refused when the folder is loaded, at its line, having
// allocated little.
func TestPolicyRangeBombMemory(t *testing.T) {
	memtest.Bounded(t)
	dir := t.TempDir()
	bomb := "package bomb\n\nimport rego.v1\n\ndeny contains \"x\" if count(numbers.range(1, 30000000)) > 0\n"
	if err := os.WriteFile(filepath.Join(dir, "bomb.rego"), []byte(bomb), 0o644); err != nil {
		t.Fatal(err)
	}
	var err error
	alloc := memtest.Allocated(func() {
		_, err = NewGate(context.Background(), api.DefaultConfig(), NamedFolders([]string{dir}), today)
	})
	ds, ok := err.(diag.Diagnostics)
	if !ok || len(ds) != 1 || ds[0].File != filepath.Join(dir, "bomb.rego") || ds[0].Line != 5 || ds[0].Field != "numbers.range" {
		t.Fatalf("err = %v", err)
	}
	if max := uint64(64 << 20); alloc > max {
		t.Errorf("refusing allocated %d MiB, over %d MiB", alloc>>20, max>>20)
	}
}

// TestWatchHeap: the watchdog fires, once, when the heap grows past its budget.
func TestWatchHeap(t *testing.T) {
	var fired atomic.Int32
	stop := watchHeap(64<<20, func() { fired.Add(1) })
	big := make([][]byte, 0, 128)
	for i := 0; i < 128 && fired.Load() == 0; i++ {
		big = append(big, make([]byte, 1<<20))
		for j := range big[i] {
			big[i][j] = byte(j) // touch it: allocated and live
		}
		time.Sleep(time.Millisecond)
	}
	for i := 0; i < 1000 && fired.Load() == 0; i++ {
		time.Sleep(5 * time.Millisecond)
	}
	stop()
	if fired.Load() != 1 {
		t.Errorf("fired %d times after the heap grew by %d MiB past a 64 MiB budget", fired.Load(), len(big))
	}
}
