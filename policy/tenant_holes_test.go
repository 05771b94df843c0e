package policy

import (
	"testing"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
)

// The holes of issue 21 (the tenant boundary): each test compiles real sources and runs the whole
// gate, and each failed before the fix.

// TestHoleAdmissionPoliciesAndAPIServices: writes on admission policies, their bindings and
// aggregated API services are RBAC-11, which no exception can waive (before, a ClusterRole write
// was only the waivable RBAC-12, and a Role's was not reported at all).
func TestHoleAdmissionPoliciesAndAPIServices(t *testing.T) {
	for _, rule := range []string{
		`{apiGroups: [admissionregistration.k8s.io], resources: [mutatingadmissionpolicies], verbs: [create]}`,
		`{apiGroups: [admissionregistration.k8s.io], resources: [validatingadmissionpolicies], verbs: [patch]}`,
		`{apiGroups: [admissionregistration.k8s.io], resources: [mutatingadmissionpolicybindings], verbs: [update]}`,
		`{apiGroups: [admissionregistration.k8s.io], resources: [validatingadmissionpolicybindings], verbs: [delete]}`,
		`{apiGroups: [apiregistration.k8s.io], resources: [apiservices], verbs: [create, update]}`,
	} {
		for _, field := range []string{"rbac", "clusterRBAC"} {
			rep := gateYAML(t, pack("    "+field+": ["+rule+"]\n"), compile.Options{})
			if len(findingsOf(rep, "RBAC-11", diag.SeverityDeny)) == 0 {
				t.Errorf("%s %s: no RBAC-11 in %v", field, rule, rep.Findings)
			}
		}
	}
}
