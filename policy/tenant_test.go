package policy

import (
	"slices"
	"strings"
	"testing"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/source"
)

// The tenant boundary (issue 21): each test is a tenant's pull request that passed the gate before
// the fix. Files are named as a repository lays them out: the platform's config at the root,
// each tenant's sources under tenants/<name>/.

// gateFiles compiles the named files and gates them; a compile error fails the test.
func gateFiles(t *testing.T, opts compile.Options, files ...string) *Report {
	t.Helper()
	var in []source.File
	for i := 0; i+1 < len(files); i += 2 {
		in = append(in, source.File{Name: files[i], Data: []byte(files[i+1])})
	}
	res, ds := compile.Compile(in, opts)
	if err := ds.Err(); err != nil {
		t.Fatal(err)
	}
	return gateResult(t, res, nil)
}

// compileErrors compiles the named files and returns the input errors.
func compileErrors(files ...string) diag.Diagnostics {
	var in []source.File
	for i := 0; i+1 < len(files); i += 2 {
		in = append(in, source.File{Name: files[i], Data: []byte(files[i+1])})
	}
	_, ds := compile.Compile(in, compile.Options{})
	return ds.Filter(diag.SeverityError)
}

func rulesOf(rep *Report, sev diag.Severity) []string {
	var out []string
	for _, d := range rep.Findings {
		if d.Severity == sev && !slices.Contains(out, d.Rule) {
			out = append(out, d.Rule)
		}
	}
	slices.Sort(out)
	return out
}

const tenantConfig = `apiVersion: skillc.dev/v1alpha1
kind: CompilerConfig
metadata: {name: platform}
spec:
  tenants:
    - {name: team-a, paths: [tenants/team-a], namespaces: [team-a], podSecurity: baseline}
    - {name: team-b, paths: ["tenants/team-b/**"], namespaces: ["team-b", "team-b-*"]}
  policy:
    runAsRootAllow: [node-probe]
    hostNamespaceAllow: [{skillPack: node-probe, hostPID: true}]
    allowedHostPaths: [{skillPack: node-probe, pathPrefix: /proc, readOnly: true}]
    exceptions:
      - {id: helm-secrets, rules: [RBAC-04], skillPack: helm-ops, owner: platform, justification: helm stores releases in secrets, expires: "2099-01-01"}
`

// runIn is an instance and a run of pack in namespace ns.
func runIn(ns, pack string) string {
	return `apiVersion: sympozium.ai/v1alpha1
kind: Agent
metadata: {name: agent, namespace: ` + ns + `}
spec: {skills: [{skillPackRef: ` + pack + `}]}
---
apiVersion: sympozium.ai/v1alpha1
kind: AgentRun
metadata: {name: run, namespace: ` + ns + `}
spec: {agentRef: agent, task: go}
`
}

func packIn(ns, name, sidecar string) string {
	return `apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata: {name: ` + name + `, namespace: ` + ns + `}
spec:
  skills: [{name: ` + name + `-skill, content: x}]
  sidecar:
` + indentBy(sidecar, "    ")
}

func indentBy(s, p string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i := range lines {
		lines[i] = p + lines[i]
	}
	return strings.Join(lines, "\n") + "\n"
}

const helmOps = `image: ghcr.io/example/helm@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
rbac: [{apiGroups: [""], resources: [secrets], verbs: [get, list, watch]}]
`

// Hole 1 (exceptions): the catalog's helm-ops exception waives RBAC-04 for the catalog pack only;
// a tenant's private helm-ops is another pack.
func TestTenantPrivatePackGetsNoCatalogException(t *testing.T) {
	catalog := packIn("sympozium-system", "helm-ops", helmOps)
	rep := gateFiles(t, compile.Options{}, "config.yaml", tenantConfig, "catalog/helm-ops.yaml", catalog,
		"tenants/team-b/run.yaml", runIn("team-b", "helm-ops"))
	if rep.Denied() || len(rep.Excepted) == 0 {
		t.Fatalf("the catalog pack's exception does not apply to it: %v (excepted %v)", rep.Findings, rep.Excepted)
	}
	rep = gateFiles(t, compile.Options{}, "config.yaml", tenantConfig, "catalog/helm-ops.yaml", catalog,
		"tenants/team-b/helm-ops.yaml", packIn("team-b", "helm-ops", helmOps),
		"tenants/team-b/run.yaml", runIn("team-b", "helm-ops"))
	if !slices.Contains(rulesOf(rep, diag.SeverityDeny), "RBAC-04") {
		t.Fatalf("team-b/helm-ops got the catalog helm-ops's exception: %v", rep.Findings)
	}
	// Named by identity, the exception does reach the private pack (and no longer the catalog's,
	// which is left out: unused, it would be gated as a stand-in).
	scoped := strings.Replace(tenantConfig, "skillPack: helm-ops,", "skillPack: team-b/helm-ops,", 1)
	rep = gateFiles(t, compile.Options{}, "config.yaml", scoped,
		"tenants/team-b/helm-ops.yaml", packIn("team-b", "helm-ops", helmOps),
		"tenants/team-b/run.yaml", runIn("team-b", "helm-ops"))
	if rep.Denied() {
		t.Fatalf("an exception for team-b/helm-ops does not apply to it: %v", rep.Findings)
	}
}

// Hole 2: runs in the control plane's or the platform's namespaces.
func TestTenantProtectedNamespaces(t *testing.T) {
	secret := packIn("sympozium-system", "tok", "image: ghcr.io/example/t:1.0.0\nsecretRef: bootstrap-token-abcdef\n")
	for _, tt := range []struct {
		ns       string
		waivable bool
	}{{"kube-system", false}, {"kube-public", false}, {"kube-node-lease", false}, {"argocd", true}, {"flux-system", true}, {"sympozium-system", true}} {
		rep := gateFiles(t, compile.Options{}, "pack.yaml", secret, "run.yaml", runIn(tt.ns, "tok"))
		var ten []diag.Diagnostic
		for _, d := range rep.Findings {
			if d.Rule == "TEN-02" && d.Severity == diag.SeverityDeny {
				ten = append(ten, d)
			}
		}
		if len(ten) == 0 {
			t.Errorf("%s: a run there passes the gate: %v", tt.ns, rep.Findings)
			continue
		}
		if ten[0].File != "run.yaml" || ten[0].Field != "metadata.namespace" {
			t.Errorf("%s: TEN-02 at %s:%d %s, want run.yaml metadata.namespace", tt.ns, ten[0].File, ten[0].Line, ten[0].Field)
		}
	}
	// protectedNamespaces: [] leaves only the control plane's.
	cfg := "apiVersion: skillc.dev/v1alpha1\nkind: CompilerConfig\nmetadata: {name: p}\nspec: {protectedNamespaces: []}\n"
	if rep := gateFiles(t, compile.Options{}, "config.yaml", cfg, "pack.yaml", secret, "run.yaml", runIn("argocd", "tok")); rep.Denied() {
		t.Errorf("protectedNamespaces: [] still protects argocd: %v", rep.Findings)
	}
	if rep := gateFiles(t, compile.Options{}, "config.yaml", cfg, "pack.yaml", secret, "run.yaml", runIn("kube-system", "tok")); !rep.Denied() {
		t.Error("protectedNamespaces: [] unprotects kube-system")
	}
}

// Hole 3: the platform's config in a tenant's file.
func TestTenantConfigMustBeAlone(t *testing.T) {
	cfg := "apiVersion: skillc.dev/v1alpha1\nkind: CompilerConfig\nmetadata: {name: mine}\nspec: {policy: {privilegedAllow: [p]}}\n"
	errs := compileErrors("tenants/team-a/all.yaml", cfg+"---\n"+packIn("team-a", "p", "image: ghcr.io/example/p:1.0.0\nhostAccess: {enabled: true, privileged: true}\n")+"---\n"+runIn("team-a", "p"))
	if len(errs) == 0 || !strings.Contains(errs[0].Message, "alone in its file") || errs[0].File != "tenants/team-a/all.yaml" || errs[0].Line != 1 {
		t.Fatalf("a CompilerConfig beside a tenant's run is accepted: %v", errs)
	}
	// The config under a tenant's path, even alone.
	withTenants := strings.Replace(tenantConfig, "paths: [tenants/team-a]", `paths: ["*"]`, 1)
	errs = compileErrors("config.yaml", withTenants)
	if len(errs) == 0 || !strings.Contains(errs[0].Message, `under tenant "team-a"'s paths`) {
		t.Fatalf("a CompilerConfig under a tenant's path is accepted: %v", errs)
	}
}

// Hole 5: a pack nothing enables is gated as a stand-in run.
func TestStandInGatesUnusedPack(t *testing.T) {
	wild := packIn("sympozium-system", "wild", "image: ghcr.io/example/w:1.0.0\nclusterRBAC: [{apiGroups: [\"*\"], resources: [\"*\"], verbs: [\"*\"]}]\n")
	rep := gateFiles(t, compile.Options{Profile: "restricted"}, "pack.yaml", wild)
	for _, r := range []string{"RBAC-01", "RBAC-02", "RBAC-03"} {
		if !slices.Contains(rulesOf(rep, diag.SeverityDeny), r) {
			t.Errorf("a pack granting */*/* that nothing enables is not denied %s: %v", r, rep.Findings)
		}
	}
	for _, d := range rep.Findings {
		if d.File != "pack.yaml" || !strings.Contains(d.Message, "stand-in run") {
			t.Errorf("a stand-in finding is not located at the pack or does not say it was a stand-in: %s:%d %s", d.File, d.Line, d.Message)
		}
	}
	// An instance with no run yet: its packs are gated in its namespace, and nothing more is
	// emitted than before.
	inst := "apiVersion: sympozium.ai/v1alpha1\nkind: Agent\nmetadata: {name: a, namespace: team}\nspec: {skills: [{skillPackRef: wild}]}\n"
	res, ds := compile.Compile([]source.File{{Name: "pack.yaml", Data: []byte(wild)}, {Name: "inst.yaml", Data: []byte(inst)}}, compile.Options{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	for _, o := range res.Objects {
		if compile.KindOf(o) != "ConfigMap" {
			t.Errorf("a stand-in emitted %s %s", compile.KindOf(o), o.GetName())
		}
	}
	rep = gateResult(t, res, nil)
	if !rep.Denied() || !strings.Contains(rep.Findings[0].Message, "stand-in run of Agent team/a") {
		t.Errorf("an instance's packs are not gated before its first run: %v", rep.Findings)
	}
}

// TEN-01: sources outside their tenant's paths or namespaces.
func TestTenantPathsAndNamespaces(t *testing.T) {
	pack := packIn("team-a", "p", "image: ghcr.io/example/p@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n")
	tests := []struct {
		name  string
		files []string
		want  string // in the TEN-01 message; "" for none
	}{
		{"own paths and namespace", []string{"tenants/team-a/p.yaml", pack, "tenants/team-a/run.yaml", runIn("team-a", "p")}, ""},
		{"glob paths and namespace pattern", []string{"tenants/team-b/x/run.yaml", runIn("team-b-dev", "cat")}, ""},
		{"another tenant's namespace", []string{"tenants/team-a/p.yaml", pack, "tenants/team-a/run.yaml", runIn("team-b", "cat")}, `tenant "team-a"`},
		{"under no tenant", []string{"elsewhere/run.yaml", runIn("team-a", "cat")}, "under no tenant's paths"},
		{"a private pack in another tenant's folder", []string{"tenants/team-b/p.yaml", pack, "tenants/team-a/run.yaml", runIn("team-a", "p")}, `tenant "team-b" (tenants/team-b/p.yaml) may target only`},
		{"a catalog pack from a tenant", []string{"tenants/team-a/cat.yaml", packIn("sympozium-system", "cat2", "image: ghcr.io/example/c:1.0.0\n"), "tenants/team-a/run.yaml", runIn("team-a", "cat2")}, "cannot publish to the catalog"},
		{"a tenant's own Namespace, to lower its Pod Security level", []string{"tenants/team-a/ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n  labels: {pod-security.kubernetes.io/enforce: privileged}\n"}, "namespaces and their Pod Security labels are the platform's"},
		{"the platform's Namespace", []string{"platform/ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n  labels: {pod-security.kubernetes.io/enforce: baseline}\n"}, ""},
		{"a name that only starts like the tenant's folder", []string{"tenants/team-a-evil/run.yaml", runIn("team-a", "cat")}, "under no tenant's paths"},
	}
	catalog := packIn("sympozium-system", "cat", "image: ghcr.io/example/c@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := append([]string{"config.yaml", tenantConfig, "catalog/cat.yaml", catalog}, tt.files...)
			rep := gateFiles(t, compile.Options{}, files...)
			var ten []string
			for _, d := range rep.Findings {
				if d.Rule == "TEN-01" {
					ten = append(ten, d.String())
				}
			}
			if tt.want == "" {
				if len(ten) > 0 {
					t.Fatalf("TEN-01 on a tenant's own sources: %v", ten)
				}
				return
			}
			if len(ten) == 0 || !strings.Contains(strings.Join(ten, "\n"), tt.want) {
				t.Fatalf("want TEN-01 with %q, got %v (all: %v)", tt.want, ten, rep.Findings)
			}
		})
	}
}

// TEN-03: a run that the namespace's Pod Security level would refuse never starts.
func TestTenantPodSecurity(t *testing.T) {
	probe := packIn("sympozium-system", "node-probe", `image: ghcr.io/example/probe@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
hostAccess:
  enabled: true
  hostPID: true
  runAsRoot: true
  mounts: [{hostPath: /proc, mountPath: /host/proc}]
`)
	plain := packIn("sympozium-system", "plain", "image: ghcr.io/example/plain@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n")
	// Allow-listed host access in team-a, which enforces baseline: the gate passed it and every
	// Pod was Forbidden.
	rep := gateFiles(t, compile.Options{}, "config.yaml", tenantConfig, "catalog/probe.yaml", probe, "tenants/team-a/run.yaml", runIn("team-a", "node-probe"))
	if got := rulesOf(rep, diag.SeverityDeny); !slices.Equal(got, []string{"TEN-03"}) {
		t.Fatalf("denied %v, want [TEN-03]: %v", got, rep.Findings)
	}
	d := rep.Findings[slices.IndexFunc(rep.Findings, func(d diag.Diagnostic) bool { return d.Rule == "TEN-03" })]
	if d.File != "tenants/team-a/run.yaml" || !strings.Contains(d.Message, "hostPID") || !strings.Contains(d.Message, `tenant "team-a"'s podSecurity`) {
		t.Errorf("TEN-03 does not point at the run or does not say why: %s", d)
	}
	// A plain run in baseline starts.
	rep = gateFiles(t, compile.Options{}, "config.yaml", tenantConfig, "catalog/plain.yaml", plain, "tenants/team-a/run.yaml", runIn("team-a", "plain"))
	if slices.Contains(rulesOf(rep, diag.SeverityDeny), "TEN-03") {
		t.Errorf("a plain run is refused by baseline: %v", rep.Findings)
	}
	// A Namespace among the inputs says the level too: skillc's own pods meet restricted.
	ns := func(level string) string {
		return "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ops\n  labels: {pod-security.kubernetes.io/enforce: " + level + "}\n"
	}
	allow := "apiVersion: skillc.dev/v1alpha1\nkind: CompilerConfig\nmetadata: {name: p}\nspec:\n  policy:\n    runAsRootAllow: [node-probe]\n    hostNamespaceAllow: [{skillPack: node-probe, hostPID: true}]\n    allowedHostPaths: [{skillPack: node-probe, pathPrefix: /proc, readOnly: true}]\n"
	if rep := gateFiles(t, compile.Options{}, "config.yaml", allow, "ns.yaml", ns("restricted"), "plain.yaml", plain, "run.yaml", runIn("ops", "plain")); slices.Contains(rulesOf(rep, diag.SeverityDeny), "TEN-03") {
		t.Errorf("skillc's plain pod does not meet restricted: %v", rep.Findings)
	}
	if rep := gateFiles(t, compile.Options{}, "config.yaml", allow, "ns.yaml", ns("baseline"), "probe.yaml", probe, "run.yaml", runIn("ops", "node-probe")); !slices.Contains(rulesOf(rep, diag.SeverityDeny), "TEN-03") {
		t.Errorf("a host-access run in a baseline Namespace passes: %v", rep.Findings)
	}
	if rep := gateFiles(t, compile.Options{}, "config.yaml", allow, "ns.yaml", ns("privileged"), "probe.yaml", probe, "run.yaml", runIn("ops", "node-probe")); rep.Denied() {
		t.Errorf("a host-access run in a privileged Namespace is refused: %v", rep.Findings)
	}
}
