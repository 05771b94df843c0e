package compile

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/internal/testinput"
	"github.com/skillc-dev/skillc/source"
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

// TestPackagesShareFileNames: two SKILL.md packages in one pod that both ship LICENSE.txt and
// scripts/run.sh keep both, each under its own skill's folder; only the skill documents are at the
// top of /skills, where upstream's agent-runner reads every file into the prompt.
func TestPackagesShareFileNames(t *testing.T) {
	pkg := func(name, licence string) source.File {
		return source.File{Name: "pkgs/" + name, Package: &source.Package{Source: "pkgs/" + name, Dir: name, Files: map[string][]byte{
			"SKILL.md":       []byte("---\nname: " + name + "\ndescription: d\n---\nRun scripts/run.sh.\n"),
			"LICENSE.txt":    []byte(licence),
			"scripts/run.sh": []byte("#!/bin/sh\necho " + name + "\n"),
		}}}
	}
	inst := strings.Replace(testInstance, "[{skillPackRef: p}]", "[{skillPackRef: alpha}, {skillPackRef: beta}]", 1)
	files := []source.File{pkg("alpha", "MIT"), pkg("beta", "Apache-2.0"), {Name: "in.yaml", Data: []byte(inst + "\n---\n" + testRun)}}
	res, ds := Compile(files, Options{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	job := find[*batchv1.Job](t, res, "Job", "r1")
	var got []string
	for _, src := range skillsVolume(t, &job.Spec.Template.Spec).Sources {
		for _, it := range src.ConfigMap.Items {
			got = append(got, src.ConfigMap.Name+":"+it.Key+"→"+it.Path)
		}
	}
	want := []string{
		"skillpack-alpha:alpha.md→alpha.md", "skillpack-alpha:LICENSE.txt→alpha/LICENSE.txt", "skillpack-alpha:scripts__run.sh→alpha/scripts/run.sh",
		"skillpack-beta:beta.md→beta.md", "skillpack-beta:LICENSE.txt→beta/LICENSE.txt", "skillpack-beta:scripts__run.sh→beta/scripts/run.sh",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("skills projection (-want +got):\n%s", diff)
	}
	if cm := find[*corev1.ConfigMap](t, res, "ConfigMap", "skillpack-beta"); cm.Data["LICENSE.txt"] != "Apache-2.0" {
		t.Errorf("beta's LICENSE.txt = %q", cm.Data["LICENSE.txt"])
	}
}

// TestSkillsProjection: a pack of plain skills is projected whole, as upstream's buildVolumes
// does; a package's ConfigMap with items, every key once.
func TestSkillsProjection(t *testing.T) {
	plain := &api.SkillPack{Spec: api.SkillPackSpec{Skills: []api.Skill{{Name: "a"}, {Name: "b"}}}}
	plain.Metadata.Name = "plain"
	pkg := &api.SkillPack{Spec: api.SkillPackSpec{Skills: []api.Skill{{Name: "pdf"}}}, Files: map[string][]byte{"LICENSE.txt": nil, "a/b/c.py": nil}}
	pkg.Metadata.Name = "pdf"
	tests := []struct {
		name      string
		pack      *api.SkillPack
		wantItems []corev1.KeyToPath
		wantPaths []string
	}{
		{"plain skills: no items", plain, nil, []string{"a.md", "b.md"}},
		{"package: items", pkg, []corev1.KeyToPath{{Key: "LICENSE.txt", Path: "pdf/LICENSE.txt"}, {Key: "a__b__c.py", Path: "pdf/a/b/c.py"}, {Key: "pdf.md", Path: "pdf.md"}},
			[]string{"pdf.md", "pdf/LICENSE.txt", "pdf/a/b/c.py"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := skillsProjection(tt.pack).ConfigMap
			if src.Name != "skillpack-"+tt.pack.Metadata.Name {
				t.Errorf("name = %q", src.Name)
			}
			if diff := cmp.Diff(tt.wantItems, src.Items, cmpopts.SortSlices(func(a, b corev1.KeyToPath) bool { return a.Key < b.Key })); diff != "" {
				t.Errorf("items (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantPaths, skillPaths(tt.pack)); diff != "" {
				t.Errorf("paths (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPackageSkillCollidesWithPack: the skill names still decide: a package and a pack that both
// provide /skills/alpha.md in one pod are refused, naming both.
func TestPackageSkillCollidesWithPack(t *testing.T) {
	pkg := source.File{Name: "pkgs/alpha", Package: &source.Package{Source: "pkgs/alpha", Dir: "alpha", Files: map[string][]byte{
		"SKILL.md": []byte("---\nname: alpha\ndescription: d\n---\nx\n"), "LICENSE.txt": []byte("MIT"),
	}}}
	other := strings.Replace(testinput.Pack(""), "name: s,", "name: alpha,", 1)
	inst := strings.Replace(testInstance, "[{skillPackRef: p}]", "[{skillPackRef: alpha}, {skillPackRef: p}]", 1)
	_, ds := Compile([]source.File{pkg, {Name: "in.yaml", Data: []byte(other + "\n---\n" + inst)}}, Options{})
	if !strings.Contains(ds.Error(), `SkillPacks "alpha" and "p" both provide /skills/alpha.md`) {
		t.Fatalf("diags = %v", ds)
	}
}
