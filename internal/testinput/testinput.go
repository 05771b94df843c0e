// Package testinput holds the small source documents and archives the tests of several packages
// share. Only tests import it.
package testinput

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"strings"
	"testing"

	"github.com/skillc-dev/skillc/diag"
)

// Instance toggles the pack of Pack on instance team/alice.
const Instance = `apiVersion: sympozium.ai/v1alpha1
kind: SympoziumInstance
metadata: {name: alice, namespace: team}
spec:
  agents: {default: {model: m1}}
  skills: [{skillPackRef: p}]`

// Run is AgentRun team/r1 of Instance.
const Run = `apiVersion: sympozium.ai/v1alpha1
kind: AgentRun
metadata: {name: r1, namespace: team}
spec:
  instanceRef: alice
  task: go`

// Pack returns a SkillPack "p" in the catalog with the given sidecar YAML (indented under spec).
func Pack(sidecar string) string {
	s := `apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata: {name: p, namespace: sympozium-system}
spec:
  skills: [{name: s, description: d, content: "body\n"}]`
	if sidecar != "" {
		s += "\n  sidecar:\n" + indent(sidecar, "    ")
	}
	return s
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}

// ZipEntry is one file of a zip built by BuildZip.
type ZipEntry struct {
	Name string
	Body []byte
	Mode fs.FileMode
}

// BuildZip writes entries into a zip archive, deflated.
func BuildZip(t testing.TB, entries ...ZipEntry) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.Name, Method: zip.Deflate}
		if e.Mode != 0 {
			h.SetMode(e.Mode)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.Body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// GoodSkill is a valid SKILL.md.
const GoodSkill = "---\ndescription: Does the thing\n---\n# Body\n"

// CheckDiagnostics fails t on a diagnostic without a file or a message.
func CheckDiagnostics(t *testing.T, diags diag.Diagnostics) {
	for _, d := range diags {
		if d.File == "" || d.Message == "" {
			t.Fatalf("diagnostic without file or message: %+v", d)
		}
	}
}
