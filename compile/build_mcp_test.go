package compile

import (
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/source"
)

// mcpInstance is testInstance with two MCP servers, one with a bearer token.
const mcpInstance = testInstance + `
  mcpServers:
    - {name: issue-tracker, url: "https://t.example.com/mcp", toolsPrefix: t, authSecret: tok, headers: {X-A: b}}
    - {name: docs, url: "http://docs:8080/mcp", toolsPrefix: d, timeout: 5, toolsDeny: [rm]}`

func TestMCPServers(t *testing.T) {
	for _, tc := range []struct {
		sidecars string
		bridgeIn string // the list the bridge is in
	}{
		{"native", "initContainers"},
		{"containers", "containers"},
	} {
		t.Run(tc.sidecars, func(t *testing.T) {
			res, ds := compileYAML(t, Options{Sidecars: tc.sidecars}, pack("image: reg/x:1"), mcpInstance, testRun)
			if ds != nil {
				t.Fatal(ds)
			}
			spec := find[*batchv1.Job](t, res, "Job", "r1").Spec.Template.Spec
			discover := findContainer(t, spec, MCPDiscoverContainer)
			bridge := findContainer(t, spec, MCPBridgeContainer)
			// mcp-discover runs to completion before the agent starts: a plain init container, after
			// the native skill sidecars.
			if i := slices.IndexFunc(spec.InitContainers, func(c corev1.Container) bool { return c.Name == MCPDiscoverContainer }); i < 0 || discover.RestartPolicy != nil {
				t.Errorf("mcp-discover at %d of %v, restartPolicy %v", i, containerNames(spec.InitContainers), discover.RestartPolicy)
			}
			switch tc.bridgeIn {
			case "initContainers":
				// A native sidecar: the Job completes when the agent exits.
				if bridge.RestartPolicy == nil || *bridge.RestartPolicy != corev1.ContainerRestartPolicyAlways || !slices.Contains(containerNames(spec.InitContainers), MCPBridgeContainer) {
					t.Errorf("bridge restartPolicy %v, init containers %v", bridge.RestartPolicy, containerNames(spec.InitContainers))
				}
			case "containers":
				if bridge.RestartPolicy != nil || !slices.Contains(containerNames(spec.Containers), MCPBridgeContainer) {
					t.Errorf("bridge restartPolicy %v, containers %v", bridge.RestartPolicy, containerNames(spec.Containers))
				}
			}
			for _, c := range []corev1.Container{discover, bridge} {
				if c.Image != api.DefaultMCPBridgeImage || c.ImagePullPolicy != corev1.PullIfNotPresent || *c.SecurityContext.AllowPrivilegeEscalation || !*c.SecurityContext.ReadOnlyRootFilesystem {
					t.Errorf("%s: image %s, policy %s, security %+v", c.Name, c.Image, c.ImagePullPolicy, c.SecurityContext)
				}
				i := slices.IndexFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == "MCP_AUTH_ISSUE_TRACKER" })
				if i < 0 || c.Env[i].ValueFrom.SecretKeyRef.Name != "tok" || c.Env[i].ValueFrom.SecretKeyRef.Key != "token" || !*c.Env[i].ValueFrom.SecretKeyRef.Optional {
					t.Errorf("%s env %v", c.Name, c.Env)
				}
				if !slices.ContainsFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool {
					return m.Name == MCPConfigVolume && m.MountPath == "/config" && m.ReadOnly
				}) {
					t.Errorf("%s mounts %v", c.Name, c.VolumeMounts)
				}
			}
			if !slices.ContainsFunc(discover.Env, func(e corev1.EnvVar) bool { return e.Name == "MCP_DISCOVER_ONLY" && e.Value == "true" }) ||
				slices.ContainsFunc(bridge.Env, func(e corev1.EnvVar) bool { return e.Name == "MCP_DISCOVER_ONLY" }) {
				t.Errorf("MCP_DISCOVER_ONLY: discover %v, bridge %v", discover.Env, bridge.Env)
			}
			// The agent reaches the bridge through the IPC volume only.
			if slices.ContainsFunc(spec.Containers[0].VolumeMounts, func(m corev1.VolumeMount) bool { return m.Name == MCPConfigVolume }) {
				t.Error("the agent mounts the MCP config")
			}
			cm := find[*corev1.ConfigMap](t, res, "ConfigMap", "r1-mcp-servers")
			want := `servers:
- auth:
    secretKey: MCP_AUTH_ISSUE_TRACKER
    type: bearer
  headers:
    X-A: b
  name: issue-tracker
  timeout: 30
  toolsPrefix: t
  url: https://t.example.com/mcp
- name: docs
  timeout: 5
  toolsDeny:
  - rm
  toolsPrefix: d
  url: http://docs:8080/mcp
`
			if got := cm.Data["mcp-servers.yaml"]; got != want {
				t.Errorf("config\n%s\nwant\n%s", got, want)
			}
		})
	}
}

// TestMCPBridgeImageOrigin: a finding on the bridge's image points at the config's
// spec.images.mcpBridge, the rest of the container at the Agent's spec.mcpServers.
func TestMCPBridgeImageOrigin(t *testing.T) {
	cfg := "apiVersion: skillc.dev/v1alpha1\nkind: CompilerConfig\nmetadata: {name: c}\nspec:\n  images:\n    mcpBridge: reg/mcp-bridge:1"
	res, ds := Compile([]source.File{
		{Name: "config.yaml", Data: []byte(cfg)},
		{Name: "in.yaml", Data: []byte(strings.Join([]string{pack(""), mcpInstance, testRun}, "\n---\n"))},
	}, Options{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	job := find[*batchv1.Job](t, res, "Job", "r1")
	from := res.OriginsOf(job)
	for path, want := range map[string]string{
		"spec.template.spec.initContainers[0].image":  "spec.images.mcpBridge",
		"spec.template.spec.initContainers[1].env[4]": "spec.mcpServers[0].authSecret",
		"spec.template.spec.initContainers[1]":        "spec.mcpServers",
	} {
		if o, ok := from.Lookup(path); !ok || o.Field != want {
			t.Errorf("origin of %s = %v, want %s", path, o, want)
		}
	}
	if c := job.Spec.Template.Spec.InitContainers[0]; c.Name != MCPDiscoverContainer || c.Image != "reg/mcp-bridge:1" {
		t.Errorf("init container 0: %s %s", c.Name, c.Image)
	}
}

// TestMCPSchedulesAndServers: a schedule's containers name each trigger's Job as the run; a
// server run mounts no MCP config, so none is written for it.
func TestMCPSchedulesAndServers(t *testing.T) {
	sched := "apiVersion: sympozium.ai/v1alpha1\nkind: SympoziumSchedule\nmetadata: {name: nightly, namespace: team}\nspec: {agentRef: alice, schedule: '@daily', task: go}"
	res, ds := compileYAML(t, Options{}, pack(""), mcpInstance, sched)
	if ds != nil {
		t.Fatal(ds)
	}
	spec := find[*batchv1.CronJob](t, res, "CronJob", "nightly").Spec.JobTemplate.Spec.Template.Spec
	if e := findContainer(t, spec, MCPBridgeContainer).Env[0]; e.Name != "AGENT_RUN_ID" || e.ValueFrom == nil || e.ValueFrom.FieldRef == nil {
		t.Errorf("AGENT_RUN_ID of a schedule's bridge: %+v", e)
	}
	find[*corev1.ConfigMap](t, res, "ConfigMap", "nightly-mcp-servers")

	srvInstance := strings.Replace(mcpInstance, "skills: [{skillPackRef: p}]", "skills: [{skillPackRef: srv}]", 1)
	run := "apiVersion: sympozium.ai/v1alpha1\nkind: AgentRun\nmetadata: {name: serve, namespace: team}\nspec: {agentRef: alice, mode: server, task: serve}"
	res, ds = compileYAML(t, Options{}, serverPack, srvInstance, run)
	if ds != nil {
		t.Fatal(ds)
	}
	find[*appsv1.Deployment](t, res, "Deployment", "serve-server")
	for _, o := range res.Objects {
		if strings.HasSuffix(o.GetName(), MCPServersSuffix) {
			t.Errorf("a server run emitted %s", ObjectKey(o))
		}
	}
}

func TestValidateMCPServers(t *testing.T) {
	ok := api.MCPServerRef{Name: "a", URL: "https://a/mcp", ToolsPrefix: "a"}
	with := func(f func(*api.MCPServerRef)) api.MCPServerRef { s := ok; f(&s); return s }
	tests := []struct {
		name    string
		servers []api.MCPServerRef
		want    []string // fields with an error
	}{
		{"valid", []api.MCPServerRef{ok, with(func(s *api.MCPServerRef) { s.Name, s.ToolsPrefix, s.AuthSecret, s.AuthKey = "b", "b", "s", "k" })}, nil},
		{"no url: the MCPServer object's status", []api.MCPServerRef{with(func(s *api.MCPServerRef) { s.URL = "" })}, []string{"spec.mcpServers[0].url"}},
		{"a relative url", []api.MCPServerRef{with(func(s *api.MCPServerRef) { s.URL = "/mcp" })}, []string{"spec.mcpServers[0].url"}},
		{"a ws url", []api.MCPServerRef{with(func(s *api.MCPServerRef) { s.URL = "ws://a/mcp" })}, []string{"spec.mcpServers[0].url"}},
		{"no toolsPrefix", []api.MCPServerRef{with(func(s *api.MCPServerRef) { s.ToolsPrefix = "" })}, []string{"spec.mcpServers[0].toolsPrefix"}},
		{"same prefix", []api.MCPServerRef{ok, with(func(s *api.MCPServerRef) { s.Name = "b" })}, []string{"spec.mcpServers[1].toolsPrefix"}},
		{"same env", []api.MCPServerRef{
			with(func(s *api.MCPServerRef) { s.Name, s.AuthSecret = "x-y", "s" }),
			with(func(s *api.MCPServerRef) { s.Name, s.ToolsPrefix, s.AuthSecret = "x_y", "b", "s" }),
		}, []string{"spec.mcpServers[1].name"}},
		{"same name without a secret", []api.MCPServerRef{ok, with(func(s *api.MCPServerRef) { s.ToolsPrefix = "b" })}, []string{"spec.mcpServers[1].name"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := &api.Instance{Spec: api.InstanceSpec{MCPServers: tc.servers}}
			var got []string
			for _, d := range validateMCPServers(in) {
				got = append(got, d.Field)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("errors at %v, want %v", got, tc.want)
			}
		})
	}
}
