package compile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/source"
)

// TestObjectOriginsCoverEmitted: on every valid fixture and identity mode, the objects
// ObjectOrigins names for the pods are exactly the emitted objects (but the ConfigMaps that only
// an instance without runs uses, and an Agent's own objects), each with an origin for the whole
// object.
func TestObjectOriginsCoverEmitted(t *testing.T) {
	dirs, _ := filepath.Glob("../fixtures/*")
	n := 0
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
			res, ds := Compile(files, Options{Identity: identity})
			err := ds.Err()
			if err != nil {
				continue // a fixture that needs its args file (a config) to compile
			}
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
		}
	}
	if n < 20 {
		t.Fatalf("only %d fixture compiles checked", n)
	}
}
