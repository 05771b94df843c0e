package output

import (
	"encoding/xml"
	"testing"

	"github.com/skillc-dev/skillc/policy"
)

func TestJUnit(t *testing.T) {
	var doc junitSuites
	if err := xml.Unmarshal([]byte(render(t, "junit", sample())), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Tests != 3 || doc.Failures != 1 || len(doc.Suites) != 1 {
		t.Fatalf("tests %d failures %d suites %d", doc.Tests, doc.Failures, len(doc.Suites))
	}
	c := doc.Suites[0].Cases
	if c[0].Failure == nil || c[0].Failure.Message != "grants list on secrets, 100%: bad" || c[1].Failure != nil || c[2].Failure != nil {
		t.Errorf("cases = %+v", c)
	}
	// file and line point each case at its source line (the excepted one too).
	if c[0].File != "skills/k8s-ops.yaml" || c[0].Line != 42 || c[2].File != "skills/probe.yaml" || c[2].Line != 3 {
		t.Errorf("file/line = %s:%d, %s:%d", c[0].File, c[0].Line, c[2].File, c[2].Line)
	}
	var empty junitSuites
	if err := xml.Unmarshal([]byte(render(t, "junit", &policy.Report{})), &empty); err != nil || empty.Tests != 1 || empty.Failures != 0 {
		t.Errorf("clean report: %+v %v", empty, err)
	}
}
