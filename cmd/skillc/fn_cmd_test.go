package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/skillc-dev/skillc/internal/memtest"
	"github.com/skillc-dev/skillc/source"
)

// resourceList wraps items (YAML documents, indented as list entries) and a functionConfig.
func resourceList(fc string, items ...string) string {
	var b strings.Builder
	b.WriteString("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n")
	for _, it := range items {
		b.WriteString(indentItem(it))
	}
	if fc != "" {
		b.WriteString("functionConfig:\n")
		for l := range strings.Lines(fc) {
			b.WriteString("  " + l)
		}
	}
	return b.String()
}

func indentItem(doc string) string {
	var b strings.Builder
	first := true
	for l := range strings.Lines(doc) {
		if first {
			b.WriteString("- " + l)
			first = false
		} else {
			b.WriteString("  " + l)
		}
	}
	return b.String()
}

const fnPack = `apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata:
  name: notes
  namespace: sympozium-system
  annotations:
    config.kubernetes.io/origin: |
      path: skills/notes.yaml
    config.kubernetes.io/index: '0'
    internal.config.kubernetes.io/id: '1'
spec:
  skills:
    - name: take-notes
      description: Keep meeting notes
      content: "# Notes"
`

const fnRun = `apiVersion: sympozium.ai/v1alpha1
kind: SympoziumInstance
metadata:
  name: heidi
  namespace: heidi
  annotations:
    config.kubernetes.io/origin: |
      path: tenants/heidi.yaml
spec:
  skills:
    - skillPackRef: notes
`

const fnAgentRun = `apiVersion: sympozium.ai/v1alpha1
kind: AgentRun
metadata:
  name: standup
  namespace: heidi
spec:
  instanceRef: heidi
  task: Summarise the standup.
`

const fnService = `apiVersion: v1
kind: Service
metadata:
  name: web
  annotations:
    config.kubernetes.io/origin: |
      path: web.yaml
spec:
  ports:
    - port: 80
`

const fnConfig = `apiVersion: skillc.dev/v1alpha1
kind: CompilerConfig
metadata:
  name: platform
  annotations:
    config.kubernetes.io/origin: |
      path: skillc.yaml
    config.kubernetes.io/local-config: "true"
spec:
  identity: per-run
`

func TestFn(t *testing.T) {
	// What compile gives for the same sources and config, for comparison.
	dir := t.TempDir()
	writeFile(t, dir+"/in.yaml", fnPack+"---\n"+fnRun+"---\n"+fnAgentRun)
	writeFile(t, dir+"/config.yaml", fnConfig)
	compiled, _, code := execute(t, "compile", "--config", dir+"/config.yaml", dir+"/in.yaml")
	if code != 0 {
		t.Fatal("compile failed")
	}
	bad := strings.Replace(fnPack, "  skills:", "  sidecar: {image: a:1, mountWorkspcae: true}\n  skills:", 1)
	denied := strings.Replace(fnPack, "  skills:", "  sidecar:\n    image: a:1\n    rbac: [{apiGroups: [\"\"], resources: [secrets], verbs: [list]}]\n  skills:", 1)
	for _, tc := range []struct {
		name       string
		stdin      string
		args       []string
		wantCode   int
		wantOut    []string // substrings of stdout
		notOut     []string
		wantStderr []string
		notStderr  []string
	}{
		{
			name:     "compiles sources, passes others through",
			stdin:    resourceList(fnConfig, fnService, fnPack, fnRun, fnAgentRun),
			wantOut:  []string{"kind: ResourceList", "kind: Service", "name: sympozium-run-", "kind: ConfigMap"},
			notOut:   []string{"kind: SkillPack", "kind: SympoziumInstance"},
			wantCode: 0,
		},
		{
			name:    "keepSources",
			stdin:   resourceList(strings.Replace(fnConfig, "identity: per-run", "keepSources: true", 1), fnPack, fnRun, fnAgentRun),
			wantOut: []string{"kind: SkillPack", "kind: SympoziumInstance", "kind: ConfigMap"},
		},
		{
			name:    "no functionConfig: defaults",
			stdin:   resourceList("", fnPack, fnRun, fnAgentRun),
			wantOut: []string{"name: sympozium-agent"},
		},
		{
			name:       "bad source: origin file, no line, nothing on stdout",
			stdin:      resourceList(fnConfig, bad, fnRun, fnAgentRun),
			wantCode:   2,
			wantStderr: []string{"skills/notes.yaml: spec.sidecar.mountWorkspcae: unknown field", "no objects were written to stdout"},
		},
		{
			name:       "unknown field in the functionConfig",
			stdin:      resourceList(strings.Replace(fnConfig, "identity: per-run", "identiti: per-run", 1), fnPack),
			wantCode:   2,
			wantStderr: []string{"skillc.yaml: spec.identiti: unknown field"},
		},
		{
			name:       "functionConfig of another kind",
			stdin:      resourceList("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", fnPack),
			wantCode:   2,
			wantStderr: []string{"functionConfig must be a skillc.dev/v1alpha1 CompilerConfig, got v1 ConfigMap"},
		},
		{
			name:       "a CompilerConfig among the items too",
			stdin:      resourceList(fnConfig, fnPack, strings.Replace(fnConfig, "skillc.yaml", "other.yaml", 1)),
			wantCode:   2,
			wantStderr: []string{"other.yaml: CompilerConfig platform is among the resources and skillc.yaml is the function's config: keep one"},
		},
		{
			name:       "denied: exit 1, findings on stderr",
			stdin:      resourceList(fnConfig, denied, fnRun, fnAgentRun),
			wantCode:   1,
			wantStderr: []string{"skills/notes.yaml: RBAC-04: spec.sidecar.rbac[0]", "skillc fn: the policy gate denied", "no objects were written to stdout"},
		},
		{
			name:       "not a ResourceList",
			stdin:      fnPack,
			wantCode:   2,
			wantStderr: []string{"expected a config.kubernetes.io/v1 ResourceList"},
		},
		{
			name:       "args are not files",
			stdin:      resourceList(fnConfig, fnPack),
			args:       []string{"fixtures/default"},
			wantCode:   2,
			wantStderr: []string{`unknown command "fixtures/default" for "skillc fn"`},
		},
		{
			name:       "bad YAML",
			stdin:      "items: [",
			wantCode:   2,
			wantStderr: []string{"skillc fn:"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, code := executeStdin(t, tc.stdin, append([]string{"fn"}, tc.args...)...)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.wantCode, stderr)
			}
			if code != 0 && code != 2 || code == 2 && len(tc.args) == 0 {
				// A failure is a ResourceList without items, its results the findings.
				if rs := failureResults(t, out); len(rs) == 0 {
					t.Errorf("a failed fn wrote no results:\n%s", out)
				}
			}
			for _, s := range tc.wantOut {
				if !strings.Contains(out, s) {
					t.Errorf("stdout lacks %q:\n%s", s, out)
				}
			}
			for _, s := range tc.notOut {
				if strings.Contains(out, s) {
					t.Errorf("stdout has %q:\n%s", s, out)
				}
			}
			for _, s := range tc.wantStderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr)
				}
			}
			// A line inside kustomize's copy of an object is not a line of the user's file.
			if m := regexp.MustCompile(`\.yaml:\d`).FindString(stderr); m != "" {
				t.Errorf("a line number in:\n%s", stderr)
			}
		})
	}

	t.Run("emits exactly compile's objects", func(t *testing.T) {
		out, stderr, code := executeStdin(t, resourceList(fnConfig, fnService, fnPack, fnRun, fnAgentRun), "fn")
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
		// itemsOf also fails on any annotation (kustomize's, kyaml's) on an emitted object.
		got := objectsByID(t, itemsOf(t, out))
		want := objectsByID(t, compiled)
		delete(got, "Service/<nil>/web")
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-compile +fn):\n%s", diff)
		}
	})
}

// itemsOf turns a ResourceList's items back into a YAML stream, without the annotations kyaml
// keeps on passed-through objects.
func itemsOf(t *testing.T, rl string) string {
	t.Helper()
	var m struct {
		Items []map[string]any `json:"items"`
	}
	if err := sigsyaml.Unmarshal([]byte(rl), &m); err != nil {
		t.Fatal(err)
	}
	var docs []string
	for _, it := range m.Items {
		if md, ok := it["metadata"].(map[string]any); ok && it["kind"] != "Service" {
			if _, has := md["annotations"]; has {
				t.Errorf("emitted %v %v carries annotations %v", it["kind"], md["name"], md["annotations"])
			}
		}
		y, err := sigsyaml.Marshal(it)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, string(y))
	}
	return strings.Join(docs, "---\n")
}

// TestFnInputLimitsMemory: stdin is held to the limits of an input file and a malformed ResourceList is
// bad input (issue 11: a 40 MB ResourceList was accepted, 1.5 M elements took 2.2 GB, and
// `items: 5` compiled to an empty list with exit 0). Each refusal allocates a small multiple of
// the input, measured in bytes.
func TestFnInputLimitsMemory(t *testing.T) {
	memtest.Bounded(t)
	head := "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n"
	for _, tc := range []struct {
		name, stdin, want string
	}{
		{"40 MB", resourceList("", fnPack) + "# " + strings.Repeat("x", 40<<20) + "\n", "<stdin>: file is larger than 32 MiB"},
		{"1.5 M elements", head + "items:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: x}\n  data: {a: [" + strings.Repeat("1,", 1500000) + "1]}\n",
			"<stdin>:1: document has more than 250000 YAML elements"},
		{"items: 5", head + "items: 5\n", "<stdin>:3: items: expected a list, got number 5"},
		{"an item that is not an object", head + "items: [5]\n", "<stdin>:3: items[0]: expected a Kubernetes object (a mapping with apiVersion and kind), got number 5"},
		{"functionConfig not a mapping", head + "items: []\nfunctionConfig: [a]\n", "<stdin>:4: functionConfig: expected a CompilerConfig (a mapping), got a list"},
		{"unknown field", head + "items: []\nitem: []\n", `<stdin>:4: item: unknown field "item" (did you mean "items"?)`},
		{"two documents", resourceList("", fnPack) + "---\n" + resourceList("", fnPack), "<stdin>: expected a config.kubernetes.io/v1 ResourceList"},
		{"empty", "", "<stdin>: expected a config.kubernetes.io/v1 ResourceList"},
		{"too many items", head + "items:\n" + strings.Repeat("- {}\n", source.MaxDocumentsPerFile+1), "<stdin>:3: items: more than 10000 items in the ResourceList: refused"},
		{"bad YAML: its line", head + "items: [\n", "<stdin>:3: invalid YAML: did not find expected node content"},
		{"a tag in an item", resourceList("", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: !custom x}\n"), `<stdin>:6: YAML tag "!custom" is not supported`},
		{"a NUL byte", head + "items: []\n\x00", "<stdin>:4: control character U+0000 is not allowed in YAML"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, stderr string
			var code int
			n := memtest.Allocated(func() { out, stderr, code = executeStdin(t, tc.stdin, "fn") })
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			// Only the refusal comes back, as a result: nothing of stdin is echoed.
			rs := failureResults(t, out)
			if len(rs) != 1 || rs[0].Severity != "error" || !strings.Contains(rs[0].Message, tc.want) {
				t.Errorf("results %+v, want one error with %q", rs, tc.want)
			}
			if strings.Contains(out, "xxxxxxxx") || strings.Contains(out, "take-notes") || strings.Contains(out, "1,1,1") {
				t.Errorf("stdin echoed in:\n%.300s", out)
			}
			if !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, "no objects were written to stdout") {
				t.Errorf("stderr %q, want %q", firstLine(stderr), tc.want)
			}
			if limit := uint64(2*len(tc.stdin)) + 16<<20; n > limit {
				t.Errorf("allocated %d MiB, over %d MiB", n>>20, limit>>20)
			}
			t.Logf("%d KiB allocated for %d KiB of stdin", n>>10, len(tc.stdin)>>10)
		})
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// fnResult is a KRM function result as kpt reads it (kyaml fn/framework.Result's field names).
type fnResult struct {
	Message     string `json:"message"`
	Severity    string `json:"severity"`
	ResourceRef *struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Name       string `json:"name"`
		Namespace  string `json:"namespace"`
	} `json:"resourceRef"`
	Field *struct {
		Path string `json:"path"`
	} `json:"field"`
	File *struct {
		Path  string `json:"path"`
		Index int    `json:"index"`
	} `json:"file"`
	Tags map[string]string `json:"tags"`
}

// failureResults checks that out is a ResourceList without items and returns its results.
func failureResults(t *testing.T, out string) []fnResult {
	t.Helper()
	var rl struct {
		APIVersion string           `json:"apiVersion"`
		Kind       string           `json:"kind"`
		Items      []map[string]any `json:"items"`
		Results    []fnResult       `json:"results"`
	}
	if err := sigsyaml.Unmarshal([]byte(out), &rl); err != nil {
		t.Fatalf("stdout is not a ResourceList: %v\n%s", err, out)
	}
	if rl.Kind != "ResourceList" || rl.APIVersion != "config.kubernetes.io/v1" {
		t.Errorf("stdout is a %s %s", rl.APIVersion, rl.Kind)
	}
	if len(rl.Items) > 0 {
		t.Errorf("a failed fn wrote %d items", len(rl.Items))
	}
	return rl.Results
}

// TestFnResults: the KRM results contract (kyaml fn/framework.Result, the KRM functions spec): on a
// denial and on bad input fn still writes a ResourceList, without items, whose results name the
// source object (resourceRef), its field, its file and index in that file, and the rule; warnings
// carry the same. Exit codes stay 1 and 2.
func TestFnResults(t *testing.T) {
	// Two packs in one file, as kpt sends them (path and index): the finding must name the second,
	// from its line in the file.
	kpt := strings.Replace(fnPack, "    config.kubernetes.io/index: '0'", "    config.kubernetes.io/path: 'skills/notes.yaml'\n    config.kubernetes.io/index: '0'", 1)
	clean := strings.Replace(kpt, "  name: notes", "  name: clean", 1)
	clean = strings.Replace(clean, "name: take-notes", "name: tidy", 1)
	denied := strings.Replace(kpt, "config.kubernetes.io/index: '0'", "config.kubernetes.io/index: '1'", 1)
	denied = strings.Replace(denied, "  skills:", "  sidecar:\n    image: a:1\n    rbac: [{apiGroups: [\"\"], resources: [secrets], verbs: [list]}]\n  skills:", 1)
	bad := strings.Replace(fnPack, "  skills:", "  sidecar: {image: a:1, mountWorkspcae: true}\n  skills:", 1)
	floating := strings.Replace(fnPack, "  skills:", "  sidecar:\n    image: a:latest\n  skills:", 1)
	notes := "sympozium.ai/v1alpha1 SkillPack sympozium-system/notes"
	for _, tc := range []struct {
		name     string
		stdin    string
		wantCode int
		want     string // the result of interest, as ref|field|file|index|severity|rule|message prefix
	}{
		{
			name:     "denied",
			stdin:    resourceList(fnConfig, clean, denied, fnRun, fnAgentRun),
			wantCode: 1,
			want:     notes + "|spec.sidecar.rbac[0].verbs|skills/notes.yaml|1|error|RBAC-04|RBAC-04: ",
		},
		{
			name:     "bad input in a source",
			stdin:    resourceList(fnConfig, bad, fnRun, fnAgentRun),
			wantCode: 2,
			want:     notes + "|spec.sidecar.mountWorkspcae|skills/notes.yaml|0|error||unknown field",
		},
		{
			name:     "bad input in the functionConfig",
			stdin:    resourceList(strings.Replace(fnConfig, "identity: per-run", "identiti: per-run", 1), fnPack),
			wantCode: 2,
			want:     "skillc.dev/v1alpha1 CompilerConfig platform|spec.identiti|skillc.yaml|0|error||unknown field",
		},
		{
			name:     "kustomize's index is its list position, not the file's: omitted",
			stdin:    resourceList(fnConfig, fnService, strings.Replace(denied, "    config.kubernetes.io/path: 'skills/notes.yaml'\n", "", 1), fnRun, fnAgentRun),
			wantCode: 1,
			want:     notes + "|spec.sidecar.rbac[0].verbs|skills/notes.yaml|0|error|RBAC-04|RBAC-04: ",
		},
		{
			name:     "a warning",
			stdin:    resourceList(fnConfig, floating, fnRun, fnAgentRun),
			wantCode: 0,
			want:     notes + "|spec.sidecar.image|skills/notes.yaml|0|warning|IMG-01|IMG-01: ",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, code := executeStdin(t, tc.stdin, "fn")
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d\n%s", code, tc.wantCode, stderr)
			}
			var rs []fnResult
			if code != 0 {
				rs = failureResults(t, out)
			} else {
				var rl struct {
					Results []fnResult `json:"results"`
				}
				if err := sigsyaml.Unmarshal([]byte(out), &rl); err != nil {
					t.Fatal(err)
				}
				rs = rl.Results
			}
			var got []string
			for _, r := range rs {
				var ref, field, file, index string
				if r.ResourceRef != nil {
					ref = strings.TrimSpace(r.ResourceRef.APIVersion + " " + r.ResourceRef.Kind + " " + strings.TrimPrefix(r.ResourceRef.Namespace+"/"+r.ResourceRef.Name, "/"))
				}
				if r.Field != nil {
					field = r.Field.Path
				}
				if r.File != nil {
					file, index = r.File.Path, fmt.Sprint(r.File.Index)
				}
				got = append(got, strings.Join([]string{ref, field, file, index, r.Severity, r.Tags["rule"], r.Message}, "|"))
			}
			found := false
			for _, g := range got {
				found = found || strings.HasPrefix(g, tc.want)
			}
			if !found {
				t.Errorf("no result %q among:\n%s", tc.want, strings.Join(got, "\n"))
			}
		})
	}
}

// TestFnPolicyPaths: a container function has no arguments, so spec.policy.paths of the
// functionConfig names the extra policy folders. Like --policy, which comes from the untrusted
// kustomization too, they are confined to the function's folder (the kustomization or package):
// no absolute path, no `..`, no symlink.
func TestFnPolicyPaths(t *testing.T) {
	team := "package team\n\nimport rego.v1\n\ndeny_missing_team contains msg if {\n\tinput.kind == \"Job\"\n\tnot input.metadata.labels.team\n\tmsg := sprintf(\"Job %s has no team label\", [input.metadata.name])\n}\n"
	outside := t.TempDir()
	writeFile(t, filepath.Join(outside, "team.rego"), team)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "policies", "team.rego"), team)
	if err := os.Symlink(outside, filepath.Join(dir, "linked")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	withPaths := func(paths string) string {
		return strings.Replace(fnConfig, "  identity: per-run", "  identity: per-run\n  policy:\n    paths: "+paths, 1)
	}
	for _, tc := range []struct {
		name       string
		fc         string
		args       []string
		wantCode   int
		wantResult string // ref|field|message substring
	}{
		{name: "a folder of the package", fc: withPaths("[policies]"), wantCode: 1, wantResult: "AgentRun|metadata.name|Job standup has no team label"},
		{name: "--policy, relative", fc: fnConfig, args: []string{"--policy", "policies"}, wantCode: 1, wantResult: "AgentRun|metadata.name|Job standup has no team label"},
		{name: "absolute", fc: withPaths("[/]"), wantCode: 2, wantResult: "CompilerConfig|spec.policy.paths[0]|/: an absolute path is refused"},
		{name: "dot-dot", fc: withPaths("[policies/../../x]"), wantCode: 2, wantResult: "CompilerConfig|spec.policy.paths[0]|`..` is refused"},
		{name: "a symlink out", fc: withPaths("[linked]"), wantCode: 2, wantResult: "CompilerConfig|spec.policy.paths[0]|linked is a symlink: not followed"},
		{name: "--policy /", fc: fnConfig, args: []string{"--policy", "/"}, wantCode: 2, wantResult: "|--policy|/: an absolute path is refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, code := executeStdin(t, resourceList(tc.fc, fnPack, fnRun, fnAgentRun), append([]string{"fn"}, tc.args...)...)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d\n%s", code, tc.wantCode, stderr)
			}
			want := strings.SplitN(tc.wantResult, "|", 3)
			found := false
			for _, r := range failureResults(t, out) {
				kind, field := "", ""
				if r.ResourceRef != nil {
					kind = r.ResourceRef.Kind
				}
				if r.Field != nil {
					field = r.Field.Path
				}
				found = found || kind == want[0] && field == want[1] && strings.Contains(r.Message, want[2])
			}
			if !found {
				t.Errorf("no result %q in:\n%s\nstderr:\n%s", tc.wantResult, out, stderr)
			}
		})
	}
}
