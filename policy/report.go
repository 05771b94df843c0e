package policy

import (
	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
)

// Report is the gate's verdict on one compile: findings located in the sources, the findings that
// exceptions waived (counted apart, never hidden), and how much evaluation memoization saved.
type Report struct {
	Findings diag.Diagnostics `json:"findings"`
	Excepted []Excepted       `json:"excepted"`
	Stats    Stats            `json:"stats"`
	Budgets  []compile.Budget `json:"budgets"` // estimated skill tokens per instance
	// Profile is the policy profile in force (SARIF's rule levels follow it); not in the json
	// output, whose shape is unchanged.
	Profile string `json:"-"`
	// Rules are the CompilerConfig's spec.policy.rules (SARIF's rule levels follow them too).
	Rules map[string]api.RuleSetting `json:"-"`
}

// Excepted is a finding waived by a CompilerConfig exception.
type Excepted struct {
	diag.Diagnostic
	Exception string `json:"exception"`
	Owner     string `json:"owner"`
	Expires   string `json:"expires"`
}

// Stats counts the gate's work.
type Stats struct {
	Objects     int `json:"objects"`
	Evaluations int `json:"evaluations"` // policy evaluations actually run
	Reused      int `json:"reused"`      // objects judged by an earlier evaluation of the same shape
}

// Denied reports whether any finding denies the compile.
func (r *Report) Denied() bool {
	return len(r.Findings.Filter(diag.SeverityDeny)) > 0
}

// Counts returns denied, warned and excepted numbers for summaries.
func (r *Report) Counts() (deny, warn, excepted int) {
	return len(r.Findings.Filter(diag.SeverityDeny)), len(r.Findings.Filter(diag.SeverityWarning)), len(r.Excepted)
}
