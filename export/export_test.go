package export

import (
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/source"
)

// randomBody makes Markdown that stresses the front matter split: --- lines, CRLF, unicode,
// trailing spaces, and no final newline.
func randomBody(r *rand.Rand) string {
	pieces := []string{"# Title\n", "---\n", "text with: colons\n", "\r\n", "ünïcödé ✓\n", "  indented\n", "```\ncode\n```\n", "- item\n", "trailing  \n", "---  \n", "> quote\n"}
	var b strings.Builder
	b.WriteString("Start\n")
	for range r.IntN(12) {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	if r.IntN(2) == 0 {
		b.WriteString("no final newline")
	}
	return b.String()
}

// TestExportImportRoundTrip: exporting packs to SKILL.md packages and reading them back keeps every
// skill's name, description and content exactly, and a package's files.
func TestExportImportRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for i := range 200 {
		p := &api.SkillPack{}
		p.Metadata.Name = "pack"
		p.Spec.Version = "1.0.0"
		n := 1 + r.IntN(3)
		for s := range n {
			desc := []string{"Does a thing", "Quotes \"inside\" and: colons", "Multi\nline description", "# looks like a comment"}[r.IntN(4)]
			p.Spec.Skills = append(p.Spec.Skills, api.Skill{Name: "skill-" + string(rune('a'+s)), Description: desc, Content: randomBody(r)})
		}
		if n == 1 && i%2 == 0 {
			p.Files = map[string][]byte{"tools/run.sh": []byte("#!/bin/sh\n"), "data.bin": {0xff, 0x01}}
		}
		out, diags := Export([]*api.SkillPack{p}, false)
		if diags != nil {
			t.Fatal(diags)
		}
		for _, s := range p.Spec.Skills {
			files := map[string][]byte{}
			for path, data := range out {
				if rest, ok := strings.CutPrefix(path, s.Name+"/"); ok {
					files[rest] = data
				}
			}
			back, diags := source.PackFromPackage(source.Package{Source: s.Name, Dir: s.Name, Files: files}, "")
			if diags.HasErrors() {
				t.Fatalf("case %d: re-import failed: %v\nSKILL.md:\n%s", i, diags, files["SKILL.md"])
			}
			got := back.Spec.Skills[0]
			if got.Name != s.Name || got.Content != s.Content || got.Description != strings.TrimSpace(s.Description) {
				t.Fatalf("case %d: round trip changed the skill:\nwant %+v\ngot  %+v", i, s, got)
			}
			if n == 1 && len(back.Files) != len(p.Files) {
				t.Fatalf("case %d: files %v, want %v", i, slices.Sorted(maps.Keys(back.Files)), slices.Sorted(maps.Keys(p.Files)))
			}
		}
	}
}

// TestExportZipIsDeterministicAndReadable: the upload zip reads back as the same package.
func TestExportZipIsDeterministicAndReadable(t *testing.T) {
	p := &api.SkillPack{Spec: api.SkillPackSpec{Skills: []api.Skill{{Name: "t", Description: "d", Content: "body\n"}}}}
	p.Metadata.Name = "t"
	a, _ := Export([]*api.SkillPack{p}, true)
	b, _ := Export([]*api.SkillPack{p}, true)
	if string(a["t.zip"]) != string(b["t.zip"]) {
		t.Fatal("zip differs between two exports")
	}
	if len(a) != 1 {
		t.Fatalf("export with zips wrote %v, want t.zip alone (a folder beside it could not be imported again)", slices.Sorted(maps.Keys(a)))
	}
	dir, _ := Export([]*api.SkillPack{p}, false)
	pkg, err := source.ReadZip("t.zip", a["t.zip"])
	if err != nil || pkg.Dir != "t" || string(pkg.Files["SKILL.md"]) != string(dir["t/SKILL.md"]) {
		t.Fatalf("zip reads back as %+v, %v", pkg, err)
	}
	if !strings.Contains(string(dir["t/SKILL.md"]), "\nbindShells:\n- Chat\n- ClaudeCode\n---\nbody\n") || strings.HasPrefix(string(dir["t/SKILL.md"]), "\ufeff") {
		t.Errorf("SKILL.md = %q", dir["t/SKILL.md"])
	}
}

// TestExportMendsAWildPackage: a package whose name differs from its folder, with Claude Code's
// keys, imports with warnings; exported, it lands in a folder of its name with its front matter
// as written, and reads back without the mismatch.
func TestExportMendsAWildPackage(t *testing.T) {
	skill := "---\nname: reviewing-prs\ndescription: Reviews a PR\nargument-hint: \"[pr]\"\nmodel: opus\n---\n# Review\n"
	p, diags := source.PackFromPackage(source.Package{Source: "in/pr-review", Dir: "pr-review", Files: map[string][]byte{"SKILL.md": []byte(skill), "LICENSE.txt": []byte("MIT")}}, "")
	if diags.HasErrors() || len(diags) != 3 {
		t.Fatalf("want 3 warnings (name, argument-hint, model): %v", diags)
	}
	out, diags := Export([]*api.SkillPack{p}, false)
	if diags != nil {
		t.Fatal(diags)
	}
	got := string(out["reviewing-prs/SKILL.md"])
	if !strings.Contains(got, "argument-hint: \"[pr]\"\nmodel: opus\n") || string(out["reviewing-prs/LICENSE.txt"]) != "MIT" {
		t.Fatalf("export = %v\nSKILL.md:\n%s", slices.Sorted(maps.Keys(out)), got)
	}
	_, diags = source.PackFromPackage(source.Package{Source: "out/reviewing-prs", Dir: "reviewing-prs", Files: map[string][]byte{"SKILL.md": out["reviewing-prs/SKILL.md"]}}, "")
	if diags.HasErrors() || strings.Contains(diags.Error(), "differs from its folder") {
		t.Errorf("re-import: %v", diags)
	}
}

// TestImportManifestAnnotationLimit: a front matter that would take the SkillPack's annotations
// over the API server's 256 KiB is refused at import, not at apply.
func TestImportManifestAnnotationLimit(t *testing.T) {
	for _, tt := range []struct {
		name    string
		size    int
		wantErr bool
	}{{"under", 200 << 10, false}, {"over", 300 << 10, true}} {
		t.Run(tt.name, func(t *testing.T) {
			skill := "---\ndescription: d\nlicense: " + strings.Repeat("x", tt.size) + "\n---\nbody\n"
			p, diags := source.PackFromPackage(source.Package{Source: "in/t", Dir: "t", Files: map[string][]byte{"SKILL.md": []byte(skill)}}, "")
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			_, diags = ImportManifest(p)
			if got := strings.Contains(diags.Error(), "over Kubernetes' 256 KiB limit on annotations"); got != tt.wantErr || diags.HasErrors() != tt.wantErr {
				t.Errorf("diags = %v", diags)
			}
		})
	}
}
