package compile

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	yaml "go.yaml.in/yaml/v2"
)

// kindOrder is SPEC §3's order: identities and content before the permissions that refer to them,
// and permissions before the workloads that use them.
var kindOrder = map[string]int{
	"ServiceAccount": 0, "ConfigMap": 1, "Role": 2, "ClusterRole": 3,
	"RoleBinding": 4, "ClusterRoleBinding": 5, "Job": 6, "CronJob": 7,
}

func kindOf(o Object) string { return o.GetObjectKind().GroupVersionKind().Kind }

// sortObjects orders objects by namespace, kind (kindOrder), then name.
func sortObjects(objs []Object) {
	slices.SortFunc(objs, func(a, b Object) int {
		return cmp.Or(
			cmp.Compare(a.GetNamespace(), b.GetNamespace()),
			cmp.Compare(kindOrder[kindOf(a)], kindOrder[kindOf(b)]),
			cmp.Compare(a.GetName(), b.GetName()),
		)
	})
}

// ToMap is an object as generic JSON values, exactly as it is serialized (and as conftest and the
// policy gate see it).
func ToMap(o Object) (map[string]any, error) {
	raw, err := json.Marshal(o)
	if err != nil {
		return nil, fmt.Errorf("encoding %s %s: %w", kindOf(o), o.GetName(), err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // keep integers integers: float64 would print 1000000 as 1e+06
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("encoding %s %s: %w", kindOf(o), o.GetName(), err)
	}
	normalize(m)
	return m, nil
}

// normalize drops "status: {}" and "resources: {}" anywhere (they are the typed structs' zero
// values, not something we mean to set) and turns JSON numbers into int64 or float64.
func normalize(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, child := range t {
			if cm, ok := child.(map[string]any); ok && len(cm) == 0 && (k == "status" || k == "resources") {
				delete(t, k)
				continue
			}
			t[k] = normalize(child)
		}
	case []any:
		for i, child := range t {
			t[i] = normalize(child)
		}
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		f, _ := t.Float64()
		return f
	}
	return v
}

// KindOf returns an object's kind.
func KindOf(o Object) string { return kindOf(o) }

// MarshalObject renders one object as YAML with sorted keys and without the empty status and
// resources stanzas the typed structs would otherwise print.
func MarshalObject(o Object) ([]byte, error) {
	m, err := ToMap(o)
	if err != nil {
		return nil, err
	}
	// The emitter sigs.k8s.io/yaml uses, without its JSON re-parse: same bytes, less work.
	out, err := yaml.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encoding %s %s: %w", kindOf(o), o.GetName(), err)
	}
	return out, nil
}

// MarshalStream renders objects as one YAML stream, documents separated by "---". Objects are
// encoded in parallel into their own slots, so the stream's order is the objects' order.
func MarshalStream(objs []Object) ([]byte, error) {
	docs, err := MarshalEach(objs)
	if err != nil {
		return nil, err
	}
	size := 0
	for _, d := range docs {
		size += len(d) + 4
	}
	b := bytes.NewBuffer(make([]byte, 0, size))
	for i, d := range docs {
		if i > 0 {
			b.WriteString("---\n")
		}
		b.Write(d)
	}
	return b.Bytes(), nil
}

// MarshalEach encodes every object (one YAML document each, in order), using every core.
func MarshalEach(objs []Object) ([][]byte, error) {
	docs := make([][]byte, len(objs))
	errs := make([]error, len(objs))
	workers := min(runtime.GOMAXPROCS(0), max(len(objs)/64, 1))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(objs); i = int(next.Add(1) - 1) {
				docs[i], errs[i] = MarshalObject(objs[i])
			}
		})
	}
	wg.Wait()
	return docs, errors.Join(errs...)
}

// ObjectPath is where -o DIR puts an object: <namespace or _cluster>/<kind>-<name>.yaml.
func ObjectPath(o Object) string {
	ns := o.GetNamespace()
	if ns == "" {
		ns = "_cluster"
	}
	return ns + "/" + strings.ToLower(kindOf(o)) + "-" + o.GetName() + ".yaml"
}
