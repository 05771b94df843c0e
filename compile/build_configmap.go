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
		if len(p.Files) > 0 {
			v = withFilesNote(v, s, filesDir(p))
		}
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
	return skillHeading(s) + s.Content
}

// skillHeading is what skillDocument puts before the skill's content ("" without a description).
func skillHeading(s api.Skill) string {
	if s.Description == "" {
		return ""
	}
	return fmt.Sprintf("# %s\n\n> %s\n\n", s.Name, strings.ReplaceAll(strings.TrimSpace(s.Description), "\n", " "))
}

// withFilesNote tells the agent where the package's files are: the body names them relative to
// the skill's folder (scripts/extract.py), as the Agent Skills format has it, and the agent-runner
// says nothing about folders. Placed after the heading and description, before the body.
func withFilesNote(doc string, s api.Skill, dir string) string {
	note := fmt.Sprintf("> Files of this skill are under /skills/%s/: read paths in it relative to that folder.\n\n", dir)
	if s.Description == "" {
		return note + doc
	}
	head := fmt.Sprintf("# %s\n\n> %s\n\n", s.Name, strings.ReplaceAll(strings.TrimSpace(s.Description), "\n", " "))
	return head + note + strings.TrimPrefix(doc, head)
}

// fileKey flattens a package file's relative path into a ConfigMap key.
func fileKey(path string) string { return strings.ReplaceAll(path, "/", "__") }

// filesDir is the folder under /skills that holds a SKILL.md package's extra files: its skill's
// name (a package has one skill), which no other pack in the pod may use (checkCollisions).
func filesDir(p *api.SkillPack) string {
	if len(p.Spec.Skills) == 1 {
		return p.Spec.Skills[0].Name
	}
	return p.Metadata.Name
}

// skillsProjection is a pack's source in the pod's skills volume.
//
// Upstream (buildVolumes, internal/controller/agentrun_controller.go) projects each pack's
// ConfigMap whole, every key at the top of /skills, and its agent-runner (loadSkills,
// cmd/agent-runner/skills.go) puts every top-level file of /skills into the system prompt,
// skipping folders. A pack of plain skills is projected so too. A SKILL.md package's extra files
// are not skills: at the top they would reach the prompt (a LICENSE.txt, a script, a PNG) and
// two packs shipping the same file (LICENSE.txt, scripts/run.sh) would collide on one key, one
// silently hiding the other. So a package's ConfigMap is projected with items: its skill document
// at the top as upstream, each extra file at <skill>/<path>. That restores the package's folder
// layout, which its body's relative paths assume, keeps the files out of the prompt, leaves them
// to the agent's read_file (which may read under /skills), and makes every path distinct per
// pack, since skill names are (checkCollisions).
func skillsProjection(p *api.SkillPack) corev1.VolumeProjection {
	src := &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: ConfigMapName(p.Metadata.Name)}}
	if len(p.Files) > 0 {
		src.Items = skillItems(p)
	}
	return corev1.VolumeProjection{ConfigMap: src}
}

// skillItems maps each key of a pack's ConfigMap to its path under /skills, in path order.
func skillItems(p *api.SkillPack) []corev1.KeyToPath {
	items := make([]corev1.KeyToPath, 0, len(p.Spec.Skills)+len(p.Files))
	for _, s := range p.Spec.Skills {
		items = append(items, corev1.KeyToPath{Key: s.Name + ".md", Path: s.Name + ".md"})
	}
	dir := filesDir(p)
	for _, path := range sortedFileKeys(p.Files) {
		key := fileKey(path)
		if len(validation.IsConfigMapKey(key)) > 0 {
			continue // buildConfigMap refuses the file, naming it: one error, not a second for the pod
		}
		items = append(items, corev1.KeyToPath{Key: key, Path: dir + "/" + path})
	}
	slices.SortFunc(items, func(a, b corev1.KeyToPath) int { return strings.Compare(a.Path, b.Path) })
	return items
}

// skillPaths lists the paths a pack mounts under /skills: what checkCollisions compares.
func skillPaths(p *api.SkillPack) []string {
	if len(p.Files) == 0 {
		paths := make([]string, 0, len(p.Spec.Skills))
		for _, s := range p.Spec.Skills {
			paths = append(paths, s.Name+".md")
		}
		return paths
	}
	items := skillItems(p)
	paths := make([]string, len(items))
	for i, it := range items {
		paths[i] = it.Path
	}
	return paths
}

// sortedFileKeys lists a pack's extra files in key order.
func sortedFileKeys(files map[string][]byte) []string {
	keys := make([]string, 0, len(files))
	for k := range files {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
