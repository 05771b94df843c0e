package policy

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/source"
)

// TestSecurityContextFindingsLocated: a finding about a sidecar's securityContext names
// hostAccess only when the pack declared host access and hostAccess set the field; a writable root
// names the pack's own opt-out, host access or not (findings used to point every pack at
// spec.sidecar.hostAccess).
func TestSecurityContextFindingsLocated(t *testing.T) {
	for _, tc := range []struct {
		name, extra, rule string
		severity          diag.Severity
		want              string
	}{
		{"writable root", "    readOnlyRootFilesystem: false\n", "POD-12", diag.SeverityWarning, "spec.sidecar.readOnlyRootFilesystem"},
		{"writable root with host access", "    readOnlyRootFilesystem: false\n    hostAccess: {enabled: true, hostPID: true}\n", "POD-12", diag.SeverityWarning, "spec.sidecar.readOnlyRootFilesystem"},
		{"capabilities with host access", "    hostAccess: {enabled: true, hostPID: true}\n", "POD-09", diag.SeverityDeny, "spec.sidecar.hostAccess"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := gateYAML(t, pack(tc.extra), compile.Options{Profile: "restricted"})
			var got []string
			for _, d := range findingsOf(rep, tc.rule, tc.severity) {
				if strings.Contains(d.Message, "container skill-p ") {
					got = append(got, d.Field)
				}
			}
			if len(got) != 1 || got[0] != tc.want {
				t.Errorf("%s of the skill sidecar located at %q, want [%s]\n%v", tc.rule, got, tc.want, rep.Findings)
			}
		})
	}
	// By default the sidecar's root is read-only: nothing to locate.
	if got := findingsOf(gateYAML(t, pack(""), compile.Options{Profile: "restricted"}), "POD-12", diag.SeverityWarning); len(got) != 0 {
		t.Errorf("POD-12 on a default pack: %v", got)
	}
}

// TestLocateDoesNotReadNames: the locator looks findings up in the origins compile recorded as it
// built each field, so renaming what compile named (the sidecar container, a host volume, the
// agent's and the sidecar's variables) after the build moves no finding: a locator that parsed
// skill-<pack> or host-<pack>-<i>, or matched variables by name, would fall back to the run.
func TestLocateDoesNotReadNames(t *testing.T) {
	src := `apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata: {name: p, namespace: sympozium-system}
spec:
  skills: [{name: s, content: x}]
  sidecar:
    image: ghcr.io/example/p:1.0.0
    env:
      - {name: A, value: "1"}
    volumes:
      - name: own
        emptyDir: {}
    volumeMounts:
      - {name: own, mountPath: /own}
    hostAccess:
      enabled: true
      mounts:
        - {hostPath: /var/log, mountPath: /host/log}
    rbac:
      - apiGroups: [""]
        resources: [pods]
        verbs: [get]
---
apiVersion: sympozium.ai/v1alpha1
kind: SympoziumInstance
metadata: {name: inst, namespace: team}
spec: {skills: [{skillPackRef: p, params: {level: "2"}}]}
---
apiVersion: sympozium.ai/v1alpha1
kind: AgentRun
metadata: {name: r1, namespace: team}
spec:
  instanceRef: inst
  task: "Look."
  env: {EXTRA: "x"}
`
	for _, mode := range api.SidecarModes {
		t.Run(mode, func(t *testing.T) { locateRenamed(t, src, mode) })
	}
}

func locateRenamed(t *testing.T, src, mode string) {
	res, ds := compile.Compile([]source.File{{Name: "in.yaml", Data: []byte(src)}}, compile.Options{Sidecars: mode})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	var job *batchv1.Job
	var role compile.Object
	for _, o := range res.Objects {
		switch o := o.(type) {
		case *batchv1.Job:
			job = o
		case *rbacv1.Role:
			role = o
		}
	}
	if job == nil || role == nil {
		t.Fatalf("no Job or Role in %d objects", len(res.Objects))
	}
	spec := &job.Spec.Template.Spec
	sidecars, list := &spec.Containers, "containers"
	if mode == string(api.SidecarsNative) {
		sidecars, list = &spec.InitContainers, "initContainers"
	}
	sidecar := slices.IndexFunc(*sidecars, func(c corev1.Container) bool { return c.Name == compile.ContainerName("p") })
	host := slices.IndexFunc(spec.Volumes, func(v corev1.Volume) bool { return v.HostPath != nil })
	own := slices.IndexFunc(spec.Volumes, func(v corev1.Volume) bool { return v.Name == "own" })
	task := slices.IndexFunc(spec.Containers[0].Env, func(e corev1.EnvVar) bool { return e.Name == "TASK" })
	extra := slices.IndexFunc(spec.Containers[0].Env, func(e corev1.EnvVar) bool { return e.Name == "EXTRA" })
	if sidecar < 0 || host < 0 || own < 0 || task < 0 || extra < 0 {
		t.Fatalf("unexpected pod: sidecar %d, host volume %d, own volume %d, TASK %d, EXTRA %d", sidecar, host, own, task, extra)
	}
	// Rename every name a convention could be read from (the records stay those of the build).
	c := &(*sidecars)[sidecar]
	c.Name = "not-a-skill-prefix"
	spec.Volumes[host].Name = "v0"
	c.VolumeMounts[len(c.VolumeMounts)-1].Name = "renamed-own"
	for i := range c.Env {
		c.Env[i].Name = fmt.Sprintf("V%d", i)
	}
	for i := range spec.Containers[0].Env {
		spec.Containers[0].Env[i].Name = fmt.Sprintf("E%d", i)
	}
	line := func(field string) int {
		for _, p := range res.Pods {
			for _, tg := range p.Toggles {
				if tg.Pack.Metadata.Name == "p" {
					if strings.HasPrefix(field, "spec.skills") {
						return tg.Src.LineOf(field)
					}
					return tg.Pack.Src.LineOf(field)
				}
			}
		}
		t.Fatal("pack p not resolved")
		return 0
	}
	runLine := func(field string) int { return res.Pods[0].Src.LineOf(field) }
	pod := "spec.template.spec."
	cp := fmt.Sprintf("%s%s[%d]", pod, list, sidecar)
	l := newLocator(res)
	for _, tc := range []struct {
		o            compile.Object
		field, want  string
		wantLine     int
		wantPackless bool
	}{
		{job, cp + ".image", "spec.sidecar.image", line("spec.sidecar.image"), false},
		{job, cp + ".env[1].value", "spec.sidecar.env[0].value", line("spec.sidecar.env[0].value"), false},
		{job, cp + ".env[2].value", "spec.skills[0].params", line("spec.skills[0].params"), false},
		{job, cp + ".securityContext.runAsUser", "spec.sidecar.hostAccess.runAsRoot", line("spec.sidecar.hostAccess"), false},
		{job, fmt.Sprintf("%s.volumeMounts[%d].readOnly", cp, len(c.VolumeMounts)-1), "spec.sidecar.volumeMounts[0]", line("spec.sidecar.volumeMounts[0]"), false},
		{job, fmt.Sprintf("%svolumes[%d].hostPath.path", pod, host), "spec.sidecar.hostAccess.mounts[0].hostPath", line("spec.sidecar.hostAccess.mounts[0].hostPath"), false},
		{job, fmt.Sprintf("%svolumes[%d].emptyDir", pod, own), "spec.sidecar.volumes[0].emptyDir", line("spec.sidecar.volumes[0].emptyDir"), false},
		{job, fmt.Sprintf("%scontainers[0].env[%d].value", pod, task), "spec.task", runLine("spec.task"), true},
		{job, fmt.Sprintf("%scontainers[0].env[%d].value", pod, extra), "spec.env.EXTRA", runLine("spec.env.EXTRA"), true},
		{role, "rules[0].verbs", "spec.sidecar.rbac[0].verbs", line("spec.sidecar.rbac[0].verbs"), false},
	} {
		pack := "p"
		if tc.wantPackless {
			pack = ""
		}
		d := l.object(tc.o, Finding{Field: tc.field, Pack: pack})
		if d.File != "in.yaml" || d.Field != tc.want || d.Line != tc.wantLine {
			t.Errorf("%s: located at %s:%d %s, want in.yaml:%d %s", tc.field, d.File, d.Line, d.Field, tc.wantLine, tc.want)
		}
	}
}
