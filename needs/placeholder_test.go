package needs

import (
	"slices"
	"testing"
)

// A placeholder inside a word is dynamic, the rest of the word is not: deployment/<name> is a
// deployment (found by the e2e audit proof: fixtures/seed-k8s-ops's `kubectl scale
// deployment/<name> ...` was not analysed).
func TestPlaceholderInsideAWord(t *testing.T) {
	for _, tc := range []struct {
		cmd  string
		want []string
	}{
		{"kubectl scale deployment/<name> --replicas=<n> -n <namespace>", []string{"get apps/deployments ns", "patch apps/deployments/scale ns"}},
		{"kubectl rollout restart deploy/<deployment-name> -n <ns>", []string{"get apps/deployments ns", "patch apps/deployments ns"}},
	} {
		c := resolveOne(t, tc.cmd)
		if !c.Analysed {
			t.Errorf("%s: not analysed: %s", tc.cmd, c.Reason)
			continue
		}
		var got []string
		for _, q := range c.Requests {
			got = append(got, short(q))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s:\n got %v\nwant %v", tc.cmd, got, tc.want)
		}
	}
	// Still dynamic: a placeholder for the type, or one the type and name share.
	for _, cmd := range []string{"kubectl get <resource>", "kubectl scale <kind>/web --replicas=1"} {
		if c := resolveOne(t, cmd); c.Analysed {
			t.Errorf("%s: analysed as %v, want not analysed", cmd, c.Requests)
		}
	}
}
