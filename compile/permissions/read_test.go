package permissions

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/skillc-dev/skillc/compile"
)

func TestReadRendered(t *testing.T) {
	tests := []struct {
		name    string
		files   []compile.File
		objects int
		sources bool
		errs    []string
	}{
		{
			name:    "a stream: permission kinds decoded, others and empty documents skipped",
			files:   []compile.File{{Name: "r.yaml", Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\n---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\n")}},
			objects: 1,
		},
		{
			name:    "a SkillPack among the files means sources",
			files:   []compile.File{{Name: "r.yaml", Data: []byte("apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\n")}, {Name: "p.yaml", Data: []byte("apiVersion: sympozium.ai/v1alpha1\nkind: SkillPack\n")}},
			sources: true,
		},
		{
			name:    "a CompilerConfig means sources",
			files:   []compile.File{{Name: "c.yaml", Data: []byte("apiVersion: skillc.dev/v1alpha1\nkind: CompilerConfig\n")}},
			sources: true,
		},
		{
			name:    "a zip means sources",
			files:   []compile.File{{Name: "pkg.ZIP", Data: []byte("PK")}},
			sources: true,
		},
		{
			name:  "broken YAML: its line",
			files: []compile.File{{Name: "r.yaml", Data: []byte("apiVersion: v1\nkind: ConfigMap\n---\nkind: Job\nmetadata: {name: x}: y\n")}},
			errs:  []string{"r.yaml:5: invalid YAML: mapping values are not allowed in this context"},
		},
		{
			name:  "unknown field: the line of the field",
			files: []compile.File{{Name: "r.yaml", Data: []byte("apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n      hostPIDD: true\n")}},
			errs:  []string{`r.yaml:7: Job: unknown field "hostPIDD"`},
		},
		{
			name:  "wrong type: the line of the field",
			files: []compile.File{{Name: "r.yaml", Data: []byte("apiVersion: v1\nkind: ConfigMap\n---\napiVersion: batch/v1\nkind: Job\nspec:\n  backoffLimit: many\n")}},
			errs:  []string{"r.yaml:7: Job: cannot unmarshal string into Go struct field JobSpec.spec.backoffLimit of type int32"},
		},
		{
			name:  "duplicate key",
			files: []compile.File{{Name: "r.yaml", Data: []byte("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nrules: []\nrules: []\n")}},
			errs:  []string{`r.yaml:3: Role: key "rules" already set in map`},
		},
		{
			name: "not an object, no kind, another apiVersion",
			files: []compile.File{{Name: "r.yaml", Data: []byte(
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
