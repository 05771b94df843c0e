package compile

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/internal/memtest"
	"github.com/skillc-dev/skillc/source"
)

const memoryPack = `apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata: {name: memory, namespace: sympozium-system}
spec:
  skills: [{name: recall, content: "# Recall"}]`

// expandYAML decodes inline documents and expands their Ensembles.
func expandYAML(t *testing.T, docs ...string) (*api.Inputs, diag.Diagnostics) {
	t.Helper()
	in, ds := source.Load([]source.File{{Name: "in.yaml", Data: []byte(strings.Join(docs, "\n---\n"))}})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	return expandEnsembles(in)
}

func instanceNamed(t *testing.T, in *api.Inputs, name string) *api.Instance {
	t.Helper()
	for _, i := range in.Instances {
		if i.Metadata.Name == name {
			return i
		}
	}
	t.Fatalf("no Agent %q among %d", name, len(in.Instances))
	return nil
}

func TestIntervalToCron(t *testing.T) {
	tests := []struct {
		interval string
		offset   int
		want     string
		known    bool
	}{
		{"1m", 6, "* * * * *", true},
		{"5m", 6, "1/5 * * * *", true},
		{"10min", 12, "2/10 * * * *", true},
		{"15m", 4, "4/15 * * * *", true},
		{"30m", 32, "2/30 * * * *", true},
		{" 1H ", 2, "2 * * * *", true},
		{"60m", 62, "2 * * * *", true},
		{"2h", 4, "4 */2 * * *", true},
		{"6h", 0, "0 */6 * * *", true},
		{"12h", 0, "0 */12 * * *", true},
		{"1d", 8, "8 0 * * *", true},
		{"0 9 * * 1-5", 4, "0 9 * * 1-5", true}, // a cron expression, as is
		{"45m", 4, "4 * * * *", false},          // unknown: hourly
		{"", 0, "0 * * * *", false},
	}
	for _, tt := range tests {
		got, known := intervalToCron(tt.interval, tt.offset)
		if got != tt.want || known != tt.known {
			t.Errorf("intervalToCron(%q, %d) = %q, %v; want %q, %v", tt.interval, tt.offset, got, known, tt.want, tt.known)
		}
	}
}

func TestEnsembleAgent(t *testing.T) {
	ens := `apiVersion: sympozium.ai/v1alpha1
kind: Ensemble
metadata: {name: crew, namespace: team}
spec:
  enabled: true
  authRefs:
    - {provider: openai, secret: k-openai}
    - {provider: anthropic, secret: k-anthropic}
  baseURL: https://ensemble.example/v1
  providerHeaders: {x-a: ensemble, x-b: ensemble}
  skillParams:
    tools: {repo: ensemble/repo, branch: main}
    other: {x: "1"}
  policyRef: team-policy
  autoStoreMemory: false
  agentSandbox: {enabled: true, warmPool: {runtimeClass: gvisor}}
  agentConfigs:
    - name: lead
      displayName: Lead
      systemPrompt: You lead.
      provider: anthropic
      baseURL: https://lead.example/v1
      providerHeaders: {x-b: lead}
      skills: [tools, mcp-bridge, other]
      skillParams:
        tools: {repo: lead/repo}
      webEndpoint: {enabled: true, hostname: lead.example.com, rateLimit: {burstSize: 0}}
      memory: {maxSizeKB: 64}
      subagents: {maxDepth: 4}
      mcpServers: [{name: gh, toolsPrefix: gh, url: "https://mcp.example"}]
      lifecycle:
        preRun: [{name: prep, image: "busybox:1.36"}]
      channels: [slack]
      channelConfigs: {slack: lead-slack}
    - name: helper
      systemPrompt: You help.
      skills: [memory]
      memory: {enabled: false}
      channels: [slack, telegram]`
	in, ds := expandYAML(t, ens)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	lead := instanceNamed(t, in, "crew-lead")
	if lead.Kind != "Agent" || lead.Metadata.Namespace != "team" {
		t.Errorf("kind %q namespace %q", lead.Kind, lead.Metadata.Namespace)
	}
	wantLabels := map[string]string{LabelEnsemble: "crew", LabelAgentConfig: "lead", LabelProvider: "anthropic"}
	if !reflect.DeepEqual(lead.Metadata.Labels, wantLabels) {
		t.Errorf("labels %v, want %v", lead.Metadata.Labels, wantLabels)
	}
	d := lead.Spec.Agents.Default
	if d.Model != "gpt-4o" || d.BaseURL != "https://lead.example/v1" {
		t.Errorf("model %q baseURL %q: want the default model and the agent config's base URL", d.Model, d.BaseURL)
	}
	if want := map[string]string{"x-a": "ensemble", "x-b": "lead"}; !reflect.DeepEqual(d.ProviderHeaders, want) {
		t.Errorf("provider headers %v, want %v", d.ProviderHeaders, want)
	}
	if d.AgentSandbox == nil || d.AgentSandbox.WarmPool.Size == nil || *d.AgentSandbox.WarmPool.Size != 2 {
		t.Errorf("agentSandbox %+v: want the CRD's warm pool size 2", d.AgentSandbox)
	}
	if d.Subagents == nil || *d.Subagents != (api.SubagentsSpec{MaxDepth: 4, MaxConcurrent: 5, MaxChildrenPerAgent: 3}) {
		t.Errorf("subagents %+v: want maxDepth 4 and the CRD's defaults", d.Subagents)
	}
	if d.Lifecycle == nil || d.Lifecycle.GateDefault != "block" {
		t.Errorf("lifecycle %+v: want the CRD's gateDefault block", d.Lifecycle)
	}
	if len(lead.Spec.MCPServers) != 1 || lead.Spec.MCPServers[0].Timeout != 30 {
		t.Errorf("mcpServers %+v: want the CRD's timeout 30", lead.Spec.MCPServers)
	}
	if want := []api.SecretRef{{Provider: "anthropic", Secret: "k-anthropic"}}; !reflect.DeepEqual(lead.Spec.AuthRefs, want) {
		t.Errorf("authRefs %v, want only the pinned provider's %v", lead.Spec.AuthRefs, want)
	}
	if lead.Spec.PolicyRef != "team-policy" || lead.Spec.DisplayName != "Lead" {
		t.Errorf("policyRef %q displayName %q", lead.Spec.PolicyRef, lead.Spec.DisplayName)
	}
	f := false
	if want := (&api.MemorySpec{Enabled: true, MaxSizeKB: 64, AutoStore: &f, SystemPrompt: "You lead."}); !reflect.DeepEqual(lead.Spec.Memory, want) {
		t.Errorf("memory %+v, want %+v", lead.Spec.Memory, want)
	}
	if o := lead.Spec.Observability; o == nil || o.Enabled {
		t.Errorf("observability %+v: want upstream's default, disabled", o)
	}
	wantSkills := []api.SkillRef{
		{SkillPackRef: "tools", Params: map[string]api.Scalar{"repo": "lead/repo"}}, // replaced whole, not merged
		{SkillPackRef: "other", Params: map[string]api.Scalar{"x": "1"}},
		{SkillPackRef: "memory"},
		{SkillPackRef: "web-endpoint", Params: map[string]api.Scalar{"hostname": "lead.example.com", "rate_limit_rpm": "60"}},
	}
	if !reflect.DeepEqual(lead.Spec.Skills, wantSkills) {
		t.Errorf("skills %+v\nwant %+v", lead.Spec.Skills, wantSkills)
	}
	if len(lead.Spec.Channels) != 1 || lead.Spec.Channels[0].ConfigRef.Secret != "lead-slack" {
		t.Errorf("channels %+v", lead.Spec.Channels)
	}

	helper := instanceNamed(t, in, "crew-helper")
	if len(helper.Spec.AuthRefs) != 2 || helper.Spec.Memory.Enabled {
		t.Errorf("helper: authRefs %v (want all), memory %+v (want disabled)", helper.Spec.AuthRefs, helper.Spec.Memory)
	}
	if len(helper.Spec.Skills) != 1 || helper.Spec.Skills[0].SkillPackRef != "memory" {
		t.Errorf("helper skills %+v: memory listed once", helper.Spec.Skills)
	}
	if _, ok := helper.Metadata.Labels[LabelProvider]; ok {
		t.Error("provider label without a provider")
	}
	if len(helper.Spec.Channels) != 2 || helper.Spec.Channels[1].ConfigRef.Secret != "" {
		t.Errorf("helper channels %+v: no credentials configured", helper.Spec.Channels)
	}

	// Each generated field is named as written in the Ensemble, and sits on its line.
	for gen, want := range map[string]string{
		"spec.skills[0].params.repo":              "spec.agentConfigs[0].skillParams.tools.repo",
		"spec.skills[1].params":                   "spec.skillParams.other",
		"spec.agents.default.baseURL":             "spec.agentConfigs[0].baseURL",
		"spec.agents.default.agentSandbox":        "spec.agentSandbox",
		"spec.authRefs[0].secret":                 "spec.authRefs[1].secret",
		"spec.agents.default.env.LOG_LEVEL":       "spec.agents.default.env.LOG_LEVEL", // not written: as generated
		"spec.channels[0].configRef.secret":       "spec.agentConfigs[0].channelConfigs.slack",
		"spec.agents.default.lifecycle.preRun":    "spec.agentConfigs[0].lifecycle.preRun",
		"spec.agents.default.providerHeaders.x-a": "spec.providerHeaders.x-a",
		"spec.agents.default.providerHeaders.x-b": "spec.agentConfigs[0].providerHeaders.x-b",
	} {
		if got := lead.Src.FieldOf(gen); got != want {
			t.Errorf("FieldOf(%s) = %s, want %s", gen, got, want)
		}
	}
	// Each generated field sits on the Ensemble's line it came from.
	lines := map[string]int{}
	for i, l := range strings.Split(ens, "\n") {
		lines[strings.TrimSpace(l)] = i + 1
	}
	for _, c := range []struct{ field, line string }{
		{"metadata.name", "- name: lead"},
		{"spec.skills[0].skillPackRef", "skills: [tools, mcp-bridge, other]"},
		{"spec.skills[0].params.repo", "tools: {repo: lead/repo}"},
		{"spec.skills[1].params.x", "other: {x: \"1\"}"},
		{"spec.skills[3].params.hostname", "webEndpoint: {enabled: true, hostname: lead.example.com, rateLimit: {burstSize: 0}}"},
		{"spec.agents.default.agentSandbox.warmPool", "agentSandbox: {enabled: true, warmPool: {runtimeClass: gvisor}}"},
		{"spec.agents.default.lifecycle.preRun[0].image", "preRun: [{name: prep, image: \"busybox:1.36\"}]"},
		{"spec.authRefs[0].secret", "- {provider: anthropic, secret: k-anthropic}"},
		{"spec.memory.autoStore", "autoStoreMemory: false"},
		{"spec.memory.systemPrompt", "systemPrompt: You lead."},
		{"spec.channels[0].configRef.secret", "channelConfigs: {slack: lead-slack}"},
		{"spec.policyRef", "policyRef: team-policy"},
		{"spec.observability", "- name: lead"}, // nothing written: the agent config's line
	} {
		if got, want := lead.Src.LineOf(c.field), lines[c.line]; got != want || lead.Src.File != "in.yaml" {
			t.Errorf("%s is at %s:%d, want line %d (%s)", c.field, lead.Src.File, got, want, c.line)
		}
	}
}

func TestEnsembleSchedules(t *testing.T) {
	ens := `apiVersion: sympozium.ai/v1alpha1
kind: Ensemble
metadata: {name: crew, namespace: team}
spec:
  enabled: true
  taskOverride: Ship it.
  excludePersonas: [gone]
  relationships:
    - {source: a, target: b, type: sequential}
  agentConfigs:
    - name: a
      systemPrompt: A.
      toolPolicy: {allow: [read_file], deny: [write_file]}
      schedule: {interval: 2h, task: Do A.}
    - name: b
      systemPrompt: B.
      schedule: {interval: 1h, task: Do B.}
    - name: c
      systemPrompt: C.
      schedule: {type: sweep, interval: 5m, task: Do C., firstTick: afterInterval}
    - name: gone
      systemPrompt: Gone.
      schedule: {interval: 1h, task: Never.}`
	in, ds := expandYAML(t, ens)
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	var names []string
	for _, s := range in.Schedules {
		names = append(names, s.Metadata.Name)
	}
	if want := []string{"crew-a-schedule", "crew-c-schedule"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("schedules %v, want %v (b is a sequential successor, gone is excluded)", names, want)
	}
	if len(in.Instances) != 3 {
		t.Errorf("%d Agents, want 3 (gone is excluded)", len(in.Instances))
	}
	a, c := in.Schedules[0], in.Schedules[1]
	want := api.ScheduleSpec{AgentRef: "crew-a", Schedule: "0 */2 * * *", Task: "TEAM OBJECTIVE: Ship it.\n\nYOUR ROLE TASK: Do A.", ConcurrencyPolicy: "Forbid", FirstTick: "immediate"}
	if a.Spec.IncludeMemory == nil || !*a.Spec.IncludeMemory {
		t.Errorf("schedule a: includeMemory %v, want true (buildSchedule sets it)", a.Spec.IncludeMemory)
	}
	got := a.Spec
	got.IncludeMemory = nil
	if got != want {
		t.Errorf("schedule a %+v\nwant %+v", got, want)
	}
	if c.Spec.Schedule != "4/5 * * * *" || c.Spec.FirstTick != "afterInterval" {
		t.Errorf("schedule c %q %q: want the third agent config staggered by 4 minutes", c.Spec.Schedule, c.Spec.FirstTick)
	}
	if want := map[string]string{LabelEnsemble: "crew", LabelAgentConfig: "a"}; !reflect.DeepEqual(a.Metadata.Labels, want) {
		t.Errorf("labels %v, want %v", a.Metadata.Labels, want)
	}
	// The schedule's runs carry the agent config's tool policy (toolpolicy.ForAgent).
	spec := scheduledRunSpec(instanceNamed(t, in, "crew-a"))
	if spec.ToolPolicy == nil || !reflect.DeepEqual(*spec.ToolPolicy, api.ToolPolicy{Allow: []string{"read_file"}, Deny: []string{"write_file"}}) {
		t.Errorf("tool policy %+v", spec.ToolPolicy)
	}
	if b := scheduledRunSpec(instanceNamed(t, in, "crew-b")); b.ToolPolicy != nil || b.CanaryMode {
		t.Errorf("crew-b: tool policy %v, canary %v: want neither", b.ToolPolicy, b.CanaryMode)
	}
	canary, ds := expandYAML(t, strings.Replace(ens, "name: crew,", "name: system-canary,", 1))
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	if !scheduledRunSpec(instanceNamed(t, canary, "system-canary-b")).CanaryMode {
		t.Error("the system-canary Ensemble's scheduled runs are canaries upstream")
	}
}

func TestEnsembleNotEnabled(t *testing.T) {
	in, ds := expandYAML(t, `apiVersion: sympozium.ai/v1alpha1
kind: Ensemble
metadata: {name: catalog}
spec:
  agentConfigs:
    - {name: x, systemPrompt: X., schedule: {task: t}}`)
	if ds.HasErrors() || len(in.Instances) != 0 || len(in.Schedules) != 0 {
		t.Fatalf("a disabled Ensemble generated %d Agents, %d schedules (%v)", len(in.Instances), len(in.Schedules), ds)
	}
	if len(ds) != 1 || ds[0].Severity != diag.SeverityInfo || !strings.Contains(ds[0].Message, "not enabled") {
		t.Errorf("diagnostics %v: want one note that it is not enabled", ds)
	}
}

func TestEnsembleCompiles(t *testing.T) {
	ens := `apiVersion: sympozium.ai/v1alpha1
kind: Ensemble
metadata: {name: crew, namespace: team}
spec:
  enabled: true
  relationships:
    - {source: a, target: b, type: delegation, condition: on request}
  agentConfigs:
    - name: a
      systemPrompt: A.
      schedule: {cron: "0 6 * * *", task: Do A.}
      memory: {seeds: [first, second]}
    - name: b
      displayName: Bee
      systemPrompt: B.`
	res, ds := compileYAML(t, Options{}, memoryPack, ens)
	if ds != nil {
		t.Fatal(ds)
	}
	cm := find[*corev1.ConfigMap](t, res, "ConfigMap", "crew-a-memory")
	if got := cm.Data["MEMORY.md"]; got != "# Memory\n\n- first\n- second\n" {
		t.Errorf("MEMORY.md = %q", got)
	}
	if cm.Labels[LabelMemory] != "true" || cm.Labels[LabelEnsemble] != "crew" || cm.Labels[LabelAgentConfig] != "a" {
		t.Errorf("labels %v", cm.Labels)
	}
	if from := res.OriginsOf(cm); from == nil {
		t.Error("no origins for the memory ConfigMap")
	} else if o, _ := from.Lookup(`data["MEMORY.md"]`); o.Field != "spec.agentConfigs[0].memory.seeds" || o.Line != 18 { // memoryPack and "---" take 6 lines
		t.Errorf("MEMORY.md comes from %v", o)
	}
	// relationshipContext: the source of an edge learns it; the target has no edge of its own.
	var env []corev1.EnvVar
	for _, c := range find[*batchv1.CronJob](t, res, "CronJob", "crew-a-schedule").Spec.JobTemplate.Spec.Template.Spec.Containers {
		if c.Name == AgentContainer {
			env = c.Env
		}
	}
	got := map[string]string{}
	for _, e := range env {
		got[e.Name] = e.Value
	}
	if got["PERSONA_NAME"] != "a" {
		t.Errorf("PERSONA_NAME = %q", got["PERSONA_NAME"])
	}
	var rels []map[string]string
	if err := json.Unmarshal([]byte(got["ENSEMBLE_RELATIONSHIPS"]), &rels); err != nil || len(rels) != 1 ||
		rels[0]["target"] != "b" || rels[0]["displayName"] != "Bee" || rels[0]["type"] != "delegation" || rels[0]["condition"] != "on request" {
		t.Errorf("ENSEMBLE_RELATIONSHIPS = %q (%v)", got["ENSEMBLE_RELATIONSHIPS"], err)
	}
	// b has no schedule and no run: its pod is gated as a stand-in, with no relationship env.
	if len(res.StandInPods) != 1 || res.StandInPods[0].Instance.Metadata.Name != "crew-b" {
		t.Fatalf("stand-ins %d, want crew-b's", len(res.StandInPods))
	}

	// With Flux, the memory is created once and never overwritten.
	res, ds = compileYAML(t, Options{Target: "flux"}, memoryPack, ens)
	if ds != nil {
		t.Fatal(ds)
	}
	if a := find[*corev1.ConfigMap](t, res, "ConfigMap", "crew-a-memory").Annotations[annotationFluxSSA]; a != "IfNotPresent" {
		t.Errorf("flux annotation %q", a)
	}
}

func TestEnsembleErrors(t *testing.T) {
	base := `apiVersion: sympozium.ai/v1alpha1
kind: Ensemble
metadata: {name: crew, namespace: team}
spec:
  enabled: true
`
	tests := []struct {
		name, spec, want string
	}{
		{"stimulus without an edge", "  stimulus: {name: go, prompt: Start.}\n  agentConfigs: [{name: a, systemPrompt: A.}]",
			"spec.stimulus needs a relationship of type stimulus"},
		{"stimulus edge without a stimulus", "  relationships: [{source: go, target: a, type: stimulus}]\n  agentConfigs: [{name: a, systemPrompt: A.}]",
			"a stimulus relationship needs spec.stimulus"},
		{"pipeline without a sequential edge", "  workflowType: pipeline\n  agentConfigs: [{name: a, systemPrompt: A.}]",
			"workflowType pipeline needs at least one sequential relationship"},
		{"delegation cycle", "  relationships: [{source: a, target: b, type: delegation}, {source: b, target: a, type: delegation}]\n  agentConfigs: [{name: a, systemPrompt: A.}, {name: b, systemPrompt: B.}]",
			"form a cycle: a -> b -> a"},
		{"unknown source", "  relationships: [{source: z, target: a, type: supervision}]\n  agentConfigs: [{name: a, systemPrompt: A.}]",
			`relationship source "z" is no agent config`},
		{"name required", "  agentConfigs: [{systemPrompt: A.}]", "spec.agentConfigs[0].name: required by the upstream Ensemble CRD"},
		{"agentConfigs required", "  policyRef: p", "spec.agentConfigs: required by the upstream Ensemble CRD"},
		{"stimulus trigger enum", "  stimulus: {name: go, prompt: Start., trigger: later}\n  relationships: [{source: go, target: a, type: stimulus}]\n  agentConfigs: [{name: a, systemPrompt: A.}]",
			`got "later"`},
		{"agentSandbox enabled required", "  agentSandbox: {runtimeClass: gvisor}\n  agentConfigs: [{name: a, systemPrompt: A.}]",
			"spec.agentSandbox.enabled: required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ds := expandYAML(t, base+tt.spec)
			if !ds.HasErrors() || !strings.Contains(ds.Error(), tt.want) {
				t.Fatalf("diagnostics %v, want %q", ds, tt.want)
			}
		})
	}

	// Refused upstream fields, at decode.
	for _, field := range []string{"  modelRef: local-llama", "  providerHeadersSecretRef: hdrs", "  agentConfigs: [{name: a, systemPrompt: A., providerHeadersSecretRef: hdrs}]"} {
		_, ds := Compile([]source.File{{Name: "in.yaml", Data: []byte(base + field)}}, Options{})
		if !strings.Contains(ds.Error(), "upstream Sympozium field that skillc does not support") {
			t.Errorf("%s: %v", field, ds)
		}
	}

	// The run that names the agent config, as the upstream quickstart does, gets a hint.
	_, ds := compileYAML(t, Options{}, memoryPack, base+"  agentConfigs: [{name: assistant, systemPrompt: A.}]", `apiVersion: sympozium.ai/v1alpha1
kind: AgentRun
metadata: {name: r, namespace: team}
spec: {agentRef: assistant, task: t}`)
	if ds == nil || !strings.Contains(ds.Error(), `Ensemble crew's agent config "assistant" creates the Agent "crew-assistant"`) {
		t.Errorf("diagnostics %v", ds)
	}
}

// The caller's Inputs are not changed: Build may be called again on them.
func TestExpandEnsemblesKeepsInputs(t *testing.T) {
	in, ds := source.Load([]source.File{{Name: "in.yaml", Data: []byte(`apiVersion: sympozium.ai/v1alpha1
kind: Ensemble
metadata: {name: crew}
spec:
  enabled: true
  agentConfigs: [{name: a, systemPrompt: A., schedule: {task: t}}]`)}})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	out, _ := expandEnsembles(in)
	if len(in.Instances) != 0 || len(in.Schedules) != 0 || len(out.Instances) != 1 || len(out.Schedules) != 1 {
		t.Errorf("inputs %d/%d, expanded %d/%d", len(in.Instances), len(in.Schedules), len(out.Instances), len(out.Schedules))
	}
}

// An Ensemble's own lists (volumes, headers, auth refs) are given to every agent config: the
// expansion places their fields on the Ensemble's lines without copying a position per agent
// config, so it allocates about the same whether the Ensemble has 10 volumes or 4000.
func TestExpandEnsembleSharedListsMemory(t *testing.T) {
	memtest.Bounded(t)
	gen := func(volumes int) *api.Inputs {
		var b strings.Builder
		b.WriteString("apiVersion: sympozium.ai/v1alpha1\nkind: Ensemble\nmetadata: {name: big}\nspec:\n  enabled: true\n  volumes:\n")
		for i := range volumes {
			fmt.Fprintf(&b, "    - {name: v%d, emptyDir: {}}\n", i)
		}
		b.WriteString("  agentConfigs:\n")
		for i := range 500 {
			fmt.Fprintf(&b, "    - {name: a%d, systemPrompt: P.}\n", i)
		}
		in, ds := source.Load([]source.File{{Name: "in.yaml", Data: []byte(b.String())}})
		if ds.HasErrors() {
			t.Fatal(ds)
		}
		return in
	}
	small, large := gen(10), gen(4000)
	var out *api.Inputs
	base := memtest.Allocated(func() { out, _ = expandEnsembles(small) })
	got := memtest.Allocated(func() { out, _ = expandEnsembles(large) })
	if len(out.Instances) != 500 || out.Instances[499].Src.LineOf("spec.volumes[3999].emptyDir") != 4006 {
		t.Fatalf("%d Agents; volume 3999 at line %d", len(out.Instances), out.Instances[499].Src.LineOf("spec.volumes[3999].emptyDir"))
	}
	if got > 2*base+1<<20 {
		t.Errorf("expanding 500 agent configs with 4000 shared volumes allocated %d bytes, with 10 volumes %d: something is copied per agent config", got, base)
	}
}
