package policy

import (
	"strings"
	"testing"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
)

// TestSecurityContextFindingsLocated: a finding about a sidecar's securityContext names
// hostAccess only when the pack declared host access; otherwise skillc's own hardening set the
// field and the finding names the sidecar (it used to point every pack at spec.sidecar.hostAccess).
func TestSecurityContextFindingsLocated(t *testing.T) {
	for _, tc := range []struct {
		name, extra, want string
	}{
		{"no host access", "", "spec.sidecar"},
		{"host access", "    hostAccess: {enabled: true, hostPID: true}\n", "spec.sidecar.hostAccess"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := gateYAML(t, pack(tc.extra), compile.Options{Profile: "restricted"})
			var got []string
			for _, d := range findingsOf(rep, "POD-12", diag.SeverityWarning) {
				if strings.Contains(d.Message, "container skill-p ") {
					got = append(got, d.Field)
				}
			}
			if len(got) != 1 || got[0] != tc.want {
				t.Errorf("POD-12 of the skill sidecar located at %q, want [%s]\n%v", got, tc.want, rep.Findings)
			}
		})
	}
}
