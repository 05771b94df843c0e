package compile

import (
	"cmp"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// Object is one emitted Kubernetes object: a typed k8s.io/api struct with its TypeMeta set.
type Object interface {
	metav1.Object
	runtime.Object
}

func labels(kv ...string) map[string]string {
	m := make(map[string]string, 1+len(kv)/2)
	m[LabelManagedBy] = ManagedBySkillc
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func objectMeta(name, namespace string, l map[string]string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: l}
}

func ptr[T any](v T) *T { return &v }

// workloadMeta is a Job's or CronJob's metadata: with the pack identity of each sidecar
// (AnnotationSkillPacks), so that allow-lists match the pack that was resolved, never a bare name
// a tenant's private pack can share with a catalog pack.
func workloadMeta(pod *Pod) metav1.ObjectMeta {
	m := objectMeta(pod.Name, pod.Namespace, podLabels(pod))
	if ids := PackIdentities(pod); ids != "" {
		m.Annotations = map[string]string{AnnotationSkillPacks: ids}
	}
	return m
}

// PackIdentities is the value of AnnotationSkillPacks for a pod: namespace/name of each pack that
// runs a sidecar, in container order ("" when none does).
func PackIdentities(pod *Pod) string {
	var b strings.Builder
	for _, t := range pod.Toggles {
		if sc := t.Pack.Spec.Sidecar; sc == nil || sc.Image == "" || sc.RequiresServer {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(t.Identity())
	}
	return b.String()
}

// PodTemplateOf returns the pod template of a kind skillc emits with one (Job, CronJob,
// Deployment, Sandbox, SandboxWarmPool), or nil for other kinds.
func PodTemplateOf(o Object) *corev1.PodTemplateSpec {
	switch w := o.(type) {
	case *batchv1.Job:
		return &w.Spec.Template
	case *batchv1.CronJob:
		return &w.Spec.JobTemplate.Spec.Template
	case *appsv1.Deployment:
		return &w.Spec.Template
	case *Sandbox:
		return &w.Spec.PodTemplate
	case *SandboxWarmPool:
		return &w.Spec.PodTemplate
	}
	return nil
}

// The paths of the pod spec in the kinds skillc emits with one.
const (
	JobPodSpecPath        = "spec.template.spec"
	CronJobPodSpecPath    = "spec.jobTemplate.spec.template.spec"
	DeploymentPodSpecPath = "spec.template.spec"
)

// PodSpecPath is the field path of the pod spec of a kind skillc emits with one ("" for other
// kinds). policy/lib.rego's pod_prefixes says the same for the gate's rules.
func PodSpecPath(o Object) string {
	switch o.(type) {
	case *batchv1.Job:
		return JobPodSpecPath
	case *batchv1.CronJob:
		return CronJobPodSpecPath
	case *appsv1.Deployment:
		return DeploymentPodSpecPath
	case *Sandbox, *SandboxWarmPool:
		return SandboxPodSpecPath
	}
	return ""
}

// PodSpecOf returns the pod spec of a kind skillc emits with one, or nil for other kinds.
func PodSpecOf(o Object) *corev1.PodSpec {
	if t := PodTemplateOf(o); t != nil {
		return &t.Spec
	}
	return nil
}

// kindOrder is SPEC §3's order: identities and content before the permissions that refer to them,
// and permissions before the workloads that use them.
var kindOrder = map[string]int{
	"ServiceAccount": 0, "ConfigMap": 1, "Role": 2, "ClusterRole": 3,
	"RoleBinding": 4, "ClusterRoleBinding": 5, "Job": 6, "CronJob": 7,
	// Run workspaces and channel gateways (a claim before the Deployment that mounts it), server
	// runs, and the agent-sandbox backend (a warm pool before the claims on it).
	"PersistentVolumeClaim": 8, "Deployment": 9, "Service": 10, KindSandboxWarmPool: 11, KindSandbox: 12, KindSandboxClaim: 13,
}

// KindOf is an emitted object's kind.
func KindOf(o Object) string { return kindOf(o) }

// kindOf reads the kind off the object's TypeMeta: GroupVersionKind would parse its apiVersion on
// every call, and the kind is asked for several times per object (sorting, checking, gating).
func kindOf(o Object) string {
	if tm, ok := o.GetObjectKind().(*metav1.TypeMeta); ok {
		return tm.Kind
	}
	return o.GetObjectKind().GroupVersionKind().Kind
}

// sortObjects orders objects by namespace, kind (kindOrder), then name. Each object's key is made
// once, not at each of the n log n comparisons, with its namespace as its rank among the few
// namespaces of the objects (an integer compared, not a string); the sort moves indices, not
// objects. The comparisons, and so the order, are those of Key.Compare.
func sortObjects(objs []Object) {
	idx := Order(len(objs), func(i int) Key { return KeyOf(objs[i]) })
	sorted := make([]Object, len(objs))
	for i, j := range idx {
		sorted[i] = objs[j]
	}
	copy(objs, sorted)
}

// Order is the permutation that puts n items in output order, key(i) being item i's Key: the one
// slices.SortFunc by Key.Compare makes of them (ties too), found on indexes with the namespaces
// ranked, not by comparing namespaces and moving the items (133,000 documents at ten times the
// reference repository).
func Order(n int, key func(i int) Key) []int32 {
	type sortKey struct {
		ns, kind  int
		name      string
		namespace string // until ranked
	}
	keys := make([]sortKey, n)
	var namespaces []string // distinct, then sorted
	seen := map[string]bool{}
	for i := range n {
		k := key(i)
		keys[i] = sortKey{kind: k.Kind, name: k.Name, namespace: k.Namespace}
		if !seen[k.Namespace] {
			seen[k.Namespace] = true
			namespaces = append(namespaces, k.Namespace)
		}
	}
	slices.Sort(namespaces)
	rank := make(map[string]int, len(namespaces))
	for i, ns := range namespaces {
		rank[ns] = i
	}
	idx := make([]int32, n)
	for i := range n {
		keys[i].ns, idx[i] = rank[keys[i].namespace], int32(i)
	}
	slices.SortFunc(idx, func(a, b int32) int {
		k, l := &keys[a], &keys[b]
		if k.ns != l.ns {
			return cmp.Compare(k.ns, l.ns)
		}
		if k.kind != l.kind {
			return cmp.Compare(k.kind, l.kind)
		}
		return strings.Compare(k.name, l.name)
	})
	return idx
}

// Key is where an object goes in output order: by namespace, kind (SPEC §3's order), then name.
type Key struct {
	Namespace string
	Kind      int
	Name      string
}

// KeyOf is o's place in output order.
func KeyOf(o Object) Key { return Key{o.GetNamespace(), kindOrder[kindOf(o)], o.GetName()} }

// Compare orders keys as the output is ordered.
func (k Key) Compare(l Key) int {
	// Not cmp.Or, which would compare the names of every pair (its arguments are all evaluated).
	if c := strings.Compare(k.Namespace, l.Namespace); c != 0 {
		return c
	}
	if k.Kind != l.Kind {
		return cmp.Compare(k.Kind, l.Kind)
	}
	return strings.Compare(k.Name, l.Name)
}

// sortedKeys returns a map's keys in order: every map we emit is iterated this way. The slice is
// made at its size once (slices.Sorted grows it by appending).
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
