package output

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/policy"
)

func sample() *policy.Report {
	return &policy.Report{
		Findings: diag.Diagnostics{
			{File: "skills/k8s-ops.yaml", Line: 42, Field: "spec.sidecar.rbac[1].verbs[3]", Rule: "RBAC-04", Severity: diag.SeverityDeny, Message: "grants list on secrets, 100%: bad"},
			{File: "skills/obs.yaml", Line: 7, Rule: "IMG-01", Severity: diag.SeverityWarning, Message: "image has a floating tag\nsecond line"},
		},
		Excepted: []policy.Excepted{{
			Diagnostic: diag.Diagnostic{File: "skills/probe.yaml", Line: 3, Rule: "IMG-02", Severity: diag.SeverityWarning, Message: "no digest"},
			Exception:  "exc-probe", Owner: "platform-team", Expires: "2027-06-30",
		}},
		Stats: policy.Stats{Objects: 10, Evaluations: 4, Reused: 6},
	}
}

func render(t *testing.T, format string, r *policy.Report) string {
	t.Helper()
	var b bytes.Buffer
	o, err := New(format, &b, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Write(r); err != nil {
		t.Fatal(err)
	}
	if err := o.Flush(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestNewUnknownFormat(t *testing.T) {
	if _, err := New("yaml", nil, Options{}); err == nil || !strings.Contains(err.Error(), "github, json, junit, sarif, text") {
		t.Fatalf("err = %v", err)
	}
	if !slices.Equal(Formats(), []string{"github", "json", "junit", "sarif", "text"}) {
		t.Errorf("Formats() = %v", Formats())
	}
}
