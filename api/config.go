package api

import (
	"fmt"
	"slices"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/skillc-dev/skillc/diag"
)

// Defaults for the platform settings. Images are pinned: a floating default would make the same
// sources render differently over time.
const (
	DefaultCatalogNamespace  = "sympozium-system"
	DefaultAgentRunnerImage  = "ghcr.io/sympozium-ai/sympozium/agent-runner:v0.10.46"
	DefaultIPCBridgeImage    = "ghcr.io/sympozium-ai/sympozium/ipc-bridge:v0.10.46"
	DefaultSkillBudgetTokens = 20000
)

// Identity is how runs get their ServiceAccount.
type Identity string

const (
	IdentityShared Identity = "shared"  // one per namespace
	IdentityPerRun Identity = "per-run" // one per run, with its own RBAC subjects
)

// SidecarMode is how skill sidecars run beside the agent.
type SidecarMode string

const (
	SidecarsNative     SidecarMode = "native"     // restartable initContainers (Kubernetes 1.29+)
	SidecarsContainers SidecarMode = "containers" // plain containers
)

// Target is the delivery tool the output is annotated for.
type Target string

const (
	TargetPlain  Target = "plain"
	TargetArgoCD Target = "argocd"
	TargetFlux   Target = "flux"
)

// Profile is the policy gate's strictness.
type Profile string

const (
	ProfileBaseline   Profile = "baseline"
	ProfileRestricted Profile = "restricted"
)

// Enumerations of the settings as text, in the order help texts and schemas list them.
var (
	Identities   = []string{string(IdentityShared), string(IdentityPerRun)}
	SidecarModes = []string{string(SidecarsNative), string(SidecarsContainers)}
	Targets      = []string{string(TargetPlain), string(TargetArgoCD), string(TargetFlux)}
	Profiles     = []string{string(ProfileBaseline), string(ProfileRestricted)}
)

// DefaultConfig returns a CompilerConfig with every default filled in.
func DefaultConfig() *CompilerConfig {
	c := &CompilerConfig{}
	c.APIVersion = GroupSkillc + "/v1alpha1"
	c.Kind = "CompilerConfig"
	c.Default()
	return c
}

// Default fills every unset field.
func (c *CompilerConfig) Default() {
	s := &c.Spec
	if s.CatalogNamespace == "" {
		s.CatalogNamespace = DefaultCatalogNamespace
	}
	if s.Images.AgentRunner == "" {
		s.Images.AgentRunner = DefaultAgentRunnerImage
	}
	if s.Images.IPCBridge == "" {
		s.Images.IPCBridge = DefaultIPCBridgeImage
	}
	if s.Identity == "" {
		s.Identity = IdentityShared
	}
	if s.Sidecars == "" {
		s.Sidecars = SidecarsNative
	}
	if s.Target == "" {
		s.Target = TargetPlain
	}
	if s.SkillBudgetTokens == 0 {
		s.SkillBudgetTokens = DefaultSkillBudgetTokens
	}
	if s.Policy.Profile == "" {
		s.Policy.Profile = ProfileBaseline
	}
}

// Validate checks the settings, all of them, and returns every problem.
func (c *CompilerConfig) Validate() diag.Diagnostics {
	s := &c.Spec
	src := c.Src
	var diags diag.Diagnostics
	oneOf := func(field, value string, allowed []string) {
		if !slices.Contains(allowed, value) {
			diags = append(diags, src.Diag(field, "must be one of %v, got %q", allowed, value))
		}
	}
	oneOf("spec.identity", string(s.Identity), Identities)
	oneOf("spec.sidecars", string(s.Sidecars), SidecarModes)
	oneOf("spec.target", string(s.Target), Targets)
	oneOf("spec.policy.profile", string(s.Policy.Profile), Profiles)
	for _, msg := range validation.IsDNS1123Label(s.CatalogNamespace) {
		diags = append(diags, src.Diag("spec.catalogNamespace", "invalid namespace %q: %s", s.CatalogNamespace, msg))
	}
	if s.SkillBudgetTokens < 0 {
		diags = append(diags, src.Diag("spec.skillBudgetTokens", "must not be negative"))
	}
	if rc := s.Policy.ResourceCeilings; rc != nil {
		// The sidecar resources' check: a negative ceiling or one past Kubernetes' int64 cap would
		// be clamped or compared wrongly by the gate rather than refused.
		diags = append(diags, CheckQuantities(src, "spec.policy.resourceCeilings", rc.CPU, rc.Memory)...)
	}
	for i, p := range s.Policy.AllowedHostPaths {
		field := fmt.Sprintf("spec.policy.allowedHostPaths[%d]", i)
		if p.SkillPack == "" {
			diags = append(diags, src.Diag(field+".skillPack", "required"))
		}
		if msg := AbsoluteCleanPath(p.PathPrefix); msg != "" {
			diags = append(diags, src.Diag(field+".pathPrefix", "%s", msg))
		}
	}
	diags.Sort()
	return diags
}

// AbsoluteCleanPath explains why p is not an absolute path without "..", or returns "".
func AbsoluteCleanPath(p string) string {
	switch {
	case p == "":
		return "required"
	case p[0] != '/':
		return fmt.Sprintf("path %q must be absolute", p)
	case slices.Contains(splitPath(p), ".."):
		return fmt.Sprintf("path %q must not contain \"..\"", p)
	}
	return ""
}

func splitPath(p string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(p); i++ {
		if i == len(p) || p[i] == '/' {
			if i > start {
				out = append(out, p[start:i])
			}
			start = i + 1
		}
	}
	return out
}
