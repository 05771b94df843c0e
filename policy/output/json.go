package output

import (
	"encoding/json"
	"io"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/policy"
)

// jsonOut prints one JSON document: findings, excepted findings, counts and stats.
type jsonOut struct {
	w      io.Writer
	report policy.Report
}

func (j *jsonOut) Write(r *policy.Report) error {
	j.report.Findings = append(j.report.Findings, r.Findings...)
	j.report.Excepted = append(j.report.Excepted, r.Excepted...)
	j.report.Stats.Objects += r.Stats.Objects
	j.report.Stats.Evaluations += r.Stats.Evaluations
	j.report.Stats.Reused += r.Stats.Reused
	j.report.Budgets = append(j.report.Budgets, r.Budgets...)
	return nil
}

func (j *jsonOut) Flush() error {
	deny, warn, exc := j.report.Counts()
	doc := struct {
		Findings diag.Diagnostics  `json:"findings"`
		Excepted []policy.Excepted `json:"excepted"`
		Summary  map[string]int    `json:"summary"`
		Stats    policy.Stats      `json:"stats"`
		Budgets  []compile.Budget  `json:"budgets"`
	}{j.report.Findings, j.report.Excepted, map[string]int{"denied": deny, "warnings": warn, "excepted": exc}, j.report.Stats, j.report.Budgets}
	if doc.Budgets == nil {
		doc.Budgets = []compile.Budget{}
	}
	if doc.Findings == nil {
		doc.Findings = diag.Diagnostics{}
	}
	if doc.Excepted == nil {
		doc.Excepted = []policy.Excepted{}
	}
	enc := json.NewEncoder(j.w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
