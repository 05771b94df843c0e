package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/skillc-dev/skillc/internal/memtest"
)

// TestBuildReadsFilesThroughTheReaderMemory: every YAML file kustomize reads in skillc build (resources,
// the kustomization itself, a plugin configuration that checkPluginConfigs parses) passes
// source's Reader first, so a file kustomize's parser would spend hundreds of MiB on is refused
// at its line with compile's message, before kustomize parses it, and nothing is printed.
func TestBuildReadsFilesThroughTheReaderMemory(t *testing.T) {
	memtest.Bounded(t)
	wide := "[" + strings.Repeat("1,", 1_500_000) + "1]" // 1.5M elements in 3 MiB
	big := strings.Repeat("x", 100_000)
	bomb := "&big " + big + "\nlabels: [" + strings.Repeat("*big, ", 1999) + "*big]\n"
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"a resource of 1.5M elements", map[string]string{
			"kustomization.yaml": "resources: [wide.yaml]\n",
			"wide.yaml":          "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {x: y}\nx: " + wide + "\n",
		}, "wide.yaml:1: document has more than 250000 YAML elements (1500015 separators): refused before parsing"},
		{"a plugin configuration of 1.5M elements", map[string]string{
			"kustomization.yaml": "generators: [gen.yaml]\n",
			"gen.yaml":           "apiVersion: builtin\nkind: ConfigMapGenerator\nmetadata: {name: g}\nliterals: " + wide + "\n",
		}, "gen.yaml:1: document has more than 250000 YAML elements"},
		{"aliases in the kustomization", map[string]string{
			"kustomization.yaml": "namePrefix: " + bomb,
		}, "kustomization.yaml:1: YAML aliases expand to more than 1 MiB of text: refused"},
		{"a tag in an inline plugin configuration", map[string]string{
			"kustomization.yaml": "generators:\n- |\n  apiVersion: builtin\n  kind: ConfigMapGenerator\n  metadata: {name: g}\n  literals: [!!python/object:os.system x]\n",
		}, `kustomization.yaml:6: YAML tag "!!python/object:os.system" is not supported: refused (write plain YAML)`},
		{"a tag in a patch", map[string]string{
			"kustomization.yaml": "resources: [cm.yaml]\npatches: [{path: patch.yaml}]\n",
			"cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
			"patch.yaml":         "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {x: !!python/object:os.system y}\n",
		}, `patch.yaml:4: YAML tag "!!python/object:os.system" is not supported: refused (write plain YAML)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, data := range tc.files {
				writeFile(t, filepath.Join(dir, name), data)
			}
			var stdout, stderr string
			var code int
			n := memtest.Allocated(func() { stdout, stderr, code = execute(t, "build", dir) })
			if code != 2 || stdout != "" || !strings.Contains(stderr, filepath.Join(dir, tc.want)) {
				t.Errorf("exit %d, %d bytes on stdout, stderr %q; want exit 2, nothing, %q", code, len(stdout), firstLine(stderr), tc.want)
			}
			// kustomize's parser would take ~250 bytes per element: 375 MB for 1.5M.
			if limit := uint64(64 << 20); n > limit {
				t.Errorf("allocated %d MiB, over %d MiB", n>>20, limit>>20)
			}
		})
	}
}
