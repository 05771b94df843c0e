package main

import (
	"regexp"
	"testing"
)

// TestConftestPinned: the conftest the tests run is the Makefile's CONFTEST_VERSION, built in
// hack/conftest with the main module's OPA, so that the OPA packages compile once (make tools).
func TestConftestPinned(t *testing.T) {
	version := func(text, re string) string {
		t.Helper()
		m := regexp.MustCompile(re).FindStringSubmatch(text)
		if m == nil {
			t.Fatalf("no match for %s", re)
		}
		return m[1]
	}
	makefile, tools, main := mustRead(t, "Makefile"), mustRead(t, "hack/conftest/go.mod"), mustRead(t, "go.mod")
	if want, got := version(makefile, `(?m)^CONFTEST_VERSION\s*:=\s*(\S+)`), version(tools, `github.com/open-policy-agent/conftest (v\S+)`); got != want {
		t.Errorf("hack/conftest/go.mod requires conftest %s, the Makefile says %s", got, want)
	}
	if want, got := version(main, `github.com/open-policy-agent/opa (v\S+)`), version(tools, `github.com/open-policy-agent/opa (v\S+)`); got != want {
		t.Errorf("hack/conftest builds conftest with OPA %s, skillc links %s: the packages would compile twice", got, want)
	}
}
