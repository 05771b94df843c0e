package compile

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"

	"github.com/skillc-dev/skillc/api"
)

func TestBuildConfigMap(t *testing.T) {
	tests := []struct {
		name  string
		skill api.Skill
		want  string
	}{
		{"description becomes heading and quote", api.Skill{Name: "s", Description: "Does things", Content: "# Body\n"}, "# s\n\n> Does things\n\n# Body\n"},
		{"multi-line description folds to one line", api.Skill{Name: "s", Description: "one\ntwo\n", Content: "x"}, "# s\n\n> one two\n\nx"},
		{"no description: content as is", api.Skill{Name: "s", Content: "exact\n---\nbytes"}, "exact\n---\nbytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &api.SkillPack{Spec: api.SkillPackSpec{Skills: []api.Skill{tt.skill}}}
			p.Metadata.Name = "pk"
			cm, _, diags := buildConfigMap("ns", p, &recorder{})
			if diags != nil {
				t.Fatal(diags)
			}
			if diff := cmp.Diff(map[string]string{"s.md": tt.want}, cm.Data); diff != "" {
				t.Errorf("data (-want +got):\n%s", diff)
			}
			if cm.Name != "skillpack-pk" || cm.Namespace != "ns" || cm.Labels[LabelSkillPack] != "pk" || cm.Labels[LabelComponent] != "skillpack" {
				t.Errorf("meta = %+v", cm.ObjectMeta)
			}
		})
	}
}

func TestConfigMapTooLarge(t *testing.T) {
	p := &api.SkillPack{Spec: api.SkillPackSpec{Skills: []api.Skill{{Name: "big", Content: strings.Repeat("x", maxConfigMapBytes)}}}}
	p.Metadata.Name = "pk"
	_, _, diags := buildConfigMap("ns", p, &recorder{})
	if diags == nil || !strings.Contains(diags.Error(), "over Kubernetes' 1 MiB limit") {
		t.Fatalf("diags = %v", diags)
	}
}

// TestConfigMapsPerNamespace: a public pack used from two namespaces gets a ConfigMap in each.
func TestConfigMapsPerNamespace(t *testing.T) {
	inst2 := strings.NewReplacer("name: alice", "name: bob", "namespace: team", "namespace: other").Replace(testInstance)
	res, diags := compileYAML(t, Options{}, pack(""), testInstance, inst2)
	if diags != nil {
		t.Fatal(diags)
	}
	var got []string
	for _, o := range res.Objects {
		if cm, ok := o.(*corev1.ConfigMap); ok {
			got = append(got, cm.Namespace+"/"+cm.Name)
		}
	}
	if diff := cmp.Diff([]string{"other/skillpack-p", "team/skillpack-p"}, got); diff != "" {
		t.Errorf("ConfigMaps (-want +got):\n%s", diff)
	}
}
