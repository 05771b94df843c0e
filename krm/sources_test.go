package krm

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func itemStrings(t *testing.T, b *Build) []string {
	t.Helper()
	var out []string
	for _, n := range b.Items {
		out = append(out, n.MustString())
	}
	return out
}

// TestExtractedSourcesSameAsKustomize: reading a plain kustomization's source files directly gives
// the list kustomize gives when it reads them itself: the same objects, annotations and order,
// among objects of kustomize's first, last and other kinds, namespaces "", default and others, a
// mixed file and a config file (both left to kustomize).
func TestExtractedSourcesSameAsKustomize(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"passthrough.yaml": `apiVersion: v1
kind: ConfigMap
metadata: {name: zz, namespace: team-a}
data: {a: "1"}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: hook}
---
apiVersion: v1
kind: Namespace
metadata: {name: team-a}
---
apiVersion: example.com/v1
kind: SkillPack
metadata: {name: not-ours}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r, namespace: team-a}
`,
		"mixed.yaml": `apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata: {name: mixed-pack}
spec: {}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: mixed}
`,
		"config.yaml": `apiVersion: skillc.dev/v1alpha1
kind: CompilerConfig
metadata: {name: platform}
`,
		"packs/b.yaml": `# a comment
apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata:
  name: b
  namespace: default
  annotations: {note: kept}
spec: {skills: [{name: x, content: "line\n"}]}
`,
		"packs/a.yaml": `apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata: {name: a}
---
apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata: {name: a, namespace: other}
`,
		"tenants/t.yaml": `apiVersion: sympozium.ai/v1alpha1
kind: AgentRun
metadata: {name: run-2, namespace: team-a}
---
apiVersion: sympozium.ai/v1alpha1
kind: SympoziumInstance
metadata: {name: inst, namespace: team-a}
---
apiVersion: sympozium.ai/v1alpha1
kind: AgentRun
metadata: {name: run-1, namespace: team-a}
---
apiVersion: sympozium.ai/v1alpha1
kind: Agent
metadata: {name: agent, namespace: team-a}
---
apiVersion: sympozium.ai/v1alpha1
kind: SympoziumSchedule
metadata: {name: nightly, namespace: team-a}
`,
	}
	for _, origin := range []bool{false, true} {
		t.Run(fmt.Sprintf("originAnnotations=%v", origin), func(t *testing.T) {
			dir := filepath.Join(dir, fmt.Sprint(origin))
			kust := "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- tenants/t.yaml\n- passthrough.yaml\n- packs/b.yaml\n- mixed.yaml\n- config.yaml\n- packs/a.yaml\n"
			if origin {
				kust += "buildMetadata: [originAnnotations]\n"
			}
			writeFiles(t, dir, files)
			writeFiles(t, dir, map[string]string{"kustomization.yaml": kust})
			fast, refused, err := kustomizeBuild(dir, true)
			if err != nil || refused != nil {
				t.Fatal(refused, err)
			}
			if got := len(fast.fs.extracted); got != 8 {
				t.Fatalf("kept aside %d sources, want 8 (packs/*.yaml and tenants/t.yaml)", got)
			}
			slow, _, err := kustomizeBuild(dir, false)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(itemStrings(t, slow), itemStrings(t, fast)); diff != "" {
				t.Errorf("items differ from kustomize's (-kustomize +skillc):\n%s", diff)
			}
			if fast.UserOrigin != slow.UserOrigin {
				t.Errorf("UserOrigin %v, kustomize's %v", fast.UserOrigin, slow.UserOrigin)
			}
		})
	}
}

// TestExtractSourcesOnlyPlain: a kustomization that could change the sources (a namespace, a
// patch, a folder resource, sortOptions) or a duplicate id leaves every file to kustomize, and the
// result (or kustomize's error) is kustomize's.
func TestExtractSourcesOnlyPlain(t *testing.T) {
	pack := func(name string) string {
		return "apiVersion: sympozium.ai/v1alpha1\nkind: SkillPack\nmetadata: {name: " + name + "}\n"
	}
	for name, tc := range map[string]struct {
		kust    string
		files   map[string]string
		extract bool
		err     string
	}{
		"plain":            {kust: "resources: [a.yaml]\n", extract: true},
		"namespace":        {kust: "namespace: x\nresources: [a.yaml]\n"},
		"namePrefix":       {kust: "namePrefix: p-\nresources: [a.yaml]\n"},
		"patches":          {kust: "resources: [a.yaml]\npatches: [{patch: '[{\"op\": \"add\", \"path\": \"/spec\", \"value\": {}}]', target: {kind: SkillPack}}]\n"},
		"sortOptions":      {kust: "sortOptions: {order: fifo}\nresources: [a.yaml]\n"},
		"folder":           {kust: "resources: [sub, a.yaml]\n", files: map[string]string{"sub/kustomization.yaml": "resources: [p.yaml, deeper]\n", "sub/p.yaml": pack("p"), "sub/deeper/kustomization.yml": "resources: [q.yaml]\n", "sub/deeper/q.yaml": pack("q")}, extract: true},
		"folder not plain": {kust: "resources: [sub, a.yaml]\n", files: map[string]string{"sub/kustomization.yaml": "namespace: x\nresources: [p.yaml]\n", "sub/p.yaml": pack("p")}},
		"folder up":        {kust: "resources: [sub]\n", files: map[string]string{"sub/kustomization.yaml": "resources: [../a.yaml]\n"}, err: "security; file"},
		"component":        {kust: "resources: [sub]\n", files: map[string]string{"sub/kustomization.yaml": "kind: Component\nresources: [p.yaml]\n", "sub/p.yaml": pack("p")}, err: "expected kind != 'Component'"},
		"other build":      {kust: "buildMetadata: [managedByLabel]\nresources: [a.yaml]\n"},
		"listed twice":     {kust: "resources: [a.yaml, a.yaml]\n", err: "may not add resource with an already registered id"},
		"same id":          {kust: "resources: [a.yaml, b.yaml]\n", files: map[string]string{"b.yaml": pack("a")}, err: "may not add resource with an already registered id"},
		"same id mixed": {kust: "resources: [a.yaml, m.yaml]\n", files: map[string]string{"m.yaml": pack("a") + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"},
			err: "may not add resource with an already registered id"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"kustomization.yaml": tc.kust, "a.yaml": pack("a")})
			writeFiles(t, dir, tc.files)
			fast, _, ferr := kustomizeBuild(dir, true)
			slow, _, serr := kustomizeBuild(dir, false)
			if tc.err != "" {
				if ferr == nil || serr == nil || ferr.Error() != serr.Error() || !strings.Contains(ferr.Error(), tc.err) {
					t.Fatalf("errors %v and kustomize's %v, want %q", ferr, serr, tc.err)
				}
				return
			}
			if ferr != nil || serr != nil {
				t.Fatal(ferr, serr)
			}
			if got := fast.fs.extracted != nil; got != tc.extract {
				t.Errorf("sources kept aside: %v, want %v", got, tc.extract)
			}
			if diff := cmp.Diff(itemStrings(t, slow), itemStrings(t, fast)); diff != "" {
				t.Errorf("items differ from kustomize's (-kustomize +skillc):\n%s", diff)
			}
		})
	}
}
