package compile

import (
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

// Labels every object carries, and the Sympozium labels the seed's controller sets.
const (
	labelManagedBy      = "app.kubernetes.io/managed-by"
	managedBySkillc     = "skillc"
	labelComponent      = "sympozium.ai/component"
	labelSkillPack      = "sympozium.ai/skillpack"
	labelAgentRun       = "sympozium.ai/agent-run"
	labelSchedule       = "sympozium.ai/schedule"
	labelInstance       = "sympozium.ai/instance"
	labelSkill          = "sympozium.ai/skill"
	labelSympoziumOwner = "sympozium.ai/managed-by"
)

func labels(kv ...string) map[string]string {
	m := map[string]string{labelManagedBy: managedBySkillc}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func objectMeta(name, namespace string, l map[string]string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: l}
}

func ptr[T any](v T) *T { return &v }

// PodSpecOf returns the pod spec of a Job or CronJob, or nil for other kinds.
func PodSpecOf(o Object) *corev1.PodSpec {
	switch w := o.(type) {
	case *batchv1.Job:
		return &w.Spec.Template.Spec
	case *batchv1.CronJob:
		return &w.Spec.JobTemplate.Spec.Template.Spec
	}
	return nil
}
