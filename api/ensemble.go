package api

import corev1 "k8s.io/api/core/v1"

// Ensemble is upstream's bundle of agent configs (api/v1alpha1/ensemble_types.go). compile expands
// an enabled Ensemble into the Agents and SympoziumSchedules its controller creates
// (EnsembleReconciler in internal/controller/ensemble_controller.go), which are then checked,
// resolved and gated like written ones.
type Ensemble struct {
	typeMeta `json:",inline"`
	Spec     EnsembleSpec `json:"spec"`
}

// EnsembleSpec follows upstream's EnsembleSpec; JSON names are the CRD's (excludePersonas is the
// wire name of ExcludeAgentConfigs).
type EnsembleSpec struct {
	// Enabled: upstream's default is false (catalog only): the controller stamps out nothing.
	Enabled             bool                         `json:"enabled"`
	AgentConfigs        []EnsembleAgentConfig        `json:"agentConfigs"`
	AuthRefs            []SecretRef                  `json:"authRefs"`
	ExcludeAgentConfigs []string                     `json:"excludePersonas"`
	ChannelConfigs      map[string]string            `json:"channelConfigs"`
	PolicyRef           string                       `json:"policyRef"`
	BaseURL             string                       `json:"baseURL"`
	ProviderHeaders     map[string]string            `json:"providerHeaders"`
	SkillParams         map[string]map[string]Scalar `json:"skillParams"`
	TaskOverride        string                       `json:"taskOverride"`
	// The channel settings of each channel type; their types are ChannelSpec's, into which
	// buildChannelSpec copies them.
	ChannelAccessControl map[string]*ChannelAccessControl `json:"channelAccessControl"`
	ChannelTriggers      map[string]Opaque                `json:"channelTriggers"`
	SlackOptions         *SlackChannelOptions             `json:"slackOptions"`
	ChannelVolumes       map[string][]corev1.Volume       `json:"channelVolumes"`
	ChannelVolumeMounts  map[string][]corev1.VolumeMount  `json:"channelVolumeMounts"`
	AgentSandbox         *AgentSandboxDefault             `json:"agentSandbox"`
	SharedMemory         *SharedMemorySpec                `json:"sharedMemory"`
	AutoStoreMemory      *bool                            `json:"autoStoreMemory"`
	Stimulus             *StimulusSpec                    `json:"stimulus"`
	Relationships        []EnsembleRelationship           `json:"relationships"`
	WorkflowType         string                           `json:"workflowType"`
	Volumes              []corev1.Volume                  `json:"volumes"`
	VolumeMounts         []corev1.VolumeMount             `json:"volumeMounts"`

	ProviderHeadersSecretRef Unsupported `json:"providerHeadersSecretRef" unsupported:"the controller copies the Secret's keys into each run's pod when the run starts; skillc does not read Secrets (write providerHeaders)"`
	ModelRef                 Unsupported `json:"modelRef" unsupported:"the controller waits until the Model object is Ready and takes its endpoint from the Model's status, which exists only in the cluster; write baseURL and each agentConfig's model instead"`

	// Catalog text: the controller copies none of it into what it creates.
	Description Opaque `json:"description"`
	Category    Opaque `json:"category"`
	Version     Opaque `json:"version"`
}

// EnsembleAgentConfig is one persona (upstream AgentConfigSpec): an Agent named
// <ensemble>-<name>, and a SympoziumSchedule when it has a schedule.
type EnsembleAgentConfig struct {
	Name                 string                           `json:"name"`
	DisplayName          string                           `json:"displayName"`
	SystemPrompt         string                           `json:"systemPrompt"`
	Model                string                           `json:"model"`
	Provider             string                           `json:"provider"`
	BaseURL              string                           `json:"baseURL"`
	ProviderHeaders      map[string]string                `json:"providerHeaders"`
	Skills               []string                         `json:"skills"`
	SkillParams          map[string]map[string]Scalar     `json:"skillParams"`
	ChannelConfigs       map[string]string                `json:"channelConfigs"`
	ToolPolicy           *ToolPolicy                      `json:"toolPolicy"`
	Schedule             *EnsembleSchedule                `json:"schedule"`
	Memory               *EnsembleMemory                  `json:"memory"`
	Channels             []string                         `json:"channels"`
	WebEndpoint          *EnsembleWebEndpoint             `json:"webEndpoint"`
	Lifecycle            *LifecycleHooks                  `json:"lifecycle"`
	ChannelAccessControl map[string]*ChannelAccessControl `json:"channelAccessControl"`
	ChannelTriggers      map[string]Opaque                `json:"channelTriggers"`
	SlackOptions         *SlackChannelOptions             `json:"slackOptions"`
	MCPServers           []MCPServerRef                   `json:"mcpServers"`
	Subagents            *SubagentsSpec                   `json:"subagents"`
	Env                  map[string]Scalar                `json:"env"`
	RunTimeout           string                           `json:"runTimeout"`

	ProviderHeadersSecretRef Unsupported `json:"providerHeadersSecretRef" unsupported:"the controller copies the Secret's keys into each run's pod when the run starts; skillc does not read Secrets (write providerHeaders)"`
}

// EnsembleSchedule is an agent config's recurring task (upstream AgentConfigSchedule).
type EnsembleSchedule struct {
	Type      string `json:"type"`
	Interval  string `json:"interval"`
	Cron      string `json:"cron"`
	Task      string `json:"task"`
	FirstTick string `json:"firstTick"`
}

// EnsembleMemory is an agent config's memory (upstream AgentConfigMemory).
type EnsembleMemory struct {
	Enabled   bool     `json:"enabled"`
	MaxSizeKB int      `json:"maxSizeKB"`
	AutoStore *bool    `json:"autoStore"`
	Seeds     []string `json:"seeds"`
}

// EnsembleWebEndpoint turns on the web-endpoint skill for an agent config (upstream
// AgentConfigWebEndpoint).
type EnsembleWebEndpoint struct {
	Enabled   bool           `json:"enabled"`
	Hostname  string         `json:"hostname"`
	RateLimit *RateLimitSpec `json:"rateLimit"`
}

type RateLimitSpec struct {
	RequestsPerMinute int `json:"requestsPerMinute"`
	BurstSize         int `json:"burstSize"`
}

// SharedMemorySpec is the ensemble's shared memory server. Only enabled is read: skillc refuses
// an enabled one (see compile), and a disabled one changes nothing the controller emits.
type SharedMemorySpec struct {
	Enabled     bool   `json:"enabled"`
	StorageSize Opaque `json:"storageSize"`
	AccessRules Opaque `json:"accessRules"`
	Membrane    Opaque `json:"membrane"`
}

// StimulusSpec is the prompt the controller sends, as one AgentRun of its target agent config,
// when every agent of the ensemble is ready.
type StimulusSpec struct {
	Name    string `json:"name"`
	Prompt  string `json:"prompt"`
	Trigger string `json:"trigger"`
}

// EnsembleRelationship is a directed edge between agent configs (upstream
// AgentConfigRelationship).
type EnsembleRelationship struct {
	Source    string `json:"source"`
	Target    string `json:"target"`
	Type      string `json:"type"`
	Condition string `json:"condition"`
	// Read by the controller when it starts a delegated or sequential run, at run time.
	Timeout      Opaque `json:"timeout"`
	ResultFormat Opaque `json:"resultFormat"`
}

// EnsembleMember marks an Agent that compile generated from an Ensemble: the ensemble and the
// index of the agent config in its spec.agentConfigs.
type EnsembleMember struct {
	Ensemble *Ensemble
	Config   int
}

// AgentConfig is the member's agent config.
func (m *EnsembleMember) AgentConfig() *EnsembleAgentConfig {
	return &m.Ensemble.Spec.AgentConfigs[m.Config]
}
