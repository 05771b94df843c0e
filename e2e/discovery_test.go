package e2e

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/skillc-dev/skillc/needs"
)

var updateDiscovery = flag.Bool("update", false, "rewrite ../needs/discovery.json from this control plane's discovery")

// kubectlRaw runs kubectl against the control plane as the admin and returns its stdout.
func kubectlRaw(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(binPath("kubectl"), append([]string{"--kubeconfig", cp.kubeconfig}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("kubectl %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

type apiResourceList struct {
	GroupVersion string        `json:"groupVersion"`
	Resources    []apiResource `json:"resources"`
}

type apiResource struct {
	Name         string   `json:"name"`
	SingularName string   `json:"singularName"`
	Namespaced   bool     `json:"namespaced"`
	Kind         string   `json:"kind"`
	Verbs        []string `json:"verbs"`
	ShortNames   []string `json:"shortNames"`
	Categories   []string `json:"categories"`
}

// discoveryTable reads the control plane's discovery documents (each group's preferred version,
// in discovery order) into needs' table: resources with their subresources.
func discoveryTable(t *testing.T) needs.Discovery {
	t.Helper()
	var version struct {
		GitVersion string `json:"gitVersion"`
	}
	if err := json.Unmarshal(kubectlRaw(t, "get", "--raw", "/version"), &version); err != nil {
		t.Fatal(err)
	}
	gvs := []string{"v1"}
	var groups struct {
		Groups []struct {
			Name             string `json:"name"`
			PreferredVersion struct {
				GroupVersion string `json:"groupVersion"`
			} `json:"preferredVersion"`
		} `json:"groups"`
	}
	if err := json.Unmarshal(kubectlRaw(t, "get", "--raw", "/apis"), &groups); err != nil {
		t.Fatal(err)
	}
	for _, g := range groups.Groups {
		gvs = append(gvs, g.PreferredVersion.GroupVersion)
	}
	// The API server lists a CRD group's resources in its informer's order, which differs from
	// run to run (apiextensions-apiserver's customresource_discovery_controller.go): the table
	// sorts those by name, and keeps the built-in groups' fixed order.
	var crds struct {
		Items []struct {
			Spec struct {
				Group string `json:"group"`
			} `json:"spec"`
		} `json:"items"`
	}
	if err := json.Unmarshal(kubectlRaw(t, "get", "--raw", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"), &crds); err != nil {
		t.Fatal(err)
	}
	crdGroups := map[string]bool{}
	for _, c := range crds.Items {
		crdGroups[c.Spec.Group] = true
	}
	d := needs.Discovery{Server: version.GitVersion}
	for _, gv := range gvs {
		path := "/apis/" + gv
		if gv == "v1" {
			path = "/api/v1"
		}
		var l apiResourceList
		if err := json.Unmarshal(kubectlRaw(t, "get", "--raw", path), &l); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		group, version, ok := strings.Cut(gv, "/")
		if !ok {
			group, version = "", gv
		}
		if crdGroups[group] {
			slices.SortStableFunc(l.Resources, func(a, b apiResource) int { return strings.Compare(a.Name, b.Name) })
		}
		at := map[string]int{}
		for _, r := range l.Resources {
			if base, sub, isSub := strings.Cut(r.Name, "/"); isSub {
				if i, ok := at[base]; ok {
					d.Resources[i].Subresources = append(d.Resources[i].Subresources, sub)
				}
				continue
			}
			at[r.Name] = len(d.Resources)
			d.Resources = append(d.Resources, needs.Resource{
				Name: r.Name, ShortNames: r.ShortNames, Singular: r.SingularName, Kind: r.Kind,
				Group: group, Version: version, Namespaced: r.Namespaced,
				Verbs: slices.Sorted(slices.Values(r.Verbs)), Categories: r.Categories,
			})
		}
	}
	for i := range d.Resources {
		slices.Sort(d.Resources[i].Subresources)
	}
	return d
}

var apiVersionRE = regexp.MustCompile(`^([a-z0-9.-]+/)?v[0-9]+((alpha|beta)[0-9]+)?$`)

// TestDiscoveryTable: needs/discovery.json is this control plane's discovery (the names skill
// commands resolve through). -update rewrites it; without, a stale table fails `make e2e`. Every
// resource `kubectl api-resources` lists is in the table.
func TestDiscoveryTable(t *testing.T) {
	d := discoveryTable(t)
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	path := filepath.Join(repoRoot, "needs", "discovery.json")
	if *updateDiscovery {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	committed, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(committed, b) {
		line, want, got := firstDifference(committed, b)
		t.Errorf("needs/discovery.json:%d: stale: committed %q, this control plane %q; run `cd e2e && go test -run TestDiscoveryTable -update ./...` and commit it", line, want, got)
	}

	// api-resources is what users see: NAME SHORTNAMES APIVERSION NAMESPACED KIND VERBS CATEGORIES.
	out := kubectlRaw(t, "api-resources", "-o", "wide", "--no-headers")
	n := 0
	for line := range strings.SplitSeq(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) < 4 {
			continue
		}
		name, apiVersion := f[0], f[1]
		if !apiVersionRE.MatchString(apiVersion) { // f[1] is the SHORTNAMES column
			apiVersion = f[2]
		}
		group, _, ok := strings.Cut(apiVersion, "/")
		if !ok {
			group = ""
		}
		found := slices.ContainsFunc(d.Resources, func(r needs.Resource) bool { return r.Name == name && r.Group == group })
		if !found {
			t.Errorf("kubectl api-resources lists %s in group %q; the table does not", name, group)
		}
		n++
	}
	if n < 40 {
		t.Errorf("kubectl api-resources listed %d resources; expected the built-in set", n)
	}
	t.Logf("discovery table: %d resources from %s; api-resources lists %d", len(d.Resources), d.Server, n)
}

// firstDifference is the first line (1-based) where a and b differ, and that line of each.
func firstDifference(a, b []byte) (int, string, string) {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range max(len(al), len(bl)) {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return i + 1, strings.TrimSpace(x), strings.TrimSpace(y)
		}
	}
	return 0, "", ""
}
