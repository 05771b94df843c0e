package output

import (
	"strings"
	"testing"
)

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

// TestGitHubPaths: annotations name files as Options.Path gives them (relative to the repository
// root), the excepted ones too.
func TestGitHubPaths(t *testing.T) {
	var b strings.Builder
	o, err := New("github", &b, Options{Path: func(f string) string { return "repo/" + f }})
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Write(sample()); err != nil {
		t.Fatal(err)
	}
	if err := o.Flush(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"file=repo/skills/k8s-ops.yaml,line=42", "file=repo/skills/obs.yaml,line=7", "file=repo/skills/probe.yaml,line=3"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("no %q in:\n%s", want, b.String())
		}
	}
}
