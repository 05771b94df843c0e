package compile

import (
	"runtime"
	"testing"

	"github.com/skillc-dev/skillc/internal/gen"
	"github.com/skillc-dev/skillc/internal/memtest"
)

// TestBuildUnitsMemory bounds what building the reference repository's units allocates per
// object emitted, in bytes and in allocations: the build runs for every object of every compile,
// and its allocations were most of its cost (the garbage collector's share with them). Measured
// with Go 1.26: 3.0 KiB and 13.6 allocations an object (3.8 KiB and 21.8 before the build was
// made cheaper); the bounds leave room for a new Go's maps, not for a return to the old build.
func TestBuildUnitsMemory(t *testing.T) {
	memtest.Bounded(t)
	p, ds := PrepareFiles(genFiles(gen.Size{Packs: 100, Instances: 250, Runs: 1000}), Options{})
	if p == nil {
		t.Fatal(ds)
	}
	objects := 0
	bytes, allocs := perItem(func() int {
		for i := range p.Units() {
			u, d := p.Unit(i)
			if d.HasErrors() {
				t.Fatal(d)
			}
			objects += len(u.Objects) + len(u.StandIns)
		}
		return objects
	})
	t.Logf("%d objects: %.0f bytes and %.1f allocations an object", objects, bytes, allocs)
	if bytes > 3.4*1024 {
		t.Errorf("building allocated %.0f bytes an object, over 3.4 KiB", bytes)
	}
	if allocs > 16 {
		t.Errorf("building made %.1f allocations an object, over 16", allocs)
	}
}

// TestOriginsOfMemory bounds what formatting the origin records allocates per origin: the gate
// formats an object's records (OriginsOf) for every object it has a finding on. Measured with Go
// 1.26: about 230 bytes and 1.8 allocations an origin (350 and 4.3 before).
func TestOriginsOfMemory(t *testing.T) {
	memtest.Bounded(t)
	res, ds := Compile(genFiles(gen.Size{Packs: 100, Instances: 250, Runs: 1000}), Options{})
	if res == nil {
		t.Fatal(ds)
	}
	origins := 0
	bytes, allocs := perItem(func() int {
		for _, objs := range [][]Object{res.Objects, res.StandIns} {
			for _, o := range objs {
				origins += len(res.OriginsOf(o))
			}
		}
		return origins
	})
	t.Logf("%d origins: %.0f bytes and %.1f allocations an origin", origins, bytes, allocs)
	if bytes > 280 {
		t.Errorf("formatting allocated %.0f bytes an origin, over 280", bytes)
	}
	if allocs > 2.5 {
		t.Errorf("formatting made %.1f allocations an origin, over 2.5", allocs)
	}
}

// perItem runs f, which returns how many items it made, and returns what it allocated per item:
// bytes and allocations.
func perItem(f func() int) (bytes, allocs float64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	n := f()
	runtime.ReadMemStats(&after)
	return float64(after.TotalAlloc-before.TotalAlloc) / float64(n), float64(after.Mallocs-before.Mallocs) / float64(n)
}
