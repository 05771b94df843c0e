package schema

import "maps"

// compatNotes says what skillc does with an upstream field (keys "Kind spec.path"); a note covers
// the fields under its field unless one of them has its own. Refused fields carry their reason in
// their `unsupported` tag instead. The upstream functions named are in internal/controller of
// sympozium-ai/sympozium v0.10.46 (the webhook's in internal/webhook/policy_enforcer.go). A field
// that is accepted but changes nothing skillc emits says why (and whether a warning says so).
var compatNotes = merge(
	skillPackNotes, agentNotes, agentRunNotes, scheduleNotes, ensembleNotes, policyNotes,
	// Lifecycle hooks: a run's own, an Agent's (copied into the runs its schedules create) and an
	// Ensemble agent config's (the generated Agent's) share these.
	hookNotes("AgentRun spec.lifecycle"),
	hookNotes("Agent spec.agents.default.lifecycle"),
	hookNotes("Ensemble spec.agentConfigs.lifecycle"),
)

var skillPackNotes = map[string]string{
	"SkillPack spec.category":                "Catalogue metadata, read by no upstream controller: nothing is emitted from it.",
	"SkillPack spec.source":                  "Catalogue metadata, read by no upstream controller: nothing is emitted from it.",
	"SkillPack spec.version":                 "Catalogue metadata upstream emits nothing from; what policy exceptions match (`exceptions[].version`).",
	"SkillPack spec.runtimeRequirements":     "Read by no upstream controller: nothing is emitted from it.",
	"SkillPack spec.skills":                  "Each skill is a key `<name>.md` of the pack's ConfigMap `skillpack-<pack>` (the description as a heading before the content), projected at /skills in every run that enables the pack (SkillPackReconciler, buildVolumes).",
	"SkillPack spec.skills.requires":         "Read by no upstream controller, nor by skillc: nothing is emitted from it.",
	"SkillPack spec.sidecar":                 "The `skill-<pack>` container of every task run that enables the pack (buildContainers): a native sidecar by default, so the Job completes when the agent exits (the CompilerConfig's `sidecars: containers` makes it a plain container, as upstream's).",
	"SkillPack spec.sidecar.resources":       "The sidecar's requests and limits, both (default 100m/128Mi, buildContainers); a server's limits are upstream's fixed 500m/256Mi.",
	"SkillPack spec.sidecar.env":             "Env of the sidecar, before `SKILL_<PARAM>` of the toggle's params; SKILL_*, SYMPOZIUM_SKILL_PACK and loader-steering names are refused.",
	"SkillPack spec.sidecar.rbac":            "A Role and RoleBinding `sympozium-skill-<pack>-<run>` per run (ensureSkillRBAC), judged by the RBAC rules; a task run that drops a requiresServer sidecar drops its RBAC too.",
	"SkillPack spec.sidecar.clusterRBAC":     "A ClusterRole and ClusterRoleBinding `sympozium-skill-<pack>-<run>` per run (ensureSkillRBAC), judged by the RBAC rules.",
	"SkillPack spec.sidecar.hostAccess":      "hostPID/hostNetwork on the pod, root or privileged for that sidecar, hostPath volumes `host-<pack>-<i>` (buildContainers, buildVolumes, derivePodHostAccess); judged by POD-* and the host-path allow-lists. Settings under `enabled: false` are warned about.",
	"SkillPack spec.sidecar.secretRef":       "A Secret volume `skill-secret-<pack>` mounted read-only into that sidecar only (buildVolumes).",
	"SkillPack spec.sidecar.secretMountPath": "Where that Secret is mounted (default /secrets/<secretRef>).",
	"SkillPack spec.sidecar.requiresServer":  "The sidecar runs only in server runs (`mode: server`, or the web endpoint's), as the one container of their Deployment; task runs drop it (prepareTaskPrerequisites). Fields a server container never reads (command, secretRef, hostAccess, volumes, tools) are refused beside it.",
	"SkillPack spec.sidecar.ports":           "The server Deployment's container ports and its Service's ports (reconcilePendingServer); refused without requiresServer.",
	"SkillPack spec.sidecar.tools":           "The run's `<run>-sidecar-tools` ConfigMap, mounted read-only into the agent (buildSidecarToolsManifest, ensureSidecarToolsConfigMap); an object task's tool runs its `exec` and `subcommand` in this sidecar (sidecar-driven mode).",
}

var agentNotes = map[string]string{
	"Agent spec.displayName": "Shown by upstream's UI; read by no controller: nothing is emitted from it.",
	"Agent spec.agents":      "The defaults of the runs the Agent's controllers create; what each reaches is said per field.",

	"Agent spec.agents.default.model":                              "MODEL_NAME of every run of the Agent that names no model of its own.",
	"Agent spec.agents.default.baseURL":                            "MODEL_BASE_URL of the runs its schedules create (SympoziumScheduleReconciler), and the provider resolveProvider guesses from it; not of AgentRuns written for it.",
	"Agent spec.agents.default.providerHeaders":                    "MODEL_PROVIDER_HEADERS (JSON) of the runs its schedules create; not of AgentRuns written for it.",
	"Agent spec.agents.default.thinking":                           "THINKING_MODE of the runs its schedules create; not of AgentRuns written for it.",
	"Agent spec.agents.default.nodeSelector":                       "The pod's nodeSelector in the runs its schedules create and in its web endpoint's Deployment; not in AgentRuns written for it.",
	"Agent spec.agents.default.env":                                "Env of the agent container in the runs its schedules create (forwarded to their hooks too); not in AgentRuns written for it. A name skillc also derives is refused.",
	"Agent spec.agents.default.runTimeout":                         "RUN_TIMEOUT and activeDeadlineSeconds (+60 s) of every run of the Agent without its own timeout (resolveAgentRunInputs); an invalid duration is refused (upstream drops it).",
	"Agent spec.agents.default.sandbox":                            "Warned: upstream copies it into no run (no creator of runs reads it), so nothing is emitted; set spec.sandbox on the AgentRun.",
	"Agent spec.agents.default.agentSandbox":                       "With `enabled` and a warmPool, the SandboxWarmPool `wp-<agent>`: the agent runner asleep, its pod gated (EnsureWarmPool, which v0.10.46 defines but never calls; warned: kubernetes-sigs/agent-sandbox serves the kind in another group).",
	"Agent spec.agents.default.agentSandbox.enabled":               "Gates the warm pool; warned: runs do not inherit it (reconcilePending reads each run's own spec.agentSandbox), so they stay Jobs.",
	"Agent spec.agents.default.agentSandbox.runtimeClass":          "The warm pool's runtimeClassName when warmPool names none; runs do not inherit it.",
	"Agent spec.agents.default.agentSandbox.warmPool.size":         "The warm pool's spec.size (the CRD's default, 2).",
	"Agent spec.agents.default.agentSandbox.warmPool.runtimeClass": "The warm pool's runtimeClassName.",
	"Agent spec.agents.default.agentSandbox.warmPool.resources":    "EnsureWarmPool gives the pool's pod fixed resources (requests 250m/512Mi, limits 1/1Gi) whatever this says: nothing is emitted from it.",
	"Agent spec.agents.default.subagents":                          "SUBAGENTS_MAX_CHILDREN, _MAX_CONCURRENT and _MAX_DEPTH of runs with the subagents SkillPack (injectSubagentsConfig; defaults 3, 5, 2); warned when the Agent does not toggle that pack.",
	"Agent spec.agents.default.lifecycle":                          "Hooks of the runs its schedules create (SympoziumScheduleReconciler copies them), not of AgentRuns written for it; with no schedule, judged on a stand-in run. preRun hooks are init containers, rbac a Role and RoleBinding `sympozium-lifecycle-<run>`, all gated.",
	"Agent spec.agents.default.lifecycle.postRun":                  "Refused when a schedule runs the Agent: upstream starts a second Job after each run's Job (startPostRun), which a CronJob cannot; judged on the stand-in run otherwise.",

	"Agent spec.skills":                             "The Agent's toggles: of its runs that have none of their own (resolveAgentRunInputs) and of its schedules' runs (web-endpoint left out); a web-endpoint toggle makes the server run `<agent>-web-endpoint`, a Deployment and a Service (ensureWebEndpointAgentRun).",
	"Agent spec.skills.skillPackRef":                "The SkillPack: in the Agent's namespace first, then the catalog's; a `skillpack-` prefix is stripped.",
	"Agent spec.skills.configMapRef":                "An existing ConfigMap projected at /skills, referenced and never read: the gate warns that it cannot see its content (buildVolumes).",
	"Agent spec.skills.params":                      "`SKILL_<PARAM>` env of that pack's sidecar (buildContainers); the web-endpoint toggle's auth_secret_ref, rate_limit_rpm and rate_limit_burst also configure its server container.",
	"Agent spec.imagePullSecrets":                   "imagePullSecrets of the pods of every run and schedule of the Agent, before the run's own (kept from SPEC: upstream gives AgentRuns only their own); a written server run's Deployment takes the run's alone.",
	"Agent spec.volumes":                            "Volumes of the pods of the runs its schedules create (SympoziumScheduleReconciler), not of AgentRuns written for it; a name upstream or skillc reserves is refused (upstream drops it).",
	"Agent spec.volumeMounts":                       "Mounts on the agent container in the runs its schedules create; a mount of no volume, or of a path the agent already mounts, is refused.",
	"Agent spec.policyRef":                          "The SympoziumPolicy that binds the Agent: when it is among the inputs, its runs and schedules are judged as its admission webhook would (SPOL-*); when it is not, a warning says they were not.",
	"Agent spec.authRefs":                           "The model's credentials of the runs its schedules create: the first named Secret's allowed provider keys as optional secretKeyRef env of the agent (resolveAuthSecret); AgentRuns name their own (model.authSecretRef).",
	"Agent spec.authRefs.provider":                  "MODEL_PROVIDER of the runs its schedules create, unless the `sympozium.ai/provider` label names one (resolveProvider).",
	"Agent spec.memory":                             "Legacy memory, in every run of the Agent (resolveAgentRunInputs).",
	"Agent spec.memory.enabled":                     "The `<agent>-memory` ConfigMap, mounted read-only at /memory, and MEMORY_ENABLED (reconcileMemoryConfigMap, buildVolumes); emitted without upstream's placeholder MEMORY.md, so that a sync never erases what the agent remembered.",
	"Agent spec.memory.maxSizeKB":                   "Read by no upstream controller: warned, nothing emitted.",
	"Agent spec.memory.autoStore":                   "`false`: MEMORY_AUTO_STORE=false in runs with the memory SkillPack, unless spec.env sets it (injectMemoryConfig); warned when the Agent does not toggle that pack.",
	"Agent spec.memory.systemPrompt":                "SYSTEM_PROMPT of the runs its schedules create (memorySystemPrompt).",
	"Agent spec.observability":                      "When enabled, the OpenTelemetry env of the agent and the IPC bridge in every run (buildObservabilityEnv), and the channel gateways' OTLP endpoint; settings of a disabled block are warned about.",
	"Agent spec.observability.headers":              "Passed to no container upstream (buildObservabilityEnv): warned, nothing emitted.",
	"Agent spec.observability.headersSecretRef":     "Passed to no container upstream (buildObservabilityEnv): warned, nothing emitted.",
	"Agent spec.observability.samplingRatio":        "Passed to no container upstream (buildObservabilityEnv): warned, nothing emitted.",
	"Agent spec.mcpServers":                         "In every task run of the Agent: the mcp-discover init container, the mcp-bridge sidecar and the `<run>-mcp-servers` ConfigMap (buildContainers, ensureMCPConfigMap). An entry without url is refused: upstream resolves it from an MCPServer's status at run time.",
	"Agent spec.mcpServers.authSecret":              "`MCP_AUTH_<NAME>`, an optional secretKeyRef (key authKey, default `token`), on both MCP containers.",
	"Agent spec.mcpServers.authKey":                 "The key of authSecret read into `MCP_AUTH_<NAME>` (default `token`).",
	"Agent spec.channels":                           "A gateway Deployment `<agent>-channel-<type>` per channel (a volume claim too for whatsapp), under the `sympozium-channel` ServiceAccount, gated (buildChannelDeployment); the types are the IPC bridge's ALLOWED_OUTBOUND_CHANNELS. A type without a gateway image in the CompilerConfig is refused.",
	"Agent spec.channels.configRef":                 "The Secret whose every key is env of the gateway (envFrom).",
	"Agent spec.channels.configRef.provider":        "Read by no upstream controller: nothing is emitted from it.",
	"Agent spec.channels.accessControl":             "On a Slack channel, the gateway's SLACK_ALLOWED_SENDERS, SLACK_DENIED_SENDERS and SLACK_ALLOWED_CHATS; upstream's channel router applies it all at run time.",
	"Agent spec.channels.accessControl.denyMessage": "The channel router's reply to a refused sender, at run time: nothing is emitted from it.",
	"Agent spec.channels.triggers":                  "Read by the channel router at run time: nothing is emitted from it.",
	"Agent spec.channels.slack":                     "SLACK_THREADING, SLACK_THREAD_STICKINESS and SLACK_ALLOWED_TRIGGERS of the Slack gateway; warned on another type.",
	"Agent spec.channels.slack.emojiOnStart":        "The channel router's reactions, at run time: nothing is emitted from it.",
	"Agent spec.channels.slack.emojiOnStop":         "The channel router's reactions, at run time: nothing is emitted from it.",
	"Agent spec.channels.slack.emojiOnTrigger":      "The channel router's reactions, at run time: nothing is emitted from it.",
	"Agent spec.channels.volumes":                   "Volumes of the gateway's pod, as written, gated.",
	"Agent spec.channels.volumeMounts":              "Mounts on the gateway container, as written, gated.",
	"Agent spec.webEndpoint":                        "Read by no upstream controller (the web endpoint is the web-endpoint toggle's server run).",
	"Agent spec.webEndpoint.enabled":                "Refused when true without a web-endpoint toggle in spec.skills (it would expose nothing); with one, the toggle makes the server run and this changes nothing.",
}

var agentRunNotes = map[string]string{
	"AgentRun spec.agentRef":                                       "The Agent the run belongs to (`instanceRef` is the pre-v0.10 spelling).",
	"AgentRun spec.agentId":                                        "AGENT_ID of the agent container.",
	"AgentRun spec.sessionKey":                                     "SESSION_KEY of the agent container.",
	"AgentRun spec.task":                                           "TASK of the agent container; an object task (mode sidecar-driven) instead runs its tool in the sidecar that declares it, with AGENT_MODE=prompt-server and SYMPOZIUM_RUN_CONFIG_JSON (resolveTaskModeAdjustments).",
	"AgentRun spec.systemPrompt":                                   "SYSTEM_PROMPT of the agent container.",
	"AgentRun spec.model":                                          "The model env of the agent container (buildContainers).",
	"AgentRun spec.model.model":                                    "MODEL_NAME (else the Agent's agents.default.model).",
	"AgentRun spec.model.provider":                                 "MODEL_PROVIDER.",
	"AgentRun spec.model.baseURL":                                  "MODEL_BASE_URL.",
	"AgentRun spec.model.thinking":                                 "THINKING_MODE.",
	"AgentRun spec.model.providerHeaders":                          "MODEL_PROVIDER_HEADERS, as JSON with sorted keys.",
	"AgentRun spec.model.authSecretRef":                            "The Secret's allowed provider keys (OPENAI_API_KEY, ANTHROPIC_API_KEY, ... API_KEY) as optional secretKeyRef env of the agent (allowedAuthSecretKeys).",
	"AgentRun spec.model.nodeSelector":                             "The pod's nodeSelector (buildAgentPodTemplate).",
	"AgentRun spec.skills":                                         "The run's toggles (empty: the Agent's, resolveAgentRunInputs); a task run drops requiresServer sidecars.",
	"AgentRun spec.skills.skillPackRef":                            "The SkillPack: in the run's namespace first, then the catalog's; a `skillpack-` prefix is stripped.",
	"AgentRun spec.skills.params":                                  "`SKILL_<PARAM>` env of that pack's sidecar (buildContainers).",
	"AgentRun spec.skills.configMapRef":                            "An existing ConfigMap projected at /skills, referenced and never read: the gate warns that it cannot see its content.",
	"AgentRun spec.timeout":                                        "activeDeadlineSeconds (timeout + 60 s; else the Agent's runTimeout; else 600 s) and RUN_TIMEOUT (buildJob).",
	"AgentRun spec.imagePullSecrets":                               "The pod's imagePullSecrets, after the Agent's (kept from SPEC: upstream takes the run's alone); a server run's Deployment takes the run's alone, as upstream.",
	"AgentRun spec.env":                                            "Env of the agent container, sorted, and forwarded to every hook (buildContainers); a name skillc also derives, or one that steers the loader or the TLS trust, is refused.",
	"AgentRun spec.volumes":                                        "The pod's volumes, after skillc's and the packs'; a reserved name, or one another volume of the pod has, is refused (upstream drops it).",
	"AgentRun spec.volumeMounts":                                   "Mounts on the agent container; a reserved name, a mount of no volume or of a path the agent already mounts is refused.",
	"AgentRun spec.sandbox":                                        "The `sandbox` container, gated like any container: a native sidecar by default, with upstream's command, mounts, resources and security context (buildContainers).",
	"AgentRun spec.sandbox.image":                                  "The sandbox's image (default: the CompilerConfig's spec.images.sandbox).",
	"AgentRun spec.sandbox.resources":                              "Warned: upstream gives the sandbox fixed resources (requests 100m/256Mi, limits 500m/512Mi) whatever this says; only a bound SympoziumPolicy's maxima read it (SPOL-02).",
	"AgentRun spec.sandbox.securityContext":                        "Upstream's sandbox always has a read-only root and drops ALL capabilities; of these fields only seccompProfile is read.",
	"AgentRun spec.sandbox.securityContext.readOnlyRootFilesystem": "Upstream mounts the sandbox's root read-only whatever it says, and so does skillc: a written false is warned about.",
	"AgentRun spec.sandbox.securityContext.runAsNonRoot":           "The pod runs as UID 1000, non-root, whatever it says, upstream and in skillc: a written false is warned about.",
	"AgentRun spec.sandbox.securityContext.capabilities":           "Upstream drops ALL whatever this says: warned when it says otherwise.",
	"AgentRun spec.sandbox.securityContext.seccompProfile":         "The pod's seccomp profile, whether or not the sandbox is enabled (seccompProfileForPod): Unconfined is denied by the gate (POD-10), Localhost refused (upstream has no field for its profile).",
	"AgentRun spec.agentSandbox":                                   "`enabled`: the run as an agent-sandbox Sandbox `sb-<run>` carrying its pod, gated like a Job's, instead of a Job (buildSandboxCR); refused beside `mode: server`.",
	"AgentRun spec.agentSandbox.runtimeClass":                      "The Sandbox pod's runtimeClassName (buildSandboxCR).",
	"AgentRun spec.agentSandbox.warmPoolRef":                       "A SandboxClaim `sbc-<run>` instead, which carries no pod (buildSandboxClaimCR); warned: the claimed sandbox runs the pool's pod, and kubernetes-sigs/agent-sandbox serves the kind in another group.",
	"AgentRun spec.agentSandbox.resources":                         "Read by no upstream controller (buildSandboxCR copies the run's pod, whose containers keep their own): nothing is emitted from it.",
	"AgentRun spec.lifecycle":                                      "preRun hooks as init containers (before the native sidecars), rbac as a Role and RoleBinding `sympozium-lifecycle-<run>`, all gated like a pack's but under no pack's identity (buildContainers, ensureLifecycleRBAC).",
	"AgentRun spec.lifecycle.postRun":                              "A second Job `<run>-postrun` sharing the workspace through a claim (buildPostRunJob, ensureWorkspacePVC), only under target argocd, as a PostSync hook (warned: Argo CD runs it once the run is healthy, not after a failure); refused under other targets, where nothing starts it after the agent.",
	"AgentRun spec.toolPolicy":                                     "TOOL_POLICY_ALLOW and TOOL_POLICY_DENY of the agent container; a bound SympoziumPolicy's toolGating checks it (SPOL-04, SPOL-10).",
	"AgentRun spec.mode":                                           "`server`: a Deployment and a Service `<run>-server` running the run's first requiresServer sidecar alone (reconcilePendingServer); sandbox, lifecycle, volumes, env or agentSandbox beside it are refused. Other values than task and server are refused.",
	"AgentRun spec.dryRun":                                         "DRY_RUN of the agent container.",
	"AgentRun spec.canaryMode":                                     "CANARY_MODE and HOST_IP of the agent container.",
	"AgentRun spec.useContext":                                     "USE_CONTEXT of the agent container.",
	"AgentRun spec.cleanup":                                        "Read by no upstream controller (v0.10.46): nothing is emitted from it.",
}

var scheduleNotes = map[string]string{
	"SympoziumSchedule spec.agentRef":          "The Agent the schedule runs (`instanceRef` is the pre-v0.10 spelling): its runs' pod is built from what the schedule controller copies from it.",
	"SympoziumSchedule spec.schedule":          "The CronJob's schedule, checked as the API server checks it.",
	"SympoziumSchedule spec.task":              "TASK of each run.",
	"SympoziumSchedule spec.suspend":           "The CronJob's suspend.",
	"SympoziumSchedule spec.concurrencyPolicy": "The CronJob's concurrencyPolicy (default Forbid, upstream's).",
	"SympoziumSchedule spec.firstTick":         "afterInterval is what a CronJob does (the first run at the next match); immediate, upstream's default, cannot be pre-rendered: warned, with the advice to add an AgentRun for a first run now.",
	"SympoziumSchedule spec.type":              "The label `sympozium.ai/type` of each run's Job, as upstream labels each run (only when written).",
	"SympoziumSchedule spec.includeMemory":     "Upstream prefixes each run's task with the Agent's MEMORY.md when it fires, which a CronJob cannot: TASK is the task as written (with legacy memory the agent-runner reads /memory itself, a note says so; an explicit true without memory is warned about).",
}

var ensembleNotes = map[string]string{
	"Ensemble spec.enabled":         "`false` (the CRD's default) compiles nothing, and a note says so; `true` expands the agent configs before anything is checked (EnsembleReconciler).",
	"Ensemble spec.agentConfigs":    "Each becomes the Agent `<ensemble>-<name>`, labelled `sympozium.ai/ensemble` and `sympozium.ai/agent-config` (buildAgent), checked, resolved and gated like a written one, with findings at the Ensemble's lines.",
	"Ensemble spec.excludePersonas": "Agent configs named here get no Agent and no schedule (isExcluded).",
	"Ensemble spec.policyRef":       "Every generated Agent's policyRef: their runs are judged against that SympoziumPolicy (SPOL-*).",
	"Ensemble spec.authRefs":        "Every generated Agent's authRefs, or only those of the agent config's provider when it pins one and some match (resolveAuthRefs).",
	"Ensemble spec.baseURL":         "agents.default.baseURL of generated Agents whose agent config sets none (resolveBaseURL).",
	"Ensemble spec.providerHeaders": "Merged under each agent config's own into agents.default.providerHeaders.",
	"Ensemble spec.skillParams":     "Params per skill, for agent configs without their own for that skill: `SKILL_<PARAM>` of its sidecar.",
	"Ensemble spec.taskOverride":    "Prefixes every generated schedule's task: `TEAM OBJECTIVE: <taskOverride>`, then `YOUR ROLE TASK: <task>` (buildScheduleTask).",
	"Ensemble spec.autoStoreMemory": "memory.autoStore of generated Agents whose agent config sets none (resolveAutoStoreMemory).",
	"Ensemble spec.volumes":         "Every generated Agent's volumes: of the pods of its schedule's runs.",
	"Ensemble spec.volumeMounts":    "Every generated Agent's volumeMounts: on the agent container in its schedule's runs.",
	"Ensemble spec.description":     "Catalogue text the controller copies into nothing: nothing is emitted from it.",
	"Ensemble spec.category":        "Catalogue text the controller copies into nothing: nothing is emitted from it.",
	"Ensemble spec.version":         "Catalogue text the controller copies into nothing: nothing is emitted from it.",

	"Ensemble spec.channelConfigs":                   "The Secret of each channel type's gateway (envFrom), for agent configs without their own (buildChannelSpec).",
	"Ensemble spec.channelAccessControl":             "Each channel type's accessControl, for agent configs without their own: on Slack, the gateway's SLACK_ALLOWED_SENDERS, SLACK_DENIED_SENDERS and SLACK_ALLOWED_CHATS.",
	"Ensemble spec.channelAccessControl.denyMessage": "The channel router's reply to a refused sender, at run time: nothing is emitted from it.",
	"Ensemble spec.channelTriggers":                  "Read by the channel router at run time: nothing is emitted from it.",
	"Ensemble spec.slackOptions":                     "The Slack channel's options, for agent configs without their own: SLACK_THREADING, SLACK_THREAD_STICKINESS and SLACK_ALLOWED_TRIGGERS of the Slack gateway.",
	"Ensemble spec.slackOptions.emojiOnStart":        "The channel router's reactions, at run time: nothing is emitted from it.",
	"Ensemble spec.slackOptions.emojiOnStop":         "The channel router's reactions, at run time: nothing is emitted from it.",
	"Ensemble spec.slackOptions.emojiOnTrigger":      "The channel router's reactions, at run time: nothing is emitted from it.",
	"Ensemble spec.channelVolumes":                   "Per channel type, extra volumes of that gateway's pod, as written, gated.",
	"Ensemble spec.channelVolumeMounts":              "Per channel type, extra mounts on that gateway's container, as written, gated.",

	"Ensemble spec.agentSandbox":                    "Every generated Agent's agents.default.agentSandbox (warmPool.size defaulted to 2): with `enabled` and a warmPool, a SandboxWarmPool `wp-<agent>` per Agent; `enabled` is warned as not applied to runs, which stay Jobs.",
	"Ensemble spec.agentSandbox.warmPool.resources": "EnsureWarmPool gives the pool's pod fixed resources whatever this says: nothing is emitted from it.",
	"Ensemble spec.sharedMemory":                    "`enabled: true` is refused: upstream runs a shared memory server (Deployment, claim, Service) and adds a wait-for-shared-memory init container to every agent pod, which skillc does not emit yet.",
	"Ensemble spec.sharedMemory.storageSize":        "A setting of the shared memory server, which is refused when enabled: nothing is emitted from it.",
	"Ensemble spec.sharedMemory.accessRules":        "A setting of the shared memory server, which is refused when enabled: nothing is emitted from it.",
	"Ensemble spec.sharedMemory.membrane":           "A setting of the shared memory server, which is refused when enabled: nothing is emitted from it.",
	"Ensemble spec.workflowType":                    "Checked as the controller checks it (pipeline needs a sequential relationship, delegation a delegation one); upstream's schedule controller also holds a pipeline's schedules while a pass is in flight, which the CronJobs do not: a warning says so.",
	"Ensemble spec.relationships":                   "Checked as validateRelationshipGraph checks them (known agent configs, no sequential or delegation cycle, at most one stimulus edge): an invalid graph is an error, as the controller creates nothing from it. A source's edges become PERSONA_NAME and ENSEMBLE_RELATIONSHIPS of its runs' agent (relationshipContext).",
	"Ensemble spec.relationships.type":              "In ENSEMBLE_RELATIONSHIPS; a sequential edge's target gets no schedule (its predecessor starts it at run time); delegation and supervision act at run time.",
	"Ensemble spec.relationships.timeout":           "Read when the controller starts a delegated or sequential run, at run time: nothing is emitted from it.",
	"Ensemble spec.relationships.resultFormat":      "Read when the controller starts a delegated or sequential run, at run time: nothing is emitted from it.",
	"Ensemble spec.stimulus":                        "Checked as the controller checks it (a stimulus relationship names its target, a non-empty prompt); the AgentRun the controller creates for that target once every agent is ready (deliverStimulus) is not emitted: a warning says so.",

	"Ensemble spec.agentConfigs.name":                             "The Agent's name `<ensemble>-<name>` and its `sympozium.ai/agent-config` label; PERSONA_NAME of its runs when it is a relationship source.",
	"Ensemble spec.agentConfigs.displayName":                      "The Agent's displayName (read by no controller), and the target's displayName in other agents' ENSEMBLE_RELATIONSHIPS.",
	"Ensemble spec.agentConfigs.systemPrompt":                     "The Agent's memory.systemPrompt: SYSTEM_PROMPT of its schedule's runs.",
	"Ensemble spec.agentConfigs.model":                            "agents.default.model (default gpt-4o, resolveModel): MODEL_NAME of the Agent's runs.",
	"Ensemble spec.agentConfigs.provider":                         "The Agent's `sympozium.ai/provider` label, hence MODEL_PROVIDER of its schedule's runs (resolveProvider); keeps only the Ensemble's authRefs of that provider when some match.",
	"Ensemble spec.agentConfigs.baseURL":                          "agents.default.baseURL, over the Ensemble's (resolveBaseURL).",
	"Ensemble spec.agentConfigs.providerHeaders":                  "agents.default.providerHeaders, over the Ensemble's key by key.",
	"Ensemble spec.agentConfigs.skills":                           "The Agent's toggles, in order (`mcp-bridge` skipped: mcpServers adds the bridge), then `memory` (always: the built-in memory SkillPack must be among the inputs), then `web-endpoint` when webEndpoint is enabled (buildDesiredSkills).",
	"Ensemble spec.agentConfigs.skillParams":                      "Params of its skills' toggles (`SKILL_<PARAM>` of their sidecars), replacing the Ensemble's skillParams of that skill whole.",
	"Ensemble spec.agentConfigs.channels":                         "The Agent's channels, each with the agent config's channel settings or else the Ensemble's: a gateway Deployment per type, and the IPC bridge's ALLOWED_OUTBOUND_CHANNELS.",
	"Ensemble spec.agentConfigs.channelConfigs":                   "The Secret of each channel type's gateway (envFrom), over the Ensemble's.",
	"Ensemble spec.agentConfigs.channelAccessControl":             "Each channel type's accessControl, over the Ensemble's: on Slack, the gateway's SLACK_ALLOWED_SENDERS, SLACK_DENIED_SENDERS and SLACK_ALLOWED_CHATS.",
	"Ensemble spec.agentConfigs.channelAccessControl.denyMessage": "The channel router's reply to a refused sender, at run time: nothing is emitted from it.",
	"Ensemble spec.agentConfigs.channelTriggers":                  "Read by the channel router at run time: nothing is emitted from it.",
	"Ensemble spec.agentConfigs.slackOptions":                     "The Slack channel's options, over the Ensemble's: SLACK_THREADING, SLACK_THREAD_STICKINESS and SLACK_ALLOWED_TRIGGERS of the Slack gateway.",
	"Ensemble spec.agentConfigs.slackOptions.emojiOnStart":        "The channel router's reactions, at run time: nothing is emitted from it.",
	"Ensemble spec.agentConfigs.slackOptions.emojiOnStop":         "The channel router's reactions, at run time: nothing is emitted from it.",
	"Ensemble spec.agentConfigs.slackOptions.emojiOnTrigger":      "The channel router's reactions, at run time: nothing is emitted from it.",
	"Ensemble spec.agentConfigs.toolPolicy":                       "TOOL_POLICY_ALLOW and TOOL_POLICY_DENY of the runs its schedule creates (toolpolicy.ForAgent).",
	"Ensemble spec.agentConfigs.schedule":                         "The SympoziumSchedule `<agent>-schedule`, concurrencyPolicy Forbid, hence a CronJob (buildSchedule); none for the target of a sequential relationship.",
	"Ensemble spec.agentConfigs.schedule.cron":                    "The schedule; it wins over interval.",
	"Ensemble spec.agentConfigs.schedule.interval":                "A cron expression staggered two minutes per agent config (intervalToCron); an interval the controller does not know runs hourly, with a warning.",
	"Ensemble spec.agentConfigs.schedule.task":                    "The schedule's task, after the team objective when taskOverride is set.",
	"Ensemble spec.agentConfigs.schedule.firstTick":               "The schedule's firstTick (default immediate, which a CronJob cannot do: see SympoziumSchedule); warned only when written.",
	"Ensemble spec.agentConfigs.schedule.type":                    "Copied into the generated schedule (buildSchedule): its Jobs' `sympozium.ai/type` label.",
	"Ensemble spec.agentConfigs.memory":                           "The Agent's legacy memory, enabled with 256 KB unless this says otherwise (buildAgent): the `<agent>-memory` ConfigMap at /memory in its runs.",
	"Ensemble spec.agentConfigs.memory.maxSizeKB":                 "The Agent's memory.maxSizeKB, read by no controller (warned when written).",
	"Ensemble spec.agentConfigs.memory.autoStore":                 "The Agent's memory.autoStore, over the Ensemble's autoStoreMemory: `false` sets MEMORY_AUTO_STORE=false in runs with the memory SkillPack.",
	"Ensemble spec.agentConfigs.memory.seeds":                     "The `<agent>-memory` ConfigMap holds them as MEMORY.md (reconcileMemorySeeds); under target flux annotated to be created once and never overwritten, as the controller never overwrites it.",
	"Ensemble spec.agentConfigs.webEndpoint":                      "`enabled`: the web-endpoint toggle, hence the server run `<agent>-web-endpoint`, a Deployment and a Service.",
	"Ensemble spec.agentConfigs.webEndpoint.hostname":             "The toggle's param hostname (no HTTPRoute is emitted: warned).",
	"Ensemble spec.agentConfigs.webEndpoint.rateLimit":            "The toggle's params rate_limit_rpm and rate_limit_burst (the CRD's defaults 60 and 10): RATE_LIMIT_RPM and RATE_LIMIT_BURST of the server.",
	"Ensemble spec.agentConfigs.mcpServers":                       "The Agent's mcpServers (timeout defaulted to 30): the MCP containers and ConfigMap in its task runs.",
	"Ensemble spec.agentConfigs.subagents":                        "agents.default.subagents with the CRD's defaults (depth 2, concurrent 5, children 3): SUBAGENTS_* env of runs with the subagents SkillPack.",
	"Ensemble spec.agentConfigs.env":                              "agents.default.env: env of the agent container in its schedule's runs.",
	"Ensemble spec.agentConfigs.runTimeout":                       "agents.default.runTimeout: RUN_TIMEOUT and the deadline of its runs without their own timeout.",
	"Ensemble spec.agentConfigs.lifecycle":                        "The Agent's agents.default.lifecycle (gateDefault defaulted to block): hooks of its schedule's runs, as on an Agent.",
	"Ensemble spec.agentConfigs.lifecycle.postRun":                "Refused when the Agent gets a schedule (a CronJob cannot start a Job after each of its Jobs); judged on its stand-in run otherwise.",
}

var policyNotes = map[string]string{
	"SympoziumPolicy spec.sandboxPolicy":                                          "What bound runs' sandboxes may be; the fields the validating webhook reads are enforced, the others warned about.",
	"SympoziumPolicy spec.sandboxPolicy.required":                                 "`true` denies a bound run without spec.sandbox.enabled (SPOL-01); a schedule's runs never carry one, so its schedules are denied. Required by the CRD.",
	"SympoziumPolicy spec.sandboxPolicy.maxCPU":                                   "A bound run's sandbox requests or limits above it are denied (SPOL-02), enabled or not (validateResources); a value that is no quantity is an input error.",
	"SympoziumPolicy spec.sandboxPolicy.maxMemory":                                "A bound run's sandbox requests or limits above it are denied (SPOL-02), enabled or not (validateResources); a value that is no quantity is an input error.",
	"SympoziumPolicy spec.sandboxPolicy.defaultImage":                             "Warned: applied only by upstream's mutating webhook, which its chart does not register.",
	"SympoziumPolicy spec.sandboxPolicy.seccompProfile":                           "Warned: applied only by the unregistered mutating webhook; bound pods get RuntimeDefault unless the run sets sandbox.securityContext.seccompProfile.",
	"SympoziumPolicy spec.sandboxPolicy.allowHostMounts":                          "`false`: a host-path volume in a bound run's pods is SPOL-10 (warn in baseline, deny in restricted): upstream enforces it nowhere.",
	"SympoziumPolicy spec.sandboxPolicy.agentSandboxPolicy":                       "The agent-sandbox rules of bound runs (validateAgentSandbox).",
	"SympoziumPolicy spec.sandboxPolicy.agentSandboxPolicy.required":              "`true` denies a bound run without spec.agentSandbox.enabled (SPOL-03), and so every schedule of the Agent, whose runs never carry one. Required by the CRD.",
	"SympoziumPolicy spec.sandboxPolicy.agentSandboxPolicy.allowedRuntimeClasses": "A named runtimeClass outside the list is denied (SPOL-03); an agentSandbox without one is SPOL-10.",
	"SympoziumPolicy spec.sandboxPolicy.agentSandboxPolicy.defaultRuntimeClass":   "Warned: applied only by the unregistered mutating webhook; an agentSandbox without runtimeClass is SPOL-10.",
	"SympoziumPolicy spec.subagentPolicy":                                         "Limits on the runs of bound Agents.",
	"SympoziumPolicy spec.subagentPolicy.maxConcurrent":                           "0 or less fails every run of a bound Agent (SPOL-09, upstream validatePolicy); a higher value limits concurrent runs at run time (absent: 5).",
	"SympoziumPolicy spec.subagentPolicy.maxDepth":                                "Upstream checks it only for runs with a parent (validateSubagentDepth), and skillc refuses spec.parent: it checks nothing.",
	"SympoziumPolicy spec.toolGating":                                             "Checked against bound runs' toolPolicy (validateToolPolicy).",
	"SympoziumPolicy spec.toolGating.rules":                                       "A tool a deny rule names and a bound run allows is denied (SPOL-04); one the run's toolPolicy leaves the agent is SPOL-10, as the rules reach the agent only through the unregistered mutating webhook; `ask` is warned about (upstream has no approval).",
	"SympoziumPolicy spec.toolGating.defaultAction":                               "`deny`: a bound run's allowed tools that no rule names, or a run without toolPolicy.allow, are SPOL-10 (the webhook acts only on deny rules); an unknown value is warned about.",
	"SympoziumPolicy spec.featureGates":                                           "`code-execution: false` denies a bound run that enables a sandbox (SPOL-05); `sub-agents` concerns only runs with a parent, which skillc refuses; other gates are warned about (read by nothing upstream).",
	"SympoziumPolicy spec.networkPolicy":                                          "Warned: upstream v0.10.46 emits no NetworkPolicy from it and enforces none of it, and neither does skillc.",
	"SympoziumPolicy spec.modelPolicy":                                            "Enforced nowhere upstream.",
	"SympoziumPolicy spec.modelPolicy.allowedModels":                              "A bound run's model outside the list is SPOL-10: upstream enforces it nowhere.",
	"SympoziumPolicy spec.modelPolicy.allowedNamespaces":                          "Warned: only a run's model.modelRef names a Model's namespace, and skillc refuses modelRef: nothing is checked.",
	"SympoziumPolicy spec.imagePolicy":                                            "Hook and sandbox images outside allowedRegistries are denied (SPOL-06, upstream's plain string prefix); skill sidecar images outside them, which the webhook does not check, are SPOL-10; an empty prefix is warned about (it allows every image).",
	"SympoziumPolicy spec.lifecyclePolicy":                                        "Hook RBAC naming a denied resource is denied (SPOL-07, names compared literally as upstream does); `*`, which passes upstream, is SPOL-10.",
}

// hookNotes are the notes of the lifecycle hooks at prefix ("Kind spec.path.lifecycle") that do
// not depend on where the hooks were written.
func hookNotes(prefix string) map[string]string {
	return map[string]string{
		prefix + ".rbac":            "A Role and RoleBinding `sympozium-lifecycle-<run>` bound to the run's identity (ensureLifecycleRBAC), judged by the RBAC rules as a grant of no pack.",
		prefix + ".gateDefault":     "Checked (allow or block); it matters only with a gate hook, which is refused: nothing is emitted from it.",
		prefix + ".preRun.gate":     "`true` is refused: upstream's validateGateHooks fails a run with a preRun gate.",
		prefix + ".postRun.gate":    "`true` is refused: a response gate needs Sympozium's controller to read the hook's verdict and publish the result (resolveGate).",
		prefix + ".preRun.timeout":  "Enforced by no upstream controller: warned, nothing emitted (the run's timeout bounds preRun hooks).",
		prefix + ".postRun.timeout": "Enforced by no upstream controller: warned, nothing emitted (the postRun Job's deadline is 600 s).",
	}
}

// merge is the union of the note maps; a key in two of them is a mistake (the later would win).
func merge(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k := range m {
			if _, dup := out[k]; dup {
				panic("compatNotes: " + k + " has two notes")
			}
		}
		maps.Copy(out, m)
	}
	return out
}
