package output

import (
	"encoding/json"
	"io"
	"sort"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/policy"
)

// sarif prints SARIF 2.1.0, the format GitHub code scanning and most security dashboards import.
// Excepted findings are included with a suppression, so they stay visible as waived.
type sarif struct {
	w       io.Writer
	reports []*policy.Report
}

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string       `json:"id"`
	ShortDescription sarifMessage `json:"shortDescription"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID       string             `json:"ruleId"`
	Level        string             `json:"level"`
	Message      sarifMessage       `json:"message"`
	Locations    []sarifLocation    `json:"locations,omitempty"`
	Suppressions []sarifSuppression `json:"suppressions,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification"`
}

func (s *sarif) Write(r *policy.Report) error { s.reports = append(s.reports, r); return nil }

func (s *sarif) Flush() error {
	run := sarifRun{Tool: sarifTool{Driver: sarifDriver{Name: "skillc", InformationURI: "https://github.com/skillc-dev/skillc"}}, Results: []sarifResult{}}
	rules := map[string]bool{}
	result := func(d compile.Diagnostic) sarifResult {
		id := d.Rule
		if id == "" {
			id = "INPUT"
		}
		rules[id] = true
		level := "error"
		if d.Severity == compile.SeverityWarning {
			level = "warning"
		} else if d.Severity == compile.SeverityInfo {
			level = "note"
		}
		msg := d.Message
		if d.Field != "" {
			msg = d.Field + ": " + msg
		}
		res := sarifResult{RuleID: id, Level: level, Message: sarifMessage{Text: msg}}
		if d.File != "" {
			loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: d.File}}}
			if d.Line > 0 {
				loc.PhysicalLocation.Region = &sarifRegion{StartLine: d.Line}
			}
			res.Locations = []sarifLocation{loc}
		}
		return res
	}
	for _, r := range s.reports {
		for _, d := range r.Findings {
			run.Results = append(run.Results, result(d))
		}
		for _, e := range r.Excepted {
			res := result(e.Diagnostic)
			res.Suppressions = []sarifSuppression{{Kind: "external", Justification: "exception " + e.Exception + " (owner " + e.Owner + ", expires " + e.Expires + ")"}}
			run.Results = append(run.Results, res)
		}
	}
	ids := make([]string, 0, len(rules))
	for id := range rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	run.Tool.Driver.Rules = []sarifRule{}
	for _, id := range ids {
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{ID: id, ShortDescription: sarifMessage{Text: "skillc rule " + id}})
	}
	enc := json.NewEncoder(s.w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}})
}
