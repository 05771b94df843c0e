package compile

import (
	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
)

// buildCronJob renders a schedule: the same pod as a run's, triggered by the CronJob controller.
// Upstream's default concurrency is Forbid: two triggers of one task never overlap.
// Like buildJob, it also says where its fields came from.
func buildCronJob(cfg *api.ConfigSpec, pod *Pod, images *diag.Source, rr *recorder) (*batchv1.CronJob, *origins, diag.Diagnostics) {
	from := rr.begin(pod, CronJobPodSpecPath)
	tmpl, diags := buildPodTemplate(cfg, pod, images, from)
	if tmpl == nil {
		return nil, nil, diags
	}
	podObjectOrigins(pod, from, "spec.jobTemplate.spec.template.metadata.labels")
	from.set("spec.jobTemplate.metadata.labels", &pod.Instance.Src, "metadata.name")
	from.set("spec.schedule", &pod.Src, "spec.schedule")
	from.set("spec.concurrencyPolicy", &pod.Src, "spec.concurrencyPolicy")
	policy := batchv1.ForbidConcurrent
	if p := pod.Schedule.Spec.ConcurrencyPolicy; p != "" {
		policy = batchv1.ConcurrencyPolicy(p)
	}
	cj := &batchv1.CronJob{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "CronJob"},
		ObjectMeta: workloadMeta(pod),
		Spec: batchv1.CronJobSpec{
			Schedule:          pod.Schedule.Spec.Schedule,
			ConcurrencyPolicy: policy,
			JobTemplate: batchv1.JobTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: podLabels(pod)},
				Spec:       jobSpec(pod, *tmpl),
			},
		},
	}
	if pod.Schedule.Spec.Suspend {
		cj.Spec.Suspend = ptr(true)
	}
	return cj, from.done(), diags
}
