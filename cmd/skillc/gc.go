package main

import (
	"os"
	"runtime/debug"

	"github.com/skillc-dev/skillc/source"
)

// tuneGC sets the collector for a streamed compile or check. Little stays alive in one (the
// inputs, the plan, a few units in flight), but much is allocated and dropped: with Go's default
// (collect whenever the heap has doubled) the collector took about a tenth of the CPU at 10x the
// reference repository. So the heap may grow to five times what is alive, but a collection starts
// before it passes a soft limit of 192 MiB plus twice the inputs' size: peak RSS stays under 300 MiB
// at 10x, with 11% less CPU. GOGC or GOMEMLIMIT in the environment win: nothing is changed. The
// returned function restores what was set before (the tests run many commands in one process).
func tuneGC(files []source.File) (restore func()) {
	_, gogc := os.LookupEnv("GOGC")
	_, limit := os.LookupEnv("GOMEMLIMIT")
	if gogc || limit {
		return func() {}
	}
	var in int64
	for _, f := range files {
		in += int64(len(f.Data))
	}
	pct := debug.SetGCPercent(400)
	lim := debug.SetMemoryLimit(192<<20 + 2*in)
	return func() {
		debug.SetGCPercent(pct)
		debug.SetMemoryLimit(lim)
	}
}
