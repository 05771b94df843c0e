package schema

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var updateCompat = flag.Bool("update", false, "rewrite docs/compatibility.md")

const compatDoc = "../../docs/compatibility.md"

// TestCompatibilityDoc: every upstream field is known to skillc's types (no upstream field is an
// "unknown field"), every modelled or no-effect field says what skillc does with it, and
// docs/compatibility.md is what the types say.
func TestCompatibilityDoc(t *testing.T) {
	raw, err := os.ReadFile("testdata/upstream-v0.10.46-fields.txt")
	if err != nil {
		t.Fatal(err)
	}
	doc, fields, err := CompatibilityDoc(strings.Split(strings.TrimSpace(string(raw)), "\n"), "v0.10.46")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fields {
		switch {
		case f.Status == Unknown:
			t.Errorf("%s %s: an upstream field that skillc's types do not know (decoding it says \"unknown field\"): type it, or refuse it with api.Unsupported", f.Kind, f.Path)
		case f.Note == "":
			t.Errorf("%s %s (%s): no note in compatNotes says what skillc does with it", f.Kind, f.Path, f.Status)
		}
	}
	// A note on a path no upstream field has (a typo, a renamed field) would silently say nothing.
	paths := map[string]bool{}
	for _, f := range fields {
		paths[f.Kind+" "+f.Path] = true
	}
	for key := range compatNotes {
		kind, path, _ := strings.Cut(key, " ")
		if path != "spec" && !paths[key] {
			t.Errorf("compatNotes[%q]: %s has no upstream field %s", key, kind, path)
		}
	}
	if *updateCompat {
		if err := os.WriteFile(compatDoc, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(compatDoc)
	if err != nil {
		t.Fatalf("%v (run: go test ./compile/schema -run TestCompatibilityDoc -update)", err)
	}
	if diff := cmp.Diff(string(want), doc); diff != "" {
		t.Errorf("docs/compatibility.md is stale (go test ./compile/schema -run TestCompatibilityDoc -update) (-want +got):\n%s", diff)
	}
}
