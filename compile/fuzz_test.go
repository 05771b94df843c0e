package compile

import (
	"strings"
	"testing"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/internal/emit"
	"github.com/skillc-dev/skillc/internal/testinput"
	"github.com/skillc-dev/skillc/source"
)

// Fuzz targets for every parser that reads untrusted input. The property is always the same: no
// panic, no hang, and either a result or diagnostics that carry a file name.

func FuzzLoad(f *testing.F) {
	f.Add([]byte(pack("image: r/x:1\nrbac: [{apiGroups: [\"\"], resources: [pods], verbs: [get]}]") + "\n---\n" + testInstance + "\n---\n" + testRun))
	f.Add([]byte("a: &a [x]\nb: *a\n"))
	f.Add([]byte("apiVersion: sympozium.ai/v1alpha1\nkind: AgentRun\nspec: {task: {a: [1, {b: null}]}}\n"))
	f.Add([]byte("---\n---\n- 1\n"))
	f.Add([]byte("apiVersion: sympozium.ai/v1alpha1\nkind: SkillPack\nspec:\n  sidecar:\n    volumes: [{name: v, emptyDir: {sizeLimit: 1Gi}}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, diags := source.Load([]source.File{{Name: "fuzz.yaml", Data: data}})
		checkDiagnostics(t, diags)
		if !diags.HasErrors() {
			// Whatever loaded must also build or fail cleanly.
			res, ds := Build(in, api.DefaultConfig())
			if ds.HasErrors() {
				checkDiagnostics(t, ds)
			} else if _, err := emit.MarshalStream(res.Objects); err != nil {
				t.Fatalf("serializing: %v", err)
			}
		}
	})
}

func FuzzConfig(f *testing.F) {
	f.Add([]byte("spec:\n  identity: per-run\n  policy:\n    resourceCeilings: {cpu: \"2\", memory: 4Gi}\n    allowedHostPaths: [{skillPack: p, pathPrefix: /proc}]\n"))
	f.Add([]byte("spec: {catalogNamespace: \"\", images: {agentRunner: x}}\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		data := append([]byte("apiVersion: skillc.dev/v1alpha1\nkind: CompilerConfig\nmetadata: {name: c}\n"), body...)
		in, diags := source.Load([]source.File{{Name: "config.yaml", Data: data}})
		checkDiagnostics(t, diags)
		if diags.HasErrors() || len(in.Configs) != 1 {
			return
		}
		c := in.Configs[0]
		c.Default()
		checkDiagnostics(t, c.Validate())
	})
}

func FuzzSkillMarkdown(f *testing.F) {
	f.Add([]byte(goodSkill))
	f.Add([]byte("\ufeff---\nname: t\ndescription: d\nmetadata: {a: 1}\n---\nbody\n---\n"))
	f.Add([]byte("---\r\ndescription: d\r\n---\r\nx\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, diags := source.PackFromPackage(source.Package{Source: "pkg", Dir: "t", Files: map[string][]byte{"SKILL.md": data}}, "")
		checkDiagnostics(t, diags)
		if !diags.HasErrors() {
			if p == nil || len(p.Spec.Skills) != 1 || !strings.Contains(string(data), p.Spec.Skills[0].Content) {
				t.Fatalf("body is not a part of the input: %+v", p)
			}
		}
	})
}

func FuzzReadZip(f *testing.F) {
	f.Add(buildZip(f, testinput.ZipEntry{Name: "p/SKILL.md", Body: []byte(goodSkill)}, testinput.ZipEntry{Name: "p/a/b.py", Body: []byte("x")}))
	f.Add(buildZip(f, testinput.ZipEntry{Name: "SKILL.md", Body: []byte(goodSkill)}))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		pkg, err := source.ReadZip("fuzz.zip", data)
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
		if total > source.MaxPackageBytes || len(pkg.Files) > source.MaxPackageFiles {
			t.Fatalf("limits exceeded: %d bytes, %d files", total, len(pkg.Files))
		}
		_, diags := source.PackFromPackage(pkg, "")
		checkDiagnostics(t, diags)
	})
}

func FuzzNames(f *testing.F) {
	for _, s := range []string{"k8s-ops", "A", "", "a.b", strings.Repeat("a", 64), "../x", "skillpack-x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		src := diag.NewSource("f.yaml", 1, nil)
		p := &api.SkillPack{Spec: api.SkillPackSpec{Skills: []api.Skill{{Name: name, Content: "x"}}, Sidecar: &api.Sidecar{Image: "r/x:1"}}}
		p.Metadata.Name = name
		p.Src = src
		diags := validatePack(p)
		checkDiagnostics(t, diags)
		if !diags.HasErrors() {
			// Anything accepted must fit every name it becomes.
			if len(name) > 57 || !skillNameRE.MatchString(name) || len(paramEnvName(name)) == 0 {
				t.Fatalf("accepted %q", name)
			}
		}
	})
}

func checkDiagnostics(t *testing.T, diags diag.Diagnostics) { testinput.CheckDiagnostics(t, diags) }
