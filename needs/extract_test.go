package needs

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/source"
)

type found struct {
	Line     int
	Command  string
	Analysed bool
}

func extractFound(file string, line int, content string) []found {
	var out []found
	for _, c := range Extract(file, line, content) {
		out = append(out, found{c.Line, c.Command, c.Analysed})
	}
	return out
}

func TestExtract(t *testing.T) {
	for _, tc := range []struct {
		name, md string
		want     []found
	}{
		{"fences and tags", "# t\n```bash\nkubectl get pods\n```\n```yaml\nkubectl: get\n```\n~~~sh\nkubectl get nodes\n~~~\n````\n```\nkubectl get ns\n````\n", []found{
			{3, "kubectl get pods", true}, {9, "kubectl get nodes", true}, {13, "kubectl get ns", true},
		}},
		{"pipes, lists, substitutions", "```sh\nkubectl get pods -o name | grep web && kubectl logs \"$(kubectl get pods -o name | head -1)\"; helm list\n```\n", []found{
			{2, "kubectl get pods -o name", true},
			{2, `kubectl logs "$(kubectl get pods -o name | head -1)"`, true},
			{2, "kubectl get pods -o name", true},
			{2, "helm list", false},
		}},
		{"a block in a list item", "1. List pods:\n\n    ```bash\n    kubectl get pods\n    ```\n2. Done\n", []found{
			{4, "kubectl get pods", true},
		}},
		{"continuation lines", "```bash\nkubectl get pods \\\n  -n \"$NAMESPACE\" \\\n  -o wide\nkubectl get nodes\n```\n", []found{
			{2, `kubectl get pods -n "$NAMESPACE" -o wide`, true}, {5, "kubectl get nodes", true},
		}},
		{"console prompts", "```console\n$ kubectl get pods\nNAME   READY\nweb    1/1\n$ kubectl logs web\nhello\n```\n", []found{
			{2, "kubectl get pods", true}, {5, "kubectl logs web", true},
		}},
		{"inline spans", "Run `kubectl get deploy` then `kubectl logs <pod>`; `describe` alone is prose.\nNever run `kubectl delete pods`.\n", []found{
			{1, "kubectl get deploy", true}, {1, "kubectl logs <pod>", true}, {2, "kubectl delete pods", false},
		}},
		{"a negation in an earlier sentence does not forbid", "Do not guess. Run `kubectl get pods`; never `kubectl delete pods`.\n", []found{
			{1, "kubectl get pods", true}, {1, "kubectl delete pods", false},
		}},
		{"CRLF", "# t\r\n```bash\r\nkubectl get pods \\\r\n  -A\r\n```\r\n", []found{
			{3, "kubectl get pods -A", true},
		}},
		{"placeholders", "```\nkubectl describe pod <pod-name> -n <namespace>\nkubectl get <kind>\n```\n", []found{
			{2, "kubectl describe pod <pod-name> -n <namespace>", true}, {3, "kubectl get <kind>", false},
		}},
		{"untagged prose is not a command", "```\nDate: <YYYY-MM-DD>  Severity: SEV<n>\nkubectl get pods\n```\n", []found{
			{3, "kubectl get pods", true},
		}},
		{"tagged shell reports other programs, not local tools", "```bash\nmytool --fix\ngit log | jq . | sort\n```\n", []found{
			{2, "mytool --fix", false},
		}},
		{"a line the parser rejects does not hide the others", "```sh\nkubectl get pods\nif then fi (\nkubectl get nodes\n```\n", []found{
			{2, "kubectl get pods", true}, {4, "kubectl get nodes", true},
		}},
		{"wrappers", "```sh\nwatch -n 5 kubectl get pods\ntimeout 30s kubectl rollout status deploy/web\nkubectl get pods -o name | xargs -I{} kubectl delete {}\n```\n", []found{
			{2, "watch -n 5 kubectl get pods", true},
			{3, "timeout 30s kubectl rollout status deploy/web", true},
			{4, "kubectl get pods -o name", true},
			{4, "xargs -I{} kubectl delete {}", false},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, extractFound("f.md", 1, tc.md)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// TestLinesOfClusterTriage: every kubectl command of the built-in pack is found on the line the
// file has it, through the loader as skillc check reads it.
func TestLinesOfClusterTriage(t *testing.T) {
	raw, err := os.ReadFile("../skills/cluster-triage.yaml")
	if err != nil {
		t.Fatal(err)
	}
	in, diags := source.Load([]source.File{{Name: "skills/cluster-triage.yaml", Data: raw}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if len(in.Packs) != 1 {
		t.Fatalf("%d packs", len(in.Packs))
	}
	lines := strings.Split(string(raw), "\n")
	for _, withRaw := range [][]byte{raw, nil} {
		cmds := Pack(in.Packs[0], withRaw)
		if len(cmds) < 14 {
			t.Fatalf("%d commands; the pack shows at least 14", len(cmds))
		}
		for _, c := range cmds {
			first, _, _ := strings.Cut(c.Command, " \\")
			if c.File != "skills/cluster-triage.yaml" || c.Line < 1 || !strings.Contains(lines[c.Line-1], first) {
				t.Errorf("%s:%d: %q is not on that line (%q)", c.File, c.Line, c.Command, lines[max(c.Line-1, 0)])
			}
		}
	}
}

func TestSkillMDBodyLine(t *testing.T) {
	if frontMatterAnnotation != source.AnnotationFrontMatter {
		t.Fatalf("frontMatterAnnotation %q, source has %q", frontMatterAnnotation, source.AnnotationFrontMatter)
	}
	md := "---\nname: t\ndescription: a test\n---\n# T\n\n```sh\nkubectl get pods\n```\n"
	p, diags := source.PackFromPackage(source.Package{Source: "t", Dir: "t", Files: map[string][]byte{"SKILL.md": []byte(md)}}, "ns")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	cmds := Pack(p, nil)
	if len(cmds) != 1 || cmds[0].Line != 8 || cmds[0].File != "t/SKILL.md" {
		t.Errorf("got %+v, want kubectl get pods at t/SKILL.md:8", cmds)
	}
}

func TestContentLine(t *testing.T) {
	raw := []byte("a:\n  content: |\n    x\n  other: \"y\"\n")
	if got := ContentLine(raw, 2, "x\n"); got != 3 {
		t.Errorf("block scalar: line %d, want 3", got)
	}
	raw = []byte("a:\n  content: \"kubectl get pods\"\n")
	if got := ContentLine(raw, 2, "kubectl get pods"); got != 2 {
		t.Errorf("quoted scalar: line %d, want 2", got)
	}
	if got := ContentLine(nil, 7, "x"); got != 8 {
		t.Errorf("no raw: line %d, want 8 (a block scalar)", got)
	}
}

// TestIssueExample is issue 24's pack: the suggested rules have pods/log get and deployments
// patch, and neither configmaps nor delete.
func TestIssueExample(t *testing.T) {
	p := &api.SkillPack{}
	p.Metadata.Name, p.Metadata.Namespace = "web-ops", "ops"
	p.Spec.Skills = []api.Skill{{Name: "ops", Content: "# Ops\n```bash\nkubectl get deployments\nkubectl describe deployment\nkubectl logs deploy/web\nkubectl rollout restart deployment web\n```\n"}}
	cmds := Pack(p, nil)
	if len(cmds) != 4 {
		t.Fatalf("%d commands, want 4", len(cmds))
	}
	rbac, cluster := Rules(Requests(cmds))
	want := []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"events"}, Verbs: []string{"list"}},
		{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"list", "watch"}},
		{APIGroups: []string{""}, Resources: []string{"pods/log"}, Verbs: []string{"get"}},
		{APIGroups: []string{"apps"}, Resources: []string{"deployments"}, Verbs: []string{"get", "list", "patch"}},
		{APIGroups: []string{"apps"}, Resources: []string{"replicasets"}, Verbs: []string{"list"}},
	}
	if d := cmp.Diff(want, rbac); d != "" {
		t.Errorf("rbac (-want +got):\n%s", d)
	}
	if cluster != nil {
		t.Errorf("clusterRBAC %v, want none", cluster)
	}
	for _, r := range rbac {
		for _, res := range r.Resources {
			if res == "configmaps" {
				t.Errorf("configmaps suggested: %v", r)
			}
		}
		for _, v := range r.Verbs {
			if v == "delete" {
				t.Errorf("delete suggested: %v", r)
			}
		}
	}
	// What the issue's pack grants: configmaps get/list and pods delete, no pods/log.
	granted := []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get", "list"}},
		{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"delete", "get", "list", "watch"}},
		{APIGroups: []string{"apps"}, Resources: []string{"deployments", "replicasets"}, Verbs: []string{"get", "list", "patch"}},
		{APIGroups: []string{""}, Resources: []string{"events"}, Verbs: []string{"list"}},
	}
	var missing []string
	for _, q := range Requests(cmds) {
		if !Allows(granted, nil, q) {
			missing = append(missing, short(q))
		}
	}
	if d := cmp.Diff([]string{"get /pods/log ns"}, missing); d != "" {
		t.Errorf("not allowed by the issue's grants (-want +got):\n%s", d)
	}
}

func TestRulesMergeAndScope(t *testing.T) {
	reqs := []Request{
		{Verb: "list", Resource: "pods", Scope: ScopeNamespace},
		{Verb: "list", Resource: "pods", Scope: ScopeCluster},
		{Verb: "get", Resource: "pods", Scope: ScopeNamespace},
		{Verb: "get", Resource: "services", Scope: ScopeNamespace},
		{Verb: "create", Group: "authorization.k8s.io", Resource: "selfsubjectaccessreviews", Scope: ScopeCluster},
	}
	rbac, cluster := Rules(reqs)
	wantNS := []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods", "services"}, Verbs: []string{"get"}}}
	wantCL := []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"list"}}}
	if d := cmp.Diff(wantNS, rbac); d != "" {
		t.Errorf("rbac (-want +got):\n%s", d)
	}
	if d := cmp.Diff(wantCL, cluster); d != "" {
		t.Errorf("clusterRBAC (-want +got):\n%s", d)
	}
	if !Allows(nil, wantCL, reqs[0]) || Allows(wantNS, nil, reqs[1]) {
		t.Error("a namespace request is allowed by a cluster rule; a cluster request never by a Role")
	}
	if !RuleAllows(rbacv1.PolicyRule{APIGroups: []string{"*"}, Resources: []string{"*/log"}, Verbs: []string{"*"}}, Request{Verb: "get", Resource: "pods", Subresource: "log"}) {
		t.Error("wildcards")
	}
	if RuleAllows(rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"pods"}, ResourceNames: []string{"web"}, Verbs: []string{"list"}}, Request{Verb: "list", Resource: "pods"}) {
		t.Error("a rule with resourceNames never allows list")
	}
}

func FuzzExtract(f *testing.F) {
	for _, s := range []string{
		"```sh\nkubectl get pods -n \"$NS\" | grep x\n```\n",
		"`kubectl logs <pod>` and `kubectl get deploy/web`",
		"```console\n$ kubectl exec -it web -- sh -c 'ls'\n```",
		"```\nkubectl get pods \\\n -A -w\n```",
		"```bash\nkubectl cp ns/pod:/x ./x && kubectl debug node/n -it --image=b\n```",
		"```\n$(kubectl get ${A:-x} `b`) <<EOF\nx\nEOF\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, content string) {
		for _, c := range Extract("f.md", 1, content) {
			if c.Line < 1 {
				t.Fatalf("line %d for %q", c.Line, c.Command)
			}
			if !c.Analysed && c.Reason == "" {
				t.Fatalf("not analysed without a reason: %q", c.Command)
			}
			for _, q := range c.Requests {
				if q.Verb == "" || q.Resource == "" || (q.Scope != ScopeNamespace && q.Scope != ScopeCluster) {
					t.Fatalf("incomplete request %+v for %q", q, c.Command)
				}
			}
		}
	})
}

// BenchmarkExtract parses the built-in cluster-triage pack's skills without the cache: the cost
// of a skill text seen for the first time.
func BenchmarkExtract(b *testing.B) {
	raw, err := os.ReadFile("../skills/cluster-triage.yaml")
	if err != nil {
		b.Fatal(err)
	}
	in, diags := source.Load([]source.File{{Name: "skills/cluster-triage.yaml", Data: raw}})
	if diags.HasErrors() {
		b.Fatal(diags)
	}
	var contents []string
	for _, s := range in.Packs[0].Spec.Skills {
		contents = append(contents, s.Content)
	}
	b.ResetTimer()
	for b.Loop() {
		for _, c := range contents {
			for _, s := range snippets(c) {
				parseSnippet("", s.line, s)
			}
		}
	}
}
