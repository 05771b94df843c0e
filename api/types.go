// Package api holds what users write: the input kinds (SkillPack, SympoziumInstance, Agent,
// AgentRun, SympoziumSchedule), the CompilerConfig with its defaults, and the typed enums of both.
package api

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"

	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/skillc-dev/skillc/diag"
)

// Input kinds, as SPEC §1 lists them. Field names and shapes follow the upstream Sympozium
// v0.10.46 CRDs (config/crd/bases). Every upstream spec field is either modelled (typed here, and
// read by compile), Opaque (upstream's controller emits nothing from it), or Unsupported (refused,
// with the reason); docs/compatibility.md lists each. A few fields are skillc's own extensions,
// marked with ExtensionTag. Anything else is an unknown field.

const (
	GroupSympozium = "sympozium.ai"
	GroupSkillc    = "skillc.dev"
	// MaxSkillName is the Agent Skills limit on a skill's name (1–64 characters).
	MaxSkillName = 64
)

// ObjectMeta is the part of metadata skillc reads; the rest of a real object's metadata is accepted.
type ObjectMeta struct {
	Name            string            `json:"name"`
	Namespace       string            `json:"namespace"`
	Labels          map[string]string `json:"labels"`
	Annotations     map[string]string `json:"annotations"`
	GenerateName    Opaque            `json:"generateName"`
	UID             Opaque            `json:"uid"`
	ResourceVersion Opaque            `json:"resourceVersion"`
	Generation      Opaque            `json:"generation"`
	Creation        Opaque            `json:"creationTimestamp"`
	OwnerReferences Opaque            `json:"ownerReferences"`
	Finalizers      Opaque            `json:"finalizers"`
	ManagedFields   Opaque            `json:"managedFields"`
}

type typeMeta struct {
	APIVersion string     `json:"apiVersion"`
	Kind       string     `json:"kind"`
	Metadata   ObjectMeta `json:"metadata"`
	Status     Opaque     `json:"status"`

	Src diag.Source `json:"-"`
}

// SkillPack bundles skills (Markdown) with an optional sidecar, its RBAC and host access.
type SkillPack struct {
	typeMeta `json:",inline"`
	Spec     SkillPackSpec `json:"spec"`

	// Files are a SKILL.md package's extra files (relative path → content), mounted beside the skill.
	Files map[string][]byte `json:"-"`
}

type SkillPackSpec struct {
	Category string   `json:"category,omitempty"`
	Version  string   `json:"version,omitempty"`
	Source   string   `json:"source,omitempty"`
	Skills   []Skill  `json:"skills,omitempty"`
	Sidecar  *Sidecar `json:"sidecar,omitempty"`
	// Upstream fields that only concern the controller's own bookkeeping.
	RuntimeRequirements Opaque `json:"runtimeRequirements,omitzero"`
}

type Skill struct {
	Name        string    `json:"name,omitempty"`
	Description string    `json:"description,omitempty"`
	Content     string    `json:"content,omitempty"`
	Requires    *Requires `json:"requires,omitempty"`
}

type Requires struct {
	Bins  []string `json:"bins,omitempty"`
	Tools []string `json:"tools,omitempty"`
}

type Sidecar struct {
	Image           string               `json:"image,omitempty"`
	ImagePullPolicy string               `json:"imagePullPolicy,omitempty"`
	Command         []string             `json:"command,omitempty"`
	Env             []EnvVar             `json:"env,omitempty"`
	MountWorkspace  *bool                `json:"mountWorkspace,omitempty"`
	Resources       *SidecarResources    `json:"resources,omitempty"`
	RBAC            []PolicyRule         `json:"rbac,omitempty"`
	ClusterRBAC     []PolicyRule         `json:"clusterRBAC,omitempty"`
	SecretRef       string               `json:"secretRef,omitempty"`
	SecretMountPath string               `json:"secretMountPath,omitempty"`
	HostAccess      *HostAccess          `json:"hostAccess,omitempty"`
	Volumes         []corev1.Volume      `json:"volumes,omitempty"`
	VolumeMounts    []corev1.VolumeMount `json:"volumeMounts,omitempty"`
	// RequiresServer and Ports make a run of the pack a server: a Deployment and a Service
	// (upstream reconcilePendingServer).
	RequiresServer bool          `json:"requiresServer,omitempty"`
	Ports          []SidecarPort `json:"ports,omitempty"`
	// Tools are native tools the agent calls through the sidecar (upstream
	// buildSidecarToolsManifest).
	Tools []SidecarTool `json:"tools,omitempty"`
	// ReadOnlyRootFilesystem is a skillc extension: its tag says what it does.
	ReadOnlyRootFilesystem *bool `json:"readOnlyRootFilesystem,omitempty" skillc:"extension: unset or true, skillc mounts the task sidecar's root filesystem read-only, with an emptyDir at /tmp and HOME on a private emptyDir; false keeps the writable root upstream's controller gives it (and POD-12 warns under restricted)"`
}

// ExtensionTag is the struct tag that marks a field of an upstream kind that only skillc reads
// (a skillc extension, not a field of the upstream CRD); its value says what the field does.
// compile/schema lists these fields in docs/compatibility.md and describes them in the schemas.
const ExtensionTag = "skillc"

// ExtensionNote is what a field's ExtensionTag says, without its "extension: " marker ("" when the
// field is not a skillc extension).
func ExtensionNote(tag reflect.StructTag) string {
	note, ok := strings.CutPrefix(tag.Get(ExtensionTag), "extension: ")
	if !ok {
		return ""
	}
	return note
}

type SidecarPort struct {
	Name          string `json:"name,omitempty"`
	ContainerPort int32  `json:"containerPort,omitempty"`
	Protocol      string `json:"protocol,omitempty"`
}

type SidecarTool struct {
	Name           string   `json:"name,omitempty"`
	Description    string   `json:"description,omitempty"`
	Exec           []string `json:"exec,omitempty"`
	Subcommand     string   `json:"subcommand,omitempty"`
	InputMode      string   `json:"inputMode,omitempty"`
	PositionalArgs []string `json:"positionalArgs,omitempty"`
	// Parameters is a JSON Schema, kept as written (compact, key-sorted JSON).
	Parameters *JSONValue `json:"parameters,omitempty"`
}

type EnvVar struct {
	Name      string        `json:"name,omitempty"`
	Value     *string       `json:"value,omitempty"`
	ValueFrom *EnvVarSource `json:"valueFrom,omitempty"`
}

type EnvVarSource struct {
	SecretKeyRef *SecretKeySelector `json:"secretKeyRef,omitempty"`
}

type SecretKeySelector struct {
	Name     string `json:"name,omitempty"`
	Key      string `json:"key,omitempty"`
	Optional *bool  `json:"optional,omitempty"`
}

type SidecarResources struct {
	CPU    Scalar `json:"cpu,omitempty"`
	Memory Scalar `json:"memory,omitempty"`
}

// PolicyRule mirrors rbacv1.PolicyRule; kept separate so strict decoding reports our paths.
type PolicyRule struct {
	APIGroups       []string `json:"apiGroups,omitempty"`
	Resources       []string `json:"resources,omitempty"`
	Verbs           []string `json:"verbs,omitempty"`
	ResourceNames   []string `json:"resourceNames,omitempty"`
	NonResourceURLs []string `json:"nonResourceURLs,omitempty"`
}

type HostAccess struct {
	Enabled     bool        `json:"enabled,omitempty"`
	HostPID     bool        `json:"hostPID,omitempty"`
	HostNetwork bool        `json:"hostNetwork,omitempty"`
	RunAsRoot   bool        `json:"runAsRoot,omitempty"`
	Privileged  bool        `json:"privileged,omitempty"`
	Mounts      []HostMount `json:"mounts,omitempty"`
}

type HostMount struct {
	HostPath  string `json:"hostPath,omitempty"`
	MountPath string `json:"mountPath,omitempty"`
	ReadOnly  *bool  `json:"readOnly,omitempty"`
}

// Instance is a SympoziumInstance or its newer name, Agent: the skill toggles.
type Instance struct {
	typeMeta `json:",inline"`
	Spec     InstanceSpec `json:"spec"`

	// Ensemble is set on an Agent compile generated from an Ensemble's agent config.
	Ensemble *EnsembleMember `json:"-"`
}

type InstanceSpec struct {
	DisplayName      string                        `json:"displayName"`
	Skills           []SkillRef                    `json:"skills"`
	Agents           *AgentsSpec                   `json:"agents"`
	ImagePullSecrets []corev1.LocalObjectReference `json:"imagePullSecrets"`
	Volumes          []corev1.Volume               `json:"volumes"`
	VolumeMounts     []corev1.VolumeMount          `json:"volumeMounts"`
	Channels         []ChannelSpec                 `json:"channels"`
	PolicyRef        string                        `json:"policyRef"`
	AuthRefs         []SecretRef                   `json:"authRefs"`
	Memory           *MemorySpec                   `json:"memory"`
	Observability    *ObservabilitySpec            `json:"observability"`
	MCPServers       []MCPServerRef                `json:"mcpServers"`
	WebEndpoint      *WebEndpointSpec              `json:"webEndpoint"`
}

type AgentsSpec struct {
	Default AgentConfig `json:"default"`
}

type AgentConfig struct {
	Model                    string               `json:"model"`
	BaseURL                  string               `json:"baseURL"`
	ProviderHeaders          map[string]string    `json:"providerHeaders"`
	ProviderHeadersSecretRef Unsupported          `json:"providerHeadersSecretRef" unsupported:"the controller copies the Secret's keys into the pod when the run starts; skillc does not read Secrets (write providerHeaders, or set the headers in the Secret named by authRefs)"`
	Thinking                 string               `json:"thinking"`
	Sandbox                  *SandboxSpec         `json:"sandbox"`
	AgentSandbox             *AgentSandboxDefault `json:"agentSandbox"`
	Subagents                *SubagentsSpec       `json:"subagents"`
	RunTimeout               string               `json:"runTimeout"`
	NodeSelector             map[string]string    `json:"nodeSelector"`
	Lifecycle                *LifecycleHooks      `json:"lifecycle"`
	Env                      map[string]Scalar    `json:"env"`
}

// SandboxSpec is the sandbox sidecar of an Agent's runs (upstream SandboxSpec).
type SandboxSpec struct {
	Enabled         bool   `json:"enabled"`
	Image           string `json:"image"`
	ImagePullPolicy string `json:"imagePullPolicy"`
	// Resources is a corev1.ResourceRequirements upstream; no run creator copies the Agent's
	// sandbox into a run (a warning says so), so nothing reads it.
	Resources Opaque `json:"resources"`
}

// AgentSandboxDefault is an Agent's agent-sandbox setting (upstream AgentSandboxDefaults).
type AgentSandboxDefault struct {
	Enabled      bool          `json:"enabled"`
	RuntimeClass string        `json:"runtimeClass"`
	WarmPool     *WarmPoolSpec `json:"warmPool"`
}

type WarmPoolSpec struct {
	Size         *int   `json:"size"` // unset: the CRD's default, 2
	RuntimeClass string `json:"runtimeClass"`
	// Resources: upstream's EnsureWarmPool gives the pool's pod fixed resources.
	Resources Opaque `json:"resources"`
}

type SubagentsSpec struct {
	MaxDepth            int `json:"maxDepth"`
	MaxConcurrent       int `json:"maxConcurrent"`
	MaxChildrenPerAgent int `json:"maxChildrenPerAgent"`
}

// ResourceSpec is upstream's requests and limits as plain maps (cpu, memory).
type ResourceSpec struct {
	Requests map[string]Scalar `json:"requests"`
	Limits   map[string]Scalar `json:"limits"`
}

// LifecycleHooks are containers run before (init containers) and after (a second Job) the agent,
// with their own RBAC (upstream LifecycleHooks).
type LifecycleHooks struct {
	PreRun      []HookContainer `json:"preRun"`
	PostRun     []HookContainer `json:"postRun"`
	RBAC        []PolicyRule    `json:"rbac"`
	GateDefault string          `json:"gateDefault"`
}

type HookContainer struct {
	Name            string   `json:"name"`
	Image           string   `json:"image"`
	ImagePullPolicy string   `json:"imagePullPolicy"`
	Command         []string `json:"command"`
	Args            []string `json:"args"`
	Env             []EnvVar `json:"env"`
	Timeout         string   `json:"timeout"`
	Gate            bool     `json:"gate"`
}

type SecretRef struct {
	Provider string `json:"provider"`
	Secret   string `json:"secret"`
}

type ChannelSpec struct {
	Type      string    `json:"type"`
	ConfigRef SecretRef `json:"configRef"`
	// AccessControl and Slack also steer upstream's channel router at run time; what of them
	// reaches the Slack gateway's env is modelled. Triggers only steer the router.
	AccessControl *ChannelAccessControl `json:"accessControl"`
	Triggers      Opaque                `json:"triggers"`
	Slack         *SlackChannelOptions  `json:"slack"`
	Volumes       []corev1.Volume       `json:"volumes"`
	VolumeMounts  []corev1.VolumeMount  `json:"volumeMounts"`
}

// ChannelAccessControl is upstream's; the Slack gateway gets the sender and chat lists as env
// (buildChannelDeployment), the router applies all of it at run time.
type ChannelAccessControl struct {
	AllowedSenders []string `json:"allowedSenders"`
	DeniedSenders  []string `json:"deniedSenders"`
	AllowedChats   []string `json:"allowedChats"`
	DenyMessage    Opaque   `json:"denyMessage"` // the router's reply to a rejected sender
}

// SlackChannelOptions is upstream's; the reaction emojis are the router's (channel_reactions.go).
type SlackChannelOptions struct {
	Threading        bool     `json:"threading"`
	ThreadStickiness bool     `json:"threadStickiness"`
	AllowedTriggers  []string `json:"allowedTriggers"`
	EmojiOnTrigger   Opaque   `json:"emojiOnTrigger"`
	EmojiOnStop      Opaque   `json:"emojiOnStop"`
	EmojiOnStart     Opaque   `json:"emojiOnStart"`
}

type MemorySpec struct {
	Enabled      bool   `json:"enabled"`
	MaxSizeKB    int    `json:"maxSizeKB"`
	AutoStore    *bool  `json:"autoStore"`
	SystemPrompt string `json:"systemPrompt"`
}

type ObservabilitySpec struct {
	Enabled            bool              `json:"enabled"`
	OTLPEndpoint       string            `json:"otlpEndpoint"`
	OTLPProtocol       string            `json:"otlpProtocol"`
	ServiceName        string            `json:"serviceName"`
	Headers            map[string]string `json:"headers"`
	HeadersSecretRef   string            `json:"headersSecretRef"`
	SamplingRatio      string            `json:"samplingRatio"`
	ResourceAttributes map[string]string `json:"resourceAttributes"`
}

type MCPServerRef struct {
	Name        string            `json:"name"`
	URL         string            `json:"url"`
	ToolsPrefix string            `json:"toolsPrefix"`
	Timeout     int               `json:"timeout"`
	AuthSecret  string            `json:"authSecret"`
	AuthKey     string            `json:"authKey"`
	Headers     map[string]string `json:"headers"`
	ToolsAllow  []string          `json:"toolsAllow"`
	ToolsDeny   []string          `json:"toolsDeny"`
}

// WebEndpointSpec is written by upstream's TUI, but no v0.10.46 controller reads it: the web
// endpoint comes from toggling the web-endpoint SkillPack (reconcileWebEndpoint), configured by
// that toggle's params. Enabled is checked against the toggle; the rest is refused.
type WebEndpointSpec struct {
	Enabled       bool        `json:"enabled"`
	Hostname      Unsupported `json:"hostname" unsupported:"upstream's controller never reads it: the web endpoint's hostname is the web-endpoint skill's param hostname (spec.skills[].params.hostname)"`
	AuthSecretRef Unsupported `json:"authSecretRef" unsupported:"upstream's controller never reads it: the web endpoint's API key Secret is the web-endpoint skill's param auth_secret_ref (spec.skills[].params.auth_secret_ref)"`
	RateLimit     Unsupported `json:"rateLimit" unsupported:"upstream's controller never reads it: the web endpoint's rate limit is the web-endpoint skill's params rate_limit_rpm and rate_limit_burst"`
}

type SkillRef struct {
	SkillPackRef string `json:"skillPackRef"`
	// ConfigMapRef mounts an existing ConfigMap's keys as skills: referenced, never read.
	ConfigMapRef string            `json:"configMapRef"`
	Params       map[string]Scalar `json:"params"`
}

// AgentRun is one run of an instance: it becomes a Job.
type AgentRun struct {
	typeMeta `json:",inline"`
	Spec     AgentRunSpec `json:"spec"`
}

type AgentRunSpec struct {
	InstanceRef      string                        `json:"instanceRef"`
	AgentRef         string                        `json:"agentRef"`
	AgentID          string                        `json:"agentId"`
	SessionKey       string                        `json:"sessionKey"`
	Task             *Task                         `json:"task"`
	SystemPrompt     string                        `json:"systemPrompt"`
	Skills           []SkillRef                    `json:"skills"`
	Timeout          string                        `json:"timeout"`
	ImagePullSecrets []corev1.LocalObjectReference `json:"imagePullSecrets"`
	Env              map[string]Scalar             `json:"env"`
	Model            *RunModel                     `json:"model"`
	Sandbox          *RunSandbox                   `json:"sandbox"`
	AgentSandbox     *RunAgentSandbox              `json:"agentSandbox"`
	ToolPolicy       *ToolPolicy                   `json:"toolPolicy"`
	Mode             string                        `json:"mode"`
	DryRun           bool                          `json:"dryRun"`
	CanaryMode       bool                          `json:"canaryMode"`
	UseContext       *bool                         `json:"useContext"`
	Lifecycle        *LifecycleHooks               `json:"lifecycle"`
	Volumes          []corev1.Volume               `json:"volumes"`
	VolumeMounts     []corev1.VolumeMount          `json:"volumeMounts"`

	Parent  Unsupported `json:"parent" unsupported:"the controller sets it on the sub-agent runs it spawns; a run from Git has no parent run"`
	Cleanup Opaque      `json:"cleanup"`
}

type RunModel struct {
	Model                    string            `json:"model"`
	Provider                 string            `json:"provider"`
	BaseURL                  string            `json:"baseURL"`
	Thinking                 string            `json:"thinking"`
	AuthSecretRef            string            `json:"authSecretRef"`
	ProviderHeaders          map[string]string `json:"providerHeaders"`
	ProviderHeadersSecretRef Unsupported       `json:"providerHeadersSecretRef" unsupported:"the controller copies the Secret's keys into the pod when the run starts; skillc does not read Secrets (write providerHeaders instead)"`
	ModelRef                 Unsupported       `json:"modelRef" unsupported:"the controller resolves a Model object's endpoint from its status at run time; write baseURL instead"`
	NodeSelector             map[string]string `json:"nodeSelector"`
}

// RunSandbox is an AgentRun's sandbox sidecar (upstream AgentRunSandboxSpec).
type RunSandbox struct {
	Enabled         bool                    `json:"enabled"`
	Image           string                  `json:"image"`
	ImagePullPolicy string                  `json:"imagePullPolicy"`
	SecurityContext *SandboxSecurityContext `json:"securityContext"`
	Resources       *ResourceSpec           `json:"resources"`
}

type SandboxSecurityContext struct {
	ReadOnlyRootFilesystem bool                `json:"readOnlyRootFilesystem"`
	RunAsNonRoot           bool                `json:"runAsNonRoot"`
	Capabilities           *CapabilitiesSpec   `json:"capabilities"`
	SeccompProfile         *SeccompProfileSpec `json:"seccompProfile"`
}

type CapabilitiesSpec struct {
	Drop []string `json:"drop"`
}

type SeccompProfileSpec struct {
	Type string `json:"type"`
}

// RunAgentSandbox runs the pod as an agent-sandbox Sandbox instead of a Job (upstream
// AgentSandboxSpec).
type RunAgentSandbox struct {
	Enabled      bool   `json:"enabled"`
	RuntimeClass string `json:"runtimeClass"`
	WarmPoolRef  string `json:"warmPoolRef"`
	// Resources: upstream's controller reads no resources of the sandbox (buildSandboxCR copies the
	// run's pod, whose containers keep their own).
	Resources Opaque `json:"resources"`
}

type ToolPolicy struct {
	Allow []string `json:"allow"`
	Deny  []string `json:"deny"`
}

// Schedule is a SympoziumSchedule: a recurring run of an instance. It becomes a CronJob.
type Schedule struct {
	typeMeta `json:",inline"`
	Spec     ScheduleSpec `json:"spec"`
}

type ScheduleSpec struct {
	InstanceRef       string `json:"instanceRef"`
	AgentRef          string `json:"agentRef"`
	FirstTick         string `json:"firstTick"`
	Schedule          string `json:"schedule"`
	Task              string `json:"task"`
	ConcurrencyPolicy string `json:"concurrencyPolicy"`
	Suspend           bool   `json:"suspend"`

	// Type labels each run (heartbeat, scheduled or sweep); upstream's default is scheduled.
	Type string `json:"type"`
	// IncludeMemory: upstream prefixes each run's task with the Agent's memory when it fires
	// (default true).
	IncludeMemory *bool `json:"includeMemory"`
}

// Ref is the instance a schedule runs: agentRef (v0.10), or instanceRef (its pre-v0.10 spelling),
// with the field that named it.
func (s *ScheduleSpec) Ref() (name, field string) {
	if s.InstanceRef == "" {
		return s.AgentRef, "spec.agentRef"
	}
	return s.InstanceRef, "spec.instanceRef"
}

// Ref is the instance a run belongs to: agentRef (v0.10), or instanceRef (pre-v0.10).
func (s *AgentRunSpec) Ref() (name, field string) {
	if s.InstanceRef == "" {
		return s.AgentRef, "spec.agentRef"
	}
	return s.InstanceRef, "spec.instanceRef"
}

// Task is upstream's polymorphic task (TaskSpec): a string, the prompt passed in TASK, or an
// object naming an orchestration mode, which leaves TASK empty (upstream GetPrompt).
type Task struct {
	// Text is the string form's prompt ("" for the object form).
	Text string
	// Object is set for the object form: Mode, Tool and Parameters as upstream decodes them,
	// and the keys upstream's decoder ignores (sorted), so that they can be refused.
	Object     bool
	Mode       string
	Tool       string
	Parameters map[string]string
	Ignored    []string
}

// CompilerConfig holds the platform's settings (SPEC §3b). It is also the KRM functionConfig.
type CompilerConfig struct {
	typeMeta `json:",inline"`
	Spec     ConfigSpec `json:"spec"`
}

type ConfigSpec struct {
	CatalogNamespace  string       `json:"catalogNamespace"`
	Images            ConfigImages `json:"images"`
	Identity          Identity     `json:"identity"`
	Sidecars          SidecarMode  `json:"sidecars"`
	Target            Target       `json:"target"`
	KeepSources       bool         `json:"keepSources"`
	SkillBudgetTokens int          `json:"skillBudgetTokens"`
	Policy            PolicyConfig `json:"policy"`
	// Tenants, when set, confine each team's sources to its paths and namespaces (TEN-01).
	Tenants []Tenant `json:"tenants,omitempty"`
	// ProtectedNamespaces take nothing emitted for an instance, run or schedule (TEN-02), beside
	// kube-system, kube-public and kube-node-lease. Unset: the catalog namespace, argocd and
	// flux-system; [] protects only the three system namespaces.
	ProtectedNamespaces []string `json:"protectedNamespaces"`
	// Limits bound the work a compile may do for inputs the platform does not write.
	Limits ConfigLimits `json:"limits"`
}

// ConfigLimits are ceilings on the work untrusted inputs can cause.
type ConfigLimits struct {
	// MaxObjects is the most objects one compile emits (default 200,000): a few lines of YAML
	// (many runs of an instance that enables many packs) can expand to hundreds of thousands.
	// Past it the compile is refused, at the run whose objects crossed it.
	MaxObjects int `json:"maxObjects"`
	// PolicyTimeout bounds evaluating the rules of policy folders (--policy, spec.policy.paths),
	// a Go duration such as "10s" (the default): a pull request may bring those rules.
	PolicyTimeout string `json:"policyTimeout"`
}

type ConfigImages struct {
	AgentRunner string `json:"agentRunner"`
	IPCBridge   string `json:"ipcBridge"`
	// Sandbox is the image of a run's sandbox sidecar when its spec.sandbox names none
	// (upstream's imageRef("sandbox")).
	Sandbox string `json:"sandbox"`
	// MCPBridge runs the mcp-discover init container and the mcp-bridge sidecar of an Agent with
	// spec.mcpServers (upstream buildContainers).
	MCPBridge string `json:"mcpBridge"`
	// Channels is the gateway image of each channel type (upstream's controller runs
	// $SYMPOZIUM_IMAGE_REGISTRY/channel-<type>:<its tag>). A type without an image is refused.
	Channels map[string]string `json:"channels"`
}

type PolicyConfig struct {
	Profile            Profile           `json:"profile"`
	AllowedRegistries  []string          `json:"allowedRegistries"`
	AllowedHostPaths   []AllowedHostPath `json:"allowedHostPaths"`
	HostNamespaceAllow []HostNamespaceOK `json:"hostNamespaceAllow"`
	RunAsRootAllow     []string          `json:"runAsRootAllow"`
	PrivilegedAllow    []string          `json:"privilegedAllow"`
	ResourceCeilings   *ResourceCeilings `json:"resourceCeilings"`
	Exceptions         []PolicyException `json:"exceptions"`
	// Rules override rule severities, by rule id: deny, warn or off. The platform's setting, like
	// the exceptions: raising is always allowed; a rule no exception can waive cannot be lowered,
	// and a finding no exception could waive keeps its severity.
	Rules map[string]RuleSetting `json:"rules,omitempty"`
	// Paths are folders of conftest-style Rego policies, relative to the kustomization or kpt
	// package (skillc fn, skillc build): the --policy of a function that has no arguments (a
	// container). Absolute paths, `..` and symlinks are refused: the package is not trusted.
	Paths []string `json:"paths,omitempty"`
}

type AllowedHostPath struct {
	SkillPack  string `json:"skillPack"`
	PathPrefix string `json:"pathPrefix"`
	ReadOnly   *bool  `json:"readOnly"`
}

type HostNamespaceOK struct {
	SkillPack   string `json:"skillPack"`
	HostPID     bool   `json:"hostPID"`
	HostNetwork bool   `json:"hostNetwork"`
}

type ResourceCeilings struct {
	CPU    Scalar `json:"cpu"`
	Memory Scalar `json:"memory"`
}

type PolicyException struct {
	ID            string   `json:"id"`
	Rules         []string `json:"rules"`
	SkillPack     string   `json:"skillPack"`
	Version       string   `json:"version"`
	ImageDigest   string   `json:"imageDigest"`
	Owner         string   `json:"owner"`
	Justification string   `json:"justification"`
	Expires       string   `json:"expires"`
}

// UnmarshalJSON reads a string task as its prompt and an object task as upstream's TaskSpec does
// (UnmarshalJSON in api/v1alpha1/taskspec.go): mode and tool when they are strings, parameters a
// mapping of strings (anything else is refused, as upstream refuses it).
func (t *Task) UnmarshalJSON(b []byte) error {
	*t = Task{}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		t.Text = s
		return nil
	}
	var obj map[string]any
	if err := json.Unmarshal(b, &obj); err != nil {
		return fmt.Errorf("task must be a string or a mapping")
	}
	t.Object = true
	t.Mode, _ = obj["mode"].(string)
	t.Tool, _ = obj["tool"].(string)
	switch p := obj["parameters"].(type) {
	case nil:
	case map[string]any:
		t.Parameters = make(map[string]string, len(p))
		for k, v := range p {
			s, ok := v.(string)
			if !ok {
				return fmt.Errorf("task.parameters.%s must be a string, as upstream's TaskSpec requires", k)
			}
			t.Parameters[k] = s
		}
	default:
		return fmt.Errorf("task.parameters must be a mapping of strings, as upstream's TaskSpec requires")
	}
	for k := range obj {
		switch k {
		case "mode", "tool", "parameters":
		default:
			t.Ignored = append(t.Ignored, k)
		}
	}
	slices.Sort(t.Ignored)
	return nil
}

// maxQuantity is the largest value a Kubernetes quantity holds: resource.ParseQuantity silently
// clamps anything larger (8Ei, 99999999999999999999Ei) to it, so a value at the cap cannot be told
// from an overflow and is refused.
var maxQuantity = resource.NewQuantity(math.MaxInt64, resource.DecimalSI)

// ParseQuantity parses a resource quantity the way the API server does and refuses what it would
// refuse (negative values: ValidateNonnegativeQuantity in kubernetes pkg/apis/core/validation) or
// silently change (values the int64 behind a Quantity cannot hold). milli is true for resources
// read in thousandths (cpu: the kubelet converts with MilliValue), which overflow 1000 times sooner.
func ParseQuantity(s string, milli bool) (resource.Quantity, error) {
	q, err := resource.ParseQuantity(s)
	if err != nil {
		return q, err
	}
	return q, CheckQuantity(q, milli)
}

// Limits of CheckQuantity, built once.
var (
	maxMilliQuantity = resource.NewMilliQuantity(math.MaxInt64, resource.DecimalSI)
)

// CheckQuantity refuses a parsed quantity that is negative or at the int64 cap (see ParseQuantity).
func CheckQuantity(q resource.Quantity, milli bool) error {
	if q.Sign() < 0 {
		return fmt.Errorf("must not be negative")
	}
	limit := maxQuantity
	if milli {
		limit = maxMilliQuantity
	}
	if q.Cmp(*limit) >= 0 {
		return fmt.Errorf("is too large: Kubernetes quantities hold at most %s (larger values are silently clamped)", limit)
	}
	return nil
}

// ParseImage checks an image reference with the parser container runtimes use
// (distribution/reference.ParseNormalizedNamed, as kubelet and containerd call it). The API server
// only refuses leading or trailing spaces; anything else invalid would fail every pull at run time.
func ParseImage(ref string) error {
	if ref != strings.TrimSpace(ref) {
		return fmt.Errorf("must not have leading or trailing whitespace")
	}
	if _, err := reference.ParseNormalizedNamed(ref); err != nil {
		if _, dgst, ok := strings.Cut(ref, "@"); ok {
			if derr := digest.Digest(dgst).Validate(); derr != nil {
				return fmt.Errorf("%v: digest %q: %v (a sha256 digest is 64 hex characters)", err, dgst, derr)
			}
		}
		return err
	}
	return nil
}

// Unsupported marks an upstream CRD field skillc refuses. Its zero values (null, false, "", [],
// {}) are accepted, as written by tools that print defaults; any other value is an input error
// naming the field as upstream's, with the reason in the field's `unsupported` tag.
type Unsupported struct{}

// JSONValue keeps any YAML value as compact, key-sorted JSON (a schema, passed on as written).
type JSONValue struct {
	Raw string
}

// UnmarshalJSON keeps the value re-encoded: map keys marshal sorted, so the text is deterministic.
func (j *JSONValue) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	out, err := json.Marshal(v)
	if err != nil {
		return err
	}
	j.Raw = string(out)
	return nil
}

// Opaque accepts any YAML value and keeps nothing. It marks upstream CRD fields that skillc knows
// about but that do not change the compiled objects, so real manifests decode strictly without them
// being errors.
type Opaque struct{}

// Scalar accepts any YAML scalar (string, number, bool) and keeps its literal text. Used where the
// upstream schema is int-or-string (quantities) or where users reasonably write numbers (params).
type Scalar string

// CheckQuantities checks the cpu and memory quantities under prefix (either may be empty: unset)
// with ParseQuantity: malformed, negative or past the int64 cap is an input error at its line.
// Shared by sidecar resources and the CompilerConfig's resource ceilings.
func CheckQuantities(src diag.Source, prefix string, cpu, memory Scalar) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, r := range []struct {
		field string
		q     Scalar
	}{{"cpu", cpu}, {"memory", memory}} {
		if r.q == "" {
			continue
		}
		if _, err := ParseQuantity(string(r.q), r.field == "cpu"); err != nil {
			diags = append(diags, src.Diag(prefix+"."+r.field, "invalid quantity %q: %v", r.q, err))
		}
	}
	return diags
}
