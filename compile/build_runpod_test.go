package compile

import (
	"slices"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/source"
)

// agent is an Agent team/alice with the given spec lines (indented under spec).
func agent(spec string) string {
	return "apiVersion: sympozium.ai/v1alpha1\nkind: Agent\nmetadata: {name: alice, namespace: team}\nspec:\n" + indentYAML(spec)
}

// run is AgentRun team/r1 of alice with the given spec lines.
func run(spec string) string {
	return "apiVersion: sympozium.ai/v1alpha1\nkind: AgentRun\nmetadata: {name: r1, namespace: team}\nspec:\n  agentRef: alice\n" + indentYAML(spec)
}

// sched is SympoziumSchedule team/nightly of alice with the given spec lines.
func sched(spec string) string {
	return "apiVersion: sympozium.ai/v1alpha1\nkind: SympoziumSchedule\nmetadata: {name: nightly, namespace: team}\nspec:\n  agentRef: alice\n  schedule: \"0 2 * * *\"\n  firstTick: afterInterval\n  task: t\n" + indentYAML(spec)
}

func indentYAML(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		if l != "" {
			b.WriteString("  " + l + "\n")
		}
	}
	return b.String()
}

// envOf renders a container's variables as NAME=value, or NAME<-secret/key, NAME<-field.
func envOf(c corev1.Container) map[string]string {
	out := map[string]string{}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			out[e.Name] = e.Value
		case e.ValueFrom.SecretKeyRef != nil:
			r := e.ValueFrom.SecretKeyRef
			out[e.Name] = "<-" + r.Name + "/" + r.Key
			if r.Optional == nil || !*r.Optional {
				out[e.Name] += " (required)"
			}
		case e.ValueFrom.FieldRef != nil:
			out[e.Name] = "<-" + e.ValueFrom.FieldRef.FieldPath
		}
	}
	return out
}

func jobPod(t *testing.T, res *Result, name string) corev1.PodSpec {
	t.Helper()
	return find[*batchv1.Job](t, res, "Job", name).Spec.Template.Spec
}

// TestRunPodEnv: each variable upstream's buildContainers and pod mutators derive from a run's
// spec and its Agent is there when its field is set, and absent otherwise (a run that sets none
// has exactly SPEC's base variables).
func TestRunPodEnv(t *testing.T) {
	base := []string{"AGENT_NAMESPACE", "AGENT_RUN_ID", "INSTANCE_NAME", "MODEL_NAME", "TASK"}
	tests := []struct {
		name        string
		agent, run  string
		packs       []string
		want        map[string]string // on the agent
		wantBridge  map[string]string
		absent      []string
		noBridgeEnv bool
	}{
		{name: "nothing set: SPEC's base variables only", agent: "agents: {default: {model: m1}}", run: "task: go",
			want: map[string]string{"AGENT_RUN_ID": "r1", "MODEL_NAME": "m1", "TASK": "go"}, noBridgeEnv: true},
		{name: "identity and prompt", run: "task: go\nagentId: primary\nsessionKey: s-1\nsystemPrompt: be brief",
			want: map[string]string{"AGENT_ID": "primary", "SESSION_KEY": "s-1", "SYSTEM_PROMPT": "be brief"}},
		{name: "model", run: "task: go\nmodel: {provider: anthropic, model: m2, baseURL: 'http://llm:8080/v1', thinking: high, providerHeaders: {X-B: b, X-A: a}}",
			want: map[string]string{"MODEL_PROVIDER": "anthropic", "MODEL_NAME": "m2", "MODEL_BASE_URL": "http://llm:8080/v1", "THINKING_MODE": "high",
				"MODEL_PROVIDER_HEADERS": `{"X-A":"a","X-B":"b"}`}},
		{name: "auth Secret: only the allowed keys, each optional", run: "task: go\nmodel: {authSecretRef: keys}",
			want: map[string]string{"OPENAI_API_KEY": "<-keys/OPENAI_API_KEY", "API_KEY": "<-keys/API_KEY", "OLLAMA_HOST": "<-keys/OLLAMA_HOST"}},
		{name: "switches", run: "task: go\nuseContext: false\ndryRun: true\ncanaryMode: true\ntoolPolicy: {allow: [a, b], deny: [c]}",
			want: map[string]string{"USE_CONTEXT": "false", "DRY_RUN": "true", "CANARY_MODE": "true", "HOST_IP": "<-status.hostIP",
				"TOOL_POLICY_ALLOW": "a,b", "TOOL_POLICY_DENY": "c"}},
		{name: "false switches add nothing", run: "task: go\ndryRun: false\ncanaryMode: false\ntoolPolicy: {}",
			absent: []string{"DRY_RUN", "CANARY_MODE", "HOST_IP", "TOOL_POLICY_ALLOW", "TOOL_POLICY_DENY", "USE_CONTEXT"}},
		{name: "the run's timeout", agent: "agents: {default: {runTimeout: 20m}}", run: "task: go\ntimeout: 90s",
			want: map[string]string{"RUN_TIMEOUT": "1m30s"}},
		{name: "the Agent's runTimeout when the run has none", agent: "agents: {default: {runTimeout: 20m}}", run: "task: go",
			want: map[string]string{"RUN_TIMEOUT": "20m0s"}},
		{name: "legacy memory", agent: "memory: {enabled: true, systemPrompt: remember}", run: "task: go",
			want: map[string]string{"MEMORY_ENABLED": "true"}, absent: []string{"SYSTEM_PROMPT", "MEMORY_AUTO_STORE"}},
		{name: "memory disabled", agent: "memory: {enabled: false}", run: "task: go", absent: []string{"MEMORY_ENABLED"}},
		{name: "autoStore false with the memory pack", agent: "memory: {enabled: false, autoStore: false}\nskills: [{skillPackRef: memory}]", run: "task: go",
			packs: []string{"memory"}, want: map[string]string{"MEMORY_AUTO_STORE": "false"}},
		{name: "autoStore false: spec.env has the last word", agent: "memory: {autoStore: false}\nskills: [{skillPackRef: memory}]", run: "task: go\nenv: {MEMORY_AUTO_STORE: 'true'}",
			packs: []string{"memory"}, want: map[string]string{"MEMORY_AUTO_STORE": "true"}},
		{name: "autoStore false without the memory pack", agent: "memory: {autoStore: false}", run: "task: go", absent: []string{"MEMORY_AUTO_STORE"}},
		{name: "subagents defaults", agent: "skills: [{skillPackRef: subagents}]", run: "task: go", packs: []string{"subagents"},
			want: map[string]string{"SUBAGENTS_ENABLED": "true", "SUBAGENTS_MAX_CHILDREN": "3", "SUBAGENTS_MAX_CONCURRENT": "5", "SUBAGENTS_MAX_DEPTH": "2"}},
		{name: "subagents limits of the Agent", agent: "skills: [{skillPackRef: subagents}]\nagents: {default: {subagents: {maxDepth: 4, maxChildrenPerAgent: 7}}}", run: "task: go",
			packs: []string{"subagents"}, want: map[string]string{"SUBAGENTS_MAX_CHILDREN": "7", "SUBAGENTS_MAX_CONCURRENT": "5", "SUBAGENTS_MAX_DEPTH": "4"}},
		{name: "subagents limits without the pack", agent: "agents: {default: {subagents: {maxDepth: 4}}}", run: "task: go", absent: []string{"SUBAGENTS_ENABLED"}},
		{name: "observability with an endpoint", agent: "observability: {enabled: true, otlpEndpoint: 'otel:4317', resourceAttributes: {env: prod}}", run: "task: go",
			want: map[string]string{"SYMPOZIUM_OTEL_ENABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "otel:4317", "SYMPOZIUM_OTEL_OTLP_ENDPOINT": "otel:4317",
				"OTEL_SERVICE_NAME": "sympozium-agent-runner", "OTEL_RESOURCE_ATTRIBUTES": "env=prod,k8s.namespace.name=team,sympozium.agent_run.id=r1,sympozium.instance.name=alice"},
			wantBridge: map[string]string{"SYMPOZIUM_OTEL_ENABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "otel:4317",
				"OTEL_RESOURCE_ATTRIBUTES": "env=prod,k8s.namespace.name=team,sympozium.agent_run.id=r1,sympozium.instance.name=alice"}},
		{name: "observability's service name wins", agent: "observability: {enabled: true, otlpEndpoint: 'otel:4317', serviceName: svc, otlpProtocol: grpc}", run: "task: go",
			want:       map[string]string{"OTEL_SERVICE_NAME": "svc", "SYMPOZIUM_OTEL_SERVICE_NAME": "svc", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"},
			wantBridge: map[string]string{"OTEL_SERVICE_NAME": "svc", "SYMPOZIUM_OTEL_OTLP_PROTOCOL": "grpc"}},
		{name: "observability disabled", agent: "observability: {enabled: false}", run: "task: go", absent: []string{"SYMPOZIUM_OTEL_ENABLED"}, noBridgeEnv: true},
		{name: "channels: the bridge's allowlist", agent: "channels: [{type: slack}, {type: telegram}]", run: "task: go",
			wantBridge: map[string]string{"ALLOWED_OUTBOUND_CHANNELS": "slack,telegram"}, absent: []string{"ALLOWED_OUTBOUND_CHANNELS"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ag := tc.agent
			if !strings.Contains(ag, "agents:") {
				ag += "\nagents: {default: {model: m1}}"
			}
			docs := []string{agent(ag), run(tc.run)}
			for _, p := range tc.packs {
				docs = append(docs, strings.ReplaceAll(pack(""), "name: p,", "name: "+p+","))
			}
			res, diags := compileYAML(t, Options{}, docs...)
			if diags != nil {
				t.Fatal(diags)
			}
			spec := jobPod(t, res, "r1")
			env, bridge := envOf(spec.Containers[0]), envOf(spec.Containers[1])
			for _, n := range base {
				if _, ok := env[n]; !ok {
					t.Errorf("no %s", n)
				}
			}
			for k, v := range tc.want {
				if env[k] != v {
					t.Errorf("agent %s = %q, want %q", k, env[k], v)
				}
			}
			for k, v := range tc.wantBridge {
				if bridge[k] != v {
					t.Errorf("ipc-bridge %s = %q, want %q", k, bridge[k], v)
				}
			}
			for _, k := range tc.absent {
				if v, ok := env[k]; ok {
					t.Errorf("agent has %s=%q", k, v)
				}
			}
			// Upstream always sets the bridge's allowlist; empty: no channel.
			if tc.noBridgeEnv && (len(bridge) != 1 || bridge["ALLOWED_OUTBOUND_CHANNELS"] != "") {
				t.Errorf("ipc-bridge env %v, want only an empty ALLOWED_OUTBOUND_CHANNELS", bridge)
			}
			if strings.HasPrefix(tc.name, "nothing set") && len(env) != len(base) {
				t.Errorf("agent env %v, want SPEC's base variables only", env)
			}
			names := make([]string, 0, len(spec.Containers[0].Env))
			for _, e := range spec.Containers[0].Env {
				names = append(names, e.Name)
			}
			if !slices.IsSorted(names) || len(slices.Compact(slices.Clone(names))) != len(names) {
				t.Errorf("agent env not sorted and unique: %v", names)
			}
		})
	}
}

// TestScheduledRunPod: a schedule's runs are what upstream's schedule controller creates from the
// Agent: its env, nodeSelector, runTimeout, volumes, auth Secret (first authRef), a provider
// resolved from it, the memory system prompt, and AGENT_ID schedule-<name>.
func TestScheduledRunPod(t *testing.T) {
	ag := agent(`authRefs: [{secret: ''}, {secret: alice-anthropic-key}]
memory: {enabled: true, systemPrompt: remember}
observability: {enabled: true}
volumes: [{name: data, configMap: {name: data}}]
volumeMounts: [{name: data, mountPath: /data}]
agents:
  default:
    model: m1
    runTimeout: 5m
    nodeSelector: {pool: agents}
    env: {LOG: debug}`)
	res, diags := compileYAML(t, Options{}, ag, sched("type: sweep"))
	if diags != nil {
		t.Fatal(diags)
	}
	cj := find[*batchv1.CronJob](t, res, "CronJob", "nightly")
	spec := cj.Spec.JobTemplate.Spec.Template.Spec
	env := envOf(spec.Containers[0])
	for k, v := range map[string]string{
		"AGENT_ID": "schedule-nightly", "MODEL_PROVIDER": "anthropic", "SYSTEM_PROMPT": "remember", "LOG": "debug",
		"RUN_TIMEOUT": "5m0s", "ANTHROPIC_API_KEY": "<-alice-anthropic-key/ANTHROPIC_API_KEY", "MEMORY_ENABLED": "true",
		"OTEL_RESOURCE_ATTRIBUTES": "k8s.namespace.name=team,sympozium.agent_run.id=$(AGENT_RUN_ID),sympozium.instance.name=alice",
	} {
		if env[k] != v {
			t.Errorf("agent %s = %q, want %q", k, env[k], v)
		}
	}
	// The bridge expands $(AGENT_RUN_ID) only if it defines it first.
	bridge := spec.Containers[1].Env
	if len(bridge) == 0 || bridge[0].Name != "AGENT_RUN_ID" || bridge[0].ValueFrom == nil {
		t.Errorf("ipc-bridge env %v: want AGENT_RUN_ID first, from the Job's name", bridge)
	}
	if spec.NodeSelector["pool"] != "agents" {
		t.Errorf("nodeSelector %v", spec.NodeSelector)
	}
	if got := *cj.Spec.JobTemplate.Spec.ActiveDeadlineSeconds; got != 360 {
		t.Errorf("activeDeadlineSeconds %d, want 360", got)
	}
	if cj.Spec.JobTemplate.Labels[LabelScheduleType] != "sweep" {
		t.Errorf("job labels %v: want the schedule's type", cj.Spec.JobTemplate.Labels)
	}
	if _, ok := cj.Spec.JobTemplate.Spec.Template.Labels[LabelScheduleType]; ok {
		t.Error("the pod template has the type label: upstream's pods have none")
	}
	last := spec.Containers[0].VolumeMounts[len(spec.Containers[0].VolumeMounts)-1]
	if last.Name != "data" || last.MountPath != "/data" {
		t.Errorf("agent mounts %v: want the Agent's last", spec.Containers[0].VolumeMounts)
	}
	org, ok := res.OriginsOf(cj).Lookup(CronJobPodSpecPath + ".nodeSelector.pool")
	if !ok || org.Field != "spec.agents.default.nodeSelector" {
		t.Errorf("nodeSelector's origin %v", org)
	}
}

// TestResolveProvider mirrors upstream's resolveProvider, each with the field it read.
func TestResolveProvider(t *testing.T) {
	tests := []struct {
		name, labels, spec string
		want, field        string
	}{
		{"label", "{sympozium.ai/provider: bedrock}", "authRefs: [{provider: openai, secret: s}]", "bedrock", "metadata.labels.sympozium.ai/provider"},
		{"first explicit provider", "{}", "authRefs: [{secret: a-ollama}, {provider: groq, secret: s}]", "groq", "spec.authRefs[1].provider"},
		{"guessed from a secret", "{}", "authRefs: [{secret: x}, {secret: team-azure-openai-key}]", "azure-openai", "spec.authRefs[1].secret"},
		{"a local server", "{}", "agents: {default: {baseURL: 'http://host:11434/v1'}}", "ollama", "spec.agents.default.baseURL"},
		{"another server", "{}", "agents: {default: {baseURL: 'https://gw.example/v1'}}", "custom", "spec.agents.default.baseURL"},
		{"default", "{}", "", "openai", "spec.authRefs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := "apiVersion: sympozium.ai/v1alpha1\nkind: Agent\nmetadata: {name: a, labels: " + tc.labels + "}\nspec:\n" + indentYAML(tc.spec)
			res, diags := compileYAML(t, Options{}, doc)
			if diags != nil {
				t.Fatal(diags)
			}
			p, f := resolveProvider(res.Inputs.Instances[0])
			if p != tc.want || f != tc.field {
				t.Errorf("resolveProvider = %q, %q; want %q, %q", p, f, tc.want, tc.field)
			}
		})
	}
}

// TestRunVolumes: a run's volumes follow skillc's and the packs', verbatim, with their mounts on the
// agent; each records the line it came from, and an AgentRun never takes the Agent's.
func TestRunVolumes(t *testing.T) {
	ag := agent("agents: {default: {model: m}}\nskills: [{skillPackRef: p}]\nvolumes: [{name: agent-only, emptyDir: {}}]")
	r := run("task: go\nvolumes:\n- {name: reports, persistentVolumeClaim: {claimName: rep}}\nvolumeMounts:\n- {name: reports, mountPath: /reports, subPath: r1}")
	res, diags := compileYAML(t, Options{}, pack("image: reg/x:1\nvolumes: [{name: cache, emptyDir: {}}]"), ag, r)
	if diags != nil {
		t.Fatal(diags)
	}
	job := find[*batchv1.Job](t, res, "Job", "r1")
	spec := job.Spec.Template.Spec
	var names []string
	for _, v := range spec.Volumes {
		names = append(names, v.Name)
	}
	if want := []string{"workspace", "ipc", "tmp", "skills", "skill-home-p", "cache", "reports"}; !slices.Equal(names, want) {
		t.Errorf("volumes %v, want %v", names, want)
	}
	m := spec.Containers[0].VolumeMounts[4]
	if m.Name != "reports" || m.SubPath != "r1" {
		t.Errorf("agent's mount %v", m)
	}
	from := res.OriginsOf(job)
	at, org, _ := from.Find(JobPodSpecPath + ".volumes[6].persistentVolumeClaim.claimName")
	// Copied as written: a path below it is the same path below the run's field.
	if org = org.Below(strings.TrimPrefix(JobPodSpecPath+".volumes[6].persistentVolumeClaim.claimName", at)); org.Field != "spec.volumes[0].persistentVolumeClaim.claimName" || org.File != "in.yaml" {
		t.Errorf("volume's origin %v", org)
	}
	org, _ = from.Lookup(JobPodSpecPath + ".containers[0].volumeMounts[4]")
	if org.Field != "spec.volumeMounts[0]" {
		t.Errorf("mount's origin %v", org)
	}
}

// TestSandbox: upstream's sandbox sidecar, a native sidecar by default (the Job must end with the
// agent), a plain container with --sidecars containers; the config's image unless the run names
// one; the pod's seccomp profile from sandbox.securityContext even when the sandbox is off.
func TestSandbox(t *testing.T) {
	ag := agent("agents: {default: {model: m}}")
	tests := []struct {
		name, run   string
		opts        Options
		cfgImage    string
		wantImage   string
		wantPolicy  corev1.PullPolicy
		init        bool
		none        bool
		wantSeccomp corev1.SeccompProfileType
	}{
		{name: "default image, native", run: "sandbox: {enabled: true}", wantImage: api.DefaultSandboxImage, wantPolicy: corev1.PullIfNotPresent, init: true},
		{name: "plain containers", run: "sandbox: {enabled: true}", opts: Options{Sidecars: "containers"}, wantImage: api.DefaultSandboxImage, wantPolicy: corev1.PullIfNotPresent},
		{name: "the config's image", run: "sandbox: {enabled: true}", cfgImage: "reg.example/sandbox:9", wantImage: "reg.example/sandbox:9", wantPolicy: corev1.PullIfNotPresent, init: true},
		{name: "the run's image and policy", run: "sandbox: {enabled: true, image: 'reg.example/mine:1', imagePullPolicy: Always}", cfgImage: "reg.example/sandbox:9",
			wantImage: "reg.example/mine:1", wantPolicy: corev1.PullAlways, init: true},
		{name: "seccomp without a sandbox", run: "sandbox: {enabled: false, securityContext: {seccompProfile: {type: Unconfined}}}", none: true, wantSeccomp: corev1.SeccompProfileTypeUnconfined},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			files := []source.File{{Name: "in.yaml", Data: []byte(ag + "\n---\n" + run("task: go\n"+tc.run))}}
			if tc.cfgImage != "" {
				files = append(files, source.File{Name: "platform.yaml", Data: []byte("apiVersion: skillc.dev/v1alpha1\nkind: CompilerConfig\nmetadata: {name: c}\nspec: {images: {sandbox: '" + tc.cfgImage + "'}}")})
			}
			res, diags := Compile(files, tc.opts)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			spec := jobPod(t, res, "r1")
			wantSeccomp := tc.wantSeccomp
			if wantSeccomp == "" {
				wantSeccomp = corev1.SeccompProfileTypeRuntimeDefault
			}
			if got := spec.SecurityContext.SeccompProfile.Type; got != wantSeccomp {
				t.Errorf("pod seccomp %s, want %s", got, wantSeccomp)
			}
			all := append(slices.Clone(spec.Containers), spec.InitContainers...)
			i := slices.IndexFunc(all, func(c corev1.Container) bool { return c.Name == SandboxContainer })
			if tc.none {
				if i >= 0 {
					t.Fatal("a disabled sandbox has a container")
				}
				return
			}
			if i < 0 {
				t.Fatal("no sandbox container")
			}
			c := all[i]
			inInit := i >= len(spec.Containers)
			if inInit != tc.init || (tc.init && (c.RestartPolicy == nil || *c.RestartPolicy != corev1.ContainerRestartPolicyAlways)) {
				t.Errorf("sandbox in initContainers: %v, restartPolicy %v; want native %v", inInit, c.RestartPolicy, tc.init)
			}
			if c.Image != tc.wantImage || c.ImagePullPolicy != tc.wantPolicy {
				t.Errorf("image %s %s, want %s %s", c.Image, c.ImagePullPolicy, tc.wantImage, tc.wantPolicy)
			}
			if !slices.Equal(c.Command, []string{"sleep", "infinity"}) || c.SecurityContext.ReadOnlyRootFilesystem == nil || !*c.SecurityContext.ReadOnlyRootFilesystem ||
				c.SecurityContext.AllowPrivilegeEscalation != nil || c.Resources.Limits.Memory().String() != "512Mi" {
				t.Errorf("sandbox is not upstream's: %+v", c)
			}
		})
	}
}

// TestMemoryConfigMap: one ConfigMap per Agent with legacy memory, whether or not a run uses it,
// without data (a sync must not erase what the controller wrote); the run's volume is optional.
func TestMemoryConfigMap(t *testing.T) {
	res, diags := compileYAML(t, Options{}, agent("memory: {enabled: true}"),
		"apiVersion: sympozium.ai/v1alpha1\nkind: Agent\nmetadata: {name: bob, namespace: team}\nspec: {memory: {enabled: false}}")
	if diags != nil {
		t.Fatal(diags)
	}
	cm := find[*corev1.ConfigMap](t, res, "ConfigMap", "alice-memory")
	if cm.Data != nil || cm.BinaryData != nil || cm.Labels[LabelComponent] != ComponentMemory || cm.Labels[LabelInstance] != "alice" {
		t.Errorf("memory ConfigMap %+v", cm)
	}
	for _, o := range res.Objects {
		if o.GetName() == "bob-memory" {
			t.Error("a memory ConfigMap for an Agent without memory")
		}
	}
	res, diags = compileYAML(t, Options{}, agent("memory: {enabled: true}"), run("task: go"))
	if diags != nil {
		t.Fatal(diags)
	}
	spec := jobPod(t, res, "r1")
	v := spec.Volumes[len(spec.Volumes)-1]
	if v.Name != VolumeMemory || v.ConfigMap == nil || v.ConfigMap.Name != "alice-memory" || v.ConfigMap.Optional == nil || !*v.ConfigMap.Optional {
		t.Errorf("memory volume %+v", v)
	}
}

// TestConfigMapSkills: a configMapRef is one more projected source, optional, after the packs';
// a run with skills of its own takes none of the Agent's.
func TestConfigMapSkills(t *testing.T) {
	ag := agent("agents: {default: {model: m}}\nskills: [{skillPackRef: p}, {configMapRef: agent-skills}]")
	res, diags := compileYAML(t, Options{}, pack(""), ag, run("task: go"),
		strings.ReplaceAll(run("task: go\nskills: [{configMapRef: run-skills}]"), "name: r1", "name: r2"))
	if diags != nil {
		t.Fatal(diags)
	}
	sources := func(name string) []string {
		var out []string
		for _, s := range jobPod(t, res, name).Volumes[3].Projected.Sources {
			opt := ""
			if s.ConfigMap.Optional != nil && *s.ConfigMap.Optional {
				opt = "?"
			}
			out = append(out, s.ConfigMap.Name+opt)
		}
		return out
	}
	if got := sources("r1"); !slices.Equal(got, []string{"skillpack-p", "agent-skills?"}) {
		t.Errorf("r1 sources %v", got)
	}
	if got := sources("r2"); !slices.Equal(got, []string{"run-skills?"}) {
		t.Errorf("r2 sources %v", got)
	}
	org, _ := res.OriginsOf(find[*batchv1.Job](t, res, "Job", "r1")).Lookup(JobPodSpecPath + ".volumes[3].projected.sources[1]")
	if org.Field != "spec.skills[1].configMapRef" || org.Line != 12 {
		t.Errorf("source's origin %v", org)
	}
	warned := compileWarnings(t, Options{}, pack(""), ag)
	if !slices.ContainsFunc(warned, func(d diag.Diagnostic) bool {
		return d.Field == "spec.skills[1].configMapRef" && strings.Contains(d.Message, "the gate cannot see its content")
	}) {
		t.Errorf("no warning about the unseen ConfigMap: %v", warned)
	}
}

// TestSidecarDriven: upstream's sidecar-driven task mode. The first task sidecar declaring the
// tool runs it; a server-only sidecar is not in a task's pod.
func TestSidecarDriven(t *testing.T) {
	named := func(p, name string) string {
		return strings.ReplaceAll(strings.ReplaceAll(p, "name: p,", "name: "+name+","), "name: s,", "name: s-"+name+",")
	}
	// Tool names are unique across a run's packs (upstream's admission refuses duplicates): b's
	// tools carry its name.
	tools := func(name, image string) string {
		suffix := ""
		if name != "a" {
			suffix = "_" + name
		}
		return named(pack("image: "+image+"\ncommand: [serve]\ntools: [{name: go"+suffix+", exec: [bin, x], subcommand: sub}, {name: other"+suffix+", exec: [o]}]"), name)
	}
	// A server sidecar declares no tools (upstream's server pod ignores them; skillc refuses them).
	srv := named(pack("image: reg/srv:1\nrequiresServer: true\nports: [{name: http, containerPort: 8080}]"), "srv")
	ag := agent("agents: {default: {model: m}}\nskills: [{skillPackRef: srv}, {skillPackRef: a}, {skillPackRef: b}]")
	res, diags := compileYAML(t, Options{}, srv, tools("a", "reg/a:1"), tools("b", "reg/b:1"), ag,
		run("task: {mode: sidecar-driven, tool: go, parameters: {k: v}}"))
	if diags != nil {
		t.Fatal(diags)
	}
	spec := jobPod(t, res, "r1")
	a, b := findContainer(t, spec, "skill-a"), findContainer(t, spec, "skill-b")
	if !slices.Equal(a.Command, []string{"bin", "x", "sub"}) || envOf(a)["SYMPOZIUM_RUN_CONFIG_JSON"] != `{"k":"v"}` {
		t.Errorf("driven sidecar %v %v", a.Command, a.Env)
	}
	if !slices.Equal(b.Command, []string{"serve"}) || envOf(b)["SYMPOZIUM_RUN_CONFIG_JSON"] != "" {
		t.Errorf("other sidecar changed: %v %v", b.Command, b.Env)
	}
	env := envOf(spec.Containers[0])
	if env["TASK"] != "" || env["AGENT_MODE"] != "prompt-server" {
		t.Errorf("agent TASK %q AGENT_MODE %q", env["TASK"], env["AGENT_MODE"])
	}
	org, _ := res.OriginsOf(find[*batchv1.Job](t, res, "Job", "r1")).Lookup(JobPodSpecPath + ".initContainers[0].command")
	if org.Field != "spec.sidecar.tools[0].exec" {
		t.Errorf("command's origin %v", org)
	}

	// No parameters are "{}".
	res, diags = compileYAML(t, Options{}, tools("a", "reg/a:1"), agent("agents: {default: {model: m}}\nskills: [{skillPackRef: a}]"),
		run("task: {mode: sidecar-driven, tool: other}"))
	if diags != nil {
		t.Fatal(diags)
	}
	a = findContainer(t, jobPod(t, res, "r1"), "skill-a")
	if !slices.Equal(a.Command, []string{"o"}) || envOf(a)["SYMPOZIUM_RUN_CONFIG_JSON"] != "{}" {
		t.Errorf("sidecar %v %v", a.Command, a.Env)
	}
}

// TestRunPodErrors: what the assembled pod shows, at the line that caused it.
func TestRunPodErrors(t *testing.T) {
	ag := agent("agents: {default: {model: m}}\nmemory: {enabled: true}\nskills: [{skillPackRef: p}]")
	p := pack("image: reg/x:1\nvolumes: [{name: cache, emptyDir: {}}]")
	tests := []struct {
		name, run string
		line      int
		field     string
		want      string
	}{
		{"env replaces a derived variable", "task: go\nenv: {MEMORY_ENABLED: 'no'}", 25, "spec.env.MEMORY_ENABLED", `"MEMORY_ENABLED" is also set from spec.memory.enabled (in.yaml:15)`},
		{"a pack's volume name", "task: go\nvolumes: [{name: cache, emptyDir: {}}]", 25, "spec.volumes[0].name", `volume "cache" collides with a volume of SkillPack p`},
		{"a mount of nothing", "task: go\nvolumeMounts: [{name: ghost, mountPath: /g}]", 25, "spec.volumeMounts[0].name", `volumeMount "ghost" names no volume`},
		{"a path the agent mounts", "task: go\nvolumes: [{name: v, emptyDir: {}}]\nvolumeMounts: [{name: v, mountPath: /memory}]", 26, "spec.volumeMounts[0].mountPath", "the agent container already mounts /memory"},
		{"no sidecar declares the tool", "task: {mode: sidecar-driven, tool: nope}", 24, "spec.task.tool", `no sidecar of the run declares tool "nope"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, diags := compileYAML(t, Options{}, p, ag, run(tc.run))
			wantDiag(t, diags, tc.line, tc.field, tc.want)
		})
	}
}

// TestRunPodWarnings: the fields upstream's controller reads nowhere, or cannot be pre-rendered,
// are warned about at their line; set as upstream would use them, they are not.
func TestRunPodWarnings(t *testing.T) {
	tests := []struct {
		name  string
		docs  []string
		field string // "" for none
		want  string
	}{
		{"agents.default.sandbox", []string{agent("agents: {default: {sandbox: {enabled: true}}}")}, "spec.agents.default.sandbox", "copies agents.default.sandbox into no run"},
		{"sandbox resources", []string{agent(""), run("task: go\nsandbox: {enabled: true, resources: {limits: {cpu: '2'}}}")}, "spec.sandbox.resources", "fixed resources"},
		{"sandbox capabilities", []string{agent(""), run("task: go\nsandbox: {enabled: true, securityContext: {capabilities: {drop: [NET_RAW]}}}")}, "spec.sandbox.securityContext.capabilities.drop", "drops ALL"},
		{"sandbox dropping ALL", []string{agent(""), run("task: go\nsandbox: {enabled: true, securityContext: {capabilities: {drop: [ALL]}}}")}, "", ""},
		{"sandbox writable root", []string{agent(""), run("task: go\nsandbox: {enabled: true, securityContext: {readOnlyRootFilesystem: false}}")}, "spec.sandbox.securityContext.readOnlyRootFilesystem", "read-only whatever this says"},
		{"sandbox as root", []string{agent(""), run("task: go\nsandbox: {enabled: true, securityContext: {runAsNonRoot: false}}")}, "spec.sandbox.securityContext.runAsNonRoot", "UID 1000"},
		{"sandbox as upstream runs it", []string{agent(""), run("task: go\nsandbox: {enabled: true, securityContext: {readOnlyRootFilesystem: true, runAsNonRoot: true}}")}, "", ""},
		{"headers", []string{agent("observability: {enabled: true, headers: {a: b}}")}, "spec.observability.headers", "passes headers to no container"},
		{"observability off", []string{agent("observability: {enabled: false, otlpEndpoint: x}")}, "spec.observability.enabled", "not enabled"},
		{"maxSizeKB", []string{agent("memory: {enabled: true, maxSizeKB: 64}")}, "spec.memory.maxSizeKB", "reads maxSizeKB nowhere"},
		{"the memory skill's server", []string{strings.Replace(pack(""), "name: p,", "name: memory,", 1), agent("skills: [{skillPackRef: memory}]")}, "spec.skills[0].skillPackRef", "emits none of these yet"},
		{"subagents without the pack", []string{agent("agents: {default: {subagents: {maxDepth: 2}}}")}, "spec.agents.default.subagents", "subagents SkillPack"},
		{"firstTick unset", []string{agent(""), strings.ReplaceAll(sched(""), "  firstTick: afterInterval\n", "")}, "spec.schedule", "upstream's default"},
		{"firstTick immediate", []string{agent(""), strings.ReplaceAll(sched(""), "afterInterval", "immediate")}, "spec.firstTick", "runs the schedule once as soon as it is created"},
		{"firstTick afterInterval", []string{agent(""), sched("")}, "", ""},
		{"includeMemory without memory", []string{agent(""), sched("includeMemory: true")}, "spec.includeMemory", "has no memory enabled"},
		{"includeMemory by default", []string{agent(""), sched("")}, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			warned := compileWarnings(t, Options{}, tc.docs...)
			if tc.field == "" {
				if len(warned) > 0 {
					t.Errorf("warnings: %v", warned)
				}
				return
			}
			if !slices.ContainsFunc(warned, func(d diag.Diagnostic) bool { return d.Field == tc.field && strings.Contains(d.Message, tc.want) }) {
				t.Errorf("no warning %q at %s among %v", tc.want, tc.field, warned)
			}
		})
	}
	// With legacy memory the agent-runner prefixes the task itself: a note, not a warning.
	_, ds := Compile([]source.File{{Name: "in.yaml", Data: []byte(agent("memory: {enabled: true}") + "\n---\n" + sched(""))}}, Options{})
	if !slices.ContainsFunc(ds, func(d diag.Diagnostic) bool {
		return d.Severity == diag.SeverityInfo && d.Field == "spec.includeMemory"
	}) {
		t.Errorf("no note on includeMemory: %v", ds)
	}
}

// TestAgentStandIn: an Agent whose volumes, env or hooks reach only the runs its controller
// creates is judged through a stand-in even when AgentRuns use it; with a schedule (built from
// the Agent's spec) or without such fields it is not.
func TestAgentStandIn(t *testing.T) {
	tests := []struct {
		name string
		docs []string
		want bool
	}{
		{"volumes and a run", []string{agent("volumes: [{name: v, emptyDir: {}}]"), run("task: go")}, true},
		{"env and a run", []string{agent("agents: {default: {env: {A: b}}}"), run("task: go")}, true},
		{"volumes and a schedule", []string{agent("volumes: [{name: v, emptyDir: {}}]"), run("task: go"), sched("")}, false},
		{"a plain Agent and a run", []string{agent("agents: {default: {model: m}}"), run("task: go")}, false},
		{"volumes, no skills, no run", []string{agent("volumes: [{name: v, emptyDir: {}}]")}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, diags := compileYAML(t, Options{}, tc.docs...)
			if diags != nil {
				t.Fatal(diags)
			}
			got := slices.ContainsFunc(res.StandInPods, func(p Pod) bool { return p.Instance.Metadata.Name == "alice" })
			if got != tc.want {
				t.Errorf("stand-in for alice: %v, want %v", got, tc.want)
			}
		})
	}
}
