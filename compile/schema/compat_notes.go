package schema

// compatNotes says what skillc does with an upstream field (keys "Kind spec.path"); a note covers
// the fields under its field unless one of them has its own. Refused fields carry their reason in
// their `unsupported` tag instead. The upstream functions named are in internal/controller of
// sympozium-ai/sympozium v0.10.46.
var compatNotes = map[string]string{
	// SkillPack
	"SkillPack spec.category":                "Catalogue metadata; the controller emits nothing from it.",
	"SkillPack spec.version":                 "Catalogue metadata; also what policy exceptions match (`exceptions[].version`).",
	"SkillPack spec.source":                  "Catalogue metadata; the controller emits nothing from it.",
	"SkillPack spec.runtimeRequirements":     "Read by no upstream controller; nothing is emitted from it.",
	"SkillPack spec.skills":                  "Each skill is a key `<name>.md` of the pack's ConfigMap `skillpack-<pack>`, projected at /skills in every run that enables the pack (SkillPackReconciler, buildVolumes).",
	"SkillPack spec.skills.requires":         "Checked against what the pack's sidecar provides; not emitted upstream either.",
	"SkillPack spec.sidecar":                 "The `skill-<pack>` container of every run that enables the pack (buildContainers): a native sidecar by default, so the Job completes when the agent exits.",
	"SkillPack spec.sidecar.rbac":            "A Role and RoleBinding per run, named `sympozium-skill-<pack>-<run>` (ensureSkillRBAC), judged by the RBAC rules.",
	"SkillPack spec.sidecar.clusterRBAC":     "A ClusterRole and ClusterRoleBinding per run (ensureSkillRBAC), judged by the RBAC rules.",
	"SkillPack spec.sidecar.hostAccess":      "hostPID/hostNetwork on the pod, root or privileged for that sidecar, hostPath volumes `host-<pack>-<i>` (buildContainers, buildVolumes, derivePodHostAccess); judged by POD-* and the host-path allow-lists.",
	"SkillPack spec.sidecar.secretRef":       "A Secret volume `skill-secret-<pack>` mounted read-only into that sidecar only (buildVolumes).",
	"SkillPack spec.sidecar.secretMountPath": "Where that Secret is mounted (default /secrets/<secretRef>).",
	"SkillPack spec.sidecar.requiresServer":  "The run becomes a server: a Deployment and a Service instead of a Job (reconcilePendingServer).",
	"SkillPack spec.sidecar.ports":           "The server run's container ports and Service ports (reconcilePendingServer).",
	"SkillPack spec.sidecar.tools":           "The run's `<run>-sidecar-tools` ConfigMap, mounted read-only into the agent (buildSidecarToolsManifest, ensureSidecarToolsConfigMap).",

	// Agent
	"Agent spec.displayName":          "Shown by upstream's UI; the controller emits nothing from it.",
	"Agent spec.agents":               "The defaults of the runs this Agent's schedules create (SympoziumScheduleReconciler copies them into each run).",
	"Agent spec.agents.default.model": "MODEL_NAME of the agent container.",
	"Agent spec.skills":               "The skill toggles: runs without skills of their own inherit them (resolveAgentRunInputs).",
	"Agent spec.skills.configMapRef":  "An existing ConfigMap projected at /skills, referenced and never read: the gate warns that it cannot see its content (buildVolumes).",
	"Agent spec.skills.params":        "`SKILL_<PARAM>` env of that pack's sidecar (buildContainers).",
	"Agent spec.imagePullSecrets":     "The pod's imagePullSecrets.",
	"Agent spec.volumes":              "Volumes of the runs its schedules create (SympoziumScheduleReconciler).",
	"Agent spec.volumeMounts":         "Mounts on the agent container of those runs.",
	"Agent spec.policyRef":            "The SympoziumPolicy that binds this Agent: when it is among the inputs, skillc refuses what its admission webhook would refuse.",
	"Agent spec.authRefs":             "The model's credentials: the first Secret's provider keys as optional secretKeyRef env of the agent (resolveAuthSecret).",
	"Agent spec.memory":               "Legacy memory: the `<agent>-memory` ConfigMap, mounted read-only at /memory with MEMORY_ENABLED (reconcileMemoryConfigMap, buildVolumes).",
	"Agent spec.observability":        "OpenTelemetry env of the agent and the IPC bridge (buildObservabilityEnv).",
	"Agent spec.mcpServers":           "The mcp-discover init container, the mcp-bridge sidecar and the `<run>-mcp-servers` ConfigMap (buildContainers, ensureMCPConfigMap).",
	"Agent spec.channels":             "A channel gateway Deployment per channel (buildChannelDeployment); the channel types are the IPC bridge's ALLOWED_OUTBOUND_CHANNELS.",
	"Agent spec.webEndpoint":          "The web endpoint's server run (ensureWebEndpointAgentRun).",

	// AgentRun
	"AgentRun spec.agentRef":            "The Agent the run belongs to (`instanceRef` is the pre-v0.10 spelling).",
	"AgentRun spec.agentId":             "AGENT_ID of the agent container.",
	"AgentRun spec.sessionKey":          "SESSION_KEY of the agent container.",
	"AgentRun spec.task":                "TASK of the agent container.",
	"AgentRun spec.systemPrompt":        "SYSTEM_PROMPT of the agent container.",
	"AgentRun spec.model":               "The model env of the agent container (MODEL_PROVIDER, MODEL_NAME, MODEL_BASE_URL, THINKING_MODE, MODEL_PROVIDER_HEADERS) and its credentials (buildContainers).",
	"AgentRun spec.model.nodeSelector":  "The pod's nodeSelector.",
	"AgentRun spec.skills":              "The run's toggles (empty: the Agent's).",
	"AgentRun spec.skills.configMapRef": "An existing ConfigMap projected at /skills, referenced and never read: the gate warns that it cannot see its content.",
	"AgentRun spec.timeout":             "activeDeadlineSeconds (timeout + 60 s) and RUN_TIMEOUT (buildJob).",
	"AgentRun spec.imagePullSecrets":    "The pod's imagePullSecrets.",
	"AgentRun spec.env":                 "Env of the agent container, sorted (buildContainers).",
	"AgentRun spec.volumes":             "The pod's volumes; a name that collides with a skillc volume is refused.",
	"AgentRun spec.volumeMounts":        "Mounts on the agent container; a reserved name is refused (upstream drops it).",
	"AgentRun spec.sandbox":             "The `sandbox` container (buildContainers) and the pod's seccomp profile (seccompProfileForPod), gated like any container.",
	"AgentRun spec.agentSandbox":        "The run as an agent-sandbox Sandbox (or a SandboxClaim on a warm pool) instead of a Job (buildSandboxCR).",
	"AgentRun spec.lifecycle":           "preRun hooks as init containers, postRun hooks as a second Job, their RBAC as a Role and RoleBinding, all gated (buildContainers, buildPostRunJob, ensureLifecycleRBAC).",
	"AgentRun spec.toolPolicy":          "TOOL_POLICY_ALLOW and TOOL_POLICY_DENY of the agent container.",
	"AgentRun spec.mode":                "`server` makes the run a Deployment and a Service (reconcilePendingServer).",
	"AgentRun spec.dryRun":              "DRY_RUN of the agent container.",
	"AgentRun spec.canaryMode":          "CANARY_MODE and HOST_IP of the agent container.",
	"AgentRun spec.useContext":          "USE_CONTEXT of the agent container.",
	"AgentRun spec.cleanup":             "What the controller deletes after the run; nothing is emitted from it (the GitOps tool prunes).",

	// SympoziumSchedule
	"SympoziumSchedule spec.agentRef":          "The Agent the schedule runs (`instanceRef` is the pre-v0.10 spelling).",
	"SympoziumSchedule spec.schedule":          "The CronJob's schedule.",
	"SympoziumSchedule spec.task":              "TASK of each run.",
	"SympoziumSchedule spec.suspend":           "The CronJob's suspend.",
	"SympoziumSchedule spec.concurrencyPolicy": "The CronJob's concurrencyPolicy.",
	"SympoziumSchedule spec.firstTick":         "afterInterval is a CronJob's own behaviour; immediate (upstream's default) cannot be pre-rendered and is warned about.",
	"SympoziumSchedule spec.type":              "A label of the runs upstream creates; nothing in the pod depends on it.",
	"SympoziumSchedule spec.includeMemory":     "Upstream prefixes each run's task with the memory ConfigMap's content at run time.",
}
