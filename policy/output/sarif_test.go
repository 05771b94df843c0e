package output

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/policy"
)

var update = flag.Bool("update", false, "rewrite testdata/*.sarif from the current output")

func TestSARIF(t *testing.T) {
	var doc sarifLog
	if err := json.Unmarshal([]byte(render(t, "sarif", sample())), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != "2.1.0" || len(doc.Runs) != 1 {
		t.Fatalf("doc = %+v", doc)
	}
	run := doc.Runs[0]
	if len(run.Results) != 3 || len(run.Tool.Driver.Rules) != 3 {
		t.Fatalf("results %d rules %d", len(run.Results), len(run.Tool.Driver.Rules))
	}
	r := run.Results[0]
	if r.RuleID != "RBAC-04" || r.Level != "error" || r.Locations[0].PhysicalLocation.Region.StartLine != 42 || r.Locations[0].PhysicalLocation.ArtifactLocation.URI != "skills/k8s-ops.yaml" {
		t.Errorf("result 0 = %+v", r)
	}
	if run.Results[1].Level != "warning" || len(run.Results[2].Suppressions) != 1 {
		t.Errorf("results = %+v", run.Results)
	}
}

// sarifSample is sample() under the restricted profile, plus an input error and a --policy finding
// (rules without a catalogue entry).
func sarifSample() *policy.Report {
	r := sample()
	r.Profile = "restricted"
	r.Findings = append(r.Findings,
		diag.Diagnostic{File: "skills/bad.yaml", Line: 2, Field: "spec.version", Severity: diag.SeverityError, Message: "unknown field"},
		diag.Diagnostic{File: "skills/obs.yaml", Line: 1, Rule: "team.labels", Severity: diag.SeverityDeny, Message: "no team label"})
	return r
}

// TestSARIFGolden pins the whole document: rule metadata from the Rego catalogue, levels from the
// profile. -update rewrites it; read the diff.
func TestSARIFGolden(t *testing.T) {
	got := render(t, "sarif", sarifSample())
	const golden = "testdata/sample.sarif"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(string(want), got); d != "" {
		t.Errorf("SARIF differs from %s (-want +got; go test ./policy/output -run TestSARIFGolden -update):\n%s", golden, d)
	}
}

// everyRule reports one finding of every catalogue rule, so each gets a rule entry.
func everyRule(t *testing.T, profile string) (*policy.Report, []policy.RuleInfo) {
	t.Helper()
	rules, err := policy.Rules()
	if err != nil {
		t.Fatal(err)
	}
	rep := &policy.Report{Profile: profile}
	for i, r := range rules {
		rep.Findings = append(rep.Findings, diag.Diagnostic{File: "skills/p.yaml", Line: i + 1, Rule: r.ID, Severity: diag.SeverityDeny, Message: "m"})
	}
	return rep, rules
}

// rulesDocText is docs/rules.md, which the rules' helpUri links into.
var rulesDocText = func() string {
	b, err := os.ReadFile("../../docs/rules.md")
	if err != nil {
		panic(err)
	}
	return string(b)
}()

// TestSARIFVersionAndPaths: driver.version is skillc's, a release's rules link to its own docs,
// and artifactLocation.uri is the path as Options.Path gives it: a relative reference,
// percent-encoded, or a file: URI when it stays absolute.
func TestSARIFVersionAndPaths(t *testing.T) {
	rep := &policy.Report{Findings: diag.Diagnostics{
		{File: "/ws/repo/skills/a b.yaml", Line: 3, Rule: "RBAC-04", Severity: diag.SeverityDeny, Message: "m"},
		{File: "/elsewhere/x.yaml", Line: 1, Rule: "RBAC-04", Severity: diag.SeverityDeny, Message: "m"},
	}, Rules: map[string]api.RuleSetting{"RBAC-04": api.RuleWarn}}
	rel := func(f string) string {
		if r, ok := strings.CutPrefix(f, "/ws/repo/"); ok {
			return r
		}
		return f
	}
	var b bytes.Buffer
	o, err := New("sarif", &b, Options{Version: "v1.2.3", Path: rel})
	if err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(o.Write(rep), o.Flush()); err != nil {
		t.Fatal(err)
	}
	var doc sarifLog
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	run := doc.Runs[0]
	if run.Tool.Driver.Version != "v1.2.3" {
		t.Errorf("driver.version %q", run.Tool.Driver.Version)
	}
	// The rule's default level follows the platform's spec.policy.rules, not only the profile.
	if got := run.Tool.Driver.Rules[0].DefaultConfiguration.Level; got != "warning" {
		t.Errorf("RBAC-04 set to warn: default level %q", got)
	}
	if got := run.Tool.Driver.Rules[0].HelpURI; got != "https://github.com/skillc-dev/skillc/blob/v1.2.3/docs/rules.md#rbac-04" {
		t.Errorf("a release's helpUri %q", got)
	}
	var uris []string
	for _, r := range run.Results {
		uris = append(uris, r.Locations[0].PhysicalLocation.ArtifactLocation.URI)
	}
	if want := []string{"skills/a%20b.yaml", "file:///elsewhere/x.yaml"}; !slices.Equal(uris, want) {
		t.Errorf("uris %q, want %q", uris, want)
	}
	if got := rulesDoc("v0.0.0-20261207-abcdef"); !strings.Contains(got, "/blob/main/") {
		t.Errorf("a pseudo-version links %q, want main", got)
	}
}

// TestSARIFRuleMetadata: every rule carries what code scanning needs to show a severity and help,
// and its default level follows the profile in force.
func TestSARIFRuleMetadata(t *testing.T) {
	for _, profile := range []string{"baseline", "restricted"} {
		t.Run(profile, func(t *testing.T) {
			rep, rules := everyRule(t, profile)
			var doc sarifLog
			if err := json.Unmarshal([]byte(render(t, "sarif", rep)), &doc); err != nil {
				t.Fatal(err)
			}
			got := doc.Runs[0].Tool.Driver.Rules
			if len(got) != len(rules) {
				t.Fatalf("%d rules in SARIF, %d in the catalogue", len(got), len(rules))
			}
			for i, r := range rules {
				s := got[i]
				if s.ID != r.ID || s.ShortDescription.Text != r.Title {
					t.Errorf("rule %d: id %q title %q, want %q %q", i, s.ID, s.ShortDescription.Text, r.ID, r.Title)
					continue
				}
				want := map[string]string{"deny": "error", "warn": "warning", "": "none"}[r.Severity(profile)]
				if s.DefaultConfiguration == nil || s.DefaultConfiguration.Level != want {
					t.Errorf("%s: defaultConfiguration %+v, want level %q (%s in %s)", r.ID, s.DefaultConfiguration, want, r.Severity(profile), profile)
				}
				if s.FullDescription == nil || !strings.Contains(s.FullDescription.Text, r.Checks) {
					t.Errorf("%s: fullDescription %+v", r.ID, s.FullDescription)
				}
				if s.Help == nil || !strings.Contains(s.Help.Text, r.Fix) || !strings.Contains(s.Help.Markdown, r.Fix) || !strings.Contains(s.Help.Markdown, r.Reference.Name) {
					t.Errorf("%s: help %+v lacks the fix or the reference", r.ID, s.Help)
				}
				// helpUri is the rule's row in docs/rules.md, by an anchor the file really has.
				if want := "https://github.com/skillc-dev/skillc/blob/main/docs/rules.md#" + RuleAnchor(r.ID); s.HelpURI != want {
					t.Errorf("%s: helpUri %q, want %q", r.ID, s.HelpURI, want)
				}
				if !strings.Contains(rulesDocText, `<a id="`+RuleAnchor(r.ID)+`"></a>`) {
					t.Errorf("%s: docs/rules.md has no anchor %q", r.ID, RuleAnchor(r.ID))
				}
				if r.Reference.URL != "" && !strings.Contains(s.Help.Markdown, r.Reference.URL) {
					t.Errorf("%s: help does not link the reference %q", r.ID, r.Reference.URL)
				}
				p := s.Properties
				if p == nil {
					t.Errorf("%s: no properties", r.ID)
					continue
				}
				if sev, err := strconv.ParseFloat(p.SecuritySeverity, 64); err != nil || sev != r.SecuritySeverity {
					t.Errorf("%s: security-severity %q, want %v", r.ID, p.SecuritySeverity, r.SecuritySeverity)
				}
				if len(p.Tags) < 3 || p.Tags[0] != "security" || p.Tags[1] != "kubernetes" || p.Precision != r.Precision {
					t.Errorf("%s: tags %v precision %q", r.ID, p.Tags, p.Precision)
				}
				if r.NonWaivable != strings.Contains(s.Help.Text, "No exception can waive it.") {
					t.Errorf("%s: help says waivable wrongly: %q", r.ID, s.Help.Text)
				}
			}
		})
	}
}

// TestSARIFSchema validates the output against the part of SARIF 2.1.0 skillc writes
// (testdata/sarif-2.1.0-subset.schema.json), with OPA's json.match_schema, and shows that the
// schema catches a misspelt or missing member.
func TestSARIFSchema(t *testing.T) {
	raw, err := os.ReadFile("testdata/sarif-2.1.0-subset.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema any
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	pq, err := rego.New(rego.Query(`x := json.match_schema(input.doc, input.schema)`)).PrepareForEval(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	validate := func(doc string) (bool, any) {
		var v any
		if err := json.Unmarshal([]byte(doc), &v); err != nil {
			t.Fatal(err)
		}
		rs, err := pq.Eval(context.Background(), rego.EvalInput(map[string]any{"doc": v, "schema": schema}))
		if err != nil || len(rs) != 1 {
			t.Fatalf("json.match_schema: %v", err)
		}
		x := rs[0].Bindings["x"].([]any)
		return x[0].(bool), x[1]
	}
	every, _ := everyRule(t, "restricted")
	for name, rep := range map[string]*policy.Report{"sample": sarifSample(), "every rule": every, "empty": {}} {
		if ok, errs := validate(render(t, "sarif", rep)); !ok {
			t.Errorf("%s: SARIF does not match the schema: %v", name, errs)
		}
	}
	good := render(t, "sarif", sarifSample())
	for name, bad := range map[string]string{
		"misspelt helpUri":         strings.Replace(good, `"helpUri"`, `"helpURI"`, 1),
		"severity not a string":    strings.Replace(good, `"security-severity": "8.1"`, `"security-severity": 8.1`, 1),
		"no security tag":          strings.Replace(good, `"security",`, `"secure",`, 1),
		"unknown level":            strings.Replace(good, `"level": "error"`, `"level": "fatal"`, 1),
		"version":                  strings.Replace(good, `"2.1.0"`, `"2.0.0"`, 1),
		"shortDescription no text": strings.Replace(good, `"text": "Floating image tag"`, `"txt": "Floating image tag"`, 1),
		"startLine zero":           strings.Replace(good, `"startLine": 42`, `"startLine": 0`, 1),
		"unknown suppression kind": strings.Replace(good, `"kind": "external"`, `"kind": "waived"`, 1),
	} {
		if bad == good {
			t.Errorf("%s: the mutation changed nothing", name)
			continue
		}
		if ok, _ := validate(bad); ok {
			t.Errorf("%s: the schema accepted it", name)
		}
	}
}
