package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExportThenImport(t *testing.T) {
	dir := t.TempDir()
	exported := filepath.Join(dir, "exported")
	if _, stderr, code := execute(t, "export", "fixtures/skill-packages/packages", "-o", exported, "--zip"); code != 0 {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	for _, f := range []string{"pdf-tools/SKILL.md", "pdf-tools/scripts/extract.py", "pdf-tools/assets/marker.png", "pdf-tools.zip", "ticket-triage/SKILL.md", "ticket-triage.zip"} {
		if _, err := os.Stat(filepath.Join(exported, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	// Folder and zip of one package side by side: import refuses to pick one silently.
	_, stderr, code := execute(t, "import", exported, "-o", filepath.Join(dir, "imported"))
	if code != 2 || !strings.Contains(stderr, `package "pdf-tools" is also at`) {
		t.Fatalf("import of duplicates: exit %d: %s", code, stderr)
	}
	if err := os.Remove(filepath.Join(exported, "pdf-tools.zip")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(exported, "ticket-triage.zip")); err != nil {
		t.Fatal(err)
	}
	_, stderr, code = execute(t, "import", exported, "-o", filepath.Join(dir, "imported"))
	if code != 0 || !strings.Contains(stderr, "2 extra file(s) (assets/marker.png, scripts/extract.py) cannot be written into a SkillPack") {
		t.Fatalf("import: exit %d: %s", code, stderr)
	}
	y, err := os.ReadFile(filepath.Join(dir, "imported", "ticket-triage.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"kind: SkillPack", "name: ticket-triage", "version: 1.2.0", "3. Answer with one line"} {
		if !strings.Contains(string(y), want) {
			t.Errorf("imported SkillPack lacks %q:\n%s", want, y)
		}
	}
	// The imported SkillPack compiles like the package did.
	if _, stderr, code := execute(t, "compile", filepath.Join(dir, "imported")); code != 0 {
		t.Errorf("compile of imported packs: exit %d: %s", code, stderr)
	}
}
