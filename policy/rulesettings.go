package policy

import (
	"maps"
	"slices"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
)

// CheckRules refuses the CompilerConfig's spec.policy.rules entries the gate cannot honour: a rule
// id the built-in catalogue does not have (a typo would otherwise change nothing, silently), and a
// lowering of a rule no exception can waive (a severity override is a platform-wide exception,
// with no owner or expiry: it may not do what an exception may not). api.Validate checks the values.
func CheckRules(cfg *api.CompilerConfig) (diag.Diagnostics, error) {
	if cfg == nil || len(cfg.Spec.Policy.Rules) == 0 {
		return nil, nil
	}
	cat, err := Rules()
	if err != nil {
		return nil, err
	}
	byID := make(map[string]RuleInfo, len(cat))
	for _, r := range cat {
		byID[r.ID] = r
	}
	var ds diag.Diagnostics
	for _, id := range slices.Sorted(maps.Keys(cfg.Spec.Policy.Rules)) {
		set := cfg.Spec.Policy.Rules[id]
		field := "spec.policy.rules." + id
		r, ok := byID[id]
		switch {
		case !ok:
			ds = append(ds, cfg.Src.Diag(field, "no rule %q in the catalogue (docs/rules.md lists every rule id)", id))
		case r.NonWaivable && set != api.RuleDeny:
			ds = append(ds, cfg.Src.Diag(field, "%s cannot be set to %s: no exception can waive it, so no setting can lower it", id, set))
		}
	}
	ds.Sort()
	return ds, nil
}

// effectiveSeverity is a finding's severity after spec.policy.rules (deny, warn or off): the
// library's lib.effective, for the findings skillc's Go gate makes. The platform may raise any
// finding, and lower only one an exception could waive.
func effectiveSeverity(rules map[string]api.RuleSetting, rule string, waivable bool, sev string) string {
	set, ok := rules[rule]
	if !ok {
		return sev
	}
	rank := map[string]int{"off": 0, "warn": 1, "deny": 2}
	if waivable || rank[string(set)] > rank[sev] {
		return string(set)
	}
	return sev
}
