package compile

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	rbacv1 "k8s.io/api/rbac/v1"
)

func TestBuildRBAC(t *testing.T) {
	rules := `rbac:
  - {apiGroups: [""], resources: [pods, pods/log], verbs: [get, list]}
  - {apiGroups: [apps], resources: [deployments], verbs: [get], resourceNames: [web]}
clusterRBAC:
  - {apiGroups: [""], resources: [nodes], verbs: [get]}
  - {nonResourceURLs: [/metrics], verbs: [get]}`
	tests := []struct {
		name      string
		opts      Options
		sidecar   string
		wantKinds []string
		wantSA    string
	}{
		{"no rbac, no objects", Options{}, "image: reg/x:1", nil, ""},
		{"namespaced only", Options{}, "image: reg/x:1\nrbac: [{apiGroups: [\"\"], resources: [pods], verbs: [get]}]", []string{"Role", "RoleBinding"}, "sympozium-agent"},
		{"both, shared identity", Options{}, "image: reg/x:1\n" + rules, []string{"ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"}, "sympozium-agent"},
		{"both, per-run identity", Options{Identity: "per-run"}, "image: reg/x:1\n" + rules, []string{"ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"}, "sympozium-run-r1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, diags := compileYAML(t, tt.opts, pack(tt.sidecar), testInstance, testRun)
			if diags != nil {
				t.Fatal(diags)
			}
			var kinds []string
			for _, o := range res.Objects {
				if o.GetName() != "sympozium-skill-p-r1" {
					continue
				}
				kinds = append(kinds, kindOf(o))
				want := map[string]string{LabelAgentRun: "r1", LabelSkill: "p", LabelSympoziumOwner: "sympozium", LabelManagedBy: "skillc"}
				if diff := cmp.Diff(want, o.GetLabels()); diff != "" {
					t.Errorf("%s labels (-want +got):\n%s", kindOf(o), diff)
				}
				if len(o.GetOwnerReferences()) > 0 {
					t.Errorf("%s has ownerReferences", kindOf(o))
				}
				var subjects []rbacv1.Subject
				var ref rbacv1.RoleRef
				switch b := o.(type) {
				case *rbacv1.RoleBinding:
					subjects, ref = b.Subjects, b.RoleRef
				case *rbacv1.ClusterRoleBinding:
					subjects, ref = b.Subjects, b.RoleRef
				case *rbacv1.ClusterRole:
					if len(b.Rules) != 2 || b.Rules[1].NonResourceURLs[0] != "/metrics" {
						t.Errorf("cluster rules not copied in order: %+v", b.Rules)
					}
					continue
				case *rbacv1.Role:
					if b.Namespace != "team" || len(b.Rules) == 0 || b.Rules[0].Resources[0] != "pods" {
						t.Errorf("role = %+v", b)
					}
					continue
				}
				wantSubj := []rbacv1.Subject{{Kind: "ServiceAccount", Name: tt.wantSA, Namespace: "team"}}
				if diff := cmp.Diff(wantSubj, subjects); diff != "" {
					t.Errorf("%s subjects (-want +got):\n%s", kindOf(o), diff)
				}
				if ref.Name != "sympozium-skill-p-r1" || ref.APIGroup != rbacv1.GroupName {
					t.Errorf("%s roleRef = %+v", kindOf(o), ref)
				}
			}
			if diff := cmp.Diff(tt.wantKinds, kinds); diff != "" {
				t.Errorf("RBAC kinds in output order (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNameLimits(t *testing.T) {
	name := func(n int) string { return strings.Repeat("a", n) }
	packNamed := func(n, sidecar string) string {
		return strings.Replace(pack(sidecar), "name: p,", "name: "+n+",", 1)
	}
	inst := func(ref string) string {
		return strings.Replace(testInstance, "skillPackRef: p", "skillPackRef: "+ref, 1)
	}
	tests := []struct {
		name    string
		docs    []string
		wantErr string // substring; "" means it must compile
	}{
		{"52-char pack with sidecar fits skill-home-<pack>", []string{packNamed(name(52), "image: r/x:1"), inst(name(52)), testRun}, ""},
		{"53-char pack with sidecar overflows skill-home-<pack>", []string{packNamed(name(53), "image: r/x:1"), inst(name(53)), testRun},
			`volume name "skill-home-` + name(53) + `", which keeps the sidecar's HOME beside its read-only root filesystem, is 64 characters, over Kubernetes' 63-character limit for volume names; shorten the pack's name to 52 characters, set HOME in sidecar.env, or set sidecar.readOnlyRootFilesystem: false`},
		{"53-char server pack fits: no HOME volume", []string{packNamed(name(53), "image: r/x:1\nrequiresServer: true\nports: [{name: http, containerPort: 8080}]"), inst(name(53)), testRun}, ""},
		{"57-char pack with a writable root fits skill-<pack>", []string{packNamed(name(57), "image: r/x:1\nreadOnlyRootFilesystem: false"), inst(name(57)), testRun}, ""},
		{"57-char pack that sets HOME fits skill-<pack>", []string{packNamed(name(57), "image: r/x:1\nenv: [{name: HOME, value: /tmp}]"), inst(name(57)), testRun}, ""},
		{"58-char pack with sidecar overflows skill-<pack>", []string{packNamed(name(58), "image: r/x:1"), inst(name(58)), testRun},
			`container name "skill-` + name(58) + `" is 64 characters, over Kubernetes' 63-character limit`},
		{"63-char pack without sidecar fits", []string{packNamed(name(63), ""), inst(name(63)), testRun}, ""},
		{"run name over 63", []string{pack(""), testInstance, strings.Replace(testRun, "name: r1", "name: "+name(64), 1)},
			"is 64 characters, over Kubernetes' 63-character limit for label values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := compileYAML(t, Options{}, tt.docs...)
			switch {
			case tt.wantErr == "" && diags != nil:
				t.Fatalf("unexpected error: %v", diags)
			case tt.wantErr != "" && !strings.Contains(diags.Error(), tt.wantErr):
				t.Fatalf("error = %v, want it to contain %q", diags, tt.wantErr)
			}
		})
	}
}
