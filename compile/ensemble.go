package compile

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
)

// An enabled Ensemble becomes, before anything is validated or resolved, the Agents and
// SympoziumSchedules upstream's EnsembleReconciler creates from it
// (internal/controller/ensemble_controller.go), so that they are checked, resolved and gated
// exactly like written ones. Each generated object's Source is the Ensemble's file, with every
// field path of the generated object placed on the Ensemble line it came from: an error or a
// finding about a generated Agent names the agentConfigs entry that made it.

// Labels the Ensemble controller sets on what it creates (buildAgent, buildSchedule,
// reconcileMemorySeeds).
const (
	LabelEnsemble    = "sympozium.ai/ensemble"
	LabelAgentConfig = "sympozium.ai/agent-config"
	LabelProvider    = "sympozium.ai/provider"
	LabelMemory      = "sympozium.ai/memory"
)

// Upstream defaults the Ensemble controller (or the Ensemble CRD, on admission) applies.
const (
	ensembleDefaultModel     = "gpt-4o" // resolveModel
	ensembleDefaultMaxSizeKB = 256      // buildAgent, and the CRD's memory.maxSizeKB default
	// The CRD's defaults for webEndpoint.rateLimit, warmPool.size and the subagents limits.
	defaultRateLimitRPM   = 60
	defaultRateLimitBurst = 10
	defaultWarmPoolSize   = 2
	// memorySkill is attached to every generated Agent (buildDesiredSkills); webEndpointSkill
	// when the agent config enables its web endpoint; mcpBridgeSkill is never attached as a
	// SkillPack (the controller adds the bridge from spec.mcpServers).
	memorySkill      = "memory"
	webEndpointSkill = "web-endpoint"
	mcpBridgeSkill   = "mcp-bridge"
)

// ensembleMemberOf is the Ensemble member an Agent was generated as, or nil.
func ensembleMemberOf(inst *api.Instance) *api.EnsembleMember {
	if inst == nil {
		return nil
	}
	return inst.Ensemble
}

// expandEnsembles checks every Ensemble as the API server would admit it and returns the inputs
// with the Agents and SympoziumSchedules its controller creates from the enabled ones (a copy:
// the caller's Inputs are not changed).
func expandEnsembles(in *api.Inputs) (*api.Inputs, diag.Diagnostics) {
	if len(in.Ensembles) == 0 {
		return in, nil
	}
	out := *in
	out.Instances = slices.Clip(in.Instances)
	out.Schedules = slices.Clip(in.Schedules)
	var diags diag.Diagnostics
	seen := map[nsName]*api.Ensemble{}
	for _, e := range in.Ensembles {
		d := validateEnsemble(e)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		k := nsName{NamespaceOf(e.Metadata, DefaultNamespace), e.Metadata.Name}
		if prev := seen[k]; prev != nil {
			diags = append(diags, e.Src.Diag("metadata.name", "Ensemble %s/%s is defined twice (also %s:%d)", k.ns, k.name, prev.Src.File, prev.Src.Line))
			continue
		}
		seen[k] = e
		if !e.Spec.Enabled {
			// Reconcile: a disabled Ensemble is catalog-only, and spec.enabled defaults to false.
			diags = append(diags, diag.Diagnostic{File: e.Src.File, Line: e.Src.LineOf("spec.enabled"), Field: "spec.enabled", Severity: diag.SeverityInfo,
				Message: fmt.Sprintf("Ensemble %s/%s is not enabled (spec.enabled defaults to false): its controller creates nothing from it, so nothing is compiled for it", k.ns, k.name)})
			continue
		}
		if d := validateRelationshipGraph(e); len(d) > 0 {
			diags = append(diags, d...)
			continue
		}
		idx := newPosIndex(e.Src)
		for i := range e.Spec.AgentConfigs {
			a := &e.Spec.AgentConfigs[i]
			if slices.Contains(e.Spec.ExcludeAgentConfigs, a.Name) { // isExcluded
				continue
			}
			inst := buildEnsembleAgent(e, i, idx)
			out.Instances = append(out.Instances, inst)
			if a.Schedule != nil && !isSequentialSuccessor(e, a.Name) {
				sc, d := buildEnsembleSchedule(e, i, inst.Metadata.Name, idx)
				diags = append(diags, d...)
				out.Schedules = append(out.Schedules, sc)
			}
		}
	}
	return &out, diags
}

// validateEnsemble checks what the Ensemble CRD's schema checks on admission (required fields and
// enums) and refuses what skillc does not model. A disabled Ensemble is checked too: the API
// server refuses it either way.
func validateEnsemble(e *api.Ensemble) diag.Diagnostics {
	src := e.Src
	diags := checkMeta(src, e.Metadata, "Ensemble")
	has := func(path string) bool { _, ok := src.Positions()[path]; return ok }
	required := func(path string) {
		if !has(path) {
			diags = append(diags, src.Diag(path, "required by the upstream Ensemble CRD: the API server refuses the Ensemble without it"))
		}
	}
	enum := func(path, v string, allowed ...string) {
		if v != "" && !slices.Contains(allowed, v) {
			diags = append(diags, src.Diag(path, "must be one of %s (the upstream CRD's enum), got %q", strings.Join(allowed, ", "), v))
		}
	}
	s := &e.Spec
	required("spec.agentConfigs")
	names := map[string]int{}
	for i := range s.AgentConfigs {
		a := &s.AgentConfigs[i]
		p := fmt.Sprintf("spec.agentConfigs[%d]", i)
		required(p + ".name")
		required(p + ".systemPrompt")
		if a.Name == "" {
			continue
		}
		if prev, dup := names[a.Name]; dup {
			diags = append(diags, src.Diag(p+".name", "agentConfigs[%d] and agentConfigs[%d] are both named %q: the controller would write both into one Agent, %s-%s, each undoing the other",
				prev, i, a.Name, e.Metadata.Name, a.Name))
		}
		names[a.Name] = i
		if sc := a.Schedule; sc != nil {
			required(p + ".schedule.task")
			enum(p+".schedule.type", sc.Type, "heartbeat", "scheduled", "sweep")
			enum(p+".schedule.firstTick", sc.FirstTick, "immediate", "afterInterval")
		}
		if a.WebEndpoint != nil {
			required(p + ".webEndpoint.enabled")
		}
	}
	for i := range s.AuthRefs {
		required(fmt.Sprintf("spec.authRefs[%d].secret", i))
	}
	if s.AgentSandbox != nil {
		required("spec.agentSandbox.enabled")
	}
	for i, r := range s.Relationships {
		p := fmt.Sprintf("spec.relationships[%d]", i)
		required(p + ".source")
		required(p + ".target")
		required(p + ".type")
		enum(p+".type", r.Type, "delegation", "sequential", "supervision", "stimulus")
	}
	if st := s.Stimulus; st != nil {
		required("spec.stimulus.name")
		required("spec.stimulus.prompt")
		enum("spec.stimulus.trigger", st.Trigger, "onReady", "manual")
	}
	enum("spec.workflowType", s.WorkflowType, "autonomous", "pipeline", "delegation")
	if sm := s.SharedMemory; sm != nil && sm.Enabled {
		// reconcileSharedMemory and the sharedMemory pod mutator.
		diags = append(diags, src.Diag("spec.sharedMemory.enabled", "upstream Sympozium field that skillc does not support: the controller runs a shared memory server for the ensemble (a Deployment of the skill-memory image, a PersistentVolumeClaim and a Service) and adds a wait-for-shared-memory init container and its URL to every agent pod; skillc emits none of these yet"))
	}
	// What the controller does at run time and a render cannot: said, never silently dropped.
	if s.Enabled && s.Stimulus != nil {
		diags = append(diags, warning(src, "spec.stimulus", "the controller delivers the stimulus as an AgentRun once every agent of the Ensemble is ready (deliverStimulus); a render has no readiness to wait for and emits no run for it: write an AgentRun for the first task"))
	}
	if s.Enabled && s.WorkflowType == "pipeline" {
		diags = append(diags, warning(src, "spec.workflowType", "the controller holds a pipeline's schedules while a pass is in flight; the CronJobs skillc emits fire on their own schedules, so one pass may overlap the next"))
	}
	return diags
}

// validateRelationshipGraph mirrors upstream's validateRelationshipGraph, which the controller runs
// before it creates anything: on any failure it marks the Ensemble Error and creates nothing. Every
// problem is reported, not only the first.
func validateRelationshipGraph(e *api.Ensemble) diag.Diagnostics {
	src, s := e.Src, &e.Spec
	var diags diag.Diagnostics
	bad := func(path, format string, args ...any) {
		diags = append(diags, src.Diag(path, "Ensemble %s: %s; the controller creates nothing from an Ensemble whose relationships are invalid", e.Metadata.Name, fmt.Sprintf(format, args...)))
	}
	hasType := func(t string) bool {
		return slices.ContainsFunc(s.Relationships, func(r api.EnsembleRelationship) bool { return r.Type == t })
	}
	switch s.WorkflowType {
	case "pipeline":
		if !hasType("sequential") {
			bad("spec.workflowType", "workflowType pipeline needs at least one sequential relationship")
		}
	case "delegation":
		if !hasType("delegation") {
			bad("spec.workflowType", "workflowType delegation needs at least one delegation relationship")
		}
	}
	names := map[string]bool{}
	for _, a := range s.AgentConfigs {
		names[a.Name] = true
	}
	stimulusEdges := 0
	for i, r := range s.Relationships {
		p := fmt.Sprintf("spec.relationships[%d]", i)
		if r.Type == "stimulus" {
			stimulusEdges++
			switch {
			case stimulusEdges > 1:
				bad(p, "at most one stimulus relationship is allowed")
			case s.Stimulus == nil:
				bad(p, "a stimulus relationship needs spec.stimulus")
			case r.Source != s.Stimulus.Name:
				bad(p+".source", "the stimulus relationship's source %q must be the stimulus' name %q", r.Source, s.Stimulus.Name)
			}
			if !names[r.Target] {
				bad(p+".target", "relationship target %q is no agent config of this Ensemble", r.Target)
			}
			continue
		}
		if !names[r.Source] {
			bad(p+".source", "relationship source %q is no agent config of this Ensemble", r.Source)
		}
		if !names[r.Target] {
			bad(p+".target", "relationship target %q is no agent config of this Ensemble", r.Target)
		}
	}
	if st := s.Stimulus; st != nil {
		if stimulusEdges == 0 {
			bad("spec.stimulus", "spec.stimulus needs a relationship of type stimulus to name its target")
		}
		if strings.TrimSpace(st.Prompt) == "" {
			bad("spec.stimulus.prompt", "the stimulus prompt must not be empty")
		}
	}
	if cycle, at := relationshipCycle(s); cycle != "" {
		bad(fmt.Sprintf("spec.relationships[%d]", at), "sequential and delegation relationships form a cycle: %s", cycle)
	}
	return diags
}

// relationshipCycle finds a cycle of sequential and delegation edges (upstream's DFS), visiting
// agent configs in their written order so that the same cycle is always reported: the cycle as
// "a -> b -> a", and the index of the edge that closes it.
func relationshipCycle(s *api.EnsembleSpec) (string, int) {
	type edge struct {
		to string
		at int
	}
	adj := map[string][]edge{}
	for i, r := range s.Relationships {
		if r.Type == "sequential" || r.Type == "delegation" {
			adj[r.Source] = append(adj[r.Source], edge{r.Target, i})
		}
	}
	color := map[string]int{} // 0 unvisited, 1 on the path, 2 done
	var path []string
	var dfs func(string) (string, int)
	dfs = func(n string) (string, int) {
		color[n] = 1
		path = append(path, n)
		for _, e := range adj[n] {
			switch color[e.to] {
			case 1:
				start := slices.Index(path, e.to)
				return strings.Join(append(slices.Clone(path[start:]), e.to), " -> "), e.at
			case 0:
				if c, at := dfs(e.to); c != "" {
					return c, at
				}
			}
		}
		path = path[:len(path)-1]
		color[n] = 2
		return "", 0
	}
	for _, a := range s.AgentConfigs {
		if color[a.Name] == 0 {
			if c, at := dfs(a.Name); c != "" {
				return c, at
			}
		}
	}
	return "", 0
}

// isSequentialSuccessor: an agent config that a sequential edge targets runs when its predecessor
// completes, so the controller gives it no schedule of its own.
func isSequentialSuccessor(e *api.Ensemble, name string) bool {
	return slices.ContainsFunc(e.Spec.Relationships, func(r api.EnsembleRelationship) bool {
		return r.Type == "sequential" && r.Target == name
	})
}

// posIndex records, for each generated object, which Ensemble field each of its fields was made
// from (diag.NewGeneratedSource). Only the roots are recorded: a path below one is the same path
// below the Ensemble's field, so nothing is copied per agent config (an Ensemble's own lists, its
// volumes for one, would otherwise be copied once per agent config).
type posIndex struct {
	src diag.Source
	as  map[string]string
}

func newPosIndex(src diag.Source) *posIndex { return &posIndex{src: src} }

func (x *posIndex) has(path string) bool { _, ok := x.src.Positions()[path]; return ok }

// alias names the generated path to, and every path below it, as the Ensemble's path from (and
// places it on from's line); nothing when from was not written. The caller gives each generated
// object a new as.
func (x *posIndex) alias(to, from string) {
	if x.has(from) {
		x.as[to] = from
	}
}

// first is the first of paths that was written ("" when none was).
func (x *posIndex) first(paths ...string) string {
	for _, p := range paths {
		if x.has(p) {
			return p
		}
	}
	return ""
}

// buildEnsembleAgent is upstream's buildAgent for agent config i: the Agent <ensemble>-<name>
// in the Ensemble's namespace. The model endpoint of a modelRef is not modelled (modelRef is
// refused), so resolveModel, resolveAuthRefs and resolveBaseURL take their no-endpoint branches.
func buildEnsembleAgent(e *api.Ensemble, i int, idx *posIndex) *api.Instance {
	s, a := &e.Spec, &e.Spec.AgentConfigs[i]
	ac := fmt.Sprintf("spec.agentConfigs[%d]", i)
	name := e.Metadata.Name + "-" + a.Name
	idx.as = map[string]string{}

	inst := &api.Instance{Ensemble: &api.EnsembleMember{Ensemble: e, Config: i}}
	inst.APIVersion, inst.Kind = api.GroupSympozium+"/v1alpha1", "Agent"
	inst.Metadata = api.ObjectMeta{Name: name, Namespace: e.Metadata.Namespace,
		Labels: map[string]string{LabelEnsemble: e.Metadata.Name, LabelAgentConfig: a.Name}}
	if a.Provider != "" {
		inst.Metadata.Labels[LabelProvider] = a.Provider
	}
	idx.alias("metadata.name", ac+".name")
	idx.alias("metadata.labels", ac+".name")
	idx.alias("metadata.namespace", "metadata.namespace")

	model := a.Model // resolveModel
	if model == "" {
		model = ensembleDefaultModel
	}
	idx.alias("spec.agents.default.model", ac+".model")
	baseURL := s.BaseURL // resolveBaseURL
	idx.alias("spec.agents.default.baseURL", "spec.baseURL")
	if a.BaseURL != "" {
		baseURL = a.BaseURL
		idx.alias("spec.agents.default.baseURL", ac+".baseURL")
	}
	headers := mergeProviderHeaders(s.ProviderHeaders, a.ProviderHeaders)
	idx.alias("spec.agents.default.providerHeaders", "spec.providerHeaders")
	if len(a.ProviderHeaders) > 0 {
		idx.alias("spec.agents.default.providerHeaders", ac+".providerHeaders")
		for k := range s.ProviderHeaders {
			if _, own := a.ProviderHeaders[k]; !own {
				idx.alias("spec.agents.default.providerHeaders."+k, "spec.providerHeaders."+k)
			}
		}
	}

	d := api.AgentConfig{Model: model, BaseURL: baseURL, ProviderHeaders: headers,
		AgentSandbox: ensembleAgentSandbox(s.AgentSandbox, idx), Lifecycle: ensembleLifecycle(a.Lifecycle),
		Subagents: ensembleSubagents(a.Subagents, ac, idx), Env: a.Env, RunTimeout: a.RunTimeout}
	idx.alias("spec.agents.default.agentSandbox", "spec.agentSandbox")
	for _, f := range [...]string{"lifecycle", "subagents", "env", "runTimeout"} {
		idx.alias("spec.agents.default."+f, ac+"."+f)
	}

	inst.Spec = api.InstanceSpec{
		DisplayName:   a.DisplayName,
		Agents:        &api.AgentsSpec{Default: d},
		AuthRefs:      resolveAuthRefs(s, a, idx),
		Memory:        ensembleMemory(s, a, ac, idx),
		Observability: defaultObservability(),
		Volumes:       s.Volumes,
		VolumeMounts:  s.VolumeMounts,
		Skills:        buildDesiredSkills(s, a, ac, idx),
		MCPServers:    ensembleMCPServers(a.MCPServers, ac, idx),
		PolicyRef:     s.PolicyRef,
	}
	idx.alias("spec.displayName", ac+".displayName")
	idx.alias("spec.volumes", "spec.volumes")
	idx.alias("spec.volumeMounts", "spec.volumeMounts")
	idx.alias("spec.mcpServers", ac+".mcpServers")
	idx.alias("spec.policyRef", "spec.policyRef")
	for j, ch := range a.Channels {
		inst.Spec.Channels = append(inst.Spec.Channels, buildChannelSpec(s, a, ch, fmt.Sprintf("spec.channels[%d]", j), ac, idx))
		idx.alias(fmt.Sprintf("spec.channels[%d]", j), fmt.Sprintf("%s.channels[%d]", ac, j))
		idx.alias(fmt.Sprintf("spec.channels[%d].type", j), fmt.Sprintf("%s.channels[%d]", ac, j))
	}
	inst.Src = diag.NewGeneratedSource(e.Src, e.Src.LineOf(ac), idx.as)
	return inst
}

// mergeProviderHeaders: the agent config's headers override the Ensemble's on a shared key.
func mergeProviderHeaders(ensemble, agent map[string]string) map[string]string {
	if len(ensemble) == 0 && len(agent) == 0 {
		return nil
	}
	out := make(map[string]string, len(ensemble)+len(agent))
	for k, v := range ensemble {
		out[k] = v
	}
	for k, v := range agent {
		out[k] = v
	}
	return out
}

// resolveAuthRefs: the Ensemble's auth refs, or with a provider pinned on the agent config, only
// those of that provider (when there are any).
func resolveAuthRefs(s *api.EnsembleSpec, a *api.EnsembleAgentConfig, idx *posIndex) []api.SecretRef {
	idx.alias("spec.authRefs", "spec.authRefs") // all of them, at the same indexes
	if a.Provider == "" {
		return s.AuthRefs
	}
	var matched []api.SecretRef
	for i, r := range s.AuthRefs {
		if r.Provider == a.Provider {
			idx.alias(fmt.Sprintf("spec.authRefs[%d]", len(matched)), fmt.Sprintf("spec.authRefs[%d]", i))
			matched = append(matched, r)
		}
	}
	if len(matched) == 0 {
		return s.AuthRefs
	}
	return matched
}

// ensembleMemory is the Agent's memory as buildAgent sets it: enabled with 256 KB unless the
// agent config says otherwise (the CRD defaults memory.enabled to true), its system prompt, and
// auto-store from the agent config or else the Ensemble (resolveAutoStoreMemory).
func ensembleMemory(s *api.EnsembleSpec, a *api.EnsembleAgentConfig, ac string, idx *posIndex) *api.MemorySpec {
	m := &api.MemorySpec{Enabled: true, MaxSizeKB: ensembleDefaultMaxSizeKB, AutoStore: s.AutoStoreMemory, SystemPrompt: a.SystemPrompt}
	idx.alias("spec.memory.autoStore", "spec.autoStoreMemory")
	if mem := a.Memory; mem != nil {
		if idx.has(ac + ".memory.enabled") {
			m.Enabled = mem.Enabled
		}
		if mem.MaxSizeKB > 0 {
			m.MaxSizeKB = mem.MaxSizeKB
		}
		if mem.AutoStore != nil {
			m.AutoStore = mem.AutoStore
		}
		idx.alias("spec.memory", ac+".memory")
	}
	idx.alias("spec.memory.systemPrompt", ac+".systemPrompt")
	return m
}

// defaultObservability is upstream's defaultObservabilitySpec with the controller's environment
// unset: the controller turns telemetry on only when its own deployment sets
// SYMPOZIUM_DEFAULT_OTEL_ENABLED=true, which is not among skillc's inputs.
func defaultObservability() *api.ObservabilitySpec {
	return &api.ObservabilitySpec{
		OTLPEndpoint: "sympozium-otel-collector.sympozium-system.svc:4317",
		OTLPProtocol: "grpc",
		ServiceName:  "sympozium",
		ResourceAttributes: map[string]string{
			"deployment.environment": "cluster",
			"k8s.cluster.name":       "unknown",
		},
	}
}

// ensembleAgentSandbox copies the Ensemble's agentSandbox with the CRD's warm-pool default, which
// the API server has filled in before the controller copies it.
func ensembleAgentSandbox(sb *api.AgentSandboxDefault, idx *posIndex) *api.AgentSandboxDefault {
	if sb == nil {
		return nil
	}
	out := *sb
	if out.WarmPool != nil && !idx.has("spec.agentSandbox.warmPool.size") {
		wp := *out.WarmPool
		size := defaultWarmPoolSize
		wp.Size = &size
		out.WarmPool = &wp
	}
	return &out
}

// ensembleLifecycle copies the hooks with the CRD's gateDefault default (block).
func ensembleLifecycle(l *api.LifecycleHooks) *api.LifecycleHooks {
	if l == nil {
		return nil
	}
	out := *l
	if out.GateDefault == "" {
		out.GateDefault = "block"
	}
	return &out
}

// ensembleSubagents copies the limits with the CRD's defaults for those not written.
func ensembleSubagents(sa *api.SubagentsSpec, ac string, idx *posIndex) *api.SubagentsSpec {
	if sa == nil {
		return nil
	}
	out := *sa
	for _, f := range []struct {
		field string
		v     *int
		def   int
	}{{"maxDepth", &out.MaxDepth, 2}, {"maxConcurrent", &out.MaxConcurrent, 5}, {"maxChildrenPerAgent", &out.MaxChildrenPerAgent, 3}} {
		if !idx.has(ac + ".subagents." + f.field) {
			*f.v = f.def
		}
	}
	return &out
}

// ensembleMCPServers copies the MCP servers with the CRD's timeout default (30 s).
func ensembleMCPServers(servers []api.MCPServerRef, ac string, idx *posIndex) []api.MCPServerRef {
	if servers == nil {
		return nil
	}
	out := slices.Clone(servers)
	for i := range out {
		if !idx.has(fmt.Sprintf("%s.mcpServers[%d].timeout", ac, i)) {
			out[i].Timeout = 30
		}
	}
	return out
}

// buildDesiredSkills is upstream's: the agent config's skills (mcp-bridge skipped) with their
// params (the agent config's replace the Ensemble's for a skill, whole), then memory unless
// listed, then web-endpoint when the web endpoint is enabled, with params derived from it.
func buildDesiredSkills(s *api.EnsembleSpec, a *api.EnsembleAgentConfig, ac string, idx *posIndex) []api.SkillRef {
	var refs []api.SkillRef
	idx.alias("spec.skills", ac+".skills")
	for k, name := range a.Skills {
		if name == mcpBridgeSkill {
			continue
		}
		j := len(refs)
		ref := api.SkillRef{SkillPackRef: name}
		to := fmt.Sprintf("spec.skills[%d]", j)
		idx.alias(to, fmt.Sprintf("%s.skills[%d]", ac, k))
		idx.alias(to+".skillPackRef", fmt.Sprintf("%s.skills[%d]", ac, k))
		if p, ok := a.SkillParams[name]; ok && len(p) > 0 {
			ref.Params = p
			idx.alias(to+".params", ac+".skillParams."+name)
		} else if p, ok := s.SkillParams[name]; ok && len(p) > 0 {
			ref.Params = p
			idx.alias(to+".params", "spec.skillParams."+name)
		}
		refs = append(refs, ref)
	}
	if !slices.ContainsFunc(refs, func(r api.SkillRef) bool { return r.SkillPackRef == memorySkill }) {
		// Written nowhere: named as the agent config, on its line.
		idx.as[fmt.Sprintf("spec.skills[%d].skillPackRef", len(refs))] = ac
		refs = append(refs, api.SkillRef{SkillPackRef: memorySkill})
	}
	if we := a.WebEndpoint; we != nil && we.Enabled {
		to := fmt.Sprintf("spec.skills[%d]", len(refs))
		wp := ac + ".webEndpoint"
		idx.alias(to, wp)
		idx.alias(to+".skillPackRef", wp+".enabled")
		params := map[string]api.Scalar{}
		if we.Hostname != "" {
			params["hostname"] = api.Scalar(we.Hostname)
			idx.alias(to+".params.hostname", wp+".hostname")
		}
		if rl := we.RateLimit; rl != nil {
			rpm, burst := rl.RequestsPerMinute, rl.BurstSize
			if !idx.has(wp + ".rateLimit.requestsPerMinute") {
				rpm = defaultRateLimitRPM
			}
			if !idx.has(wp + ".rateLimit.burstSize") {
				burst = defaultRateLimitBurst
			}
			if rpm > 0 {
				params["rate_limit_rpm"] = api.Scalar(strconv.Itoa(rpm))
				idx.alias(to+".params.rate_limit_rpm", idx.first(wp+".rateLimit.requestsPerMinute", wp+".rateLimit"))
			}
			if burst > 0 {
				params["rate_limit_burst"] = api.Scalar(strconv.Itoa(burst))
				idx.alias(to+".params.rate_limit_burst", idx.first(wp+".rateLimit.burstSize", wp+".rateLimit"))
			}
		}
		refs = append(refs, api.SkillRef{SkillPackRef: webEndpointSkill, Params: params})
	}
	return refs
}

// buildChannelSpec is upstream's: the channel's credentials, access control, triggers and Slack
// options from the agent config, else from the Ensemble; its volumes from the Ensemble.
func buildChannelSpec(s *api.EnsembleSpec, a *api.EnsembleAgentConfig, ch, to, ac string, idx *posIndex) api.ChannelSpec {
	cs := api.ChannelSpec{Type: ch}
	if secret := a.ChannelConfigs[ch]; secret != "" {
		cs.ConfigRef = api.SecretRef{Secret: secret}
		idx.alias(to+".configRef.secret", ac+".channelConfigs."+ch)
	} else if secret := s.ChannelConfigs[ch]; secret != "" {
		cs.ConfigRef = api.SecretRef{Secret: secret}
		idx.alias(to+".configRef.secret", "spec.channelConfigs."+ch)
	}
	if v, ok := a.ChannelAccessControl[ch]; ok {
		cs.AccessControl = v
		idx.alias(to+".accessControl", ac+".channelAccessControl."+ch)
	} else if v, ok := s.ChannelAccessControl[ch]; ok {
		cs.AccessControl = v
		idx.alias(to+".accessControl", "spec.channelAccessControl."+ch)
	}
	if v, ok := a.ChannelTriggers[ch]; ok {
		cs.Triggers = v
		idx.alias(to+".triggers", ac+".channelTriggers."+ch)
	} else if v, ok := s.ChannelTriggers[ch]; ok {
		cs.Triggers = v
		idx.alias(to+".triggers", "spec.channelTriggers."+ch)
	}
	if ch == "slack" {
		if idx.has(ac + ".slackOptions") {
			cs.Slack = a.SlackOptions
			idx.alias(to+".slack", ac+".slackOptions")
		} else if idx.has("spec.slackOptions") {
			cs.Slack = s.SlackOptions
			idx.alias(to+".slack", "spec.slackOptions")
		}
	}
	if v, ok := s.ChannelVolumes[ch]; ok {
		cs.Volumes = v
		idx.alias(to+".volumes", "spec.channelVolumes."+ch)
	}
	if v, ok := s.ChannelVolumeMounts[ch]; ok {
		cs.VolumeMounts = v
		idx.alias(to+".volumeMounts", "spec.channelVolumeMounts."+ch)
	}
	return cs
}

// buildEnsembleSchedule is upstream's buildSchedule: <agent>-schedule, running the agent with the
// agent config's task (after the team objective, buildScheduleTask), from its cron or its
// interval turned into one.
func buildEnsembleSchedule(e *api.Ensemble, i int, agent string, idx *posIndex) (*api.Schedule, diag.Diagnostics) {
	a := &e.Spec.AgentConfigs[i]
	ac := fmt.Sprintf("spec.agentConfigs[%d]", i)
	sp := ac + ".schedule"
	idx.as = map[string]string{}
	var diags diag.Diagnostics
	cron := a.Schedule.Cron
	idx.alias("spec.schedule", sp)
	if cron != "" {
		idx.alias("spec.schedule", sp+".cron")
	} else {
		// Each agent config is staggered by two minutes so they do not all call a shared model
		// at once.
		var known bool
		cron, known = intervalToCron(a.Schedule.Interval, i*2)
		idx.alias("spec.schedule", sp+".interval")
		if !known {
			diags = append(diags, diag.Diagnostic{File: e.Src.File, Line: e.Src.LineOf(idx.first(sp+".interval", sp)), Field: sp + ".interval", Severity: diag.SeverityWarning,
				Message: fmt.Sprintf("interval %q is not one the Ensemble controller knows (1m, 5m, 10m, 15m, 30m, 1h, 2h, 3h, 4h, 6h, 12h, 24h, or a cron expression): it schedules the agent hourly, %q", a.Schedule.Interval, cron)})
		}
	}
	task := a.Schedule.Task
	if e.Spec.TaskOverride != "" {
		task = fmt.Sprintf("TEAM OBJECTIVE: %s\n\nYOUR ROLE TASK: %s", e.Spec.TaskOverride, task)
	}
	idx.alias("spec.task", sp+".task")
	firstTick := a.Schedule.FirstTick
	if firstTick == "" {
		firstTick = "immediate" // the CRD's default
	}
	idx.alias("spec.firstTick", sp+".firstTick")
	idx.alias("metadata.name", ac+".name")
	idx.alias("metadata.labels", ac+".name")
	idx.alias("metadata.namespace", "metadata.namespace")
	idx.alias("spec.agentRef", ac+".name")

	sc := &api.Schedule{}
	sc.APIVersion, sc.Kind = api.GroupSympozium+"/v1alpha1", "SympoziumSchedule"
	sc.Metadata = api.ObjectMeta{Name: agent + "-schedule", Namespace: e.Metadata.Namespace,
		Labels: map[string]string{LabelEnsemble: e.Metadata.Name, LabelAgentConfig: a.Name}}
	idx.alias("spec.type", sp+".type")
	includeMemory := true // buildSchedule sets it on every schedule
	sc.Spec = api.ScheduleSpec{AgentRef: agent, Schedule: cron, Task: task, ConcurrencyPolicy: "Forbid", FirstTick: firstTick,
		Type: a.Schedule.Type, IncludeMemory: &includeMemory}
	sc.Src = diag.NewGeneratedSource(e.Src, e.Src.LineOf(sp), idx.as)
	return sc, diags
}

// intervalToCron is upstream's: a known interval becomes a cron expression shifted by offset
// minutes; a value with a space is taken as a cron expression; anything else (known false) runs
// hourly.
func intervalToCron(interval string, offset int) (string, bool) {
	every := func(n int) string { return fmt.Sprintf("%d/%d * * * *", offset%n, n) }
	hours := func(n int) string { return fmt.Sprintf("%d */%d * * *", offset%60, n) }
	switch strings.ToLower(strings.TrimSpace(interval)) {
	case "1m", "1min":
		return "* * * * *", true
	case "5m", "5min":
		return every(5), true
	case "10m", "10min":
		return every(10), true
	case "15m", "15min":
		return every(15), true
	case "30m", "30min":
		return every(30), true
	case "1h", "60m":
		return fmt.Sprintf("%d * * * *", offset%60), true
	case "2h":
		return hours(2), true
	case "3h":
		return hours(3), true
	case "4h":
		return hours(4), true
	case "6h":
		return hours(6), true
	case "12h":
		return hours(12), true
	case "24h", "1d":
		return fmt.Sprintf("%d 0 * * *", offset%60), true
	}
	if strings.Contains(interval, " ") {
		return interval, true
	}
	return fmt.Sprintf("%d * * * *", offset%60), false
}

// ensembleScheduledRun adds to the spec of a run the schedule controller starts for an Agent
// what comes from its Ensemble: the agent config's tool policy (toolpolicy.ForAgent, which the
// stimulus and sequential successors' runs get too), and canary mode for the Agents of the
// Ensemble upstream reserves for its canary, system-canary (SympoziumScheduleReconciler).
func ensembleScheduledRun(inst *api.Instance, spec *api.AgentRunSpec) {
	if inst.Metadata.Labels[LabelEnsemble] == canaryEnsemble {
		spec.CanaryMode = true
	}
	m := ensembleMemberOf(inst)
	if m == nil || m.AgentConfig().ToolPolicy == nil {
		return
	}
	tp := *m.AgentConfig().ToolPolicy
	spec.ToolPolicy = &tp
}

// canaryEnsemble is the Ensemble whose scheduled runs upstream marks canaryMode.
const canaryEnsemble = "system-canary"

// ensembleHint explains a run or schedule whose agent is not found when an Ensemble in its
// namespace has an agent config of that name: the Agent the controller creates is named
// <ensemble>-<config>, and only when the Ensemble is enabled.
func ensembleHint(in *api.Inputs, ns, agent string) string {
	var hints []string
	for _, e := range in.Ensembles {
		if NamespaceOf(e.Metadata, DefaultNamespace) != ns {
			continue
		}
		for _, a := range e.Spec.AgentConfigs {
			if a.Name != agent {
				continue
			}
			h := fmt.Sprintf("Ensemble %s's agent config %q creates the Agent %q", e.Metadata.Name, a.Name, e.Metadata.Name+"-"+a.Name)
			if !e.Spec.Enabled {
				h += " once the Ensemble is enabled (spec.enabled defaults to false)"
			}
			hints = append(hints, h)
		}
	}
	if len(hints) == 0 {
		return ""
	}
	return " (" + strings.Join(hints, "; ") + ")"
}

// ensembleMemorySeeds is upstream's reconcileMemorySeeds: for each generated Agent whose agent
// config has memory seeds, the ConfigMap <agent>-memory holding them as MEMORY.md, which the
// controller creates only when it does not exist (it never overwrites the agent's memory).
func ensembleMemorySeeds(cfg *api.ConfigSpec, instances []*api.Instance, rr *recorder) ([]Object, []*origins) {
	var objs []Object
	var froms []*origins
	for _, inst := range instances {
		m := ensembleMemberOf(inst)
		if m == nil || m.AgentConfig().Memory == nil || len(m.AgentConfig().Memory.Seeds) == 0 {
			continue
		}
		a := m.AgentConfig()
		var b strings.Builder
		b.WriteString("# Memory\n\n")
		for _, seed := range a.Memory.Seeds {
			b.WriteString("- " + seed + "\n")
		}
		cm := &corev1.ConfigMap{
			TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
			ObjectMeta: objectMeta(inst.Metadata.Name+"-memory", NamespaceOf(inst.Metadata, DefaultNamespace), labels(
				LabelEnsemble, m.Ensemble.Metadata.Name,
				LabelAgentConfig, a.Name,
				LabelMemory, "true",
			)),
			Data: map[string]string{"MEMORY.md": b.String()},
		}
		if cfg.Target == api.TargetFlux {
			// Created once, never overwritten: the controller and the agent rewrite MEMORY.md.
			cm.Annotations = map[string]string{annotationFluxSSA: "IfNotPresent"}
		}
		ac := fmt.Sprintf("spec.agentConfigs[%d]", m.Config)
		from := rr.begin(nil, "")
		from.set("", &m.Ensemble.Src, ac+".name")
		from.set(`data["MEMORY.md"]`, &m.Ensemble.Src, ac+".memory.seeds")
		objs, froms = append(objs, cm), append(froms, from.done())
	}
	return objs, froms
}

// annotationFluxSSA set to IfNotPresent makes Flux's kustomize-controller create an object and
// never update it afterwards.
const annotationFluxSSA = "kustomize.toolkit.fluxcd.io/ssa"

// relationshipContext is upstream's relationshipContext pod mutator: a run of a generated Agent
// whose agent config is the source of relationships gets PERSONA_NAME and ENSEMBLE_RELATIONSHIPS
// (each edge's target, its display name, type and condition) on its agent container.
func relationshipContext(_ *api.ConfigSpec, pod *Pod, spec *corev1.PodSpec, from *origins) diag.Diagnostics {
	m := ensembleMemberOf(pod.Instance)
	if m == nil || len(m.Ensemble.Spec.Relationships) == 0 {
		return nil
	}
	e, a := m.Ensemble, m.AgentConfig()
	type relJSON struct {
		Target      string `json:"target"`
		DisplayName string `json:"displayName,omitempty"`
		Type        string `json:"type"`
		Condition   string `json:"condition,omitempty"`
	}
	display := map[string]string{}
	for _, c := range e.Spec.AgentConfigs {
		if c.DisplayName != "" {
			display[c.Name] = c.DisplayName
		}
	}
	var rels []relJSON
	for _, r := range e.Spec.Relationships {
		if r.Source == a.Name {
			rels = append(rels, relJSON{Target: r.Target, DisplayName: display[r.Target], Type: r.Type, Condition: r.Condition})
		}
	}
	if len(rels) == 0 {
		return nil
	}
	data, _ := json.Marshal(rels) // strings only: cannot fail
	for ci := range spec.Containers {
		c := &spec.Containers[ci]
		if c.Name != AgentContainer {
			continue
		}
		ac := fmt.Sprintf("spec.agentConfigs[%d]", m.Config)
		from.setPod("containers[#].env[#]", ci, len(c.Env), &e.Src, ac+".name", 0)
		from.setPod("containers[#].env[#]", ci, len(c.Env)+1, &e.Src, "spec.relationships", 0)
		c.Env = append(c.Env,
			corev1.EnvVar{Name: "PERSONA_NAME", Value: a.Name},
			corev1.EnvVar{Name: "ENSEMBLE_RELATIONSHIPS", Value: string(data)})
		break
	}
	return nil
}
