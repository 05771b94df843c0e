package policy

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
)

// The SympoziumPolicy rules (SPOL) are upstream's second gate, judged before the render is applied.
// When an Agent's spec.policyRef binds a SympoziumPolicy among the inputs, every AgentRun of it, and
// every run its schedules will create, must pass what upstream's validating webhook refuses
// (PolicyEnforcer.Handle, internal/webhook/policy_enforcer.go) and what the controller fails a run
// for (AgentRunReconciler.validatePolicy, internal/controller/agentrun_controller.go). A render
// applies the Jobs the controller would create; unless the sources pass through with it
// (keepSources), that webhook never sees its runs: this is where the policy holds.
//
// The webhook judges the AgentRun as written: a run's own spec, or for a schedule the spec its
// controller writes from the Agent (compile.Pod.Spec). It finds the Agent and the policy in the
// run's namespace. Stand-ins (Agents no run or schedule uses yet) are not judged: nobody submits
// them, and the runs others create later carry a spec the inputs do not hold.
//
//   - SPOL-01..09 deny what upstream refuses, in every profile.
//   - SPOL-10 reports what the policy says and upstream lets through (a field it reads nowhere,
//     or only in its mutating webhook, which its chart does not register): warn in baseline,
//     deny in restricted.
//
// No exception waives them: the policy, not the CompilerConfig, is what allows.

// spolSeverity is each rule's severity per profile, [baseline, restricted], as lib.rego lists it.
var spolSeverity = map[string][2]string{
	"SPOL-01": {"deny", "deny"}, "SPOL-02": {"deny", "deny"}, "SPOL-03": {"deny", "deny"},
	"SPOL-04": {"deny", "deny"}, "SPOL-05": {"deny", "deny"}, "SPOL-06": {"deny", "deny"},
	"SPOL-07": {"deny", "deny"}, "SPOL-08": {"deny", "deny"}, "SPOL-09": {"deny", "deny"},
	"SPOL-10": {"warn", "deny"},
}

// deniedEnvKeys are upstream's deniedEnvVarKeys: run env names its webhook refuses under a policy.
var deniedEnvKeys = []string{"HOME", "HOSTNAME", "LD_LIBRARY_PATH", "LD_PRELOAD", "PATH", "SHELL", "USER"}

// binding is one pod judged against the policy its Agent binds.
type binding struct {
	pod     *compile.Pod
	policy  *api.SympoziumPolicy
	profile api.Profile
	out     []located
}

// sympoziumPolicyFindings are the SPOL findings of a compile.
func sympoziumPolicyFindings(res *compile.Result, loc *locator) []located {
	if res.Inputs == nil || len(res.Inputs.Policies) == 0 {
		return nil
	}
	policies := map[string]*api.SympoziumPolicy{}
	for _, p := range res.Inputs.Policies {
		// Duplicates are an input error (compile's validatePolicies): one policy per key.
		policies[compile.NamespaceOf(p.Metadata, compile.DefaultNamespace)+"/"+p.Metadata.Name] = p
	}
	profile := api.ProfileBaseline
	if res.Config != nil {
		profile = res.Config.Spec.Policy.Profile
	}
	workloads := map[*compile.Pod][]compile.Object{}
	for _, o := range res.Objects {
		if compile.PodSpecOf(o) != nil {
			if pod := loc.podOf(o); pod != nil {
				workloads[pod] = append(workloads[pod], o)
			}
		}
	}
	var out []located
	for i := range res.Pods {
		pod := &res.Pods[i]
		if pod.StandIn || pod.Spec == nil || pod.Instance == nil || pod.Instance.Spec.PolicyRef == "" {
			continue
		}
		// upstream: the Agent and its policy are looked up in the run's namespace.
		p := policies[pod.Namespace+"/"+pod.Instance.Spec.PolicyRef]
		if p == nil {
			continue // compile warns that this binding was not checked
		}
		b := &binding{pod: pod, policy: p, profile: profile}
		b.sandbox()
		b.agentSandbox()
		b.tools()
		b.images()
		b.lifecycle()
		b.env()
		b.concurrency()
		b.intent(loc, workloads[pod])
		out = append(out, b.out...)
	}
	return out
}

// place is where a finding points: the source object that holds the field, and the field's line.
type place struct {
	kind, ns, name string
	pos            diag.Diagnostic
}

// scheduledFrom maps the run-spec fields upstream's schedule controller copies from the Agent to
// the Agent's field (compile's scheduledRunSpec); fields it never sets have no entry.
var scheduledFrom = []struct{ run, agent string }{
	{"lifecycle", "spec.agents.default.lifecycle"},
	{"env", "spec.agents.default.env"},
	{"model.model", "spec.agents.default.model"},
	{"volumes", "spec.volumes"},
	{"volumeMounts", "spec.volumeMounts"},
}

// run places a field of the run spec (a path under spec, "sandbox.enabled"): a run's own line; for
// a schedule, the Agent's field it is copied from, or the schedule's reference to the Agent for a
// field the schedule controller never sets (the runs it creates lack it whatever the Agent says).
func (b *binding) run(runPath string) place {
	pod := b.pod
	if !pod.Scheduled() {
		return place{pod.Kind, pod.Namespace, pod.Name, at(pod.Src, "spec."+runPath)}
	}
	for _, m := range scheduledFrom {
		if runPath == m.run || strings.HasPrefix(runPath, m.run+".") || strings.HasPrefix(runPath, m.run+"[") {
			return b.agent(m.agent + runPath[len(m.run):])
		}
	}
	_, field := pod.Schedule.Spec.Ref()
	return place{pod.Kind, pod.Namespace, pod.Name, at(pod.Src, field)}
}

// agent places a field of the Agent.
func (b *binding) agent(field string) place {
	inst := b.pod.Instance
	return place{inst.Kind, b.pod.Namespace, inst.Metadata.Name, at(inst.Src, field)}
}

// who names what admission judges: the AgentRun, or every run the schedule creates.
func (b *binding) who() string {
	if b.pod.Scheduled() {
		return fmt.Sprintf("every AgentRun that SympoziumSchedule %s/%s creates", b.pod.Namespace, b.pod.Name)
	}
	return fmt.Sprintf("AgentRun %s/%s", b.pod.Namespace, b.pod.Name)
}

// runsOf names every run of the Agent: the subject of a cause that is not the run's own.
func (b *binding) runsOf() string {
	return fmt.Sprintf("the runs of %s %s/%s", b.pod.Instance.Kind, b.pod.Namespace, b.pod.Instance.Metadata.Name)
}

// under is "SympoziumPolicy ns/name (file:line, bound by Agent ns/name)".
func (b *binding) under() string {
	p, inst := b.policy, b.pod.Instance
	return fmt.Sprintf("SympoziumPolicy %s/%s (%s:%d, bound by %s %s/%s)",
		compile.NamespaceOf(p.Metadata, compile.DefaultNamespace), p.Metadata.Name, p.Src.File, p.Src.Line,
		inst.Kind, b.pod.Namespace, inst.Metadata.Name)
}

// add records a finding at pl, its message built as the library builds one.
func (b *binding) add(rule string, pl place, detail string) {
	sev := spolSeverity[rule][0]
	if b.profile == api.ProfileRestricted {
		sev = spolSeverity[rule][1]
	}
	f := Finding{Rule: rule, Severity: sev, Waivable: false, Field: pl.pos.Field, Kind: pl.kind, Name: pl.name, Namespace: pl.ns, Detail: detail}
	f.Message = libraryMessage(rule, pl.kind+" "+pl.ns+"/"+pl.name, pl.pos.Field, detail)
	b.out = append(b.out, located{f: f, pos: pl.pos})
}

// refused is a deny's text: what the run does, upstream's refusal in its own words, the fix.
func (b *binding) refused(what, upstream, fix string) string {
	return fmt.Sprintf("%s: upstream's admission webhook refuses %s under %s: %q. Fix: %s", what, b.who(), b.under(), upstream, fix)
}

// unenforced is SPOL-10's text: what the policy forbids, why upstream lets it through, the fix.
func (b *binding) unenforced(what, lets, subject, fix string) string {
	return fmt.Sprintf("%s under %s, but %s: %s would start anyway. Fix: %s", what, b.under(), lets, subject, fix)
}

// SPOL-01, SPOL-02, SPOL-05: the sandbox (upstream Handle's sandbox check, validateResources,
// validateFeatureGates).
func (b *binding) sandbox() {
	s, sp := b.pod.Spec, b.policy.Spec.SandboxPolicy
	enabled := s.Sandbox != nil && s.Sandbox.Enabled
	if sp != nil && sp.Required != nil && *sp.Required && !enabled {
		what, fix := "sandboxPolicy.required is true and the run enables no sandbox", "set spec.sandbox.enabled: true, or bind the Agent to a policy that does not require a sandbox"
		if a := b.pod.Instance.Spec.Agents; a != nil && a.Default.Sandbox != nil && a.Default.Sandbox.Enabled {
			what += " (the webhook reads the run's own spec.sandbox, not the Agent's agents.default.sandbox)"
		}
		if b.pod.Scheduled() {
			what = "sandboxPolicy.required is true and the schedule controller copies no sandbox into the runs it creates"
			fix = "no schedule of this Agent can pass: bind the Agent to a policy that does not require a sandbox, or start its runs as AgentRuns with spec.sandbox.enabled: true"
		}
		b.add("SPOL-01", b.run("sandbox.enabled"), b.refused(what, "sandbox is required by policy", fix))
	}
	if enabled && b.policy.Spec.GateDisabled(api.FeatureCodeExecution) {
		b.add("SPOL-05", b.run("sandbox.enabled"), b.refused("featureGates."+api.FeatureCodeExecution+" is false and the run enables a sandbox",
			"feature gate 'code-execution' is disabled by policy", "drop the sandbox, or bind the Agent to a policy that enables code-execution"))
	}
	// upstream checks the resources of any sandbox block, enabled or not.
	if sp == nil || s.Sandbox == nil || s.Sandbox.Resources == nil {
		return
	}
	res := s.Sandbox.Resources
	for _, dim := range []struct{ name, field, limit string }{{"cpu", "maxCPU", sp.MaxCPU}, {"memory", "maxMemory", sp.MaxMemory}} {
		if dim.limit == "" {
			continue
		}
		limit, err := resource.ParseQuantity(dim.limit)
		if err != nil {
			continue // an input error (api's Validate)
		}
		for _, kind := range []struct {
			name string
			m    map[string]api.Scalar
		}{{"requests", res.Requests}, {"limits", res.Limits}} {
			v := kind.m[dim.name]
			if v == "" {
				continue
			}
			pl := b.run("sandbox.resources." + kind.name + "." + dim.name)
			q, err := resource.ParseQuantity(string(v))
			if err != nil {
				b.add("SPOL-02", pl, b.refused(fmt.Sprintf("sandboxPolicy.%s caps the sandbox's %s and the run's %q is no quantity", dim.field, dim.name, v),
					fmt.Sprintf("sandbox %s request %q is not a valid quantity", titleDim(dim.name), v), "write a Kubernetes quantity"))
				continue
			}
			if q.Cmp(limit) > 0 {
				b.add("SPOL-02", pl, b.refused(fmt.Sprintf("sandboxPolicy.%s caps the sandbox's %s at %s and the run's sandbox.resources.%s.%s is %s", dim.field, dim.name, dim.limit, kind.name, dim.name, v),
					fmt.Sprintf("sandbox %s %s exceeds policy limit %s", titleDim(dim.name), v, dim.limit), fmt.Sprintf("lower it to %s or less", dim.limit)))
			}
		}
	}
}

// titleDim is the dimension as upstream's messages spell it ("CPU", "Memory").
func titleDim(name string) string {
	if name == "cpu" {
		return "CPU"
	}
	return "Memory"
}

// SPOL-03: the agent-sandbox backend (upstream validateAgentSandbox).
func (b *binding) agentSandbox() {
	s := b.pod.Spec
	agent := s.AgentSandbox != nil && s.AgentSandbox.Enabled
	if agent && s.Sandbox != nil && s.Sandbox.Enabled {
		b.add("SPOL-03", b.run("agentSandbox.enabled"), b.refused("the run enables both sandbox and agentSandbox",
			"sandbox.enabled and agentSandbox.enabled are mutually exclusive", "enable one of them"))
	}
	// agentSandbox with mode: server never gets here: compile refuses it (validateServerRun).
	var asp *api.AgentSandboxPolicy
	if sp := b.policy.Spec.SandboxPolicy; sp != nil {
		asp = sp.AgentSandboxPolicy
	}
	if asp == nil {
		return
	}
	if asp.Required != nil && *asp.Required && !agent {
		what, fix := "sandboxPolicy.agentSandboxPolicy.required is true and the run does not enable agentSandbox", "set spec.agentSandbox.enabled: true, or bind the Agent to a policy that does not require it"
		if b.pod.Scheduled() {
			what = "sandboxPolicy.agentSandboxPolicy.required is true and the schedule controller sets no agentSandbox on the runs it creates"
			fix = "no schedule of this Agent can pass: bind the Agent to a policy that does not require an agent sandbox"
		}
		b.add("SPOL-03", b.run("agentSandbox.enabled"), b.refused(what, "agent-sandbox mode is required by policy", fix))
	}
	// Only a named runtime class is checked (an empty one: SPOL-10).
	if agent {
		rc := s.AgentSandbox.RuntimeClass
		if len(asp.AllowedRuntimeClasses) > 0 && rc != "" && !slices.Contains(asp.AllowedRuntimeClasses, rc) {
			b.add("SPOL-03", b.run("agentSandbox.runtimeClass"), b.refused(fmt.Sprintf("agentSandboxPolicy.allowedRuntimeClasses is %v and the run asks for %q", asp.AllowedRuntimeClasses, rc),
				fmt.Sprintf("runtime class %q is not allowed by policy (allowed: %v)", rc, asp.AllowedRuntimeClasses), "use one of the allowed runtime classes"))
		}
	}
}

// SPOL-04: a tool the run allows and the policy denies (upstream validateToolPolicy).
func (b *binding) tools() {
	s, tg := b.pod.Spec, b.policy.Spec.ToolGating
	if s.ToolPolicy == nil || tg == nil {
		return
	}
	denied := tg.Denied()
	for i, tool := range s.ToolPolicy.Allow {
		if slices.Contains(denied, tool) {
			b.add("SPOL-04", b.run(fmt.Sprintf("toolPolicy.allow[%d]", i)), b.refused(fmt.Sprintf("a toolGating rule denies tool %q and the run allows it", tool),
				fmt.Sprintf("tool %q is denied by policy", tool), "remove it from spec.toolPolicy.allow"))
		}
	}
}

// SPOL-06: lifecycle hook and sandbox images outside the policy's registries (upstream
// validateImagePolicy: a plain string prefix).
func (b *binding) images() {
	s, ip := b.pod.Spec, b.policy.Spec.ImagePolicy
	if ip == nil || len(ip.AllowedRegistries) == 0 {
		return
	}
	check := func(path, what, image string) {
		if ip.Allows(image) {
			return
		}
		b.add("SPOL-06", b.run(path), b.refused(fmt.Sprintf("%s %q is outside imagePolicy.allowedRegistries %v", what, image, ip.AllowedRegistries),
			fmt.Sprintf("image %q is not from an allowed registry (allowed: %v)", image, ip.AllowedRegistries), "use an image from an allowed registry"))
	}
	if lc := s.Lifecycle; lc != nil {
		for i, h := range lc.PreRun {
			check(fmt.Sprintf("lifecycle.preRun[%d].image", i), "preRun hook image", h.Image)
		}
		for i, h := range lc.PostRun {
			check(fmt.Sprintf("lifecycle.postRun[%d].image", i), "postRun hook image", h.Image)
		}
	}
	if s.Sandbox != nil && s.Sandbox.Image != "" {
		check("sandbox.image", "sandbox image", s.Sandbox.Image)
	}
}

// SPOL-07: lifecycle RBAC on a resource the policy denies (upstream validateLifecycleRBAC: names
// compared literally).
func (b *binding) lifecycle() {
	s, lp := b.pod.Spec, b.policy.Spec.LifecyclePolicy
	if s.Lifecycle == nil || lp == nil || len(lp.DeniedResources) == 0 {
		return
	}
	for i, r := range s.Lifecycle.RBAC {
		for j, res := range r.Resources {
			if slices.Contains(lp.DeniedResources, res) {
				b.add("SPOL-07", b.run(fmt.Sprintf("lifecycle.rbac[%d].resources[%d]", i, j)), b.refused(fmt.Sprintf("lifecyclePolicy.deniedResources is %v and the hooks' RBAC names %q", lp.DeniedResources, res),
					fmt.Sprintf("lifecycle RBAC requests access to denied resource %q", res), "drop the resource from the lifecycle rbac"))
			}
		}
	}
}

// SPOL-08: run env names and hook env shapes the webhook refuses under a policy (upstream
// validateEnvVars, validateHookEnv).
func (b *binding) env() {
	s := b.pod.Spec
	for _, k := range slices.Sorted(maps.Keys(s.Env)) {
		if slices.Contains(deniedEnvKeys, k) {
			b.add("SPOL-08", b.run("env."+k), b.refused(fmt.Sprintf("the run's env sets %s, one of the system variables the webhook keeps (%s)", k, strings.Join(deniedEnvKeys, ", ")),
				fmt.Sprintf("environment variable %q is not allowed: overriding system variables is denied", k), "remove it from env"))
		}
	}
	if s.Lifecycle == nil {
		return
	}
	for _, phase := range []struct {
		name  string
		hooks []api.HookContainer
	}{{"preRun", s.Lifecycle.PreRun}, {"postRun", s.Lifecycle.PostRun}} {
		for i, h := range phase.hooks {
			for j, e := range h.Env {
				if e.ValueFrom == nil {
					continue
				}
				var upstream string
				switch ref := e.ValueFrom.SecretKeyRef; {
				case e.Value != nil && *e.Value != "":
					upstream = fmt.Sprintf("%s hook %q env %q: value and valueFrom are mutually exclusive", phase.name, h.Name, e.Name)
				case ref == nil:
					upstream = fmt.Sprintf("%s hook %q env %q: valueFrom must set secretKeyRef", phase.name, h.Name, e.Name)
				case ref.Name == "" || ref.Key == "":
					upstream = fmt.Sprintf("%s hook %q env %q: secretKeyRef requires both name and key", phase.name, h.Name, e.Name)
				default:
					continue
				}
				b.add("SPOL-08", b.run(fmt.Sprintf("lifecycle.%s[%d].env[%d].valueFrom", phase.name, i, j)), b.refused(fmt.Sprintf("hook env %s is neither a value nor a complete secretKeyRef", e.Name),
					upstream, "give the variable a value, or a secretKeyRef with name and key, not both"))
			}
		}
	}
}

// SPOL-09: maxConcurrent 0 or less fails every run (upstream validatePolicy counts the Agent's
// running runs and fails the new one when running >= maxConcurrent: 0 >= 0).
func (b *binding) concurrency() {
	sub := b.policy.Spec.SubagentPolicy
	if sub == nil || sub.Concurrent() > 0 {
		return
	}
	p := b.policy
	n := sub.Concurrent()
	detail := fmt.Sprintf("subagentPolicy.maxConcurrent is %d: upstream's controller fails %s, which binds this policy, before they start (\"concurrency limit reached: 0/%d\"). Fix: set it to 1 or more (absent, it is %d)",
		n, b.runsOf(), n, api.DefaultMaxConcurrent)
	b.add("SPOL-09", place{"SympoziumPolicy", compile.NamespaceOf(p.Metadata, compile.DefaultNamespace), p.Metadata.Name, at(p.Src, "spec.subagentPolicy.maxConcurrent")}, detail)
}

// SPOL-10: what the policy says and upstream lets through.
func (b *binding) intent(loc *locator, workloads []compile.Object) {
	pol := &b.policy.Spec
	s := b.pod.Spec
	// Skill sidecar images: the webhook checks only hook and sandbox images.
	if ip := pol.ImagePolicy; ip != nil && len(ip.AllowedRegistries) > 0 {
		for _, t := range b.pod.Toggles {
			sc := t.Pack.Spec.Sidecar
			if sc == nil || sc.Image == "" || ip.Allows(sc.Image) {
				continue
			}
			pl := place{"SkillPack", t.PackNamespace, t.Pack.Metadata.Name, at(t.Pack.Src, "spec.sidecar.image")}
			b.add("SPOL-10", pl, b.unenforced(fmt.Sprintf("sidecar image %q is outside imagePolicy.allowedRegistries %v", sc.Image, ip.AllowedRegistries),
				"upstream's webhook checks only lifecycle hook and sandbox images", b.runsOf(), "use a sidecar image from an allowed registry, or allow its registry in the policy"))
		}
	}
	// Host mounts: allowHostMounts is enforced nowhere upstream.
	if sp := pol.SandboxPolicy; sp != nil && !sp.AllowHostMounts {
		for _, o := range workloads {
			spec, prefix := compile.PodSpecOf(o), compile.PodSpecPath(o)
			for i, v := range spec.Volumes {
				if v.HostPath == nil {
					continue
				}
				pl := place{compile.KindOf(o), o.GetNamespace(), o.GetName(), loc.object(o, Finding{Field: fmt.Sprintf("%s.volumes[%d].hostPath", prefix, i)})}
				b.add("SPOL-10", pl, b.unenforced(fmt.Sprintf("volume %q mounts host path %s and sandboxPolicy.allowHostMounts is false", v.Name, v.HostPath.Path),
					"upstream enforces allowHostMounts nowhere", b.who(), "drop the host mount, or set allowHostMounts: true in the policy"))
			}
		}
	}
	// Models: modelPolicy is enforced nowhere upstream.
	if mp := pol.ModelPolicy; mp != nil && len(mp.AllowedModels) > 0 {
		model, pl := "", b.agent("spec.agents.default.model")
		if s.Model != nil && s.Model.Model != "" {
			model, pl = s.Model.Model, b.run("model.model")
		} else if a := b.pod.Instance.Spec.Agents; a != nil {
			model = a.Default.Model
		}
		if model != "" && !slices.Contains(mp.AllowedModels, model) {
			b.add("SPOL-10", pl, b.unenforced(fmt.Sprintf("model %q is outside modelPolicy.allowedModels %v", model, mp.AllowedModels),
				"upstream enforces modelPolicy nowhere", b.who(), "use an allowed model, or allow this one in the policy"))
		}
	}
	b.toolIntent()
	// Lifecycle RBAC: upstream compares resource names literally, so "*" passes its deny list.
	if lp := pol.LifecyclePolicy; lp != nil && len(lp.DeniedResources) > 0 && s.Lifecycle != nil {
		for i, r := range s.Lifecycle.RBAC {
			for j, res := range r.Resources {
				if res == "*" {
					b.add("SPOL-10", b.run(fmt.Sprintf("lifecycle.rbac[%d].resources[%d]", i, j)), b.unenforced(fmt.Sprintf("the hooks' RBAC grants \"*\", every resource, and lifecyclePolicy.deniedResources is %v", lp.DeniedResources),
						"upstream's webhook compares resource names literally, so \"*\" passes it", b.who(), "name the resources the hooks need"))
				}
			}
		}
	}
	// Runtime classes: the webhook checks only a named one, and the policy's default is applied
	// only by the mutating webhook: an empty runtimeClass runs on the cluster's default runtime.
	if sp := pol.SandboxPolicy; sp != nil && sp.AgentSandboxPolicy != nil && s.AgentSandbox != nil && s.AgentSandbox.Enabled && s.AgentSandbox.RuntimeClass == "" {
		asp := sp.AgentSandboxPolicy
		if len(asp.AllowedRuntimeClasses) > 0 || asp.DefaultRuntimeClass != "" {
			says := fmt.Sprintf("agentSandboxPolicy.allowedRuntimeClasses is %v", asp.AllowedRuntimeClasses)
			if len(asp.AllowedRuntimeClasses) == 0 {
				says = fmt.Sprintf("agentSandboxPolicy.defaultRuntimeClass is %q", asp.DefaultRuntimeClass)
			}
			b.add("SPOL-10", b.run("agentSandbox.runtimeClass"), b.unenforced("the run's agentSandbox names no runtimeClass and "+says,
				"upstream's webhook checks only a named runtime class, and applies the default only in its mutating webhook, which its chart does not register: the sandbox runs on the cluster's default runtime",
				b.who(), "set spec.agentSandbox.runtimeClass to an allowed runtime class"))
		}
	}
}

// toolIntent: the webhook refuses only a tool the run allows and a rule denies; the policy's rules
// reach the agent only through the mutating webhook, which is not registered, so the agent gets the
// tools the run's own toolPolicy leaves it (upstream buildContainers: TOOL_POLICY_ALLOW/DENY).
func (b *binding) toolIntent() {
	tg, s := b.policy.Spec.ToolGating, b.pod.Spec
	if tg == nil {
		return
	}
	var allow, deny []string
	if s.ToolPolicy != nil {
		allow, deny = s.ToolPolicy.Allow, s.ToolPolicy.Deny
	}
	const lets = "its rules reach the agent only through upstream's mutating webhook, which its chart does not register: the agent gets the tools the run's toolPolicy leaves it"
	fix := func(f string) string {
		if b.pod.Scheduled() {
			return "a schedule's runs carry the toolPolicy of the Agent's Ensemble agent config, or none: set one there, or change the policy"
		}
		return f
	}
	switch {
	case len(allow) == 0 && tg.DefaultDeny():
		b.add("SPOL-10", b.run("toolPolicy"), b.unenforced("toolGating.defaultAction is deny and the run allows every tool (no toolPolicy.allow)",
			lets, b.who(), fix("list the tools the run needs in spec.toolPolicy.allow")))
	case len(allow) == 0:
		var open []string
		for _, t := range tg.Denied() {
			if !slices.Contains(deny, t) {
				open = append(open, t)
			}
		}
		if len(open) > 0 {
			b.add("SPOL-10", b.run("toolPolicy"), b.unenforced(fmt.Sprintf("toolGating denies %v and the run's toolPolicy does not deny %v", tg.Denied(), open),
				lets, b.who(), fix("add them to spec.toolPolicy.deny")))
		}
	case tg.DefaultDeny():
		for i, t := range allow {
			if tg.RuleFor(t) == "" && !slices.Contains(deny, t) {
				b.add("SPOL-10", b.run(fmt.Sprintf("toolPolicy.allow[%d]", i)), b.unenforced(fmt.Sprintf("toolGating.defaultAction is deny, no rule names tool %q, and the run allows it", t),
					"upstream's webhook refuses only tools a deny rule names", b.who(), fix("remove it, or allow it in the policy's toolGating.rules")))
			}
		}
	}
}
