package permissions

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/internal/memtest"
	"github.com/skillc-dev/skillc/source"
)

func TestReadRendered(t *testing.T) {
	tests := []struct {
		name    string
		files   []source.File
		objects int
		sources bool
		errs    []string
	}{
		{
			name:    "a stream: permission kinds decoded, others and empty documents skipped",
			files:   []source.File{{Name: "r.yaml", Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\n---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\n")}},
			objects: 1,
		},
		{
			name:    "a SkillPack among the files means sources",
			files:   []source.File{{Name: "r.yaml", Data: []byte("apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\n")}, {Name: "p.yaml", Data: []byte("apiVersion: sympozium.ai/v1alpha1\nkind: SkillPack\n")}},
			sources: true,
		},
		{
			name:    "a CompilerConfig means sources",
			files:   []source.File{{Name: "c.yaml", Data: []byte("apiVersion: skillc.dev/v1alpha1\nkind: CompilerConfig\n")}},
			sources: true,
		},
		{
			name:    "a zip means sources",
			files:   []source.File{{Name: "pkg.ZIP", Data: []byte("PK")}},
			sources: true,
		},
		{
			name:  "broken YAML: its line",
			files: []source.File{{Name: "r.yaml", Data: []byte("apiVersion: v1\nkind: ConfigMap\n---\nkind: Job\nmetadata: {name: x}: y\n")}},
			errs:  []string{"r.yaml:5: invalid YAML: mapping values are not allowed in this context"},
		},
		{
			name:  "unknown field: the line of the field",
			files: []source.File{{Name: "r.yaml", Data: []byte("apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n      hostPIDD: true\n")}},
			errs:  []string{`r.yaml:7: spec.template.spec.hostPIDD: unknown field "hostPIDD" (did you mean "hostPID"?)`},
		},
		{
			name:  "wrong type: the line of the field",
			files: []source.File{{Name: "r.yaml", Data: []byte("apiVersion: v1\nkind: ConfigMap\n---\napiVersion: batch/v1\nkind: Job\nspec:\n  backoffLimit: many\n")}},
			errs:  []string{`r.yaml:7: spec.backoffLimit: expected an integer, got string "many"`},
		},
		{
			name:  "duplicate key",
			files: []source.File{{Name: "r.yaml", Data: []byte("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nrules: []\nrules: []\n")}},
			errs:  []string{`r.yaml:4: rules: duplicate field "rules"`},
		},
		{
			name: "not an object, no kind, another apiVersion",
			files: []source.File{{Name: "r.yaml", Data: []byte(
				"- a list\n---\nmetadata: {name: x}\n---\napiVersion: batch/v1beta1\nkind: CronJob\n")}},
			errs: []string{
				"r.yaml:1: document is not a mapping: not a Kubernetes object",
				"r.yaml:3: no apiVersion or kind: not a Kubernetes object",
				`r.yaml:5: apiVersion: CronJob must be batch/v1, got "batch/v1beta1"`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs, sources, diags := ReadRendered(tt.files)
			var errs []string
			for _, d := range diags {
				errs = append(errs, d.String())
			}
			if diff := cmp.Diff(tt.errs, errs); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if sources != tt.sources || len(objs) != tt.objects {
				t.Errorf("sources=%v objects=%d, want %v and %d", sources, len(objs), tt.sources, tt.objects)
			}
		})
	}
}

// TestReadRenderedLimitsMemory: a render is read under compile's limits (issue 11: an 8-32 MiB flat list
// that compile refuses made diff use 3.4 GB; a file over 32 MiB was read truncated). Each refusal
// allocates a small multiple of the file itself, never the gigabytes the attack aims at.
func TestReadRenderedLimitsMemory(t *testing.T) {
	memtest.Bounded(t)
	job := "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\n"
	// The quadratic form typed fields allow: 300 containers aliasing one with 300 args.
	laughs := job + "spec: {template: {spec: {containers: [&c {name: c, args: [" + strings.Repeat("a, ", 299) + "a]}, " +
		strings.Repeat("*c, ", 298) + "*c]}}}\n"
	for _, tc := range []struct {
		name, data, want string
	}{
		{"8 MiB flat list", job + "x: [" + strings.Repeat("1,", 4<<20) + "1]\n", "r.yaml:1: document has more than 250000 YAML elements"},
		{"over 32 MiB", job + strings.Repeat("#", source.MaxFileSize), "r.yaml: file is larger than 32 MiB"},
		{"billion laughs", laughs, "YAML aliases expand to more than 50000 nodes: refused"},
		{"a tag", job + "spec: !!python/object:os.system {}\n", `r.yaml:4: YAML tag "!!python/object:os.system" is not supported`},
		{"an anchor of the previous document", job + "metadata: {name: &n j}\n---\n" + job + "spec: {template: {spec: {serviceAccountName: *n}}}\n", "alias *n refers to an anchor of an earlier document"},
		{"a NUL byte", job + "spec: {}\n\x00\n", "r.yaml:5: control character U+0000 is not allowed in YAML"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var diags diag.Diagnostics
			n := memtest.Allocated(func() { _, _, diags = ReadRendered([]source.File{{Name: "r.yaml", Data: []byte(tc.data)}}) })
			if !strings.Contains(diags.Error(), tc.want) {
				t.Errorf("diagnostics %q, want %q", diags.Error(), tc.want)
			}
			if limit := uint64(len(tc.data)) + 16<<20; n > limit {
				t.Errorf("allocated %d MiB, over %d MiB", n>>20, limit>>20)
			}
			t.Logf("%d KiB allocated for %d KiB", n>>10, len(tc.data)>>10)
		})
	}
}

// TestReadRenderedMatchesSigsYAML: the Reader's decoder replaced sigs.k8s.io/yaml's strict
// decoding of renders; on every golden render both give the same typed objects.
func TestReadRenderedMatchesSigsYAML(t *testing.T) {
	paths, err := filepath.Glob("../golden/*.yaml")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no golden renders: %v", err)
	}
	compared := 0
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		objs, sources, diags := ReadRendered([]source.File{{Name: p, Data: data}})
		if sources || diags.HasErrors() {
			t.Fatalf("%s: sources=%v %v", p, sources, diags)
		}
		var want []compile.Object
		for _, doc := range bytes.Split(data, []byte("\n---\n")) {
			var meta struct{ Kind string }
			if err := sigsyaml.Unmarshal(doc, &meta); err != nil {
				t.Fatal(err)
			}
			k, ok := rendered[meta.Kind]
			if !ok {
				continue
			}
			obj := k.new()
			if err := sigsyaml.UnmarshalStrict(doc, obj); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			want = append(want, obj)
		}
		if diff := cmp.Diff(want, objs); diff != "" {
			t.Errorf("%s: Reader vs sigs.k8s.io/yaml (-want +got):\n%s", p, diff)
		}
		compared += len(objs)
	}
	if compared == 0 {
		t.Fatal("no permission objects compared")
	}
	t.Logf("%d objects compared", compared)
}
