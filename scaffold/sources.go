package scaffold

import (
	"fmt"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/source"
)

// yamlString writes a DNS label as a YAML scalar that every reader takes for a string: plain,
// or double-quoted when YAML 1.2 or 1.1 would read a number, a boolean or null (a pack named on).
func yamlString(s string) string {
	if source.ReadsAsString(s) {
		return s
	}
	return strconv.Quote(s)
}

// checkLabel refuses a value that is not a DNS label: names, namespaces and references of the
// objects these templates write all end up in names or labels Kubernetes limits so.
func checkLabel(what, v string) error {
	if errs := validation.IsDNS1123Label(v); len(errs) > 0 {
		return fmt.Errorf("%s %q: %s", what, v, strings.Join(errs, "; "))
	}
	return nil
}

// Instance plans DIR/NAME.yaml: an Agent (v0.10's name for a SympoziumInstance) in namespace ns
// that toggles packs, in order. A pack is named as a toggle names it (a skillpack- prefix is
// allowed); nothing checks here that it exists, since the packs may not be written yet: check and
// compile say so at the toggle's line.
func Instance(name, ns string, packs []string, dir string) (*Plan, error) {
	if err := checkLabel("instance name", name); err != nil {
		return nil, err
	}
	if err := checkLabel("--namespace", ns); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, p := range packs {
		if err := CheckName(strings.TrimPrefix(p, "skillpack-")); err != nil {
			return nil, fmt.Errorf("--pack: %w", err)
		}
		if seen[strings.TrimPrefix(p, "skillpack-")] {
			return nil, fmt.Errorf("--pack %s is given twice: a pack is toggled once", p)
		}
		seen[strings.TrimPrefix(p, "skillpack-")] = true
	}
	return newFile(dir, name+".yaml", []byte(instanceTemplate(name, ns, packs)))
}

func instanceTemplate(name, ns string, packs []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `# %[1]s: an Agent (the instance its runs belong to), written by skillc new instance.
# spec.skills are its toggles: the SkillPacks every run of it mounts, unless a run lists its own.
# A pack resolves in namespace %[2]s first (a private pack), then in the catalog namespace
# (sympozium-system, the CompilerConfig's catalogNamespace).
# Toggle a pack, seeing first what it grants: skillc enable PACK --instance %[2]s/%[1]s
apiVersion: sympozium.ai/v1alpha1
kind: Agent
metadata:
  name: %[1]s
  namespace: %[2]s
spec:
  agents:
    default:
      model: gpt-4o  # TODO the model your platform serves (MODEL_NAME in the agent container)
`, name, ns)
	if len(packs) == 0 {
		b.WriteString("  skills: []\n")
		return b.String()
	}
	b.WriteString("  skills:\n")
	for _, p := range packs {
		// A DNS label reads as a string in YAML 1.2 and 1.1 alike unless it is one of 1.1's
		// booleans or a number: quote those, as enable does.
		fmt.Fprintf(&b, "    - skillPackRef: %s\n", yamlString(p))
	}
	return b.String()
}

// Run plans DIR/NAME.yaml: an AgentRun of instance in namespace ns, with the instance's skills.
func Run(name, instance, ns, dir string) (*Plan, error) {
	if err := checkLabel("run name", name); err != nil {
		return nil, err
	}
	if err := checkLabel("--instance", instance); err != nil {
		return nil, err
	}
	if err := checkLabel("--namespace", ns); err != nil {
		return nil, err
	}
	return newFile(dir, name+".yaml", []byte(runTemplate(name, instance, ns)))
}

func runTemplate(name, instance, ns string) string {
	return fmt.Sprintf(`# %[1]s: an AgentRun, written by skillc new run. skillc compiles it into what the controller
# would create for it: the Job named %[1]s (the agent, its IPC bridge, a sidecar per skill pack with
# an image) and the RBAC of each pack, for this run alone.
# With no spec.skills of its own the run mounts its Agent's; list skills here to replace them.
apiVersion: sympozium.ai/v1alpha1
kind: AgentRun
metadata:
  name: %[1]s
  namespace: %[3]s
spec:
  agentRef: %[2]s  # the Agent (or SympoziumInstance) in namespace %[3]s
  task: TODO say what the agent should do in this run
`, name, yamlString(instance), ns)
}

// ConfigFile is the file new config writes.
const ConfigFile = "platform.yaml"

// Config plans DIR/platform.yaml: a CompilerConfig with the defaults written out and commented,
// and the restricted policy profile.
func Config(dir string) (*Plan, error) {
	return newFile(dir, ConfigFile, []byte(configTemplate()))
}

func configTemplate() string {
	return fmt.Sprintf(`# The platform's CompilerConfig, written by skillc new config. Pass it to every command:
#   skillc check --config %[1]s skills/ tenants/
# Every field is optional; the values below are the defaults, except the policy profile.
# Each field: docs/config.md, and the JSON Schema schemas/skillc.dev/compilerconfig_v1alpha1.json.
# Tenants cannot change it: a SkillPack cannot exempt itself, only this file can.
apiVersion: skillc.dev/v1alpha1
kind: CompilerConfig
metadata:
  name: platform
spec:
  catalogNamespace: %[2]s  # where public SkillPacks live
  images:  # pin them by digest (IMAGE@sha256:...) before production
    agentRunner: %[3]s
    ipcBridge: %[4]s
  identity: shared  # shared: one ServiceAccount per namespace | per-run: one per run, no permissions shared between runs
  sidecars: native  # native: initContainers that stop with the agent | containers: plain containers
  target: plain     # plain | argocd | flux: the annotations your GitOps tool needs to apply a render
  policy:
    profile: restricted  # baseline (the default) | restricted: for production (each rule per profile: docs/rules.md)
    allowedRegistries: []  # empty: any registry; list yours, e.g. [ghcr.io/your-org]
    # A finding the platform accepts, for one pack, with an owner and an expiry:
    # exceptions:
    #   - id: exc-probe-latest
    #     rules: [IMG-02]
    #     skillPack: node-probe
    #     owner: platform-team
    #     justification: the vendor publishes no digests yet
    #     expires: "2027-06-30"
`, ConfigFile, api.DefaultCatalogNamespace, api.DefaultAgentRunnerImage, api.DefaultIPCBridgeImage)
}
