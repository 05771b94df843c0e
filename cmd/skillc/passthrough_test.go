package main

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	sigsyaml "sigs.k8s.io/yaml"
)

// Objects a kustomization or package lists beside the skill sources, which skillc build and fn
// emit without compiling them (issue 21 item 4): their RBAC objects and workloads are gated.
const (
	ptAdminBinding = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: default-admin
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: default, namespace: tenant-alice}]
`
	ptRootPod = `apiVersion: v1
kind: Pod
metadata:
  name: root
  namespace: tenant-alice
spec:
  hostPID: true
  containers: [{name: sh, image: busybox, securityContext: {privileged: true}}]
`
	// A Role with the id of the one seed-k8s-ops compiles.
	ptShadowRole = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: sympozium-skill-k8s-ops-alice-run-xyz
  namespace: tenant-alice
rules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]
`
	// A Job that forges the pack identity skillc writes on its own Jobs, with the container name
	// of an allow-listed pack.
	ptForgedJob = `apiVersion: batch/v1
kind: Job
metadata:
  name: probe
  namespace: tenant-alice
  annotations:
    skillc.dev/skillpacks: sympozium-system/node-probe
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
	ptPrivilegedAllow = `apiVersion: skillc.dev/v1alpha1
kind: CompilerConfig
metadata:
  name: platform
spec:
  policy:
    privilegedAllow: [node-probe]
    hostNamespaceAllow: [{skillPack: node-probe, hostPID: true}]
`
	ptHarmless = `apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: tenant-alice}
data: {mode: quiet}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: tenant-alice}
spec:
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Namespace
metadata: {name: tenant-alice}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: tenant-alice}
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
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: web-reader, namespace: tenant-alice}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: web-reader, namespace: tenant-alice}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: web-reader}
subjects: [{kind: ServiceAccount, name: web}]
`
)

// TestPassThroughBuild: skillc build gates what it passes through.
func TestPassThroughBuild(t *testing.T) {
	sources := map[string]string{
		"alice.yaml":   mustRead(t, "fixtures/seed-k8s-ops/alice.yaml"),
		"k8s-ops.yaml": mustRead(t, "fixtures/seed-k8s-ops/k8s-ops.yaml"),
	}
	for _, tc := range []struct {
		name       string
		extra      string // extra.yaml, listed after the sources
		config     string // config.yaml, listed when set
		wantCode   int
		wantStderr []string
		wantOut    []string
		noStderr   string // no line of stderr starts with it
	}{
		{
			name:       "a binding to cluster-admin and a privileged hostPID Pod",
			extra:      ptAdminBinding + "---\n" + ptRootPod,
			wantCode:   1,
			wantStderr: []string{"extra.yaml:1: RBAC-16: roleRef.name: ClusterRoleBinding default-admin: refers to ClusterRole \"cluster-admin\"", "skillc build: the policy gate denied", buildFailed},
		},
		{
			name:       "the Pod's POD-01 and POD-02",
			extra:      ptAdminBinding + "---\n" + ptRootPod,
			wantCode:   1,
			wantStderr: []string{"extra.yaml:8: POD-01: spec.containers[0].securityContext.privileged: Pod tenant-alice/root", "extra.yaml:8: POD-02: spec.hostPID: Pod tenant-alice/root"},
		},
		{
			name:       "a binding named like the ClusterRole it binds",
			extra:      strings.Replace(ptAdminBinding, "name: default-admin", "name: cluster-admin", 1),
			wantCode:   1,
			wantStderr: []string{"extra.yaml:1: RBAC-16: roleRef.name: ClusterRoleBinding cluster-admin"},
		},
		{
			name:       "a Role with the id of a compiled Role",
			extra:      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: tenant-alice}\n---\n" + ptShadowRole,
			wantCode:   2,
			wantStderr: []string{"extra.yaml:5: Role tenant-alice/sympozium-skill-k8s-ops-alice-run-xyz is also compiled by skillc (from " + filepath.Join("DIR", "alice.yaml") + ")", buildFailed},
		},
		{
			name:       "a forged pack identity on an allow-listed container name",
			extra:      ptForgedJob,
			config:     ptPrivilegedAllow,
			wantCode:   1,
			wantStderr: []string{"extra.yaml:1: POD-01: spec.template.spec.containers[0].securityContext.privileged: Job tenant-alice/probe"},
		},
		{
			name:     "harmless objects pass untouched",
			extra:    ptHarmless,
			wantOut:  []string{"kind: ConfigMap\nmetadata:\n  name: settings", "kind: Service\n", "kind: Namespace\n", "kind: Deployment\n", "kind: RoleBinding\nmetadata:\n  name: web-reader"},
			noStderr: "DIR/extra.yaml",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			kust := "resources: [alice.yaml, k8s-ops.yaml, extra.yaml]\n"
			for name, data := range sources {
				writeFile(t, filepath.Join(dir, name), data)
			}
			writeFile(t, filepath.Join(dir, "extra.yaml"), tc.extra)
			if tc.config != "" {
				writeFile(t, filepath.Join(dir, "config.yaml"), tc.config)
				kust = strings.Replace(kust, "[", "[config.yaml, ", 1)
			}
			writeFile(t, filepath.Join(dir, "kustomization.yaml"), kust)
			out, stderr, code := execute(t, "build", dir)
			stderr = strings.ReplaceAll(stderr, dir, "DIR")
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.wantCode, stderr)
			}
			if code != 0 && out != "" {
				t.Errorf("a failed build wrote to stdout:\n%s", out)
			}
			for _, s := range tc.wantStderr {
				if !strings.Contains(stderr, strings.ReplaceAll(s, "extra.yaml", filepath.Join("DIR", "extra.yaml"))) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr)
				}
			}
			for _, s := range tc.wantOut {
				if !strings.Contains(out, s) {
					t.Errorf("stdout lacks %q:\n%s", s, out)
				}
			}
			if tc.noStderr != "" {
				for l := range strings.Lines(stderr) {
					if strings.HasPrefix(l, tc.noStderr) {
						t.Errorf("a finding on a harmless object: %s", l)
					}
				}
			}
		})
	}
}

// ptItem is a document as kustomize or kpt hand it to fn: with kustomize's origin annotation, or
// (kpt, in place) kpt's path and index annotations.
func ptItem(t *testing.T, doc, path string, index int, kpt bool) string {
	t.Helper()
	var m map[string]any
	if err := sigsyaml.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatal(err)
	}
	meta, _ := m["metadata"].(map[string]any)
	annos, _ := meta["annotations"].(map[string]any)
	if annos == nil {
		annos = map[string]any{}
	}
	if kpt {
		annos["config.kubernetes.io/path"] = path
		annos["internal.config.kubernetes.io/path"] = path
		annos["config.kubernetes.io/index"] = strconv.Itoa(index)
		annos["internal.config.kubernetes.io/index"] = strconv.Itoa(index)
	} else {
		annos["config.kubernetes.io/origin"] = "path: " + path + "\n"
	}
	meta["annotations"] = annos
	b, err := sigsyaml.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// ptItems are seed-k8s-ops's sources and extra's documents as items.
func ptItems(t *testing.T, extra string, kpt bool) []string {
	t.Helper()
	var items []string
	for _, f := range []string{"alice.yaml", "k8s-ops.yaml", "extra.yaml"} {
		data := extra
		if f != "extra.yaml" {
			data = mustRead(t, filepath.Join("fixtures/seed-k8s-ops", f))
		}
		i := 0
		for doc := range strings.SplitSeq(data, "\n---\n") {
			if strings.TrimSpace(doc) == "" || !strings.Contains(doc, "kind:") {
				continue
			}
			items = append(items, ptItem(t, doc, f, i, kpt))
			i++
		}
	}
	return items
}

// TestPassThroughFn: skillc fn gates what it passes through, and reports as it reports a
// compiled object's denial: a ResourceList without items whose results name the object.
func TestPassThroughFn(t *testing.T) {
	for _, tc := range []struct {
		name     string
		extra    string
		config   string
		kpt      bool
		wantCode int
		want     string // a result: ref|field|file|severity|rule|message prefix
	}{
		{
			name:     "a binding to cluster-admin and a privileged hostPID Pod",
			extra:    ptAdminBinding + "---\n" + ptRootPod,
			wantCode: 1,
			want:     "rbac.authorization.k8s.io/v1 ClusterRoleBinding default-admin|roleRef.name|extra.yaml|error|RBAC-16|RBAC-16: ClusterRoleBinding default-admin: refers to ClusterRole \"cluster-admin\"",
		},
		{
			name:     "a Role with the id of a compiled Role",
			extra:    ptShadowRole,
			wantCode: 2,
			want:     "rbac.authorization.k8s.io/v1 Role tenant-alice/sympozium-skill-k8s-ops-alice-run-xyz||extra.yaml|error||Role tenant-alice/sympozium-skill-k8s-ops-alice-run-xyz is also compiled by skillc (from alice.yaml)",
		},
		{
			name:     "a Role with the id of a compiled Role, in place",
			extra:    ptShadowRole,
			kpt:      true,
			wantCode: 2,
			want:     "rbac.authorization.k8s.io/v1 Role tenant-alice/sympozium-skill-k8s-ops-alice-run-xyz||extra.yaml|error||Role tenant-alice/sympozium-skill-k8s-ops-alice-run-xyz is also compiled by skillc (from alice.yaml)",
		},
		{
			name:     "a forged pack identity on an allow-listed container name",
			extra:    ptForgedJob,
			config:   ptPrivilegedAllow,
			wantCode: 1,
			want:     "batch/v1 Job tenant-alice/probe|spec.template.spec.containers[0].securityContext.privileged|extra.yaml|error|POD-01|POD-01: Job tenant-alice/probe",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, code := executeStdin(t, resourceList(tc.config, ptItems(t, tc.extra, tc.kpt)...), "fn")
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d\n%s", code, tc.wantCode, stderr)
			}
			var got []string
			for _, r := range failureResults(t, out) {
				var ref, field, file string
				if r.ResourceRef != nil {
					ref = strings.TrimSpace(r.ResourceRef.APIVersion + " " + r.ResourceRef.Kind + " " + strings.TrimPrefix(r.ResourceRef.Namespace+"/"+r.ResourceRef.Name, "/"))
				}
				if r.Field != nil {
					field = r.Field.Path
				}
				if r.File != nil {
					file = r.File.Path
				}
				got = append(got, strings.Join([]string{ref, field, file, r.Severity, r.Tags["rule"], r.Message}, "|"))
			}
			found := false
			for _, g := range got {
				found = found || strings.HasPrefix(g, tc.want)
			}
			if !found {
				t.Errorf("no result %q among:\n%s", tc.want, strings.Join(got, "\n"))
			}
		})
	}
}

// TestPassThroughFnHarmless: harmless objects pass through fn untouched, without findings.
func TestPassThroughFnHarmless(t *testing.T) {
	out, stderr, code := executeStdin(t, resourceList("", ptItems(t, ptHarmless, false)...), "fn")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if strings.Contains(stderr, "extra.yaml") || strings.Contains(out, "path: extra.yaml\n    index") {
		t.Errorf("a finding on a harmless object:\n%s", stderr)
	}
	for _, want := range []string{"name: settings", "kind: Service", "kind: Namespace", "kind: Deployment", "name: web-reader"} {
		if !strings.Contains(out, want) {
			t.Errorf("%s did not pass through:\n%s", want, out)
		}
	}
}
