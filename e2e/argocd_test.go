package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// Argo CD's engine (github.com/argoproj/argo-cd/gitops-engine) does not build here, so these
// tests run what it runs. For an object whose sync-options hold Force=true (and
// ServerSideApply=false), Argo CD applies with kubectl's client-side apply and --force:
// argoproj/argo-cd gitops-engine/pkg/sync/sync_context.go, applyObject():
//   force := sc.force || resourceutil.HasAnnotationOption(t.targetObj, common.AnnotationSyncOptions, common.SyncOptionForce)
// passes force to resourceOps.ApplyResource, and gitops-engine/pkg/utils/kube/resource_ops.go,
// newApplyOptionsCommon(), builds kubectl's apply.ApplyOptions with
//   o.DeleteOptions.ForceDeletion = force
// which is exactly `kubectl apply --force`: patch, and only when the API server refuses the
// patch, delete and create the object again. Waves are applied one after the other in the order
// of their sync-wave annotations (Argo CD also waits for a wave's health; ServiceAccounts,
// ConfigMaps and RBAC are healthy once they exist).

const (
	argoWave        = "argocd.argoproj.io/sync-wave"
	argoSyncOptions = "argocd.argoproj.io/sync-options"
)

// waves groups a render by sync wave (default 0), in ascending order.
func waves(t *testing.T, objs []*unstructured.Unstructured) [][]*unstructured.Unstructured {
	t.Helper()
	byWave := map[int][]*unstructured.Unstructured{}
	for _, o := range objs {
		w := 0
		if s, ok := o.GetAnnotations()[argoWave]; ok {
			n, err := strconv.Atoi(s)
			if err != nil {
				t.Fatalf("%s: sync-wave %q: %v", describe(o), s, err)
			}
			w = n
		}
		byWave[w] = append(byWave[w], o)
	}
	var keys []int
	for k := range byWave {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out [][]*unstructured.Unstructured
	for _, k := range keys {
		out = append(out, byWave[k])
	}
	return out
}

// kubectlSync applies the render wave by wave with the real kubectl, client-side, --force when
// force, and returns kubectl's "<kind>/<name> <action>" lines. Any warning fails the test.
func kubectlSync(t *testing.T, ctx context.Context, objs []*unstructured.Unstructured, force bool) ([]string, error) {
	return kubectlSyncWaves(t, ctx, objs, force, nil)
}

// kubectlSyncWaves is kubectlSync calling before(i, wave) before each wave is applied.
func kubectlSyncWaves(t *testing.T, ctx context.Context, objs []*unstructured.Unstructured, force bool, before func(int, []*unstructured.Unstructured)) ([]string, error) {
	t.Helper()
	var lines []string
	for i, wave := range waves(t, objs) {
		if before != nil {
			before(i, wave)
		}
		var docs []string
		for _, o := range wave {
			b, err := yaml.Marshal(o.Object)
			if err != nil {
				t.Fatal(err)
			}
			docs = append(docs, string(b))
		}
		f := filepath.Join(t.TempDir(), "wave-"+strconv.Itoa(i)+".yaml")
		if err := os.WriteFile(f, []byte(strings.Join(docs, "---\n")), 0o600); err != nil {
			t.Fatal(err)
		}
		args := []string{"--kubeconfig", cp.kubeconfig, "apply", "-f", f}
		if force {
			args = append(args, "--force")
		}
		cmd := exec.CommandContext(ctx, binPath("kubectl"), args...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		lines = append(lines, strings.Split(strings.TrimSpace(string(out)), "\n")...)
		if strings.Contains(stderr.String(), "Warning:") {
			t.Errorf("kubectl apply (wave %d) warned:\n%s", i, stderr.String())
		}
		if err != nil {
			return lines, &kubectlError{err: err, stderr: stderr.String()}
		}
	}
	return lines, nil
}

type kubectlError struct {
	err    error
	stderr string
}

func (e *kubectlError) Error() string { return e.err.Error() + ": " + e.stderr }

// TestArgoCDForceRecreatesChangedRun (item 6): the argocd-target golden render synced wave by
// wave with kubectl apply --force: waves put the ServiceAccount, ConfigMaps and RBAC before the
// Job; a re-sync changes nothing and keeps the Job's UID; a changed run is recreated and nothing
// else is touched; without Force=true the sync fails on the immutable pod template.
func TestArgoCDForceRecreatesChangedRun(t *testing.T) {
	ctx := testContext(t)
	c := fixtureCase{}
	for _, fc := range fixtureCases(t, "") {
		if fc.name == "target-argocd" {
			c = fc
		}
	}
	if c.name == "" {
		t.Fatal("no fixtures/target-argocd")
	}
	compileUngated(t, &c)
	cs := clientset(t, nil)
	a := newApplier(t, cp.admin, "skillc-e2e-observer")
	setup := func(prefix string) []*unstructured.Unstructured {
		objs := goldenRender(t, c.name)
		renamespace(objs, prefix)
		for ns, level := range levelFor(t, objs, c.profile) {
			ensureNamespace(t, ctx, cs, ns, level)
		}
		return objs
	}
	objs := setup("argo")

	// The order the annotations give: every prerequisite in an earlier wave than every workload.
	ws := waves(t, objs)
	if len(ws) < 2 {
		t.Fatalf("%d sync waves, want prerequisites and workloads apart", len(ws))
	}
	for i, w := range ws {
		for _, o := range w {
			workload := o.GetKind() == "Job" || o.GetKind() == "CronJob"
			if workload != (i == len(ws)-1) {
				t.Errorf("%s is in wave %d of %d", describe(o), i, len(ws))
			}
			if o.GetKind() == "Job" && !strings.Contains(o.GetAnnotations()[argoSyncOptions], "Force=true") {
				t.Errorf("%s lacks Force=true", describe(o))
			}
		}
	}

	// Before each wave of the first sync, every object of the earlier waves exists and none of
	// this wave's does: the Job is created only once its ServiceAccount, ConfigMaps and RBAC are.
	applied := 0
	out, err := kubectlSyncWaves(t, ctx, objs, true, func(i int, wave []*unstructured.Unstructured) {
		for _, o := range objs {
			_, err := a.get(ctx, o)
			if exists, earlier := err == nil, slices.ContainsFunc(ws[:i], func(w []*unstructured.Unstructured) bool { return slices.Contains(w, o) }); exists != earlier {
				t.Errorf("before wave %d: %s exists=%v, want %v", i, describe(o), exists, earlier)
			}
		}
		applied += len(wave)
	})
	if err != nil {
		t.Fatalf("first sync: %v\n%s", err, strings.Join(out, "\n"))
	}
	if applied != len(objs) {
		t.Errorf("the waves hold %d objects, the render %d", applied, len(objs))
	}
	runPodsAdmitted(t, ctx, cs, objs)
	finishJob(t, ctx, findJob(t, objs))
	first := liveState(t, ctx, a, objs)

	// A re-sync with nothing changed in Git: the finished run is not re-run.
	out, err = kubectlSync(t, ctx, objs, true)
	if err != nil {
		t.Fatalf("re-sync: %v", err)
	}
	for _, l := range out {
		if !strings.HasSuffix(l, " unchanged") {
			t.Errorf("re-sync of an unchanged render: %q, want unchanged", l)
		}
	}
	if again := liveState(t, ctx, a, objs); !equalState(again, first) {
		t.Errorf("re-sync changed live objects:\nbefore %v\nafter  %v", first, again)
	}
	assertFinished(t, ctx, findJob(t, objs))

	job := findJob(t, objs)
	setTask(t, job, "a changed task: look again")
	out, err = kubectlSync(t, ctx, objs, true)
	if err != nil {
		t.Fatalf("sync of a changed run with --force: %v", err)
	}
	t.Logf("kubectl apply --force of a changed run:\n%s", strings.Join(out, "\n"))
	after := liveState(t, ctx, a, objs)
	for k, v := range after {
		if k == describe(job) {
			if v[0] == first[k][0] {
				t.Errorf("%s: kept UID %s: not recreated", k, v[0])
			}
		} else if v != first[k] {
			t.Errorf("%s: touched by another object's change (%v -> %v)", k, first[k], v)
		}
	}

	// Without Force=true (Argo CD's plain client-side apply) the same change fails the sync.
	plain := setup("argo-noforce")
	if _, err := kubectlSync(t, ctx, plain, false); err != nil {
		t.Fatalf("first sync without --force: %v", err)
	}
	setTask(t, findJob(t, plain), "a changed task: look again")
	_, err = kubectlSync(t, ctx, plain, false)
	if err == nil || !strings.Contains(err.Error(), "field is immutable") {
		t.Fatalf("a changed run without --force: want the immutable-field error, got %v", err)
	}
	t.Logf("without Force=true, as expected: %v", err)
}
