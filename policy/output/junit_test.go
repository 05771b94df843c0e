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
	var empty junitSuites
	if err := xml.Unmarshal([]byte(render(t, "junit", &policy.Report{})), &empty); err != nil || empty.Tests != 1 || empty.Failures != 0 {
		t.Errorf("clean report: %+v %v", empty, err)
	}
}
