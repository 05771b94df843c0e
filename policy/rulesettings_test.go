package policy

import (
	"slices"
	"testing"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
)

// TestRuleSettingsInTheGate: spec.policy.rules raises RBAC-13 to deny and turns IMG-01 off, for
// the library's findings and through the Go gate's report.
func TestRuleSettingsInTheGate(t *testing.T) {
	cfg := api.DefaultConfig()
	cfg.Spec.Policy.Rules = map[string]api.RuleSetting{"RBAC-13": api.RuleDeny, "IMG-01": api.RuleOff}
	rep := checkPaths(t, compile.Options{Config: cfg}, "fixtures/seed-k8s-ops")
	if got := ruleSet(rep.Findings, diag.SeverityDeny); !slices.Equal(got, []string{"RBAC-13"}) {
		t.Errorf("denied %v, want [RBAC-13]", got)
	}
	for _, d := range rep.Findings {
		if d.Rule == "IMG-01" {
			t.Errorf("IMG-01 is off but reported: %v", d)
		}
	}
	// Without the settings the same sources warn on both and deny nothing.
	rep = checkPaths(t, compile.Options{}, "fixtures/seed-k8s-ops")
	if got := ruleSet(rep.Findings, diag.SeverityDeny); len(got) != 0 {
		t.Errorf("denied %v without settings", got)
	}
	if got := ruleSet(rep.Findings, diag.SeverityWarning); !slices.Contains(got, "RBAC-13") || !slices.Contains(got, "IMG-01") {
		t.Errorf("warned %v without settings, want RBAC-13 and IMG-01", got)
	}
}

// TestEffectiveSeverity is lib.effective's table, for the Go gate's findings (lib_test.rego holds
// the library's own).
func TestEffectiveSeverity(t *testing.T) {
	rules := map[string]api.RuleSetting{"TEN-02": api.RuleWarn, "SPOL-10": api.RuleDeny, "RBAC-13": api.RuleOff}
	for _, tc := range []struct {
		rule     string
		waivable bool
		sev      string
		want     string
	}{
		{"TEN-02", true, "deny", "warn"},   // a waivable finding is lowered
		{"TEN-02", false, "deny", "deny"},  // kube-system: no exception could waive it
		{"SPOL-10", false, "warn", "deny"}, // raising needs no waiver
		{"RBAC-13", true, "warn", "off"},
		{"RBAC-04", true, "deny", "deny"}, // not set
	} {
		if got := effectiveSeverity(rules, tc.rule, tc.waivable, tc.sev); got != tc.want {
			t.Errorf("%s waivable=%v %s: got %s, want %s", tc.rule, tc.waivable, tc.sev, got, tc.want)
		}
	}
}

func TestCheckRules(t *testing.T) {
	cfg := api.DefaultConfig()
	cfg.Spec.Policy.Rules = map[string]api.RuleSetting{"RBAC-13": api.RuleDeny, "SPOL-10": api.RuleDeny, "RBAC-04": api.RuleOff}
	if ds, err := CheckRules(cfg); err != nil || ds != nil {
		t.Fatalf("valid settings refused: %v %v", ds, err)
	}
	cfg.Spec.Policy.Rules = map[string]api.RuleSetting{"RBAC-17": api.RuleWarn, "rbac-13": api.RuleDeny}
	ds, err := CheckRules(cfg)
	if err != nil || len(ds) != 2 {
		t.Fatalf("want 2 refusals, got %v %v", ds, err)
	}
}
