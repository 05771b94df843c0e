package compile

import (
	"strconv"

	"github.com/skillc-dev/skillc/api"
)

// The names skillc gives what it emits, and the label keys it sets, in one place: the builders,
// the policy gate, the permission model and explain use these, and policy/names.rego is generated
// from them (cmd/skillc-gen-rego), so that no consumer keeps a copy that could drift.

// Labels every object carries, and the Sympozium labels the seed's controller sets.
const (
	LabelManagedBy      = "app.kubernetes.io/managed-by"
	ManagedBySkillc     = "skillc"
	LabelComponent      = "sympozium.ai/component"
	LabelSkillPack      = "sympozium.ai/skillpack"
	LabelAgentRun       = "sympozium.ai/agent-run"
	LabelSchedule       = "sympozium.ai/schedule"
	LabelInstance       = "sympozium.ai/instance"
	LabelSkill          = "sympozium.ai/skill"
	LabelSympoziumOwner = "sympozium.ai/managed-by"
	// AnnotationSkillPacks names, on a Job or CronJob skillc compiled (and a pack's Role or
	// ClusterRole: its one pack), the identity
	// (namespace/name) of each pack whose sidecar runs in its pod, in container order: the gate
	// and conftest match allow-lists by identity, never by a container's bare name, which a
	// tenant's private pack can share with a catalog pack. The gate strips it from objects it did
	// not compile.
	AnnotationSkillPacks = "skillc.dev/skillpacks"
)

// Values of LabelComponent and LabelSympoziumOwner.
const (
	ComponentAgentRun  = "agent-run"
	ComponentSkillPack = "skillpack"
	OwnerSympozium     = "sympozium"
)

// Names of the pod's own containers and volumes, and the prefixes of the names derived from a
// pack's name (ContainerName, SecretVolumeName, HomeVolumeName, HostVolumeName, ConfigMapName, RBACName,
// ServiceAccountName).
const (
	AgentContainer     = "agent"
	IPCBridgeContainer = "ipc-bridge"
	// TokenVolume is the projected service-account token skillc adds with --identity per-run.
	TokenVolume = "kube-api-access"
	// SharedServiceAccount is the seed's one identity per namespace for every run.
	SharedServiceAccount = "sympozium-agent"

	ContainerPrefix      = "skill-"
	SecretVolumePrefix   = "skill-secret-"
	HomeVolumePrefix     = "skill-home-"
	HostVolumePrefix     = "host-"
	ConfigMapPrefix      = "skillpack-"
	RBACPrefix           = "sympozium-skill-"
	RunServiceAcctPrefix = "sympozium-run-"
)

// The pod's own volumes: scratch space, the IPC channel and the skills projection.
const (
	VolumeWorkspace = "workspace"
	VolumeIPC       = "ipc"
	VolumeTmp       = "tmp"
	VolumeSkills    = "skills"
	// VolumeMemory is the Agent's legacy memory ConfigMap, when it has memory enabled.
	VolumeMemory = "memory"
)

// UpstreamReservedVolumes are the names upstream's controller keeps for its own volumes and
// drops from anything a user declares (reservedVolumeNames in agentrun_controller.go): skillc
// refuses them instead.
var UpstreamReservedVolumes = []string{VolumeWorkspace, VolumeIPC, VolumeSkills, VolumeTmp, VolumeMemory, "mcp-config", "sidecar-tools"}

// PodVolumes are the volumes every pod has, whoever mounts them.
var PodVolumes = []string{VolumeWorkspace, VolumeIPC, VolumeTmp, VolumeSkills}

// ContainerName is a pack's sidecar container.
func ContainerName(pack string) string { return ContainerPrefix + pack }

// SecretVolumeName is the volume of a pack's sidecar.secretRef.
func SecretVolumeName(pack string) string { return SecretVolumePrefix + pack }

// HomeVolumeName is the private emptyDir a pack's sidecar keeps its HOME on when its root
// filesystem is read-only.
func HomeVolumeName(pack string) string { return HomeVolumePrefix + pack }

// HostVolumeName is the volume of a pack's i-th hostAccess mount.
func HostVolumeName(pack string, i int) string {
	return HostVolumePrefix + pack + "-" + strconv.Itoa(i)
}

// ConfigMapName is the ConfigMap a pack's skills live in, as the seed's controller names it.
func ConfigMapName(pack string) string { return ConfigMapPrefix + pack }

// RBACName is the seed's name for a pack's per-run (or per-schedule) Role, ClusterRole and their
// bindings.
func RBACName(pack, run string) string { return RBACPrefix + pack + "-" + run }

// ServiceAccountName is the identity a pod runs as: shared, or one per run so that concurrent
// runs never hold the union of each other's permissions.
func ServiceAccountName(identity api.Identity, run string) string {
	if identity == api.IdentityPerRun {
		return RunServiceAcctPrefix + run
	}
	return SharedServiceAccount
}

// Lifecycle hooks (upstream LifecycleHooks): the names upstream's controller gives a run's hook
// containers, their Role and binding, the postRun Job and the workspace claim it shares with the
// agent's Job, and the LabelComponent values of those objects.
const (
	PreRunContainerPrefix  = "pre-"
	PostRunContainerPrefix = "post-"
	LifecycleRBACPrefix    = "sympozium-lifecycle-"
	ComponentLifecycle     = "lifecycle"
	ComponentPostRun       = "post-run"
	ComponentWorkspace     = "workspace"
)

// LifecycleRBACName is a run's (or schedule's) lifecycle Role and RoleBinding (ensureLifecycleRBAC).
func LifecycleRBACName(run string) string { return LifecycleRBACPrefix + run }

// PostRunJobName is the Job that runs a run's postRun hooks (buildPostRunJob).
func PostRunJobName(run string) string { return run + "-postrun" }

// WorkspaceClaimName is the claim a run with postRun hooks keeps its /workspace on
// (ensureWorkspacePVC), so that the postRun Job reads what the agent wrote.
func WorkspaceClaimName(run string) string { return run + "-workspace" }
