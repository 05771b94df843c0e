package compile

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
)

// ComponentMemory is the LabelComponent of an Agent's memory ConfigMap.
const ComponentMemory = "memory"

// buildMemoryConfigMap is the ConfigMap upstream's Agent controller creates once for an Agent with
// legacy memory enabled (reconcileMemoryConfigMap), which its runs mount at /memory and the
// controller rewrites after each run with what the agent remembered (extractAndPersistMemory).
//
// It carries no data, where upstream's starts with a placeholder MEMORY.md ("No memories recorded
// yet", which the agent-runner reads as no memory): re-applied from Git, a MEMORY.md would erase
// the agent's memory on every sync, while a ConfigMap without data leaves the key the controller
// writes alone under client-side apply (not in the last applied configuration) and server-side
// apply (owned by another manager) alike.
func buildMemoryConfigMap(_ *api.ConfigSpec, inst *api.Instance, rr *recorder) ([]Object, []*origins, diag.Diagnostics) {
	if !memoryEnabled(inst) {
		return nil, nil, nil
	}
	if m := ensembleMemberOf(inst); m != nil && m.AgentConfig().Memory != nil && len(m.AgentConfig().Memory.Seeds) > 0 {
		return nil, nil, nil // ensembleMemorySeeds emits it, with the seeds (reconcileMemorySeeds)
	}
	ns := NamespaceOf(inst.Metadata, DefaultNamespace)
	cm := &corev1.ConfigMap{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: objectMeta(MemoryConfigMapName(inst.Metadata.Name), ns, labels(
			LabelInstance, inst.Metadata.Name,
			LabelComponent, ComponentMemory,
		)),
	}
	from := rr.begin(nil, "")
	from.set("", &inst.Src, "spec.memory.enabled")
	from.set("metadata.name", &inst.Src, "metadata.name")
	from.set("metadata.labels", &inst.Src, "metadata.name")
	var diags diag.Diagnostics
	diags = append(diags, checkLength(inst.Src, "metadata.name", "memory ConfigMap name", cm.Name, maxObjectName)...)
	return []Object{cm}, []*origins{from.done()}, diags
}
