package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"

	"github.com/skillc-dev/skillc/policy"
)

// podSecurityRules are skillc's pod rules that Pod Security also checks, per level: a pod skillc
// denies for one of them must be refused by the API server at that level. POD-07 (root) and
// POD-08 (privilege escalation) are restricted-only in Pod Security; skillc denies them in both
// profiles, so at baseline skillc is deliberately stricter. POD-09 is covered at baseline only for
// capabilities outside baseline's list (skillc allows nothing but NET_BIND_SERVICE).
var podSecurityRules = map[string][]string{
	"baseline":   {"POD-01", "POD-02", "POD-03", "POD-04", "POD-05", "POD-06", "POD-10"},
	"restricted": {"POD-01", "POD-02", "POD-03", "POD-04", "POD-05", "POD-06", "POD-07", "POD-08", "POD-09", "POD-10", "POD-13"},
}

// baselineCapabilities are the capabilities Pod Security's baseline level lets a container add.
var baselineCapabilities = []corev1.Capability{"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL",
	"MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"}

func addsNonBaselineCapability(spec *corev1.PodSpec) bool {
	for _, c := range append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...) {
		if c.SecurityContext == nil || c.SecurityContext.Capabilities == nil {
			continue
		}
		for _, a := range c.SecurityContext.Capabilities.Add {
			if !slices.Contains(baselineCapabilities, a) {
				return true
			}
		}
	}
	return false
}

// podCase is one pod judged by both: a Job (what skillc's gate reads) and its pod template (what
// the API server admits or refuses).
type podCase struct {
	name     string
	mutation string
	job      *unstructured.Unstructured
}

// mutation changes one security-relevant field of a compiled pod, the way a pack's sidecar, a
// hand edit of the render or another tool could.
type mutation struct {
	name string
	edit func(s *corev1.PodSpec)
}

func sidecar(s *corev1.PodSpec) *corev1.Container {
	if len(s.InitContainers) > 0 {
		return &s.InitContainers[0]
	}
	return &s.Containers[len(s.Containers)-1]
}

func sc(c *corev1.Container) *corev1.SecurityContext {
	if c.SecurityContext == nil {
		c.SecurityContext = &corev1.SecurityContext{}
	}
	return c.SecurityContext
}

var mutations = []mutation{
	{"privileged", func(s *corev1.PodSpec) {
		// The API server rejects privileged with allowPrivilegeEscalation false as invalid.
		sc(sidecar(s)).Privileged = ptr(true)
		sc(sidecar(s)).AllowPrivilegeEscalation = nil
	}},
	{"host-pid", func(s *corev1.PodSpec) { s.HostPID = true }},
	{"host-network", func(s *corev1.PodSpec) { s.HostNetwork = true; s.DNSPolicy = corev1.DNSClusterFirstWithHostNet }},
	{"host-ipc", func(s *corev1.PodSpec) { s.HostIPC = true }},
	{"host-port", func(s *corev1.PodSpec) {
		c := sidecar(s)
		c.Ports = append(c.Ports, corev1.ContainerPort{ContainerPort: 8080, HostPort: 8080})
	}},
	{"host-path-readonly", func(s *corev1.PodSpec) {
		s.Volumes = append(s.Volumes, corev1.Volume{Name: "host-log", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var/log/app"}}})
		c := sidecar(s)
		c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: "host-log", MountPath: "/host/log", ReadOnly: true})
	}},
	{"run-as-root", func(s *corev1.PodSpec) {
		sc(sidecar(s)).RunAsUser = ptr(int64(0))
		sc(sidecar(s)).RunAsNonRoot = ptr(false)
	}},
	{"run-as-non-root-false", func(s *corev1.PodSpec) { s.SecurityContext.RunAsNonRoot = ptr(false) }},
	{"privilege-escalation", func(s *corev1.PodSpec) { sc(sidecar(s)).AllowPrivilegeEscalation = ptr(true) }},
	{"cap-net-admin", func(s *corev1.PodSpec) {
		sc(sidecar(s)).Capabilities = &corev1.Capabilities{Add: []corev1.Capability{"NET_ADMIN"}, Drop: []corev1.Capability{"ALL"}}
	}},
	{"cap-chown", func(s *corev1.PodSpec) {
		sc(sidecar(s)).Capabilities = &corev1.Capabilities{Add: []corev1.Capability{"CHOWN"}, Drop: []corev1.Capability{"ALL"}}
	}},
	{"cap-net-bind-service", func(s *corev1.PodSpec) {
		sc(sidecar(s)).Capabilities = &corev1.Capabilities{Add: []corev1.Capability{"NET_BIND_SERVICE"}, Drop: []corev1.Capability{"ALL"}}
	}},
	{"seccomp-unconfined", func(s *corev1.PodSpec) {
		s.SecurityContext.SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined}
	}},
	{"apparmor-unconfined", func(s *corev1.PodSpec) {
		sc(sidecar(s)).AppArmorProfile = &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeUnconfined}
	}},
	{"selinux-type", func(s *corev1.PodSpec) { sc(sidecar(s)).SELinuxOptions = &corev1.SELinuxOptions{Type: "spc_t"} }},
	{"proc-mount-unmasked", func(s *corev1.PodSpec) {
		// Unmasked /proc needs a user namespace for the API server to accept the pod at all.
		s.HostUsers = ptr(false)
		sc(sidecar(s)).ProcMount = ptr(corev1.UnmaskedProcMount)
	}},
	{"unsafe-sysctl", func(s *corev1.PodSpec) {
		s.SecurityContext.Sysctls = append(s.SecurityContext.Sysctls, corev1.Sysctl{Name: "kernel.msgmax", Value: "65536"})
	}},
	// What restricted requires to be set explicitly: skillc's compiler always sets these, so only
	// an edited render or another tool's pod lacks them.
	{"no-drop-all", func(s *corev1.PodSpec) { sc(sidecar(s)).Capabilities = nil }},
	{"escalation-unset", func(s *corev1.PodSpec) { sc(sidecar(s)).AllowPrivilegeEscalation = nil }},
	{"seccomp-unset", func(s *corev1.PodSpec) {
		s.SecurityContext.SeccompProfile = nil
		for i := range s.InitContainers {
			sc(&s.InitContainers[i]).SeccompProfile = nil
		}
		for i := range s.Containers {
			sc(&s.Containers[i]).SeccompProfile = nil
		}
	}},
	{"run-as-non-root-unset", func(s *corev1.PodSpec) { s.SecurityContext.RunAsNonRoot = nil }},
	// Volume types restricted does not allow (baseline allows every type but hostPath).
	{"volume-nfs", func(s *corev1.PodSpec) {
		s.Volumes = append(s.Volumes, corev1.Volume{Name: "shared", VolumeSource: corev1.VolumeSource{NFS: &corev1.NFSVolumeSource{Server: "nfs.invalid", Path: "/export", ReadOnly: true}}})
		c := sidecar(s)
		c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: "shared", MountPath: "/shared", ReadOnly: true})
	}},
	{"volume-iscsi", func(s *corev1.PodSpec) {
		s.Volumes = append(s.Volumes, corev1.Volume{Name: "disk", VolumeSource: corev1.VolumeSource{ISCSI: &corev1.ISCSIVolumeSource{TargetPortal: "127.0.0.1:3260", IQN: "iqn.2001-04.com.example:storage", Lun: 0, ReadOnly: true}}})
	}},
}

func setPodSpec(t *testing.T, job *unstructured.Unstructured, tpl *corev1.PodTemplateSpec) {
	t.Helper()
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(tpl)
	if err != nil {
		t.Fatal(err)
	}
	unstructured.RemoveNestedField(m, "metadata", "creationTimestamp")
	if err := unstructured.SetNestedMap(job.Object, m, "spec", "template"); err != nil {
		t.Fatal(err)
	}
}

// asJob turns any pod-bearing object into a Job with its pod template, so one shape reaches the
// gate and the admission chain.
func asJob(t *testing.T, o *unstructured.Unstructured) *unstructured.Unstructured {
	t.Helper()
	if o.GetKind() == "Job" {
		return o.DeepCopy()
	}
	j := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "batch/v1", "kind": "Job"}}
	j.SetName(o.GetName())
	j.SetNamespace(o.GetNamespace())
	j.SetLabels(o.GetLabels())
	if o.GetKind() == "CronJob" {
		spec, _, _ := unstructured.NestedMap(o.Object, "spec", "jobTemplate", "spec")
		_ = unstructured.SetNestedMap(j.Object, spec, "spec")
		return j
	}
	tpl := podSpecOf(t, o)
	// A Deployment's pods restart Always, which a Job refuses; admission judges the rest the same.
	tpl.Spec.RestartPolicy = corev1.RestartPolicyNever
	setPodSpec(t, j, tpl)
	return j
}

// TestPodSecurityDifferential (item 3): skillc's gate and the API server's PodSecurity admission
// judge the same pods. Every compiled pod of every golden and denied fixture, and each of those
// pods mutated one security field at a time, is judged by skillc's policy library (the
// profile's defaults, no allow-lists) and created (dry run: the whole admission chain, nothing
// stored) as a Pod in a namespace enforcing that level. A pod skillc denies for a rule Pod
// Security also covers must be refused; a pod skillc's POD rules pass must be admitted.
func TestPodSecurityDifferential(t *testing.T) {
	ctx := testContext(t)
	cs := clientset(t, nil)
	engines := map[string]*policy.Engine{}
	for _, level := range []string{"baseline", "restricted"} {
		e, err := policy.New(ctx, map[string]any{"profile": level, "today": time.Now().UTC().Format(time.DateOnly)})
		if err != nil {
			t.Fatal(err)
		}
		engines[level] = e
		ensureNamespace(t, ctx, cs, "pss-"+level, level)
	}

	var pods []podCase
	var base *unstructured.Unstructured
	for _, sub := range []string{"", "denied"} {
		for _, c := range fixtureCases(t, sub) {
			objs := compileUngated(t, &c)
			if sub == "" {
				objs = goldenRender(t, c.name)
			}
			for _, o := range objs {
				tpl := podSpecOf(t, o)
				if tpl == nil {
					continue
				}
				j := asJob(t, o)
				pods = append(pods, podCase{name: strings.TrimPrefix(c.dir, "fixtures/") + ": " + describe(o), job: j})
				if base == nil && sub == "" && !hostAccess(&tpl.Spec) && len(tpl.Spec.InitContainers) > 0 {
					base = j
				}
			}
		}
	}
	if base == nil {
		t.Fatal("no golden Job without host access and with a native sidecar to mutate")
	}
	for _, m := range mutations {
		j := base.DeepCopy()
		tpl := podSpecOf(t, j)
		if tpl.Spec.SecurityContext == nil {
			tpl.Spec.SecurityContext = &corev1.PodSecurityContext{}
		}
		m.edit(&tpl.Spec)
		setPodSpec(t, j, tpl)
		pods = append(pods, podCase{name: "mutation " + m.name + " of " + describe(base), mutation: m.name, job: j})
	}

	var checked, refusals, denials, tenVerdicts int
	for _, level := range []string{"baseline", "restricted"} {
		ensureServiceAccounts(t, ctx, cs, "pss-"+level, pods)
		for _, p := range pods {
			tpl := podSpecOf(t, p.job)
			findings, err := engines[level].Eval(ctx, p.job.Object)
			if err != nil {
				t.Fatal(err)
			}
			var podDenies, covered []string
			for _, f := range findings {
				if f.Severity != "deny" || !strings.HasPrefix(f.Rule, "POD-") || f.Rule == "POD-11" || f.Rule == "POD-12" {
					continue
				}
				podDenies = append(podDenies, f.Rule+": "+f.Message)
				// Pod Security allows an unmasked /proc in a pod with its own user namespace.
				userNSProcMount := f.Rule == "POD-10" && strings.HasSuffix(f.Field, "procMount") && tpl.Spec.HostUsers != nil && !*tpl.Spec.HostUsers
				if !userNSProcMount && (slices.Contains(podSecurityRules[level], f.Rule) || (level == "baseline" && f.Rule == "POD-09" && addsNonBaselineCapability(&tpl.Spec))) {
					covered = append(covered, f.Rule)
				}
			}
			refused, why := admit(t, ctx, cs, "pss-"+level, tpl)
			if why == "invalid" {
				continue
			}
			// TEN-03: the gate's own Pod Security verdict for a tenant namespace at this level
			// must be the API server's, or a run passes the gate and never starts.
			allowed, reason, err := policy.PodSecurityVerdict(level, tpl)
			if err != nil {
				t.Fatal(err)
			}
			if allowed == refused {
				t.Errorf("%s: TEN-03 says allowed=%v at %s (%s), the API server: %s", p.name, allowed, level, reason, admitted(refused, why))
			}
			tenVerdicts++
			checked++
			if refused {
				refusals++
			}
			if len(podDenies) > 0 {
				denials++
			}
			verdicts := fmt.Sprintf("skillc (%s profile): %s\nAPI server (enforce=%s): %s", level, verdict(podDenies), level, admitted(refused, why))
			switch {
			case len(covered) > 0 && !refused:
				t.Errorf("%s: skillc denies it for %v, which Pod Security %s also checks, but the API server admits it\n%s", p.name, covered, level, verdicts)
			case len(podDenies) == 0 && refused:
				t.Errorf("%s: skillc's pod rules pass it, but the API server refuses it (a gate hole)\n%s", p.name, verdicts)
			case len(podDenies) > 0 && !refused:
				t.Logf("%s: skillc is stricter than Pod Security %s here (allowed by design)\n%s", p.name, level, verdicts)
			}
		}
	}
	t.Logf("%d pod × level verdicts compared: skillc denied %d, the API server refused %d; TEN-03 agreed with admission on %d", checked, denials, refusals, tenVerdicts)
	if checked < 2*(len(mutations)+20) {
		t.Fatalf("only %d verdicts compared: the fixtures were not found", checked)
	}
}

func verdict(denies []string) string {
	if len(denies) == 0 {
		return "pass"
	}
	return "deny\n    " + strings.Join(denies, "\n    ")
}

func admitted(refused bool, why string) string {
	if refused {
		return "refused: " + why
	}
	return "admitted"
}

// admit creates the pod template as a Pod (server-side dry run) and says whether PodSecurity
// refused it. Any other error fails the test: it would mean the pod is invalid for another reason.
func admit(t *testing.T, ctx context.Context, cs kubernetes.Interface, ns string, tpl *corev1.PodTemplateSpec) (bool, string) {
	t.Helper()
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{GenerateName: "pss-", Namespace: ns, Labels: tpl.Labels}, Spec: *tpl.Spec.DeepCopy()}
	pod.Spec.RestartPolicy = corev1.RestartPolicyNever
	_, err := cs.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	if err == nil {
		return false, ""
	}
	if apierrors.IsForbidden(err) && strings.Contains(err.Error(), "violates PodSecurity") {
		return true, err.Error()
	}
	t.Errorf("creating a Pod from the template in %s failed for a reason other than Pod Security: %v", ns, err)
	return false, "invalid"
}

func ensureServiceAccounts(t *testing.T, ctx context.Context, cs kubernetes.Interface, ns string, pods []podCase) {
	t.Helper()
	seen := map[string]bool{}
	for _, p := range pods {
		name := podSpecOf(t, p.job).Spec.ServiceAccountName
		if name == "" || seen[name] {
			continue
		}
		seen[name] = true
		_, err := cs.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name}}, metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatal(err)
		}
	}
}
