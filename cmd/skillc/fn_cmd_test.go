package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	sigsyaml "sigs.k8s.io/yaml"
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
			wantStderr: []string{"skills/notes.yaml: spec.sidecar.mountWorkspcae: unknown field", "nothing was written to stdout"},
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
			wantStderr: []string{"skills/notes.yaml: RBAC-04: spec.sidecar.rbac[0]", "skillc fn: the policy gate denied", "nothing was written to stdout"},
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
			if code != 0 && out != "" {
				t.Errorf("a failed fn wrote to stdout:\n%s", out)
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
