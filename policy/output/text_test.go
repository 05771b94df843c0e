package output

import "testing"

func TestText(t *testing.T) {
	want := `skills/k8s-ops.yaml:42: RBAC-04: spec.sidecar.rbac[1].verbs[3]: grants list on secrets, 100%: bad
skills/obs.yaml:7: warning: IMG-01: image has a floating tag
second line
skills/probe.yaml:3: warning: IMG-02: no digest (excepted by exc-probe, owner platform-team, expires 2027-06-30)
10 objects checked (4 policy evaluations): 1 denied, 1 warnings, 1 excepted
`
	if got := render(t, "text", sample()); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
