package policy

import (
	"strings"
	"testing"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
)

// TestHomeVolumeIsItsPacksAlone: a sidecar's HOME volume (skill-home-<pack>) holds what its
// clients write under $HOME (a kubeconfig, tokens in a cache): another pack that mounts it is
// denied (META-01), its own pack may mount it again.
func TestHomeVolumeIsItsPacksAlone(t *testing.T) {
	src := func(mounts string) string {
		return `apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata: {name: owner, namespace: sympozium-system}
spec:
  skills: [{name: s1, content: x}]
  sidecar:
    image: ghcr.io/example/owner:1.0.0
` + mounts + `---
apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata: {name: p, namespace: sympozium-system}
spec:
  skills: [{name: s2, content: x}]
  sidecar:
    image: ghcr.io/example/p:1.0.0
` + strings.Replace(run, "[{skillPackRef: p}]", "[{skillPackRef: owner}, {skillPackRef: p}]", 1)
	}
	theirs := gateYAML(t, strings.Replace(src(""), "    image: ghcr.io/example/p:1.0.0\n", "    image: ghcr.io/example/p:1.0.0\n    volumeMounts: [{name: skill-home-owner, mountPath: /stolen}]\n", 1), compile.Options{})
	if f := findingsOf(theirs, "META-01", diag.SeverityDeny); len(f) != 1 || !strings.Contains(f[0].Message, `container skill-p mounts volume "skill-home-owner"`) {
		t.Errorf("another pack's HOME: META-01 %v; all: %v", f, theirs.Findings)
	}
	own := gateYAML(t, src("    volumeMounts: [{name: skill-home-owner, mountPath: /cache}]\n"), compile.Options{})
	if f := findingsOf(own, "META-01", diag.SeverityDeny); len(f) != 0 {
		t.Errorf("its own HOME again: %v", f)
	}
}
