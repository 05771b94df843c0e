package api

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/skillc-dev/skillc/diag"
)

// Defaults for the platform settings. Images are pinned: a floating default would make the same
// sources render differently over time.
const (
	DefaultCatalogNamespace  = "sympozium-system"
	DefaultAgentRunnerImage  = "ghcr.io/sympozium-ai/sympozium/agent-runner:v0.10.46"
	DefaultIPCBridgeImage    = "ghcr.io/sympozium-ai/sympozium/ipc-bridge:v0.10.46"
	DefaultSandboxImage      = "ghcr.io/sympozium-ai/sympozium/sandbox:v0.10.46"
	DefaultMCPBridgeImage    = "ghcr.io/sympozium-ai/sympozium/mcp-bridge:v0.10.46"
	DefaultSkillBudgetTokens = 20000
	// DefaultMaxObjects admits ten times the reference repository (about 133,000 objects) and
	// refuses a few hundred lines that expand past it.
	DefaultMaxObjects    = 200000
	DefaultPolicyTimeout = "10s"
)

// DefaultChannelImages are the gateway images of the channel types upstream ships
// (images/channel-<type>), pinned like the others.
func DefaultChannelImages() map[string]string {
	return map[string]string{
		"discord":  "ghcr.io/sympozium-ai/sympozium/channel-discord:v0.10.46",
		"slack":    "ghcr.io/sympozium-ai/sympozium/channel-slack:v0.10.46",
		"telegram": "ghcr.io/sympozium-ai/sympozium/channel-telegram:v0.10.46",
		"whatsapp": "ghcr.io/sympozium-ai/sympozium/channel-whatsapp:v0.10.46",
	}
}

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

// RuleSetting is a rule's severity as spec.policy.rules sets it.
type RuleSetting string

const (
	RuleDeny RuleSetting = "deny"
	RuleWarn RuleSetting = "warn"
	RuleOff  RuleSetting = "off"
)

// Enumerations of the settings as text, in the order help texts and schemas list them.
var (
	Identities   = []string{string(IdentityShared), string(IdentityPerRun)}
	SidecarModes = []string{string(SidecarsNative), string(SidecarsContainers)}
	Targets      = []string{string(TargetPlain), string(TargetArgoCD), string(TargetFlux)}
	Profiles     = []string{string(ProfileBaseline), string(ProfileRestricted)}
	RuleSettings = []string{string(RuleDeny), string(RuleWarn), string(RuleOff)}
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
	if s.Images.Sandbox == "" {
		s.Images.Sandbox = DefaultSandboxImage
	}
	if s.Images.MCPBridge == "" {
		s.Images.MCPBridge = DefaultMCPBridgeImage
	}
	// A copy: the config may be a caller's, shared (the map is the one field Default would
	// otherwise write through).
	channels := DefaultChannelImages()
	maps.Copy(channels, s.Images.Channels)
	s.Images.Channels = channels
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
	if s.ProtectedNamespaces == nil {
		s.ProtectedNamespaces = DefaultProtectedNamespaces(s.CatalogNamespace)
	}
	if s.Limits.MaxObjects == 0 {
		s.Limits.MaxObjects = DefaultMaxObjects
	}
	if s.Limits.PolicyTimeout == "" {
		s.Limits.PolicyTimeout = DefaultPolicyTimeout
	}
}

// PolicyTimeout is spec.limits.policyTimeout as a duration (the default when unset or invalid:
// Validate refuses an invalid one).
func (s *ConfigSpec) PolicyTimeout() time.Duration {
	d, err := time.ParseDuration(s.Limits.PolicyTimeout)
	if err != nil || d <= 0 {
		d, _ = time.ParseDuration(DefaultPolicyTimeout)
	}
	return d
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
	if s.Limits.MaxObjects < 0 {
		diags = append(diags, src.Diag("spec.limits.maxObjects", "must not be negative"))
	}
	if d, err := time.ParseDuration(s.Limits.PolicyTimeout); err != nil || d <= 0 {
		diags = append(diags, src.Diag("spec.limits.policyTimeout", "must be a positive duration such as \"10s\", got %q", s.Limits.PolicyTimeout))
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
	for _, l := range []struct {
		field string
		packs []string
	}{
		{"spec.policy.privilegedAllow", s.Policy.PrivilegedAllow},
		{"spec.policy.runAsRootAllow", s.Policy.RunAsRootAllow},
	} {
		for i, p := range l.packs {
			diags = append(diags, checkPackRef(src, fmt.Sprintf("%s[%d]", l.field, i), p)...)
		}
	}
	for i, a := range s.Policy.HostNamespaceAllow {
		diags = append(diags, checkPackRef(src, fmt.Sprintf("spec.policy.hostNamespaceAllow[%d].skillPack", i), a.SkillPack)...)
	}
	for i, a := range s.Policy.AllowedHostPaths {
		if a.SkillPack != "" {
			diags = append(diags, checkPackRef(src, fmt.Sprintf("spec.policy.allowedHostPaths[%d].skillPack", i), a.SkillPack)...)
		}
	}
	for i, e := range s.Policy.Exceptions {
		if e.SkillPack != "" {
			diags = append(diags, checkPackRef(src, fmt.Sprintf("spec.policy.exceptions[%d].skillPack", i), e.SkillPack)...)
		}
	}
	// The rule ids are checked against the catalogue by the policy gate (policy.CheckRules): the
	// catalogue is the library's.
	for _, id := range slices.Sorted(maps.Keys(s.Policy.Rules)) {
		oneOf("spec.policy.rules."+id, string(s.Policy.Rules[id]), RuleSettings)
	}
	diags = append(diags, c.validateTenants()...)
	diags.Sort()
	return diags
}

// PackRef is an allow-list's or exception's pack as namespace/name: a bare name is the catalog's.
// A tenant's private pack that shares a catalog pack's name is another pack, and gets none of
// what the platform allowed the catalog's.
func (s *ConfigSpec) PackRef(ref string) string {
	if strings.Contains(ref, "/") {
		return ref
	}
	return s.CatalogNamespace + "/" + ref
}

// checkPackRef refuses a pack reference that is neither a name nor namespace/name.
func checkPackRef(src diag.Source, field, ref string) diag.Diagnostics {
	ns, name, scoped := strings.Cut(ref, "/")
	if !scoped {
		name, ns = ref, ""
	}
	if name == "" || scoped && ns == "" || strings.Contains(name, "/") {
		return diag.Diagnostics{src.Diag(field, "%q: name a pack as NAME (the catalog's) or NAMESPACE/NAME", ref)}
	}
	return nil
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
