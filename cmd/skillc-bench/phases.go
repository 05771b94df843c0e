package main

// skillc-bench phases: how the time of one `skillc compile` splits between its phases, timed
// in-process by calling the packages the command calls, in its order:
//
//	read        source.Walk.Read: the files of the repository
//	decode      source.Load: YAML into api.Inputs
//	build       compile.Build: validate, resolve, build and sort the objects (resolve is not
//	            exported, so it is timed together with build)
//	gate setup  policy.NewGate: the policy library compiled
//	gate        Gate.Check: every object judged
//	serialize   emit.MarshalStream (stdout) or render.Files (-o DIR)
//	write       the stream written to a file, or render.Write (temporary folder, swap)
//
// Each run is a child process doing one compile (to stdout or to -o DIR), so that every run
// starts as the CLI does, with nothing compiled or cached. The one difference from compile.Compile:
// the effective config is api.DefaultConfig (the generated repositories have no CompilerConfig;
// compile.Compile's effectiveConfig is not exported and costs nothing measurable there).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/internal/emit"
	"github.com/skillc-dev/skillc/internal/gen"
	"github.com/skillc-dev/skillc/policy"
	"github.com/skillc-dev/skillc/render"
	"github.com/skillc-dev/skillc/source"
)

// phaseStat is one phase of one run.
type phaseStat struct {
	Name string        `json:"name"`
	Wall time.Duration `json:"wall"`
	CPU  time.Duration `json:"cpu"` // the process's user + system time, all threads
	// HeapAlloc is the heap after the phase (live objects and garbage not yet collected: no GC is
	// forced, so the phases run as in the CLI); Allocated is what the phase allocated (TotalAlloc).
	HeapAlloc uint64 `json:"heapAlloc"`
	Allocated uint64 `json:"allocated"`
}

// phaseRun is one child's compile.
type phaseRun struct {
	Mode    string      `json:"mode"` // "stdout" or "dir"
	Objects int         `json:"objects"`
	Bytes   int         `json:"bytes"` // the stream (stdout) or the files' bytes (dir)
	Phases  []phaseStat `json:"phases"`
	// filled in by the parent from the child's rusage
	Wall  time.Duration `json:"-"`
	RSSKB int64         `json:"-"`
}

func phases(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("skillc-bench phases", flag.ContinueOnError)
	fs.SetOutput(stderr)
	size := fs.Int("size", 1, "size of the generated repository, as a multiple of the reference size (-packs 100 -instances 250 -runs 1000)")
	n := fs.Int("n", 3, "runs per output mode (the median is reported)")
	work := fs.String("work", "", "working `DIR` (default: a new temporary directory)")
	once := fs.String("once", "", "internal: run one compile of -repo in this process, to `MODE` stdout or dir, and print its phases as JSON")
	repo := fs.String("repo", "", "internal: the repository -once compiles")
	profile := fs.String("buildprofile", "", "write a CPU profile of the build phase of the first run to `FILE` (resolve's share: go tool pprof -top -focus compile.resolve FILE)")
	if err := fs.Parse(args); err != nil || *size < 1 || *n < 1 || fs.NArg() > 0 {
		return 2
	}
	if *once != "" {
		r, err := phaseOnce(context.Background(), *once, *repo, *work, *profile)
		if err != nil {
			fmt.Fprintln(stderr, "skillc-bench phases:", err)
			return 1
		}
		if err := json.NewEncoder(stdout).Encode(r); err != nil {
			fmt.Fprintln(stderr, "skillc-bench phases:", err)
			return 1
		}
		return 0
	}
	dir := *work
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "skillc-bench-phases-"); err != nil {
			fmt.Fprintln(stderr, "skillc-bench phases:", err)
			return 2
		}
		defer os.RemoveAll(dir)
	}
	s := scaled(gen.Size{Packs: 100, Instances: 250, Runs: 1000}, *size)
	runs, err := measurePhases(context.Background(), s, *n, dir, *profile, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "skillc-bench phases:", err)
		return 1
	}
	fmt.Fprint(stdout, phaseTable(s, runs))
	return 0
}

// measurePhases writes the repository of size s and runs n rounds of one child per mode.
func measurePhases(ctx context.Context, s gen.Size, n int, work, profile string, log io.Writer) ([]phaseRun, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	repo := filepath.Join(work, fmt.Sprintf("p%d-i%d-r%d", s.Packs, s.Instances, s.Runs), "repo")
	if err := writeRepo(repo, s); err != nil {
		return nil, err
	}
	var runs []phaseRun
	for i := range n {
		for _, mode := range []string{"stdout", "dir"} {
			fmt.Fprintf(log, "%s, phases to %s: run %d/%d\n", sizeName(s), mode, i+1, n)
			var out bytes.Buffer
			args := []string{"phases", "-once", mode, "-repo", repo, "-work", filepath.Dir(repo)}
			if profile != "" && len(runs) == 0 {
				args = append(args, "-buildprofile", profile)
			}
			x, err := run(ctx, &out, self, args...)
			if err != nil {
				return nil, err
			}
			var r phaseRun
			if err := json.Unmarshal(out.Bytes(), &r); err != nil {
				return nil, fmt.Errorf("reading a phases run: %w", err)
			}
			r.Wall, r.RSSKB = x.wall, x.rssKB
			runs = append(runs, r)
		}
	}
	return runs, nil
}

// phaseOnce compiles repo once, as skillc compile does, timing each phase; the output goes to
// work/phases-stdout.yaml (mode stdout) or work/phases-out/ (mode dir).
func phaseOnce(ctx context.Context, mode, repo, work, profile string) (phaseRun, error) {
	r := phaseRun{Mode: mode}
	if mode != "stdout" && mode != "dir" {
		return r, fmt.Errorf("-once %q: want stdout or dir", mode)
	}
	if repo == "" || work == "" {
		return r, errors.New("-once needs -repo and -work")
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	lastAlloc := ms.TotalAlloc
	timed := func(name string, f func() error) error {
		cpu0, start := cpuTime(), time.Now()
		err := f()
		p := phaseStat{Name: name, Wall: time.Since(start), CPU: cpuTime() - cpu0}
		runtime.ReadMemStats(&ms)
		p.HeapAlloc, p.Allocated, lastAlloc = ms.HeapAlloc, ms.TotalAlloc-lastAlloc, ms.TotalAlloc
		r.Phases = append(r.Phases, p)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return nil
	}
	var (
		files []source.File
		in    *api.Inputs
		res   *compile.Result
		gate  *policy.Gate
	)
	cfg := api.DefaultConfig()
	steps := []step{
		{"read", func() error {
			var ds error
			files, ds = diagErr(source.Walk{}.Read([]string{repo}, nil))
			return ds
		}},
		{"decode", func() error {
			var ds error
			in, ds = diagErr(source.Load(files))
			if ds == nil && len(in.Configs) > 0 {
				return errors.New("the repository holds a CompilerConfig: phases compiles with the default one")
			}
			return ds
		}},
		{"build (validate, resolve, build)", func() error {
			if profile != "" {
				f, err := os.Create(profile)
				if err != nil {
					return err
				}
				defer f.Close()
				if err := pprof.StartCPUProfile(f); err != nil {
					return err
				}
				defer pprof.StopCPUProfile()
			}
			var ds error
			res, ds = diagErr(compile.Build(in, cfg))
			return ds
		}},
		{"gate setup (policy compiled)", func() error {
			var err error
			gate, err = policy.NewGate(ctx, res.Config, nil, time.Now())
			return err
		}},
		{"gate (objects judged)", func() error {
			rep, err := gate.Check(ctx, res)
			if err == nil && rep.Denied() {
				err = errors.New("the gate denied the repository")
			}
			return err
		}},
	}
	var stream []byte
	var rendered map[string][]byte
	switch mode {
	case "stdout":
		steps = append(steps, step{"serialize (emit.MarshalStream)", func() error {
			var err error
			stream, err = emit.MarshalStream(res.Objects)
			r.Bytes = len(stream)
			return err
		}}, step{"write (stream to a file)", func() error {
			return os.WriteFile(filepath.Join(work, "phases-stdout.yaml"), stream, 0o644)
		}})
	case "dir":
		steps = append(steps, step{"serialize (render.Files)", func() error {
			var err error
			rendered, err = render.Files(res.Objects)
			for _, b := range rendered {
				r.Bytes += len(b)
			}
			return err
		}}, step{"write (render.Write)", func() error {
			return render.Write(ctx, filepath.Join(work, "phases-out"), rendered, render.Options{Inputs: []string{repo}, Version: "skillc-bench"})
		}})
	}
	for _, s := range steps {
		if err := timed(s.name, s.f); err != nil {
			return r, err
		}
	}
	r.Objects = len(res.Objects)
	return r, nil
}

// step is one timed phase.
type step struct {
	name string
	f    func() error
}

// diagErr turns diagnostics into an error when they hold an input error.
func diagErr[T any, D interface{ Err() error }](v T, ds D) (T, error) {
	return v, ds.Err()
}

// cpuTime is the process's user and system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// phaseTable is the medians of every phase over the runs that have it (read to gate: every run;
// serialize and write: the runs of their mode), with each mode's whole process.
func phaseTable(s gen.Size, runs []phaseRun) string {
	var b strings.Builder
	objects, bytesOut := 0, map[string]int{}
	var names []string
	byName := map[string][]phaseStat{}
	for _, r := range runs {
		objects = r.Objects
		bytesOut[r.Mode] = r.Bytes
		for _, p := range r.Phases {
			if _, ok := byName[p.Name]; !ok {
				names = append(names, p.Name)
			}
			byName[p.Name] = append(byName[p.Name], p)
		}
	}
	fmt.Fprintf(&b, "%s: %d objects, stream %.1f MB, files %.1f MB\n\n", sizeName(s), objects, float64(bytesOut["stdout"])/1e6, float64(bytesOut["dir"])/1e6)
	b.WriteString("| phase | median wall | median CPU | heap after (HeapAlloc) | allocated (TotalAlloc Δ) | runs |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|\n")
	for _, name := range names {
		ps := byName[name]
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %d |\n", name,
			fmtDur(medianOf(ps, func(p phaseStat) time.Duration { return p.Wall })),
			fmtDur(medianOf(ps, func(p phaseStat) time.Duration { return p.CPU })),
			fmtBytes(uint64(medianOf(ps, func(p phaseStat) time.Duration { return time.Duration(p.HeapAlloc) }))),
			fmtBytes(uint64(medianOf(ps, func(p phaseStat) time.Duration { return time.Duration(p.Allocated) }))), len(ps))
	}
	b.WriteString("\n| mode | median process wall | median sum of phases | median peak RSS | runs |\n|---|---:|---:|---:|---:|\n")
	for _, mode := range []string{"stdout", "dir"} {
		var rs []phaseRun
		for _, r := range runs {
			if r.Mode == mode {
				rs = append(rs, r)
			}
		}
		if len(rs) == 0 {
			continue
		}
		sum := medianOf(rs, func(r phaseRun) time.Duration {
			var t time.Duration
			for _, p := range r.Phases {
				t += p.Wall
			}
			return t
		})
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %d |\n", modeName(mode), fmtDur(medianOf(rs, func(r phaseRun) time.Duration { return r.Wall })),
			fmtDur(sum), fmtMiB(int64(medianOf(rs, func(r phaseRun) time.Duration { return time.Duration(r.RSSKB) }))), len(rs))
	}
	return b.String()
}

func modeName(mode string) string {
	if mode == "dir" {
		return "-o DIR"
	}
	return mode
}

// medianOf is median for any values.
func medianOf[T any](xs []T, f func(T) time.Duration) time.Duration {
	v := make([]time.Duration, len(xs))
	for i, x := range xs {
		v[i] = f(x)
	}
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func fmtBytes(n uint64) string { return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20)) }
