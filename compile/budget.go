package compile

import (
	"cmp"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
)

// Progressive disclosure (seed 003) is the point of skills: an agent sees every skill's name and
// description, and loads bodies on demand. The budget shows both numbers per instance, so a
// platform team sees what toggling one more pack costs.

// maxSkillTokens is the body size above which a single skill is worth splitting.
const maxSkillTokens = 5000

// Budget is the estimated token cost of the skills an instance's pods mount.
type Budget struct {
	Namespace   string `json:"namespace"`
	Instance    string `json:"instance"`
	Skills      int    `json:"skills"`
	Tokens      int    `json:"tokens"`      // every mounted skill body, in full
	IndexTokens int    `json:"indexTokens"` // names and descriptions only: what the agent reads first
	Limit       int    `json:"limit"`
}

// estimateTokens is the usual rough rule of four characters a token, rounded up.
func estimateTokens(s string) int { return (utf8.RuneCountInString(s) + 3) / 4 }

// budgets computes every instance's budget and warns over the limit and on oversized skills.
func budgets(limit int, instToggles map[nsName][]Toggle, in *api.Inputs) ([]Budget, diag.Diagnostics) {
	var out []Budget
	var diags diag.Diagnostics
	// A pack's skills are counted once, not once per instance that mounts it (7.5 times each in
	// the 10x repository, where counting was about a third of Prepare), and a skill's content
	// once for its document and its own size: a document's tokens are its heading's characters
	// and its content's, rounded once, as estimateTokens(skillDocument(s)) rounds them.
	contents := map[*api.SkillPack][]int{} // per skill, the characters of its content
	chars := func(p *api.SkillPack) []int {
		n, ok := contents[p]
		if !ok {
			n = make([]int, len(p.Spec.Skills))
			for i, s := range p.Spec.Skills {
				n[i] = utf8.RuneCountInString(s.Content)
			}
			contents[p] = n
		}
		return n
	}
	costs := map[*api.SkillPack]Budget{}
	cost := func(p *api.SkillPack) Budget {
		c, ok := costs[p]
		if !ok {
			n := chars(p)
			for i, s := range p.Spec.Skills {
				c.Skills++
				c.Tokens += (utf8.RuneCountInString(skillHeading(s)) + n[i] + 3) / 4
				c.IndexTokens += estimateTokens(s.Name + ": " + s.Description)
			}
			costs[p] = c
		}
		return c
	}
	for _, inst := range in.Instances {
		k := nsName{NamespaceOf(inst.Metadata, "default"), inst.Metadata.Name}
		b := Budget{Namespace: k.ns, Instance: k.name, Limit: limit}
		for _, t := range instToggles[k] {
			c := cost(t.Pack)
			b.Skills += c.Skills
			b.Tokens += c.Tokens
			b.IndexTokens += c.IndexTokens
		}
		if b.Tokens > limit {
			diags = append(diags, diag.Diagnostic{File: inst.Src.File, Line: inst.Src.LineOf("spec.skills"), Field: "spec.skills", Severity: diag.SeverityWarning,
				Message: fmt.Sprintf("%s %s/%s mounts about %d tokens of skills (%d skills), over the budget of %d; its index of names and descriptions is about %d tokens",
					inst.Kind, k.ns, k.name, b.Tokens, b.Skills, limit, b.IndexTokens)})
		}
		out = append(out, b)
	}
	for _, p := range in.Packs {
		content := chars(p)
		for i, s := range p.Spec.Skills {
			if n := (content[i] + 3) / 4; n > maxSkillTokens { // estimateTokens(s.Content)
				field := fmt.Sprintf("spec.skills[%d].content", i)
				diags = append(diags, diag.Diagnostic{File: p.Src.File, Line: p.Src.LineOf(field), Field: field, Severity: diag.SeverityWarning,
					Message: fmt.Sprintf("skill %q is about %d tokens, over %d: split it, so agents load only what a task needs", s.Name, n, maxSkillTokens)})
			}
		}
	}
	slices.SortFunc(out, func(a, b Budget) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Instance, b.Instance))
	})
	return out, diags
}
