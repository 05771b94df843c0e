package policy

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestNamesModuleUpToDate: policy/names.rego is what NamesModule generates from compile/names.go,
// so a label key or name changed in compile fails here until the module is regenerated.
func TestNamesModuleUpToDate(t *testing.T) {
	got, err := os.ReadFile("names.rego")
	if err != nil {
		t.Fatalf("%v: run make generate", err)
	}
	if want := string(NamesModule()); string(got) != want {
		t.Errorf("policy/names.rego is stale: run make generate\n%s", cmp.Diff(want, string(got)))
	}
}
