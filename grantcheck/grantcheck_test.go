package grantcheck

import (
	"slices"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/needs"
)

func cmd(text string, reqs ...needs.Request) SkillCommand {
	return SkillCommand{Command: needs.Command{File: "p.yaml", Line: 9, Command: text, Analysed: true, Requests: reqs}}
}

func req(verb, group, resource, sub string, scope needs.Scope) needs.Request {
	return needs.Request{Verb: verb, Group: group, Resource: resource, Subresource: sub, Scope: scope}
}

const ns, cl = needs.ScopeNamespace, needs.ScopeCluster

func TestJudgeCommands(t *testing.T) {
	logs := cmd("kubectl logs deploy/web", req("get", "apps", "deployments", "", ns), req("list", "", "pods", "", ns), req("get", "", "pods", "log", ns))
	tests := []struct {
		name          string
		sc            *api.Sidecar
		cmds          []SkillCommand
		unused        []string // Field: GrantsText
		missing       []string // RequestText of every missing request
		judged        bool
		wildcard      bool
		instead       []string
		unanalysedCnt int
	}{
		{
			name: "exact grants",
			sc: &api.Sidecar{Image: "i", RBAC: []api.PolicyRule{
				{APIGroups: []string{"apps"}, Resources: []string{"deployments"}, Verbs: []string{"get"}},
				{APIGroups: []string{""}, Resources: []string{"pods", "pods/log"}, Verbs: []string{"get", "list"}},
			}},
			cmds:   []SkillCommand{logs},
			unused: []string{"spec.sidecar.rbac[1]: pods get; pods/log list"},
			judged: true,
		},
		{
			name:    "missing pods/log; a rule's group × resource product holds pieces nothing needs",
			sc:      &api.Sidecar{Image: "i", RBAC: []api.PolicyRule{{APIGroups: []string{"apps", ""}, Resources: []string{"deployments", "pods"}, Verbs: []string{"get", "list"}}}},
			cmds:    []SkillCommand{logs},
			unused:  []string{"spec.sidecar.rbac[0]: deployments.apps list; pods.apps get, list; deployments get, list; pods get"},
			missing: []string{"pods/log get"},
			judged:  true,
		},
		{
			name:    "a cluster request needs clusterRBAC; a Role rule does not serve it",
			sc:      &api.Sidecar{Image: "i", RBAC: []api.PolicyRule{{APIGroups: []string{""}, Resources: []string{"nodes"}, Verbs: []string{"list"}}}},
			cmds:    []SkillCommand{cmd("kubectl get nodes", req("list", "", "nodes", "", cl))},
			unused:  []string{"spec.sidecar.rbac[0]: nodes list"},
			missing: []string{"nodes list (clusterRBAC)"},
			judged:  true,
		},
		{
			name:   "a ClusterRole rule serves a namespace request",
			sc:     &api.Sidecar{Image: "i", ClusterRBAC: []api.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"list"}}}},
			cmds:   []SkillCommand{cmd("kubectl get pods", req("list", "", "pods", "", ns))},
			judged: true,
		},
		{
			name:     "*/log serves pods/log, and is reported as a wildcard with what it serves",
			sc:       &api.Sidecar{Image: "i", RBAC: []api.PolicyRule{{APIGroups: []string{""}, Resources: []string{"*/log"}, Verbs: []string{"get"}}}},
			cmds:     []SkillCommand{cmd("kubectl logs web", req("get", "", "pods", "log", ns))},
			unused:   []string{"spec.sidecar.rbac[0]: */log get"},
			judged:   true,
			wildcard: true,
			instead:  []string{"pods/log get"},
		},
		{
			name:   "pods/* is not a wildcard: it serves nothing",
			sc:     &api.Sidecar{Image: "i", RBAC: []api.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods/*"}, Verbs: []string{"get"}}}},
			cmds:   []SkillCommand{cmd("kubectl logs web", req("get", "", "pods", "log", ns))},
			unused: []string{"spec.sidecar.rbac[0]: pods/* get"}, missing: []string{"pods/log get"},
			judged: true,
		},
		{
			name:   "resourceNames: one object's get is served, a list is not",
			sc:     &api.Sidecar{Image: "i", RBAC: []api.PolicyRule{{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get", "list"}, ResourceNames: []string{"a", "b"}}}},
			cmds:   []SkillCommand{cmd("kubectl get configmap a", req("get", "", "configmaps", "", ns))},
			unused: []string{"spec.sidecar.rbac[0]: configmaps (resourceNames a, b) list"},
			judged: true,
		},
		{
			name:   "a non-resource URL no command requests",
			sc:     &api.Sidecar{Image: "i", ClusterRBAC: []api.PolicyRule{{NonResourceURLs: []string{"/healthz"}, Verbs: []string{"get"}}}},
			unused: []string{"spec.sidecar.clusterRBAC[0]: /healthz get"},
			judged: true,
		},
		{
			name:   "default RBAC allows a self subject access review: neither missing nor a need",
			sc:     &api.Sidecar{Image: "i"},
			cmds:   []SkillCommand{cmd("kubectl auth can-i list pods", req("create", "authorization.k8s.io", "selfsubjectaccessreviews", "", cl))},
			judged: true,
		},
		{
			name:          "no sidecar: nothing judged, unanalysed still counted",
			cmds:          []SkillCommand{logs, {Command: needs.Command{Command: "helm list", Reason: "helm"}}},
			unanalysedCnt: 1,
		},
		{
			name:   "a forbidden command is neither a need nor unanalysed",
			sc:     &api.Sidecar{Image: "i"},
			cmds:   []SkillCommand{{Command: needs.Command{Command: "kubectl delete", Reason: forbiddenReason + " this command"}}},
			judged: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := JudgeCommands(tc.sc, tc.cmds)
			var unused, missing, instead []string
			wild := false
			for _, u := range v.Unused {
				unused = append(unused, u.Field+": "+GrantsText(u.Grants))
				wild = wild || u.Wildcard
				for _, r := range u.Instead {
					instead = append(instead, RequestText(r))
				}
			}
			for _, m := range v.Missing {
				for _, r := range m.Requests {
					missing = append(missing, RequestText(r))
				}
			}
			if !slices.Equal(unused, tc.unused) || !slices.Equal(missing, tc.missing) || v.Judged != tc.judged || wild != tc.wildcard || !slices.Equal(instead, tc.instead) || len(v.Unanalysed) != tc.unanalysedCnt {
				t.Errorf("unused %q missing %q judged %v wildcard %v instead %q unanalysed %d\nwant %q %q %v %v %q %d",
					unused, missing, v.Judged, wild, instead, len(v.Unanalysed), tc.unused, tc.missing, tc.judged, tc.wildcard, tc.instead, tc.unanalysedCnt)
			}
		})
	}
}

// TestNeedsMerge: a request several commands make is one need, optional only if every command's
// is, with each command once.
func TestNeedsMerge(t *testing.T) {
	opt := req("list", "", "events", "", ns)
	opt.Optional = true
	v := JudgeCommands(&api.Sidecar{Image: "i"}, []SkillCommand{
		cmd("kubectl describe pod a", opt),
		cmd("kubectl get events", req("list", "", "events", "", ns)),
	})
	if len(v.Needs) != 1 || v.Needs[0].Optional || len(v.Needs[0].Commands) != 2 || v.Needs[0].Granted {
		t.Errorf("%+v", v.Needs)
	}
}

// TestForbiddenMatchesNeeds holds Forbidden to the reason package needs gives a command the
// skill's text forbids.
func TestForbiddenMatchesNeeds(t *testing.T) {
	cmds := needs.Extract("p.yaml", 1, "Never run `kubectl delete pod web`.\n")
	if len(cmds) != 1 || !Forbidden(cmds[0]) {
		t.Fatalf("needs' forbidden command is not Forbidden: %+v", cmds)
	}
	if cmds := needs.Extract("p.yaml", 1, "```sh\nhelm list\n```\n"); len(cmds) != 1 || Forbidden(cmds[0]) {
		t.Fatalf("helm is Forbidden: %+v", cmds)
	}
}

// TestCommandsLines: commands keep the pack file's lines (a block scalar starts after its key).
func TestCommandsLines(t *testing.T) {
	p := &api.SkillPack{}
	p.Src = diag.NewSource("p.yaml", 1, map[string]int{"spec.skills[1].content": 20})
	p.Spec.Skills = []api.Skill{{Name: "empty"}, {Name: "s", Content: "```sh\nkubectl get pods\n```\n"}}
	cs := Commands(p)
	if len(cs) != 1 || cs[0].File != "p.yaml" || cs[0].Line != 22 || cs[0].Skill != 1 || cs[0].Field() != "spec.skills[1].content" {
		t.Fatalf("%+v", cs)
	}
}

func TestTexts(t *testing.T) {
	if got := RequestText(req("patch", "apps", "deployments", "scale", cl)); got != "deployments.apps/scale patch (clusterRBAC)" {
		t.Error(got)
	}
	pieces := []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get"}},
		{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"list"}},
		{APIGroups: []string{"*"}, Resources: []string{"*"}, Verbs: []string{"*"}},
	}
	if got := GrantsText(pieces); got != "pods get, list; *.* *" {
		t.Error(got)
	}
	if !strings.Contains(GrantsText(breakdown(rbacv1.PolicyRule{APIGroups: []string{"apps"}, Resources: []string{"deployments"}, Verbs: []string{"get"}, ResourceNames: []string{"a", "b"}})), "deployments.apps (resourceNames a, b) get") {
		t.Error("resourceNames")
	}
}
