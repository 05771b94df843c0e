package compile

import (
	"fmt"
	"strings"
	"testing"

	"github.com/skillc-dev/skillc/api"
)

func TestBudgets(t *testing.T) {
	big := strings.Repeat("word ", 4400) // 22,000 characters: about 5,500 tokens
	bigPack := strings.Replace(pack(""), `content: "body\n"`, `content: "`+big+`"`, 1)
	tests := []struct {
		name       string
		limit      int
		pack       string
		wantTokens int
		wantWarn   []string
	}{
		{"small pack, no warning", 0, pack(""), estimateTokens("# s\n\n> d\n\nbody\n"), nil},
		{"over the instance budget", 1000, bigPack, estimateTokens("# s\n\n> d\n\n" + big),
			[]string{fmt.Sprintf("SympoziumInstance team/alice mounts about %d tokens of skills (1 skills), over the budget of 1000", estimateTokens("# s\n\n> d\n\n"+big)), `skill "s" is about 5500 tokens, over 5000`}},
		{"big skill under a big budget", 0, bigPack, estimateTokens("# s\n\n> d\n\n" + big), []string{`skill "s" is about 5500 tokens`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := api.DefaultConfig()
			if tt.limit > 0 {
				cfg.Spec.SkillBudgetTokens = tt.limit
			}
			res, diags := compileYAML(t, Options{Config: cfg}, tt.pack, testInstance)
			if diags != nil {
				t.Fatal(diags)
			}
			if len(res.Budgets) != 1 || res.Budgets[0].Tokens != tt.wantTokens || res.Budgets[0].IndexTokens != estimateTokens("s: d") {
				t.Fatalf("budgets = %+v, want tokens %d", res.Budgets, tt.wantTokens)
			}
			warns := compileWarnings(t, Options{Config: cfg}, tt.pack, testInstance)
			if len(warns) != len(tt.wantWarn) {
				t.Fatalf("warnings = %v, want %v", warns, tt.wantWarn)
			}
			for i, w := range tt.wantWarn {
				if !strings.Contains(warns.Error(), w) {
					t.Errorf("warning %d missing %q in %v", i, w, warns)
				}
			}
		})
	}
}

// TestBudgetsCountAsTheDocuments: counting each pack's skills once, and each content once, gives
// every instance the tokens of the documents its packs mount, as estimateTokens(skillDocument(s))
// counts each (multi-byte text, several lines of description, no description), and warns on the
// same skills.
func TestBudgetsCountAsTheDocuments(t *testing.T) {
	skill := func(name, desc, content string) api.Skill {
		return api.Skill{Name: name, Description: desc, Content: content}
	}
	var packs []*api.SkillPack
	for i, skills := range [][]api.Skill{
		{skill("a", "d", "body\n"), skill("b", "", "ééé")},
		{skill("c", "  two\nlines ", strings.Repeat("ü", 20003))},
		{skill("d", "日本", "x"), skill("e", "", ""), skill("f", "z", strings.Repeat("w", 20001))},
		nil,
	} {
		p := &api.SkillPack{Spec: api.SkillPackSpec{Skills: skills}}
		p.Metadata.Name = fmt.Sprintf("p%d", i)
		packs = append(packs, p)
	}
	in := &api.Inputs{Packs: packs}
	toggles := map[nsName][]Toggle{}
	for i, use := range [][]int{{0, 1}, {1, 2, 0}, {2}, {3}, {}, {1, 1}} {
		inst := &api.Instance{}
		inst.Metadata.Name, inst.Metadata.Namespace = fmt.Sprintf("i%d", i), "ns"
		in.Instances = append(in.Instances, inst)
		for _, p := range use {
			toggles[nsName{"ns", inst.Metadata.Name}] = append(toggles[nsName{"ns", inst.Metadata.Name}], Toggle{Pack: packs[p]})
		}
	}
	got, diags := budgets(10, toggles, in)
	if len(got) != 6 {
		t.Fatalf("budgets = %+v, want one for each of 6 instances", got)
	}
	for i, b := range got {
		want := Budget{Namespace: "ns", Instance: fmt.Sprintf("i%d", i), Limit: 10}
		for _, tg := range toggles[nsName{"ns", want.Instance}] {
			for _, s := range tg.Pack.Spec.Skills {
				want.Skills++
				want.Tokens += estimateTokens(skillDocument(s))
				want.IndexTokens += estimateTokens(s.Name + ": " + s.Description)
			}
		}
		if b != want {
			t.Errorf("budget %d = %+v, want %+v", i, b, want)
		}
	}
	var big []string
	for _, d := range diags {
		if strings.Contains(d.Message, "split it") {
			big = append(big, d.Field)
		}
	}
	if want := []string{"spec.skills[0].content", "spec.skills[2].content"}; fmt.Sprint(big) != fmt.Sprint(want) {
		t.Errorf("oversized skills at %v, want %v (of p1 and p2)", big, want)
	}
}
