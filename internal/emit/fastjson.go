package emit

import (
	"encoding/base64"
	"maps"
	"slices"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// appendJSON appends what json.Marshal writes for o, for the kinds nearly every emitted object is
// (a run's Roles, ClusterRoles and their bindings; the skill ConfigMaps), or reports false for
// anything else, and for any field it does not write (an owner reference, a timestamp, an
// aggregation rule): the caller then asks encoding/json. encoding/json walks a typed object by
// reflection, and was a third of the cost of rendering it. TestFastJSONIsEncodingJSON and
// FuzzFastJSON hold it to encoding/json.
func appendJSON(b []byte, o Object) ([]byte, bool) {
	switch t := o.(type) {
	case *rbacv1.Role:
		b, ok := appendHead(b, &t.TypeMeta, &t.ObjectMeta)
		if !ok {
			return b, false
		}
		return append(appendRules(append(b, `,"rules":`...), t.Rules), '}'), true
	case *rbacv1.ClusterRole:
		if t.AggregationRule != nil {
			return b, false
		}
		b, ok := appendHead(b, &t.TypeMeta, &t.ObjectMeta)
		if !ok {
			return b, false
		}
		return append(appendRules(append(b, `,"rules":`...), t.Rules), '}'), true
	case *rbacv1.RoleBinding:
		b, ok := appendHead(b, &t.TypeMeta, &t.ObjectMeta)
		if !ok {
			return b, false
		}
		return append(appendBinding(b, t.Subjects, &t.RoleRef), '}'), true
	case *rbacv1.ClusterRoleBinding:
		b, ok := appendHead(b, &t.TypeMeta, &t.ObjectMeta)
		if !ok {
			return b, false
		}
		return append(appendBinding(b, t.Subjects, &t.RoleRef), '}'), true
	case *corev1.ConfigMap:
		b, ok := appendHead(b, &t.TypeMeta, &t.ObjectMeta)
		if !ok {
			return b, false
		}
		if t.Immutable != nil {
			b = append(b, `,"immutable":`...)
			if *t.Immutable {
				b = append(b, "true"...)
			} else {
				b = append(b, "false"...)
			}
		}
		if len(t.Data) > 0 {
			b = appendStringMap(append(b, `,"data":`...), t.Data)
		}
		if len(t.BinaryData) > 0 {
			b = append(b, `,"binaryData":{`...)
			for i, k := range slices.Sorted(maps.Keys(t.BinaryData)) {
				if i > 0 {
					b = append(b, ',')
				}
				b = append(appendString(b, k), ':')
				if v := t.BinaryData[k]; v == nil {
					b = append(b, "null"...)
				} else {
					b = append(b, '"')
					b = base64.StdEncoding.AppendEncode(b, v)
					b = append(b, '"')
				}
			}
			b = append(b, '}')
		}
		return append(b, '}'), true
	}
	return b, false
}

// appendHead opens the object and writes its TypeMeta (inline) and metadata: the name,
// namespace, labels and annotations; false when another ObjectMeta field is set.
func appendHead(b []byte, tm *metav1.TypeMeta, m *metav1.ObjectMeta) ([]byte, bool) {
	//lint:ignore SA1019 a set selfLink must still be written: declined, encoding/json writes it
	if m.GenerateName != "" || m.SelfLink != "" || m.UID != "" || m.ResourceVersion != "" || m.Generation != 0 ||
		!m.CreationTimestamp.IsZero() || m.DeletionTimestamp != nil || m.DeletionGracePeriodSeconds != nil ||
		len(m.OwnerReferences) > 0 || len(m.Finalizers) > 0 || len(m.ManagedFields) > 0 {
		return b, false
	}
	b = append(b, '{')
	if tm.Kind != "" {
		b = appendString(append(b, `"kind":`...), tm.Kind)
	}
	if tm.APIVersion != "" {
		if tm.Kind != "" {
			b = append(b, ',')
		}
		b = appendString(append(b, `"apiVersion":`...), tm.APIVersion)
	}
	if tm.Kind != "" || tm.APIVersion != "" {
		b = append(b, ',')
	}
	b = append(b, `"metadata":{`...)
	n := len(b) // a field before another writes a comma
	if m.Name != "" {
		b = appendString(append(b, `"name":`...), m.Name)
	}
	if m.Namespace != "" {
		b = appendString(append(comma(b, n), `"namespace":`...), m.Namespace)
	}
	if len(m.Labels) > 0 {
		b = appendStringMap(append(comma(b, n), `"labels":`...), m.Labels)
	}
	if len(m.Annotations) > 0 {
		b = appendStringMap(append(comma(b, n), `"annotations":`...), m.Annotations)
	}
	return append(b, '}'), true
}

// comma appends a comma when an object begun at n has a field already.
func comma(b []byte, n int) []byte {
	if len(b) > n {
		return append(b, ',')
	}
	return b
}

// appendRules writes a Role's rules (null when nil, as the field has no omitempty).
func appendRules(b []byte, rules []rbacv1.PolicyRule) []byte {
	if rules == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i := range rules {
		r := &rules[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = appendStrings(append(b, `{"verbs":`...), r.Verbs)
		for _, f := range []struct {
			name string
			v    []string
		}{{"apiGroups", r.APIGroups}, {"resources", r.Resources}, {"resourceNames", r.ResourceNames}, {"nonResourceURLs", r.NonResourceURLs}} {
			if len(f.v) > 0 {
				b = appendStrings(append(append(append(b, `,"`...), f.name...), `":`...), f.v)
			}
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendBinding writes a binding's subjects (omitted when empty) and roleRef.
func appendBinding(b []byte, subjects []rbacv1.Subject, ref *rbacv1.RoleRef) []byte {
	if len(subjects) > 0 {
		b = append(b, `,"subjects":[`...)
		for i := range subjects {
			s := &subjects[i]
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(append(b, `{"kind":`...), s.Kind)
			if s.APIGroup != "" {
				b = appendString(append(b, `,"apiGroup":`...), s.APIGroup)
			}
			b = appendString(append(b, `,"name":`...), s.Name)
			if s.Namespace != "" {
				b = appendString(append(b, `,"namespace":`...), s.Namespace)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = appendString(append(b, `,"roleRef":{"apiGroup":`...), ref.APIGroup)
	b = appendString(append(b, `,"kind":`...), ref.Kind)
	b = appendString(append(b, `,"name":`...), ref.Name)
	return append(b, '}')
}

// appendStrings writes a []string as encoding/json does: null when nil.
func appendStrings(b []byte, v []string) []byte {
	if v == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

// appendStringMap writes a non-nil map with its keys sorted, as encoding/json does.
func appendStringMap(b []byte, m map[string]string) []byte {
	var small [16]string // labels and annotations: a few keys, sorted without an allocation
	keys := small[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(append(appendString(b, k), ':'), m[k])
	}
	return append(b, '}')
}

// appendString writes s as encoding/json does (HTML-safe): '"' and '\\' escaped, \b \f \n \r \t
// short, other control characters and <, > and & as \u00XX, U+2028 and U+2029 escaped, and each
// invalid UTF-8 byte as \ufffd.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(append(b, s[start:i]...), `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(append(b, s[start:]...), '"')
}
