package compile

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/skillc-dev/skillc/internal/testinput"
	"github.com/skillc-dev/skillc/source"
)

// TestZipPackageCompiles: a Wegent-style zip toggled on an instance mounts its body and files.
func TestZipPackageCompiles(t *testing.T) {
	z := buildZip(t, testinput.ZipEntry{Name: "p/SKILL.md", Body: []byte(goodSkill)}, testinput.ZipEntry{Name: "p/tools/run.sh", Body: []byte("#!/bin/sh\n")}, testinput.ZipEntry{Name: "p/bin.dat", Body: []byte{0xff, 0x00}})
	files := []source.File{{Name: "uploads/p.zip", Data: z}, {Name: "in.yaml", Data: []byte(testInstance + "\n---\n" + testRun)}}
	res, ds := Compile(files, Options{})
	err := ds.Err()
	if err != nil {
		t.Fatal(err)
	}
	cm := find[*corev1.ConfigMap](t, res, "ConfigMap", "skillpack-p")
	if cm.Data["p.md"] != "# p\n\n> Does the thing\n\n> Files of this skill are under /skills/p/: read paths in it relative to that folder.\n\n# Body\n" ||
		cm.Data["tools__run.sh"] != "#!/bin/sh\n" || !bytes.Equal(cm.BinaryData["bin.dat"], []byte{0xff, 0x00}) {
		t.Errorf("ConfigMap = %+v", cm)
	}
	// The package's folder layout is restored under /skills/p/, binary files too.
	job := find[*batchv1.Job](t, res, "Job", "r1")
	want := []corev1.KeyToPath{{Key: "p.md", Path: "p.md"}, {Key: "bin.dat", Path: "p/bin.dat"}, {Key: "tools__run.sh", Path: "p/tools/run.sh"}}
	if diff := cmp.Diff(want, skillsVolume(t, &job.Spec.Template.Spec).Sources[0].ConfigMap.Items); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
}

// skillsVolume is the projection of a pod's skills volume.
func skillsVolume(t *testing.T, spec *corev1.PodSpec) *corev1.ProjectedVolumeSource {
	t.Helper()
	for _, v := range spec.Volumes {
		if v.Name == VolumeSkills {
			return v.Projected
		}
	}
	t.Fatal("no skills volume")
	return nil
}
