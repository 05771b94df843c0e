package policy

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/internal/emit"
	"github.com/skillc-dev/skillc/source"
)

// The holes of issue 12: each test compiles real sources and runs the whole gate, and each failed
// (exit 0) before the fix.

// gateYAML compiles one YAML stream (sources plus, optionally, a CompilerConfig) and gates it.
func gateYAML(t *testing.T, src string, opts compile.Options, dirs ...string) *Report {
	t.Helper()
	res, ds := compile.Compile(splitConfig("in.yaml", src), opts)
	err := ds.Err()
	if err != nil {
		t.Fatal(err)
	}
	return gateResult(t, res, dirs)
}

// splitConfig splits a YAML stream into source files named after name: the CompilerConfig
// documents go into a file of their own (name.config.yaml), because a CompilerConfig must be alone
// in its file; everything else stays in name, on the same lines.
func splitConfig(name, stream string) []source.File {
	var config, rest []string
	docs := strings.Split("\n"+stream, "\n---\n")
	docs[0] = strings.TrimPrefix(docs[0], "\n")
	for _, doc := range docs {
		if strings.Contains("\n"+doc, "\nkind: CompilerConfig") {
			config = append(config, doc)
		} else if strings.TrimSpace(doc) != "" {
			rest = append(rest, doc)
		}
	}
	files := []source.File{{Name: name, Data: []byte(strings.Join(rest, "\n---\n"))}}
	if len(config) > 0 {
		files = append(files, source.File{Name: strings.TrimSuffix(name, ".yaml") + ".config.yaml", Data: []byte(strings.Join(config, "\n---\n"))})
	}
	return files
}

// findings returns the report's findings of rule at severity.
func findingsOf(rep *Report, rule string, sev diag.Severity) []diag.Diagnostic {
	var out []diag.Diagnostic
	for _, d := range rep.Findings {
		if d.Rule == rule && d.Severity == sev {
			out = append(out, d)
		}
	}
	return out
}

// run is an instance and a run in namespace team using pack p.
const run = `---
apiVersion: sympozium.ai/v1alpha1
kind: SympoziumInstance
metadata: {name: inst, namespace: team}
spec: {skills: [{skillPackRef: p}]}
---
apiVersion: sympozium.ai/v1alpha1
kind: AgentRun
metadata: {name: r1, namespace: team}
spec: {instanceRef: inst, task: "Look."}
`

// probe is pack p with root, hostPID and one read-only host mount of path, allow-listed as the
// built-in node-probe is: /proc read-only, hostPID, root, and an exception for every waivable
// rule it could hit.
func probe(path string) string {
	return `apiVersion: skillc.dev/v1alpha1
kind: CompilerConfig
metadata: {name: platform}
spec:
  policy:
    allowedHostPaths: [{skillPack: p, pathPrefix: /proc, readOnly: true}]
    hostNamespaceAllow: [{skillPack: p, hostPID: true}]
    runAsRootAllow: [p]
    exceptions:
      - {id: e, rules: [POD-04, POD-06, IMG-02], skillPack: p, owner: o, justification: j, expires: "2099-01-01"}
---
apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata: {name: p, namespace: sympozium-system}
spec:
  skills: [{name: s, content: x}]
  sidecar:
    image: ghcr.io/example/p:1.0.0
    hostAccess:
      enabled: true
      hostPID: true
      runAsRoot: true
      mounts: [{hostPath: "` + path + `", mountPath: /host/proc, readOnly: true}]
` + run
}

// TestHoleProcNodeRoot: with /proc allow-listed read-only, a process directory under it (the node's
// root filesystem through /proc/1/root, another process's fds, environment, memory) or a kernel
// interface is denied, non-waivable, however the path is spelt.
func TestHoleProcNodeRoot(t *testing.T) {
	if rep := gateYAML(t, probe("/proc"), compile.Options{}); rep.Denied() {
		t.Fatalf("/proc itself, allow-listed read-only, is denied: %v", rep.Findings)
	}
	for _, path := range []string{
		"/proc/1/root", "/proc/self/root", "/proc/thread-self/root", "/proc/4242/cwd", "/proc/1/fd",
		"/proc/1/environ", "/proc/self/mem", "/proc/1", "/proc/1/task/1/root", "/proc/1/root/",
		"//proc//1/root", "/proc/./1/./root", "/proc/kcore", "/proc/sysrq-trigger", "/proc/kallsyms",
	} {
		t.Run(path, func(t *testing.T) {
			rep := gateYAML(t, probe(path), compile.Options{})
			deny := findingsOf(rep, "POD-06", diag.SeverityDeny)
			if len(deny) == 0 {
				t.Fatalf("%s passed the gate: findings %v, excepted %v", path, rep.Findings, rep.Excepted)
			}
			if !strings.Contains(deny[0].Message, "cannot be allow-listed") {
				t.Errorf("message %q does not say it cannot be allow-listed", deny[0].Message)
			}
		})
	}
	// A subPath reaches below the volume's path: /proc mounted again with subPath 1/root.
	sub := strings.Replace(probe("/proc"), "---\napiVersion: sympozium.ai/v1alpha1\nkind: SympoziumInstance",
		"    volumeMounts: [{name: host-p-0, mountPath: /host/root, subPath: 1/root, readOnly: true}]\n---\napiVersion: sympozium.ai/v1alpha1\nkind: SympoziumInstance", 1)
	if rep := gateYAML(t, sub, compile.Options{}); len(findingsOf(rep, "POD-06", diag.SeverityDeny)) == 0 {
		t.Errorf("subPath 1/root under an allow-listed /proc passed: %v", rep.Findings)
	} else if d := findingsOf(rep, "POD-06", diag.SeverityDeny)[0]; d.Field != "spec.sidecar.volumeMounts[0]" {
		t.Errorf("located at %s", d.Field)
	}
	// The sibling under /sys, allow-listed the same way.
	rep := gateYAML(t, strings.ReplaceAll(probe("/sys/kernel/debug"), "pathPrefix: /proc", "pathPrefix: /sys"), compile.Options{})
	if len(findingsOf(rep, "POD-06", diag.SeverityDeny)) == 0 {
		t.Errorf("/sys/kernel/debug passed: %v", rep.Findings)
	}
}

// pack is pack p with a sidecar whose extra YAML (indented under sidecar:) is extra.
func pack(extra string) string {
	return `apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata: {name: p, namespace: sympozium-system}
spec:
  skills: [{name: s, content: x}]
  sidecar:
    image: ghcr.io/example/p:1.0.0
` + extra + run
}

// TestHoleNonResourceURLs: a wildcard non-resource URL is a wildcard grant (RBAC-02), and the
// cluster-read warning describes non-resource URLs, not namespaces.
func TestHoleNonResourceURLs(t *testing.T) {
	for _, url := range []string{"/*", "*", "/apis/*"} {
		rep := gateYAML(t, pack(`    clusterRBAC: [{nonResourceURLs: ["`+url+`"], verbs: [get]}]
`), compile.Options{})
		if len(findingsOf(rep, "RBAC-02", diag.SeverityDeny)) == 0 {
			t.Errorf("nonResourceURLs %q: no RBAC-02 denial in %v", url, rep.Findings)
		}
	}
	rep := gateYAML(t, pack(`    clusterRBAC: [{nonResourceURLs: [/healthz, /metrics], verbs: [get]}]
`), compile.Options{})
	if rep.Denied() {
		t.Errorf("exact non-resource URLs denied: %v", rep.Findings)
	}
	w := findingsOf(rep, "RBAC-13", diag.SeverityWarning)
	if len(w) != 1 || strings.Contains(w[0].Message, "namespace") && !strings.Contains(w[0].Message, "not objects in namespaces") || !strings.Contains(w[0].Message, "non-resource URLs") {
		t.Errorf("RBAC-13 %v", w)
	}
	rep = gateYAML(t, pack(`    clusterRBAC: [{nonResourceURLs: [/debug/flags/v], verbs: [put]}]
`), compile.Options{})
	if len(findingsOf(rep, "RBAC-12", diag.SeverityDeny)) == 0 {
		t.Errorf("put on a non-resource URL is not a write: %v", rep.Findings)
	}
}

// TestHoleImpersonation: impersonation of any kind is a non-waivable denial.
func TestHoleImpersonation(t *testing.T) {
	for _, rule := range []string{
		`{apiGroups: [authentication.k8s.io], resources: ["userextras/*"], verbs: [impersonate]}`,
		`{apiGroups: [authentication.k8s.io], resources: [uids], verbs: [impersonate]}`,
		`{apiGroups: [authentication.k8s.io], resources: [userextras/scopes], verbs: [impersonate]}`,
		`{apiGroups: [""], resources: [serviceaccounts], verbs: [impersonate], resourceNames: [builder]}`,
		`{apiGroups: [example.com], resources: [things], verbs: [impersonate]}`,
	} {
		rep := gateYAML(t, pack("    clusterRBAC: ["+rule+"]\n"), compile.Options{})
		d := findingsOf(rep, "RBAC-06", diag.SeverityDeny)
		if len(d) == 0 {
			t.Errorf("%s: no RBAC-06 in %v", rule, rep.Findings)
		}
	}
}

// TestHoleVolumeTypes: volumes Pod Security restricted refuses are refused by --profile restricted
// and reported by baseline; a token projected by a pack's own volume is denied.
func TestHoleVolumeTypes(t *testing.T) {
	for _, vol := range []string{
		`{name: v, nfs: {server: nfs.example.com, path: /export}}`,
		`{name: v, iscsi: {targetPortal: "10.0.0.1:3260", iqn: "iqn.2001-04.com.example:storage", lun: 0}}`,
		`{name: v, flexVolume: {driver: example.com/lvm}}`,
		`{name: v, cephfs: {monitors: ["10.0.0.1:6789"]}}`,
		`{name: v, rbd: {monitors: ["10.0.0.1:6789"], image: foo}}`,
		`{name: v, glusterfs: {endpoints: gluster, path: vol}}`,
	} {
		src := pack("    volumes: [" + vol + "]\n    volumeMounts: [{name: v, mountPath: /data}]\n")
		if rep := gateYAML(t, src, compile.Options{Profile: "restricted"}); len(findingsOf(rep, "POD-13", diag.SeverityDeny)) == 0 {
			t.Errorf("restricted: %s: no POD-13 in %v", vol, rep.Findings)
		}
		if rep := gateYAML(t, src, compile.Options{}); len(findingsOf(rep, "POD-13", diag.SeverityWarning)) == 0 {
			t.Errorf("baseline: %s: no POD-13 warning in %v", vol, rep.Findings)
		}
	}
	token := pack(`    volumes: [{name: tok, projected: {sources: [{serviceAccountToken: {path: token}}]}}]
    volumeMounts: [{name: tok, mountPath: /var/run/secrets/tok}]
`)
	for _, identity := range []string{"per-run", "shared"} {
		rep := gateYAML(t, token, compile.Options{Identity: identity})
		if len(findingsOf(rep, "META-01", diag.SeverityDeny)) == 0 {
			t.Errorf("%s: a token from sidecar.volumes passed: %v", identity, rep.Findings)
		}
	}
	// skillc's own token, for a pack that declared RBAC, is not a finding.
	rep := gateYAML(t, pack("    rbac: [{apiGroups: [\"\"], resources: [pods], verbs: [get]}]\n"), compile.Options{Identity: "per-run"})
	if rep.Denied() {
		t.Errorf("per-run token of a pack with RBAC denied: %v", rep.Findings)
	}
}

// TestHoleConfigMapCredentials: a credential in skill content is found in the ConfigMap, located
// at the skill's content, and never echoed.
func TestHoleConfigMapCredentials(t *testing.T) {
	const key = "AKIAIOSFODNN7EXAMPLE"
	src := strings.Replace(pack(""), "content: x", "content: \"Use key "+key+" for the bucket.\"", 1)
	rep := gateYAML(t, src, compile.Options{})
	d := findingsOf(rep, "SEC-01", diag.SeverityDeny)
	if len(d) != 1 {
		t.Fatalf("SEC-01 %v", rep.Findings)
	}
	if strings.Contains(d[0].Message, key) || d[0].Field != "spec.skills[0].content" || d[0].File != "in.yaml" {
		t.Errorf("finding %+v", d[0])
	}
	if rep := gateYAML(t, strings.Replace(pack(""), "content: x", "content: \"Never print the password.\"", 1), compile.Options{}); rep.Denied() {
		t.Errorf("prose about passwords denied: %v", rep.Findings)
	}
}

// TestHoleSharedVerdictMessages: two runs named host and web of one instance share pod shapes; each
// finding's message is the one its own object earns (as if judged alone), never a text edit.
func TestHoleSharedVerdictMessages(t *testing.T) {
	src := `apiVersion: skillc.dev/v1alpha1
kind: CompilerConfig
metadata: {name: platform}
spec:
  policy:
    allowedHostPaths: [{skillPack: p, pathPrefix: /proc, readOnly: true}]
    hostNamespaceAllow: [{skillPack: p, hostPID: true}]
---
apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata: {name: p, namespace: sympozium-system}
spec:
  skills: [{name: s, content: x}]
  sidecar:
    image: ghcr.io/example/p:1.0.0
    rbac: [{apiGroups: [""], resources: [pods], verbs: [get]}]
    hostAccess: {enabled: true, hostPID: true, mounts: [{hostPath: /proc, mountPath: /host/proc}]}
---
apiVersion: sympozium.ai/v1alpha1
kind: SympoziumInstance
metadata: {name: inst, namespace: team}
spec: {skills: [{skillPackRef: p}]}
---
apiVersion: sympozium.ai/v1alpha1
kind: AgentRun
metadata: {name: host, namespace: team}
spec: {instanceRef: inst}
---
apiVersion: sympozium.ai/v1alpha1
kind: AgentRun
metadata: {name: web, namespace: team}
spec: {instanceRef: inst}
`
	res, ds := compile.Compile(splitConfig("in.yaml", src), compile.Options{})
	err := ds.Err()
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewGate(context.Background(), res.Config, nil, today)
	if err != nil {
		t.Fatal(err)
	}
	// What each object earns judged alone (TASK is empty here, so batching changes nothing).
	want := map[string]bool{}
	for _, o := range res.Objects {
		m, _ := emit.ToMap(o)
		fs, err := g.engine.Eval(context.Background(), m)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			want[f.Message] = true
		}
	}
	rep, err := g.Check(context.Background(), res)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) == 0 {
		t.Fatal("no findings: the comparison proves nothing")
	}
	for _, d := range rep.Findings {
		if _, ok := lpSeverity[d.Rule]; ok {
			continue // judged on the pack's source, once: no object's verdict is shared
		}
		msg := strings.TrimSuffix(d.Message, " (and 1 more objects of the same shape)")
		if strings.Contains(msg, "web access") || !want[d.Rule+": "+msg] {
			t.Errorf("message not earned by any object: %s: %s", d.Rule, d.Message)
		}
	}
}

// TestHoleSharedVerdictPackNamedAfterRun: runs web and db of instances using packs x-web and x-db
// have one shape (the shape key blanks a "-<run>" suffix); each finding names its own pack.
func TestHoleSharedVerdictPackNamedAfterRun(t *testing.T) {
	var src string
	for _, run := range []string{"web", "db"} {
		src += strings.NewReplacer("RUN", run).Replace(`---
apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata: {name: x-RUN, namespace: sympozium-system}
spec:
  skills: [{name: s-RUN, content: x}]
  sidecar:
    image: ghcr.io/example/x:latest
    rbac: [{apiGroups: [apps], resources: [deployments], verbs: [patch]}]
    hostAccess: {enabled: true, hostPID: true}
---
apiVersion: sympozium.ai/v1alpha1
kind: SympoziumInstance
metadata: {name: i-RUN, namespace: team}
spec: {skills: [{skillPackRef: x-RUN}]}
---
apiVersion: sympozium.ai/v1alpha1
kind: AgentRun
metadata: {name: RUN, namespace: team}
spec: {instanceRef: i-RUN}
`)
	}
	rep := gateYAML(t, src, compile.Options{})
	n := 0
	for _, d := range rep.Findings {
		if !strings.Contains(d.Message, "Job team/") {
			continue
		}
		n++
		run := strings.TrimPrefix(strings.Fields(d.Message[strings.Index(d.Message, "Job team/"):])[1], "team/")
		if other := map[string]string{"web": "x-db", "db": "x-web"}[run]; strings.Contains(d.Message, other) {
			t.Errorf("a finding of run %s names pack %s: %s", run, other, d.Message)
		}
	}
	if n == 0 {
		t.Fatalf("no Job findings: %v", rep.Findings)
	}
}

// TestHoleUserPolicySeesTask: a --policy rule on the task text fires (tasks are not batched away
// from user policies), for every run.
func TestHoleUserPolicySeesTask(t *testing.T) {
	dir := t.TempDir()
	policy := `package notask

import rego.v1

deny contains msg if {
	some c in input.spec.template.spec.containers
	some e in c.env
	e.name == "TASK"
	contains(e.value, "production")
	msg := sprintf("%s: no tasks on production", [input.metadata.name])
}
`
	if err := os.WriteFile(filepath.Join(dir, "task.rego"), []byte(policy), 0o644); err != nil {
		t.Fatal(err)
	}
	src := pack("") + `---
apiVersion: sympozium.ai/v1alpha1
kind: AgentRun
metadata: {name: r2, namespace: team}
spec: {instanceRef: inst, task: "Restart production."}
---
apiVersion: sympozium.ai/v1alpha1
kind: AgentRun
metadata: {name: r3, namespace: team}
spec: {instanceRef: inst, task: "Restart production."}
`
	rep := gateYAML(t, src, compile.Options{}, dir)
	var got []string
	for _, d := range findingsOf(rep, "notask", diag.SeverityDeny) {
		got = append(got, d.Message)
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"r2: no tasks on production", "r3: no tasks on production"}) {
		t.Errorf("user policy on TASK: %q (findings %v)", got, rep.Findings)
	}
}

// TestHoleMalformedDigest: only @sha256:<64 lowercase hex> pins an image. The image is set on the
// compiled Job (the input side may refuse such references before the gate ever sees them).
func TestHoleMalformedDigest(t *testing.T) {
	const good = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	for _, tt := range []struct {
		image  string
		pinned bool
	}{
		{"ghcr.io/example/p@" + good, true},
		{"ghcr.io/example/p:1.0@" + good, true},
		{"ghcr.io/example/p@sha256:abc", false},
		{"ghcr.io/example/p:1.0@sha256:abc", false},
		{"ghcr.io/example/p@" + strings.ToUpper(good[:7]) + good[7:], false},
		{"ghcr.io/example/p@sha512:" + good[7:], false},
	} {
		src := strings.Replace(probe("/proc"), "rules: [POD-04, POD-06, IMG-02]", "rules: [POD-04]", 1)
		res, ds := compile.Compile(splitConfig("in.yaml", src), compile.Options{Profile: "restricted"})
		err := ds.Err()
		if err != nil {
			t.Fatal(err)
		}
		set := 0
		for _, o := range res.Objects {
			if spec := compile.PodSpecOf(o); spec != nil {
				for i := range spec.InitContainers {
					spec.InitContainers[i].Image = tt.image
					set++
				}
			}
		}
		if set != 1 {
			t.Fatalf("%d sidecars", set)
		}
		rep := gateResult(t, res, nil)
		got := len(findingsOf(rep, "IMG-02", diag.SeverityDeny)) == 0
		if got != tt.pinned {
			t.Errorf("%s: pinned = %v, want %v (%v)", tt.image, got, tt.pinned, rep.Findings)
		}
	}
}

// TestSiblingBorrowedMounts: a pack's own volumeMounts cannot reach the run's token (which skillc
// gives only to the sidecars that declared RBAC) nor another pack's secret; its own volumes can.
func TestSiblingBorrowedMounts(t *testing.T) {
	src := `apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata: {name: owner, namespace: sympozium-system}
spec:
  skills: [{name: s1, content: x}]
  sidecar:
    image: ghcr.io/example/owner:1.0.0
    secretRef: db
    rbac: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata: {name: p, namespace: sympozium-system}
spec:
  skills: [{name: s, content: x}]
  sidecar:
    image: ghcr.io/example/p:1.0.0
    volumes: [{name: cache, emptyDir: {}}]
    volumeMounts:
      - {name: cache, mountPath: /cache}
      - {name: MOUNT, mountPath: /borrowed, readOnly: true}
---
apiVersion: sympozium.ai/v1alpha1
kind: SympoziumInstance
metadata: {name: inst, namespace: team}
spec: {skills: [{skillPackRef: owner}, {skillPackRef: p}]}
---
apiVersion: sympozium.ai/v1alpha1
kind: AgentRun
metadata: {name: r1, namespace: team}
spec: {instanceRef: inst}
`
	for _, tt := range []struct{ mount, want string }{
		{"kube-api-access", "service-account token"},
		{"skill-secret-owner", `secret of SkillPack "owner"`},
		{"workspace", ""},
	} {
		rep := gateYAML(t, strings.Replace(src, "MOUNT", tt.mount, 1), compile.Options{Identity: "per-run"})
		d := findingsOf(rep, "META-01", diag.SeverityDeny)
		if tt.want == "" {
			if len(d) != 0 {
				t.Errorf("%s: %v", tt.mount, d)
			}
			continue
		}
		if len(d) != 1 || !strings.Contains(d[0].Message, tt.want) || d[0].Field != "spec.sidecar.volumeMounts[1]" || d[0].Line != 21 {
			t.Errorf("%s: META-01 %v", tt.mount, d)
		}
	}
}

// TestSiblingVolumeNamedLikeTheToken: a pack's own token volume named kube-api-access, with
// --identity per-run, cannot pass for skillc's token: the name is skillc's, so the pack is bad input
// (exit 2), one error on the volume's name, and nothing reaches the gate.
func TestSiblingVolumeNamedLikeTheToken(t *testing.T) {
	src := pack(`    volumes: [{name: kube-api-access, projected: {sources: [{serviceAccountToken: {path: token}}]}}]
    volumeMounts: [{name: kube-api-access, mountPath: /var/run/secrets/kubernetes.io/serviceaccount, readOnly: true}]
`)
	for _, identity := range []string{"per-run", "shared"} {
		res, ds := compile.Compile(splitConfig("in.yaml", src), compile.Options{Identity: identity})
		if res != nil || ds.ExitCode() != 2 || len(ds) != 1 {
			t.Fatalf("%s: compiled (%v), want one input error: %v", identity, res != nil, ds)
		}
		if d := ds[0]; d.Field != "spec.sidecar.volumes[0].name" || d.Line != 8 || !strings.Contains(d.Message, `volume name "kube-api-access" is reserved: the name is skillc's, for the run's service-account token`) {
			t.Errorf("%s: %v", identity, d)
		}
	}
}

// TestContainsName: where a shape key may have blanked a name, and where it cannot have.
func TestContainsName(t *testing.T) {
	tests := []struct {
		s, n string
		want bool
	}{
		{"a pod with host access", "host", true},
		{`containers ["agent", "skill-x-web"]`, "web", true},
		{"Job team/web spec", "web", true},
		{"web", "web", true},
		{"spec.template.spec.hostPID", "host", false},
		{"a webhook", "web", false},
		{"pack web-ui", "web", false},
		{"pack web.example", "web", false},
		{"i-web", "i", false},
		{"", "web", false},
	}
	for _, tt := range tests {
		if got := containsName(tt.s, tt.n); got != tt.want {
			t.Errorf("containsName(%q, %q) = %v, want %v", tt.s, tt.n, got, tt.want)
		}
	}
}
