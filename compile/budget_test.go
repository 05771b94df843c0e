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
