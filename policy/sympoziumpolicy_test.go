package policy

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/source"
)

// The SympoziumPolicy rules: each case is a tenant's pull request that upstream's admission
// webhook (or its controller) would refuse once applied, or that the policy forbids and upstream
// lets through (SPOL-10). The platform's policy lives in platform/policy.yaml; the tenant's Agent,
// runs and schedules in tenants/a/agent.yaml.

const spolPacks = `apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata: {name: tools, namespace: sympozium-system}
spec:
  skills: [{name: tools, description: tools, content: use the tools}]
  sidecar: {image: "ghcr.io/sympozium-ai/tools:1.0"}
---
apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata: {name: foreign, namespace: sympozium-system}
spec:
  skills: [{name: foreign, description: foreign, content: use it}]
  sidecar: {image: "quay.io/example/foreign:1.0"}
---
apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata: {name: logs, namespace: sympozium-system}
spec:
  skills: [{name: logs, description: logs, content: read the logs}]
  sidecar:
    image: "ghcr.io/sympozium-ai/logs:1.0"
    hostAccess: {enabled: true, mounts: [{hostPath: /var/log, mountPath: /host/log}]}
`

// spolPolicy is the platform's policy guard in namespace team-a.
func spolPolicy(spec string) string {
	return "apiVersion: sympozium.ai/v1alpha1\nkind: SympoziumPolicy\nmetadata: {name: guard, namespace: team-a}\nspec:\n" + indent(spec)
}

// spolAgent is Agent alice bound to guard, with pack tools and model gpt-4o unless spec says
// otherwise, then docs (runs, schedules) after it.
func spolAgent(spec string, docs ...string) string {
	if spec == "" {
		spec = "skills: [{skillPackRef: tools}]\nagents: {default: {model: gpt-4o}}"
	}
	out := "apiVersion: sympozium.ai/v1alpha1\nkind: Agent\nmetadata: {name: alice, namespace: team-a}\nspec:\n  policyRef: guard\n" + indent(spec)
	for _, d := range docs {
		out += "---\n" + d
	}
	return out
}

// spolRun is AgentRun run of alice with spec added.
func spolRun(spec string) string {
	return "apiVersion: sympozium.ai/v1alpha1\nkind: AgentRun\nmetadata: {name: run, namespace: team-a}\nspec:\n  agentRef: alice\n  task: go\n" + indent(spec)
}

const spolSchedule = "apiVersion: sympozium.ai/v1alpha1\nkind: SympoziumSchedule\nmetadata: {name: nightly, namespace: team-a}\nspec: {agentRef: alice, schedule: \"0 2 * * *\", task: nightly}\n"

func indent(s string) string {
	if s == "" {
		return ""
	}
	return "  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ") + "\n"
}

// spolCheck compiles the platform's policy and the tenant's file and gates them under profile.
func spolCheck(t *testing.T, profile, policy, tenant string) (*Report, diag.Diagnostics) {
	t.Helper()
	files := []source.File{
		{Name: "platform/packs.yaml", Data: []byte(spolPacks)},
		{Name: "tenants/a/agent.yaml", Data: []byte(tenant)},
	}
	if policy != "" {
		files = append(files, source.File{Name: "platform/policy.yaml", Data: []byte(policy)})
	}
	res, ds := compile.Compile(files, compile.Options{Profile: profile})
	if err := ds.Err(); err != nil {
		t.Fatal(err)
	}
	return gateResult(t, res, nil), ds
}

// spolFindings are the report's SPOL findings, as "RULE severity file:field".
func spolFindings(rep *Report) []string {
	var out []string
	for _, d := range rep.Findings {
		if strings.HasPrefix(d.Rule, "SPOL-") {
			out = append(out, fmt.Sprintf("%s %s %s:%s", d.Rule, d.Severity, d.File, d.Field))
		}
	}
	slices.Sort(out)
	return out
}

func TestSympoziumPolicyRules(t *testing.T) {
	const run, agent, pol, packs = "tenants/a/agent.yaml:", "tenants/a/agent.yaml:", "platform/policy.yaml:", "platform/packs.yaml:"
	tests := []struct {
		name    string
		profile string
		policy  string // spec
		tenant  string
		want    []string // "RULE severity file:field"; nil: no SPOL finding
		msg     string   // in the first finding's message
	}{
		// SPOL-01: sandboxPolicy.required.
		{name: "sandbox required, run has none", policy: "sandboxPolicy: {required: true}",
			tenant: spolAgent("", spolRun("")),
			want:   []string{"SPOL-01 deny " + run + "spec.sandbox.enabled"}, msg: `"sandbox is required by policy"`},
		{name: "sandbox required, run disables it", policy: "sandboxPolicy: {required: true}",
			tenant: spolAgent("", spolRun("sandbox: {enabled: false}")),
			want:   []string{"SPOL-01 deny " + run + "spec.sandbox.enabled"}},
		{name: "sandbox required, only the Agent enables one", policy: "sandboxPolicy: {required: true}",
			tenant: spolAgent("skills: [{skillPackRef: tools}]\nagents: {default: {model: gpt-4o, sandbox: {enabled: true}}}", spolRun("")),
			want:   []string{"SPOL-01 deny " + run + "spec.sandbox.enabled"}, msg: "not the Agent's agents.default.sandbox"},
		{name: "sandbox required, schedule's runs never carry one", policy: "sandboxPolicy: {required: true}",
			tenant: spolAgent("", spolSchedule),
			want:   []string{"SPOL-01 deny " + run + "spec.agentRef"}, msg: "schedule controller copies no sandbox"},
		{name: "sandbox required and enabled", policy: "sandboxPolicy: {required: true}",
			tenant: spolAgent("", spolRun("sandbox: {enabled: true}"))},
		// SPOL-02: sandbox resources over the maxima (requests and limits, enabled or not).
		{name: "sandbox cpu limit over maxCPU", policy: `sandboxPolicy: {required: false, maxCPU: "2", maxMemory: 4Gi}`,
			tenant: spolAgent("", spolRun(`sandbox: {enabled: true, resources: {limits: {cpu: "4"}, requests: {memory: 8Gi}}}`)),
			want:   []string{"SPOL-02 deny " + run + "spec.sandbox.resources.limits.cpu", "SPOL-02 deny " + run + "spec.sandbox.resources.requests.memory"},
			msg:    `"sandbox CPU 4 exceeds policy limit 2"`},
		{name: "sandbox at the maxima", policy: `sandboxPolicy: {required: false, maxCPU: "2", maxMemory: 4Gi}`,
			tenant: spolAgent("", spolRun(`sandbox: {enabled: true, resources: {limits: {cpu: 2000m, memory: 4Gi}}}`))},
		{name: "disabled sandbox's resources are checked too", policy: `sandboxPolicy: {required: false, maxMemory: 1Gi}`,
			tenant: spolAgent("", spolRun(`sandbox: {enabled: false, resources: {limits: {memory: 2Gi}}}`)),
			want:   []string{"SPOL-02 deny " + run + "spec.sandbox.resources.limits.memory"}},
		// SPOL-03: the agent-sandbox backend.
		{name: "agent sandbox required", policy: "sandboxPolicy: {required: false, agentSandboxPolicy: {required: true}}",
			tenant: spolAgent("", spolRun("")),
			want:   []string{"SPOL-03 deny " + run + "spec.agentSandbox.enabled"}, msg: `"agent-sandbox mode is required by policy"`},
		{name: "runtime class not allowed", policy: "sandboxPolicy: {required: false, agentSandboxPolicy: {required: true, allowedRuntimeClasses: [gvisor, kata]}}",
			tenant: spolAgent("", spolRun("agentSandbox: {enabled: true, runtimeClass: runc}")),
			want:   []string{"SPOL-03 deny " + run + "spec.agentSandbox.runtimeClass"}, msg: `runtime class \"runc\" is not allowed`},
		{name: "allowed runtime class", policy: "sandboxPolicy: {required: false, agentSandboxPolicy: {required: true, allowedRuntimeClasses: [gvisor, kata]}}",
			tenant: spolAgent("", spolRun("agentSandbox: {enabled: true, runtimeClass: kata}"))},
		{name: "both sandboxes", policy: "featureGates: {sub-agents: true}",
			tenant: spolAgent("", spolRun("sandbox: {enabled: true}\nagentSandbox: {enabled: true}")),
			want:   []string{"SPOL-03 deny " + run + "spec.agentSandbox.enabled"}, msg: "mutually exclusive"},
		// agentSandbox with mode: server is an input error before any policy (validateServerRun).
		// SPOL-04: a tool the run allows and a rule denies.
		{name: "run allows a denied tool", policy: "toolGating: {rules: [{tool: fetch_url, action: deny}]}",
			tenant: spolAgent("", spolRun("toolPolicy: {allow: [read_file, fetch_url]}")),
			want:   []string{"SPOL-04 deny " + run + "spec.toolPolicy.allow[1]"}, msg: `"tool \"fetch_url\" is denied by policy"`},
		{name: "run denies the denied tool", policy: "toolGating: {rules: [{tool: fetch_url, action: deny}]}",
			tenant: spolAgent("", spolRun("toolPolicy: {deny: [fetch_url]}"))},
		// SPOL-05: the code-execution gate.
		{name: "sandbox under a disabled code-execution gate", policy: "featureGates: {code-execution: false}",
			tenant: spolAgent("", spolRun("sandbox: {enabled: true}")),
			want:   []string{"SPOL-05 deny " + run + "spec.sandbox.enabled"}},
		{name: "no sandbox under a disabled code-execution gate", policy: "featureGates: {code-execution: false}",
			tenant: spolAgent("", spolRun(""))},
		// SPOL-06: hook and sandbox images, compared as upstream does (a plain prefix).
		{name: "hook and sandbox images from another registry", policy: "imagePolicy: {allowedRegistries: [ghcr.io/sympozium-ai/]}",
			tenant: spolAgent("", spolRun("sandbox: {enabled: true, image: \"quay.io/x/sandbox:1\"}\nlifecycle: {preRun: [{name: notify, image: \"docker.io/curlimages/curl:8\", command: [curl]}]}")),
			want:   []string{"SPOL-06 deny " + run + "spec.lifecycle.preRun[0].image", "SPOL-06 deny " + run + "spec.sandbox.image"}},
		{name: "a prefix without a path boundary passes upstream", policy: "imagePolicy: {allowedRegistries: [ghcr.io/sympozium]}",
			tenant: spolAgent("", spolRun("lifecycle: {preRun: [{name: prep, image: \"ghcr.io/sympozium-evil/prep:1\", command: [sh]}]}"))},
		// SPOL-07: hook RBAC on a denied resource.
		{name: "hook RBAC on secrets", policy: "lifecyclePolicy: {deniedResources: [secrets]}",
			tenant: spolAgent("", spolRun("lifecycle:\n  preRun: [{name: prep, image: \"ghcr.io/sympozium-ai/prep:1\", command: [sh]}]\n  rbac: [{apiGroups: [\"\"], resources: [configmaps, secrets], verbs: [get]}]")),
			want:   []string{"SPOL-07 deny " + run + "spec.lifecycle.rbac[0].resources[1]"}},
		// SPOL-08: system variables, and hook env shapes.
		{name: "run env overrides HOME", policy: "featureGates: {sub-agents: true}",
			tenant: spolAgent("", spolRun("env: {HOME: /tmp, GREETING: hi}")),
			want:   []string{"SPOL-08 deny " + run + "spec.env.HOME"}},
		{name: "schedule's env from the Agent overrides USER", policy: "featureGates: {sub-agents: true}",
			tenant: spolAgent("skills: [{skillPackRef: tools}]\nagents: {default: {model: gpt-4o, env: {USER: root}}}", spolSchedule),
			want:   []string{"SPOL-08 deny " + agent + "spec.agents.default.env.USER"}},
		// SPOL-09: a concurrency of zero fails every run, at the policy's line.
		{name: "maxConcurrent 0", policy: "subagentPolicy: {maxDepth: 2, maxConcurrent: 0}",
			tenant: spolAgent("", spolRun("")),
			want:   []string{"SPOL-09 deny " + pol + "spec.subagentPolicy.maxConcurrent"}},
		{name: "maxConcurrent absent is 5", policy: "subagentPolicy: {maxDepth: 2}",
			tenant: spolAgent("", spolRun(""))},
		// SPOL-10: what the policy says and upstream lets through.
		{name: "skill sidecar image outside the registries", policy: "imagePolicy: {allowedRegistries: [ghcr.io/sympozium-ai/]}",
			tenant: spolAgent("skills: [{skillPackRef: tools}, {skillPackRef: foreign}]", spolRun("")),
			want:   []string{"SPOL-10 warning " + packs + "spec.sidecar.image"}, msg: "checks only lifecycle hook and sandbox images"},
		{name: "skill sidecar image outside the registries, restricted", profile: "restricted", policy: "imagePolicy: {allowedRegistries: [ghcr.io/sympozium-ai/]}",
			tenant: spolAgent("skills: [{skillPackRef: foreign}]", spolRun("")),
			want:   []string{"SPOL-10 deny " + packs + "spec.sidecar.image"}},
		{name: "host mount under allowHostMounts false", policy: "sandboxPolicy: {required: false}",
			tenant: spolAgent("skills: [{skillPackRef: logs}]", spolRun("")),
			want:   []string{"SPOL-10 warning " + packs + "spec.sidecar.hostAccess.mounts[0].hostPath"}, msg: "host path /var/log"},
		{name: "host mount allowed", policy: "sandboxPolicy: {required: false, allowHostMounts: true}",
			tenant: spolAgent("skills: [{skillPackRef: logs}]", spolRun(""))},
		{name: "Agent's model outside allowedModels", policy: "modelPolicy: {allowedModels: [claude-sonnet-4]}",
			tenant: spolAgent("", spolRun("")),
			want:   []string{"SPOL-10 warning " + agent + "spec.agents.default.model"}},
		{name: "run's model outside allowedModels", policy: "modelPolicy: {allowedModels: [gpt-4o]}",
			tenant: spolAgent("", spolRun("model: {model: gpt-5}")),
			want:   []string{"SPOL-10 warning " + run + "spec.model.model"}},
		{name: "default deny and no toolPolicy", policy: "toolGating: {defaultAction: deny, rules: [{tool: read_file, action: allow}]}",
			tenant: spolAgent("", spolRun("")),
			want:   []string{"SPOL-10 warning " + run + "spec.toolPolicy"}, msg: "mutating webhook"},
		{name: "deny rule the run does not repeat", policy: "toolGating: {rules: [{tool: fetch_url, action: deny}, {tool: write_file, action: deny}]}",
			tenant: spolAgent("", spolRun("toolPolicy: {deny: [write_file]}")),
			want:   []string{"SPOL-10 warning " + run + "spec.toolPolicy"}, msg: "does not deny [fetch_url]"},
		{name: "default deny and a tool no rule names", policy: "toolGating: {defaultAction: deny, rules: [{tool: read_file, action: allow}]}",
			tenant: spolAgent("", spolRun("toolPolicy: {allow: [read_file, execute_command]}")),
			want:   []string{"SPOL-10 warning " + run + "spec.toolPolicy.allow[1]"}},
		{name: "default deny and only allowed tools", policy: "toolGating: {defaultAction: deny, rules: [{tool: read_file, action: allow}]}",
			tenant: spolAgent("", spolRun("toolPolicy: {allow: [read_file]}"))},
		{name: "hook RBAC on every resource", policy: "lifecyclePolicy: {deniedResources: [secrets]}",
			tenant: spolAgent("", spolRun("lifecycle:\n  preRun: [{name: prep, image: \"ghcr.io/sympozium-ai/prep:1\", command: [sh]}]\n  rbac: [{apiGroups: [\"\"], resources: [\"*\"], verbs: [get]}]")),
			want:   []string{"SPOL-10 warning " + run + "spec.lifecycle.rbac[0].resources[0]"}},
		{name: "agent sandbox without a runtime class", policy: "sandboxPolicy: {required: false, agentSandboxPolicy: {required: true, allowedRuntimeClasses: [gvisor]}}",
			tenant: spolAgent("", spolRun("agentSandbox: {enabled: true}")),
			want:   []string{"SPOL-10 warning " + run + "spec.agentSandbox.runtimeClass"}, msg: "cluster's default runtime"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, _ := spolCheck(t, tt.profile, spolPolicy(tt.policy), tt.tenant)
			got := spolFindings(rep)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("SPOL findings:\n got %q\nwant %q\nall: %v", got, tt.want, rep.Findings)
			}
			if tt.msg == "" {
				return
			}
			for _, d := range rep.Findings {
				if strings.HasPrefix(d.Rule, "SPOL-") {
					if !strings.Contains(d.Message, tt.msg) {
						t.Errorf("message %q lacks %q", d.Message, tt.msg)
					}
					return
				}
			}
		})
	}
}

// The hook env shapes upstream's webhook refuses (validateHookEnv). compile refuses them as bad
// input first, so the gate's check is judged on a pod built here.
func TestSympoziumPolicyHookEnv(t *testing.T) {
	val := func(s string) *string { return &s }
	ref := func(name, key string) *api.EnvVarSource {
		return &api.EnvVarSource{SecretKeyRef: &api.SecretKeySelector{Name: name, Key: key}}
	}
	env := []api.EnvVar{
		{Name: "OK_VALUE", Value: val("x")},
		{Name: "OK_REF", ValueFrom: ref("s", "k")},
		{Name: "OK_EMPTY_VALUE", Value: val(""), ValueFrom: ref("s", "k")}, // upstream tests value != ""
		{Name: "BOTH", Value: val("x"), ValueFrom: ref("s", "k")},
		{Name: "NO_REF", ValueFrom: &api.EnvVarSource{}},
		{Name: "NO_KEY", ValueFrom: ref("s", "")},
	}
	inst := &api.Instance{}
	inst.Kind, inst.Metadata.Name = "Agent", "alice"
	pol := &api.SympoziumPolicy{}
	pol.Metadata.Name = "guard"
	pod := &compile.Pod{Kind: "AgentRun", Name: "run", Namespace: "team-a", Instance: inst,
		Spec: &api.AgentRunSpec{Lifecycle: &api.LifecycleHooks{PostRun: []api.HookContainer{{Name: "notify", Env: env}}}}}
	b := &binding{pod: pod, policy: pol, profile: api.ProfileBaseline}
	b.env()
	var got []string
	for _, l := range b.out {
		got = append(got, l.f.Rule+" "+l.pos.Field+" "+l.f.Detail[strings.Index(l.f.Detail, ": \"")+3:strings.Index(l.f.Detail, "\". Fix")])
	}
	want := []string{
		`SPOL-08 spec.lifecycle.postRun[0].env[3].valueFrom postRun hook \"notify\" env \"BOTH\": value and valueFrom are mutually exclusive`,
		`SPOL-08 spec.lifecycle.postRun[0].env[4].valueFrom postRun hook \"notify\" env \"NO_REF\": valueFrom must set secretKeyRef`,
		`SPOL-08 spec.lifecycle.postRun[0].env[5].valueFrom postRun hook \"notify\" env \"NO_KEY\": secretKeyRef requires both name and key`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A finding points at the line that causes it, and names the policy's file and line.
func TestSympoziumPolicyLines(t *testing.T) {
	tenant := spolAgent("", spolRun("sandbox: {enabled: false}\nenv: {HOSTNAME: evil}"))
	rep, _ := spolCheck(t, "", spolPolicy("sandboxPolicy: {required: true}"), tenant)
	lines := map[string]int{}
	for _, d := range rep.Findings {
		if strings.HasPrefix(d.Rule, "SPOL-") {
			lines[d.Field] = d.Line
			if !strings.Contains(d.Message, "SympoziumPolicy team-a/guard (platform/policy.yaml:1, bound by Agent team-a/alice)") {
				t.Errorf("message does not name the policy and its binding: %s", d.Message)
			}
		}
	}
	src := strings.Split(tenant, "\n")
	for field, want := range map[string]string{"spec.sandbox.enabled": "sandbox: {enabled: false}", "spec.env.HOSTNAME": "env: {HOSTNAME: evil}"} {
		l, ok := lines[field]
		if !ok || l < 1 || l > len(src) || !strings.Contains(src[l-1], want) {
			t.Errorf("%s at line %d, want the line holding %q (got %v)", field, l, want, lines)
		}
	}
}

// Which runs a policy binds: an Agent's policyRef, looked up in the run's namespace; stand-ins
// (Agents no run uses) are not judged; a policy not among the inputs is a compile warning.
func TestSympoziumPolicyBinding(t *testing.T) {
	required := spolPolicy("sandboxPolicy: {required: true}")
	t.Run("other namespace", func(t *testing.T) {
		other := strings.Replace(required, "namespace: team-a", "namespace: team-b", 1)
		rep, ds := spolCheck(t, "", other, spolAgent("", spolRun("")))
		if got := spolFindings(rep); len(got) != 0 {
			t.Errorf("a policy in team-b bound a run in team-a: %v", got)
		}
		if !slices.ContainsFunc(ds, func(d diag.Diagnostic) bool {
			return d.Severity == diag.SeverityWarning && d.Field == "spec.policyRef" && strings.Contains(d.Message, "not among the inputs in namespace team-a")
		}) {
			t.Errorf("no warning that the binding was not checked: %v", ds)
		}
	})
	t.Run("no policyRef", func(t *testing.T) {
		unbound := strings.Replace(spolAgent("", spolRun("")), "  policyRef: guard\n", "", 1)
		rep, _ := spolCheck(t, "", required, unbound)
		if got := spolFindings(rep); len(got) != 0 {
			t.Errorf("an Agent without policyRef was judged: %v", got)
		}
	})
	t.Run("stand-in", func(t *testing.T) {
		rep, ds := spolCheck(t, "", required, spolAgent(""))
		if got := spolFindings(rep); len(got) != 0 {
			t.Errorf("a stand-in run was judged: %v", got)
		}
		if slices.ContainsFunc(ds, func(d diag.Diagnostic) bool { return d.Field == "spec.policyRef" }) {
			t.Errorf("warned on a policyRef whose policy is among the inputs: %v", ds)
		}
	})
	t.Run("no exception waives", func(t *testing.T) {
		cfg := "apiVersion: skillc.dev/v1alpha1\nkind: CompilerConfig\nmetadata: {name: p}\nspec:\n  policy:\n    exceptions: [{id: x, rules: [SPOL-01], skillPack: tools, owner: o, justification: j, expires: \"2099-01-01\"}]\n"
		files := []source.File{
			{Name: "platform/packs.yaml", Data: []byte(spolPacks)},
			{Name: "platform/policy.yaml", Data: []byte(required)},
			{Name: "platform/config.yaml", Data: []byte(cfg)},
			{Name: "tenants/a/agent.yaml", Data: []byte(spolAgent("", spolRun("")))},
		}
		res, ds := compile.Compile(files, compile.Options{})
		if err := ds.Err(); err != nil {
			t.Fatal(err)
		}
		rep := gateResult(t, res, nil)
		if !slices.Contains(ruleSet(rep.Findings, diag.SeverityDeny), "SPOL-01") || len(rep.Excepted) != 0 {
			t.Errorf("want SPOL-01 denied and nothing excepted, got %v, excepted %v", rep.Findings, rep.Excepted)
		}
		if !slices.ContainsFunc(rep.Findings, func(d diag.Diagnostic) bool { return d.Rule == "META-02" && strings.Contains(d.Message, "SPOL-01") }) {
			t.Errorf("an exception naming SPOL-01 is not refused (META-02): %v", rep.Findings)
		}
	})
}

// spolSeverity is lib.severities' for the SPOL rules, and every SPOL rule is non-waivable there.
func TestSympoziumPolicySeveritiesMatchLibrary(t *testing.T) {
	sev, nw := libSeverities(t)
	for _, id := range slices.Sorted(maps.Keys(spolSeverity)) {
		if sev[id] != spolSeverity[id] {
			t.Errorf("%s: Go says %v, lib.severities %v", id, spolSeverity[id], sev[id])
		}
		if !nw[id] {
			t.Errorf("%s is not in lib.nonwaivable", id)
		}
	}
	for id := range sev {
		if _, ok := spolSeverity[id]; strings.HasPrefix(id, "SPOL-") && !ok {
			t.Errorf("%s is in lib.severities but the Go gate never reports it", id)
		}
	}
}
