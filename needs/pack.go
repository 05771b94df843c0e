package needs

import (
	"strconv"
	"strings"

	"github.com/skillc-dev/skillc/api"
)

// frontMatterAnnotation is source.AnnotationFrontMatter (a SKILL.md package's front matter, kept
// on the SkillPack it becomes); needs sits below source, so the key is repeated here and a test
// checks both are equal.
const frontMatterAnnotation = "skillc.dev/front-matter"

// Pack is the commands of every skill of a pack, in skill order, each with its input file and
// line. raw is the pack's input file when the caller has it (nil otherwise): it makes lines exact
// for a content written as a quoted scalar; a block scalar (content: |) and a SKILL.md body are
// exact without it.
func Pack(p *api.SkillPack, raw []byte) []Command {
	var out []Command
	for i, s := range p.Spec.Skills {
		out = append(out, Extract(p.Src.File, SkillLine(p, i, raw), s.Content)...)
	}
	return out
}

// SkillLine is the input line skill i's content starts on.
func SkillLine(p *api.SkillPack, i int, raw []byte) int {
	if fm, ok := p.Metadata.Annotations[frontMatterAnnotation]; ok && strings.HasSuffix(p.Src.File, "SKILL.md") {
		// ---, the front matter's lines, ---, then the body.
		return 3 + strings.Count(fm, "\n")
	}
	key := p.Src.LineOf("spec.skills[" + strconv.Itoa(i) + "].content")
	return ContentLine(raw, key, p.Spec.Skills[i].Content)
}

// PackName is namespace/name, as `skillc rbac` and reports name a pack (the name alone when
// the pack has no namespace, as a SKILL.md package read without one).
func PackName(p *api.SkillPack) string {
	if p.Metadata.Namespace == "" {
		return p.Metadata.Name
	}
	return p.Metadata.Namespace + "/" + p.Metadata.Name
}
