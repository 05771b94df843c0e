package needs

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestExtractFirstCut(t *testing.T) {
	cmds := Extract("SKILL.md", 10, "# x\n```bash\nkubectl get deployments\nkubectl logs deploy/web\n```\n")
	if len(cmds) != 2 {
		t.Fatalf("got %d commands, want 2: %+v", len(cmds), cmds)
	}
	if cmds[0].Line != 12 || cmds[1].Line != 13 {
		t.Errorf("lines %d, %d; want 12, 13", cmds[0].Line, cmds[1].Line)
	}
	want := []Request{{Verb: "list", Group: "apps", Resource: "deployments", Scope: ScopeNamespace}}
	if d := cmp.Diff(want, cmds[0].Requests); d != "" {
		t.Errorf("kubectl get deployments (-want +got):\n%s", d)
	}
}
