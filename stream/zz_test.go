package stream

import (
	"context"
	"os"
	"runtime"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/internal/gen"
	"github.com/skillc-dev/skillc/policy"
	"github.com/skillc-dev/skillc/source"
)

func TestZZHeap(t *testing.T) {
	if os.Getenv("ZZHEAP") == "" {
		t.Skip()
	}
	var files []source.File
	for _, f := range gen.Repo(gen.Size{Packs: 1000, Instances: 2500, Runs: 10000}) {
		files = append(files, source.File{Name: f.Name, Data: f.Data})
	}
	p, ds := compile.PrepareFiles(files, compile.Options{})
	files = nil
	g, err := policy.NewGate(context.Background(), p.Base.Config, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var peak uint64
	stop := make(chan bool)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse)
		}
	}()
	res, err := Run(context.Background(), p, g, ds, Options{Render: true})
	if err != nil {
		t.Fatal(err)
	}
	close(stop)
	t.Logf("peak heap in use %d MiB", peak>>20)
	runtime.GC()
	f, _ := os.Create("/tmp/heap.pprof")
	pprof.WriteHeapProfile(f)
	f.Close()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	t.Logf("docs %d findings %d heap %d MiB", len(res.Docs), len(res.Report.Findings), m.HeapAlloc>>20)
}
