package api

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/skillc-dev/skillc/diag"
)

// SympoziumPolicy is upstream's admission policy, bound to Agents by spec.policyRef: skillc
// refuses at the source line what its webhook would refuse (the SPOL rules of the gate). Fields
// follow the upstream v0.10.46 CRD (api/v1alpha1/sympoziumpolicy_types.go). Upstream reads some of
// them only in its mutating webhook, which its chart does not register, or nowhere: Validate warns
// on those, and the gate checks what the policy says against what upstream lets through (SPOL-10).
type SympoziumPolicy struct {
	typeMeta `json:",inline"`
	Spec     SympoziumPolicySpec `json:"spec"`
}

type SympoziumPolicySpec struct {
	SandboxPolicy   *SandboxPolicy   `json:"sandboxPolicy"`
	SubagentPolicy  *SubagentPolicy  `json:"subagentPolicy"`
	ToolGating      *ToolGating      `json:"toolGating"`
	FeatureGates    map[string]bool  `json:"featureGates"`
	NetworkPolicy   *NetworkPolicy   `json:"networkPolicy"`
	ModelPolicy     *ModelPolicy     `json:"modelPolicy"`
	ImagePolicy     *ImagePolicy     `json:"imagePolicy"`
	LifecyclePolicy *LifecyclePolicy `json:"lifecyclePolicy"`
}

// SandboxPolicy: required is required by the CRD (a pointer, to tell absent from false).
type SandboxPolicy struct {
	Required           *bool                 `json:"required"`
	DefaultImage       string                `json:"defaultImage"`
	MaxCPU             string                `json:"maxCPU"`
	MaxMemory          string                `json:"maxMemory"`
	AllowHostMounts    bool                  `json:"allowHostMounts"`
	SeccompProfile     *PolicySeccompProfile `json:"seccompProfile"`
	AgentSandboxPolicy *AgentSandboxPolicy   `json:"agentSandboxPolicy"`
}

// PolicySeccompProfile is the policy's default seccomp profile (RuntimeDefault, Unconfined or
// Localhost): its own type, since a run's sandbox profile accepts other values than a policy's.
type PolicySeccompProfile struct {
	Type string `json:"type"`
}

type AgentSandboxPolicy struct {
	Required              *bool    `json:"required"`
	DefaultRuntimeClass   string   `json:"defaultRuntimeClass"`
	AllowedRuntimeClasses []string `json:"allowedRuntimeClasses"`
}

// SubagentPolicy: absent numbers take the CRD's defaults (MaxDepth 3, MaxConcurrent 5).
type SubagentPolicy struct {
	MaxDepth      *int `json:"maxDepth"`
	MaxConcurrent *int `json:"maxConcurrent"`
}

// DefaultMaxConcurrent is the CRD's default for subagentPolicy.maxConcurrent.
const DefaultMaxConcurrent = 5

// Concurrent is maxConcurrent as the API server stores it (the CRD default when absent).
func (s *SubagentPolicy) Concurrent() int {
	if s.MaxConcurrent == nil {
		return DefaultMaxConcurrent
	}
	return *s.MaxConcurrent
}

type ToolGating struct {
	DefaultAction string           `json:"defaultAction"`
	Rules         []ToolGatingRule `json:"rules"`
}

type ToolGatingRule struct {
	Tool   string `json:"tool"`
	Action string `json:"action"`
}

// Tool gating actions (upstream ToolGatingRule). Only "deny" is acted on upstream, by admission.
const (
	ToolAllow = "allow"
	ToolDeny  = "deny"
	ToolAsk   = "ask"
)

// Denied are the tools a deny rule names, in rule order.
func (t *ToolGating) Denied() []string {
	var out []string
	for _, r := range t.Rules {
		if r.Action == ToolDeny && !slices.Contains(out, r.Tool) {
			out = append(out, r.Tool)
		}
	}
	return out
}

// DefaultDeny: tools no rule names are denied (the CRD's default action is allow).
func (t *ToolGating) DefaultDeny() bool { return t.DefaultAction == ToolDeny }

// RuleFor is the action of the first rule naming tool ("" if none).
func (t *ToolGating) RuleFor(tool string) string {
	for _, r := range t.Rules {
		if r.Tool == tool {
			return r.Action
		}
	}
	return ""
}

type NetworkPolicy struct {
	DenyAll       *bool        `json:"denyAll"`
	AllowDNS      *bool        `json:"allowDNS"`
	AllowEventBus *bool        `json:"allowEventBus"`
	AllowedEgress []EgressRule `json:"allowedEgress"`
}

type EgressRule struct {
	Host string `json:"host"`
	Port int    `json:"port"`
}

type ModelPolicy struct {
	AllowedNamespaces []string `json:"allowedNamespaces"`
	AllowedModels     []string `json:"allowedModels"`
}

type ImagePolicy struct {
	AllowedRegistries []string `json:"allowedRegistries"`
}

// Allows is upstream's isImageAllowed (internal/webhook/policy_enforcer.go): a plain string prefix,
// not a path boundary ("ghcr.io/org" allows "ghcr.io/org-evil/x"), and an empty list allows all.
func (p *ImagePolicy) Allows(image string) bool {
	if p == nil || len(p.AllowedRegistries) == 0 {
		return true
	}
	for _, r := range p.AllowedRegistries {
		if strings.HasPrefix(image, r) {
			return true
		}
	}
	return false
}

type LifecyclePolicy struct {
	DeniedResources []string `json:"deniedResources"`
}

// Feature gates upstream's admission webhook reads (validateFeatureGates); it reads no other.
const (
	FeatureCodeExecution = "code-execution"
	FeatureSubAgents     = "sub-agents"
)

// GateDisabled: the gate is written and false (an absent gate is enabled).
func (s *SympoziumPolicySpec) GateDisabled(name string) bool {
	on, set := s.FeatureGates[name]
	return set && !on
}

// Validate refuses what the API server refuses in a SympoziumPolicy (the CRD's required fields)
// and what makes upstream's webhook refuse every run it binds (a cap that is no quantity), and
// warns on what upstream reads nowhere, or only in its mutating webhook, which its chart does not
// register (a MutatingWebhookConfiguration for /mutate-agent-pods exists in no upstream manifest):
// a platform team would otherwise believe the field protects it.
func (p *SympoziumPolicy) Validate() diag.Diagnostics {
	src, s := p.Src, &p.Spec
	var diags diag.Diagnostics
	required := func(field string, missing bool) {
		if missing {
			diags = append(diags, src.Diag(field, "required by the upstream SympoziumPolicy CRD: the API server refuses the policy without it"))
		}
	}
	warn := func(field, format string, args ...any) {
		diags = append(diags, diag.Diagnostic{File: src.File, Line: src.LineOf(field), Field: field, Severity: diag.SeverityWarning,
			Message: fmt.Sprintf(format, args...)})
	}
	const notRegistered = "upstream applies it only in its mutating webhook (MutatingPolicyEnforcer), which the upstream chart does not register"
	if sp := s.SandboxPolicy; sp != nil {
		required("spec.sandboxPolicy.required", sp.Required == nil)
		for _, c := range []struct{ field, q string }{{"spec.sandboxPolicy.maxCPU", sp.MaxCPU}, {"spec.sandboxPolicy.maxMemory", sp.MaxMemory}} {
			if c.q == "" {
				continue
			}
			if _, err := ParseQuantity(c.q, false); err != nil {
				diags = append(diags, src.Diag(c.field, "invalid quantity %q: %v: upstream's admission webhook refuses every bound run whose sandbox sets resources", c.q, err))
			}
		}
		if sp.DefaultImage != "" {
			warn("spec.sandboxPolicy.defaultImage", "%s: a sandbox without an image runs the controller's default sandbox image, not this one", notRegistered)
		}
		if sc := sp.SeccompProfile; sc != nil {
			required("spec.sandboxPolicy.seccompProfile.type", sc.Type == "")
			warn("spec.sandboxPolicy.seccompProfile", "%s: bound pods get the controller's default (RuntimeDefault) unless the run sets sandbox.securityContext.seccompProfile", notRegistered)
		}
		if ap := sp.AgentSandboxPolicy; ap != nil {
			required("spec.sandboxPolicy.agentSandboxPolicy.required", ap.Required == nil)
			if ap.DefaultRuntimeClass != "" {
				warn("spec.sandboxPolicy.agentSandboxPolicy.defaultRuntimeClass", "%s: an agentSandbox without a runtimeClass runs on the cluster's default runtime, not %q (the gate reports such runs: SPOL-10)", notRegistered, ap.DefaultRuntimeClass)
			}
		}
	}
	if tg := s.ToolGating; tg != nil {
		actions := []string{ToolAllow, ToolDeny, ToolAsk}
		if tg.DefaultAction != "" && !slices.Contains(actions, tg.DefaultAction) {
			warn("spec.toolGating.defaultAction", "%q is not allow, deny or ask: upstream treats it as allow", tg.DefaultAction)
		}
		for i, r := range tg.Rules {
			f := fmt.Sprintf("spec.toolGating.rules[%d]", i)
			required(f+".tool", r.Tool == "")
			required(f+".action", r.Action == "")
			switch {
			case r.Action == ToolAsk:
				warn(f+".action", "ask: upstream v0.10.46 implements no approval (its agent runner reads only allow and deny lists): tool %q runs unasked unless the run denies it", r.Tool)
			case r.Action != "" && !slices.Contains(actions, r.Action):
				warn(f+".action", "%q is not allow, deny or ask: upstream acts only on deny, so tool %q is not denied", r.Action, r.Tool)
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(s.FeatureGates)) {
		if name != FeatureCodeExecution && name != FeatureSubAgents {
			warn("spec.featureGates."+name, "upstream v0.10.46 reads only the %s and %s feature gates: %q changes nothing", FeatureCodeExecution, FeatureSubAgents, name)
		}
	}
	if np := s.NetworkPolicy; np != nil {
		for i, e := range np.AllowedEgress {
			required(fmt.Sprintf("spec.networkPolicy.allowedEgress[%d].host", i), e.Host == "")
		}
		warn("spec.networkPolicy", "upstream v0.10.46 emits no NetworkPolicy from this field and enforces none of it, and neither does skillc: bound pods have the egress the cluster's own NetworkPolicies allow (the upstream chart's static ones when networkPolicies.enabled)")
	}
	if mp := s.ModelPolicy; mp != nil && len(mp.AllowedNamespaces) > 0 {
		warn("spec.modelPolicy.allowedNamespaces", "only a run's model.modelRef names a Model's namespace, and skillc refuses modelRef: nothing here is checked (upstream enforces modelPolicy nowhere)")
	}
	if ip := s.ImagePolicy; ip != nil {
		for i, r := range ip.AllowedRegistries {
			if r == "" {
				warn(fmt.Sprintf("spec.imagePolicy.allowedRegistries[%d]", i), "an empty prefix matches every image: this list allows any registry")
			}
		}
	}
	return diags
}
