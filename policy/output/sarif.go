package output

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/policy"
)

// sarif prints SARIF 2.1.0, the format GitHub code scanning and most security dashboards import.
// Excepted findings are included with a suppression, so they stay visible as waived.
type sarif struct {
	w       io.Writer
	opts    Options
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
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

// sarifRule is a reportingDescriptor with the fields GitHub code scanning reads: the title, the
// description, help, its default level, and properties (security-severity for the critical / high /
// medium / low band, tags with "security" so it counts as a security alert, precision).
type sarifRule struct {
	ID                   string              `json:"id"`
	ShortDescription     sarifMessage        `json:"shortDescription"`
	FullDescription      *sarifMessage       `json:"fullDescription,omitempty"`
	Help                 *sarifHelp          `json:"help,omitempty"`
	HelpURI              string              `json:"helpUri,omitempty"`
	DefaultConfiguration *sarifConfiguration `json:"defaultConfiguration,omitempty"`
	Properties           *sarifProperties    `json:"properties,omitempty"`
}

type sarifHelp struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown"`
}

type sarifConfiguration struct {
	Level string `json:"level"`
}

type sarifProperties struct {
	SecuritySeverity string   `json:"security-severity"`
	Tags             []string `json:"tags"`
	Precision        string   `json:"precision"`
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
	run := sarifRun{Tool: sarifTool{Driver: sarifDriver{Name: "skillc", Version: s.opts.Version, InformationURI: "https://github.com/skillc-dev/skillc"}}, Results: []sarifResult{}}
	rules := map[string]bool{}
	result := func(d diag.Diagnostic) sarifResult {
		id := d.Rule
		if id == "" {
			id = "INPUT"
		}
		rules[id] = true
		level := "error"
		if d.Severity == diag.SeverityWarning {
			level = "warning"
		} else if d.Severity == diag.SeverityInfo {
			level = "note"
		}
		msg := d.Message
		if d.Field != "" {
			msg = d.Field + ": " + msg
		}
		res := sarifResult{RuleID: id, Level: level, Message: sarifMessage{Text: msg}}
		if d.File != "" {
			loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: fileURI(s.opts.path(d.File))}}}
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
	catalogue, err := policy.Rules()
	if err != nil {
		return err
	}
	known := make(map[string]policy.RuleInfo, len(catalogue))
	for _, r := range catalogue {
		known[r.ID] = r
	}
	profile := ""
	var settings map[string]api.RuleSetting
	for _, r := range s.reports {
		if r.Profile != "" {
			profile = r.Profile
		}
		if r.Rules != nil {
			settings = r.Rules
		}
	}
	run.Tool.Driver.Rules = []sarifRule{}
	for _, id := range ids {
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleOf(id, known, profile, settings[id], rulesDoc(s.opts.Version)))
	}
	enc := json.NewEncoder(s.w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}})
}

// release is a release version: its tag exists, and its docs are what this binary enforces.
var release = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+$`)

// rulesDoc is docs/rules.md, the rule table, as of the release that made the report (main for a
// development build). Each rule's row carries an anchor, its id in lower case (cmd/skillc-docs).
func rulesDoc(version string) string {
	ref := "main"
	if release.MatchString(version) {
		ref = version
	}
	return "https://github.com/skillc-dev/skillc/blob/" + ref + "/docs/rules.md"
}

// RuleAnchor is the fragment of a rule's row in docs/rules.md.
func RuleAnchor(id string) string { return strings.ToLower(id) }

// fileURI is a path as a SARIF artifactLocation.uri: a relative reference (percent-encoded,
// slashes), or a file: URI for an absolute path outside the repository.
func fileURI(p string) string {
	u := url.URL{Path: filepath.ToSlash(p)}
	if filepath.IsAbs(p) {
		u.Scheme = "file"
	}
	return u.String()
}

// sarifRuleOf describes a rule from the library's catalogue; input errors and --policy rules (named
// by their package) have no catalogue entry and get a plain description.
func sarifRuleOf(id string, known map[string]policy.RuleInfo, profile string, setting api.RuleSetting, rulesDoc string) sarifRule {
	r, ok := known[id]
	if !ok {
		text := "skillc rule " + id
		if id == "INPUT" {
			text = "Bad input: skillc could not read or resolve the sources"
		} else if id != "" {
			text = "Policy " + id + " (a policy folder's)"
		}
		return sarifRule{ID: id, ShortDescription: sarifMessage{Text: text}}
	}
	sev := r.Severity(profile)
	if setting != "" {
		sev = string(setting) // spec.policy.rules: the platform's severity for this rule
	}
	level := map[string]string{"deny": "error", "warn": "warning"}[sev]
	if level == "" {
		level = "none" // off in this profile, or by the platform's setting
	}
	waiver := "An exception in the CompilerConfig can waive it."
	if r.NonWaivable {
		waiver = "No exception can waive it."
	}
	profiles := fmt.Sprintf("baseline %s, restricted %s", orOff(r.Baseline), orOff(r.Restricted))
	ref := r.Reference.Name
	refMD := r.Reference.Name
	helpURI := rulesDoc + "#" + RuleAnchor(id)
	if r.Reference.URL != "" {
		ref += " (" + r.Reference.URL + ")"
		refMD = "[" + r.Reference.Name + "](" + r.Reference.URL + ")"
	}
	return sarifRule{
		ID:               id,
		ShortDescription: sarifMessage{Text: r.Title},
		FullDescription:  &sarifMessage{Text: r.Checks + " " + r.Why},
		Help: &sarifHelp{
			Text: fmt.Sprintf("%s: %s\n\nChecks: %s\nWhy: %s\nFix: %s\nProfiles: %s. %s\nReference: %s\nThe rule in skillc's docs: %s",
				id, r.Title, r.Checks, r.Why, r.Fix, profiles, waiver, ref, helpURI),
			Markdown: fmt.Sprintf("**%s: %s**\n\n%s\n\n**Why it matters:** %s\n\n**Fix:** %s\n\n**Profiles:** %s. %s\n\n**Reference:** %s\n\n[%s in skillc's rule catalogue](%s)",
				id, r.Title, r.Checks, r.Why, r.Fix, profiles, waiver, refMD, id, helpURI),
		},
		HelpURI:              helpURI,
		DefaultConfiguration: &sarifConfiguration{Level: level},
		Properties: &sarifProperties{
			SecuritySeverity: strconv.FormatFloat(r.SecuritySeverity, 'f', 1, 64),
			Tags:             append([]string{"security", "kubernetes"}, r.Tags...),
			Precision:        r.Precision,
		},
	}
}

func orOff(sev string) string {
	if sev == "" {
		return "off"
	}
	return sev
}
