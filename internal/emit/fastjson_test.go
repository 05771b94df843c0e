package emit

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// fuzzObjects makes, from the fuzzer's strings, a Role, a ClusterRole, both bindings and a
// ConfigMap with every field appendJSON writes (and, by flags, one it declines), empty and nil
// slices and maps included.
func fuzzObjects(a, b, c string, flags uint8) []Object {
	list := func(s string) []string {
		switch {
		case flags&1 != 0:
			return nil
		case flags&2 != 0:
			return []string{}
		}
		return []string{s, a}
	}
	meta := metav1.ObjectMeta{Name: a, Namespace: b}
	if flags&4 != 0 {
		meta.Labels = map[string]string{a: b, c: a, "": c}
		meta.Annotations = map[string]string{b: c}
	}
	if flags&8 != 0 {
		meta.Labels = map[string]string{}
	}
	if flags&16 != 0 { // declined: a field appendJSON does not write
		switch flags >> 5 {
		case 0:
			meta.CreationTimestamp = metav1.NewTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
		case 1:
			meta.OwnerReferences = []metav1.OwnerReference{{Name: a}}
		case 2:
			meta.GenerateName = "g-" + c
		default:
			meta.Finalizers = []string{"f" + c}
		}
	}
	rule := rbacv1.PolicyRule{Verbs: list(a), APIGroups: list(b), Resources: list(c), ResourceNames: list(a), NonResourceURLs: list(b)}
	rules := []rbacv1.PolicyRule{rule, {Verbs: []string{c}}}
	if flags&1 != 0 {
		rules = nil
	}
	subjects := []rbacv1.Subject{{Kind: a, APIGroup: b, Name: c, Namespace: a}, {Kind: c, Name: b}}
	if flags&2 != 0 {
		subjects = nil
	}
	ref := rbacv1.RoleRef{APIGroup: a, Kind: b, Name: c}
	tm := func(kind, version string) metav1.TypeMeta {
		if flags&64 != 0 {
			return metav1.TypeMeta{}
		}
		return metav1.TypeMeta{Kind: kind, APIVersion: version}
	}
	cm := &corev1.ConfigMap{TypeMeta: tm("ConfigMap", "v1"), ObjectMeta: meta, Data: map[string]string{a: b, c: c}}
	if flags&2 != 0 {
		immutable := flags&4 != 0
		cm.Immutable = &immutable
		cm.BinaryData = map[string][]byte{b: []byte(c), c: nil, a: {}}
	}
	cr := &rbacv1.ClusterRole{TypeMeta: tm("ClusterRole", "rbac.authorization.k8s.io/v1"), ObjectMeta: meta, Rules: rules}
	if flags&128 != 0 {
		cr.AggregationRule = &rbacv1.AggregationRule{}
	}
	return []Object{
		&rbacv1.Role{TypeMeta: metav1.TypeMeta{Kind: a, APIVersion: c}, ObjectMeta: meta, Rules: rules},
		cr,
		&rbacv1.RoleBinding{TypeMeta: tm("RoleBinding", "rbac.authorization.k8s.io/v1"), ObjectMeta: meta, Subjects: subjects, RoleRef: ref},
		&rbacv1.ClusterRoleBinding{TypeMeta: metav1.TypeMeta{APIVersion: b}, ObjectMeta: meta, Subjects: subjects, RoleRef: ref},
		cm,
	}
}

// FuzzFastJSON: whatever the strings (escapes, HTML, control characters, invalid UTF-8, U+2028)
// and whichever fields are set, appendJSON writes json.Marshal's bytes or declines, and declines
// exactly the objects with a field it does not write.
func FuzzFastJSON(f *testing.F) {
	f.Add("run-1", "ns", "skill", uint8(0))
	f.Add("a\"b\\c", "<x>&y", "\u2028\u2029é", uint8(4))
	f.Add("\x00\x01\b\f\n\r\t\x7f", "\xff\xfe", "ok", uint8(5))
	f.Add("", "", "", uint8(2))
	f.Add("x", "y", "z", uint8(16|32))
	f.Add("x", "y", "z", uint8(128|8))
	f.Fuzz(func(t *testing.T, a, b, c string, flags uint8) {
		for _, o := range fuzzObjects(a, b, c, flags) {
			want, err := json.Marshal(o)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := appendJSON([]byte("prefix"), o)
			_, aggregated := o.(*rbacv1.ClusterRole)
			declines := flags&16 != 0 || aggregated && flags&128 != 0
			if ok == declines {
				t.Fatalf("%T: ok %v with flags %08b", o, ok, flags)
			}
			if ok && !bytes.Equal(got, append([]byte("prefix"), want...)) {
				t.Fatalf("%T:\n got %q\nwant %q", o, got[len("prefix"):], want)
			}
		}
	})
}
