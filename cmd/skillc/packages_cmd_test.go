package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestExportThenImport(t *testing.T) {
	dir := t.TempDir()
	exported := filepath.Join(dir, "exported")
	if _, stderr, code := execute(t, "export", "fixtures/skill-packages/packages", "-o", exported); code != 0 {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	for _, f := range []string{"pdf-tools/SKILL.md", "pdf-tools/scripts/extract.py", "pdf-tools/assets/marker.png", "ticket-triage/SKILL.md"} {
		if _, err := os.Stat(filepath.Join(exported, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	// --zip writes the zips alone, so that its output imports as it is, as the folders do.
	zipped := filepath.Join(dir, "zipped")
	if _, stderr, code := execute(t, "export", "fixtures/skill-packages/packages", "-o", zipped, "--zip"); code != 0 {
		t.Fatalf("export --zip: exit %d: %s", code, stderr)
	}
	if diff := cmp.Diff([]string{"pdf-tools.zip", "ticket-triage.zip"}, listFiles(t, zipped)); diff != "" {
		t.Errorf("export --zip wrote (-want +got):\n%s", diff)
	}
	for _, from := range []string{exported, zipped} {
		_, stderr, code := execute(t, "import", from, "-o", filepath.Join(dir, "imported-"+filepath.Base(from)))
		if code != 0 || !strings.Contains(stderr, "2 extra file(s) (assets/marker.png, scripts/extract.py) cannot be written into a SkillPack") {
			t.Fatalf("import of %s: exit %d: %s", filepath.Base(from), code, stderr)
		}
	}
	// The same SkillPacks but for the annotation that records where each package was read.
	origin := regexp.MustCompile(`(?m)^\s*skillc.dev/package: .*\n`)
	same := cmp.Transformer("origin", func(s string) string { return origin.ReplaceAllString(s, "") })
	if diff := cmp.Diff(packageFiles(t, filepath.Join(dir, "imported-exported")), packageFiles(t, filepath.Join(dir, "imported-zipped")), same); diff != "" {
		t.Errorf("the zips import as other SkillPacks than the folders:\n%s", diff)
	}
	if err := os.Rename(filepath.Join(dir, "imported-exported"), filepath.Join(dir, "imported")); err != nil {
		t.Fatal(err)
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

// TestImportKeepGoing: with --keep-going the valid packages are written and the others reported
// (exit 2), as kubeconform and conftest report each file; without it, nothing is written. Two
// packages of one name are both refused. Nothing already in DIR is removed, and once the bad
// packages are fixed a second run adds them and leaves the first run's files as they are.
func TestImportKeepGoing(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	copyTree(t, "fixtures/skill-packages-wild/packages", in)                                           // valid, with warnings
	copyTree(t, "fixtures/invalid/package-bad-name/report-writer", filepath.Join(in, "report-writer")) // Kubernetes refuses its name
	copyTree(t, "fixtures/skill-packages/packages/ticket-triage", filepath.Join(in, "a", "ticket-triage"))
	copyTree(t, "fixtures/skill-packages/packages/ticket-triage", filepath.Join(in, "b", "ticket-triage")) // the same name twice
	out := filepath.Join(dir, "out")

	// All or nothing by default.
	_, stderr, code := execute(t, "import", in, "-o", out)
	if code != 2 || !strings.Contains(stderr, `invalid name "Report_Writer"`) {
		t.Fatalf("import: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatalf("import without --keep-going wrote %s: %v", out, err)
	}

	writeFile(t, filepath.Join(out, "README.md"), "not import's\n")
	_, stderr, code = execute(t, "import", in, "-o", out, "--keep-going")
	if code != 2 {
		t.Fatalf("import --keep-going: exit %d, want 2: %s", code, stderr)
	}
	for _, want := range []string{
		in + `/report-writer/SKILL.md:2: name: invalid name "Report_Writer"`,
		in + `/a/ticket-triage/SKILL.md:1: package "ticket-triage" is also at ` + in + "/b/ticket-triage: import one of them",
		in + `/b/ticket-triage/SKILL.md:1: package "ticket-triage" is also at ` + in + "/a/ticket-triage: import one of them",
		in + `/changelog/SKILL.md:3: warning: description: is 1068 characters`,
		"skillc: 2 package(s) imported into " + out + ", 3 input(s) refused (the errors above): nothing of theirs was written",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	got := listFiles(t, out)
	if diff := cmp.Diff([]string{"README.md", "changelog.yaml", "reviewing-pull-requests.yaml"}, got); diff != "" {
		t.Fatalf("DIR (-want +got):\n%s", diff)
	}
	first, err := os.ReadFile(filepath.Join(out, "changelog.yaml"))
	if err != nil {
		t.Fatal(err)
	}

	// Fixed: the second run adds what was refused and keeps the rest.
	if err := os.RemoveAll(filepath.Join(in, "b")); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(in, "report-writer")); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code = execute(t, "import", in, "-o", out, "--keep-going"); code != 0 {
		t.Fatalf("second import: exit %d: %s", code, stderr)
	}
	if diff := cmp.Diff([]string{"README.md", "changelog.yaml", "reviewing-pull-requests.yaml", "ticket-triage.yaml"}, listFiles(t, out)); diff != "" {
		t.Errorf("DIR (-want +got):\n%s", diff)
	}
	if again, _ := os.ReadFile(filepath.Join(out, "changelog.yaml")); string(again) != string(first) {
		t.Error("changelog.yaml changed between two imports of the same package")
	}

	// The write stays one stage: a different existing file refuses it whole, even with --keep-going.
	writeFile(t, filepath.Join(out, "changelog.yaml"), "edited by hand\n")
	writeFile(t, filepath.Join(in, "new-one", "SKILL.md"), "---\ndescription: d\n---\nbody\n")
	if _, stderr, code = execute(t, "import", in, "-o", out, "--keep-going"); code != 2 || !strings.Contains(stderr, "changelog.yaml") {
		t.Fatalf("import over an edited file: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "new-one.yaml")); !os.IsNotExist(err) {
		t.Errorf("a refused write wrote new-one.yaml: %v", err)
	}

	// Only refusals: nothing to write, exit 2.
	bad := filepath.Join(dir, "bad")
	copyTree(t, "fixtures/invalid/package-bad-name/report-writer", filepath.Join(bad, "report-writer"))
	if _, stderr, code = execute(t, "import", bad, "-o", filepath.Join(dir, "out2"), "--keep-going"); code != 2 || !strings.Contains(stderr, "skillc: no package imported, 1 input(s) refused") {
		t.Errorf("import of bad packages only: exit %d: %s", code, stderr)
	}
}
