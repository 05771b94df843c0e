package edit

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	yaml2 "go.yaml.in/yaml/v2"
	yaml "go.yaml.in/yaml/v3"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/skillc-dev/skillc/source"
)

var instance = Target{Kinds: []string{"SympoziumInstance", "Agent"}, Namespace: "team", Name: "bot"}

func TestEnableLayouts(t *testing.T) {
	head := "apiVersion: sympozium.ai/v1alpha1\nkind: SympoziumInstance\nmetadata:\n  name: bot\n  namespace: team\n"
	for _, tc := range []struct {
		name, in, want string
		params         map[string]string
		back           string // what disable gives back, when not in
	}{
		{
			name: "indented list with comments",
			in:   head + "spec:\n  # toggles\n  skills:\n    - skillPackRef: a # first\n    # between\n    - skillPackRef: b\n      params: {x: \"1\"}\n  agents: {default: {model: m}}\n",
			want: head + "spec:\n  # toggles\n  skills:\n    - skillPackRef: a # first\n    # between\n    - skillPackRef: b\n      params: {x: \"1\"}\n    - skillPackRef: new\n  agents: {default: {model: m}}\n",
		},
		{
			name:   "list at the key's column",
			in:     head + "spec:\n  skills:\n  - skillPackRef: a\n  agents: {}\n",
			want:   head + "spec:\n  skills:\n  - skillPackRef: a\n  - skillPackRef: new\n    params:\n      slo: \"99.9\"\n  agents: {}\n",
			params: map[string]string{"slo": "99.9"},
		},
		{
			// No other list: block, Kubernetes' usual style. Disable cannot know the list was
			// [] and drops (or, alone in spec, nulls) the key, as for any last block item.
			name: "empty flow list",
			in:   head + "spec:\n  skills: []  # none yet\n",
			want: head + "spec:\n  skills:  # none yet\n    - skillPackRef: new\n",
			back: head + "spec:\n  skills:  # none yet\n",
		},
		{
			name: "empty flow list in a file of block lists",
			in:   head + "spec:\n  skills: []\n  agents:\n  - x\n",
			want: head + "spec:\n  skills:\n  - skillPackRef: new\n  agents:\n  - x\n",
			back: head + "spec:\n  agents:\n  - x\n",
		},
		{
			name: "empty flow list in a file of flow lists",
			in:   head + "spec:\n  skills: []  # none yet\n  agents: [x]\n",
			want: head + "spec:\n  skills: [{skillPackRef: new}]  # none yet\n  agents: [x]\n",
		},
		{
			name:   "flow list",
			in:     head + "spec:\n  skills: [{skillPackRef: a}, {skillPackRef: b, params: {k: \"}\"}}]\n",
			want:   head + "spec:\n  skills: [{skillPackRef: a}, {skillPackRef: b, params: {k: \"}\"}}, {skillPackRef: new, params: {k: \"true\"}}]\n",
			params: map[string]string{"k": "true"},
		},
		{
			name: "no skills key",
			in:   head + "spec:\n  # the model\n  agents:\n    default: {model: m}\n",
			want: head + "spec:\n  skills:\n    - skillPackRef: new\n  # the model\n  agents:\n    default: {model: m}\n",
		},
		{
			name: "CRLF and no final break",
			in:   strings.ReplaceAll(head+"spec:\n  skills:\n    - skillPackRef: a", "\n", "\r\n"),
			want: strings.ReplaceAll(head+"spec:\n  skills:\n    - skillPackRef: a\n    - skillPackRef: new", "\n", "\r\n"),
		},
		{
			name: "other documents untouched",
			in:   "kind: Other\nspec:\n  skills: [x]\n---\n" + head + "spec:\n  skills:\n    - skillPackRef: a\n---\nkind: Third\n",
			want: "kind: Other\nspec:\n  skills: [x]\n---\n" + head + "spec:\n  skills:\n    - skillPackRef: a\n    - skillPackRef: new\n---\nkind: Third\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := source.File{Name: "in.yaml", Data: []byte(tc.in)}
			res, err := Enable(f, instance, Toggle{Pack: "new", Params: tc.params})
			if err != nil {
				t.Fatal(err)
			}
			if string(res.Data) != tc.want || !res.Changed {
				t.Fatalf("enable:\n%s\nwant:\n%s", res.Data, tc.want)
			}
			again, err := Enable(source.File{Name: "in.yaml", Data: res.Data}, instance, Toggle{Pack: "skillpack-new"})
			if err != nil || again.Changed || string(again.Data) != tc.want {
				t.Fatalf("enabling again changed the file or failed: %v", err)
			}
			back, err := Disable(source.File{Name: "in.yaml", Data: res.Data}, instance, "new")
			if err != nil {
				t.Fatal(err)
			}
			wantBack := tc.in
			if tc.back != "" {
				wantBack = tc.back
			}
			if string(back.Data) != wantBack {
				t.Fatalf("disable after enable:\n%q\nwant:\n%q", back.Data, wantBack)
			}
		})
	}
}

func TestRefused(t *testing.T) {
	head := "kind: SympoziumInstance\nmetadata: {name: bot, namespace: team}\n"
	for _, tc := range []struct{ name, in, want string }{
		{"flow spec", head + "spec: {skills: []}\n", "spec is not a block mapping"},
		{"multi-line flow list", head + "spec:\n  skills: [\n    {skillPackRef: a}]\n", "spread over several lines"},
		{"scalar skills", head + "spec:\n  skills: ~\n", "written as"},
		{"not found", "kind: SympoziumInstance\nmetadata: {name: other}\nspec: {}\n", "no SympoziumInstance or Agent team/bot"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Enable(source.File{Name: "in.yaml", Data: []byte(tc.in)}, instance, Toggle{Pack: "new"})
			var re *RefusedError
			if !errors.As(err, &re) || !strings.Contains(re.Msg, tc.want) {
				t.Fatalf("got %v, want a refusal containing %q", err, tc.want)
			}
		})
	}
}

// TestEnableDisableFixtures: on every instance and run of every fixture, enable then disable gives
// the file back byte for byte, and disable then enable of an existing last toggle does too.
func TestEnableDisableFixtures(t *testing.T) {
	n := 0
	err := filepath.WalkDir("../../fixtures", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f := source.File{Name: path, Data: data}
		var targets []Target
		if diags := source.NewReader().Documents(f, func(root *yaml.Node) bool {
			_, kind := get(root, "kind")
			_, meta := get(root, "metadata")
			_, name := get(meta, "name")
			_, ns := get(meta, "namespace")
			if kind != nil && name != nil && (kind.Value == "SympoziumInstance" || kind.Value == "Agent" || kind.Value == "AgentRun") {
				tg := Target{Kinds: []string{kind.Value}, Name: name.Value}
				if ns != nil {
					tg.Namespace = ns.Value
				}
				targets = append(targets, tg)
			}
			return true
		}); diags.HasErrors() {
			return nil // an invalid fixture: nothing to edit
		}
		for _, tg := range targets {
			res, err := Enable(f, tg, Toggle{Pack: "zz-probe-pack", Params: map[string]string{"mode": "read only", "n": "3"}})
			var re *RefusedError
			if errors.As(err, &re) {
				t.Logf("%s: %s/%s: refused: %s", path, tg.Namespace, tg.Name, re.Msg)
				continue
			}
			if err != nil {
				t.Errorf("%s: %s/%s: %v", path, tg.Namespace, tg.Name, err)
				continue
			}
			back, err := Disable(source.File{Name: path, Data: res.Data}, tg, "zz-probe-pack")
			if err != nil {
				t.Errorf("%s: %s/%s: disable: %v", path, tg.Namespace, tg.Name, err)
				continue
			}
			if res.blockFromFlow {
				if !sameButEmptySkills(t, tg, data, back.Data) {
					t.Errorf("%s: %s/%s: enable then disable of skills: [] is not the same document:\n%s", path, tg.Namespace, tg.Name, back.Data)
				}
			} else if string(back.Data) != string(data) {
				t.Errorf("%s: %s/%s: enable then disable is not byte-identical:\n%s", path, tg.Namespace, tg.Name, back.Data)
			}
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 20 {
		t.Fatalf("only %d documents round-tripped: the walk found too few fixtures", n)
	}
	t.Logf("%d instance and run documents round-tripped", n)
}

func TestDisableLastWithComment(t *testing.T) {
	head := "kind: SympoziumInstance\nmetadata: {name: bot, namespace: team}\n"
	in := head + "spec:\n  skills:  # toggles\n    # the only one\n    - skillPackRef: a\n  agents: {}\n"
	want := head + "spec:\n  skills: []  # toggles\n    # the only one\n  agents: {}\n"
	res, err := Disable(source.File{Name: "in.yaml", Data: []byte(in)}, instance, "a")
	if err != nil || string(res.Data) != want {
		t.Fatalf("got %q, %v\nwant %q", res.Data, err, want)
	}
}

// FuzzEnableDisable: on any input, Enable and Disable never panic, and whenever Enable edits a
// file, Disable of the same toggle gives the original back byte for byte.
func FuzzEnableDisable(f *testing.F) {
	head := "kind: SympoziumInstance\nmetadata: {name: bot, namespace: team}\n"
	for _, s := range []string{
		head + "spec:\n  skills:\n    - skillPackRef: a\n",
		head + "spec:\n  skills: []\n",
		head + "spec:\n  skills: [{skillPackRef: a}, {skillPackRef: b}]  # c\n",
		head + "spec:\n  # x\n  agents: {}\n",
		head + "spec:\n  skills:\n  - skillPackRef: a\n    params:\n      k: |\n        multi\n\n        line\n  agents: {}\n",
		strings.ReplaceAll(head+"spec:\n  skills:\n    - skillPackRef: a\n", "\n", "\r\n"),
	} {
		f.Add([]byte(s), "new")
	}
	f.Fuzz(func(t *testing.T, data []byte, pack string) {
		if pack == "" || len(pack) > 64 {
			return
		}
		in := source.File{Name: "in.yaml", Data: data}
		res, err := Enable(in, instance, Toggle{Pack: pack, Params: map[string]string{"k": pack}})
		if err != nil || !res.Changed {
			return
		}
		back, err := Disable(source.File{Name: "in.yaml", Data: res.Data}, instance, pack)
		if err != nil {
			t.Fatalf("disable after enable: %v\n%q", err, res.Data)
		}
		if res.blockFromFlow {
			// skills: [] became a block list: disable gives back the same document with the key
			// dropped or null, which reads as the same empty list.
			if !sameButEmptySkills(t, instance, data, back.Data) {
				t.Fatalf("not restored:\n%q\nenabled:\n%q\nback:\n%q", data, res.Data, back.Data)
			}
			return
		}
		if string(back.Data) != string(data) {
			t.Fatalf("not restored:\n%q\nenabled:\n%q\nback:\n%q", data, res.Data, back.Data)
		}
	})
}

func TestDisableMiddleKeepsComments(t *testing.T) {
	head := "kind: SympoziumInstance\nmetadata: {name: bot, namespace: team}\n"
	in := head + "spec:\n  skills:\n    - skillPackRef: a\n    # about b\n    - skillPackRef: skillpack-b\n      params:\n        k: |\n          x\n\n          y\n    # about c\n    - skillPackRef: c\n"
	want := head + "spec:\n  skills:\n    - skillPackRef: a\n    # about b\n    # about c\n    - skillPackRef: c\n"
	res, err := Disable(source.File{Name: "in.yaml", Data: []byte(in)}, instance, "b")
	if err != nil || string(res.Data) != want || res.Field != "spec.skills[1]" {
		t.Fatalf("got %q (%s), %v\nwant %q", res.Data, res.Field, err, want)
	}
	flow := head + "spec:\n  skills: [{skillPackRef: a}, {skillPackRef: b}, {skillPackRef: c}]\n"
	for pack, want := range map[string]string{
		"a": head + "spec:\n  skills: [{skillPackRef: b}, {skillPackRef: c}]\n",
		"b": head + "spec:\n  skills: [{skillPackRef: a}, {skillPackRef: c}]\n",
		"c": head + "spec:\n  skills: [{skillPackRef: a}, {skillPackRef: b}]\n",
	} {
		res, err := Disable(source.File{Name: "in.yaml", Data: []byte(flow)}, instance, pack)
		if err != nil || string(res.Data) != want {
			t.Errorf("disable %s: got %q, %v", pack, res.Data, err)
		}
	}
}

// sameButEmptySkills: a and b parse to the same documents once the target's empty spec.skills
// (an empty list, null or absent) is dropped from both.
func sameButEmptySkills(t *testing.T, tg Target, a, b []byte) bool {
	t.Helper()
	norm := func(data []byte) []any {
		docs, err := parse(source.File{Name: "in.yaml", Data: data})
		if err != nil {
			t.Fatal(err)
		}
		var out []any
		for _, d := range docs {
			if tg.matches(d.root) {
				if spec, ok := d.value.(map[string]any)["spec"].(map[string]any); ok {
					if s, _ := spec["skills"].([]any); len(s) == 0 {
						delete(spec, "skills")
					}
				}
			}
			out = append(out, d.value)
		}
		return out
	}
	return reflect.DeepEqual(norm(a), norm(b))
}

// TestEnableQuotesYAML11: a pack, param key or value that YAML 1.1 reads as a boolean, null, a
// number or a date is written quoted, so that sigs.k8s.io/yaml (kubectl) and go-yaml v2, which
// read YAML 1.1, read the string that was given, as yaml.v3 does.
func TestEnableQuotesYAML11(t *testing.T) {
	head := "kind: SympoziumInstance\nmetadata: {name: bot, namespace: team}\nspec:\n  skills:\n    - skillPackRef: a\n"
	specials := []string{"on", "off", "yes", "no", "y", "n", "Y", "N", "On", "OFF", "True", "false", "~", "null", "Null",
		"0o17", "0x1f", "017", "1_000", "1:20", "1:20.5", "190:20:30", "0b101", "1.5", ".5", "1e3", "-1", "+1", ".inf", "-.Inf", ".NaN",
		"2001-12-14", "<<", "="}
	for _, v := range specials {
		t.Run(v, func(t *testing.T) {
			res, err := Enable(source.File{Name: "in.yaml", Data: []byte(head)}, instance, Toggle{Pack: v, Params: map[string]string{v: v}})
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Spec struct {
					Skills []struct {
						SkillPackRef any            `json:"skillPackRef" yaml:"skillPackRef"`
						Params       map[string]any `json:"params" yaml:"params"`
					} `json:"skills" yaml:"skills"`
				} `json:"spec" yaml:"spec"`
			}
			for name, read := range map[string]func([]byte, any) error{"sigs.k8s.io/yaml": func(b []byte, v any) error { return sigsyaml.Unmarshal(b, v) }, "go-yaml v2": yaml2.Unmarshal, "yaml.v3": yaml.Unmarshal} {
				doc.Spec.Skills = nil
				if err := read(res.Data, &doc); err != nil {
					t.Fatalf("%s: %v\n%s", name, err, res.Data)
				}
				if len(doc.Spec.Skills) != 2 || doc.Spec.Skills[1].SkillPackRef != v || doc.Spec.Skills[1].Params[v] != v {
					t.Errorf("%s reads %+v, want the string %q as pack, key and value:\n%s", name, doc.Spec.Skills, v, res.Data)
				}
			}
		})
	}
	// Plain where every reader agrees: the file keeps its style.
	res, err := Enable(source.File{Name: "in.yaml", Data: []byte(head)}, instance, Toggle{Pack: "cluster-triage", Params: map[string]string{"mode": "read-only"}})
	if err != nil || !strings.HasSuffix(string(res.Data), "- skillPackRef: cluster-triage\n      params:\n        mode: read-only\n") {
		t.Errorf("got %q, %v", res.Data, err)
	}
}
