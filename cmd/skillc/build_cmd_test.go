package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	sigsyaml "sigs.k8s.io/yaml"
)

// copyFixture copies a fixture's YAML files (and the extra paths of its args file) into a temp
// kustomization that lists them all, the CompilerConfig included. It returns the folder and the
// fixture's flags and files' contents, or "" when the fixture holds SKILL.md packages.
func copyFixture(t *testing.T, fixture string) (string, []string, []string) {
	t.Helper()
	args := caseArgs(t, fixture)[1:]
	var paths, flags, inputs []string
	for i := 0; i < len(args); i++ {
		switch {
		case !strings.HasPrefix(args[i], "-"):
			paths = append(paths, args[i])
		case strings.Contains(args[i], "="):
			flags = append(flags, args[i])
		default:
			flags = append(flags, args[i], args[i+1])
			i++
		}
	}
	files, ok := fixtureYAML(t, paths)
	if !ok {
		return "", nil, nil
	}
	dir := t.TempDir()
	kust := "resources:\n"
	for _, f := range files {
		writeFile(t, filepath.Join(dir, filepath.FromSlash(f.path)), f.data)
		kust += "  - " + f.path + "\n"
		inputs = append(inputs, f.data)
	}
	writeFile(t, filepath.Join(dir, "kustomization.yaml"), kust)
	return dir, flags, inputs
}

// TestBuildFixtures: a kustomization of a fixture's files builds to the fixture's other objects
// (kustomize's rendering), then exactly the bytes `skillc compile` prints for the fixture.
func TestBuildFixtures(t *testing.T) {
	for _, name := range fixtureCases(t, "fixtures") {
		t.Run(name, func(t *testing.T) {
			fixture := filepath.Join("fixtures", name)
			dir, flags, inputs := copyFixture(t, fixture)
			if dir == "" {
				t.Skip("SKILL.md packages are not kustomize resources")
			}
			want, stderr, code := execute(t, caseArgs(t, fixture)...)
			if code != 0 {
				t.Fatalf("compile: exit %d\n%s", code, stderr)
			}
			got, stderr, code := execute(t, append(append([]string{"build"}, flags...), dir)...)
			if code != 0 {
				t.Fatalf("build: exit %d\n%s", code, stderr)
			}
			others := passedThrough(t, inputs)
			if len(others) == 0 {
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("skillc build differs from skillc compile (-want +got):\n%s", diff)
				}
				return
			}
			if !strings.HasSuffix(got, "---\n"+want) {
				t.Fatalf("skillc build does not end with skillc compile's output:\n%s", got)
			}
			if diff := cmp.Diff(others, objectsByID(t, strings.TrimSuffix(got, want))); diff != "" {
				t.Errorf("passed-through objects (-want +got):\n%s", diff)
			}
		})
	}
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: team-a
  annotations:
    team: a
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      serviceAccountName: web
      securityContext: {runAsNonRoot: true, runAsUser: 101, seccompProfile: {type: RuntimeDefault}}
      containers:
        - name: web
          image: nginx:1.27
          securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
`

// TestBuild checks the CMP contract: other objects pass through as kustomize prints them, and
// every failure leaves stdout empty and says so.
func TestBuild(t *testing.T) {
	sources := "fixtures/seed-minimal/input.yaml"
	src, err := os.ReadFile(sources)
	if err != nil {
		t.Fatal(err)
	}
	compiled, _, code := execute(t, "compile", sources)
	if code != 0 {
		t.Fatal("compile failed")
	}
	for _, tc := range []struct {
		name       string
		files      map[string]string
		args       []string // before DIR
		noDir      bool
		wantCode   int
		wantOut    func(t *testing.T, out string)
		wantStderr []string
	}{
		{
			name: "passthrough then compiled",
			files: map[string]string{
				"kustomization.yaml": "resources: [web.yaml, input.yaml]\n",
				"web.yaml":           deployment, "input.yaml": string(src),
			},
			wantOut: func(t *testing.T, out string) {
				// kustomize build's bytes for the Deployment (JSON → sigs.k8s.io/yaml), no origin
				// annotation (turned on for messages only), then compile's bytes.
				var m map[string]any
				if err := sigsyaml.Unmarshal([]byte(deployment), &m); err != nil {
					t.Fatal(err)
				}
				web, _ := sigsyaml.Marshal(m)
				if diff := cmp.Diff(string(web)+"---\n"+compiled, out); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "origin kept when the kustomization asks",
			files: map[string]string{
				"kustomization.yaml": "resources: [web.yaml]\nbuildMetadata: [originAnnotations]\n",
				"web.yaml":           deployment,
			},
			wantOut: func(t *testing.T, out string) {
				if !strings.Contains(out, "config.kubernetes.io/origin: |\n      path: web.yaml\n") {
					t.Errorf("no origin annotation:\n%s", out)
				}
			},
			wantStderr: []string{"info: no instances or runs in the inputs"},
		},
		{
			name: "keepSources",
			files: map[string]string{
				"kustomization.yaml": "resources: [config.yaml, input.yaml]\n",
				"config.yaml":        "apiVersion: skillc.dev/v1alpha1\nkind: CompilerConfig\nmetadata: {name: c}\nspec: {keepSources: true}\n",
				"input.yaml":         string(src),
			},
			wantOut: func(t *testing.T, out string) {
				if !strings.Contains(out, "kind: SkillPack") || !strings.Contains(out, "kind: AgentRun") || !strings.HasSuffix(out, compiled) {
					t.Errorf("sources not kept, or compiled objects changed:\n%s", out)
				}
				if strings.Contains(out, "kind: CompilerConfig") {
					t.Errorf("the CompilerConfig was emitted:\n%s", out)
				}
			},
		},
		{
			name:       "kustomize error",
			files:      map[string]string{"kustomization.yaml": "resources: [missing.yaml]\n"},
			wantCode:   2,
			wantStderr: []string{"skillc build: kustomize build", "missing.yaml", buildFailed},
		},
		{
			name: "bad input: file named, no line",
			files: map[string]string{
				"kustomization.yaml": "resources: [pack.yaml]\n",
				"pack.yaml":          "apiVersion: sympozium.ai/v1alpha1\nkind: SkillPack\nmetadata: {name: p}\nspec:\n  skills: [{name: s, content: x}]\n  sidecar: {image: a:1, mountWorkspcae: true}\n",
			},
			wantCode:   2,
			wantStderr: []string{"/pack.yaml: spec.sidecar.mountWorkspcae: unknown field", buildFailed},
		},
		{
			name:       "denied",
			files:      map[string]string{"kustomization.yaml": "resources: [input.yaml]\n", "input.yaml": mustRead(t, "fixtures/denied/broad-kubectl/input.yaml")},
			wantCode:   1,
			wantStderr: []string{"/input.yaml: RBAC-", "skillc build: the policy gate denied", buildFailed},
		},
		{
			name:       "--config and a CompilerConfig resource",
			files:      map[string]string{"kustomization.yaml": "resources: [config.yaml]\n", "config.yaml": "apiVersion: skillc.dev/v1alpha1\nkind: CompilerConfig\nmetadata: {name: c}\n"},
			args:       []string{"--config", "fixtures/per-run-identity/config.yaml"},
			wantCode:   2,
			wantStderr: []string{"keep one", buildFailed},
		},
		{name: "no DIR", noDir: true, wantCode: 2, wantStderr: []string{"want exactly one DIR", buildFailed}},
		{name: "unknown flag", args: []string{"--nope"}, files: map[string]string{"kustomization.yaml": "resources: []\n"}, wantCode: 2, wantStderr: []string{"unknown flag: --nope", buildFailed}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, data := range tc.files {
				writeFile(t, filepath.Join(dir, name), data)
			}
			args := append([]string{"build"}, tc.args...)
			if !tc.noDir {
				args = append(args, dir)
			}
			out, stderr, code := execute(t, args...)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.wantCode, stderr)
			}
			if code != 0 && out != "" {
				t.Errorf("a failed build wrote to stdout:\n%s", out)
			}
			if tc.wantOut != nil {
				tc.wantOut(t, out)
			}
			for _, s := range tc.wantStderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr)
				}
			}
			if code == 0 && strings.Contains(stderr, buildFailed) {
				t.Errorf("failure line on success:\n%s", stderr)
			}
		})
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// cmpPlugin is what the tests read of kustomize/argocd/plugin.yaml (Argo CD's CMP v2 config).
type cmpPlugin struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Version  string `json:"version"`
		Generate struct {
			Command []string `json:"command"`
			Args    []string `json:"args"`
		} `json:"generate"`
		Discover struct {
			FileName string `json:"fileName"`
		} `json:"discover"`
	} `json:"spec"`
}

func readPlugin(t *testing.T) cmpPlugin {
	t.Helper()
	var plugin cmpPlugin
	if err := sigsyaml.Unmarshal([]byte(mustRead(t, "kustomize/argocd/plugin.yaml")), &plugin); err != nil {
		t.Fatal(err)
	}
	return plugin
}

// TestArgoCDExample runs the plugin's own generate command in the example application's folder,
// as Argo CD's cmp server does.
func TestArgoCDExample(t *testing.T) {
	plugin := readPlugin(t)
	if plugin.APIVersion != "argoproj.io/v1alpha1" || plugin.Kind != "ConfigManagementPlugin" {
		t.Fatalf("plugin.yaml is %s %s", plugin.APIVersion, plugin.Kind)
	}
	command := append(plugin.Spec.Generate.Command, plugin.Spec.Generate.Args...)
	if diff := cmp.Diff([]string{"skillc", "build", "."}, command); diff != "" {
		t.Fatalf("generate command (-want +got):\n%s", diff)
	}
	app := filepath.Join("kustomize", "argocd", "example-app")
	if _, err := os.Stat(filepath.Join(app, plugin.Spec.Discover.FileName)); err != nil {
		t.Errorf("the example app would not be discovered: %v", err)
	}
	t.Chdir(app)
	out, stderr, code := execute(t, command[1:]...)
	if code != 0 {
		t.Fatalf("%v: exit %d\n%s", command, code, stderr)
	}
	got := objectsByID(t, out)
	var ids []string
	for id := range got {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	want := []string{
		"ConfigMap/team-a/skillpack-cluster-triage",
		"Job/team-a/triage-1",
		"NetworkPolicy/team-a/agents-egress",
		"Role/team-a/sympozium-skill-cluster-triage-triage-1",
		"RoleBinding/team-a/sympozium-skill-cluster-triage-triage-1",
		"ServiceAccount/team-a/sympozium-run-triage-1",
	}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}
	if !strings.Contains(out, "argocd.argoproj.io/sync-wave") {
		t.Error("the example's target: argocd did not apply")
	}
	// The example passes the restricted gate with nothing to report.
	if stderr != "" {
		t.Errorf("the example app warns:\n%s", stderr)
	}
	// Messages name the app's files relative to where Argo CD runs the command: a copy whose
	// pack opts out of the read-only root warns (POD-12) at skills.yaml's line.
	tmp := t.TempDir()
	copyTree(t, ".", tmp)
	skills, err := os.ReadFile(filepath.Join(tmp, "skills.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(tmp, "skills.yaml"), strings.Replace(string(skills), "    command: [sleep, infinity]\n", "    command: [sleep, infinity]\n    readOnlyRootFilesystem: false\n", 1))
	t.Chdir(tmp)
	if _, stderr, code := execute(t, command[1:]...); code != 0 || !strings.HasPrefix(stderr, "skills.yaml: warning: POD-12: spec.sidecar.readOnlyRootFilesystem:") {
		t.Errorf("exit %d; warnings do not name the file:\n%s", code, stderr)
	}
}
