package output

import (
	"encoding/xml"
	"fmt"
	"io"

	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/policy"
)

// junit prints one test suite with a test case per finding: denials and input errors fail,
// warnings and excepted findings pass with their message as output, so CI dashboards show them.
type junit struct {
	w       io.Writer
	opts    Options
	reports []*policy.Report
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string `xml:"name,attr"`
	ClassName string `xml:"classname,attr"`
	// file and line: the attributes GitLab, Jenkins and the JUnit reporters of GitHub Actions read
	// to point a case at its source line.
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func (j *junit) Write(r *policy.Report) error { j.reports = append(j.reports, r); return nil }

func (j *junit) Flush() error {
	suite := junitSuite{Name: "skillc policy gate"}
	// suffix follows the diagnostic in a passing case's output (why it was excepted).
	add := func(d diag.Diagnostic, sev diag.Severity, suffix string) {
		d.File = j.opts.path(d.File)
		c := junitCase{Name: fmt.Sprintf("%s %s:%d %s", d.Rule, d.File, d.Line, d.Field), ClassName: "skillc." + string(sev), File: d.File, Line: d.Line}
		if sev == diag.SeverityDeny || sev == diag.SeverityError {
			c.Failure = &junitFailure{Message: d.Message, Type: string(d.Severity), Text: d.String()}
			suite.Failures++
		} else {
			c.SystemOut = d.String() + suffix
		}
		suite.Cases = append(suite.Cases, c)
	}
	for _, r := range j.reports {
		for _, d := range r.Findings {
			add(d, d.Severity, "")
		}
		for _, e := range r.Excepted {
			add(e.Diagnostic, "excepted", fmt.Sprintf(" (excepted by %s, owner %s, expires %s)", e.Exception, e.Owner, e.Expires))
		}
	}
	if len(suite.Cases) == 0 {
		// An empty suite reads as "no tests ran" in some dashboards: record the clean pass.
		suite.Cases = append(suite.Cases, junitCase{Name: "all objects pass the policy gate", ClassName: "skillc"})
	}
	suite.Tests = len(suite.Cases)
	doc := junitSuites{Name: "skillc", Tests: suite.Tests, Failures: suite.Failures, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(j.w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(j.w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(j.w, "\n")
	return err
}
