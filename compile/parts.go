package compile

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
)

// A podPart adds to a run's pod what one upstream feature puts there (containers, init
// containers, volumes, env), recording in from where each field came from. Parts run in the order
// of podParts, after the skill sidecars and before the API token volume, mirroring the order in
// which upstream's buildContainers and buildVolumes add them. Each lives in its build_<feature>.go.
type podPart func(cfg *api.ConfigSpec, pod *Pod, spec *corev1.PodSpec, from *origins) diag.Diagnostics

var podParts = []podPart{
	mcpPart,             // build_mcp.go: upstream adds mcp-discover before the preRun hooks
	sidecarToolsPart,    // build_tools.go
	hookContainers,      // build_hooks.go: after any part that adds run-to-completion init containers
	relationshipContext, // ensemble.go
}

// A podObjects builds the objects a run or schedule needs beside its workload and its skills'
// RBAC (what upstream's controller creates around a run), each with its origins, begun with rr
// and checked by the caller as the API server would check it.
type podObjects func(cfg *api.ConfigSpec, pod *Pod, images *diag.Source, rr *recorder) ([]Object, []*origins, diag.Diagnostics)

var podObjectBuilders = []podObjects{
	hookObjects,         // build_hooks.go
	mcpObjects,          // build_mcp.go
	sidecarToolsObjects, // build_tools.go
}

// An instanceObjects builds what upstream's Agent controller creates once per Agent, whether or
// not any run uses it yet (AgentReconciler.Reconcile), each with its origins, begun with rr.
type instanceObjects func(cfg *api.ConfigSpec, inst *api.Instance, rr *recorder) ([]Object, []*origins, diag.Diagnostics)

var instanceObjectBuilders = []instanceObjects{buildMemoryConfigMap}

// buildInstanceObjects runs every instanceObjects builder over the instances, checking each
// object as the API server would.
func buildInstanceObjects(cfg *api.CompilerConfig, insts []*api.Instance) ([]Object, map[Object]*origins, diag.Diagnostics) {
	var objs []Object
	recorded := map[Object]*origins{}
	rr := &recorder{}
	ck := &cursor{memo: map[memoKey][]string{}}
	var diags diag.Diagnostics
	for _, inst := range insts {
		for _, build := range instanceObjectBuilders {
			built, froms, d := build(&cfg.Spec, inst, rr)
			diags = append(diags, d...)
			for i, o := range built {
				objs = append(objs, o)
				recorded[o] = froms[i]
				diags = append(diags, checkEmitted(ck, o, cfg.Spec.Target, froms[i])...)
			}
		}
	}
	return objs, recorded, diags
}

// An agentObjects builds what upstream's Agent reconciler creates for the Agents among the inputs,
// whether or not a run uses them yet (channel gateways, warm pools), each with its origins, begun
// with rr and checked by the caller as the API server would check it.
type agentObjects func(cfg *api.ConfigSpec, in *api.Inputs, images *diag.Source, rr *recorder) ([]Object, []*origins, diag.Diagnostics)

var agentObjectBuilders = []agentObjects{buildChannels, warmPools}

// agentChecks check an Agent's fields that only its own builders read, before anything is built.
var agentChecks = []func(cfg *api.ConfigSpec, inst *api.Instance) diag.Diagnostics{validateChannels, agentSandboxNotes}
