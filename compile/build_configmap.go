package compile

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// maxConfigMapBytes is Kubernetes' limit on a ConfigMap's data (etcd's 1 MiB object limit).
const maxConfigMapBytes = 1 << 20

// configMapName is the ConfigMap a pack's skills live in, as the seed's controller names it.
func configMapName(pack string) string { return "skillpack-" + pack }

// buildConfigMap renders a pack's skills into the ConfigMap mounted at /skills in namespace ns.
func buildConfigMap(ns string, p *SkillPack) (*corev1.ConfigMap, Diagnostics) {
	data := make(map[string]string, len(p.Spec.Skills))
	size := 0
	for _, s := range p.Spec.Skills {
		v := skillDocument(s)
		data[s.Name+".md"] = v
		size += len(s.Name) + 3 + len(v)
	}
	if size > maxConfigMapBytes {
		return nil, Diagnostics{p.Src.Diag("spec.skills", "SkillPack %q renders a ConfigMap of %d bytes, over Kubernetes' 1 MiB limit; split the pack", p.Metadata.Name, size)}
	}
	return &corev1.ConfigMap{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: objectMeta(configMapName(p.Metadata.Name), ns, labels(
			labelSkillPack, p.Metadata.Name,
			labelComponent, "skillpack",
		)),
		Data: data,
	}, nil
}

// skillDocument is the file the agent reads: a heading and the description first, so the agent
// sees what the skill is for before its instructions.
func skillDocument(s Skill) string {
	if s.Description == "" {
		return s.Content
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n> %s\n\n", s.Name, strings.ReplaceAll(strings.TrimSpace(s.Description), "\n", " "))
	b.WriteString(s.Content)
	return b.String()
}
