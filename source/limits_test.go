package source

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/internal/memtest"
)

// maxHostileAlloc bounds what refusing one hostile input may allocate in total: far below what
// the attack would need (gigabytes), well above what parsing the bytes themselves takes.
const maxHostileAlloc = 16 << 20

// laughs is the billion laughs attack: depth levels of fan-out aliases, fanout^depth nodes once
// expanded, aimed at where each form expands.
func laughs(depth, fanout int, prefix, use string) string {
	var b strings.Builder
	b.WriteString(prefix)
	b.WriteString("x0: &l0 [lol]\n")
	for i := 1; i <= depth; i++ {
		fmt.Fprintf(&b, "x%d: &l%d [", i, i)
		for j := range fanout {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*l%d", i-1)
		}
		b.WriteString("]\n")
	}
	b.WriteString(strings.ReplaceAll(use, "TOP", fmt.Sprintf("*l%d", depth)))
	return b.String()
}

// zipBomb is one entry of n zero bytes, deflated (about 1 KiB per MiB). With lie set the Header
// declares 1 KiB instead, as a hand-made archive can.
func zipBomb(t testing.TB, n int, lie bool) []byte {
	var deflated bytes.Buffer
	fw, _ := flate.NewWriter(&deflated, flate.BestCompression)
	zeros := make([]byte, 1<<20)
	crc := crc32.NewIEEE()
	for range n >> 20 {
		fw.Write(zeros)
		crc.Write(zeros)
	}
	fw.Close()
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	size := uint64(n)
	if lie {
		size = 1 << 10
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "bomb/SKILL.md", Method: zip.Deflate, CRC32: crc.Sum32(),
		CompressedSize64: uint64(deflated.Len()), UncompressedSize64: size})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(deflated.Bytes())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestHostileInputsBoundedMemory: every attack on the loaders is refused with its own clear message,
// and refusing it allocates under maxHostileAlloc in total (allocation, not wall time, is what the
// attacks exhaust; an unbounded loader allocates gigabytes here).
func TestHostileInputsBoundedMemory(t *testing.T) {
	memtest.Bounded(t)
	const run = "apiVersion: sympozium.ai/v1alpha1\nkind: AgentRun\nmetadata: {name: r}\nspec: {instanceRef: i, task: t}\n"
	// What a case may allocate when the limit itself lets more through than maxHostileAlloc.
	allocLimits := map[string]uint64{"aliases add up across documents": 6 * MaxAliasBytesTotal}
	for _, tc := range []struct {
		name string
		file File
		want string
	}{
		{"billion laughs in an ignored field", File{Name: "laughs.yaml", Data: []byte(run + "status:\n" +
			strings.ReplaceAll("  "+laughs(9, 10, "", "x: TOP"), "\n", "\n  ") + "\n")}, ""}, // accepted: never expanded
		{"billion laughs through typed fields", File{Name: "laughs.yaml", Data: []byte(wide(2000))}, "YAML aliases expand to more than 50000 nodes"},
		{"billion laughs through params", File{Name: "laughs.yaml", Data: []byte(laughs(6, 10,
			"apiVersion: sympozium.ai/v1alpha1\nkind: SympoziumInstance\nmetadata: {name: i}\n", "spec: {skills: [{skillPackRef: p, params: {a: TOP}}]}\n"))},
			"expected a string or number"},
		{"billion laughs into a JSON-decoded field", File{Name: "laughs.yaml", Data: []byte(laughs(9, 10,
			"apiVersion: sympozium.ai/v1alpha1\nkind: AgentRun\nmetadata: {name: r}\n", "spec: {instanceRef: i, task: {a: TOP}}\n"))},
			"YAML aliases expand to more than 50000 nodes"},
		{"100k nested flow lists", File{Name: "deep.yaml", Data: []byte(run + "x: " + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + "\n")},
			"exceeded max depth of 10000"},
		{"100k nested flow mappings", File{Name: "deep.yaml", Data: []byte(run + "x: " + strings.Repeat("{a: ", 100000) + "1" + strings.Repeat("}", 100000) + "\n")},
			"exceeded max depth of 10000"},
		{"5k nested block mappings", File{Name: "deep.yaml", Data: deepBlock(5000)}, "nesting deeper than 100 levels"},
		{"nesting under the parser's limit", File{Name: "deep.yaml", Data: []byte(run + "x: " + strings.Repeat("[", 9000) + strings.Repeat("]", 9000) + "\n")},
			"nesting deeper than 100 levels"},
		{"zip bomb", File{Name: "bomb.zip", Data: zipBomb(t, 1<<30, false)}, "archive expands to more than 50 MiB"},
		{"zip bomb with a lying header", File{Name: "bomb.zip", Data: zipBomb(t, 1<<30, true)}, "zip: not a valid zip file"},
		{"too many documents", File{Name: "many.yaml", Data: []byte(strings.Repeat("---\n{}\n", MaxDocumentsPerFile+1))},
			"more than 10000 documents in one file"},
		{"a million elements in 2 MiB", File{Name: "wide.yaml", Data: []byte(run + "---\nx: [" + strings.Repeat("1,", 1<<20) + "1]\n")},
			"wide.yaml:5: document has more than 250000 YAML elements"},
		{"file too large", File{Name: "big.yaml", Data: make([]byte, MaxFileSize+1)}, "file is larger than 32 MiB"},
		// Issue 11: a 100 KB scalar aliased 2,000 times in a run's task made a 200 MB Job. Nodes
		// alone (2,000) are far under their budget: the text is what is bounded.
		{"one big scalar aliased 2000 times", File{Name: "task.yaml", Data: []byte(bigAliased(100_000, 2000))},
			"task.yaml:8: spec.task: YAML aliases expand to more than 1 MiB of text: refused"},
		// Each document under its own budget (800 KiB), but they add up past 16 MiB: what is
		// decoded stops at the total (the task's text is held about four times while it passes
		// through JSON), where 100 documents would otherwise hold 80 MiB of tasks, over 300 MiB in all.
		{"aliases add up across documents", File{Name: "many.yaml", Data: []byte(strings.Repeat("---\n"+bigAliased(4096, 200), 100))},
			"YAML aliases in these inputs expand to more than 1000000 nodes or 16 MiB of text in all: refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var diags diag.Diagnostics
			n := memtest.Allocated(func() { _, diags = Load([]File{tc.file}) })
			if tc.want == "" && diags.HasErrors() {
				t.Errorf("diagnostics %q, want none", firstLines(diags.Error(), 3))
			}
			if tc.want != "" && (!diags.HasErrors() || !strings.Contains(diags.Error(), tc.want)) {
				t.Errorf("diagnostics %q, want an error with %q", firstLines(diags.Error(), 3), tc.want)
			}
			limit := uint64(maxHostileAlloc)
			if l, ok := allocLimits[tc.name]; ok {
				limit = l
			}
			if n > limit {
				t.Errorf("refusing it allocated %d MiB, over %d MiB", n>>20, limit>>20)
			}
			t.Logf("%d KiB allocated", n>>10)
		})
	}
}

// bigAliased is an AgentRun whose task aliases one scalar of size bytes n times (a task may be an
// object, passed to the agent as JSON: every alias becomes a copy).
func bigAliased(size, n int) string {
	return "apiVersion: sympozium.ai/v1alpha1\nkind: AgentRun\nmetadata: {name: r}\nstatus:\n  big: &big " + strings.Repeat("x", size) +
		"\nspec:\n  instanceRef: i\n  task: {steps: [" + strings.Repeat("*big, ", n-1) + "*big]}\n"
}

// wide is the quadratic form of the attack through typed fields, which admit only one list per
// level: n aliases to a rule whose verbs alias a list of n verbs, n*n nodes from about 8n bytes.
// The anchors live under status, which is accepted and ignored.
func wide(n int) string {
	var b strings.Builder
	b.WriteString("apiVersion: sympozium.ai/v1alpha1\nkind: SkillPack\nmetadata: {name: p}\nstatus:\n  verbs: &v [")
	b.WriteString(strings.Repeat("get, ", n-1) + "get]\n")
	b.WriteString("  rule: &r {apiGroups: [\"\"], resources: [pods], verbs: *v}\n")
	b.WriteString("spec:\n  skills: [{name: s, content: x}]\n  sidecar:\n    image: r/x:1\n    rbac: [")
	b.WriteString(strings.Repeat("*r, ", n-1) + "*r]\n")
	return b.String()
}

func deepBlock(depth int) []byte {
	var b strings.Builder
	b.WriteString("apiVersion: sympozium.ai/v1alpha1\nkind: SkillPack\nmetadata: {name: p}\nstatus:\n")
	for i := range depth {
		b.WriteString(strings.Repeat(" ", i+1))
		b.WriteString("a:\n")
	}
	return []byte(b.String())
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], "\n")
}

// TestTotalDocumentsLimit: the limit across all inputs counts every document, not per file.
func TestTotalDocumentsLimit(t *testing.T) {
	one := []byte(strings.Repeat("---\napiVersion: sympozium.ai/v1alpha1\nkind: AgentRun\n", MaxDocumentsPerFile))
	var files []File
	for i := range MaxDocuments/MaxDocumentsPerFile + 1 {
		files = append(files, File{Name: fmt.Sprintf("f%02d.yaml", i), Data: one})
	}
	_, diags := Load(files)
	if !strings.Contains(diags.Error(), "more than 200000 documents in the inputs: refused") {
		t.Errorf("diagnostics %q", firstLines(diags.Error(), 2))
	}
}

// TestWalkRefusals: directory walks never follow a symlink (a link to a parent directory cannot
// loop), refuse links with a manifest's name, and report entries that cannot be read, with file
// and reason.
func TestWalkRefusals(t *testing.T) {
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	sub := filepath.Join(repo, "sub")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("..", filepath.Join(sub, "loop")); err != nil {
		t.Skip(err)
	}
	if err := os.Symlink(repo, filepath.Join(sub, "up.yaml")); err != nil {
		t.Fatal(err)
	}
	// A directory named like a manifest: walked into as a folder, never read as a file.
	if err := os.Mkdir(filepath.Join(repo, "dir.yaml"), 0o755); err != nil {
		t.Fatal(err)
	}
	files, diags := ReadPaths([]string{repo}, nil)
	if len(files) != 0 {
		t.Errorf("read %d files", len(files))
	}
	// loop (not a manifest's name) is passed over without being followed, so the walk ends; up.yaml
	// would be read, so it is refused by name.
	want := diag.Diagnostics{{File: filepath.Join(sub, "up.yaml"), Severity: diag.SeverityError, Message: "is a symlink: not followed inside a directory (name the target explicitly)"}}
	if diags.Error() != want.Error() {
		t.Errorf("diagnostics:\n%s\nwant\n%s", diags.Error(), want.Error())
	}

	// An entry that cannot be read as a file: its name and the reason. A FIFO would block forever,
	// so it is refused before it is opened (a path named explicitly may be one: <(kustomize build)).
	fifo := filepath.Join(repo, "pipe.yaml")
	if err := mkfifo(fifo); err != nil {
		t.Skip(err)
	}
	_, diags = ReadPaths([]string{repo}, nil)
	if !strings.Contains(diags.Error(), fifo+": not a regular file (p---------): not read inside a directory") {
		t.Errorf("FIFO in a walk: %q", diags.Error())
	}
	if os.Geteuid() == 0 {
		t.Log("running as root: mode 000 files are readable, so unreadable-permission is not tested")
		return
	}
	secret := filepath.Join(dir, "secret.yaml")
	if err := os.WriteFile(secret, []byte("x: 1\n"), 0o000); err != nil {
		t.Fatal(err)
	}
	_, diags = ReadPaths([]string{secret}, nil)
	if !strings.Contains(diags.Error(), secret+": permission denied") {
		t.Errorf("unreadable: %q", diags.Error())
	}
}

// TestPackageDirRefusalsMemory: a SKILL.md folder is held to the limits of a zip, and a symlink in it is
// refused rather than followed out of the package.
func TestPackageDirRefusalsMemory(t *testing.T) {
	memtest.Bounded(t)
	skill := []byte("---\ndescription: d\n---\nbody\n")
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  string
	}{
		{"symlink", func(t *testing.T, dir string) {
			if err := os.Symlink("/etc/passwd", filepath.Join(dir, "passwd")); err != nil {
				t.Skip(err)
			}
		}, "reading SKILL.md package: passwd is a symlink: refused in a SKILL.md package"},
		{"too many files", func(t *testing.T, dir string) {
			for i := range MaxPackageFiles {
				if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%04d", i)), nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}, "reading SKILL.md package: package has more than 1000 files"},
		{"too large", func(t *testing.T, dir string) {
			f, err := os.Create(filepath.Join(dir, "big.bin"))
			if err == nil {
				err = f.Truncate(MaxPackageBytes) // sparse: costs no disk
				f.Close()
			}
			if err != nil {
				t.Fatal(err)
			}
		}, "reading SKILL.md package: package is larger than 50 MiB"},
		{"one file far over the limit", func(t *testing.T, dir string) {
			f, err := os.Create(filepath.Join(dir, "huge.bin"))
			if err == nil {
				err = f.Truncate(8 << 30) // sparse: refused by its size, never read
				f.Close()
			}
			if err != nil {
				t.Skip(err)
			}
		}, "reading SKILL.md package: package is larger than 50 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "pkg")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "SKILL.md"), skill, 0o644); err != nil {
				t.Fatal(err)
			}
			tc.setup(t, dir)
			var diags diag.Diagnostics
			n := memtest.Allocated(func() { _, diags = ReadPaths([]string{filepath.Dir(dir)}, nil) })
			if got := diags.Error(); got != dir+": "+tc.want {
				t.Errorf("got %q, want %q", got, dir+": "+tc.want)
			}
			// A file over what is left of the limit is refused by its size, before it is read.
			if n > maxHostileAlloc {
				t.Errorf("refusing it allocated %d MiB", n>>20)
			}
		})
	}

	// The front matter is bounded before parsing too.
	fm := []byte("---\ndescription: [" + strings.Repeat("a,", MaxYAMLElements) + "a]\n---\nbody\n")
	var diags diag.Diagnostics
	n := memtest.Allocated(func() {
		_, diags = PackFromPackage(Package{Source: "pkg", Dir: "pkg", Files: map[string][]byte{"SKILL.md": fm}}, "")
	})
	if !strings.Contains(diags.Error(), "pkg/SKILL.md:2: front matter: document has more than 250000 YAML elements") || n > maxHostileAlloc {
		t.Errorf("wide front matter: %q, %d KiB", diags.Error(), n>>10)
	}
}

// TestPrecheckIsWhatLoadChecksFirst: Precheck (for skillc build to run before kustomize parses)
// refuses exactly what Load refuses before parsing, with the same diagnostics, and passes the rest.
func TestPrecheckIsWhatLoadChecksFirst(t *testing.T) {
	for _, data := range []string{
		strings.Repeat("x", MaxFileSize+1),
		"a: 1\nb: \"\x00\"\n",
		"a: [" + strings.Repeat("1,", MaxYAMLElements) + "1]\n",
		"a: !custom 1\n", // refused by Load after parsing, not before
	} {
		f := File{Name: "f.yaml", Data: []byte(data)}
		_, loaded := Load([]File{f})
		pre := Precheck(f)
		if pre != nil && pre.Error() != loaded.Error() || pre == nil && strings.Contains(loaded.Error(), "refused before parsing") {
			t.Errorf("Precheck %q, Load %q", pre.Error(), loaded.Error())
		}
	}
}
