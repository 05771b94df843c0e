// Command skillc-bench compares skillc with what users run instead, on generated repositories of
// the reference size (-packs 100 -instances 250 -runs 1000, about 13,000 objects) and of twice
// that size, and checks the performance targets:
//
//	skillc-bench [-n 5] [-work DIR] [-kustomize]
//
// Each tool runs as a child process, N times; the table shows median wall and CPU time and the
// peak resident set (from the child's rusage). It exits 1 when a target fails.
//
//	skillc-bench roundtrip IN OUT
//
// is the baseline it times: every document of a YAML stream decoded and encoded again through
// sigs.k8s.io/yaml, the plain Go round trip.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/skillc-dev/skillc/internal/emit"
	"github.com/skillc-dev/skillc/internal/gen"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "roundtrip" {
		if len(os.Args) != 4 {
			fmt.Fprintln(os.Stderr, "usage: skillc-bench roundtrip IN OUT")
			os.Exit(2)
		}
		if err := roundTrip(os.Args[2], os.Args[3]); err != nil {
			fmt.Fprintln(os.Stderr, "skillc-bench:", err)
			os.Exit(1)
		}
		return
	}
	os.Exit(bench(os.Args[1:], os.Stdout, os.Stderr))
}

// roundTrip decodes every document of in and encodes it again, as a Go program that reads and
// rewrites manifests with sigs.k8s.io/yaml would.
func roundTrip(in, out string) error {
	data, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	for i, doc := range splitDocs(data) {
		y, err := emit.RoundTrip(doc)
		if err != nil {
			return fmt.Errorf("document %d: %w", i+1, err)
		}
		if i > 0 {
			b.WriteString("---\n")
		}
		b.Write(y)
	}
	return os.WriteFile(out, b.Bytes(), 0o644)
}

// splitDocs splits a YAML stream at its "---" lines.
func splitDocs(data []byte) [][]byte {
	var docs [][]byte
	for _, d := range bytes.Split(append([]byte("\n"), data...), []byte("\n---\n")) {
		if len(bytes.TrimSpace(d)) > 0 {
			docs = append(docs, bytes.TrimPrefix(d, []byte("\n")))
		}
	}
	return docs
}

type config struct {
	n, conftestN     int
	work             string
	bin              string // folder of skillc, conftest, kustomize
	policy           string
	size             gen.Size
	kustomize        bool
	kustomizeSizes   []int
	kustomizeTimeout time.Duration
	skipConftest     bool
}

func bench(args []string, stdout, stderr io.Writer) int {
	var c config
	fs := flag.NewFlagSet("skillc-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&c.n, "n", 5, "runs per tool and size (the median is reported)")
	fs.IntVar(&c.conftestN, "conftest-n", 1, "runs of conftest per size (a run takes about a minute at the reference size)")
	fs.StringVar(&c.work, "work", "", "working `DIR` for repositories and outputs (default: a new temporary directory)")
	fs.StringVar(&c.bin, "bin", "bin", "`DIR` holding skillc, conftest and kustomize")
	fs.StringVar(&c.policy, "policy", "policy", "policy `DIR` given to conftest (skillc embeds the same library)")
	fs.IntVar(&c.size.Packs, "packs", 100, "SkillPacks of the reference size")
	fs.IntVar(&c.size.Instances, "instances", 250, "instances of the reference size")
	fs.IntVar(&c.size.Runs, "runs", 1000, "AgentRuns of the reference size")
	fs.BoolVar(&c.kustomize, "kustomize", false, "also time kustomize build passing the rendered stream through, at growing sizes")
	sizes := fs.String("kustomize-sizes", "1000,2000,4000", "object counts for -kustomize")
	fs.DurationVar(&c.kustomizeTimeout, "kustomize-timeout", 3*time.Minute, "stop growing kustomize's input once a build takes longer")
	fs.BoolVar(&c.skipConftest, "skip-conftest", false, "do not time conftest (its target is then not checked)")
	if err := fs.Parse(args); err != nil || c.n < 1 || c.conftestN < 1 {
		return 2
	}
	var err error
	if c.kustomizeSizes, err = parseSizes(*sizes); err != nil {
		fmt.Fprintln(stderr, "skillc-bench: -kustomize-sizes:", err)
		return 2
	}
	if c.work == "" {
		if c.work, err = os.MkdirTemp("", "skillc-bench-"); err != nil {
			fmt.Fprintln(stderr, "skillc-bench:", err)
			return 2
		}
		defer os.RemoveAll(c.work)
	}
	rep, err := measure(context.Background(), c, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "skillc-bench:", err)
		return 2
	}
	fmt.Fprint(stdout, rep.markdown())
	if !rep.passed() {
		return 1
	}
	return 0
}

func parseSizes(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		var n int
		if _, err := fmt.Sscan(strings.TrimSpace(f), &n); err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive number", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// sample is one timed child process.
type sample struct {
	wall, cpu time.Duration
	rssKB     int64
}

// series is the samples of one tool at one size.
type series struct {
	tool    string
	size    gen.Size
	objects int
	bytes   int // rendered stream size
	samples []sample
	note    string
}

func (s series) medianWall() time.Duration {
	return median(s.samples, func(x sample) time.Duration { return x.wall })
}
func (s series) medianCPU() time.Duration {
	return median(s.samples, func(x sample) time.Duration { return x.cpu })
}

func (s series) peakRSS() int64 {
	var m int64
	for _, x := range s.samples {
		m = max(m, x.rssKB)
	}
	return m
}

// median of the samples' values (the mean of the middle two for an even count).
func median(xs []sample, f func(sample) time.Duration) time.Duration {
	if len(xs) == 0 {
		return 0
	}
	v := make([]time.Duration, len(xs))
	for i, x := range xs {
		v[i] = f(x)
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// run times one child process; its stdout goes to out (nil: discarded).
// timedKustomize runs bin/kustomize with args, stopped after -kustomize-timeout; a stopped run is no
// error but a note saying so, which also ends the growing series.
func (c config) timedKustomize(ctx context.Context, out io.Writer, args ...string) (sample, string, error) {
	tctx, cancel := context.WithTimeout(ctx, c.kustomizeTimeout)
	defer cancel()
	x, err := run(tctx, out, filepath.Join(c.bin, "kustomize"), args...)
	if err != nil && tctx.Err() != nil {
		return x, fmt.Sprintf("stopped after %s", c.kustomizeTimeout), nil
	}
	return x, "", err
}

func run(ctx context.Context, out io.Writer, name string, args ...string) (sample, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	var errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = out, &errb
	if out == nil {
		cmd.Stdout = io.Discard
	}
	start := time.Now()
	err := cmd.Run()
	s := sample{wall: time.Since(start)}
	if ps := cmd.ProcessState; ps != nil {
		s.cpu = ps.UserTime() + ps.SystemTime()
		if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
			s.rssKB = ru.Maxrss // kilobytes on Linux
		}
	}
	if err != nil {
		msg := errb.String()
		if len(msg) > 2000 {
			msg = msg[len(msg)-2000:]
		}
		return s, fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, msg)
	}
	return s, nil
}

// report is everything measured.
type report struct {
	series    []series
	evals     []evalStat
	kustomize []series
	targets   []target
}

type evalStat struct {
	size               gen.Size
	objects, evaluated int
}

type target struct {
	name, value, limit string
	ok                 bool
}

func (r report) passed() bool {
	for _, t := range r.targets {
		if !t.ok {
			return false
		}
	}
	return true
}

func writeRepo(dir string, s gen.Size) error {
	for _, f := range gen.Repo(s) {
		path := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func sizeName(s gen.Size) string { return fmt.Sprintf("P=%d I=%d R=%d", s.Packs, s.Instances, s.Runs) }

// checkStats runs skillc check --output json and reads its evaluation stats.
func checkStats(ctx context.Context, skillc, repo string) (objects, evaluations int, err error) {
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, skillc, "check", "--output", "json", repo)
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			return 0, 0, fmt.Errorf("skillc check: %w", err)
		}
	}
	return parseStats(out.Bytes())
}

// parseStats reads the stats of `skillc check --output json`.
func parseStats(data []byte) (objects, evaluations int, err error) {
	var doc struct {
		Stats *struct{ Objects, Evaluations int } `json:"stats"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return 0, 0, fmt.Errorf("reading skillc check --output json: %w", err)
	}
	if doc.Stats == nil {
		return 0, 0, errors.New("reading skillc check --output json: no stats")
	}
	return doc.Stats.Objects, doc.Stats.Evaluations, nil
}

func countDocs(data []byte) int { return len(splitDocs(data)) }

func measure(ctx context.Context, c config, log io.Writer) (report, error) {
	var r report
	self, err := os.Executable()
	if err != nil {
		return r, err
	}
	skillc := filepath.Join(c.bin, "skillc")
	double := gen.Size{Packs: 2 * c.size.Packs, Instances: 2 * c.size.Instances, Runs: 2 * c.size.Runs}
	moreRuns := gen.Size{Packs: c.size.Packs, Instances: c.size.Instances, Runs: 2 * c.size.Runs}
	rendered := map[gen.Size]string{}
	type tool struct {
		s   series
		cmd []string
		n   int
		ok  func(error) bool
	}
	var tools []*tool
	for _, size := range []gen.Size{c.size, double} {
		dir := filepath.Join(c.work, fmt.Sprintf("p%d-i%d-r%d", size.Packs, size.Instances, size.Runs))
		repo, out := filepath.Join(dir, "repo"), filepath.Join(dir, "rendered.yaml")
		if err := writeRepo(repo, size); err != nil {
			return r, err
		}
		var stream bytes.Buffer
		if _, err := run(ctx, &stream, skillc, "compile", repo); err != nil {
			return r, err
		}
		if err := os.WriteFile(out, stream.Bytes(), 0o644); err != nil {
			return r, err
		}
		rendered[size] = out
		s := series{size: size, objects: countDocs(stream.Bytes()), bytes: stream.Len()}
		with := func(name string) series { s.tool = name; return s }
		tools = append(tools,
			&tool{with("skillc compile -o DIR (gate included)"), []string{skillc, "compile", "-o", filepath.Join(dir, "out"), repo}, c.n, nil},
			&tool{with("sigs.k8s.io/yaml decode+encode"), []string{self, "roundtrip", out, filepath.Join(dir, "roundtrip.yaml")}, c.n, nil})
		if !c.skipConftest {
			// conftest exits 1 when a rule denies; the timing is what matters here.
			tools = append(tools, &tool{with("conftest test --all-namespaces"),
				[]string{filepath.Join(c.bin, "conftest"), "test", "--all-namespaces", "--no-color", "-p", c.policy, out}, c.conftestN, exitedWith(1)})
		}
	}
	// Rounds of one run of every tool: load from other processes on a shared machine then spreads
	// over all tools instead of skewing one tool's series.
	for i := range max(c.n, c.conftestN) {
		for _, t := range tools {
			if i >= t.n {
				continue
			}
			fmt.Fprintf(log, "%s, %s: run %d/%d\n", sizeName(t.s.size), t.s.tool, i+1, t.n)
			x, err := run(ctx, nil, t.cmd[0], t.cmd[1:]...)
			if err != nil && (t.ok == nil || !t.ok(err)) {
				return r, err
			}
			t.s.samples = append(t.s.samples, x)
		}
	}
	for _, t := range tools {
		r.series = append(r.series, t.s)
	}
	for _, size := range []gen.Size{c.size, moreRuns, double} {
		repo := filepath.Join(c.work, fmt.Sprintf("p%d-i%d-r%d", size.Packs, size.Instances, size.Runs), "repo")
		if size == moreRuns {
			if err := writeRepo(repo, size); err != nil {
				return r, err
			}
		}
		objs, evals, err := checkStats(ctx, skillc, repo)
		if err != nil {
			return r, err
		}
		r.evals = append(r.evals, evalStat{size, objs, evals})
	}
	if c.kustomize {
		k, err := measureKustomize(ctx, c, rendered[double], log)
		if err != nil {
			return r, err
		}
		r.kustomize = k
	}
	r.targets = targets(r, c.size, double, moreRuns)
	return r, nil
}

func exitedWith(code int) func(error) bool {
	return func(err error) bool {
		var ee *exec.ExitError
		return errors.As(err, &ee) && ee.ExitCode() == code
	}
}

// measureKustomize times kustomize build with the first K documents of a rendered stream as its
// one resource, for growing K, stopping after the first build over the timeout.
func measureKustomize(ctx context.Context, c config, stream string, log io.Writer) ([]series, error) {
	data, err := os.ReadFile(stream)
	if err != nil {
		return nil, err
	}
	docs := splitDocs(data)
	var out []series
	for _, k := range c.kustomizeSizes {
		k = min(k, len(docs))
		dir := filepath.Join(c.work, fmt.Sprintf("kustomize-%d", k))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		part := append(bytes.Join(docs[:k], []byte("\n---\n")), '\n') // splitDocs took the newlines
		if err := os.WriteFile(filepath.Join(dir, "rendered.yaml"), part, 0o644); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte("resources:\n- rendered.yaml\n"), 0o644); err != nil {
			return nil, err
		}
		fmt.Fprintf(log, "kustomize build, %d objects\n", k)
		x, stopped, err := c.timedKustomize(ctx, nil, "build", dir)
		if err != nil {
			return nil, err
		}
		s := series{tool: "kustomize build (rendered stream as one resource)", objects: k, bytes: len(part), samples: []sample{x}, note: stopped}
		if out = append(out, s); stopped != "" {
			break
		}
	}
	// kustomize running skillc fn as an exec KRM function on the sources, at fractions of the
	// reference size.
	skillc, err := filepath.Abs(filepath.Join(c.bin, "skillc"))
	if err != nil {
		return nil, err
	}
	for _, div := range []int{10, 5, 5 / 2} {
		size := gen.Size{Packs: max(c.size.Packs/div, 1), Instances: max(c.size.Instances/div, 1), Runs: c.size.Runs / div}
		dir := filepath.Join(c.work, fmt.Sprintf("kustomize-fn-p%d-i%d-r%d", size.Packs, size.Instances, size.Runs))
		if err := writeRepo(dir, size); err != nil {
			return nil, err
		}
		kust := "buildMetadata: [originAnnotations]\ntransformers: [skillc.yaml]\nresources:\n"
		for _, f := range gen.Repo(size) {
			kust += "- " + f.Name + "\n"
		}
		fn := fmt.Sprintf(`apiVersion: skillc.dev/v1alpha1
kind: CompilerConfig
metadata:
  name: platform
  annotations:
    config.kubernetes.io/function: |
      exec: {path: %s, args: [fn]}
`, skillc)
		if err := os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte(kust), 0o644); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, "skillc.yaml"), []byte(fn), 0o644); err != nil {
			return nil, err
		}
		fmt.Fprintf(log, "kustomize build + skillc fn, %s\n", sizeName(size))
		var stream bytes.Buffer
		x, stopped, err := c.timedKustomize(ctx, &stream, "build", "--enable-alpha-plugins", "--enable-exec", dir)
		if err != nil {
			return nil, err
		}
		s := series{tool: "kustomize build + skillc fn (exec transformer on sources)", size: size, objects: countDocs(stream.Bytes()), bytes: stream.Len(), samples: []sample{x}, note: stopped}
		if out = append(out, s); stopped != "" {
			break
		}
	}
	return out, nil
}

func find(r report, tool string, size gen.Size) (series, bool) {
	for _, s := range r.series {
		if strings.HasPrefix(s.tool, tool) && s.size == size {
			return s, true
		}
	}
	return series{}, false
}

// targets are the performance goals, judged on the medians.
func targets(r report, ref, double, moreRuns gen.Size) []target {
	var ts []target
	sk, _ := find(r, "skillc", ref)
	sk2, _ := find(r, "skillc", double)
	rt, _ := find(r, "sigs.k8s.io", ref)
	ts = append(ts, target{"skillc compile + gate + write, reference size", fmtDur(sk.medianWall()), "≤ 1.00 s", sk.medianWall() <= time.Second})
	if cf, ok := find(r, "conftest", ref); ok {
		ratio := float64(sk.medianWall()) / float64(cf.medianWall())
		ts = append(ts, target{"skillc / conftest", fmt.Sprintf("%.3f", ratio), "≤ 0.10", ratio <= 0.1})
	}
	ratio := float64(sk.medianWall()) / float64(rt.medianWall())
	ts = append(ts, target{"skillc / sigs.k8s.io/yaml round trip of its output", fmt.Sprintf("%.3f", ratio), "≤ 0.50", ratio <= 0.5})
	growth := float64(sk2.medianWall()) / float64(sk.medianWall())
	ts = append(ts, target{"skillc time at double size / reference size", fmt.Sprintf("%.2f", growth), "≤ 2.10", growth <= 2.1})
	rss := sk.peakRSS()
	ts = append(ts, target{"skillc peak RSS, reference size", fmtMB(rss), "≤ 200 MB", rss <= 200*1000})
	var evRef, evRuns evalStat
	for _, e := range r.evals {
		switch e.size {
		case ref:
			evRef = e
		case moreRuns:
			evRuns = e
		}
	}
	ts = append(ts, target{"gate evaluations with twice the runs (same packs, instances)",
		fmt.Sprintf("%d → %d", evRef.evaluated, evRuns.evaluated), "equal", evRef.evaluated > 0 && evRef.evaluated == evRuns.evaluated})
	return ts
}

func fmtDur(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }
func fmtMB(kb int64) string         { return fmt.Sprintf("%.0f MB", float64(kb)/1000) }

// markdown renders the report as Markdown tables.
func (r report) markdown() string {
	var b strings.Builder
	b.WriteString("| size | objects | stream | tool | median wall | median CPU | peak RSS | runs |\n")
	b.WriteString("|---|---:|---:|---|---:|---:|---:|---:|\n")
	for _, s := range r.series {
		fmt.Fprintf(&b, "| %s | %d | %.1f MB | %s | %s | %s | %s | %d |\n", sizeName(s.size), s.objects, float64(s.bytes)/1e6,
			s.tool, fmtDur(s.medianWall()), fmtDur(s.medianCPU()), fmtMB(s.peakRSS()), len(s.samples))
	}
	if len(r.evals) > 0 {
		b.WriteString("\n| size | objects | gate evaluations |\n|---|---:|---:|\n")
		for _, e := range r.evals {
			fmt.Fprintf(&b, "| %s | %d | %d |\n", sizeName(e.size), e.objects, e.evaluated)
		}
	}
	if len(r.kustomize) > 0 {
		b.WriteString("\n| kustomize | input | objects out | stream | wall | CPU | peak RSS | note |\n|---|---|---:|---:|---:|---:|---:|---|\n")
		for _, s := range r.kustomize {
			input := fmt.Sprintf("%d rendered objects", s.objects)
			if s.size != (gen.Size{}) {
				input = "sources " + sizeName(s.size)
			}
			fmt.Fprintf(&b, "| %s | %s | %d | %.1f MB | %s | %s | %s | %s |\n", s.tool, input, s.objects, float64(s.bytes)/1e6,
				fmtDur(s.medianWall()), fmtDur(s.medianCPU()), fmtMB(s.peakRSS()), s.note)
		}
	}
	if len(r.targets) > 0 {
		b.WriteString("\n| target | measured | limit | result |\n|---|---:|---:|---|\n")
		for _, t := range r.targets {
			res := "PASS"
			if !t.ok {
				res = "FAIL"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", t.name, t.value, t.limit, res)
		}
	}
	return b.String()
}
