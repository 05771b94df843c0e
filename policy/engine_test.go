package policy

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/internal/emit"
	"github.com/skillc-dev/skillc/internal/memtest"
	"github.com/skillc-dev/skillc/source"
)

const secret = "SKILLC_TEST_TOKEN_5f2d9c"

// TestPolicyFolderRules: --policy folders are read under the input walks' rules (regular files,
// no symlinks, capped sizes), errors are FILE:LINE and quote no more than a window of the offending
// line, and a folder with no rule skillc can run is an error, not a silent pass.
func TestPolicyFolderRules(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "environ")
	if err := os.WriteFile(outside, []byte("HOME=/root\x00CI_TOKEN="+secret+"\x00"), 0o600); err != nil {
		t.Fatal(err)
	}
	ok := "package team\n\nimport rego.v1\n\ndeny_no_team contains msg if {\n\tinput.kind == \"Job\"\n\tmsg := \"no team\"\n}\n"
	long := "package p\n\nimport rego.v1\n\nx := 1 +* \"" + strings.Repeat("a", 500) + secret + "\"\n"
	tests := []struct {
		name  string
		files map[string]string // name → content; "->target" makes a symlink, "|fifo" a FIFO
		want  []string          // substrings of the error, in order of lines
		noErr bool
	}{
		{name: "suffixed rules run", files: map[string]string{"team.rego": ok}, noErr: true},
		{name: "symlink to a file outside", files: map[string]string{"team.rego": ok, "x.rego": "->" + outside}, want: []string{"x.rego: is a symlink: not followed inside a policy folder"}},
		{name: "symlink to /dev/zero", files: map[string]string{"team.rego": ok, "zero.rego": "->/dev/zero"}, want: []string{"zero.rego: is a symlink"}},
		{name: "symlinked folder", files: map[string]string{"team.rego": ok, "lib": "->" + filepath.Dir(outside)}, want: []string{"lib: is a symlink"}},
		{name: "too large", files: map[string]string{"big.rego": "package p\n# " + strings.Repeat("x", MaxPolicyFileSize)}, want: []string{"big.rego: policy file is larger than 1 MiB: refused"}},
		{name: "parse error quotes a window of its line", files: map[string]string{"bad.rego": long}, want: []string{"bad.rego:5: rego_parse_error: "}},
		{name: "environment as a regular file", files: map[string]string{"env.rego": "HOME=/root\x00CI_TOKEN=" + strings.Repeat("x", 100) + secret}, want: []string{"env.rego:1: rego_parse_error: ", "env.rego:1: rego_parse_error: "}},
		{name: "not UTF-8", files: map[string]string{"latin1.rego": "package p\n# caf\xe9\n"}, want: []string{"latin1.rego:2: not valid UTF-8"}},
		{name: "empty folder", want: []string{"policy folder: no .rego files (tests excluded)"}},
		{name: "only tests", files: map[string]string{"team_test.rego": "package team\n\nimport rego.v1\n\ntest_x if true\n"}, want: []string{"policy folder: no .rego files"}},
		{name: "no runnable rule", files: map[string]string{"a.rego": "package a\n\nimport rego.v1\n\nallow if input.kind == \"Job\"\n\ndenied contains 1 if true\n"}, want: []string{"policy folder: no rule skillc can run (only allow, denied)"}},
		{name: "boolean deny", files: map[string]string{"a.rego": "package a\n\nimport rego.v1\n\ndeny_job if input.kind == \"Job\"\n"}, want: []string{"a.rego:5: deny_job: a single value: a conftest rule is a set of messages (`deny_job contains msg if"}},
		{name: "nested reference", files: map[string]string{"a.rego": "package a\n\nimport rego.v1\n\ndeny.jobs contains \"x\" if true\n"}, want: []string{"a.rego:5: deny.jobs: a conftest rule is a plain name"}},
		{name: "function", files: map[string]string{"a.rego": ok + "\nwarn_x(y) := y\n"}, want: []string{"a.rego:10: warn_x: a function cannot be a conftest rule"}},
		{name: "network builtin", files: map[string]string{"a.rego": ok + "\nwarn contains r.status if { r := http.send({\"method\": \"get\", \"url\": \"http://127.0.0.1:9\"}) }\n"}, want: []string{"a.rego:10: http.send: not available in the rules of a policy folder"}},
		{name: "clock and environment", files: map[string]string{"a.rego": ok + "\nwarn contains sprintf(\"%v %v\", [time.now_ns(), opa.runtime().env])\n"}, want: []string{"a.rego:10: time.now_ns: not available", "a.rego:10: opa.runtime: not available"}},
		{name: "allocating builtins", files: map[string]string{"a.rego": ok + "\nwarn contains \"big\" if count(numbers.range(1, 4000000)) > 0\n\nwarn contains \"net\" if count(net.cidr_expand(\"10.0.0.0/8\")) > 0\n\nwarn contains \"shift\" if bits.lsh(1, 1000000000) > 0\n"}, want: []string{"a.rego:10: numbers.range: not available in the rules of a policy folder: it builds an array", "a.rego:12: net.cidr_expand: not available", "a.rego:14: bits.lsh: not available"}},
		{name: "sprintf width", files: map[string]string{"a.rego": ok + "\nwarn contains sprintf(\"%0999999999d\", [1])\n\nwarn contains sprintf(\"%.*f\", [1])\n\nwarn contains m if { f := input.kind; sprintf(f, [], m) }\n"}, want: []string{"a.rego:10: sprintf: the format \"%0999999999d\" has a width", "a.rego:12: sprintf: the format \"%.*f\"", "a.rego:14: sprintf: the format of sprintf in a policy folder's rules must be a string literal"}},
		{name: "plain sprintf", files: map[string]string{"a.rego": ok + "\nwarn contains sprintf(\"%s: %5d %-10s %.2f\", [input.kind, 1, \"x\", 1.5])\n"}, noErr: true},
		{name: "reserved package", files: map[string]string{"a.rego": "package skillc.pod\n\nimport rego.v1\n\nwarn contains \"x\" if false\n"}, want: []string{"a.rego:1: package: package skillc.pod: the skillc namespace is reserved for the built-in library (which is always run"}},
		{name: "compile error", files: map[string]string{"a.rego": ok + "\nviolation contains m if { m := y }\n"}, want: []string{"a.rego:10: rego_unsafe_var_error: var y is unsafe"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.files {
				p := filepath.Join(dir, name)
				if target, ok := strings.CutPrefix(content, "->"); ok {
					if err := os.Symlink(target, p); err != nil {
						t.Fatal(err)
					}
					continue
				}
				if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := New(context.Background(), map[string]any{}, dir)
			if tt.noErr {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ds diag.Diagnostics
			if !errors.As(err, &ds) {
				t.Fatalf("want diagnostics, got %v", err)
			}
			lines := strings.Split(ds.Error(), "\n")
			if len(lines) != len(tt.want) {
				t.Fatalf("%d lines, want %d:\n%s", len(lines), len(tt.want), ds.Error())
			}
			for i, w := range tt.want {
				if !strings.Contains(lines[i], w) {
					t.Errorf("line %q lacks %q", lines[i], w)
				}
				if !strings.HasPrefix(lines[i], dir) {
					t.Errorf("line %q does not start with the file", lines[i])
				}
			}
			for _, line := range lines {
				if strings.Contains(line, secret) || len(line) > len(dir)+250 {
					t.Errorf("the message quotes too much (%d bytes): %q", len(line), line)
				}
			}
		})
	}
}

// TestPolicyNamedFile: --policy FILE reads one .rego regular file; in skillc fn the name comes
// from the kustomization, so a link or another kind of file is refused without being read.
func TestPolicyNamedFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "team.rego")
	if err := os.WriteFile(good, []byte("package team\n\nimport rego.v1\n\ndeny_x contains \"x\" if false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(dir, "environ")
	if err := os.WriteFile(outside, []byte("CI_TOKEN="+secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "x.rego")
	if err := os.Symlink(outside, link); err != nil {
		t.Fatal(err)
	}
	if _, err := New(context.Background(), map[string]any{}, good); err != nil {
		t.Errorf("a named .rego file: %v", err)
	}
	for path, want := range map[string]string{
		link:                 link + ": policy folder: is a symlink: name the link's target (a folder or a .rego file)",
		outside:              outside + ": policy folder: not a folder or a .rego file",
		"/proc/self/environ": "/proc/self/environ: policy folder: not a folder or a .rego file",
	} {
		_, err := New(context.Background(), map[string]any{}, path)
		if err == nil || err.Error() != want {
			t.Errorf("--policy %s: got %v, want %s", path, err, want)
		}
	}
}

// TestPolicyTokenBudgetMemory: a policy that would cost the parser hundreds of MiB is refused before
// parsing, for a few MiB; the built-in library is far below the budget.
func TestPolicyTokenBudgetMemory(t *testing.T) {
	memtest.Bounded(t)
	dir := t.TempDir()
	src := "package p\n\nx := [" + strings.Repeat("1,", MaxPolicyFileSize/2-20) + "1]\n"
	if err := os.WriteFile(filepath.Join(dir, "list.rego"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := New(context.Background(), map[string]any{}, dir)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "list.rego: policy folder has more than 200000 tokens: refused before parsing") {
		t.Fatalf("got %v", err)
	}
	// The built-in library alone allocates about 8 MiB; parsing the list would add 600 MiB.
	if mib := (after.TotalAlloc - before.TotalAlloc) >> 20; mib > 32 {
		t.Errorf("refusing allocated %d MiB", mib)
	}
	// The library as the gate loads it (its tests are not): a user's folder of that size is
	// ordinary, and must fit the budget four times over.
	lib, _ := filepath.Glob("*.rego")
	total := 0
	for _, f := range lib {
		if isTest(f) {
			continue
		}
		b, _ := os.ReadFile(f)
		total += regoTokens(b)
	}
	if total == 0 || total > MaxPolicyTokens/4 {
		t.Errorf("the built-in library has %d tokens: the budget %d is not calibrated", total, MaxPolicyTokens)
	}
}

// TestQuote: an excerpt is a window of at most maxQuoted bytes, escaped, marked where cut.
func TestQuote(t *testing.T) {
	for _, tt := range []struct {
		s    string
		at   int
		want string
	}{
		{"short", 2, "short"},
		{"tab\there\x00nul", 0, `tab\there\x00nul`},
		{strings.Repeat("a", 50) + "X" + strings.Repeat("b", 100), 50, "…" + strings.Repeat("a", 40) + "X" + strings.Repeat("b", 39) + "…"},
		{"é" + strings.Repeat("z", 100), 0, `\u00e9` + strings.Repeat("z", 78) + "…"},
	} {
		if got := quote(tt.s, tt.at); got != tt.want {
			t.Errorf("quote(%q, %d) = %q, want %q", tt.s, tt.at, got, tt.want)
		}
	}
}

// suffixed is a user policy with every conftest rule name form, and helpers that are not rules.
const suffixed = `package team

import rego.v1

deny contains msg if {
	input.kind == "Job"
	not input.metadata.labels.team
	msg := sprintf("Job %s has no team label", [input.metadata.name])
}

deny_service_account contains msg if {
	input.kind == "ServiceAccount"
	msg := sprintf("ServiceAccount %s: use per-run identities", [input.metadata.name])
}

violation_no_owner contains {"msg": msg} if {
	input.kind == "ConfigMap"
	not input.metadata.annotations.owner
	msg := sprintf("ConfigMap %s has no owner", [input.metadata.name])
}

warn_big_2 contains msg if {
	input.kind == "Job"
	msg := sprintf("Job %s: review its size", [input.metadata.name])
}

allow if true

denied_count := 0
`

// TestConftestAgreesOnSuffixedRules: the real conftest and skillc run the same rules of a policy
// folder that uses deny_<suffix>, violation_<suffix> and warn_<suffix>, with the same verdicts; and
// conftest without --all-namespaces runs none of them (docs/policy.md warns of it, and must go on
// warning while it is true).
func TestConftestAgreesOnSuffixedRules(t *testing.T) {
	if doc, err := os.ReadFile("../docs/policy.md"); err != nil || !strings.Contains(string(doc), "**Always pass `--all-namespaces`**") {
		t.Errorf("docs/policy.md lost its warning to always pass conftest --all-namespaces (%v)", err)
	}
	conftest, err := filepath.Abs("../bin/conftest")
	if err == nil {
		_, err = os.Stat(conftest)
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("bin/conftest missing: `make tools` installs it")
		}
		t.Skip("bin/conftest not installed (make tools)")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "team.rego"), []byte(suffixed), 0o644); err != nil {
		t.Fatal(err)
	}
	files, _ := source.ReadPaths([]string{"../fixtures/seed-minimal"}, nil)
	res, ds := compile.Compile(files, compile.Options{})
	if err := ds.Err(); err != nil {
		t.Fatal(err)
	}
	rendered := filepath.Join(t.TempDir(), "rendered.yaml")
	out, _ := emit.MarshalStream(res.Objects)
	if err := os.WriteFile(rendered, out, 0o644); err != nil {
		t.Fatal(err)
	}
	runConftest := func(args ...string) ([]string, int) {
		cmd := exec.Command(conftest, append(append([]string{"test", "--no-color", "--output", "json", "-p", dir}, args...), rendered)...)
		raw, err := cmd.Output()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		got := conftestFindings(t, raw)
		sort.Strings(got)
		return got, code
	}
	fromConftest, code := runConftest("--all-namespaces")
	if code != 1 {
		t.Errorf("conftest --all-namespaces exited %d, want 1", code)
	}

	eng, err := New(context.Background(), map[string]any{"today": "2026-11-22"}, dir)
	if err != nil {
		t.Fatal(err)
	}
	var inProcess []string
	rules := map[string]bool{}
	for _, o := range res.Objects {
		m, _ := emit.ToMap(o)
		fs, err := eng.Eval(context.Background(), m)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			if f.Rule == "team" {
				inProcess = append(inProcess, f.Severity+" "+f.Message)
				rules[strings.Fields(f.Message)[0]] = true
			}
		}
	}
	sort.Strings(inProcess)
	// Every rule form fired: Job (deny, warn_big_2), ServiceAccount, ConfigMap.
	if len(rules) != 3 || !slices.ContainsFunc(inProcess, func(s string) bool { return strings.HasPrefix(s, "warn Job") }) {
		t.Fatalf("not every rule fired, the comparison proves little: %v", inProcess)
	}
	if !slices.Equal(fromConftest, inProcess) {
		t.Errorf("conftest and skillc disagree:\nconftest:\n  %s\nskillc:\n  %s", strings.Join(fromConftest, "\n  "), strings.Join(inProcess, "\n  "))
	}

	// Without --all-namespaces conftest looks only at package main: 0 tests, exit 0.
	if got, code := runConftest(); len(got) != 0 || code != 0 {
		t.Errorf("conftest without --all-namespaces: exit %d, findings %v; docs/policy.md's warning is stale", code, got)
	}
}
