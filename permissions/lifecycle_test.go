package permissions

import (
	"slices"
	"testing"
)

// A run's lifecycle Role (its hooks' grants, labelled with no pack) is one of the run's permissions,
// with the pod's: a diff shows what a run's hooks are granted.
func TestFromObjectsLifecycleRole(t *testing.T) {
	got := flat(FromObjects(objects(t, `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: sympozium-lifecycle-r1
  namespace: t1
  labels: {sympozium.ai/agent-run: r1, sympozium.ai/component: lifecycle}
rules:
  - apiGroups: [""]
    resources: [configmaps]
    verbs: [get, delete]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: unlabelled
  namespace: t1
  labels: {sympozium.ai/agent-run: r1}
rules:
  - apiGroups: [""]
    resources: [secrets]
    verbs: [get]
`)))
	want := []string{
		`Job t1/r1 [] Role t1 core/configmaps delete`,
		`Job t1/r1 [] Role t1 core/configmaps get`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
