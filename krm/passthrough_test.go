package krm

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// TestBuildLocate: an object of a kustomize build is located at its document in the file it came
// from, also when the kustomization renamed it; a generated object at its file only.
func TestBuildLocate(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{
		"kustomization.yaml":      "namePrefix: team-\nresources: [rbac.yaml, base]\nconfigMapGenerator: [{name: gen, literals: [a=b]}]\n",
		"rbac.yaml":               "# RBAC\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: reader, namespace: a}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: reader, namespace: a}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}\n",
		"base/kustomization.yaml": "resources: [pod.yaml]\n",
		"base/pod.yaml":           "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers: [{name: c, image: x}]\n",
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, refused, err := KustomizeBuild(dir)
	if err != nil || refused != nil {
		t.Fatal(err, refused)
	}
	want := map[string]string{
		"Role/team-reader":        "rbac.yaml:2",
		"RoleBinding/team-reader": "rbac.yaml:6",
		"Pod/team-p":              "base/pod.yaml:1",
		"ConfigMap/":              "kustomization.yaml:0",
	}
	for _, n := range b.Items {
		key := n.GetKind() + "/" + n.GetName()
		if n.GetKind() == "ConfigMap" {
			key = "ConfigMap/" // its name carries a hash
		}
		file, line := b.Locate(n)
		rel, _ := filepath.Rel(dir, file)
		if got := filepath.ToSlash(rel) + ":" + strconv.Itoa(line); got != want[key] {
			t.Errorf("%s at %s, want %s", key, got, want[key])
		}
		delete(want, key)
	}
	if len(want) > 0 {
		t.Errorf("not built: %v", want)
	}
}
