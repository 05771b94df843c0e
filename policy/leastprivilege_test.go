package policy

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
)

// lpPack is a pack in the catalog whose one skill's content is a sh block of cmds (lines 9 on),
// with the given sidecar grants, and an instance and run in namespace team using it.
func lpPack(name string, cmds []string, sidecar string) string {
	var b strings.Builder
	b.WriteString(`apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata: {name: ` + name + `, namespace: sympozium-system}
spec:
  skills:
    - name: s
      content: |
        ` + "```sh" + `
`)
	for _, c := range cmds {
		b.WriteString("        " + c + "\n")
	}
	b.WriteString("        ```\n")
	if sidecar != "" {
		b.WriteString("  sidecar:\n" + indentBy(sidecar, "    "))
	}
	return b.String() + "---\n" + runIn("team", name)
}

const lpImage = "image: ghcr.io/example/k@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"

// lpFindings are the RBAC-20 and RBAC-21 findings, as "RULE severity FILE:LINE".
func lpFindings(rep *Report) []string {
	var out []string
	for _, d := range rep.Findings {
		if d.Rule == "RBAC-20" || d.Rule == "RBAC-21" {
			out = append(out, d.Rule+" "+string(d.Severity)+" "+d.File+":"+strconv.Itoa(d.Line))
		}
	}
	return out
}

func TestLeastPrivilege(t *testing.T) {
	tests := []struct {
		name    string
		cmds    []string
		sidecar string
		profile string
		want    []string // RULE severity FILE:LINE, in report order
		message []string // substrings of the findings' messages, in order
	}{
		{
			name: "issue example, baseline: unused grants warn, the missing pods/log warns",
			cmds: []string{"kubectl get deployments", "kubectl describe deployment web", "kubectl logs deploy/web"},
			sidecar: lpImage + `rbac:
  - {apiGroups: [""], resources: [configmaps], verbs: [get, list]}
  - {apiGroups: [""], resources: [pods], verbs: [delete]}
  - {apiGroups: [apps], resources: [deployments], verbs: [get, list]}
  - {apiGroups: [""], resources: [pods], verbs: [list, watch]}
  - {apiGroups: [""], resources: [events], verbs: [list]}
  - {apiGroups: [apps], resources: [replicasets], verbs: [list]}`,
			want: []string{"RBAC-21 warning in.yaml:11", "RBAC-20 warning in.yaml:16", "RBAC-20 warning in.yaml:17"},
			message: []string{
				"the run will get Forbidden for `kubectl logs deploy/web` at in.yaml:11: add pods/log get",
				"grants configmaps get, list, which no command in the pack's skills needs",
				"grants pods delete, which no command in the pack's skills needs",
			},
		},
		{
			name: "restricted: an unused grant is denied",
			cmds: []string{"kubectl get pods"},
			sidecar: lpImage + `rbac:
  - {apiGroups: [""], resources: [pods], verbs: [get, list]}`,
			profile: "restricted",
			want:    []string{"RBAC-20 deny in.yaml:14"},
			message: []string{"grants pods get, which no command in the pack's skills needs (they use the rest of the rule)"},
		},
		{
			name: "everything needed is granted and nothing more: no finding",
			cmds: []string{"kubectl get pods", "kubectl logs mypod"},
			sidecar: lpImage + `rbac:
  - {apiGroups: [""], resources: [pods], verbs: [get, list]}
  - {apiGroups: [""], resources: [pods/log], verbs: [get]}`,
			profile: "restricted",
		},
		{
			name: "a command skillc cannot analyse: a note, and RBAC-20 only warns in restricted",
			cmds: []string{"helm list", "kubectl get pods"},
			sidecar: lpImage + `rbac:
  - {apiGroups: [""], resources: [pods, secrets], verbs: [list]}`,
			profile: "restricted",
			want:    []string{"RBAC-21 info in.yaml:9", "RBAC-20 warning in.yaml:15"},
			message: []string{"skillc cannot analyse `helm list`", "grants secrets list, which no command in the pack's skills needs (they use the rest of the rule)"},
		},
		{
			name: "a wildcard is reported with what the commands need of it",
			cmds: []string{"kubectl get pods"},
			sidecar: lpImage + `rbac:
  - {apiGroups: [""], resources: [pods], verbs: ["*"]}`,
			want:    []string{"RBAC-20 warning in.yaml:14"},
			message: []string{"grants pods *, more than any command in the pack's skills needs: of this rule they need only pods list"},
		},
		{
			name: "a Role cannot serve -A: RBAC-21 asks for clusterRBAC, the Role's rule is unused",
			cmds: []string{"kubectl get pods -A"},
			sidecar: lpImage + `rbac:
  - {apiGroups: [""], resources: [pods], verbs: [list]}`,
			want:    []string{"RBAC-21 warning in.yaml:9", "RBAC-20 warning in.yaml:14"},
			message: []string{"add pods list (clusterRBAC). Fix: add the rules to spec.sidecar.clusterRBAC", "grants pods list, which no command"},
		},
		{
			name: "a ClusterRole serves a request in the run's namespace",
			cmds: []string{"kubectl get pods"},
			sidecar: lpImage + `clusterRBAC:
  - {apiGroups: [""], resources: [pods], verbs: [list]}`,
		},
		{
			name: "resourceNames: a get of a named object is served",
			cmds: []string{"kubectl get configmap settings"},
			sidecar: lpImage + `rbac:
  - {apiGroups: [""], resources: [configmaps], verbs: [get], resourceNames: [settings]}`,
		},
		{
			name: "a pack whose skills run no command: every grant is RBAC-20",
			cmds: []string{"echo hello"},
			sidecar: lpImage + `rbac:
  - {apiGroups: [""], resources: [pods], verbs: [get]}`,
			want:    []string{"RBAC-20 warning in.yaml:14"},
			message: []string{"grants pods get, which no command in the pack's skills needs (its skills run no command)"},
		},
		{
			name:    "a pack without a sidecar: one note, nothing judged",
			cmds:    []string{"kubectl get pods", "kubectl logs web"},
			want:    []string{"RBAC-21 info in.yaml:9"},
			message: []string{"the pack has no sidecar, and its skills run 2 commands: `kubectl get pods` (in.yaml:9), `kubectl logs web` (in.yaml:10), which call the API"},
		},
		{
			name:    "a sidecar without grants: every API command is RBAC-21",
			cmds:    []string{"kubectl get pods"},
			sidecar: lpImage,
			want:    []string{"RBAC-21 warning in.yaml:9"},
			message: []string{"add pods list"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep := gateYAML(t, lpPack("k", tc.cmds, tc.sidecar), compile.Options{Profile: tc.profile})
			if got := lpFindings(rep); !slices.Equal(got, tc.want) {
				t.Fatalf("got %q, want %q\n%v", got, tc.want, rep.Findings)
			}
			i := 0
			for _, d := range rep.Findings {
				if d.Rule != "RBAC-20" && d.Rule != "RBAC-21" {
					continue
				}
				if !strings.Contains(d.Message, tc.message[i]) {
					t.Errorf("%s %s:%d: %q lacks %q", d.Rule, d.File, d.Line, d.Message, tc.message[i])
				}
				i++
			}
		})
	}
}

// TestLeastPrivilegeNotes: a command the skill forbids is no need and no note.
func TestLeastPrivilegeForbiddenSpan(t *testing.T) {
	src := strings.Replace(lpPack("k", []string{"kubectl get pods"}, lpImage+"rbac: [{apiGroups: [\"\"], resources: [pods], verbs: [list]}]"),
		"        ```sh\n", "        Never run `kubectl delete pod web`.\n        ```sh\n", 1)
	rep := gateYAML(t, src, compile.Options{Profile: "restricted"})
	if got := lpFindings(rep); len(got) != 0 {
		t.Errorf("a forbidden command counts: %v", rep.Findings)
	}
}

// TestLeastPrivilegeException: RBAC-20 is waived by an exception naming the pack's identity, and
// only that pack's: a tenant's private pack of the same name keeps its finding.
func TestLeastPrivilegeException(t *testing.T) {
	cfg := `apiVersion: skillc.dev/v1alpha1
kind: CompilerConfig
metadata: {name: platform}
spec:
  policy:
    profile: restricted
    exceptions:
      - {id: sidecar-calls-api, rules: [RBAC-20], skillPack: k, owner: platform, justification: the sidecar's own code lists pods, expires: "2099-01-01"}
---
`
	pack := lpPack("k", nil, lpImage+"rbac: [{apiGroups: [\"\"], resources: [pods], verbs: [list]}]")
	rep := gateYAML(t, cfg+pack, compile.Options{})
	if len(lpFindings(rep)) != 0 || len(rep.Excepted) != 1 || rep.Excepted[0].Rule != "RBAC-20" || rep.Excepted[0].Exception != "sidecar-calls-api" {
		t.Fatalf("the exception does not waive RBAC-20: findings %v, excepted %v", rep.Findings, rep.Excepted)
	}
	private := strings.Replace(pack, "namespace: sympozium-system", "namespace: team", 1)
	rep = gateYAML(t, cfg+private, compile.Options{})
	if got := findingsOf(rep, "RBAC-20", diag.SeverityDeny); len(got) != 1 || len(rep.Excepted) != 0 {
		t.Fatalf("a private pack named like the excepted catalog pack is waived: %v, excepted %v", rep.Findings, rep.Excepted)
	}
}

// TestLeastPrivilegeOncePerPack: a pack in many runs is judged once.
func TestLeastPrivilegeOncePerPack(t *testing.T) {
	src := lpPack("k", []string{"kubectl get pods"}, lpImage+"rbac: [{apiGroups: [\"\"], resources: [pods, services], verbs: [list]}]")
	src += "---\n" + strings.NewReplacer("name: agent", "name: agent2", "agentRef: agent", "agentRef: agent2", "name: run,", "name: run2,").Replace(runIn("team", "k"))
	rep := gateYAML(t, src, compile.Options{})
	if got := lpFindings(rep); !slices.Equal(got, []string{"RBAC-20 warning in.yaml:13"}) {
		t.Errorf("got %v", rep.Findings)
	}
}
