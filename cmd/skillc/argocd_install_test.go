package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

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

// TestArgoCDInstallComponent builds kustomize/argocd as a Component over a stub Argo CD install,
// offline, the way its comment tells users to: the repo-server gains the skillc sidecar running
// Argo CD's cmp server with plugin.yaml mounted from the generated ConfigMap, whose content is the
// plugin.yaml the Argo CD example test runs.
func TestArgoCDInstallComponent(t *testing.T) {
	dir := t.TempDir()
	component := filepath.Join(dir, "skillc")
	if err := os.MkdirAll(component, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"kustomization.yaml", "plugin.yaml", "repo-server-patch.yaml"} {
		writeFile(t, filepath.Join(component, f), mustRead(t, filepath.Join("kustomize", "argocd", f)))
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

	if plugin.Name != "skillc-cmp-plugin" || plugin.Namespace != "argocd" {
		t.Fatalf("plugin ConfigMap = %s/%s, want argocd/skillc-cmp-plugin", plugin.Namespace, plugin.Name)
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
	if cm := volumes["skillc-cmp-plugin"].ConfigMap; cm == nil || cm.Name != "skillc-cmp-plugin" {
		t.Errorf("volume skillc-cmp-plugin does not come from the ConfigMap: %+v", volumes["skillc-cmp-plugin"])
	}
	if _, ok := volumes["var-files"]; !ok {
		t.Error("the patch dropped the repo-server's own volumes")
	}
}
