package compile

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"
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
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("encoding %s %s: %w", kindOf(o), o.GetName(), err)
	}
	pruneEmpty(m)
	return m, nil
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
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encoding %s %s: %w", kindOf(o), o.GetName(), err)
	}
	return yaml.JSONToYAML(raw)
}

// pruneEmpty drops "status: {}" and "resources: {}" anywhere: they are the typed structs' zero
// values, not something we mean to set.
func pruneEmpty(v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, child := range t {
			if cm, ok := child.(map[string]any); ok && len(cm) == 0 && (k == "status" || k == "resources") {
				delete(t, k)
				continue
			}
			pruneEmpty(child)
		}
	case []any:
		for _, child := range t {
			pruneEmpty(child)
		}
	}
}

// MarshalStream renders objects as one YAML stream, documents separated by "---".
func MarshalStream(objs []Object) ([]byte, error) {
	var b bytes.Buffer
	for i, o := range objs {
		y, err := MarshalObject(o)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			b.WriteString("---\n")
		}
		b.Write(y)
	}
	return b.Bytes(), nil
}

// ObjectPath is where -o DIR puts an object: <namespace or _cluster>/<kind>-<name>.yaml.
func ObjectPath(o Object) string {
	ns := o.GetNamespace()
	if ns == "" {
		ns = "_cluster"
	}
	return ns + "/" + strings.ToLower(kindOf(o)) + "-" + o.GetName() + ".yaml"
}
