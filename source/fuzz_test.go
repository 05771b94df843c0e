package source

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/skillc-dev/skillc/internal/testinput"
)

// Fuzz targets for source's parsers of untrusted input: a CompilerConfig, SKILL.md and zip
// archives. The property is always the same: no panic, no hang, and either a result or
// diagnostics that carry a file name.

func FuzzConfig(f *testing.F) {
	f.Add([]byte("spec:\n  identity: per-run\n  policy:\n    resourceCeilings: {cpu: \"2\", memory: 4Gi}\n    allowedHostPaths: [{skillPack: p, pathPrefix: /proc}]\n"))
	f.Add([]byte("spec: {catalogNamespace: \"\", images: {agentRunner: x}}\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		data := append([]byte("apiVersion: skillc.dev/v1alpha1\nkind: CompilerConfig\nmetadata: {name: c}\n"), body...)
		in, diags := Load([]File{{Name: "config.yaml", Data: data}})
		testinput.CheckDiagnostics(t, diags)
		if diags.HasErrors() || len(in.Configs) != 1 {
			return
		}
		c := in.Configs[0]
		c.Default()
		testinput.CheckDiagnostics(t, c.Validate())
	})
}

func FuzzSkillMarkdown(f *testing.F) {
	f.Add([]byte(testinput.GoodSkill))
	f.Add([]byte("\ufeff---\nname: t\ndescription: d\nmetadata: {a: 1}\n---\nbody\n---\n"))
	f.Add([]byte("---\r\ndescription: d\r\n---\r\nx\r\n"))
	// Packages as they are in the wild: Claude Code keys, a list of allowed tools, nested
	// metadata, a name that is not the folder's; unknown keys are stripped before the strict decode.
	f.Add([]byte("---\nname: other--name\ndescription: &d d\nargument-hint: \"[x]\"\nmodel: opus\nhooks: {a: [*d]}\nallowed-tools: [Read, Bash(git:*)]\nmetadata: {a: {b: c}}\n---\nx\n"))
	f.Add([]byte("---\ndescription: d\n1: x\n<<: {a: b}\n? [k]\n: v\nlicence: MIT\n---\nx\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, diags := PackFromPackage(Package{Source: "pkg", Dir: "t", Files: map[string][]byte{"SKILL.md": data}}, "")
		testinput.CheckDiagnostics(t, diags)
		if !diags.HasErrors() {
			if p == nil || len(p.Spec.Skills) != 1 || !strings.Contains(string(data), p.Spec.Skills[0].Content) {
				t.Fatalf("body is not a part of the input: %+v", p)
			}
			// Whatever the front matter says, what is compiled has a name Kubernetes accepts.
			if msgs := validation.IsDNS1123Label(p.Metadata.Name); len(msgs) > 0 {
				t.Fatalf("accepted name %q: %v", p.Metadata.Name, msgs)
			}
		}
	})
}

func FuzzReadZip(f *testing.F) {
	f.Add(testinput.BuildZip(f, testinput.ZipEntry{Name: "p/SKILL.md", Body: []byte(testinput.GoodSkill)}, testinput.ZipEntry{Name: "p/a/b.py", Body: []byte("x")}))
	f.Add(testinput.BuildZip(f, testinput.ZipEntry{Name: "SKILL.md", Body: []byte(testinput.GoodSkill)}))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		pkg, err := ReadZip("fuzz.zip", data)
		if err != nil {
			return
		}
		total := 0
		for path, b := range pkg.Files {
			if strings.HasPrefix(path, "/") || strings.Contains("/"+path+"/", "/../") {
				t.Fatalf("unsafe path accepted: %q", path)
			}
			total += len(b)
		}
		if total > MaxPackageBytes || len(pkg.Files) > MaxPackageFiles {
			t.Fatalf("limits exceeded: %d bytes, %d files", total, len(pkg.Files))
		}
		_, diags := PackFromPackage(pkg, "")
		testinput.CheckDiagnostics(t, diags)
	})
}
