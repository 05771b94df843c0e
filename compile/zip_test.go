package compile

import (
	"bytes"
	"testing"

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
	if cm.Data["p.md"] != "# p\n\n> Does the thing\n\n# Body\n" || cm.Data["tools__run.sh"] != "#!/bin/sh\n" || !bytes.Equal(cm.BinaryData["bin.dat"], []byte{0xff, 0x00}) {
		t.Errorf("ConfigMap = %+v", cm)
	}
}
