package schema

import (
	"fmt"
	"reflect"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/skillc-dev/skillc/api"
)

// What the decoder leaves to validation (compile/validate.go, compile/config.go), as schema. The
// hints may only narrow what the decoder accepts to what validation then accepts, never widen it;
// a hint that validation would not back is a false alarm in every editor. Where validation cannot
// be written as a schema (an image reference, a cron expression, a duration, names that must be
// unique) the schema stays looser and skillc reports it.

// fieldHint narrows one field, named by its definition and json name ("ConfigSpec.identity").
type fieldHint struct {
	Required    bool   // must be present and not null
	Enum        []any  // allowed values (null is added where the field may be null)
	Schema      object // further keywords
	Description string
	Default     any
}

// Patterns of Kubernetes' validation (k8s.io/apimachinery/pkg/util/validation and the quantity
// grammar of k8s.io/apimachinery/pkg/api/resource).
const (
	dns1123Label     = `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	dns1123Subdomain = `^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	envVarName       = `^[-._a-zA-Z][-._a-zA-Z0-9]*$`
	// A non-negative quantity, blank meaning unset (sidecar resources and ceilings skip "").
	quantityNonNeg = `^(\+?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?)?$`
	// Any quantity, as resource.Quantity's UnmarshalJSON takes it (surrounding spaces trimmed).
	quantityAny  = `^\s*(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?\s*$`
	absolutePath = `^/`
	skillName    = `^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`
	nonBlank     = `\S`
)

// unmarshalerSchemas are the types that decode themselves (UnmarshalJSON): what each accepts.
var unmarshalerSchemas = map[reflect.Type]object{
	reflect.TypeFor[api.JSONValue](): {
		"description": "Any JSON value (a JSON Schema), passed on as written.",
	},
	reflect.TypeFor[api.Task](): {
		"type":        []any{"string", "object", "null"},
		"description": "What the agent is asked to do: a string (the prompt, in TASK), or an object naming an orchestration mode (upstream v0.10.46 has sidecar-driven: {mode, tool, parameters}).",
	},
	reflect.TypeFor[resource.Quantity](): {
		"type": []any{"string", "number", "null"}, "pattern": quantityAny,
		"description": "A Kubernetes quantity (e.g. 100m, 128Mi).",
	},
	reflect.TypeFor[intstr.IntOrString](): {"type": []any{"string", "integer", "null"}},
	reflect.TypeFor[metav1.Time]():        {"type": []any{"string", "null"}, "format": "date-time"},
	reflect.TypeFor[metav1.FieldsV1]():    {}, // any JSON, kept raw
}

func quantity(what, def string) fieldHint {
	return fieldHint{
		Schema:      object{"type": []any{"string", "number"}, "pattern": quantityNonNeg, "minimum": 0},
		Description: fmt.Sprintf("%s: a non-negative Kubernetes quantity (e.g. 100m, 128Mi)%s.", what, def),
	}
}

func enum(values ...string) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}

// oneOf is a setting that skillc defaults when empty or absent.
func oneOf(values []string, def, why string) fieldHint {
	return fieldHint{
		Enum:        enum(append([]string{""}, values...)...),
		Default:     def,
		Description: fmt.Sprintf("%s One of %s; empty or absent: %s.", why, strings.Join(values, ", "), def),
	}
}

var nonEmpty = object{"type": "string", "minLength": 1}

// agentEnv is the agent's env of a run or an Agent: valid names, none of SPEC's base variables.
var agentEnv = object{"propertyNames": object{"pattern": envVarName,
	"not": object{"enum": enum("AGENT_RUN_ID", "INSTANCE_NAME", "AGENT_NAMESPACE", "TASK", "MODEL_NAME")}}}

var fieldHints = map[string]fieldHint{
	// SkillPack
	"SkillPack.spec": {Required: true},
	"Skill.name": {Required: true, Schema: object{"type": "string", "pattern": skillName, "maxLength": 64},
		Description: "1-64 lowercase letters, digits and hyphens, starting and ending with a letter or digit: the skill becomes /skills/<name>.md."},
	"Skill.content": {Required: true, Schema: object{"type": "string", "pattern": nonBlank},
		Description: "The skill's Markdown (must not be blank)."},
	"Sidecar.image": {Required: true, Schema: nonEmpty,
		Description: "The sidecar's image (required when a sidecar is declared); pin it by digest."},
	"Sidecar.imagePullPolicy":        {Enum: enum("", "Always", "IfNotPresent", "Never")},
	"Sidecar.mountWorkspace":         {Default: true, Description: "Mount the shared /workspace volume into the sidecar."},
	"Sidecar.readOnlyRootFilesystem": {Default: true},
	"Sidecar.rbac": {Schema: object{"items": object{"properties": object{"nonResourceURLs": object{"type": []any{"array", "null"}, "maxItems": 0}}}},
		Description: "Rules of a Role in the run's namespace, bound to the run's ServiceAccount (nonResourceURLs only in clusterRBAC)."},
	"Sidecar.clusterRBAC":     {Description: "Rules of a ClusterRole bound to the run's ServiceAccount."},
	"Sidecar.secretRef":       {Schema: object{"pattern": "^$|" + dns1123Subdomain, "maxLength": validation.DNS1123SubdomainMaxLength}, Description: "A Secret mounted read-only into the sidecar at secretMountPath."},
	"Sidecar.secretMountPath": {Schema: object{"pattern": "^$|" + absolutePath}, Description: "Where secretRef is mounted; empty or absent: /secrets/<secretRef>."},
	"SidecarResources.cpu":    quantity("Requests and limits of cpu", "; absent: 100m"),
	"SidecarResources.memory": quantity("Requests and limits of memory", "; absent: 128Mi"),
	"EnvVar.name": {Required: true, Schema: object{"type": "string", "pattern": envVarName,
		"not": object{"anyOf": []any{object{"const": "SYMPOZIUM_SKILL_PACK"}, object{"pattern": "^SKILL_"}}}},
		Description: "SYMPOZIUM_SKILL_PACK and SKILL_* are set by skillc itself."},
	"EnvVarSource.secretKeyRef":                        {Required: true},
	"SecretKeySelector.name":                           {Required: true, Schema: nonEmpty},
	"SecretKeySelector.key":                            {Required: true, Schema: nonEmpty},
	"PolicyRule.verbs":                                 {Required: true, Schema: object{"minItems": 1}},
	"HostAccess.enabled":                               {Description: "Without it, the other host settings are ignored (with a warning)."},
	"HostMount.hostPath":                               {Required: true, Schema: object{"type": "string", "pattern": absolutePath}},
	"HostMount.mountPath":                              {Required: true, Schema: object{"type": "string", "pattern": absolutePath}},
	"HostMount.readOnly":                               {Default: true},
	"io.k8s.api.core.v1.Volume.name":                   {Required: true, Schema: object{"type": "string", "pattern": dns1123Label, "maxLength": validation.DNS1123LabelMaxLength}},
	"io.k8s.api.core.v1.VolumeMount.name":              {Required: true, Schema: nonEmpty},
	"io.k8s.api.core.v1.VolumeMount.mountPath":         {Required: true, Schema: object{"type": "string", "pattern": absolutePath}},
	"io.k8s.api.core.v1.VolumeMount.mountPropagation":  {Enum: enum("None", "HostToContainer", "Bidirectional")},
	"io.k8s.api.core.v1.VolumeMount.recursiveReadOnly": {Enum: enum("Disabled", "IfPossible", "Enabled")},

	// SympoziumInstance, Agent, and the toggles of AgentRun
	"SkillRef.skillPackRef": {Description: "A SkillPack in the instance's namespace, else in the catalog namespace; a skillpack- prefix is stripped."},
	"SkillRef.configMapRef": {Schema: object{"pattern": "^$|" + dns1123Subdomain, "maxLength": validation.DNS1123SubdomainMaxLength},
		Description: "A ConfigMap of the run's namespace projected into /skills as it is when the run starts: skillc never reads it, so the gate cannot see it (a warning says so)."},
	"SkillRef.params": {Description: "Each becomes SKILL_<PARAM> in the sidecar (upper case, other characters _)."},

	// AgentRun
	"AgentRun.spec":            {Required: true},
	"AgentRunSpec.instanceRef": {Description: "The instance this run belongs to (or agentRef; if both, they must agree)."},
	"AgentRunSpec.agentRef":    {Description: "The Agent this run belongs to: another name of instanceRef."},
	"AgentRunSpec.skills":      {Description: "The run's toggles; empty or absent: the instance's."},
	"AgentRunSpec.timeout":     {Description: "A Go duration (5m, 1h30m); the Job's activeDeadlineSeconds is it plus 60 s (default 600)."},
	"AgentRunSpec.env":         {Schema: agentEnv},
	"AgentRunSpec.mode": {Enum: enum("", "task", "server"),
		Description: "task (the default): a Job; server: upstream's Deployment and Service."},
	"RunSandbox.imagePullPolicy": {Enum: enum("", "Always", "IfNotPresent", "Never")},
	"RunSandbox.image":           {Description: "The sandbox sidecar's image; empty or absent: the CompilerConfig's spec.images.sandbox."},
	"SeccompProfileSpec.type": {Enum: enum("RuntimeDefault", "Unconfined"),
		Description: "The pod's seccomp profile (upstream seccompProfileForPod). Localhost is refused: upstream has no field for its profile."},
	"AgentConfig.env":                {Schema: agentEnv},
	"AgentConfig.runTimeout":         {Description: "A Go duration (5m, 1h30m): the timeout of runs that set none."},
	"ObservabilitySpec.otlpProtocol": {Enum: enum("", "grpc", "http/protobuf")},

	// SympoziumSchedule
	"Schedule.spec":            {Required: true},
	"ScheduleSpec.instanceRef": {Description: "The instance this schedule runs (pre-v0.10 spelling of agentRef; if both, they must agree)."},
	"ScheduleSpec.agentRef":    {Description: "The Agent this schedule runs."},
	"ScheduleSpec.type":        {Enum: enum("", "heartbeat", "scheduled", "sweep"), Description: "Labels each run's Job (sympozium.ai/type)."},
	"ScheduleSpec.firstTick": {Enum: enum("", "immediate", "afterInterval"),
		Description: "afterInterval: the first run at the next time the schedule matches, as a CronJob does; immediate (upstream's default) cannot be pre-rendered and is warned about."},
	"ScheduleSpec.includeMemory":     {Description: "Upstream prefixes each run's task with the Agent's MEMORY.md when it fires; skillc emits the task as written (see the docs)."},
	"ScheduleSpec.schedule":          {Required: true, Schema: object{"type": "string", "pattern": nonBlank, "not": object{"pattern": "TZ"}}, Description: "A cron expression (five fields or a macro such as @daily), without a time zone."},
	"ScheduleSpec.concurrencyPolicy": {Enum: enum("", "Allow", "Forbid", "Replace")},

	// SympoziumPolicy: the CRD's required fields (api's SympoziumPolicy.Validate)
	"SandboxPolicy.required":      {Required: true, Description: "Runs of bound Agents must enable spec.sandbox (upstream's admission webhook refuses them otherwise)."},
	"AgentSandboxPolicy.required": {Required: true},
	"ToolGatingRule.tool":         {Required: true, Schema: nonEmpty},
	"ToolGatingRule.action":       {Required: true, Schema: nonEmpty, Description: "allow, deny or ask; upstream acts only on deny."},
	"EgressRule.host":             {Required: true, Schema: nonEmpty},

	// CompilerConfig
	"ConfigSpec.catalogNamespace": {Schema: object{"pattern": "^$|" + dns1123Label, "maxLength": validation.DNS1123LabelMaxLength},
		Default: api.DefaultCatalogNamespace, Description: "Where public SkillPacks live."},
	"ConfigSpec.identity":    oneOf(api.Identities, "shared", "The run's ServiceAccount: one per namespace, or one per run."),
	"ConfigSpec.sidecars":    oneOf(api.SidecarModes, "native", "Skill sidecars as native sidecars (initContainers) or plain containers."),
	"ConfigSpec.target":      oneOf(api.Targets, "plain", "The GitOps tool the output is annotated for."),
	"ConfigSpec.keepSources": {Default: false, Description: "KRM mode: pass the source objects through too."},
	"ConfigSpec.skillBudgetTokens": {Schema: object{"minimum": 0}, Default: api.DefaultSkillBudgetTokens,
		Description: "The skill text one pod may carry, in tokens; 0 or absent: the default."},
	"ConfigImages.agentRunner": {Default: api.DefaultAgentRunnerImage},
	"ConfigImages.ipcBridge":   {Default: api.DefaultIPCBridgeImage},
	"ConfigImages.sandbox":     {Default: api.DefaultSandboxImage, Description: "The image of a run's sandbox sidecar when its spec.sandbox names none."},
	"ConfigImages.mcpBridge":   {Default: api.DefaultMCPBridgeImage},
	"PolicyConfig.profile":     oneOf(api.Profiles, "baseline", "The policy profile (POLICY.md)."),
	"PolicyConfig.rules": {Schema: object{"propertyNames": object{"pattern": "^[A-Z]+-[0-9]+$"}, "additionalProperties": object{"enum": enum(api.RuleSettings...)}},
		Description: "Severity overrides by rule id (docs/rules.md): deny, warn or off. A rule no exception can waive cannot be lowered."},
	"AllowedHostPath.skillPack":  {Required: true, Schema: nonEmpty},
	"AllowedHostPath.pathPrefix": {Required: true, Schema: object{"type": "string", "pattern": absolutePath}},
	"ResourceCeilings.cpu":       {Schema: object{"type": []any{"string", "number"}, "pattern": "^$|" + quantityAny}, Description: "The highest cpu limit a sidecar may have."},
	"ResourceCeilings.memory":    {Schema: object{"type": []any{"string", "number"}, "pattern": "^$|" + quantityAny}, Description: "The highest memory limit a sidecar may have."},
}

// typeHints add keywords to a definition: what involves more than one of its fields.
var typeHints = map[string]object{
	"SkillPackSpec": {
		"anyOf": []any{
			object{"required": []any{"skills"}, "properties": object{"skills": object{"type": "array", "minItems": 1}}},
			object{"required": []any{"sidecar"}, "properties": object{"sidecar": object{"type": "object"}}},
		},
		"description": "A SkillPack needs at least one skill, or a sidecar.",
	},
	"EnvVar": {
		"not": object{"required": []any{"value", "valueFrom"},
			"properties": object{"value": object{"type": "string"}, "valueFrom": object{"type": "object"}}},
		"description": "A literal value, or valueFrom.secretKeyRef; not both.",
	},
	"PolicyRule": {
		"anyOf": []any{
			object{"required": []any{"resources", "apiGroups"}, "properties": object{
				"resources": object{"type": "array", "minItems": 1}, "apiGroups": object{"type": "array", "minItems": 1}}},
			object{"required": []any{"nonResourceURLs"}, "properties": object{
				"nonResourceURLs": object{"type": "array", "minItems": 1}, "resources": object{"type": []any{"array", "null"}, "maxItems": 0}}},
		},
		"description": "resources with apiGroups ([\"\"] for the core group), or nonResourceURLs (clusterRBAC only).",
	},
	"ScheduleSpec": {
		"anyOf": []any{
			object{"required": []any{"instanceRef"}, "properties": object{"instanceRef": nonEmpty}},
			object{"required": []any{"agentRef"}, "properties": object{"agentRef": nonEmpty}},
		},
		"description": "agentRef (or instanceRef, its pre-v0.10 spelling) names the Agent the schedule runs.",
	},
	"SkillRef": {
		"anyOf": []any{
			object{"required": []any{"skillPackRef"}, "properties": object{"skillPackRef": nonEmpty}},
			object{"required": []any{"configMapRef"}, "properties": object{"configMapRef": nonEmpty}},
		},
		"description": "A SkillPack (skillPackRef), an existing ConfigMap (configMapRef), or both.",
	},
	"AgentRunSpec": {
		"anyOf": []any{
			object{"required": []any{"instanceRef"}, "properties": object{"instanceRef": nonEmpty}},
			object{"required": []any{"agentRef"}, "properties": object{"agentRef": nonEmpty}},
		},
		"description": "instanceRef or agentRef names the instance the run belongs to.",
	},
}

// metadataHint is what validation asks of a kind's own name and namespace (checkMeta and the
// length limits of the names skillc derives from it); nil where it asks nothing (a
// CompilerConfig's name is never read).
func metadataHint(kind string) object {
	if kind == "CompilerConfig" {
		return nil
	}
	pattern, limit := dns1123Subdomain, validation.DNS1123SubdomainMaxLength
	switch kind {
	case "SkillPack": // a label value and part of container names
		pattern, limit = dns1123Label, validation.DNS1123LabelMaxLength
	case "AgentRun": // the Job's name and a label value
		limit = validation.DNS1123LabelMaxLength
	case "SympoziumSchedule": // the CronJob controller adds 11 characters to name each Job
		limit = 52
	}
	return object{
		"type":     "object",
		"required": []any{"name"},
		"properties": object{
			"name":      object{"type": "string", "minLength": 1, "maxLength": limit, "pattern": pattern},
			"namespace": object{"type": []any{"string", "null"}, "pattern": "^$|" + dns1123Label, "maxLength": validation.DNS1123LabelMaxLength},
		},
	}
}
