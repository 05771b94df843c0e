// Package memtest marks the tests that assert allocation bounds. The race detector drops
// sync.Pool items at random (pooled JSON and YAML buffers are allocated again), so allocation
// counts vary from run to run under -race: there such a test is skipped, and make test runs every
// test named *Memory again without -race, where the bounds hold exactly.
package memtest

import (
	"runtime"
	"strings"
	"testing"
)

// Bounded marks t as an allocation-bound test: skipped under -race, and its name must end in
// Memory so that make test's run without -race finds it.
func Bounded(t *testing.T) {
	t.Helper()
	if top, _, _ := strings.Cut(t.Name(), "/"); !strings.HasSuffix(top, "Memory") {
		t.Fatalf("%s asserts allocations: its name must end in Memory (make test runs those without -race)", top)
	}
	if raceEnabled {
		t.Skip("allocation bounds are checked without -race (make test runs the *Memory tests so)")
	}
}

// Allocated returns the bytes f allocates (runtime.MemStats.TotalAlloc, every goroutine: the tests
// that use it do not run in parallel).
func Allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
