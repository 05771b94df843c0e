package policy

import (
	"context"
	"io/fs"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// libSeverities evaluates lib.severities and lib.nonwaivable from the embedded library.
func libSeverities(t *testing.T) (map[string][2]string, map[string]bool) {
	t.Helper()
	modules, err := builtinModules()
	if err != nil {
		t.Fatal(err)
	}
	opts := []func(*rego.Rego){rego.Query(`s := data.skillc.lib.severities; n := data.skillc.lib.nonwaivable`)}
	for _, m := range modules {
		opts = append(opts, rego.ParsedModule(m))
	}
	rs, err := rego.New(opts...).Eval(context.Background())
	if err != nil || len(rs) != 1 {
		t.Fatalf("evaluating lib.severities: %v (%d results)", err, len(rs))
	}
	sev := map[string][2]string{}
	for id, v := range rs[0].Bindings["s"].(map[string]any) {
		pair := v.([]any)
		sev[id] = [2]string{pair[0].(string), pair[1].(string)}
	}
	nw := map[string]bool{}
	for _, id := range rs[0].Bindings["n"].([]any) {
		nw[id.(string)] = true
	}
	return sev, nw
}

// findingRuleIDs collects the literal rule ids of every lib.finding, lib.finding_nw, lib.warning and
// lib.make call in the embedded library (tests excluded).
func findingRuleIDs(t *testing.T) map[string][]string {
	t.Helper()
	calls := map[string]bool{"lib.finding": true, "lib.finding_nw": true, "lib.warning": true, "lib.make": true}
	ids := map[string][]string{}
	err := fs.WalkDir(library, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || isTest(path) {
			return err
		}
		src, err := library.ReadFile(path)
		if err != nil {
			return err
		}
		m, err := ast.ParseModuleWithOpts(path, string(src), parserOptions())
		if err != nil {
			return err
		}
		ast.WalkTerms(m, func(term *ast.Term) bool {
			call, ok := term.Value.(ast.Call)
			if !ok || !calls[call[0].String()] || len(call) < 2 {
				return false
			}
			if s, ok := call[1].Value.(ast.String); ok {
				ids[string(s)] = append(ids[string(s)], path)
			} else {
				t.Errorf("%s:%d: %s names its rule with %s, not a literal id: the catalogue test cannot see it", path, term.Location.Row, call[0], call[1])
			}
			return false
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestRulesCatalogueMatchesLibrary(t *testing.T) {
	rules, err := Rules()
	if err != nil {
		t.Fatal(err)
	}
	sev, nw := libSeverities(t)
	cat := map[string]RuleInfo{}
	for _, r := range rules {
		cat[r.ID] = r
	}
	if len(rules) < 40 {
		t.Errorf("catalogue has %d rules, want at least the 40 of today", len(rules))
	}
	if !slices.IsSortedFunc(rules, func(a, b RuleInfo) int { return strings.Compare(a.ID, b.ID) }) {
		t.Error("Rules() is not sorted by id")
	}
	for id, s := range sev {
		r, ok := cat[id]
		if !ok {
			t.Errorf("%s is in lib.severities but not in policy/catalogue.rego", id)
			continue
		}
		if r.Baseline != s[0] || r.Restricted != s[1] || r.NonWaivable != nw[id] {
			t.Errorf("%s: Rules() says %s/%s NW %v, lib says %s/%s NW %v", id, r.Baseline, r.Restricted, r.NonWaivable, s[0], s[1], nw[id])
		}
	}
	for id := range cat {
		if _, ok := sev[id]; !ok {
			t.Errorf("%s is in policy/catalogue.rego but not in lib.severities", id)
		}
	}
	used := findingRuleIDs(t)
	if len(used) < 40 {
		t.Errorf("found %d rule ids in lib.finding/lib.make calls, want at least 40: is the walk blind?", len(used))
	}
	for _, id := range slices.Sorted(maps.Keys(used)) {
		r, ok := cat[id]
		if !ok {
			t.Errorf("%s is reported by %v but has no catalogue entry", id, slices.Compact(used[id]))
		}
		if r.Engine == "go" {
			t.Errorf("%s is decided by the Go gate (engine go) but Rego reports it in %v", id, slices.Compact(used[id]))
		}
	}
	for _, r := range rules {
		if r.Engine != "" && r.Engine != "go" {
			t.Errorf("%s: engine %q, want \"go\" or none", r.ID, r.Engine)
		}
		if _, ok := used[r.ID]; !ok && r.Engine != "go" {
			t.Errorf("%s is in the catalogue but no rule reports it", r.ID)
		}
		if r.Title == "" || r.Checks == "" || r.Why == "" || r.Fix == "" || r.Reference.Name == "" || r.Precision == "" || len(r.Tags) == 0 {
			t.Errorf("%s: incomplete entry %+v", r.ID, r)
		}
		if r.SecuritySeverity < 0.1 || r.SecuritySeverity > 10 {
			t.Errorf("%s: security_severity %v outside 0.1..10", r.ID, r.SecuritySeverity)
		}
		if r.NonWaivable && r.SecuritySeverity < 9 {
			t.Errorf("%s: no exception can waive it, so its security_severity should be critical (>= 9.0), not %v", r.ID, r.SecuritySeverity)
		}
	}
}

// TestPolicyDocAllowTable holds docs/policy.md's table of how each rule is allowed to the
// catalogue: every rule has one row, and the row says NW exactly when lib.nonwaivable lists the
// rule. (docs/rules.md, the rule table itself, is generated: see cmd/skillc-docs.)
func TestPolicyDocAllowTable(t *testing.T) {
	doc, err := os.ReadFile("../docs/policy.md")
	if err != nil {
		t.Fatal(err)
	}
	rules, err := Rules()
	if err != nil {
		t.Fatal(err)
	}
	const header = "| rule | allowed by | finer points |"
	_, table, ok := strings.Cut(string(doc), "\n"+header+"\n")
	if !ok {
		t.Fatalf("docs/policy.md has no table with the header %q", header)
	}
	row := regexp.MustCompile(`^\| ([A-Z]+-[0-9]+) \| ([^|]+) \|`)
	allow := map[string]string{}
	for line := range strings.SplitSeq(table, "\n") {
		if strings.HasPrefix(line, "|---") {
			continue
		}
		if !strings.HasPrefix(line, "| ") {
			break
		}
		m := row.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("docs/policy.md allow table: cannot read row %q", line)
			continue
		}
		if _, dup := allow[m[1]]; dup {
			t.Errorf("docs/policy.md allow table lists %s twice", m[1])
		}
		allow[m[1]] = strings.TrimSpace(m[2])
	}
	cat := map[string]bool{}
	for _, r := range rules {
		cat[r.ID] = true
		a, ok := allow[r.ID]
		if !ok {
			t.Errorf("docs/policy.md allow table lacks %s (%s)", r.ID, r.Title)
			continue
		}
		if (a == "NW") != r.NonWaivable {
			t.Errorf("docs/policy.md says %s is allowed by %q; lib.nonwaivable has it: %v", r.ID, a, r.NonWaivable)
		}
	}
	for id := range allow {
		if !cat[id] {
			t.Errorf("docs/policy.md allow table lists %s, which is not in the catalogue", id)
		}
	}
}
