package edit

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/skillc-dev/skillc/source"
)

var instance = Target{Kinds: []string{"SympoziumInstance", "Agent"}, Namespace: "team", Name: "bot"}

func TestEnableLayouts(t *testing.T) {
	head := "apiVersion: sympozium.ai/v1alpha1\nkind: SympoziumInstance\nmetadata:\n  name: bot\n  namespace: team\n"
	for _, tc := range []struct {
		name, in, want string
		params         map[string]string
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
			name: "empty flow list",
			in:   head + "spec:\n  skills: []  # none yet\n",
			want: head + "spec:\n  skills: [{skillPackRef: new}]  # none yet\n",
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
			if string(back.Data) != tc.in {
				t.Fatalf("disable after enable:\n%q\nwant:\n%q", back.Data, tc.in)
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
			if string(back.Data) != string(data) {
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
