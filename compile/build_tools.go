package compile

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
)

// Native sidecar tools. When a task pod's sidecars declare sidecar.tools, upstream writes their
// definitions into a read-only, immutable ConfigMap <run>-sidecar-tools (buildSidecarToolsManifest,
// ensureSidecarToolsConfigMap in internal/controller/agentrun_controller.go), mounts it into the
// agent at /config/sidecar-tools and points SIDECAR_TOOLS_MANIFEST_PATH at it (buildContainers,
// buildVolumes). The definitions come from the SkillPacks, out of the agent's reach; each tool's
// target is its pack, so the agent cannot route a tool to another sidecar.

const (
	// SidecarToolsVolume is the agent's volume of the manifest; SidecarToolsSuffix names its
	// ConfigMap after the run.
	SidecarToolsVolume    = "sidecar-tools"
	SidecarToolsSuffix    = "-sidecar-tools"
	ComponentSidecarTools = "sidecar-tools"
	sidecarToolsMountPath = "/config/sidecar-tools"
	sidecarToolsKey       = "sidecar-tools.json"
	// maxToolsManifestBytes is upstream's budget for the manifest (ensureSidecarToolsConfigMap).
	maxToolsManifestBytes = 900 * 1024
	// maxToolName and maxToolDescription are the CRD's limits.
	maxToolName        = 64
	maxToolDescription = 2048
)

// sidecarToolNameRE is upstream's sidecarToolNamePattern (internal/webhook/policy_enforcer.go).
var sidecarToolNameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// builtinToolNames are the agent runner's own tools, which upstream's admission keeps sidecar
// tools from shadowing (builtinToolNames in internal/webhook/policy_enforcer.go).
var builtinToolNames = []string{
	"execute_command", "read_file", "write_file", "edit_file", "list_directory",
	"send_channel_message", "fetch_url", "schedule_task", "delegate_to_persona", "spawn_subagents",
	"memory_search", "memory_store", "memory_list",
	"workflow_memory_search", "workflow_memory_store", "workflow_memory_list",
}

// sidecarToolJSON is one tool of the manifest, field for field as upstream writes it.
type sidecarToolJSON struct {
	Name           string          `json:"name"`
	Description    string          `json:"description"`
	Target         string          `json:"target"`
	Exec           []string        `json:"exec"`
	Subcommand     string          `json:"subcommand,omitempty"`
	InputMode      string          `json:"inputMode,omitempty"`
	PositionalArgs []string        `json:"positionalArgs,omitempty"`
	Parameters     json.RawMessage `json:"parameters,omitempty"`
}

type sidecarToolManifestJSON struct {
	Tools []sidecarToolJSON `json:"tools"`
}

// toolsOf are the tools a toggle's sidecar contributes to a task pod, and the pack that declared
// them: none for a pack without a sidecar image or with requiresServer (prepareTaskPrerequisites
// drops it); a private pack without tools takes those of the catalog pack it shadows
// (resolveSkillSidecars).
func toolsOf(t *Toggle) ([]api.SidecarTool, *api.SkillPack) {
	sc := t.Pack.Spec.Sidecar
	if sc == nil || sc.Image == "" || sc.RequiresServer {
		return nil, nil
	}
	if len(sc.Tools) > 0 {
		return sc.Tools, t.Pack
	}
	if s := t.Shadows; s != nil && s.Spec.Sidecar != nil && len(s.Spec.Sidecar.Tools) > 0 {
		return s.Spec.Sidecar.Tools, s
	}
	return nil, nil
}

// firstToolsPack is the first pack whose tools are in the pod's manifest (nil: no manifest).
func firstToolsPack(pod *Pod) *api.SkillPack {
	for i := range pod.Toggles {
		if tools, p := toolsOf(&pod.Toggles[i]); len(tools) > 0 {
			return p
		}
	}
	return nil
}

// sidecarToolsPart mounts the manifest into the agent and names it in SIDECAR_TOOLS_MANIFEST_PATH
// (buildContainers), and adds its volume, an optional ConfigMap source (buildVolumes).
func sidecarToolsPart(_ *api.ConfigSpec, pod *Pod, spec *corev1.PodSpec, from *origins) diag.Diagnostics {
	p := firstToolsPack(pod)
	if p == nil {
		return nil
	}
	agent := &spec.Containers[0]
	from.setPod("containers[0].volumeMounts[#]", len(agent.VolumeMounts), 0, &p.Src, "spec.sidecar.tools", 0)
	agent.VolumeMounts = append(agent.VolumeMounts, corev1.VolumeMount{Name: SidecarToolsVolume, MountPath: sidecarToolsMountPath, ReadOnly: true})
	from.setPod("containers[0].env[#]", len(agent.Env), 0, &p.Src, "spec.sidecar.tools", 0)
	agent.Env = append(agent.Env, corev1.EnvVar{Name: "SIDECAR_TOOLS_MANIFEST_PATH", Value: sidecarToolsMountPath + "/" + sidecarToolsKey})
	from.setPod("volumes[#]", len(spec.Volumes), 0, &p.Src, "spec.sidecar.tools", 0)
	spec.Volumes = append(spec.Volumes, corev1.Volume{Name: SidecarToolsVolume, VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
		LocalObjectReference: corev1.LocalObjectReference{Name: pod.Name + SidecarToolsSuffix}, Optional: ptr(true)}}})
	return nil
}

// sidecarToolsObjects builds a task pod's <run>-sidecar-tools ConfigMap (ensureSidecarToolsConfigMap):
// immutable, its manifest compact JSON in toggle order. A tool name declared by two packs of the
// pod is refused, as upstream's admission of the run refuses it (validateSidecarTools).
func sidecarToolsObjects(_ *api.ConfigSpec, pod *Pod, _ *diag.Source, rr *recorder) ([]Object, []*origins, diag.Diagnostics) {
	first := firstToolsPack(pod)
	if pod.Server() || first == nil {
		return nil, nil, nil // server runs write no manifest (reconcilePendingServer)
	}
	manifest := sidecarToolManifestJSON{Tools: []sidecarToolJSON{}}
	declared := map[string]string{} // tool name → its pack
	var diags diag.Diagnostics
	for i := range pod.Toggles {
		t := &pod.Toggles[i]
		tools, p := toolsOf(t)
		for j, tool := range tools {
			if other, dup := declared[tool.Name]; dup {
				diags = append(diags, p.Src.Diag(fmt.Sprintf("spec.sidecar.tools[%d].name", j),
					"sidecar tool %q is declared by both SkillPack %q and SkillPack %q, both in the pod of %s %s/%s: tool names must be unique across a run's packs (upstream's admission refuses the run)",
					tool.Name, other, p.Metadata.Name, pod.Kind, pod.Namespace, pod.Name))
				continue
			}
			declared[tool.Name] = p.Metadata.Name
			manifest.Tools = append(manifest.Tools, manifestTool(t.Pack.Metadata.Name, tool))
		}
	}
	if diags != nil {
		return nil, nil, diags
	}
	// Plain strings and parameters that are compact JSON already (api.JSONValue): cannot fail.
	data, _ := json.Marshal(manifest)
	if len(data) > maxToolsManifestBytes {
		return nil, nil, diag.Diagnostics{first.Src.Diag("spec.sidecar.tools",
			"the sidecar tools manifest of %s %s/%s is %d bytes, over upstream's %d-byte budget (ensureSidecarToolsConfigMap): fewer tools, or shorter descriptions and parameter schemas",
			pod.Kind, pod.Namespace, pod.Name, len(data), maxToolsManifestBytes)}
	}
	cm := &corev1.ConfigMap{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: objectMeta(pod.Name+SidecarToolsSuffix, pod.Namespace,
			labels(runLabelKey(pod), pod.Name, LabelInstance, pod.Instance.Metadata.Name, LabelComponent, ComponentSidecarTools)),
		// Immutable, as upstream makes it: the definition of what the agent may run cannot be
		// rewritten in place (a changed manifest is a new object; see targetKind).
		Immutable: ptr(true),
		Data:      map[string]string{sidecarToolsKey: string(data)},
	}
	from := rr.begin(pod, "")
	from.set("", &pod.Src, "metadata.name")
	from.set("metadata.labels", &pod.Instance.Src, "metadata.name")
	from.set(`data["`+sidecarToolsKey+`"]`, &first.Src, "spec.sidecar.tools")
	return []Object{cm}, []*origins{from.done()}, nil
}

// manifestTool is buildSidecarToolsManifest's entry: the target is the toggled pack's name
// (sidecartools.NormalizeTarget: a DNS label is already lower case), inputMode defaults to args,
// parameters to an empty object schema.
func manifestTool(pack string, tool api.SidecarTool) sidecarToolJSON {
	mode := tool.InputMode
	if mode == "" {
		mode = "args"
	}
	params := json.RawMessage(`{"type":"object","properties":{}}`)
	if tool.Parameters != nil && tool.Parameters.Raw != "" {
		params = json.RawMessage(tool.Parameters.Raw)
	}
	return sidecarToolJSON{Name: tool.Name, Description: tool.Description, Target: strings.ToLower(strings.TrimSpace(pack)),
		Exec: tool.Exec, Subcommand: tool.Subcommand, InputMode: mode, PositionalArgs: tool.PositionalArgs, Parameters: params}
}

// validateSidecarTools applies upstream's admission checks of a pack's tools
// (validateSidecarToolStructural and SkillPackValidator in internal/webhook), with the CRD's
// limits: a snake_case name, not a built-in tool's, unique in the pack; an executable; parameters
// that are a JSON Schema object; positional args that are declared, required parameters; in args
// mode (the default) no parameter that is not positional, since it would never reach the process.
func validateSidecarTools(src diag.Source, pack string, sc *api.Sidecar) diag.Diagnostics {
	var diags diag.Diagnostics
	seen := map[string]int{}
	for i, tool := range sc.Tools {
		field := fmt.Sprintf("spec.sidecar.tools[%d]", i)
		switch {
		case len(tool.Name) > maxToolName || !sidecarToolNameRE.MatchString(tool.Name):
			diags = append(diags, src.Diag(field+".name", "invalid tool name %q: use snake_case of at most %d characters matching ^[a-z][a-z0-9_]*$", tool.Name, maxToolName))
		case slices.Contains(builtinToolNames, tool.Name):
			diags = append(diags, src.Diag(field+".name", "tool name %q is a built-in tool of the agent runner: the sidecar tool would be shadowed", tool.Name))
		}
		if j, dup := seen[tool.Name]; dup {
			diags = append(diags, src.Diag(field+".name", "SkillPack %q declares sidecar tool %q twice (also spec.sidecar.tools[%d])", pack, tool.Name, j))
		}
		seen[tool.Name] = i
		if len(tool.Description) > maxToolDescription {
			diags = append(diags, src.Diag(field+".description", "is %d characters, over the CRD's limit of %d", len(tool.Description), maxToolDescription))
		}
		if len(tool.Exec) == 0 {
			diags = append(diags, src.Diag(field+".exec", "required: at least the executable the sidecar runs for this tool"))
		}
		mode := tool.InputMode
		switch mode {
		case "":
			mode = "args"
		case "args", "stdin":
		default:
			diags = append(diags, src.Diag(field+".inputMode", "must be args or stdin, got %q", tool.InputMode))
		}
		var schema struct {
			Properties map[string]json.RawMessage `json:"properties"`
			Required   []string                   `json:"required"`
		}
		declared := false
		if p := tool.Parameters; p != nil && p.Raw != "" {
			if !strings.HasPrefix(p.Raw, "{") { // compact JSON (api.JSONValue)
				diags = append(diags, src.Diag(field+".parameters", "must be a JSON Schema object (a mapping with type: object and properties), got %s", p.Raw))
				continue
			}
			if json.Unmarshal([]byte(p.Raw), &schema) != nil {
				diags = append(diags, src.Diag(field+".parameters", "not a JSON Schema object: properties must map each parameter's name to its schema, and required must list parameter names"))
				continue
			}
			declared = schema.Properties != nil
		}
		for k, name := range tool.PositionalArgs {
			af := fmt.Sprintf("%s.positionalArgs[%d]", field, k)
			switch _, ok := schema.Properties[name]; {
			case !declared:
				diags = append(diags, src.Diag(af, "positional arg %q, but the tool declares no parameters", name))
			case !ok:
				diags = append(diags, src.Diag(af, "positional arg %q is not a declared parameter (parameters.properties)", name))
			case !slices.Contains(schema.Required, name):
				diags = append(diags, src.Diag(af, "positional arg %q must be in parameters.required: an omitted earlier positional would shift every later one", name))
			}
		}
		if mode == "args" {
			for _, name := range sortedKeys(schema.Properties) {
				if !slices.Contains(tool.PositionalArgs, name) {
					diags = append(diags, src.Diag(field+".parameters.properties."+name, "inputMode is args, where only positional parameters reach the process: %q would be dropped; add it to positionalArgs or use inputMode: stdin", name))
				}
			}
		}
	}
	return diags
}
