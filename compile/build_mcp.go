package compile

import (
	"fmt"
	"net/url"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/internal/emit"
)

// MCP servers. For an Agent with spec.mcpServers, upstream writes the servers into a ConfigMap
// <run>-mcp-servers (ensureMCPConfigMap, buildMCPServersYAML in
// internal/controller/agentrun_controller.go) and adds to each task pod an mcp-discover init
// container, which lists the servers' tools into the IPC volume before the agent starts, and an
// mcp-bridge sidecar, which relays the agent's calls to them (buildContainers); both read the
// config from the volume mcp-config (buildVolumes). An entry without url is resolved from an
// MCPServer object's status when the run starts (resolveMCPServerURLs): skillc refuses it.

const (
	// MCPConfigVolume is the pod's volume of the config; MCPServersSuffix names its ConfigMap
	// after the run.
	MCPConfigVolume      = "mcp-config"
	MCPServersSuffix     = "-mcp-servers"
	ComponentMCPConfig   = "mcp-config"
	MCPDiscoverContainer = "mcp-discover"
	MCPBridgeContainer   = "mcp-bridge"
	mcpServersKey        = "mcp-servers.yaml"
	// mcpDefaultTimeout is the per-request timeout, in seconds, of an entry that sets none.
	mcpDefaultTimeout = 30
	// mcpDefaultAuthKey is the key of authSecret an entry without authKey reads.
	mcpDefaultAuthKey = "token"
)

// mcpServerYAML is one entry of the config, with upstream's keys (buildMCPServersYAML): name,
// url, toolsPrefix and timeout always, the rest when set.
type mcpServerYAML struct {
	Name        string            `json:"name"`
	URL         string            `json:"url"`
	ToolsPrefix string            `json:"toolsPrefix"`
	Timeout     int               `json:"timeout"`
	Auth        *mcpAuthYAML      `json:"auth,omitempty"`
	Headers     map[string]string `json:"headers,omitempty"`
	ToolsAllow  []string          `json:"toolsAllow,omitempty"`
	ToolsDeny   []string          `json:"toolsDeny,omitempty"`
}

type mcpAuthYAML struct {
	Type      string `json:"type"`
	SecretKey string `json:"secretKey"`
}

type mcpServersConfigYAML struct {
	Servers []mcpServerYAML `json:"servers"`
}

// mcpAuthEnv is the variable that carries an entry's bearer token into both MCP containers.
func mcpAuthEnv(server string) string {
	return "MCP_AUTH_" + strings.ToUpper(strings.ReplaceAll(server, "-", "_"))
}

// mcpPart adds the mcp-discover init container, the mcp-bridge sidecar and the mcp-config volume
// of an Agent with MCP servers. The bridge is a plain container upstream, whose controller stops it
// when the agent exits; with native sidecars (the default) it is a restartable init container, so
// that the Job completes when the agent exits.
func mcpPart(cfg *api.ConfigSpec, pod *Pod, spec *corev1.PodSpec, from *origins) diag.Diagnostics {
	servers := pod.Instance.Spec.MCPServers
	if len(servers) == 0 {
		return nil
	}
	inst := &pod.Instance.Src
	env := []corev1.EnvVar{
		runIDEnv(pod),
		{Name: "MCP_CONFIG_PATH", Value: "/config/" + mcpServersKey},
		{Name: "MCP_IPC_PATH", Value: "/ipc/tools"},
		{Name: "MCP_MANIFEST_PATH", Value: "/ipc/tools/mcp-tools.json"},
	}
	type authVar struct{ env, server int }
	var auth []authVar
	for i, srv := range servers {
		if srv.AuthSecret == "" {
			continue
		}
		key := srv.AuthKey
		if key == "" {
			key = mcpDefaultAuthKey
		}
		auth = append(auth, authVar{len(env), i})
		env = append(env, corev1.EnvVar{Name: mcpAuthEnv(srv.Name), ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: srv.AuthSecret}, Key: key, Optional: ptr(true)}}})
	}
	container := func(name string, env []corev1.EnvVar) corev1.Container {
		return corev1.Container{
			Name:            name,
			Image:           cfg.Images.MCPBridge,
			ImagePullPolicy: corev1.PullIfNotPresent,
			Env:             env,
			VolumeMounts: []corev1.VolumeMount{
				{Name: VolumeIPC, MountPath: "/ipc"},
				{Name: MCPConfigVolume, MountPath: "/config", ReadOnly: true},
			},
			Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m"), corev1.ResourceMemory: resource.MustParse("128Mi")},
				Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("200m"), corev1.ResourceMemory: resource.MustParse("256Mi")},
			},
			SecurityContext: hardened(true),
		}
	}
	discoverEnv := append(append(make([]corev1.EnvVar, 0, len(env)+1), env...), corev1.EnvVar{Name: "MCP_DISCOVER_ONLY", Value: "true"})
	record := func(path string, i int) {
		from.setPod(path, i, 0, inst, "spec.mcpServers", 0)
		if from.images != nil {
			from.setPod(path+".image", i, 0, from.images, "spec.images.mcpBridge", 0)
			from.setPod(path+".imagePullPolicy", i, 0, from.images, "spec.images.mcpBridge", 0)
		}
		for _, a := range auth {
			from.add(rec{path: path + ".env[#]", idx: [2]int32{int32(i), int32(a.env)}, src: inst, field: "spec.mcpServers[#].authSecret", fidx: int32(a.server), flags: inPod})
		}
	}
	record("initContainers[#]", len(spec.InitContainers))
	spec.InitContainers = append(spec.InitContainers, container(MCPDiscoverContainer, discoverEnv))
	bridge := container(MCPBridgeContainer, env)
	if cfg.Sidecars == api.SidecarsNative {
		bridge.RestartPolicy = ptr(corev1.ContainerRestartPolicyAlways)
		record("initContainers[#]", len(spec.InitContainers))
		spec.InitContainers = append(spec.InitContainers, bridge)
	} else {
		record("containers[#]", len(spec.Containers))
		spec.Containers = append(spec.Containers, bridge)
	}
	from.setPod("volumes[#]", len(spec.Volumes), 0, inst, "spec.mcpServers", 0)
	spec.Volumes = append(spec.Volumes, corev1.Volume{Name: MCPConfigVolume, VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
		LocalObjectReference: corev1.LocalObjectReference{Name: pod.Name + MCPServersSuffix}, Optional: ptr(true)}}})
	return nil
}

// mcpObjects builds a task pod's <run>-mcp-servers ConfigMap (ensureMCPConfigMap). A server run's
// pod mounts none, so none is emitted for it (upstream writes one the server never reads).
func mcpObjects(_ *api.ConfigSpec, pod *Pod, _ *diag.Source, rr *recorder) ([]Object, []*origins, diag.Diagnostics) {
	servers := pod.Instance.Spec.MCPServers
	if pod.Server() || len(servers) == 0 {
		return nil, nil, nil
	}
	cfg := mcpServersConfigYAML{Servers: make([]mcpServerYAML, 0, len(servers))}
	for _, srv := range servers {
		e := mcpServerYAML{Name: srv.Name, URL: srv.URL, ToolsPrefix: srv.ToolsPrefix, Timeout: srv.Timeout,
			Headers: srv.Headers, ToolsAllow: srv.ToolsAllow, ToolsDeny: srv.ToolsDeny}
		if e.Timeout <= 0 {
			e.Timeout = mcpDefaultTimeout
		}
		if srv.AuthSecret != "" {
			e.Auth = &mcpAuthYAML{Type: "bearer", SecretKey: mcpAuthEnv(srv.Name)}
		}
		cfg.Servers = append(cfg.Servers, e)
	}
	// YAML with sorted keys: deterministic, and read by the bridge as upstream's own output is.
	data, _ := emit.Marshal(cfg) // strings, numbers and string maps: cannot fail
	cm := &corev1.ConfigMap{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: objectMeta(pod.Name+MCPServersSuffix, pod.Namespace,
			labels(runLabelKey(pod), pod.Name, LabelInstance, pod.Instance.Metadata.Name, LabelComponent, ComponentMCPConfig)),
		Data: map[string]string{mcpServersKey: string(data)},
	}
	from := rr.begin(pod, "")
	from.set("", &pod.Src, "metadata.name")
	from.set("metadata.labels", &pod.Instance.Src, "metadata.name")
	from.set(`data["`+mcpServersKey+`"]`, &pod.Instance.Src, "spec.mcpServers")
	return []Object{cm}, []*origins{from.done()}, nil
}

// validateMCPServers checks an Agent's spec.mcpServers as the CRD does (a name and a toolsPrefix)
// and as the pod needs them: a url skillc can write (an entry without one is refused), Secret
// references the API server accepts, and names, variables and prefixes that do not collide.
func validateMCPServers(in *api.Instance) diag.Diagnostics {
	src := in.Src
	var diags diag.Diagnostics
	names, envs, prefixes := map[string]int{}, map[string]int{}, map[string]int{}
	for i, srv := range in.Spec.MCPServers {
		field := fmt.Sprintf("spec.mcpServers[%d]", i)
		if srv.Name == "" {
			diags = append(diags, src.Diag(field+".name", "required"))
		} else if j, dup := names[srv.Name]; dup {
			diags = append(diags, src.Diag(field+".name", "MCP server name %q is also spec.mcpServers[%d]'s", srv.Name, j))
		}
		names[srv.Name] = i
		if srv.URL == "" {
			diags = append(diags, src.Diag(field+".url", "required by skillc: upstream resolves an entry without url from the MCPServer object of that name, from its status when the run starts (resolveMCPServerURLs), which skillc cannot see; write the server's url"))
		} else if u, err := url.Parse(srv.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			diags = append(diags, src.Diag(field+".url", "invalid url %q: the mcp-bridge needs an absolute http or https URL", srv.URL))
		}
		if srv.ToolsPrefix == "" {
			diags = append(diags, src.Diag(field+".toolsPrefix", "required"))
		} else if j, dup := prefixes[srv.ToolsPrefix]; dup {
			diags = append(diags, src.Diag(field+".toolsPrefix", "toolsPrefix %q is also spec.mcpServers[%d]'s: the tools of two servers would share names", srv.ToolsPrefix, j))
		}
		prefixes[srv.ToolsPrefix] = i
		if srv.AuthSecret == "" {
			continue
		}
		for _, msg := range validation.IsDNS1123Subdomain(srv.AuthSecret) {
			diags = append(diags, src.Diag(field+".authSecret", "invalid Secret name %q: %s", srv.AuthSecret, msg))
		}
		if srv.AuthKey != "" {
			for _, msg := range validation.IsConfigMapKey(srv.AuthKey) {
				diags = append(diags, src.Diag(field+".authKey", "invalid Secret key %q: %s", srv.AuthKey, msg))
			}
		}
		env := mcpAuthEnv(srv.Name)
		for _, msg := range validation.IsEnvVarName(env) {
			diags = append(diags, src.Diag(field+".name", "MCP server %q with an authSecret becomes env %q: %s", srv.Name, env, msg))
		}
		if j, dup := envs[env]; dup && in.Spec.MCPServers[j].Name != srv.Name {
			diags = append(diags, src.Diag(field+".name", "MCP servers %q and %q both become env %s; rename one", in.Spec.MCPServers[j].Name, srv.Name, env))
		}
		envs[env] = i
	}
	return diags
}
