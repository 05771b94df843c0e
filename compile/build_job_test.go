package compile

import (
	"slices"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

func containerNames(cs []corev1.Container) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

func findContainer(t *testing.T, spec corev1.PodSpec, name string) corev1.Container {
	t.Helper()
	for _, c := range append(append([]corev1.Container{}, spec.Containers...), spec.InitContainers...) {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no container %q", name)
	return corev1.Container{}
}

func TestBuildJob(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		sidecar string
		run     string
		check   func(t *testing.T, job *batchv1.Job)
	}{
		{
			name: "markdown only: agent and ipc-bridge, default deadline",
			run:  testRun,
			check: func(t *testing.T, job *batchv1.Job) {
				spec := job.Spec.Template.Spec
				if got := containerNames(spec.Containers); !slices.Equal(got, []string{"agent", "ipc-bridge"}) {
					t.Errorf("containers = %v", got)
				}
				if len(spec.InitContainers) != 0 {
					t.Errorf("init containers = %v", containerNames(spec.InitContainers))
				}
				if *job.Spec.ActiveDeadlineSeconds != 600 || *job.Spec.BackoffLimit != 0 || spec.RestartPolicy != corev1.RestartPolicyNever {
					t.Errorf("deadline %d backoff %d restart %s", *job.Spec.ActiveDeadlineSeconds, *job.Spec.BackoffLimit, spec.RestartPolicy)
				}
				if sc := spec.SecurityContext; *sc.RunAsUser != 1000 || !*sc.RunAsNonRoot || *sc.FSGroup != 1000 || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
					t.Errorf("pod security context = %+v", sc)
				}
			},
		},
		{
			name:    "native sidecar with timeout",
			sidecar: "image: reg/x:1",
			run:     testRun + "\n  timeout: 2m",
			check: func(t *testing.T, job *batchv1.Job) {
				c := findContainer(t, job.Spec.Template.Spec, "skill-p")
				if c.RestartPolicy == nil || *c.RestartPolicy != corev1.ContainerRestartPolicyAlways {
					t.Error("skill sidecar is not a native sidecar")
				}
				if *job.Spec.ActiveDeadlineSeconds != 180 {
					t.Errorf("deadline = %d, want 180", *job.Spec.ActiveDeadlineSeconds)
				}
				if c.Resources.Limits.Cpu().String() != "100m" || c.Resources.Requests.Memory().String() != "128Mi" {
					t.Errorf("resources = %v", c.Resources)
				}
				if c.SecurityContext.Capabilities.Drop[0] != "ALL" || *c.SecurityContext.AllowPrivilegeEscalation {
					t.Errorf("sidecar not hardened: %+v", c.SecurityContext)
				}
			},
		},
		{
			name:    "plain containers",
			opts:    Options{Sidecars: "containers"},
			sidecar: "image: reg/x:1",
			run:     testRun,
			check: func(t *testing.T, job *batchv1.Job) {
				spec := job.Spec.Template.Spec
				if got := containerNames(spec.Containers); !slices.Equal(got, []string{"agent", "ipc-bridge", "skill-p"}) {
					t.Errorf("containers = %v", got)
				}
				if findContainer(t, spec, "skill-p").RestartPolicy != nil {
					t.Error("plain container has a restartPolicy")
				}
			},
		},
		{
			name: "host access only where asked",
			sidecar: `image: reg/x:1
mountWorkspace: false
hostAccess:
  enabled: true
  hostPID: true
  runAsRoot: true
  mounts:
    - {hostPath: /proc, mountPath: /host/proc}
    - {hostPath: /data, mountPath: /host/data, readOnly: false}`,
			run: testRun,
			check: func(t *testing.T, job *batchv1.Job) {
				spec := job.Spec.Template.Spec
				if !spec.HostPID || spec.HostNetwork {
					t.Errorf("hostPID %v hostNetwork %v", spec.HostPID, spec.HostNetwork)
				}
				c := findContainer(t, spec, "skill-p")
				if *c.SecurityContext.RunAsUser != 0 || *c.SecurityContext.RunAsNonRoot {
					t.Errorf("sidecar security context = %+v", c.SecurityContext)
				}
				agent := findContainer(t, spec, "agent")
				if agent.SecurityContext.RunAsUser != nil {
					t.Error("agent runs as root too")
				}
				ro := map[string]bool{}
				for _, m := range c.VolumeMounts {
					ro[m.Name] = m.ReadOnly
				}
				if !ro["host-p-0"] || ro["host-p-1"] {
					t.Errorf("host mounts read-only = %v", ro)
				}
				if _, ws := ro["workspace"]; ws {
					t.Error("workspace mounted although mountWorkspace is false")
				}
				for _, m := range agent.VolumeMounts {
					if m.Name == "host-p-0" {
						t.Error("host volume mounted into agent")
					}
				}
			},
		},
		{
			name:    "hostAccess not enabled grants nothing",
			sidecar: "image: reg/x:1\nhostAccess: {hostPID: true, privileged: true}",
			run:     testRun,
			check: func(t *testing.T, job *batchv1.Job) {
				spec := job.Spec.Template.Spec
				c := findContainer(t, spec, "skill-p")
				if spec.HostPID || c.SecurityContext.Privileged != nil {
					t.Error("disabled hostAccess was applied")
				}
			},
		},
		{
			name:    "per-run identity: no automount, token only in RBAC sidecar",
			opts:    Options{Identity: "per-run"},
			sidecar: "image: reg/x:1\nrbac: [{apiGroups: [\"\"], resources: [pods], verbs: [get]}]",
			run:     testRun,
			check: func(t *testing.T, job *batchv1.Job) {
				spec := job.Spec.Template.Spec
				if spec.ServiceAccountName != "sympozium-run-r1" || spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
					t.Errorf("sa %q automount %v", spec.ServiceAccountName, spec.AutomountServiceAccountToken)
				}
				has := func(c corev1.Container) bool {
					return slices.ContainsFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool { return m.Name == TokenVolume })
				}
				if !has(findContainer(t, spec, "skill-p")) || has(findContainer(t, spec, "agent")) {
					t.Error("token must be mounted in the RBAC sidecar only")
				}
			},
		},
		{
			name:    "secretRef mounted read-only at the default path",
			sidecar: "image: reg/x:1\nsecretRef: creds",
			run:     testRun,
			check: func(t *testing.T, job *batchv1.Job) {
				c := findContainer(t, job.Spec.Template.Spec, "skill-p")
				i := slices.IndexFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool { return m.Name == "skill-secret-p" })
				if i < 0 || c.VolumeMounts[i].MountPath != "/secrets/creds" || !c.VolumeMounts[i].ReadOnly {
					t.Errorf("secret mount = %+v", c.VolumeMounts)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, diags := compileYAML(t, tt.opts, pack(tt.sidecar), testInstance, tt.run)
			if diags != nil {
				t.Fatal(diags)
			}
			tt.check(t, find[*batchv1.Job](t, res, "Job", "r1"))
		})
	}
}

func TestAgentEnv(t *testing.T) {
	run := `apiVersion: sympozium.ai/v1alpha1
kind: AgentRun
metadata: {name: r1, namespace: team}
spec:
  instanceRef: alice
  task: summarise the week
  model: {model: m2}
  env: {ZED: z, ALPHA: a}`
	res, diags := compileYAML(t, Options{}, pack(""), testInstance, run)
	if diags != nil {
		t.Fatal(diags)
	}
	env := findContainer(t, find[*batchv1.Job](t, res, "Job", "r1").Spec.Template.Spec, "agent").Env
	var got []string
	for _, e := range env {
		got = append(got, e.Name+"="+e.Value)
	}
	want := []string{"AGENT_NAMESPACE=team", "AGENT_RUN_ID=r1", "ALPHA=a", "INSTANCE_NAME=alice", "MODEL_NAME=m2",
		"TASK=summarise the week", "ZED=z"}
	if !slices.Equal(got, want) {
		t.Errorf("agent env =\n%v\nwant\n%v", got, want)
	}
}
