package policy

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/internal/gen"
	"github.com/skillc-dev/skillc/source"
)

// TestKeyJSONIsKey: the key made from the YAML writer's JSON is the key made from the object, for
// every object that is not a workload (a workload's key leaves its TASK out: KeyJSON declines it).
func TestKeyJSONIsKey(t *testing.T) {
	var files []source.File
	for _, f := range gen.Repo(gen.Size{Packs: 5, Instances: 10, Runs: 20}) {
		files = append(files, source.File{Name: f.Name, Data: f.Data})
	}
	res, ds := compile.Compile(files, compile.Options{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	g, err := NewGate(context.Background(), res.Config, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	k := g.NewKeyer()
	declined := 0
	for _, o := range res.Objects {
		var raw bytes.Buffer
		if err := json.NewEncoder(&raw).Encode(o); err != nil {
			t.Fatal(err)
		}
		got, ok := k.KeyJSON(o, raw.Bytes())
		if !ok {
			declined++
			if compile.PodSpecOf(o) == nil {
				t.Errorf("%s: declined, and it has no pod", compile.ObjectKey(o))
			}
			continue
		}
		want, err := k.Key(o)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s: KeyJSON differs from Key", compile.ObjectKey(o))
		}
	}
	if declined == 0 || declined == len(res.Objects) {
		t.Errorf("%d of %d objects declined: want the workloads alone", declined, len(res.Objects))
	}
}
