package source

import (
	"fmt"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/internal/gen"
)

// loadInTurn is Load with every file parsed in its turn (nothing ahead).
func loadInTurn(files []File) (*api.Inputs, diag.Diagnostics) {
	r := NewReader()
	in := &api.Inputs{}
	var diags diag.Diagnostics
	for _, f := range files {
		diags = append(diags, r.loadFile(in, f, nil)...)
		if r.Exhausted() {
			break
		}
	}
	return in, diags
}

// TestLoadAheadIsInTurn: Load, which parses files on other cores before their turn, gives what
// loading each file in turn gives, inputs and diagnostics alike: on every fixture together and
// each invalid one alone, on a generated repository in two orders, and where the documents of
// all the inputs pass their limit in the middle of a file.
func TestLoadAheadIsInTurn(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4)) // parse ahead even on a 1-core runner
	sets := map[string][]File{}
	read := func(name string, paths ...string) {
		files, diags := ReadPaths(paths, nil)
		if diags.HasErrors() {
			return // a case of reading, not loading
		}
		sets[name] = files
	}
	read("fixtures", "../fixtures", "../skills")
	invalid, _ := filepath.Glob("../fixtures/invalid/*")
	for _, dir := range invalid {
		read(dir, dir)
	}
	var generated []File
	for _, f := range gen.Repo(gen.Size{Packs: 20, Instances: 50, Runs: 200}) {
		generated = append(generated, File{Name: f.Name, Data: f.Data})
	}
	sets["generated"] = generated
	reversed := slices.Clone(generated)
	slices.Reverse(reversed)
	sets["generated, reversed"] = reversed
	var many []File
	for i := range MaxDocuments/9999 + 1 {
		many = append(many, File{Name: fmt.Sprintf("f%02d.yaml", i), Data: []byte(strings.Repeat("---\n", 9999))})
	}
	sets["over the documents' limit"] = many
	if len(sets) < 100 {
		t.Fatalf("%d input sets: the fixtures were not found", len(sets))
	}
	for name, files := range sets {
		wantIn, wantDiags := loadInTurn(files)
		gotIn, gotDiags := Load(files)
		if !reflect.DeepEqual(gotDiags, wantDiags) {
			t.Errorf("%s: diagnostics differ:\nahead:   %v\nin turn: %v", name, firstLines(gotDiags.Error(), 3), firstLines(wantDiags.Error(), 3))
		}
		if !reflect.DeepEqual(gotIn, wantIn) {
			t.Errorf("%s: inputs differ", name)
		}
	}
}
