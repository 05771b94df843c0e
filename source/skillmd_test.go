package source

import (
	"bytes"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/internal/memtest"
	"github.com/skillc-dev/skillc/internal/testinput"
)

func TestReadZipMemory(t *testing.T) {
	memtest.Bounded(t)
	big := bytes.Repeat([]byte("0"), 12<<20) // compresses to a few KiB
	tests := []struct {
		name    string
		entries []testinput.ZipEntry
		wantErr string
		wantDir string
		wantKey string
	}{
		{"files at the root", []testinput.ZipEntry{{Name: "SKILL.md", Body: []byte(testinput.GoodSkill)}, {Name: "tool.py", Body: []byte("print(1)\n")}}, "", "pkg", "tool.py"},
		{"one top folder (Wegent upload)", []testinput.ZipEntry{{Name: "my-skill/", Body: nil}, {Name: "my-skill/SKILL.md", Body: []byte(testinput.GoodSkill)}, {Name: "my-skill/lib/a.py", Body: []byte("x")}}, "", "my-skill", "lib/a.py"},
		{"macOS metadata skipped", []testinput.ZipEntry{{Name: "SKILL.md", Body: []byte(testinput.GoodSkill)}, {Name: "__MACOSX/._SKILL.md", Body: []byte{0}}}, "", "pkg", ""},
		{"zip slip", []testinput.ZipEntry{{Name: "SKILL.md", Body: []byte(testinput.GoodSkill)}, {Name: "../../etc/cron.d/x", Body: []byte("x")}}, `leaves the package with ".."`, "", ""},
		{"absolute path", []testinput.ZipEntry{{Name: "/etc/passwd", Body: []byte("x")}}, "absolute path", "", ""},
		{"windows drive", []testinput.ZipEntry{{Name: "C:/x", Body: []byte("x")}}, "absolute path", "", ""},
		{"backslash", []testinput.ZipEntry{{Name: `a\..\b`, Body: []byte("x")}}, "backslash", "", ""},
		{"symlink", []testinput.ZipEntry{{Name: "SKILL.md", Body: []byte(testinput.GoodSkill)}, {Name: "link", Body: []byte("/etc/passwd"), Mode: fs.ModeSymlink | 0o777}}, "symlink", "", ""},
		{"duplicate", []testinput.ZipEntry{{Name: "SKILL.md", Body: []byte(testinput.GoodSkill)}, {Name: "SKILL.md", Body: []byte(testinput.GoodSkill)}}, "appears twice", "", ""},
		{"bomb", []testinput.ZipEntry{{Name: "SKILL.md", Body: []byte(testinput.GoodSkill)}, {Name: "a", Body: big}, {Name: "b", Body: big}, {Name: "c", Body: big}, {Name: "d", Body: big}, {Name: "e", Body: big}}, "expands to more than 50 MiB", "", ""},
		{"no SKILL.md", []testinput.ZipEntry{{Name: "README.md", Body: []byte("x")}}, "no SKILL.md at the root or under one top folder", "", ""},
		{"two top folders", []testinput.ZipEntry{{Name: "a/SKILL.md", Body: []byte(testinput.GoodSkill)}, {Name: "b/x", Body: []byte("x")}}, "no SKILL.md", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Bounded by bytes, not by time (a wall-clock bound failed under load): reading an
			// archive may allocate what the archive may expand to, and a bomb is refused before
			// that (the bomb's 60 MiB would otherwise all be held).
			data := testinput.BuildZip(t, tt.entries...)
			var pkg Package
			var err error
			n := memtest.Allocated(func() { pkg, err = ReadZip("pkg.zip", data) })
			t.Logf("%d KiB allocated", n>>10)
			if n > MaxPackageBytes+maxHostileAlloc {
				t.Errorf("allocated %d MiB, over %d MiB", n>>20, (MaxPackageBytes+maxHostileAlloc)>>20)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if pkg.Dir != tt.wantDir {
				t.Errorf("dir = %q, want %q", pkg.Dir, tt.wantDir)
			}
			if _, ok := pkg.Files[tt.wantKey]; tt.wantKey != "" && !ok {
				t.Errorf("files = %v, want %q", keysOf(pkg.Files), tt.wantKey)
			}
			if len(pkg.Files) != 1+btoi(tt.wantKey != "") {
				t.Errorf("files = %v", keysOf(pkg.Files))
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func keysOf(m map[string][]byte) []string { return slices.Sorted(maps.Keys(m)) }

func TestReadZipRefusesNonZipAndHuge(t *testing.T) {
	if _, err := ReadZip("fake.zip", []byte("PK\x03\x04 not really")); err == nil || !strings.Contains(err.Error(), "not a valid zip") {
		t.Errorf("fake zip: %v", err)
	}
	if _, err := ReadZip("huge.zip", make([]byte, MaxZipBytes+1)); err == nil || !strings.Contains(err.Error(), "over the 10 MiB limit") {
		t.Errorf("huge zip: %v", err)
	}
	var many []testinput.ZipEntry
	for i := range MaxPackageFiles + 1 {
		many = append(many, testinput.ZipEntry{Name: fmt.Sprintf("f%04d", i), Body: []byte("x")})
	}
	if _, err := ReadZip("many.zip", testinput.BuildZip(t, append(many, testinput.ZipEntry{Name: "SKILL.md", Body: []byte(testinput.GoodSkill)})...)); err == nil || !strings.Contains(err.Error(), "more than 1000 files") {
		t.Errorf("many files: %v", err)
	}
}

func TestPackFromPackage(t *testing.T) {
	tests := []struct {
		name     string
		dir      string
		skill    string
		wantErr  string
		wantWarn string
		check    func(t *testing.T, p *api.SkillPack)
	}{
		{name: "name derived from the folder", dir: "my-tool", skill: testinput.GoodSkill, check: func(t *testing.T, p *api.SkillPack) {
			if p.Metadata.Name != "my-tool" || p.Spec.Skills[0].Content != "# Body\n" || p.Spec.Skills[0].Description != "Does the thing" {
				t.Errorf("pack = %+v", p.Spec)
			}
		}},
		{name: "body kept byte for byte with --- inside", dir: "t", skill: "---\ndescription: d\n---\nA\n---\nB\r\n\n", check: func(t *testing.T, p *api.SkillPack) {
			if p.Spec.Skills[0].Content != "A\n---\nB\r\n\n" {
				t.Errorf("body = %q", p.Spec.Skills[0].Content)
			}
		}},
		{name: "BOM stripped", dir: "t", skill: "\ufeff" + testinput.GoodSkill},
		{name: "annotations keep the front matter", dir: "t", skill: "---\nname: t\ndescription: d\nauthor: me\ntags: [a]\n---\nx\n", check: func(t *testing.T, p *api.SkillPack) {
			if p.Metadata.Annotations[AnnotationFrontMatter] != "name: t\ndescription: d\nauthor: me\ntags: [a]\n" {
				t.Errorf("annotations = %v", p.Metadata.Annotations)
			}
		}},
		{name: "mcpServers warns", dir: "t", skill: "---\ndescription: d\nmcpServers: {gh: {env: {TOKEN: x}}}\n---\nx\n", wantWarn: "mcpServers is not compiled"},
		// The front matter's name wins over the folder's; the mismatch breaks the Agent Skills spec only.
		{name: "name differs from the folder: a warning, the name wins", dir: "t", skill: "---\nname: other\ndescription: d\n---\nx\n",
			wantWarn: `2: warning: name: name "other" differs from its folder "t", which the Agent Skills specification (agentskills.io/specification) requires it to match; the name wins`,
			check: func(t *testing.T, p *api.SkillPack) {
				if p.Metadata.Name != "other" || p.Spec.Skills[0].Name != "other" {
					t.Errorf("pack %q skill %q, want other", p.Metadata.Name, p.Spec.Skills[0].Name)
				}
			}},
		{name: "name not a DNS label: Kubernetes refuses it", dir: "t", skill: "---\nname: Bad_Name\ndescription: d\n---\nx\n", wantErr: `2: name: invalid name "Bad_Name": it names the SkillPack, its ConfigMap and the label sympozium.ai/skillpack, so Kubernetes requires a DNS-1123 label`},
		{name: "64 characters: the spec allows it, a label value does not", dir: "t", skill: "---\nname: " + strings.Repeat("a", 64) + "\ndescription: d\n---\nx\n", wantErr: "Kubernetes requires a DNS-1123 label (1-63"},
		{name: "63 characters", dir: strings.Repeat("a", 63), skill: "---\nname: " + strings.Repeat("a", 63) + "\ndescription: d\n---\nx\n"},
		{name: "non-ASCII lowercase: the spec allows it, Kubernetes does not", dir: "t", skill: "---\nname: café\ndescription: d\n---\nx\n", wantErr: `invalid name "café"`},
		{name: "consecutive hyphens: a warning", dir: "pdf--tools", skill: "---\nname: pdf--tools\ndescription: d\n---\nx\n", wantWarn: `2: warning: name: "pdf--tools" contains consecutive hyphens, which the Agent Skills specification (agentskills.io/specification) forbids`},
		{name: "underivable name", dir: "My Tool", skill: testinput.GoodSkill, wantErr: `1: name: no name in the front matter, and the folder name "My Tool" cannot name a SkillPack`},
		{name: "folder name lower-cased when there is no name", dir: "Ticket-Triage", skill: testinput.GoodSkill, check: func(t *testing.T, p *api.SkillPack) {
			if p.Metadata.Name != "ticket-triage" {
				t.Errorf("name = %q", p.Metadata.Name)
			}
		}},
		{name: "description required", dir: "t", skill: "---\nname: t\n---\nx\n", wantErr: "1: description: required"},
		{name: "description blank", dir: "t", skill: "---\nname: t\ndescription: '  '\n---\nx\n", wantErr: "3: description: required"},
		{name: "description too long: a warning, compiled whole", dir: "t", skill: "---\ndescription: " + strings.Repeat("d", 1068) + "\n---\nx\n",
			wantWarn: "2: warning: description: is 1068 characters, over the 1024 the Agent Skills specification (agentskills.io/specification) allows",
			check: func(t *testing.T, p *api.SkillPack) {
				if len(p.Spec.Skills[0].Description) != 1068 {
					t.Errorf("description cut to %d", len(p.Spec.Skills[0].Description))
				}
			}},
		{name: "description of 1024 characters", dir: "t", skill: "---\ndescription: " + strings.Repeat("é", 1024) + "\n---\nx\n"},
		{name: "compatibility too long", dir: "t", skill: "---\ndescription: d\ncompatibility: " + strings.Repeat("c", 501) + "\n---\nx\n", wantWarn: "3: warning: compatibility: is 501 characters, over the 500"},
		{name: "unknown key: a warning, with a suggestion", dir: "t", skill: "---\ndescription: d\nlicence: MIT\n---\nx\n",
			wantWarn: `3: warning: licence: not a front-matter key of the Agent Skills specification (name, description, license, compatibility, metadata, allowed-tools; agentskills.io/specification) nor of Wegent: not compiled (the agent reads only the body), kept for export (did you mean "license"?)`,
			check: func(t *testing.T, p *api.SkillPack) {
				if !strings.Contains(p.Metadata.Annotations[AnnotationFrontMatter], "licence: MIT") {
					t.Errorf("front matter not kept for export: %q", p.Metadata.Annotations[AnnotationFrontMatter])
				}
			}},
		{name: "Claude Code keys: warnings naming Claude Code", dir: "review", skill: "---\nname: review\ndescription: d\nargument-hint: \"[file]\"\nmodel: opus\nhooks: {PreToolUse: [{command: x}]}\nallowed-tools:\n  - Bash(git:*)\n  - Read\nlicense: Proprietary. LICENSE.txt has complete terms\nmetadata: {author: me, version: \"1.0\"}\n---\nx\n",
			wantWarn: "4: warning: argument-hint: a Claude Code key, not one of the Agent Skills specification's",
			check: func(t *testing.T, p *api.SkillPack) {
				_, diags := PackFromPackage(Package{Source: "pkgs/review", Dir: "review", Files: map[string][]byte{"SKILL.md": []byte("---\nname: review\ndescription: d\nargument-hint: x\nmodel: opus\nhooks: {}\n---\nx\n")}}, "")
				if len(diags) != 3 || strings.Contains(diags.Error(), "did you mean") {
					t.Errorf("want one warning per Claude Code key, no suggestion:\n%v", diags)
				}
			}},
		{name: "metadata of the wrong shape: a warning", dir: "t", skill: "---\ndescription: d\nmetadata:\n  tags: [a, b]\n---\nx\n", wantWarn: "4: warning: metadata: the Agent Skills specification (agentskills.io/specification) makes it a map from string keys to string values"},
		{name: "metadata through an alias", dir: "t", skill: "---\ndescription: &d d\nmetadata: {summary: *d}\n---\nx\n"},
		{name: "allowed-tools of the wrong shape: a warning", dir: "t", skill: "---\ndescription: d\nallowed-tools: {Bash: yes}\n---\nx\n", wantWarn: "3: warning: allowed-tools: the Agent Skills specification (agentskills.io/specification) makes it a space-delimited string or a list of strings"},
		{name: "unknown key beside an error: both reported", dir: "t", skill: "---\nname: t\ncolour: red\n---\nx\n", wantErr: "pkgs/t/SKILL.md:3: warning: colour: not a front-matter key"},
		{name: "a known key of the wrong type stays an error", dir: "t", skill: "---\ndescription: [a]\n---\nx\n", wantErr: "2: description: "},
		{name: "merge key still refused", dir: "t", skill: "---\ndescription: d\n<<: {name: t}\n---\nx\n", wantErr: "3: "},
		{name: "front matter not on line 1", dir: "t", skill: "\n---\ndescription: d\n---\nx\n", wantErr: "1: SKILL.md must open with a --- front matter line on line 1"},
		{name: "front matter never closed", dir: "t", skill: "---\ndescription: d\n", wantErr: "never closed"},
		{name: "invalid UTF-8", dir: "t", skill: "---\ndescription: d\n---\n\xff\n", wantErr: "4: SKILL.md is not valid UTF-8"},
		{name: "empty body", dir: "t", skill: "---\ndescription: d\n---\n\n", wantErr: "no body"},
		// The front matter is read by the Reader: its lines, limits and refusals are every input's.
		{name: "NUL byte at its line", dir: "t", skill: "---\ndescription: d\nauthor: \"a\x00b\"\n---\nx\n", wantErr: "pkgs/t/SKILL.md:3: front matter: control character U+0000 is not allowed in YAML"},
		{name: "unknown tag", dir: "t", skill: "---\ndescription: d\nauthor: !!python/object:os.system x\n---\nx\n", wantErr: `pkgs/t/SKILL.md:3: front matter: YAML tag "!!python/object:os.system" is not supported`},
		{name: "syntax error", dir: "t", skill: "---\ndescription: d\ntags: [a\n---\nx\n", wantErr: "pkgs/t/SKILL.md:2: front matter: invalid YAML: did not find expected"},
		{name: "aliases bounded (located at the anchor, as in every input)", dir: "t", skill: "---\ndescription: &d " + strings.Repeat("x", 100_000) + "\ntags: [" + strings.Repeat("*d, ", 20) + "*d]\n---\nx\n", wantErr: "pkgs/t/SKILL.md:2: tags[10]: YAML aliases expand to more than 1 MiB of text: refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, diags := PackFromPackage(Package{Source: "pkgs/" + tt.dir, Dir: tt.dir, Files: map[string][]byte{"SKILL.md": []byte(tt.skill)}}, "")
			if tt.wantErr != "" {
				if !diags.HasErrors() || !strings.Contains(diags.Error(), tt.wantErr) {
					t.Fatalf("diags = %v, want %q", diags, tt.wantErr)
				}
				return
			}
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			if w := diags.Filter(diag.SeverityWarning).Error(); (tt.wantWarn == "") != (w == "") || !strings.Contains(w, tt.wantWarn) {
				t.Errorf("warnings = %q, want %q", w, tt.wantWarn)
			}
			if tt.check != nil {
				tt.check(t, p)
			}
		})
	}
}
