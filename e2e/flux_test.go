package e2e

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fluxcd/cli-utils/pkg/kstatus/polling"
	"github.com/fluxcd/pkg/ssa"
	"github.com/fluxcd/pkg/ssa/normalize"
	ssautils "github.com/fluxcd/pkg/ssa/utils"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

const (
	fluxForce    = "kustomize.toolkit.fluxcd.io/force"
	runLabel     = "sympozium.ai/agent-run"
	fluxRendered = "kustomize/flux/rendered"
)

// fluxManager is a ResourceManager set up the way kustomize-controller sets up its own
// (fluxcd/kustomize-controller, internal/controller/kustomization_controller.go, apply()):
// its field manager and owner labels, Force off (spec.force: false) and the force annotation
// as the ForceSelector, the reconcile-disabled ExclusionSelector.
type fluxManager struct {
	m    *ssa.ResourceManager
	opts ssa.ApplyOptions
}

func newFluxManager(t *testing.T) *fluxManager {
	t.Helper()
	kc, err := client.New(cp.admin, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	poller := polling.NewStatusPoller(kc, kc.RESTMapper(), polling.Options{})
	m := ssa.NewResourceManager(kc, poller, ssa.Owner{Field: "kustomize-controller", Group: "kustomize.toolkit.fluxcd.io"})
	opts := ssa.DefaultApplyOptions()
	opts.Force = false
	opts.ExclusionSelector = map[string]string{"kustomize.toolkit.fluxcd.io/reconcile": "disabled"}
	opts.ForceSelector = map[string]string{fluxForce: "enabled"}
	return &fluxManager{m: m, opts: opts}
}

// apply is one reconciliation: normalize, owner labels, ApplyAllStaged.
func (f *fluxManager) apply(ctx context.Context, t *testing.T, objs []*unstructured.Unstructured) (*ssa.ChangeSet, error) {
	t.Helper()
	objs = deepCopyAll(objs)
	if err := normalize.UnstructuredList(objs); err != nil {
		t.Fatal(err)
	}
	f.m.SetOwnerLabels(objs, "skills", "flux-system")
	return f.m.ApplyAllStaged(ctx, objs, f.opts)
}

func deepCopyAll(objs []*unstructured.Unstructured) []*unstructured.Unstructured {
	out := make([]*unstructured.Unstructured, len(objs))
	for i, o := range objs {
		out[i] = o.DeepCopy()
	}
	return out
}

// liveState is each object's UID and version, keyed by kind/namespace/name. The version is the
// resourceVersion, except for Jobs and CronJobs, whose controllers keep writing their status: for
// them it is metadata.generation, which only a change of the object's spec moves.
func liveState(t *testing.T, ctx context.Context, a *applier, objs []*unstructured.Unstructured) map[string][2]string {
	t.Helper()
	out := map[string][2]string{}
	for _, o := range objs {
		live, err := a.get(ctx, o)
		if err != nil {
			t.Fatalf("%s: %v", describe(o), err)
		}
		v := live.GetResourceVersion()
		if k := o.GetKind(); k == "Job" || k == "CronJob" {
			v = "generation " + strconv.FormatInt(live.GetGeneration(), 10)
		}
		out[describe(o)] = [2]string{string(live.GetUID()), v}
	}
	return out
}

// setTask changes the TASK env var of a Job's agent container: what editing an AgentRun's task
// in Git and recompiling changes in the render.
func setTask(t *testing.T, job *unstructured.Unstructured, task string) {
	t.Helper()
	tpl := podSpecOf(t, job)
	found := false
	for i := range tpl.Spec.Containers {
		for j := range tpl.Spec.Containers[i].Env {
			if tpl.Spec.Containers[i].Env[j].Name == "TASK" {
				tpl.Spec.Containers[i].Env[j] = corev1.EnvVar{Name: "TASK", Value: task}
				found = true
			}
		}
	}
	if !found {
		t.Fatalf("%s has no TASK env var", describe(job))
	}
	setPodSpec(t, job, tpl)
}

func findJob(t *testing.T, objs []*unstructured.Unstructured) *unstructured.Unstructured {
	t.Helper()
	for _, o := range objs {
		if o.GetKind() == "Job" {
			return o
		}
	}
	t.Fatal("the render has no Job")
	return nil
}

func fluxRender(t *testing.T, prefix string) []*unstructured.Unstructured {
	t.Helper()
	objs := readYAMLDir(t, filepath.Join(repoRoot, fluxRendered))
	renamespace(objs, prefix)
	ctx := testContext(t)
	cs := clientset(t, nil)
	for ns, level := range levelFor(t, objs, "baseline") {
		ensureNamespace(t, ctx, cs, ns, level)
	}
	return objs
}

// TestFluxForceRecreatesChangedRun (item 5): kustomize-controller's apply engine
// (fluxcd/pkg/ssa ApplyAllStaged, configured like the controller) over the committed Flux render.
func TestFluxForceRecreatesChangedRun(t *testing.T) {
	ctx := testContext(t)
	a := newApplier(t, cp.admin, "skillc-e2e-observer")
	f := newFluxManager(t)
	objs := fluxRender(t, "flux")
	job := findJob(t, objs)
	if job.GetAnnotations()[fluxForce] != "enabled" {
		t.Errorf("%s in %s lacks %s: enabled", describe(job), fluxRendered, fluxForce)
	}

	cs, err := f.apply(ctx, t, objs)
	if err != nil {
		t.Fatalf("first apply: %v", err)
	}
	for _, e := range cs.Entries {
		if e.Action != ssa.CreatedAction {
			t.Errorf("first apply: %s %s, want created", e.Subject, e.Action)
		}
	}
	if len(cs.Entries) != len(objs) {
		t.Errorf("first apply: %d changes for %d objects", len(cs.Entries), len(objs))
	}
	finishJob(t, ctx, job)
	first := liveState(t, ctx, a, objs)

	// A reconciliation with nothing changed in Git touches nothing: every object unchanged, the
	// same UID and resourceVersion (the finished run is not re-run).
	cs, err = f.apply(ctx, t, objs)
	if err != nil {
		t.Fatalf("re-apply: %v", err)
	}
	for _, e := range cs.Entries {
		if e.Action != ssa.UnchangedAction {
			t.Errorf("re-apply of an unchanged render: %s %s, want unchanged", e.Subject, e.Action)
		}
	}
	if again := liveState(t, ctx, a, objs); !equalState(again, first) {
		t.Errorf("re-apply changed live objects:\nbefore %v\nafter  %v", first, again)
	}
	assertFinished(t, ctx, job)

	// The run's task changes in Git: the Job (pod template immutable) is deleted and created
	// again, and nothing else is touched.
	setTask(t, job, "a changed task: re-audit the certificates")
	cs, err = f.apply(ctx, t, objs)
	if err != nil {
		t.Fatalf("apply of a changed run with %s: %v", fluxForce, err)
	}
	after := liveState(t, ctx, a, objs)
	for k, v := range after {
		if k == describe(job) {
			if v[0] == first[k][0] {
				t.Errorf("%s: the changed run's Job kept UID %s: it was not recreated", k, v[0])
			}
			continue
		}
		if v != first[k] {
			t.Errorf("%s: touched by the apply of another object's change (uid/resourceVersion %v -> %v)", k, first[k], v)
		}
	}
	for _, e := range cs.Entries {
		if e.Subject != ssaSubject(job) && e.Action != ssa.UnchangedAction {
			t.Errorf("apply of a changed run: %s %s, want unchanged", e.Subject, e.Action)
		}
	}

	// The run leaves Git: prune (kustomize-controller deletes what its inventory holds and the new
	// render lacks, selected by its owner labels) removes the Job and its RBAC and ServiceAccount,
	// and nothing else.
	run := job.GetLabels()[runLabel]
	var kept, stale []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetLabels()[runLabel] == run {
			stale = append(stale, o)
		} else {
			kept = append(kept, o)
		}
	}
	if len(stale) < 2 {
		t.Fatalf("run %s has %d objects in the render, want its Job and at least its RBAC", run, len(stale))
	}
	if _, err := f.apply(ctx, t, kept); err != nil {
		t.Fatalf("apply without the run: %v", err)
	}
	del, err := f.m.DeleteAll(ctx, deepCopyAll(stale), ssa.DeleteOptions{
		PropagationPolicy: "Background",
		Inclusions:        f.m.GetOwnerLabels("skills", "flux-system"),
		Exclusions:        map[string]string{"kustomize.toolkit.fluxcd.io/prune": "disabled"},
	})
	if err != nil {
		t.Fatalf("prune: %v", err)
	}
	if len(del.Entries) != len(stale) {
		t.Errorf("prune deleted %d objects, want %d (%v)", len(del.Entries), len(stale), del.Entries)
	}
	for _, o := range stale {
		if live, err := a.get(ctx, o); err == nil && live.GetDeletionTimestamp() == nil {
			t.Errorf("%s: still present after prune", describe(o))
		}
	}
	for _, o := range kept {
		live, err := a.get(ctx, o)
		if err != nil {
			t.Errorf("%s: gone after pruning another run: %v", describe(o), err)
		} else if string(live.GetUID()) != first[describe(o)][0] {
			t.Errorf("%s: recreated by the prune of another run", describe(o))
		}
	}
}

// TestFluxWithoutForceFails (item 5): the same change without the annotation (a render compiled
// with --target plain) fails the reconciliation with the API server's immutable-field error:
// the reason --target flux adds it.
func TestFluxWithoutForceFails(t *testing.T) {
	ctx := testContext(t)
	f := newFluxManager(t)
	objs := fluxRender(t, "flux-plain")
	job := findJob(t, objs)
	ann := job.GetAnnotations()
	delete(ann, fluxForce)
	job.SetAnnotations(ann)
	if _, err := f.apply(ctx, t, objs); err != nil {
		t.Fatalf("first apply: %v", err)
	}
	setTask(t, job, "a changed task: re-audit the certificates")
	_, err := f.apply(ctx, t, objs)
	if err == nil {
		t.Fatal("a changed run's Job without the force annotation was applied: the immutable pod template did not stop it")
	}
	if !strings.Contains(err.Error(), "field is immutable") {
		t.Fatalf("want the immutable-field error, got: %v", err)
	}
	t.Logf("without %s, as expected: %v", fluxForce, err)
}

func ssaSubject(o *unstructured.Unstructured) string {
	return ssautils.FmtUnstructured(o)
}

func equalState(a, b map[string][2]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// finishJob marks a run's Job as succeeded, as the Job controller would once its Pod completed
// (no kubelet runs the Pod here): the status a finished run has when the next sync comes.
func finishJob(t *testing.T, ctx context.Context, o *unstructured.Unstructured) {
	t.Helper()
	cs := clientset(t, nil)
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		j, err := cs.BatchV1().Jobs(o.GetNamespace()).Get(ctx, o.GetName(), metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		if j.Status.StartTime == nil {
			return false, nil // the Job controller has not started it yet
		}
		now := metav1.Now()
		j.Status.Active, j.Status.Ready, j.Status.Terminating = 0, ptr(int32(0)), nil
		j.Status.Succeeded = 1
		j.Status.CompletionTime = &now
		j.Status.UncountedTerminatedPods = nil
		j.Status.Conditions = []batchv1.JobCondition{
			{Type: batchv1.JobSuccessCriteriaMet, Status: corev1.ConditionTrue, LastProbeTime: now, LastTransitionTime: now, Reason: "CompletionsReached"},
			{Type: batchv1.JobComplete, Status: corev1.ConditionTrue, LastProbeTime: now, LastTransitionTime: now, Reason: "CompletionsReached"},
		}
		_, err = cs.BatchV1().Jobs(j.Namespace).UpdateStatus(ctx, j, metav1.UpdateOptions{})
		if apierrors.IsConflict(err) {
			return false, nil // the controller wrote in between: read again
		}
		return err == nil, err
	})
	if err != nil {
		t.Fatalf("marking %s finished: %v", describe(o), err)
	}
}

// assertFinished fails unless the Job still has its Complete condition: a sync did not reset it.
func assertFinished(t *testing.T, ctx context.Context, o *unstructured.Unstructured) {
	t.Helper()
	j, err := clientset(t, nil).BatchV1().Jobs(o.GetNamespace()).Get(ctx, o.GetName(), metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range j.Status.Conditions {
		if c.Type == batchv1.JobComplete && c.Status == corev1.ConditionTrue {
			return
		}
	}
	t.Errorf("%s is no longer finished after the re-sync: %+v", describe(o), j.Status.Conditions)
}
