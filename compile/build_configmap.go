package compile

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// maxConfigMapBytes is Kubernetes' limit on a ConfigMap's data (etcd's 1 MiB object limit).
const maxConfigMapBytes = 1 << 20

// buildConfigMap renders a pack's skills, and a SKILL.md package's extra files, into the ConfigMap
// mounted at /skills in namespace ns, and where its data came from: the pack, each skill's key its
// content.
func buildConfigMap(ns string, p *api.SkillPack, rr *recorder) (*corev1.ConfigMap, *origins, diag.Diagnostics) {
	cm := &corev1.ConfigMap{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: objectMeta(ConfigMapName(p.Metadata.Name), ns, labels(
			LabelSkillPack, p.Metadata.Name,
			LabelComponent, ComponentSkillPack,
		)),
		Data: make(map[string]string, len(p.Spec.Skills)+len(p.Files)),
	}
	type sized struct {
		key  string
		size int
	}
	var entries []sized
	var diags diag.Diagnostics
	from := rr.begin(nil, "")
	from.set("", &p.Src, "")
	for i, s := range p.Spec.Skills {
		v := skillDocument(s)
		cm.Data[s.Name+".md"] = v
		entries = append(entries, sized{s.Name + ".md", len(v)})
		from.add(rec{path: `data["$.md"]`, name: s.Name, src: &p.Src, field: "spec.skills[#].content", fidx: int32(i)})
	}
	for _, path := range sortedFileKeys(p.Files) {
		key, data := fileKey(path), p.Files[path]
		for _, msg := range validation.IsConfigMapKey(key) {
			diags = append(diags, p.Src.Diag("", "package file %q cannot be a ConfigMap key: %s", path, msg))
		}
		_, inData := cm.Data[key]
		_, inBinary := cm.BinaryData[key]
		if inData || inBinary {
			diags = append(diags, p.Src.Diag("", "package file %q collides with another file or skill on ConfigMap key %q", path, key))
			continue
		}
		if utf8.Valid(data) {
			cm.Data[key] = string(data)
		} else {
			if cm.BinaryData == nil {
				cm.BinaryData = map[string][]byte{}
			}
			cm.BinaryData[key] = data
		}
		entries = append(entries, sized{key, len(data)})
	}
	total := 0
	for _, e := range entries {
		total += len(e.key) + e.size
	}
	if total > maxConfigMapBytes {
		slices.SortFunc(entries, func(a, b sized) int { return cmp.Or(b.size-a.size, strings.Compare(a.key, b.key)) })
		var largest []string
		for _, e := range entries[:min(3, len(entries))] {
			largest = append(largest, fmt.Sprintf("%s (%d bytes)", e.key, e.size))
		}
		diags = append(diags, p.Src.Diag("", "SkillPack %q renders a ConfigMap of %d bytes, over Kubernetes' 1 MiB limit; largest: %s",
			p.Metadata.Name, total, strings.Join(largest, ", ")))
	}
	if diags != nil {
		return nil, nil, diags
	}
	return cm, from.done(), nil
}

// skillDocument is the file the agent reads: a heading and the description first, so the agent
// sees what the skill is for before its instructions.
func skillDocument(s api.Skill) string {
	if s.Description == "" {
		return s.Content
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n> %s\n\n", s.Name, strings.ReplaceAll(strings.TrimSpace(s.Description), "\n", " "))
	b.WriteString(s.Content)
	return b.String()
}

// fileKey flattens a package file's relative path into a ConfigMap key.
func fileKey(path string) string { return strings.ReplaceAll(path, "/", "__") }

// sortedFileKeys lists a pack's extra files in key order.
func sortedFileKeys(files map[string][]byte) []string {
	keys := make([]string, 0, len(files))
	for k := range files {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
