// Package api holds what users write: the input kinds (SkillPack, SympoziumInstance, Agent,
// AgentRun, SympoziumSchedule), the CompilerConfig with its defaults, and the typed enums of both.
package api

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/distribution/reference"
	"github.com/opencontainers/go-digest"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/skillc-dev/skillc/diag"
)

// Input kinds, as SPEC §1 lists them. Field names follow the upstream Sympozium CRDs; fields that
// upstream has but that do not change what skillc emits are Opaque (accepted, ignored). Anything
// else is an unknown field and an error.

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
}

type InstanceSpec struct {
	Skills           []SkillRef                    `json:"skills"`
	Agents           *AgentsSpec                   `json:"agents"`
	ImagePullSecrets []corev1.LocalObjectReference `json:"imagePullSecrets"`

	Channels      Opaque `json:"channels"`
	PolicyRef     Opaque `json:"policyRef"`
	AuthRefs      Opaque `json:"authRefs"`
	Memory        Opaque `json:"memory"`
	Observability Opaque `json:"observability"`
	WebEndpoint   Opaque `json:"webEndpoint"`
}

type AgentsSpec struct {
	Default AgentConfig `json:"default"`
}

type AgentConfig struct {
	Model     string `json:"model"`
	BaseURL   Opaque `json:"baseURL"`
	Thinking  Opaque `json:"thinking"`
	Subagents Opaque `json:"subagents"`
}

type SkillRef struct {
	SkillPackRef string            `json:"skillPackRef"`
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
	Task             *Task                         `json:"task"`
	Skills           []SkillRef                    `json:"skills"`
	Timeout          string                        `json:"timeout"`
	ImagePullSecrets []corev1.LocalObjectReference `json:"imagePullSecrets"`
	Env              map[string]Scalar             `json:"env"`
	Model            *RunModel                     `json:"model"`

	AgentID      Opaque `json:"agentId"`
	SessionKey   Opaque `json:"sessionKey"`
	Parent       Opaque `json:"parent"`
	SystemPrompt Opaque `json:"systemPrompt"`
	ToolPolicy   Opaque `json:"toolPolicy"`
	Cleanup      Opaque `json:"cleanup"`
	DryRun       Opaque `json:"dryRun"`
	UseContext   Opaque `json:"useContext"`
}

type RunModel struct {
	Model         string `json:"model"`
	Provider      Opaque `json:"provider"`
	BaseURL       Opaque `json:"baseURL"`
	Thinking      Opaque `json:"thinking"`
	AuthSecretRef Opaque `json:"authSecretRef"`
	ModelRef      Opaque `json:"modelRef"`
}

// Schedule is a SympoziumSchedule: a recurring run of an instance. It becomes a CronJob.
type Schedule struct {
	typeMeta `json:",inline"`
	Spec     ScheduleSpec `json:"spec"`
}

type ScheduleSpec struct {
	InstanceRef       string `json:"instanceRef"`
	Schedule          string `json:"schedule"`
	Task              string `json:"task"`
	ConcurrencyPolicy string `json:"concurrencyPolicy"`
	Suspend           bool   `json:"suspend"`

	Type          Opaque `json:"type"`
	IncludeMemory Opaque `json:"includeMemory"`
}

// Task is upstream's polymorphic task: a string, or an object describing an orchestration mode.
// skillc passes either to the agent as the TASK variable (objects as compact JSON).
type Task struct {
	Text string
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
}

type ConfigImages struct {
	AgentRunner string `json:"agentRunner"`
	IPCBridge   string `json:"ipcBridge"`
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

// UnmarshalJSON keeps a string task as is and an object task as compact, key-sorted JSON.
func (t *Task) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		t.Text = s
		return nil
	}
	var obj map[string]any
	if err := json.Unmarshal(b, &obj); err != nil {
		return fmt.Errorf("task must be a string or a mapping")
	}
	out, err := json.Marshal(obj) // map keys marshal sorted: deterministic
	if err != nil {
		return err
	}
	t.Text = string(out)
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
