package output

import (
	"encoding/json"
	"testing"
)

func TestSARIF(t *testing.T) {
	var doc sarifLog
	if err := json.Unmarshal([]byte(render(t, "sarif", sample())), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != "2.1.0" || len(doc.Runs) != 1 {
		t.Fatalf("doc = %+v", doc)
	}
	run := doc.Runs[0]
	if len(run.Results) != 3 || len(run.Tool.Driver.Rules) != 3 {
		t.Fatalf("results %d rules %d", len(run.Results), len(run.Tool.Driver.Rules))
	}
	r := run.Results[0]
	if r.RuleID != "RBAC-04" || r.Level != "error" || r.Locations[0].PhysicalLocation.Region.StartLine != 42 || r.Locations[0].PhysicalLocation.ArtifactLocation.URI != "skills/k8s-ops.yaml" {
		t.Errorf("result 0 = %+v", r)
	}
	if run.Results[1].Level != "warning" || len(run.Results[2].Suppressions) != 1 {
		t.Errorf("results = %+v", run.Results)
	}
}
