package compile

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
)

const toolsSidecar = `image: reg/x:1
tools:
  - name: lookup
    description: Look it up.
    exec: [/bin/lookup]
    positionalArgs: [q]
    parameters: {type: object, properties: {q: {type: string}}, required: [q]}
  - name: ping
    exec: [/bin/ping, -c1]
    inputMode: stdin`

func TestSidecarTools(t *testing.T) {
	res, ds := compileYAML(t, Options{}, pack(toolsSidecar), testInstance, testRun)
	if ds != nil {
		t.Fatal(ds)
	}
	cm := find[*corev1.ConfigMap](t, res, "ConfigMap", "r1-sidecar-tools")
	want := `{"tools":[` +
		`{"name":"lookup","description":"Look it up.","target":"p","exec":["/bin/lookup"],"inputMode":"args","positionalArgs":["q"],"parameters":{"properties":{"q":{"type":"string"}},"required":["q"],"type":"object"}},` +
		`{"name":"ping","description":"","target":"p","exec":["/bin/ping","-c1"],"inputMode":"stdin","parameters":{"type":"object","properties":{}}}]}`
	if got := cm.Data["sidecar-tools.json"]; got != want {
		t.Errorf("manifest\n got %s\nwant %s", got, want)
	}
	if cm.Immutable == nil || !*cm.Immutable || cm.Labels[LabelComponent] != ComponentSidecarTools || cm.Labels[LabelAgentRun] != "r1" {
		t.Errorf("immutable %v, labels %v", cm.Immutable, cm.Labels)
	}
	spec := find[*batchv1.Job](t, res, "Job", "r1").Spec.Template.Spec
	agent := spec.Containers[0]
	if !slices.ContainsFunc(agent.VolumeMounts, func(m corev1.VolumeMount) bool {
		return m.Name == SidecarToolsVolume && m.MountPath == "/config/sidecar-tools" && m.ReadOnly
	}) {
		t.Errorf("agent mounts %v", agent.VolumeMounts)
	}
	if !slices.ContainsFunc(agent.Env, func(e corev1.EnvVar) bool {
		return e.Name == "SIDECAR_TOOLS_MANIFEST_PATH" && e.Value == "/config/sidecar-tools/sidecar-tools.json"
	}) {
		t.Errorf("agent env %v", agent.Env)
	}
	i := slices.IndexFunc(spec.Volumes, func(v corev1.Volume) bool { return v.Name == SidecarToolsVolume })
	if i < 0 || spec.Volumes[i].ConfigMap.Name != "r1-sidecar-tools" || !*spec.Volumes[i].ConfigMap.Optional {
		t.Fatalf("volumes %v", spec.Volumes)
	}
	// Only the agent mounts it: the sidecars run the tools, they do not define them.
	for _, c := range append(spec.InitContainers, spec.Containers[1:]...) {
		if slices.ContainsFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool { return m.Name == SidecarToolsVolume }) {
			t.Errorf("container %s mounts the manifest", c.Name)
		}
	}
	if o, _ := res.OriginsOf(cm).Lookup(`data["sidecar-tools.json"]`); o.Field != "spec.sidecar.tools" {
		t.Errorf("manifest's origin %v", o)
	}
}

// TestSidecarToolsFromCatalog: a private pack without tools takes the catalog pack's
// (resolveSkillSidecars), targeted at the pack the run toggles; one with its own keeps them.
func TestSidecarToolsFromCatalog(t *testing.T) {
	private := func(sidecar string) string {
		return strings.Replace(pack(sidecar), "namespace: sympozium-system", "namespace: team", 1)
	}
	for _, tc := range []struct {
		name, private, want string
	}{
		{"inherits", "image: reg/private:1", `"name":"lookup"`},
		{"keeps its own", "image: reg/private:1\ntools: [{name: own, exec: [/own]}]", `"name":"own"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, ds := compileYAML(t, Options{}, pack(toolsSidecar), private(tc.private), testInstance, testRun)
			if ds != nil {
				t.Fatal(ds)
			}
			got := find[*corev1.ConfigMap](t, res, "ConfigMap", "r1-sidecar-tools").Data["sidecar-tools.json"]
			if !strings.Contains(got, tc.want) || strings.Count(got, `"target":"p"`) != strings.Count(got, `"name":`) {
				t.Errorf("manifest %s: want %s, every tool targeted at p", got, tc.want)
			}
		})
	}
}

// TestNoSidecarToolsWithoutTools: no manifest, mount or variable when no sidecar declares tools.
func TestNoSidecarToolsWithoutTools(t *testing.T) {
	res, ds := compileYAML(t, Options{}, pack("image: reg/x:1"), testInstance, testRun)
	if ds != nil {
		t.Fatal(ds)
	}
	for _, o := range res.Objects {
		if strings.HasSuffix(o.GetName(), SidecarToolsSuffix) {
			t.Errorf("emitted %s", ObjectKey(o))
		}
	}
	for _, e := range find[*batchv1.Job](t, res, "Job", "r1").Spec.Template.Spec.Containers[0].Env {
		if e.Name == "SIDECAR_TOOLS_MANIFEST_PATH" {
			t.Error("the agent is pointed at a manifest that does not exist")
		}
	}
}

// TestSidecarToolsManifestBudget: a manifest over upstream's 900 KiB budget is refused at the
// pack's tools, as ensureSidecarToolsConfigMap fails the run.
func TestSidecarToolsManifestBudget(t *testing.T) {
	var b strings.Builder
	b.WriteString("image: reg/x:1\ntools:\n")
	desc := strings.Repeat("d", maxToolDescription)
	for i := range 460 {
		fmt.Fprintf(&b, "  - {name: t%d, exec: [/t], description: %s}\n", i, desc)
	}
	_, ds := compileYAML(t, Options{}, pack(b.String()), testInstance, testRun)
	if ds == nil || !slices.ContainsFunc(ds, func(d diag.Diagnostic) bool {
		return d.Field == "spec.sidecar.tools" && strings.Contains(d.Message, "over upstream's 921600-byte budget")
	}) {
		t.Errorf("diagnostics %v: want the manifest refused", ds)
	}
}

func TestValidateSidecarTools(t *testing.T) {
	schema := func(raw string) *api.JSONValue { return &api.JSONValue{Raw: raw} }
	tests := []struct {
		name  string
		tools []api.SidecarTool
		want  []string // fields with an error
	}{
		{"stdin with a positional", []api.SidecarTool{{Name: "a_1", Exec: []string{"x"}, InputMode: "stdin", PositionalArgs: []string{"q"},
			Parameters: schema(`{"properties":{"q":{},"r":{}},"required":["q"]}`)}}, nil},
		{"args with every parameter positional", []api.SidecarTool{{Name: "a", Exec: []string{"x"}, PositionalArgs: []string{"q"},
			Parameters: schema(`{"properties":{"q":{}},"required":["q"]}`)}}, nil},
		{"no parameters at all", []api.SidecarTool{{Name: "a", Exec: []string{"x"}}}, nil},
		{"name with a digit first", []api.SidecarTool{{Name: "1a", Exec: []string{"x"}}}, []string{"spec.sidecar.tools[0].name"}},
		{"name of 65 characters", []api.SidecarTool{{Name: strings.Repeat("a", 65), Exec: []string{"x"}}}, []string{"spec.sidecar.tools[0].name"}},
		{"built-in name", []api.SidecarTool{{Name: "fetch_url", Exec: []string{"x"}}}, []string{"spec.sidecar.tools[0].name"}},
		{"twice", []api.SidecarTool{{Name: "a", Exec: []string{"x"}}, {Name: "a", Exec: []string{"y"}}}, []string{"spec.sidecar.tools[1].name"}},
		{"args mode drops a parameter", []api.SidecarTool{{Name: "a", Exec: []string{"x"}, Parameters: schema(`{"properties":{"q":{}}}`)}},
			[]string{"spec.sidecar.tools[0].parameters.properties.q"}},
		{"a string schema", []api.SidecarTool{{Name: "a", Exec: []string{"x"}, Parameters: schema(`"object"`)}}, []string{"spec.sidecar.tools[0].parameters"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, d := range validateSidecarTools(diag.Source{}, "p", &api.Sidecar{Tools: tc.tools}) {
				got = append(got, d.Field)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("errors at %v, want %v", got, tc.want)
			}
		})
	}
}

// TestTargetsOfServerAndTools: the delivery targets annotate a server run's Deployment and Service
// as workloads, and an immutable ConfigMap (the tools manifest) as a Job: forced, since its data
// can only change by recreating it.
func TestTargetsOfServerAndTools(t *testing.T) {
	want := map[string]map[string]map[string]string{ // target → object → annotations
		"argocd": {
			"Deployment/serve-server":    {"argocd.argoproj.io/sync-wave": "1"},
			"Service/serve-server":       {"argocd.argoproj.io/sync-wave": "1"},
			"ConfigMap/r1-sidecar-tools": {"argocd.argoproj.io/sync-wave": "0", "argocd.argoproj.io/sync-options": "Force=true,ServerSideApply=false"},
			"ConfigMap/skillpack-p":      {"argocd.argoproj.io/sync-wave": "0"},
		},
		"flux": {
			"Deployment/serve-server":    nil,
			"Service/serve-server":       nil,
			"ConfigMap/r1-sidecar-tools": {"kustomize.toolkit.fluxcd.io/force": "enabled"},
			"ConfigMap/skillpack-p":      nil,
		},
	}
	agent := strings.Replace(testInstance, "skills: [{skillPackRef: p}]", "skills: [{skillPackRef: p}, {skillPackRef: srv}]", 1)
	run := strings.Replace(serverRun, "agentRef: ops", "agentRef: alice", 1)
	for target, objects := range want {
		t.Run(target, func(t *testing.T) {
			res, ds := compileYAML(t, Options{Target: target}, pack(toolsSidecar), serverPack, agent, testRun, run)
			if ds != nil {
				t.Fatal(ds)
			}
			for key, w := range objects {
				kind, name, _ := strings.Cut(key, "/")
				var got map[string]string
				for _, o := range res.Objects {
					if kindOf(o) == kind && o.GetName() == name {
						got = o.GetAnnotations()
					}
				}
				if len(got) == 0 {
					got = nil
				}
				if !equalMaps(got, w) {
					t.Errorf("%s: annotations %v, want %v", key, got, w)
				}
			}
		})
	}
}
