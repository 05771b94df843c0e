package permissions

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/internal/emit"
	"github.com/skillc-dev/skillc/source"
)

// objects decodes inline YAML renders, failing the test on any error.
func objects(t *testing.T, yaml string) []compile.Object {
	t.Helper()
	objs, sources, diags := ReadRendered([]source.File{{Name: "test.yaml", Data: []byte(yaml)}})
	if diags.HasErrors() || sources {
		t.Fatalf("ReadRendered: sources=%v %v", sources, diags)
	}
	return objs
}

// flat lists a set as "group: key value" strings, sorted, so a table can state it in full.
func flat(s Set) []string {
	var out []string
	for g, m := range s {
		for k, v := range m {
			line := g.Run.String() + " [" + g.Pack + "] " + k
			if v != "" {
				line += " = " + v
			}
			out = append(out, line)
		}
	}
	slices.Sort(out)
	return out
}

const hardenedPod = `
      securityContext: {runAsUser: 1000, runAsNonRoot: true}
`

func TestFromObjectsRBAC(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{
			name: "a Role expands to one line per group, resource and verb",
			yaml: `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: sympozium-skill-ops-r1
  namespace: t1
  labels: {sympozium.ai/agent-run: r1, sympozium.ai/skill: ops}
rules:
  - apiGroups: ["", apps]
    resources: [pods, deployments]
    verbs: [get, delete]
`,
			want: []string{
				`Job t1/r1 [ops] Role t1 apps/deployments delete`,
				`Job t1/r1 [ops] Role t1 apps/deployments get`,
				`Job t1/r1 [ops] Role t1 apps/pods delete`,
				`Job t1/r1 [ops] Role t1 apps/pods get`,
				`Job t1/r1 [ops] Role t1 core/deployments delete`,
				`Job t1/r1 [ops] Role t1 core/deployments get`,
				`Job t1/r1 [ops] Role t1 core/pods delete`,
				`Job t1/r1 [ops] Role t1 core/pods get`,
			},
		},
		{
			name: "resourceNames are one line each; wildcards are marked",
			yaml: `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: x
  namespace: t1
  labels: {sympozium.ai/agent-run: r1, sympozium.ai/skill: ops}
rules:
  - apiGroups: [""]
    resources: [secrets]
    resourceNames: [a, b]
    verbs: [get]
  - apiGroups: ["*"]
    resources: ["*/scale", "pods/*"]
    verbs: ["*"]
`,
			want: []string{
				`Job t1/r1 [ops] Role t1 */*/scale * (wildcard)`,
				`Job t1/r1 [ops] Role t1 */pods/* * (wildcard)`,
				`Job t1/r1 [ops] Role t1 core/secrets get name=a`,
				`Job t1/r1 [ops] Role t1 core/secrets get name=b`,
			},
		},
		{
			name: "a ClusterRole takes its run's namespace from its binding; non-resource URLs",
			yaml: `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: sympozium-skill-ops-r1
  labels: {sympozium.ai/agent-run: r1, sympozium.ai/skill: ops}
rules:
  - nonResourceURLs: [/healthz, "/metrics/*"]
    verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: sympozium-skill-ops-r1}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: sympozium-skill-ops-r1}
subjects: [{kind: ServiceAccount, name: sympozium-agent, namespace: t2}]
`,
			want: []string{
				`Job t2/r1 [ops] ClusterRole url /healthz get`,
				`Job t2/r1 [ops] ClusterRole url /metrics/* get (wildcard)`,
			},
		},
		{
			name: "a schedule's ClusterRole without a binding takes the CronJob's namespace",
			yaml: `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: sympozium-skill-ops-nightly
  labels: {sympozium.ai/schedule: nightly, sympozium.ai/skill: ops}
rules:
  - apiGroups: [""]
    resources: [nodes]
    verbs: [list]
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: t3}
spec:
  schedule: "@daily"
  jobTemplate:
    spec:
      template:
        spec:
          serviceAccountName: sympozium-agent
          securityContext: {runAsUser: 1000}
          containers: []
`,
			want: []string{
				`CronJob t3/nightly [] serviceAccount sympozium-agent`,
				`CronJob t3/nightly [ops] ClusterRole core/nodes list`,
			},
		},
		{
			name: "roles that are not a run's are ignored",
			yaml: `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: other, namespace: t1, labels: {sympozium.ai/skill: ops}}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
`,
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, flat(FromObjects(objects(t, tt.yaml)))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestFromObjectsPod(t *testing.T) {
	const head = `apiVersion: batch/v1
kind: Job
metadata: {name: r1, namespace: t1}
spec:
  template:
    spec:
      serviceAccountName: sympozium-run-r1
`
	hardened := `securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}`
	tests := []struct {
		name string
		spec string
		want []string
	}{
		{
			name: "a hardened pod has only its identity and images",
			spec: hardenedPod + `      containers:
        - {name: agent, image: runner:1, ` + hardened + `}
      initContainers:
        - {name: skill-ops, image: ops:1, ` + hardened + `}
`,
			want: []string{
				"Job t1/r1 [] image agent = runner:1",
				"Job t1/r1 [] serviceAccount sympozium-run-r1",
				"Job t1/r1 [ops] image skill-ops = ops:1",
			},
		},
		{
			name: "host namespaces, host paths, privilege, root, capabilities, host ports",
			spec: `      hostPID: true
      hostNetwork: true
      hostIPC: true
      securityContext: {runAsUser: 1000}
      volumes:
        - {name: proc, hostPath: {path: /proc}}
        - {name: data, hostPath: {path: /data}}
        - {name: spare, hostPath: {path: /etc}}
      containers:
        - name: skill-probe
          image: probe:1
          ports: [{containerPort: 80, hostPort: 8080}]
          securityContext: {privileged: true, runAsUser: 0, capabilities: {add: [NET_ADMIN], drop: [ALL]}}
          volumeMounts:
            - {name: proc, mountPath: /host/proc, readOnly: true}
            - {name: data, mountPath: /data}
`,
			want: []string{
				"Job t1/r1 [] host hostIPC",
				"Job t1/r1 [] host hostNetwork",
				"Job t1/r1 [] host hostPID",
				"Job t1/r1 [] host hostPath /etc (volume spare, not mounted)",
				"Job t1/r1 [] serviceAccount sympozium-run-r1",
				"Job t1/r1 [probe] host capability NET_ADMIN in skill-probe",
				"Job t1/r1 [probe] host hostPath /data writable at /data in skill-probe",
				"Job t1/r1 [probe] host hostPath /proc read-only at /host/proc in skill-probe",
				"Job t1/r1 [probe] host hostPort 8080/TCP in skill-probe",
				"Job t1/r1 [probe] host privilege escalation allowed in skill-probe",
				"Job t1/r1 [probe] host privileged in skill-probe",
				"Job t1/r1 [probe] host root (runAsUser 0) in skill-probe",
				"Job t1/r1 [probe] image skill-probe = probe:1",
			},
		},
		{
			name: "root from the pod, and a pod that may run as root",
			spec: `      securityContext: {runAsUser: 0}
      containers:
        - {name: agent, image: a, ` + hardened + `}
---
apiVersion: batch/v1
kind: Job
metadata: {name: r2, namespace: t1}
spec:
  template:
    spec:
      containers:
        - {name: agent, image: a, ` + hardened + `}
`,
			want: []string{
				"Job t1/r1 [] host root (runAsUser 0) in agent",
				"Job t1/r1 [] image agent = a",
				"Job t1/r1 [] serviceAccount sympozium-run-r1",
				"Job t1/r2 [] host root possible (no runAsUser, runAsNonRoot unset) in agent",
				"Job t1/r2 [] image agent = a",
				"Job t1/r2 [] serviceAccount default",
			},
		},
		{
			name: "secrets: volumes, projected, env, envFrom, unmounted",
			spec: hardenedPod + `      volumes:
        - {name: creds, secret: {secretName: api-creds}}
        - {name: bundle, projected: {sources: [{secret: {name: tls}}, {configMap: {name: ca}}]}}
        - {name: unused, secret: {secretName: spare}}
      containers:
        - name: skill-ops
          image: ops:1
          ` + hardened + `
          volumeMounts:
            - {name: creds, mountPath: /secrets/api, readOnly: true}
            - {name: bundle, mountPath: /tls, readOnly: true}
          env:
            - {name: TOKEN, valueFrom: {secretKeyRef: {name: api-creds, key: token}}}
            - {name: PLAIN, value: x}
          envFrom:
            - secretRef: {name: all-of-it}
            - configMapRef: {name: settings}
`,
			want: []string{
				"Job t1/r1 [] secret spare (volume unused, not mounted)",
				"Job t1/r1 [] serviceAccount sympozium-run-r1",
				"Job t1/r1 [ops] image skill-ops = ops:1",
				"Job t1/r1 [ops] secret all-of-it as env (envFrom) in skill-ops",
				"Job t1/r1 [ops] secret api-creds key token as env TOKEN in skill-ops",
				"Job t1/r1 [ops] secret api-creds mounted at /secrets/api in skill-ops",
				"Job t1/r1 [ops] secret tls mounted at /tls in skill-ops",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, flat(FromObjects(objects(t, head+tt.spec)))); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// The compiled objects of a source tree and the same objects read back from their render give the
// same set: compiling and reading are two roads to one answer.
func TestFromObjectsCompiledEqualsRendered(t *testing.T) {
	files, diags := source.ReadPaths([]string{"../fixtures/seed-host-access", "../fixtures/secrets", "../fixtures/schedule"}, nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	res, ds := compile.Compile(files, compile.Options{Identity: "per-run"})
	err := ds.Err()
	if err != nil {
		t.Fatal(err)
	}
	stream, err := emit.MarshalStream(res.Objects)
	if err != nil {
		t.Fatal(err)
	}
	compiled := FromObjects(res.Objects)
	if len(compiled) == 0 {
		t.Fatal("no permissions in the compiled fixtures")
	}
	if diff := cmp.Diff(flat(compiled), flat(FromObjects(objects(t, string(stream))))); diff != "" {
		t.Errorf("compiled vs rendered (-want +got):\n%s", diff)
	}
}

// TestFromObjectsServerRun: a server-mode run's pod is its Deployment's, and its pack's RBAC (which
// names the run) is that Deployment's too, as read back from a render.
func TestFromObjectsServerRun(t *testing.T) {
	render := `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: sympozium-skill-web-serve
  namespace: t1
  labels: {sympozium.ai/agent-run: serve, sympozium.ai/skill: web}
rules:
  - apiGroups: [""]
    resources: [configmaps]
    verbs: [get]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: serve-server
  namespace: t1
  labels: {sympozium.ai/agent-run: serve}
spec:
  selector: {matchLabels: {sympozium.ai/agent-run: serve}}
  template:
    metadata: {labels: {sympozium.ai/agent-run: serve}}
    spec:
      serviceAccountName: sympozium-agent` + hardenedPod + `      containers:
        - name: web-proxy
          image: reg/web:1
          securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
          env:
            - name: WEB_PROXY_API_KEY
              valueFrom: {secretKeyRef: {name: serve-key, key: api-key}}
`
	got := flat(FromObjects(objects(t, render)))
	want := []string{
		`Deployment t1/serve-server [] image web-proxy = reg/web:1`,
		`Deployment t1/serve-server [] secret serve-key key api-key as env WEB_PROXY_API_KEY in web-proxy`,
		`Deployment t1/serve-server [] serviceAccount sympozium-agent`,
		`Deployment t1/serve-server [web] Role t1 core/configmaps get`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
