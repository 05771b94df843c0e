package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/skillc-dev/skillc/policy"
	"github.com/skillc-dev/skillc/policy/output"
)

// TestRulesDocUpToDate regenerates docs/rules.md in memory: a rule added to the catalogue, a
// severity changed in lib.severities or a hand edit of the file fails here until make docs.
func TestRulesDocUpToDate(t *testing.T) {
	rules, err := policy.Rules()
	if err != nil {
		t.Fatal(err)
	}
	want := string(rulesMarkdown(rules))
	got, err := os.ReadFile("../../docs/rules.md")
	if err != nil {
		t.Fatalf("%v: run make docs", err)
	}
	if string(got) != want {
		t.Errorf("docs/rules.md is stale: run make docs\n%s", cmp.Diff(want, string(got)))
	}
}

// TestRulesTable reads the generated table back, as a reader would, and holds every row to the
// catalogue: each rule once, in order, with its severities per profile and NW exactly on the rules
// no exception can waive.
func TestRulesTable(t *testing.T) {
	rules, err := policy.Rules()
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) < 40 {
		t.Fatalf("the catalogue has %d rules, want at least the 40 of today", len(rules))
	}
	// Each id carries the anchor SARIF's rule help links to: <a id="rbac-04"></a>RBAC-04.
	row := regexp.MustCompile(`^\| <a id="([a-z]+-[0-9]+)"></a>([A-Z]+-[0-9]+) \| (.+?) \| (deny|warn|—) \| (deny|warn|—) \| (NW)? \| `)
	var ids []string
	for line := range strings.SplitSeq(string(rulesMarkdown(rules)), "\n") {
		if !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "| id |") {
			continue
		}
		m := row.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("cannot read row %q", line)
			continue
		}
		if m[1] != output.RuleAnchor(m[2]) {
			t.Errorf("%s: anchor %q, want %q (SARIF links to it)", m[2], m[1], output.RuleAnchor(m[2]))
		}
		m = m[1:] // the anchor checked: the cells as before
		if cells := strings.Count(line, "|") - strings.Count(line, `\|`); cells != 10 {
			t.Errorf("%s: %d cell separators, want 10 (an unescaped | in the text?)", m[1], cells)
		}
		i := len(ids)
		ids = append(ids, m[1])
		if i >= len(rules) {
			continue
		}
		r := rules[i]
		if m[1] != r.ID || m[2] != r.Title || m[3] != severity(r.Baseline) || m[4] != severity(r.Restricted) || (m[5] == "NW") != r.NonWaivable {
			t.Errorf("row %d: %s %q %s/%s NW=%q; the catalogue: %s %q %s/%s NW=%v", i, m[1], m[2], m[3], m[4], m[5], r.ID, r.Title, r.Baseline, r.Restricted, r.NonWaivable)
		}
	}
	if len(ids) != len(rules) {
		t.Errorf("%d rows for %d rules", len(ids), len(rules))
	}
}

func TestCellEscapes(t *testing.T) {
	if got, want := cell("a | b\n  c"), `a \| b c`; got != want {
		t.Errorf("cell: %q, want %q", got, want)
	}
}

// TestRun: the command writes the file, and a second run leaves it as it is; a symlink in its
// place is refused rather than followed.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rules.md")
	if err := run(path); err != nil {
		t.Fatal(err)
	}
	first, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(first), "DO NOT EDIT") || !strings.Contains(string(first), `| <a id="rbac-01"></a>RBAC-01 |`) {
		t.Fatalf("after run: %v\n%s", err, first)
	}
	if err := run(path); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.md")
	target := filepath.Join(dir, "target.md")
	if err := os.WriteFile(target, []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Skip("no symlinks here:", err)
	}
	if err := run(link); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("run over a symlink: %v, want a refusal", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "mine\n" {
		t.Errorf("the link's target was written: %q", b)
	}
}
