package output

import "testing"

func TestGitHub(t *testing.T) {
	want := "::error file=skills/k8s-ops.yaml,line=42,title=RBAC-04::spec.sidecar.rbac[1].verbs[3]: grants list on secrets, 100%25: bad\n" +
		"::warning file=skills/obs.yaml,line=7,title=IMG-01::image has a floating tag%0Asecond line\n" +
		"::notice file=skills/probe.yaml,line=3,title=IMG-02::no digest (excepted by exc-probe, owner platform-team, expires 2027-06-30)\n"
	if got := render(t, "github", sample()); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if got := escapeProperty("a,b:c%"); got != "a%2Cb%3Ac%25" {
		t.Errorf("escapeProperty = %q", got)
	}
}
