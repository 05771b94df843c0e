package compile

import (
	"fmt"

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
	deadlineOrigin(pod, from, "spec.jobTemplate.spec.activeDeadlineSeconds")
	from.set("spec.schedule", &pod.Src, "spec.schedule")
	from.set("spec.concurrencyPolicy", &pod.Src, "spec.concurrencyPolicy")
	policy := batchv1.ForbidConcurrent
	if p := pod.Schedule.Spec.ConcurrencyPolicy; p != "" {
		policy = batchv1.ConcurrencyPolicy(p)
	}
	jobLabels := podLabels(pod)
	if t := pod.Schedule.Spec.Type; t != "" {
		// Upstream labels each run it creates with the schedule's type; each Job stands for one.
		jobLabels[LabelScheduleType] = t
		from.set("spec.jobTemplate.metadata.labels."+LabelScheduleType, &pod.Src, "spec.type")
	}
	diags = append(diags, includeMemory(pod)...)
	cj := &batchv1.CronJob{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "CronJob"},
		ObjectMeta: workloadMeta(pod),
		Spec: batchv1.CronJobSpec{
			Schedule:          pod.Schedule.Spec.Schedule,
			ConcurrencyPolicy: policy,
			JobTemplate: batchv1.JobTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: jobLabels},
				Spec:       jobSpec(pod, *tmpl),
			},
		},
	}
	if pod.Schedule.Spec.Suspend {
		cj.Spec.Suspend = ptr(true)
	}
	return cj, from.done(), diags
}

// LabelScheduleType is the label upstream's schedule controller puts on each run with the
// schedule's type (heartbeat, scheduled, sweep).
const LabelScheduleType = "sympozium.ai/type"

// includeMemory says what becomes of spec.includeMemory (upstream's default true): the schedule
// controller prefixes each run's task with the Agent's MEMORY.md when it fires, which a
// pre-rendered CronJob cannot read. The task is emitted as written: with legacy memory enabled the
// agent-runner still reads /memory/MEMORY.md and prefixes the task with it itself, so the run
// sees its memory once instead of twice; without it upstream finds no memory ConfigMap and adds
// nothing either.
func includeMemory(pod *Pod) diag.Diagnostics {
	s := pod.Schedule.Spec
	if s.IncludeMemory != nil && !*s.IncludeMemory {
		return nil
	}
	src := &pod.Src
	if src.Generated() && !src.Written("spec.includeMemory") {
		return nil // an Ensemble's schedule: its controller sets it, no author can act on it
	}
	line := src.LineOf("spec.includeMemory")
	if memoryEnabled(pod.Instance) {
		return diag.Diagnostics{{File: src.File, Line: line, Field: "spec.includeMemory", Severity: diag.SeverityInfo,
			Message: "the controller's \"## Memory Context\" prefix is read from the memory ConfigMap when a run starts, which a pre-rendered CronJob cannot do: TASK is the task as written, and the agent-runner prefixes it with /memory/MEMORY.md itself (legacy memory is enabled)"}}
	}
	if s.IncludeMemory == nil {
		return nil // the default, with nothing to include: upstream adds nothing either
	}
	return diag.Diagnostics{{File: src.File, Line: line, Field: "spec.includeMemory", Severity: diag.SeverityWarning,
		Message: fmt.Sprintf("Agent %s has no memory enabled (spec.memory.enabled), so there is no MEMORY.md to include: upstream adds nothing, and neither does skillc", pod.Instance.Metadata.Name)}}
}
