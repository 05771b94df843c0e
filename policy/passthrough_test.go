package policy

import (
	"context"
	"slices"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
)

func passThroughOf(t *testing.T, doc string) PassThrough {
	t.Helper()
	var m map[string]any
	if err := sigsyaml.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatal(err)
	}
	return PassThrough{Object: m, File: "k/extra.yaml", Line: 7}
}

const (
	ptAdminBinding = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: default-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: default, namespace: tenant-a}]
`
	ptReader = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: tenant-a}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
`
	ptReaderBinding = `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader, namespace: tenant-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects: [{kind: ServiceAccount, name: app}]
`
	ptPrivilegedJob = `apiVersion: batch/v1
kind: Job
metadata:
  name: probe
  namespace: tenant-a
  annotations: {skillc.dev/skillpacks: sympozium-system/node-probe}
spec:
  template:
    spec:
      restartPolicy: Never
      serviceAccountName: probe
      containers:
        - name: skill-node-probe
          image: ghcr.io/x/probe@sha256:0000000000000000000000000000000000000000000000000000000000000000
          securityContext: {privileged: true}
`
	ptSecretsRole = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: peek, namespace: tenant-a, labels: {sympozium.ai/skill: notes}}
rules: [{apiGroups: [""], resources: [secrets], verbs: [list]}]
`
	ptConfigMap = `apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: tenant-a}
data: {token: "hunter2"}
`
)

// TestCheckPassThrough: the gate's verdicts on objects skillc emits without compiling them.
func TestCheckPassThrough(t *testing.T) {
	cfg := api.DefaultConfig()
	cfg.Spec.Policy.PrivilegedAllow = []string{"node-probe"}
	cfg.Spec.Policy.Exceptions = []api.PolicyException{{ID: "e", Rules: []string{"RBAC-04"}, SkillPack: "notes", Owner: "o", Justification: "j", Expires: "2099-01-01"}}
	compiledRole := &rbacv1.Role{TypeMeta: metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "Role"},
		ObjectMeta: metav1.ObjectMeta{Name: "sympozium-skill-notes-r1", Namespace: "tenant-a"}}
	for _, tc := range []struct {
		name string
		docs []string
		want []string // RULE@FIELD of the findings, sorted; prefixes are enough
	}{
		{name: "binding to cluster-admin", docs: []string{ptAdminBinding}, want: []string{"RBAC-16@roleRef.name"}},
		{name: "binding named like cluster-admin", docs: []string{strings.Replace(ptAdminBinding, "name: default-admin", "name: cluster-admin", 1)}, want: []string{"RBAC-16@metadata.name", "RBAC-16@roleRef.name"}},
		{name: "binding to cluster-admin emitted beside it", docs: []string{ptAdminBinding, "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: cluster-admin}\nrules: []\n"}, want: []string{"RBAC-16@metadata.name", "RBAC-16@roleRef.name"}},
		{name: "a ClusterRole that replaces a built-in", docs: []string{"apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: system:aggregate-to-view}\nrules: [{apiGroups: [\"\"], resources: [pods], verbs: [get]}]\n"}, want: []string{"RBAC-16@metadata.name"}},
		{name: "binding to a role it emits", docs: []string{ptReader, ptReaderBinding}},
		{name: "binding to a compiled role", docs: []string{strings.Replace(ptReaderBinding, "name: reader}\nsubjects", "name: sympozium-skill-notes-r1}\nsubjects", 1)}},
		{name: "binding to a role elsewhere", docs: []string{ptReaderBinding}, want: []string{"RBAC-16@roleRef.name"}},
		{name: "RoleBinding to an unseen ClusterRole", docs: []string{strings.Replace(ptReaderBinding, "kind: Role, name: reader", "kind: ClusterRole, name: view", 1)}, want: []string{"RBAC-16@roleRef.name"}},
		{name: "ClusterRoleBinding to a Role", docs: []string{ptReader, strings.Replace(ptAdminBinding, "kind: ClusterRole, name: cluster-admin", "kind: Role, name: reader", 1)}, want: []string{"RBAC-16@roleRef.kind"}},
		{name: "system subjects", docs: []string{ptReader, strings.Replace(ptReaderBinding, "subjects: [{kind: ServiceAccount, name: app}]", "subjects: [{kind: Group, name: system:masters}, {kind: User, name: system:anonymous}, {kind: ServiceAccount, name: x, namespace: kube-system}, {kind: Group, name: devs}]", 1)},
			want: []string{"RBAC-17@subjects[0]", "RBAC-17@subjects[1]", "RBAC-17@subjects[2]"}},
		{name: "forged identity, allow-listed name", docs: []string{ptPrivilegedJob}, want: []string{"POD-01@spec.template.spec.containers[0].securityContext.privileged"}},
		{name: "a forged skill label gets no exception", docs: []string{ptSecretsRole}, want: []string{"RBAC-04@rules[0].verbs"}},
		{name: "a ConfigMap is not judged", docs: []string{ptConfigMap}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := NewGate(context.Background(), cfg, nil, today)
			if err != nil {
				t.Fatal(err)
			}
			var objs []PassThrough
			for _, d := range tc.docs {
				objs = append(objs, passThroughOf(t, d))
			}
			rep := &Report{}
			per, err := g.CheckPassThrough(context.Background(), rep, []compile.Object{compiledRole}, objs)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			n := 0
			for _, ds := range per {
				n += len(ds)
			}
			for _, d := range rep.Findings {
				if d.Severity != diag.SeverityDeny {
					continue
				}
				if d.File != "k/extra.yaml" || d.Line != 7 {
					t.Errorf("finding at %s:%d, want k/extra.yaml:7: %s", d.File, d.Line, d)
				}
				got = append(got, d.Rule+"@"+d.Field)
			}
			if n != len(rep.Findings) {
				t.Errorf("%d findings per object, %d in the report", n, len(rep.Findings))
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("denied %q, want %q\n%s", got, tc.want, rep.Findings)
			}
			if len(rep.Excepted) > 0 {
				t.Errorf("excepted: %v", rep.Excepted)
			}
		})
	}
}

// TestCheckPassThroughWorkloads waits on lib.pod_spec knowing every pod-bearing kind (another
// change): until then the library judges only Jobs and CronJobs, and a privileged hostPID Pod or
// Deployment gets no POD finding.
func TestCheckPassThroughWorkloads(t *testing.T) {
	pod := `apiVersion: v1
kind: Pod
metadata: {name: root, namespace: tenant-a}
spec:
  hostPID: true
  containers: [{name: sh, image: busybox, securityContext: {privileged: true}}]
`
	harmless := `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: tenant-a}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: web
      automountServiceAccountToken: false
      securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}
      containers:
        - name: web
          image: ghcr.io/x/web@sha256:0000000000000000000000000000000000000000000000000000000000000000
          resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {cpu: 100m, memory: 64Mi}}
          securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
`
	g, err := NewGate(context.Background(), api.DefaultConfig(), nil, today)
	if err != nil {
		t.Fatal(err)
	}
	rep := &Report{}
	per, err := g.CheckPassThrough(context.Background(), rep, nil, []PassThrough{passThroughOf(t, pod), passThroughOf(t, harmless)})
	if err != nil {
		t.Fatal(err)
	}
	if ds := per[1].Filter(diag.SeverityDeny); len(ds) > 0 {
		t.Errorf("a harmless Deployment was denied:\n%s", ds)
	}
	if rep.Stats.Objects != 2 {
		t.Errorf("judged %d objects, want 2", rep.Stats.Objects)
	}
	rules := map[string]bool{}
	for _, d := range per[0] {
		rules[d.Rule] = true
	}
	if !rules["POD-01"] || !rules["POD-02"] {
		t.Errorf("the privileged hostPID Pod is not denied POD-01 and POD-02: %v", per[0])
	}
}
