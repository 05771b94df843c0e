package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	sigsyaml "sigs.k8s.io/yaml"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// repoServerStub is the part of Argo CD's install manifest the component patches: the repo-server
// Deployment with its shared var-files and plugins volumes (as upstream's install.yaml has them).
const repoServerStub = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: argocd-repo-server
spec:
  selector:
    matchLabels: {app.kubernetes.io/name: argocd-repo-server}
  template:
    metadata:
      labels: {app.kubernetes.io/name: argocd-repo-server}
    spec:
      containers:
        - name: argocd-repo-server
          image: quay.io/argoproj/argocd:v3.0.0
          volumeMounts:
            - {name: var-files, mountPath: /var/run/argocd}
            - {name: plugins, mountPath: /home/argocd/cmp-server/plugins}
      volumes:
        - {name: var-files, emptyDir: {}}
        - {name: plugins, emptyDir: {}}
`

// buildArgoCDInstall builds kustomize/argocd as a Component over a stub Argo CD install, offline,
// the way its comment tells users to. pluginYAML replaces plugin.yaml when not empty.
func buildArgoCDInstall(t *testing.T, pluginYAML string) (appsv1.Deployment, corev1.ConfigMap) {
	t.Helper()
	dir := t.TempDir()
	component := filepath.Join(dir, "skillc")
	if err := os.MkdirAll(component, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"kustomization.yaml", "plugin.yaml", "repo-server-patch.yaml"} {
		writeFile(t, filepath.Join(component, f), mustRead(t, filepath.Join("kustomize", "argocd", f)))
	}
	if pluginYAML != "" {
		writeFile(t, filepath.Join(component, "plugin.yaml"), pluginYAML)
	}
	writeFile(t, filepath.Join(dir, "install.yaml"), repoServerStub)
	writeFile(t, filepath.Join(dir, "kustomization.yaml"), "namespace: argocd\nresources: [install.yaml]\ncomponents: [skillc]\n")

	resources, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build of the component: %v", err)
	}
	var deploy appsv1.Deployment
	var plugin corev1.ConfigMap
	for _, r := range resources.Resources() {
		y, err := r.AsYAML()
		if err != nil {
			t.Fatal(err)
		}
		switch r.GetKind() {
		case "Deployment":
			err = sigsyaml.UnmarshalStrict(y, &deploy)
		case "ConfigMap":
			err = sigsyaml.UnmarshalStrict(y, &plugin)
		}
		if err != nil {
			t.Fatalf("%s: %v", r.GetKind(), err)
		}
	}
	return deploy, plugin
}

// hashedName is a kustomize generator name: the base name, a dash and a 10-character hash.
var hashedName = regexp.MustCompile(`^skillc-cmp-plugin-[a-z0-9]{10}$`)

// TestArgoCDInstallComponent: the repo-server gains the skillc sidecar running Argo CD's cmp
// server with plugin.yaml mounted from the generated ConfigMap, whose content is the plugin.yaml
// the Argo CD example test runs and whose name carries the content hash, referenced by the patch;
// the sidecar has resources and the exec timeout.
func TestArgoCDInstallComponent(t *testing.T) {
	deploy, plugin := buildArgoCDInstall(t, "")

	if !hashedName.MatchString(plugin.Name) || plugin.Namespace != "argocd" {
		t.Fatalf("plugin ConfigMap = %s/%s, want argocd/skillc-cmp-plugin-<hash> (a change to plugin.yaml must roll the sidecar)", plugin.Namespace, plugin.Name)
	}
	if got, want := plugin.Data["plugin.yaml"], mustRead(t, "kustomize/argocd/plugin.yaml"); got != want {
		t.Errorf("the ConfigMap's plugin.yaml differs from kustomize/argocd/plugin.yaml")
	}

	spec := deploy.Spec.Template.Spec
	i := slices.IndexFunc(spec.Containers, func(c corev1.Container) bool { return c.Name == "skillc" })
	if i < 0 || len(spec.Containers) != 2 {
		t.Fatalf("containers of argocd-repo-server = %d, want the repo-server and the skillc sidecar", len(spec.Containers))
	}
	sidecar := spec.Containers[i]
	if !slices.Equal(sidecar.Command, []string{"/var/run/argocd/argocd-cmp-server"}) {
		t.Errorf("sidecar command = %v, want Argo CD's cmp server from var-files", sidecar.Command)
	}
	mounts := map[string]corev1.VolumeMount{}
	for _, m := range sidecar.VolumeMounts {
		mounts[m.MountPath] = m
	}
	for path, volume := range map[string]string{
		"/var/run/argocd":                            "var-files",
		"/home/argocd/cmp-server/plugins":            "plugins",
		"/home/argocd/cmp-server/config/plugin.yaml": "skillc-cmp-plugin",
		"/tmp": "skillc-cmp-tmp",
	} {
		if mounts[path].Name != volume {
			t.Errorf("sidecar mount %s = volume %q, want %q", path, mounts[path].Name, volume)
		}
	}
	if sc := sidecar.SecurityContext; sc == nil || sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot || sc.RunAsUser == nil || *sc.RunAsUser != 999 {
		t.Errorf("sidecar must run as non-root uid 999 (Argo CD's user, sharing the plugin socket): %+v", sc)
	}
	volumes := map[string]corev1.Volume{}
	for _, v := range spec.Volumes {
		volumes[v.Name] = v
	}
	if cm := volumes["skillc-cmp-plugin"].ConfigMap; cm == nil || cm.Name != plugin.Name {
		t.Errorf("volume skillc-cmp-plugin does not come from the generated ConfigMap %s: %+v", plugin.Name, volumes["skillc-cmp-plugin"])
	}
	if _, ok := volumes["var-files"]; !ok {
		t.Error("the patch dropped the repo-server's own volumes")
	}

	// Resources: requests for both, a memory limit, no CPU limit (throttling turns a slow render
	// into a timeout).
	res := sidecar.Resources
	for name, q := range map[string]resource.Quantity{"requests.cpu": res.Requests[corev1.ResourceCPU], "requests.memory": res.Requests[corev1.ResourceMemory], "limits.memory": res.Limits[corev1.ResourceMemory]} {
		if q.IsZero() {
			t.Errorf("sidecar resources.%s is not set", name)
		}
	}
	if _, ok := res.Limits[corev1.ResourceCPU]; ok {
		t.Error("sidecar has a CPU limit: throttling only turns a slow render into a timeout")
	}
	if lim, req := res.Limits[corev1.ResourceMemory], res.Requests[corev1.ResourceMemory]; lim.Cmp(req) < 0 {
		t.Errorf("sidecar memory limit %s below its request %s", lim.String(), req.String())
	}
	// The exec timeout is set explicitly, as a duration Argo CD parses (time.ParseDuration).
	j := slices.IndexFunc(sidecar.Env, func(e corev1.EnvVar) bool { return e.Name == "ARGOCD_EXEC_TIMEOUT" })
	if j < 0 {
		t.Error("sidecar has no ARGOCD_EXEC_TIMEOUT")
	} else if d, err := time.ParseDuration(sidecar.Env[j].Value); err != nil || d < 90*time.Second {
		t.Errorf("ARGOCD_EXEC_TIMEOUT = %q: want a duration of at least Argo CD's default 90s (%v)", sidecar.Env[j].Value, err)
	}

	// A change to plugin.yaml changes the ConfigMap's name, hence the pod template: the
	// repo-server rolls and the sidecar reads the new plugin.yaml.
	_, changed := buildArgoCDInstall(t, plugin.Data["plugin.yaml"]+"# changed\n")
	if changed.Name == plugin.Name || !hashedName.MatchString(changed.Name) {
		t.Errorf("ConfigMap name %q after a change to plugin.yaml, was %q: want a new hash", changed.Name, plugin.Name)
	}
}

// argoApplication is the part of an Argo CD Application the example sets (strict: a misspelled
// field fails the test).
type argoApplication struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
	Spec struct {
		Project string `json:"project"`
		Source  struct {
			RepoURL        string `json:"repoURL"`
			TargetRevision string `json:"targetRevision"`
			Path           string `json:"path"`
			Plugin         *struct {
				Name string `json:"name"`
			} `json:"plugin"`
		} `json:"source"`
		Destination struct {
			Server string `json:"server"`
		} `json:"destination"`
		SyncPolicy struct {
			Automated struct {
				Prune bool `json:"prune"`
			} `json:"automated"`
		} `json:"syncPolicy"`
	} `json:"spec"`
}

// TestArgoCDApplication: the example Application names the plugin (so Argo CD never falls back
// to its built-in kustomize: a missing sidecar is an error), points at a folder the plugin's
// discovery matches (Argo CD requires that even of a named plugin), at a released revision; and
// the folder fails closed without the plugin: built raw, it holds a CompilerConfig, a kind that
// no cluster serves, so Argo CD's dry run fails the whole sync.
func TestArgoCDApplication(t *testing.T) {
	var app argoApplication
	if err := sigsyaml.UnmarshalStrict([]byte(mustRead(t, "kustomize/argocd/application.yaml")), &app); err != nil {
		t.Fatalf("kustomize/argocd/application.yaml: %v", err)
	}
	plugin := readPlugin(t)
	if app.APIVersion != "argoproj.io/v1alpha1" || app.Kind != "Application" {
		t.Fatalf("application.yaml is %s %s", app.APIVersion, app.Kind)
	}
	// Argo CD's socket name: <name>, or <name>-<version> when the plugin has a version.
	want := plugin.Metadata.Name
	if plugin.Spec.Version != "" {
		want += "-" + plugin.Spec.Version
	}
	if app.Spec.Source.Plugin == nil || app.Spec.Source.Plugin.Name != want {
		t.Errorf("spec.source.plugin.name = %+v, want %q: an unnamed plugin falls back to Argo CD's kustomize when the sidecar is missing", app.Spec.Source.Plugin, want)
	}
	if app.Spec.Source.RepoURL != "https://github.com/skillc-dev/skillc.git" {
		t.Errorf("spec.source.repoURL = %q", app.Spec.Source.RepoURL)
	}
	if !releaseTag.MatchString(app.Spec.Source.TargetRevision) {
		t.Errorf("spec.source.targetRevision = %q, want a release tag vX.Y.Z", app.Spec.Source.TargetRevision)
	}
	folder := filepath.FromSlash(app.Spec.Source.Path)
	if _, err := os.Stat(filepath.Join(folder, plugin.Spec.Discover.FileName)); err != nil {
		t.Errorf("spec.source.path %s: the plugin's discovery (%s) does not match it, so Argo CD would refuse the named plugin: %v", app.Spec.Source.Path, plugin.Spec.Discover.FileName, err)
	}

	// What Argo CD's built-in kustomize would apply if the plugin were bypassed.
	raw, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), folder)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", folder, err)
	}
	var guard bool
	for _, r := range raw.Resources() {
		if r.GetGvk().Group == "skillc.dev" && r.GetKind() == "CompilerConfig" {
			guard = true
		}
	}
	if !guard {
		t.Errorf("%s built without skillc holds no CompilerConfig: a raw apply would not fail", folder)
	}
	// And skillc ships no CRD that would make the guard kind servable.
	err = filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (path == "bin" || path == ".git") {
			return filepath.SkipDir
		}
		if d.IsDir() || !(strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if s := string(data); strings.Contains(s, "kind: CustomResourceDefinition") && strings.Contains(s, "group: skillc.dev") {
			t.Errorf("%s: a CRD for skillc.dev would let a raw apply of the CompilerConfig succeed", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
