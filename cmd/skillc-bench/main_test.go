package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/skillc-dev/skillc/internal/gen"
)

func samples(ds ...time.Duration) []sample {
	var out []sample
	for _, d := range ds {
		out = append(out, sample{wall: d, cpu: 2 * d, rssKB: int64(d / time.Millisecond)})
	}
	return out
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []time.Duration
		want time.Duration
	}{
		{"none", nil, 0},
		{"one", []time.Duration{7}, 7},
		{"odd, unsorted", []time.Duration{9, 1, 5}, 5},
		{"even: mean of the middle two", []time.Duration{4, 1, 10, 2}, 3},
		{"an outlier does not move it", []time.Duration{1, 1, 100, 1, 1}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := median(samples(tc.in...), func(s sample) time.Duration { return s.wall }); got != tc.want {
				t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestParseStats(t *testing.T) {
	for _, tc := range []struct {
		name, in       string
		objects, evals int
		wantErr        bool
	}{
		{"check json", `{"findings":[],"stats":{"objects":13320,"evaluations":1572,"reused":11750}}`, 13320, 1572, false},
		{"no stats", `{"findings":[]}`, 0, 0, true},
		{"not json", `skillc: error`, 0, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, e, err := parseStats([]byte(tc.in))
			if (err != nil) != tc.wantErr || o != tc.objects || e != tc.evals {
				t.Errorf("parseStats = %d, %d, %v; want %d, %d, error %v", o, e, err, tc.objects, tc.evals, tc.wantErr)
			}
		})
	}
}

func TestParseSizes(t *testing.T) {
	got, err := parseSizes("1000, 2000,4000")
	if err != nil || !cmp.Equal(got, []int{1000, 2000, 4000}) {
		t.Errorf("parseSizes = %v, %v", got, err)
	}
	for _, bad := range []string{"", "1000,x", "0", "-5"} {
		if _, err := parseSizes(bad); err == nil {
			t.Errorf("parseSizes(%q): no error", bad)
		}
	}
}

func TestSplitDocs(t *testing.T) {
	got := splitDocs([]byte("a: 1\n---\nb: 2\n---\n\n---\nc: |\n  x\n"))
	want := []string{"a: 1", "b: 2", "c: |\n  x\n"}
	if len(got) != len(want) {
		t.Fatalf("%d documents, want %d: %q", len(got), len(want), got)
	}
	for i := range want {
		if string(got[i]) != want[i] {
			t.Errorf("document %d = %q, want %q", i, got[i], want[i])
		}
	}
}

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.yaml"), filepath.Join(dir, "out.yaml")
	if err := os.WriteFile(in, []byte("kind: A\nb: 1\n---\nkind: B\nlist: [x, z]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := roundTrip(in, out); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(out)
	want := "b: 1\nkind: A\n---\nkind: B\nlist:\n- x\n- z\n"
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

// TestTargetsAndTable: the targets judge the medians, and the table shows every series and verdict.
func TestTargetsAndTable(t *testing.T) {
	ref := gen.Size{Packs: 100, Instances: 250, Runs: 1000}
	double := gen.Size{Packs: 200, Instances: 500, Runs: 2000}
	runs := gen.Size{Packs: 100, Instances: 250, Runs: 2000}
	ms := time.Millisecond
	build := func(skillc, skillc2 time.Duration, evalsRuns int) report {
		r := report{
			series: []series{
				{tool: "skillc compile -o DIR", size: ref, objects: 13320, bytes: 11_400_000, samples: samples(skillc, skillc+ms, skillc-ms)},
				{tool: "sigs.k8s.io/yaml decode+encode", size: ref, samples: samples(2200 * ms)},
				{tool: "conftest test", size: ref, samples: samples(60 * time.Second)},
				{tool: "skillc compile -o DIR", size: double, samples: samples(skillc2)},
			},
			evals: []evalStat{{ref, 13320, 1572}, {runs, 17320, evalsRuns}, {double, 26620, 3122}},
		}
		r.targets = targets(r, ref, double, runs)
		return r
	}
	good := build(800*ms, 1600*ms, 1572)
	if !good.passed() {
		t.Errorf("all targets met, but not passed:\n%s", good.markdown())
	}
	table := good.markdown()
	for _, want := range []string{"| P=100 I=250 R=1000 | 13320 | 11.4 MB | skillc compile -o DIR | 0.80 s | 1.60 s | 1 MiB | 1 MiB | 3 |", "1572 → 1572", "| PASS |"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	for _, tc := range []struct {
		name string
		r    report
		fail string
	}{
		{"slow", build(1200*ms, 2400*ms, 1572), "skillc compile + gate + write"},
		{"superlinear", build(800*ms, 1800*ms, 1572), "double size"},
		{"evaluations grow with runs", build(800*ms, 1600*ms, 2000), "twice the runs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.r.passed() {
				t.Fatalf("passed:\n%s", tc.r.markdown())
			}
			for _, line := range strings.Split(tc.r.markdown(), "\n") {
				if strings.Contains(line, tc.fail) && !strings.HasSuffix(line, "| FAIL |") {
					t.Errorf("want FAIL: %s", line)
				}
			}
		})
	}
}

func TestParseMultiples(t *testing.T) {
	for in, want := range map[string][]int{"1,2": {1, 2}, "10, 1,2,2": {1, 2, 10}, "1": {1}} {
		got, err := parseMultiples(in)
		if err != nil || !cmp.Equal(got, want) {
			t.Errorf("parseMultiples(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "2,10", "1,x", "1,0", "1,-10"} {
		if got, err := parseMultiples(bad); err == nil {
			t.Errorf("parseMultiples(%q) = %v, no error", bad, got)
		}
	}
}

// TestScaleTargets: the ratios are taken to the round trip of the same size, the 10× peak RSS is
// judged on the median, and the scale targets fail the run only when not advisory (-strict).
func TestScaleTargets(t *testing.T) {
	ref := gen.Size{Packs: 100, Instances: 250, Runs: 1000}
	ten := scaled(ref, 10)
	s := time.Second
	rss := func(kb ...int64) []sample {
		var out []sample
		for _, k := range kb {
			out = append(out, sample{wall: 20 * s, rssKB: k})
		}
		return out
	}
	r := report{series: []series{
		{tool: "skillc compile -o DIR (gate included)", size: ref, samples: samples(s)},
		{tool: stdoutTool, size: ref, samples: samples(s)},
		{tool: "sigs.k8s.io/yaml decode+encode", size: ref, samples: samples(4 * s)},
		{tool: "skillc compile -o DIR (gate included)", size: ten, samples: rss(800<<10, 200<<10, 250<<10)}, // median 250 MiB, largest 800
		{tool: stdoutTool, size: ten, samples: []sample{{wall: 5 * s, rssKB: 400 << 10}}},
		{tool: "sigs.k8s.io/yaml decode+encode", size: ten, samples: samples(50 * s)},
	}}
	want := map[string]bool{
		"1×: skillc compile to -o DIR / round trip of its stream":  true,  // 0.25 ≤ 0.33
		"10×: skillc compile to -o DIR / round trip of its stream": false, // 0.40 > 0.18
		"10×: skillc compile to stdout / round trip of its stream": true,  // 0.10 ≤ 0.11
		"10×: skillc compile to -o DIR, median peak RSS":           true,
		"10×: skillc compile to stdout, median peak RSS":           false,
		"10×: skillc time at 10× / reference size (-o DIR)":        false, // 20
	}
	for _, advisory := range []bool{true, false} {
		r.targets = scaleTargets(r, ref, []int{1, 2, 10}, advisory)
		got := map[string]bool{}
		for _, tg := range r.targets {
			got[tg.name] = tg.ok
			if tg.advisory != advisory {
				t.Errorf("%s: advisory %v, want %v", tg.name, tg.advisory, advisory)
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("targets (-want +got):\n%s", diff)
		}
		if r.passed() != advisory {
			t.Errorf("advisory %v: passed() = %v", advisory, r.passed())
		}
	}
	table := r.markdown()
	for _, line := range []string{
		"| 10×: skillc compile to -o DIR / round trip of its stream | 0.400 (20.00 s / 50.00 s) | ≤ 0.18 | FAIL |",
		"| 10×: skillc compile to -o DIR, median peak RSS | 250 MiB | ≤ 300 MiB | PASS |",
	} {
		if !strings.Contains(table, line) {
			t.Errorf("table lacks %q:\n%s", line, table)
		}
	}
	r.targets = scaleTargets(r, ref, []int{1, 2}, true)
	if len(r.targets) != 1 {
		t.Errorf("without 10×, want only the 1× target: %+v", r.targets)
	}
}

// TestPhaseTable: each phase's medians over the runs that have it, in the order of the runs.
func TestPhaseTable(t *testing.T) {
	ms := time.Millisecond
	run := func(mode string, wall time.Duration, last string) phaseRun {
		return phaseRun{Mode: mode, Objects: 7, Bytes: 2_000_000, Wall: 2 * wall, RSSKB: 100 << 10, Phases: []phaseStat{
			{Name: "read", Wall: wall, CPU: wall / 2, HeapAlloc: 3 << 20, Allocated: 5 << 20},
			{Name: last, Wall: 10 * ms, CPU: 10 * ms},
		}}
	}
	got := phaseTable(gen.Size{Packs: 1, Instances: 2, Runs: 3}, []phaseRun{
		run("stdout", 100*ms, "write (stream)"), run("dir", 300*ms, "write (dir)"), run("stdout", 200*ms, "write (stream)"),
	})
	for _, line := range []string{
		"P=1 I=2 R=3: 7 objects, stream 2.0 MB, files 2.0 MB",
		"| read | 0.20 s | 0.10 s | 3 MiB | 5 MiB | 3 |",
		"| write (stream) | 0.01 s | 0.01 s | 0 MiB | 0 MiB | 2 |",
		"| write (dir) | 0.01 s | 0.01 s | 0 MiB | 0 MiB | 1 |",
		"| stdout | 0.30 s | 0.16 s | 100 MiB | 2 |",
		"| -o DIR | 0.60 s | 0.31 s | 100 MiB | 1 |",
	} {
		if !strings.Contains(got, line) {
			t.Errorf("table lacks %q:\n%s", line, got)
		}
	}
	if strings.Index(got, "write (stream)") > strings.Index(got, "write (dir)") {
		t.Errorf("phases out of order:\n%s", got)
	}
}
