package e2e

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/fluxcd/pkg/ssa"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// levelFor is the Pod Security level a namespace of a render is labelled with: the profile the
// render passed skillc's gate under (baseline or restricted), or privileged when a pod in that
// namespace has host access the platform allow-listed (Pod Security has no allow-list: such a
// pod is admitted only by a privileged namespace, which is what docs/real-cluster.md tells platforms).
func levelFor(t *testing.T, objs []*unstructured.Unstructured, profile string) map[string]string {
	t.Helper()
	levels := map[string]string{}
	for _, o := range objs {
		if ns := o.GetNamespace(); ns != "" && levels[ns] == "" {
			levels[ns] = profile
		}
		if tpl := podSpecOf(t, o); tpl != nil && hostAccess(&tpl.Spec) {
			levels[o.GetNamespace()] = "privileged"
		}
	}
	return levels
}

// applyRender creates the render's namespaces at their levels and server-side-applies every
// object (for real, not a dry run) as the admin, failing on any rejection and any warning.
func applyRender(t *testing.T, ctx context.Context, objs []*unstructured.Unstructured, profile string) {
	t.Helper()
	w := &warnings{}
	cfg := rest.CopyConfig(cp.admin)
	cfg.WarningHandler = w
	cs := clientset(t, nil)
	a := newApplier(t, cfg, "skillc-e2e")
	levels := levelFor(t, objs, profile)
	for ns, level := range levels {
		ensureNamespace(t, ctx, cs, ns, level)
	}
	for _, o := range objs {
		if _, err := a.apply(ctx, o, false); err != nil {
			t.Errorf("%s (namespace level %s): rejected: %v", describe(o), levels[o.GetNamespace()], err)
		}
		for _, msg := range w.take() {
			t.Errorf("%s (namespace level %s): API warning: %s", describe(o), levels[o.GetNamespace()], msg)
		}
	}
}

// runPodsAdmitted checks that the Job controller created the Pod of every Job of the render and
// that no FailedCreate event says it could not (a Pod refused by PodSecurity or admission).
// CronJobs are checked the way `kubectl create job --from=cronjob/...` does: a Job from their
// jobTemplate. No kubelet runs, so the Pods stay Pending; what is proved is their admission.
func runPodsAdmitted(t *testing.T, ctx context.Context, cs kubernetes.Interface, objs []*unstructured.Unstructured) {
	t.Helper()
	var jobs []*batchv1.Job
	for _, o := range objs {
		switch o.GetKind() {
		case "Job":
			j, err := cs.BatchV1().Jobs(o.GetNamespace()).Get(ctx, o.GetName(), metav1.GetOptions{})
			if err != nil {
				t.Errorf("%s: %v", describe(o), err)
				continue
			}
			jobs = append(jobs, j)
		case "CronJob":
			cj, err := cs.BatchV1().CronJobs(o.GetNamespace()).Get(ctx, o.GetName(), metav1.GetOptions{})
			if err != nil {
				t.Errorf("%s: %v", describe(o), err)
				continue
			}
			j := &batchv1.Job{
				ObjectMeta: metav1.ObjectMeta{Name: shortName(cj.Name + "-manual"), Namespace: cj.Namespace,
					Labels: cj.Spec.JobTemplate.Labels, Annotations: map[string]string{"cronjob.kubernetes.io/instantiate": "manual"}},
				Spec: cj.Spec.JobTemplate.Spec,
			}
			created, err := cs.BatchV1().Jobs(cj.Namespace).Create(ctx, j, metav1.CreateOptions{})
			if err != nil {
				t.Errorf("a Job from CronJob %s/%s: %v", cj.Namespace, cj.Name, err)
				continue
			}
			jobs = append(jobs, created)
		case "Deployment", "Sandbox", "SandboxWarmPool":
			// No Deployment or agent-sandbox controller runs: their pod templates are proved the
			// same way, as the pod of a Job created from them.
			u := asJob(t, o)
			u.SetName(shortName(o.GetName() + "-pod"))
			var j batchv1.Job
			if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &j); err != nil {
				t.Fatal(err)
			}
			created, err := cs.BatchV1().Jobs(j.Namespace).Create(ctx, &j, metav1.CreateOptions{})
			if err != nil {
				t.Errorf("a Job from %s: %v", describe(o), err)
				continue
			}
			jobs = append(jobs, created)
		}
	}
	for _, j := range jobs {
		var pods []corev1.Pod
		err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
			if failed := failedCreate(ctx, cs, j); failed != "" {
				return false, fmt.Errorf("FailedCreate: %s", failed)
			}
			l, err := cs.CoreV1().Pods(j.Namespace).List(ctx, metav1.ListOptions{LabelSelector: "batch.kubernetes.io/controller-uid=" + string(j.UID)})
			if err != nil {
				return false, err
			}
			pods = l.Items
			return len(pods) > 0, nil
		})
		if err != nil {
			t.Errorf("Job %s/%s: the Job controller created no Pod: %v", j.Namespace, j.Name, err)
			continue
		}
		if len(pods) != 1 {
			t.Errorf("Job %s/%s: %d Pods, want 1 (backoffLimit 0, no kubelet)", j.Namespace, j.Name, len(pods))
		}
		// The Pod is the template, defaulted: the same containers, init (native sidecar) containers
		// and volumes as the Job says.
		p := pods[0].Spec
		if got, want := names(p.InitContainers), names(j.Spec.Template.Spec.InitContainers); !slices.Equal(got, want) {
			t.Errorf("Pod of Job %s/%s: init containers %v, want %v", j.Namespace, j.Name, got, want)
		}
		if got, want := names(p.Containers), names(j.Spec.Template.Spec.Containers); !slices.Equal(got, want) {
			t.Errorf("Pod of Job %s/%s: containers %v, want %v", j.Namespace, j.Name, got, want)
		}
		// The ServiceAccount admission plugin adds the kube-api-access-* token volume when the
		// pod automounts its token (identity shared); every other volume is the template's.
		var vols []string
		for _, v := range p.Volumes {
			if !strings.HasPrefix(v.Name, "kube-api-access-") {
				vols = append(vols, v.Name)
			}
		}
		var want []string
		for _, v := range j.Spec.Template.Spec.Volumes {
			want = append(want, v.Name)
		}
		if !slices.Equal(vols, want) {
			t.Errorf("Pod of Job %s/%s: volumes %v, want %v", j.Namespace, j.Name, vols, want)
		}
	}
}

func names(cs []corev1.Container) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

// failedCreate returns the message of a FailedCreate event of the Job, or "".
func failedCreate(ctx context.Context, cs kubernetes.Interface, j *batchv1.Job) string {
	ev, err := cs.CoreV1().Events(j.Namespace).List(ctx, metav1.ListOptions{FieldSelector: "involvedObject.uid=" + string(j.UID)})
	if err != nil {
		return ""
	}
	for _, e := range ev.Items {
		if e.Reason == "FailedCreate" {
			return e.Message
		}
	}
	return ""
}

// TestGoldenRendersApply (items 1 and 2): every golden render, server-side-applied for real into
// namespaces enforcing the Pod Security level of the profile it passed, is accepted with no
// rejection and no warning, and the Job controller creates every run's Pod (native sidecars,
// host mounts, projected tokens and all) with no FailedCreate.
func TestGoldenRendersApply(t *testing.T) {
	ctx := testContext(t)
	cs := clientset(t, nil)
	cases := fixtureCases(t, "")
	for i := range cases {
		c := cases[i]
		t.Run(c.name, func(t *testing.T) {
			compileUngated(t, &c) // the effective profile
			objs := goldenRender(t, c.name)
			if len(objs) == 0 {
				t.Fatalf("golden/%s.yaml is empty", c.name)
			}
			renamespace(objs, "g-"+c.name)
			applyRender(t, ctx, objs, c.profile)
			runPodsAdmitted(t, ctx, cs, objs)
		})
	}
}

// TestBuildOutputsApply (item 7): what Argo CD's plugin generates (`skillc build` of the example
// application) and the committed Flux render are accepted the same way, and their runs' Pods
// are admitted.
func TestBuildOutputsApply(t *testing.T) {
	ctx := testContext(t)
	cs := clientset(t, nil)
	t.Run("argocd-example-app", func(t *testing.T) {
		cmd := exec.CommandContext(ctx, binPath("skillc"), "build", ".")
		cmd.Dir = filepath.Join(repoRoot, "kustomize", "argocd", "example-app")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("skillc build: %v\n%s", err, stderr.String())
		}
		objs := readYAMLObjects(t, out, "skillc build")
		renamespace(objs, "b-argocd")
		applyRender(t, ctx, objs, "restricted") // the example's CompilerConfig: profile restricted
		runPodsAdmitted(t, ctx, cs, objs)
	})
	t.Run("flux-rendered", func(t *testing.T) {
		objs := readYAMLDir(t, filepath.Join(repoRoot, "kustomize", "flux", "rendered"))
		// In Flux's order (kustomize-controller sorts by kind: ServiceAccounts before Jobs), not
		// the files' alphabetical one, in which a Job would come before its ServiceAccount.
		sort.Sort(ssa.SortableUnstructureds(objs))
		renamespace(objs, "b-flux")
		applyRender(t, ctx, objs, "baseline") // kustomize/flux/sources: the default profile
		runPodsAdmitted(t, ctx, cs, objs)
	})
}
