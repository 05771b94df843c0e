package output

import (
	"encoding/json"
	"testing"
)

func TestJSON(t *testing.T) {
	var doc struct {
		Findings []struct {
			File, Rule, Severity, Field string
			Line                        int
		}
		Excepted []struct{ Exception, Rule string }
		Summary  map[string]int
		Stats    struct{ Evaluations, Reused int }
	}
	if err := json.Unmarshal([]byte(render(t, "json", sample())), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Findings) != 2 || doc.Findings[0].Rule != "RBAC-04" || doc.Findings[0].Line != 42 || doc.Findings[0].Field != "spec.sidecar.rbac[1].verbs[3]" {
		t.Errorf("findings = %+v", doc.Findings)
	}
	if len(doc.Excepted) != 1 || doc.Excepted[0].Exception != "exc-probe" || doc.Excepted[0].Rule != "IMG-02" {
		t.Errorf("excepted = %+v", doc.Excepted)
	}
	if doc.Summary["denied"] != 1 || doc.Summary["warnings"] != 1 || doc.Summary["excepted"] != 1 || doc.Stats.Reused != 6 {
		t.Errorf("summary = %v stats = %+v", doc.Summary, doc.Stats)
	}
}
