package compile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/internal/gen"
	"github.com/skillc-dev/skillc/source"
)

// TestObjectOriginsCoverEmitted: on every valid fixture and identity mode, the objects
// ObjectOrigins names for the pods are exactly the emitted objects (but the ConfigMaps that only
// an instance without runs uses, and an Agent's own objects), each with an origin for the whole
// object.
func TestObjectOriginsCoverEmitted(t *testing.T) {
	n := 0
	forFixtureCompiles(t, func(dir, identity string, res *Result) {
		named := map[string]bool{}
		for i := range res.Pods {
			for key, o := range res.ObjectOrigins(&res.Pods[i]) {
				named[key] = true
				if _, ok := o.Lookup(""); !ok && !strings.HasPrefix(key, "ServiceAccount/") {
					t.Errorf("%s: %s has no origin", dir, key)
				}
			}
		}
		emitted := map[string]bool{}
		for _, o := range res.Objects {
			key := ObjectKey(o)
			emitted[key] = true
			// An Agent's own objects (channel gateways, warm pools) belong to no run.
			agents := o.GetLabels()[LabelComponent] == ComponentChannel || o.GetLabels()[LabelComponent] == ComponentWarmPool
			if !named[key] && kindOf(o) != "ConfigMap" && !agents {
				t.Errorf("%s (%s): %s is emitted but no pod's origins name it", dir, identity, key)
			}
		}
		for key := range named {
			if !emitted[key] {
				t.Errorf("%s (%s): origins name %s, which is not emitted", dir, identity, key)
			}
		}
		n++
	})
	if n < 20 {
		t.Fatalf("only %d fixture compiles checked", n)
	}
}

// forFixtureCompiles calls f with the compile of every valid fixture (with the built-in packs) in
// each identity mode, but those that need their args file (a config) to compile.
func forFixtureCompiles(t *testing.T, f func(dir, identity string, res *Result)) {
	dirs, _ := filepath.Glob("../fixtures/*")
	for _, dir := range dirs {
		base := filepath.Base(dir)
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() || base == "invalid" || base == "denied" || base == "diff" {
			continue
		}
		files, diags := source.ReadPaths([]string{dir, "../skills"}, nil)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		for _, identity := range api.Identities {
			if res, ds := Compile(files, Options{Identity: identity}); !ds.HasErrors() {
				f(dir, identity, res)
			}
		}
	}
}

// TestFindOriginIsFind: FindOrigin answers what OriginsOf(o).Find does, for every object of every
// valid fixture (in each identity mode) and of a generated repository, at every recorded path,
// below each one (a field, an index), at the object's own fields and at a path nothing records.
func TestFindOriginIsFind(t *testing.T) {
	var results []*Result
	forFixtureCompiles(t, func(_, _ string, res *Result) { results = append(results, res) })
	var files []source.File
	for _, f := range gen.Repo(gen.Size{Packs: 10, Instances: 25, Runs: 100}) {
		files = append(files, source.File{Name: f.Name, Data: f.Data})
	}
	res, ds := Compile(files, Options{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	results = append(results, res)
	checked := 0
	for _, res := range results {
		for _, o := range append(append([]Object{}, res.Objects...), res.StandIns...) {
			all := res.OriginsOf(o)
			paths := []string{"", "metadata", "metadata.name", "spec", "nowhere.at[3].all", "spec.template.spec.containers[0].env[5].value"}
			for p := range all {
				paths = append(paths, p, p+".x", p+"[0]", p+"[1].y")
			}
			for _, p := range paths {
				wantPath, want, wantOK := all.Find(p)
				gotPath, got, gotOK := res.FindOrigin(o, p)
				if gotPath != wantPath || gotOK != wantOK || got != want {
					t.Errorf("%s %s/%s at %q: FindOrigin %q %v %v, Find %q %v %v", kindOf(o), o.GetNamespace(), o.GetName(), p, gotPath, got, gotOK, wantPath, want, wantOK)
				}
				checked++
			}
		}
	}
	if checked < 100000 {
		t.Errorf("only %d lookups checked", checked)
	}
	t.Logf("%d lookups in %d compiles", checked, len(results))
}
