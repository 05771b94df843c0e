package krm

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/internal/testinput"
	"github.com/skillc-dev/skillc/source"
)

// IsSourceKind must agree with the loader: every kind it calls a source is decoded by Load, and
// Load skips the others.
func TestIsSourceKind(t *testing.T) {
	for _, tc := range []struct {
		apiVersion, kind string
		want             bool
	}{
		{"sympozium.ai/v1alpha1", "SkillPack", true},
		{"sympozium.ai/v1alpha1", "SympoziumInstance", true},
		{"sympozium.ai/v1alpha1", "Agent", true},
		{"sympozium.ai/v1alpha1", "AgentRun", true},
		{"sympozium.ai/v1alpha1", "SympoziumSchedule", true},
		{"sympozium.ai/v1beta1", "SkillPack", true}, // a wrong version is an error, not a pass-through
		{"skillc.dev/v1alpha1", "CompilerConfig", true},
		{"sympozium.ai/v1alpha1", "SympoziumPolicy", true},
		{"sympozium.ai/v1alpha1", "Ensemble", true},
		{"v1", "ConfigMap", false},
		{"apps/v1", "Deployment", false},
	} {
		t.Run(tc.apiVersion+"/"+tc.kind, func(t *testing.T) {
			if got := IsSourceKind(tc.apiVersion, tc.kind); got != tc.want {
				t.Fatalf("IsSourceKind = %v, want %v", got, tc.want)
			}
			doc := "apiVersion: " + tc.apiVersion + "\nkind: " + tc.kind + "\nmetadata: {name: x}\n"
			_, diags := source.Load([]source.File{{Name: "x.yaml", Data: []byte(doc)}})
			skipped := len(diags) == 1 && strings.Contains(diags[0].Message, "not a skillc input")
			if skipped == tc.want {
				t.Errorf("Load disagrees: %v", diags)
			}
		})
	}
}

func TestItemFile(t *testing.T) {
	for _, tc := range []struct {
		name, annotations, base, want string
	}{
		{"origin", "config.kubernetes.io/origin: |\n      path: skills/a.yaml\n", "", "skills/a.yaml"},
		{"origin under base", "config.kubernetes.io/origin: |\n      path: a.yaml\n", "apps/x", "apps/x/a.yaml"},
		{"remote", "config.kubernetes.io/origin: |\n      path: a.yaml\n      repo: https://github.com/o/r\n      ref: v1\n", "apps", "https://github.com/o/r//a.yaml?ref=v1"},
		{"generated", "config.kubernetes.io/origin: |\n      configuredIn: gen.yaml\n      configuredBy: {kind: X}\n", "", "gen.yaml"},
		{"kpt path", "internal.config.kubernetes.io/path: pkg/a.yaml\n", "", "pkg/a.yaml"},
		{"nothing", "", "", "<SkillPack ns/p>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := "apiVersion: sympozium.ai/v1alpha1\nkind: SkillPack\nmetadata:\n  name: p\n  namespace: ns\n"
			if tc.annotations != "" {
				doc += "  annotations:\n    " + tc.annotations
			}
			if got := ItemFile(kyaml.MustParse(doc), tc.base); got != tc.want {
				t.Errorf("ItemFile = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestUnlined(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files []string
		in    diag.Diagnostics
		want  diag.Diagnostics
	}{
		{
			name:  "lines of item files dropped, in messages too",
			files: []string{"a.yaml", "b.yaml"},
			in:    diag.Diagnostics{{File: "a.yaml", Line: 7, Field: "spec", Severity: diag.SeverityError, Message: "shadows b.yaml:3 (see a.yaml:9)"}},
			want:  diag.Diagnostics{{File: "a.yaml", Field: "spec", Severity: diag.SeverityError, Message: "shadows b.yaml (see a.yaml)"}},
		},
		{
			name:  "other files keep their lines",
			files: []string{"a.yaml"},
			in:    diag.Diagnostics{{File: "platform.yaml", Line: 4, Severity: diag.SeverityError, Message: "x at platform.yaml:2"}},
			want:  diag.Diagnostics{{File: "platform.yaml", Line: 4, Severity: diag.SeverityError, Message: "x at platform.yaml:2"}},
		},
		{
			name:  "findings that become equal are merged",
			files: []string{"a.yaml"},
			in:    diag.Diagnostics{{File: "a.yaml", Line: 3, Rule: "R", Severity: diag.SeverityDeny, Message: "m"}, {File: "a.yaml", Line: 9, Rule: "R", Severity: diag.SeverityDeny, Message: "m"}},
			want:  diag.Diagnostics{{File: "a.yaml", Rule: "R", Severity: diag.SeverityDeny, Message: "m"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.in.Unlined(tc.files)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadKRM(t *testing.T) {
	node := func(s string) *kyaml.RNode { return kyaml.MustParse(s) }
	pack := node("apiVersion: sympozium.ai/v1alpha1\nkind: SkillPack\nmetadata:\n  name: p\n  annotations:\n    config.kubernetes.io/origin: |\n      path: p.yaml\n    internal.config.kubernetes.io/id: '1'\n    team: a\n")
	svc := node("apiVersion: v1\nkind: Service\nmetadata: {name: s}\n")
	cfg := node("apiVersion: skillc.dev/v1alpha1\nkind: CompilerConfig\nmetadata: {name: c}\nspec: {identity: per-run}\n")
	// As kpt fn render sends them: a path and an index on every object.
	kptCfg := node("apiVersion: skillc.dev/v1alpha1\nkind: CompilerConfig\nmetadata:\n  name: c\n  annotations:\n    config.kubernetes.io/path: 'skillc.yaml'\n    config.kubernetes.io/index: '0'\n    internal.config.kubernetes.io/path: 'skillc.yaml'\nspec: {identity: per-run}\n")
	kptPack := node("apiVersion: sympozium.ai/v1alpha1\nkind: SkillPack\nmetadata:\n  name: p\n  annotations:\n    config.kubernetes.io/path: 'skills.yaml'\n    config.kubernetes.io/index: '0'\n")
	kptGenerated := node("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: skillpack-p\n  labels: {app.kubernetes.io/managed-by: skillc}\n  annotations:\n    skillc.dev/generated-by: skillc-fn\n    config.kubernetes.io/path: 'generated/a/configmap-skillpack-p.yaml'\n")
	for _, tc := range []struct {
		name      string
		items     []*kyaml.RNode
		fc        *kyaml.RNode
		wantFiles []string
		wantKeep  int // passthrough length with keepSources
		wantPass  int // without
		wantErr   string
		wantCfg   string
		inPlace   bool
	}{
		{name: "split", items: []*kyaml.RNode{svc, pack}, wantFiles: []string{"p.yaml"}, wantPass: 1, wantKeep: 2},
		{name: "config item without functionConfig: a source, never kept", items: []*kyaml.RNode{cfg, pack}, wantFiles: []string{"<CompilerConfig c>", "p.yaml"}, wantPass: 0, wantKeep: 1},
		{name: "functionConfig", items: []*kyaml.RNode{pack}, fc: cfg, wantFiles: []string{"p.yaml"}, wantKeep: 1, wantCfg: "per-run"},
		{name: "empty functionConfig is none", items: []*kyaml.RNode{pack}, fc: node("{}"), wantFiles: []string{"p.yaml"}, wantKeep: 1},
		{name: "two configs", items: []*kyaml.RNode{cfg}, fc: node("apiVersion: skillc.dev/v1alpha1\nkind: CompilerConfig\nmetadata: {name: c}\nspec: {identity: shared}\n"), wantErr: "keep one"},
		{name: "the functionConfig's own copy among the items is one config", items: []*kyaml.RNode{cfg, pack}, fc: cfg, wantFiles: []string{"p.yaml"}, wantKeep: 1, wantCfg: "per-run"},
		{name: "kpt configPath: same path and index is one config, kept in place", items: []*kyaml.RNode{kptCfg, kptPack}, fc: kptCfg, wantFiles: []string{"skills.yaml"}, wantPass: 2, wantKeep: 2, wantCfg: "per-run", inPlace: true},
		{name: "kpt: another file's config is a second config", items: []*kyaml.RNode{kptCfg, kptPack}, fc: node(strings.Replace(kptCfg.MustString(), "'skillc.yaml'", "'other.yaml'", 2)), wantErr: "keep one"},
		{name: "in place: an earlier run's output is replaced", items: []*kyaml.RNode{kptPack, kptGenerated}, wantFiles: []string{"skills.yaml"}, wantPass: 1, wantKeep: 1, inPlace: true},
		{name: "not in place: a generated-looking object passes through", items: []*kyaml.RNode{pack, node(strings.Replace(kptGenerated.MustString(), "config.kubernetes.io/path", "x", -1))}, wantFiles: []string{"p.yaml"}, wantPass: 1, wantKeep: 2},
		{name: "local-config CompilerConfig stays", items: []*kyaml.RNode{node("apiVersion: skillc.dev/v1alpha1\nkind: CompilerConfig\nmetadata: {name: c, annotations: {config.kubernetes.io/local-config: 'true'}}\n"), pack}, wantFiles: []string{"<CompilerConfig c>", "p.yaml"}, wantPass: 1, wantKeep: 2},
		{name: "functionConfig of another kind", fc: svc, wantErr: "got v1 Service"},
		{name: "functionConfig decoded strictly", fc: node("apiVersion: skillc.dev/v1alpha1\nkind: CompilerConfig\nmetadata: {name: c}\nspec: {nope: 1}\n"), wantErr: `unknown field "nope"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, diags := ReadKRM(tc.items, tc.fc, "")
			if tc.wantErr != "" {
				if !diags.HasErrors() || !strings.Contains(diags.Error(), tc.wantErr) {
					t.Fatalf("diagnostics %v, want an error with %q", diags, tc.wantErr)
				}
				return
			}
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			var names []string
			for _, f := range in.Files {
				names = append(names, f.Name)
				if strings.Contains(string(f.Data), "kubernetes.io/") {
					t.Errorf("kustomize annotations reach the compiler:\n%s", f.Data)
				}
				if f.Name == "p.yaml" && !strings.Contains(string(f.Data), "team: a") {
					t.Errorf("the user's annotation was dropped:\n%s", f.Data)
				}
			}
			if diff := cmp.Diff(tc.wantFiles, names); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
			if got := len(in.Passthrough(false)); got != tc.wantPass {
				t.Errorf("passthrough %d, want %d", got, tc.wantPass)
			}
			if got := len(in.Passthrough(true)); got != tc.wantKeep {
				t.Errorf("passthrough with keepSources %d, want %d", got, tc.wantKeep)
			}
			if in.InPlace != tc.inPlace {
				t.Errorf("in place %v, want %v", in.InPlace, tc.inPlace)
			}
			if tc.wantCfg != "" && (in.Config == nil || string(in.Config.Spec.Identity) != tc.wantCfg) {
				t.Errorf("config %+v", in.Config)
			}
			// The items themselves are untouched: kustomize needs its ids back.
			if tc.items != nil && !strings.Contains(pack.MustString(), "internal.config.kubernetes.io/id") {
				t.Error("ReadKRM changed an item")
			}
		})
	}
}

// FuzzResourceList: skillc fn's stdin parser. Whatever arrives is refused with located diagnostics
// or yields items that ReadKRM takes without failing otherwise.
func FuzzResourceList(f *testing.F) {
	head := "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n"
	f.Add([]byte(head + "items:\n- apiVersion: sympozium.ai/v1alpha1\n  kind: AgentRun\n  metadata: {name: r}\n  spec: {instanceRef: i, task: t}\nfunctionConfig: {apiVersion: skillc.dev/v1alpha1, kind: CompilerConfig, metadata: {name: c}}\n"))
	f.Add([]byte(head + "items: 5\n"))
	f.Add([]byte(head + "items: [&a {apiVersion: v1, kind: ConfigMap}, *a]\nresults: [{message: m}]\n"))
	f.Add([]byte(head + "items: [{apiVersion: v1, kind: ConfigMap, metadata: {name: !custom x}}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rl, diags := ReadResourceList(source.File{Name: "<stdin>", Data: data})
		testinput.CheckDiagnostics(t, diags)
		if diags.HasErrors() {
			if rl != nil {
				t.Fatal("a ResourceList with errors")
			}
			return
		}
		in, diags := ReadKRM(rl.Items, rl.FunctionConfig, "")
		testinput.CheckDiagnostics(t, diags)
		if !diags.HasErrors() {
			_, diags := source.Load(in.Files)
			testinput.CheckDiagnostics(t, diags)
		}
	})
}

// TestReadResourceList: the shape of a ResourceList is decoded strictly; its items are the objects
// as written, its functionConfig and results are kept for the reply.
func TestReadResourceList(t *testing.T) {
	rl, diags := ReadResourceList(source.File{Name: "<stdin>", Data: []byte("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nmetadata: {name: x}\n" +
		"items:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n- {apiVersion: v1, kind: Service, metadata: {name: b}}\n" +
		"functionConfig: {apiVersion: skillc.dev/v1alpha1, kind: CompilerConfig}\nresults: [{message: earlier}]\n")})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if len(rl.Items) != 2 || rl.Items[1].GetKind() != "Service" || rl.FunctionConfig.GetKind() != "CompilerConfig" || rl.Results == nil || rl.APIVersion != "config.kubernetes.io/v1" {
		t.Errorf("got %+v", rl)
	}
	rl, diags = ReadResourceList(source.File{Name: "<stdin>", Data: []byte("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: null\nfunctionConfig: null\n")})
	if diags.HasErrors() || len(rl.Items) != 0 || rl.FunctionConfig != nil {
		t.Errorf("null items and functionConfig: %v %+v", diags, rl)
	}
}

// TestKRMItem: a diagnostic names its object among several of one file by its line (each file's
// objects are the documents of one File), the functionConfig by its file name.
func TestKRMItem(t *testing.T) {
	pack := func(name string) *kyaml.RNode {
		return kyaml.MustParse("apiVersion: sympozium.ai/v1alpha1\nkind: SkillPack\nmetadata:\n  name: " + name + "\n  annotations:\n    config.kubernetes.io/origin: |\n      path: s.yaml\nspec:\n  skills: [{name: " + name + ", content: x}]\n")
	}
	fc := kyaml.MustParse("apiVersion: skillc.dev/v1alpha1\nkind: CompilerConfig\nmetadata:\n  name: platform\n  annotations:\n    config.kubernetes.io/origin: |\n      path: c.yaml\n")
	in, diags := ReadKRM([]*kyaml.RNode{pack("a"), pack("b"), pack("c")}, fc, "")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if len(in.Files) != 1 {
		t.Fatalf("%d files, want the three objects of s.yaml as one", len(in.Files))
	}
	// Where each object's document starts, as Load sees it.
	docs := strings.Split(string(in.Files[0].Data), "---\n")
	start := []int{1, 1 + strings.Count(docs[0], "\n") + 1}
	start = append(start, start[1]+strings.Count(docs[1], "\n")+1)
	for _, tc := range []struct {
		name string
		d    diag.Diagnostic
		want string // the object's name, "" for none
	}{
		{"first line of the second", diag.Diagnostic{File: "s.yaml", Line: start[1]}, "b"},
		{"last line of the first", diag.Diagnostic{File: "s.yaml", Line: start[1] - 1}, "a"},
		{"inside the third", diag.Diagnostic{File: "s.yaml", Line: start[2] + 3}, "c"},
		{"no line among three: unknown", diag.Diagnostic{File: "s.yaml"}, ""},
		{"the functionConfig", diag.Diagnostic{File: "c.yaml", Line: 2}, "platform"},
		{"another file", diag.Diagnostic{File: "x.yaml", Line: 1}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ""
			if n := in.Item(tc.d); n != nil {
				got = n.GetName()
			}
			if got != tc.want {
				t.Errorf("Item(%v) = %q, want %q", tc.d, got, tc.want)
			}
		})
	}
	// The decoder agrees: an unknown field in the second object is reported on its lines.
	bad := pack("b")
	if err := bad.PipeE(kyaml.SetField("nope", kyaml.NewScalarRNode("1"))); err != nil {
		t.Fatal(err)
	}
	in, _ = ReadKRM([]*kyaml.RNode{pack("a"), bad}, nil, "")
	_, diags = source.Load(in.Files)
	if len(diags) != 1 {
		t.Fatalf("diagnostics %v, want one", diags)
	}
	if n := in.Item(diags[0]); n == nil || n.GetName() != "b" {
		t.Errorf("the unknown field of b (%v) is located at %v", diags[0], n)
	}
}
