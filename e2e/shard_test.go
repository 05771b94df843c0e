package e2e

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"text/template"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	fluxkustomize "github.com/fluxcd/pkg/kustomize"
	"github.com/fluxcd/pkg/ssa"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/source"
)

// The sharded examples (kustomize/sharded): one platform CompilerConfig with spec.tenants, a
// catalog, and one folder per tenant; an Argo CD ApplicationSet makes one Application per tenant
// folder, and Flux has one Kustomization per tenant. No Argo CD or Flux controller runs here, so
// these tests run the parts that decide what reaches the cluster: the generator's expansion, the
// plugin's own command with bin/skillc, Flux's own kustomization generator and build
// (fluxcd/pkg/kustomize) and the real kustomize, and the API server.

const shardRoot = "kustomize/sharded"

// shardConfig is the platform's config, read by skillc's own loader.
func shardConfig(t *testing.T) *api.CompilerConfig {
	t.Helper()
	cfg, diags := source.LoadConfig(filepath.Join(repoRoot, shardRoot, "skillc.yaml"))
	if diags.HasErrors() {
		t.Fatalf("%s/skillc.yaml: %v", shardRoot, diags)
	}
	if len(cfg.Spec.Tenants) < 2 {
		t.Fatalf("%s/skillc.yaml has %d tenants, want at least 2 to shard", shardRoot, len(cfg.Spec.Tenants))
	}
	return cfg
}

// tenantFolder is the one folder of a tenant, relative to the repository root.
func tenantFolder(t *testing.T, tn api.Tenant) string {
	t.Helper()
	if len(tn.Paths) != 1 || strings.ContainsAny(tn.Paths[0], "*?[") {
		t.Fatalf("tenant %s: paths %v: the sharded example gives each tenant one folder", tn.Name, tn.Paths)
	}
	return path.Join(shardRoot, tn.Paths[0])
}

// copyTree copies the regular files under src to dst (folders created as needed).
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if !d.Type().IsRegular() {
			t.Fatalf("%s: not a regular file", p)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// shardRepo is a copy of the sharded example at its path in a fresh folder: the repository as
// Argo CD's cmp server unpacks it, which a test may add files to.
func shardRepo(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	copyTree(t, filepath.Join(repoRoot, shardRoot), filepath.Join(root, shardRoot))
	return root
}

type cmdResult struct {
	stdout, stderr string
	code           int
}

// runIn runs argv in dir, skillc resolved to bin/skillc (the image has it on PATH).
func runIn(t *testing.T, dir string, env []string, argv ...string) cmdResult {
	t.Helper()
	name := argv[0]
	if name == "skillc" {
		name = binPath("skillc")
	}
	cmd := exec.Command(name, argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + filepath.Join(repoRoot, "bin") + ":/usr/bin:/bin", "HOME=" + t.TempDir()}, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%v: %v", argv, err)
	}
	return cmdResult{stdout.String(), stderr.String(), code}
}

// objID is an object's identity as the cluster sees it.
func objID(o *unstructured.Unstructured) string {
	return o.GetAPIVersion() + " " + describe(o)
}

// byID indexes a render by identity, failing on a duplicate.
func byID(t *testing.T, objs []*unstructured.Unstructured, what string) map[string]*unstructured.Unstructured {
	t.Helper()
	out := map[string]*unstructured.Unstructured{}
	for _, o := range objs {
		if _, dup := out[objID(o)]; dup {
			t.Errorf("%s: %s twice", what, objID(o))
		}
		out[objID(o)] = o
	}
	return out
}

// assertOwnNamespaces fails unless every object of a tenant's render is namespaced, in one of
// that tenant's namespaces.
func assertOwnNamespaces(t *testing.T, tn *api.Tenant, objs []*unstructured.Unstructured) {
	t.Helper()
	if len(objs) == 0 {
		t.Errorf("tenant %s: empty render", tn.Name)
	}
	for _, o := range objs {
		if ns := o.GetNamespace(); ns == "" || !tn.OwnsNamespace(ns) {
			t.Errorf("tenant %s's render holds %s, outside its namespaces %v", tn.Name, describe(o), tn.Namespaces)
		}
	}
}

// assertShardsPartition fails unless the shards, together, are exactly the render of the whole
// repository in one compile: no object lost, none in two shards, each byte-identical.
func assertShardsPartition(t *testing.T, shards map[string][]*unstructured.Unstructured, whole []*unstructured.Unstructured) {
	t.Helper()
	all := byID(t, whole, "the whole render")
	seen := map[string]string{}
	for name, objs := range shards {
		for id, o := range byID(t, objs, name) {
			if other, dup := seen[id]; dup {
				t.Errorf("%s is in the shards of %s and %s", id, other, name)
			}
			seen[id] = name
			w, ok := all[id]
			if !ok {
				t.Errorf("shard %s has %s, which the whole render lacks", name, id)
				continue
			}
			a, _ := yaml.Marshal(o.Object)
			b, _ := yaml.Marshal(w.Object)
			if !bytes.Equal(a, b) {
				t.Errorf("%s differs between shard %s and the whole render:\n%s\n---\n%s", id, name, a, b)
			}
		}
	}
	for id := range all {
		if _, ok := seen[id]; !ok {
			t.Errorf("%s of the whole render is in no shard", id)
		}
	}
}

// ensureTenantNamespaces creates the render's namespaces enforcing the tenant's podSecurity: what
// the platform labels them with, and what TEN-03 judged the runs against.
func ensureTenantNamespaces(t *testing.T, ctx context.Context, tn *api.Tenant, objs []*unstructured.Unstructured) {
	t.Helper()
	cs := clientset(t, nil)
	level := tn.PodSecurity
	if level == "" {
		level = "privileged"
	}
	done := map[string]bool{}
	for _, o := range objs {
		if ns := o.GetNamespace(); ns != "" && !done[ns] {
			ensureNamespace(t, ctx, cs, ns, level)
			done[ns] = true
		}
	}
}

// --- Argo CD -------------------------------------------------------------------------------

// A stand-in for Argo CD's git directory generator, NOT Argo CD's code: the generator
// (github.com/argoproj/argo-cd/v3/applicationset/generators) needs Go 1.27 in its newest release
// (v3.6.2) and brings Argo CD's whole dependency tree into this module, so this re-implements what
// Argo CD documents and does, and nothing more:
//   - the repo-server lists every folder of the checkout, relative to its root, skipping any
//     folder whose name starts with "." and the root itself (reposerver GetGitDirectories);
//   - a folder is kept when some `directories[].path` matches it with Go's path.Match (so `*`
//     stays within one segment) and no `exclude: true` item matches it (filterApps);
//   - each kept folder gives the Go-template parameters path.path, path.basename and
//     path.segments (generateParamsFromApps; basenameNormalized is not provided here);
//   - with goTemplate, every string of the template is a text/template executed with the
//     parameters and the goTemplateOptions (missingkey=error).

type dirItem struct {
	Path    string `json:"path"`
	Exclude bool   `json:"exclude"`
}

// gitDirectories lists root's folders as the repo-server does.
func gitDirectories(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		rel, err := filepath.Rel(root, p)
		if err != nil || rel == "." {
			return err
		}
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// filterDirectories keeps the folders an include item matches and no exclude item matches.
func filterDirectories(items []dirItem, all []string) []string {
	var out []string
	for _, dir := range all {
		include, exclude := false, false
		for _, it := range items {
			if ok, err := path.Match(it.Path, dir); err == nil && ok {
				if it.Exclude {
					exclude = true
				} else {
					include = true
				}
			}
		}
		if include && !exclude {
			out = append(out, dir)
		}
	}
	return out
}

// renderTemplate executes every string of v (a decoded YAML tree) as a Go template.
func renderTemplate(t *testing.T, v any, params map[string]any, options []string) any {
	t.Helper()
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = renderTemplate(t, e, params, options)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = renderTemplate(t, e, params, options)
		}
		return out
	case string:
		tpl, err := template.New("").Option(options...).Parse(x)
		if err != nil {
			t.Fatalf("template %q: %v", x, err)
		}
		var b strings.Builder
		if err := tpl.Execute(&b, params); err != nil {
			t.Fatalf("template %q: %v", x, err)
		}
		return b.String()
	default:
		return v
	}
}

func TestShardDirectoryFilter(t *testing.T) {
	all := []string{"t", "t/a", "t/a/sub", "t/b", "t/b-old", "u/a"}
	got := filterDirectories([]dirItem{{Path: "t/*"}, {Path: "t/*-old", Exclude: true}}, all)
	if want := []string{"t/a", "t/b"}; !slices.Equal(got, want) {
		t.Errorf("filterDirectories = %v, want %v (one segment; exclude wins)", got, want)
	}
}

type applicationSet struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
	Spec struct {
		GoTemplate        bool     `json:"goTemplate"`
		GoTemplateOptions []string `json:"goTemplateOptions"`
		Generators        []struct {
			Git *struct {
				RepoURL     string    `json:"repoURL"`
				Revision    string    `json:"revision"`
				Directories []dirItem `json:"directories"`
			} `json:"git"`
		} `json:"generators"`
		SyncPolicy struct {
			PreserveResourcesOnDeletion bool `json:"preserveResourcesOnDeletion"`
		} `json:"syncPolicy"`
		Template map[string]any `json:"template"`
	} `json:"spec"`
}

type application struct {
	Metadata struct {
		Name        string            `json:"name"`
		Namespace   string            `json:"namespace"`
		Annotations map[string]string `json:"annotations"`
	} `json:"metadata"`
	Spec struct {
		Project string `json:"project"`
		Source  struct {
			RepoURL        string `json:"repoURL"`
			TargetRevision string `json:"targetRevision"`
			Path           string `json:"path"`
			Plugin         *struct {
				Name string `json:"name"`
				Env  []any  `json:"env"`
			} `json:"plugin"`
		} `json:"source"`
		Destination struct {
			Server string `json:"server"`
		} `json:"destination"`
		SyncPolicy struct {
			Automated *struct {
				Prune bool `json:"prune"`
			} `json:"automated"`
		} `json:"syncPolicy"`
	} `json:"spec"`
}

type cmPlugin struct {
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
		Discover map[string]any `json:"discover"`
	} `json:"spec"`
}

// expandApplicationSet is what the ApplicationSet controller would create from the example, over
// the folders of root (a checkout of the repository).
func expandApplicationSet(t *testing.T, root string) (applicationSet, []application) {
	t.Helper()
	var set applicationSet
	if err := yaml.UnmarshalStrict([]byte(readFile(t, filepath.Join(repoRoot, shardRoot, "argocd", "applicationset.yaml"))), &set); err != nil {
		t.Fatalf("applicationset.yaml: %v", err)
	}
	if !set.Spec.GoTemplate || len(set.Spec.Generators) != 1 || set.Spec.Generators[0].Git == nil {
		t.Fatalf("applicationset.yaml: want goTemplate and one git generator, got %+v", set.Spec)
	}
	git := set.Spec.Generators[0].Git
	var apps []application
	for _, dir := range filterDirectories(git.Directories, gitDirectories(t, root)) {
		params := map[string]any{"path": map[string]any{
			"path": dir, "basename": path.Base(dir), "segments": strings.Split(dir, "/"),
		}}
		b, err := yaml.Marshal(renderTemplate(t, set.Spec.Template, params, set.Spec.GoTemplateOptions))
		if err != nil {
			t.Fatal(err)
		}
		var app application
		if err := yaml.UnmarshalStrict(b, &app); err != nil {
			t.Fatalf("the Application for %s: %v\n%s", dir, err, b)
		}
		app.Metadata.Namespace = set.Metadata.Namespace
		apps = append(apps, app)
	}
	return set, apps
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func tenantPlugin(t *testing.T) cmPlugin {
	t.Helper()
	var p cmPlugin
	if err := yaml.UnmarshalStrict([]byte(readFile(t, filepath.Join(repoRoot, shardRoot, "argocd", "plugin.yaml"))), &p); err != nil {
		t.Fatalf("plugin.yaml: %v", err)
	}
	if p.Kind != "ConfigManagementPlugin" || len(p.Spec.Generate.Command) == 0 {
		t.Fatalf("plugin.yaml: want a ConfigManagementPlugin with a generate command, got %+v", p)
	}
	return p
}

// generate runs the plugin's generate command for app as Argo CD's cmp server does
// (cmpserver/plugin/plugin.go runCommand): command then args, no shell, in the Application's
// path inside the unpacked repository, with the build environment Argo CD sets.
func generate(t *testing.T, root string, p cmPlugin, app application) cmdResult {
	t.Helper()
	argv := append(slices.Clone(p.Spec.Generate.Command), p.Spec.Generate.Args...)
	env := []string{
		"ARGOCD_APP_NAME=" + app.Metadata.Name,
		"ARGOCD_APP_NAMESPACE=" + app.Metadata.Namespace,
		"ARGOCD_APP_SOURCE_PATH=" + app.Spec.Source.Path,
		"ARGOCD_APP_SOURCE_REPO_URL=" + app.Spec.Source.RepoURL,
		"ARGOCD_APP_SOURCE_TARGET_REVISION=" + app.Spec.Source.TargetRevision,
	}
	return runIn(t, filepath.Join(root, filepath.FromSlash(app.Spec.Source.Path)), env, argv...)
}

// TestShardArgoCDApplicationSet: the ApplicationSet makes one Application per tenant folder, each
// naming the tenant plugin on that folder; the plugin's own command, run there with bin/skillc,
// prints a render that holds only that tenant's namespaces, that together with the other shards
// is exactly the render of the whole repository, and that syncs to the API server as Argo CD
// syncs it (waves, kubectl apply --force) with every run's pod admitted.
func TestShardArgoCDApplicationSet(t *testing.T) {
	ctx := testContext(t)
	cfg := shardConfig(t)
	plugin := tenantPlugin(t)
	if plugin.Spec.Version != "" || plugin.Spec.Discover != nil {
		t.Errorf("plugin.yaml: want no version and no discover rule (used only when named), got %q, %v", plugin.Spec.Version, plugin.Spec.Discover)
	}
	// The generator lists this repository's folders; the plugin runs in a copy, as the cmp
	// server runs it in the repository it unpacked.
	set, apps := expandApplicationSet(t, repoRoot)
	root := shardRepo(t)
	if !set.Spec.SyncPolicy.PreserveResourcesOnDeletion {
		t.Error("applicationset.yaml: want syncPolicy.preserveResourcesOnDeletion: a removed folder must not delete a tenant's live objects")
	}
	git := set.Spec.Generators[0].Git
	if len(apps) != len(cfg.Spec.Tenants) {
		t.Fatalf("%d Applications for %d tenants: %+v", len(apps), len(cfg.Spec.Tenants), apps)
	}

	shards := map[string][]*unstructured.Unstructured{}
	base := filepath.Join(root, shardRoot)
	for i := range cfg.Spec.Tenants {
		tn := &cfg.Spec.Tenants[i]
		folder := tenantFolder(t, *tn)
		var app *application
		for j := range apps {
			if apps[j].Spec.Source.Path == folder {
				app = &apps[j]
			}
		}
		if app == nil {
			t.Errorf("tenant %s: no Application has path %s", tn.Name, folder)
			continue
		}
		// The folder belongs to this tenant alone, by the config's own rule.
		if ts := cfg.Spec.TenantOfFile(base, filepath.Join(root, folder, "x.yaml")); len(ts) != 1 || ts[0].Name != tn.Name {
			t.Errorf("Application %s: its folder belongs to tenants %v, want %s alone", app.Metadata.Name, ts, tn.Name)
		}
		if want := "skillc-" + tn.Name; app.Metadata.Name != want {
			t.Errorf("tenant %s: Application %q, want %q", tn.Name, app.Metadata.Name, want)
		}
		if app.Spec.Source.RepoURL != git.RepoURL || app.Spec.Source.TargetRevision != git.Revision {
			t.Errorf("Application %s renders %s@%s, the generator listed %s@%s", app.Metadata.Name, app.Spec.Source.RepoURL, app.Spec.Source.TargetRevision, git.RepoURL, git.Revision)
		}
		if app.Spec.Source.Plugin == nil || app.Spec.Source.Plugin.Name != plugin.Metadata.Name {
			t.Errorf("Application %s: plugin %+v, want the one named %q", app.Metadata.Name, app.Spec.Source.Plugin, plugin.Metadata.Name)
		} else if len(app.Spec.Source.Plugin.Env) != 0 {
			t.Errorf("Application %s: plugin env %v: the plugin's command reads none (Argo CD expands no variable in it)", app.Metadata.Name, app.Spec.Source.Plugin.Env)
		}
		if a := app.Spec.SyncPolicy.Automated; a == nil || !a.Prune {
			t.Errorf("Application %s: want automated sync with prune", app.Metadata.Name)
		}
		t.Logf("Application %s: path %s, plugin %s", app.Metadata.Name, app.Spec.Source.Path, plugin.Metadata.Name)

		res := generate(t, root, plugin, *app)
		if res.code != 0 {
			t.Errorf("Application %s: the plugin exited %d:\n%s", app.Metadata.Name, res.code, res.stderr)
			continue
		}
		objs := readYAMLObjects(t, []byte(res.stdout), app.Metadata.Name)
		assertOwnNamespaces(t, tn, objs)
		for _, o := range objs {
			if _, ok := o.GetAnnotations()[argoWave]; !ok {
				t.Errorf("%s: no %s: the plugin did not compile for Argo CD", describe(o), argoWave)
			}
		}
		shards[tn.Name] = objs
	}

	// The shards are the whole repository's render, cut along tenants.
	whole := runIn(t, base, nil, "skillc", "compile", "--config", "skillc.yaml", "--target", "argocd", "catalog", "tenants")
	if whole.code != 0 {
		t.Fatalf("the whole repository's render: exit %d\n%s", whole.code, whole.stderr)
	}
	assertShardsPartition(t, shards, readYAMLObjects(t, []byte(whole.stdout), "whole"))

	// Each shard syncs as Argo CD syncs it, in namespaces of its own for this test.
	cs := clientset(t, nil)
	a := newApplier(t, cp.admin, "skillc-e2e-observer")
	for i := range cfg.Spec.Tenants {
		tn := &cfg.Spec.Tenants[i]
		objs := shards[tn.Name]
		if objs == nil {
			continue
		}
		renamespace(objs, "shard-argo")
		ensureTenantNamespaces(t, ctx, tn, objs)
		if out, err := kubectlSync(t, ctx, objs, true); err != nil {
			t.Fatalf("tenant %s: sync: %v\n%s", tn.Name, err, strings.Join(out, "\n"))
		}
		runPodsAdmitted(t, ctx, cs, objs)
		first := liveState(t, ctx, a, objs)
		out, err := kubectlSync(t, ctx, objs, true)
		if err != nil {
			t.Fatalf("tenant %s: re-sync: %v", tn.Name, err)
		}
		for _, l := range out {
			if !strings.HasSuffix(l, " unchanged") {
				t.Errorf("tenant %s: re-sync of an unchanged render: %q", tn.Name, l)
			}
		}
		if again := liveState(t, ctx, a, objs); !equalState(again, first) {
			t.Errorf("tenant %s: re-sync changed live objects", tn.Name)
		}
		t.Logf("tenant %s: %d objects synced", tn.Name, len(objs))
	}
}

// intruders are files a tenant could add to its own folder to reach past it. Each is refused by
// the tenant plugin (for Argo CD) and by the per-tenant render (for Flux), writing nothing.
var intruders = []struct {
	name, file, body string
	code             int
	want             []string
}{
	{
		name: "another tenant's namespace", code: 1,
		file: "intruder.yaml",
		body: `apiVersion: sympozium.ai/v1alpha1
kind: SympoziumInstance
metadata: {name: intruder, namespace: NS}
spec:
  agents: {default: {model: gpt-4o}}
  skills: [{skillPackRef: cluster-triage}]
---
apiVersion: sympozium.ai/v1alpha1
kind: AgentRun
metadata: {name: intruder-1, namespace: NS}
spec: {instanceRef: intruder, task: read the other team's pods}
`,
		want: []string{"intruder.yaml:3: TEN-01: metadata.namespace: SympoziumInstance NS/intruder", "intruder.yaml:10: TEN-01: metadata.namespace: AgentRun NS/intruder-1", "may target only namespaces", `not "NS"`},
	},
	{
		name: "a catalog pack", code: 1,
		file: "catalog-pack.yaml",
		body: `apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata: {name: cluster-triage-2, namespace: sympozium-system}
spec:
  skills: [{name: s, description: d, content: "# s"}]
`,
		want: []string{"catalog-pack.yaml:3: TEN-01:", "a tenant cannot publish to the catalog"},
	},
	{
		name: "its own CompilerConfig", code: 2,
		file: "skillc.yaml",
		body: "apiVersion: skillc.dev/v1alpha1\nkind: CompilerConfig\nmetadata: {name: mine}\nspec: {policy: {profile: baseline}}\n",
		want: []string{"skillc.yaml:1: a CompilerConfig is given with --config and also among the inputs"},
	},
}

// otherTenant is a namespace of a tenant other than tn.
func otherTenant(t *testing.T, cfg *api.CompilerConfig, tn *api.Tenant) string {
	t.Helper()
	for _, o := range cfg.Spec.Tenants {
		if o.Name != tn.Name {
			return strings.TrimSuffix(o.Namespaces[0], "*")
		}
	}
	t.Fatal("one tenant")
	return ""
}

// TestShardArgoCDTenantCannotReachOthers: a file in one tenant's folder that targets another
// tenant's namespace (TEN-01), publishes a catalog pack (TEN-01) or brings its own config fails
// that tenant's Application: the plugin prints nothing and exits non-zero, so Argo CD applies and
// prunes nothing; the other tenant's Application still renders.
func TestShardArgoCDTenantCannotReachOthers(t *testing.T) {
	cfg := shardConfig(t)
	plugin := tenantPlugin(t)
	tn := &cfg.Spec.Tenants[0]
	other := otherTenant(t, cfg, tn)
	for _, c := range intruders {
		t.Run(c.name, func(t *testing.T) {
			root := shardRepo(t)
			body := strings.ReplaceAll(c.body, "NS", other)
			if err := os.WriteFile(filepath.Join(root, tenantFolder(t, *tn), c.file), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			_, apps := expandApplicationSet(t, root)
			for _, app := range apps {
				res := generate(t, root, plugin, app)
				if app.Spec.Source.Path != tenantFolder(t, *tn) {
					if res.code != 0 {
						t.Errorf("Application %s failed because of another tenant's file: %s", app.Metadata.Name, res.stderr)
					}
					continue
				}
				if res.code != c.code || res.stdout != "" {
					t.Errorf("Application %s: exit %d with %d bytes on stdout, want exit %d and nothing", app.Metadata.Name, res.code, len(res.stdout), c.code)
				}
				for _, w := range c.want {
					if w = strings.ReplaceAll(w, "NS", other); !strings.Contains(res.stderr, w) {
						t.Errorf("Application %s: stderr lacks %q:\n%s", app.Metadata.Name, w, res.stderr)
					}
				}
			}
		})
	}
}

// TestShardArgoCDInstallComponent: the tenant plugin's Component builds beside kustomize/argocd's
// with the real kustomize: a second sidecar serving plugin.yaml from its hash-suffixed ConfigMap,
// and the API server accepts the result (server-side dry run).
func TestShardArgoCDInstallComponent(t *testing.T) {
	ctx := testContext(t)
	dir := t.TempDir()
	copyTree(t, filepath.Join(repoRoot, "kustomize", "argocd"), filepath.Join(dir, "skillc"))
	copyTree(t, filepath.Join(repoRoot, shardRoot, "argocd"), filepath.Join(dir, "skillc-tenant"))
	stub := `apiVersion: apps/v1
kind: Deployment
metadata: {name: argocd-repo-server}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: argocd-repo-server}}
  template:
    metadata: {labels: {app.kubernetes.io/name: argocd-repo-server}}
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
	ns := "shard-argocd"
	for f, body := range map[string]string{
		"install.yaml":       stub,
		"kustomization.yaml": "namespace: " + ns + "\nresources: [install.yaml]\ncomponents: [skillc, skillc-tenant]\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res := runIn(t, dir, nil, binPath("kustomize"), "build", ".")
	if res.code != 0 {
		t.Fatalf("kustomize build: exit %d\n%s", res.code, res.stderr)
	}
	objs := readYAMLObjects(t, []byte(res.stdout), "kustomize build")
	var deploy appsv1.Deployment
	configMaps := map[string]corev1.ConfigMap{}
	for _, o := range objs {
		b, _ := yaml.Marshal(o.Object)
		switch o.GetKind() {
		case "Deployment":
			if err := yaml.UnmarshalStrict(b, &deploy); err != nil {
				t.Fatal(err)
			}
		case "ConfigMap":
			var cm corev1.ConfigMap
			if err := yaml.UnmarshalStrict(b, &cm); err != nil {
				t.Fatal(err)
			}
			configMaps[cm.Name] = cm
		}
	}
	var sidecar *corev1.Container
	var names []string
	for i, c := range deploy.Spec.Template.Spec.Containers {
		names = append(names, c.Name)
		if c.Name == "skillc-tenant" {
			sidecar = &deploy.Spec.Template.Spec.Containers[i]
		}
	}
	if sidecar == nil || !slices.Contains(names, "skillc") {
		t.Fatalf("containers %v: want both skillc and skillc-tenant", names)
	}
	var cmName string
	for _, m := range sidecar.VolumeMounts {
		if m.MountPath == "/home/argocd/cmp-server/config/plugin.yaml" {
			for _, v := range deploy.Spec.Template.Spec.Volumes {
				if v.Name == m.Name && v.ConfigMap != nil {
					cmName = v.ConfigMap.Name
				}
			}
		}
	}
	cm, ok := configMaps[cmName]
	if !ok || !strings.HasPrefix(cmName, "skillc-tenant-cmp-plugin-") {
		t.Fatalf("skillc-tenant mounts plugin.yaml from ConfigMap %q, built ConfigMaps %v", cmName, slices.Sorted(maps.Keys(configMaps)))
	}
	if got, want := cm.Data["plugin.yaml"], readFile(t, filepath.Join(repoRoot, shardRoot, "argocd", "plugin.yaml")); got != want {
		t.Errorf("ConfigMap %s holds another plugin.yaml than the example's", cmName)
	}
	// Restricted: the stub's own container is warned about, the sidecars must not be.
	ensureNamespace(t, ctx, clientset(t, nil), ns, "restricted")
	w := &warnings{}
	cfg := rest.CopyConfig(cp.admin)
	cfg.WarningHandler = w
	a := newApplier(t, cfg, "skillc-e2e")
	for _, o := range objs {
		if _, err := a.apply(ctx, o, true); err != nil {
			t.Errorf("%s: refused by the API server: %v", describe(o), err)
		}
		for _, msg := range w.take() {
			if strings.Contains(msg, `"skillc`) {
				t.Errorf("%s: API warning about a skillc sidecar: %s", describe(o), msg)
			}
		}
	}
}

// --- Flux ----------------------------------------------------------------------------------

// fluxSync reads flux/sync.yaml with Flux's own API types, strictly (an unknown or misspelled
// field fails): the GitRepository and the Kustomizations.
func fluxSync(t *testing.T) (sourcev1.GitRepository, []kustomizev1.Kustomization, []*unstructured.Unstructured) {
	t.Helper()
	var repo sourcev1.GitRepository
	var kss []kustomizev1.Kustomization
	var raw []*unstructured.Unstructured
	for _, o := range readYAMLObjects(t, []byte(readFile(t, filepath.Join(repoRoot, shardRoot, "flux", "sync.yaml"))), "sync.yaml") {
		b, _ := yaml.Marshal(o.Object)
		switch o.GroupVersionKind() {
		case sourcev1.GroupVersion.WithKind(sourcev1.GitRepositoryKind):
			if err := yaml.UnmarshalStrict(b, &repo); err != nil {
				t.Fatalf("sync.yaml: GitRepository: %v", err)
			}
		case kustomizev1.GroupVersion.WithKind(kustomizev1.KustomizationKind):
			var ks kustomizev1.Kustomization
			if err := yaml.UnmarshalStrict(b, &ks); err != nil {
				t.Fatalf("sync.yaml: Kustomization: %v", err)
			}
			kss = append(kss, ks)
			raw = append(raw, o)
		default:
			t.Fatalf("sync.yaml: unexpected %s", o.GroupVersionKind())
		}
	}
	return repo, kss, raw
}

// renderCommand is the command CI runs (README) to render one tenant for Flux, from the
// repository root.
func renderCommand(tenant string, verify bool) []string {
	argv := []string{"skillc", "compile"}
	if verify {
		argv = append(argv, "--verify")
	}
	return append(argv, "--config", shardRoot+"/skillc.yaml", "--target", "flux",
		"-o", shardRoot+"/flux/rendered/"+tenant, shardRoot+"/catalog", shardRoot+"/tenants/"+tenant)
}

// TestShardFluxKustomizations: one Flux Kustomization per tenant, each on that tenant's committed
// render, which is what the tenant's folder compiles to. Each path is built the way
// kustomize-controller builds it (its kustomization generator and SecureBuild, fluxcd/pkg/kustomize)
// and by the real kustomize, holds only the tenant's namespaces, and applies with Flux's apply
// engine; the shards together are the whole repository's render.
func TestShardFluxKustomizations(t *testing.T) {
	ctx := testContext(t)
	cfg := shardConfig(t)
	repo, kss, raw := fluxSync(t)
	if len(kss) != len(cfg.Spec.Tenants) {
		t.Fatalf("sync.yaml has %d Kustomizations for %d tenants", len(kss), len(cfg.Spec.Tenants))
	}
	f := newFluxManager(t)
	a := newApplier(t, cp.admin, "skillc-e2e-observer")
	shards := map[string][]*unstructured.Unstructured{}
	for i := range cfg.Spec.Tenants {
		tn := &cfg.Spec.Tenants[i]
		rendered := shardRoot + "/flux/rendered/" + tn.Name
		k := slices.IndexFunc(kss, func(ks kustomizev1.Kustomization) bool { return ks.Spec.Path == "./"+rendered })
		if k < 0 {
			t.Errorf("tenant %s: no Kustomization has path ./%s", tn.Name, rendered)
			continue
		}
		ks := kss[k]
		if ks.Spec.SourceRef.Kind != sourcev1.GitRepositoryKind || ks.Spec.SourceRef.Name != repo.Name || ks.Namespace != repo.Namespace {
			t.Errorf("Kustomization %s: source %+v, want the GitRepository %s/%s", ks.Name, ks.Spec.SourceRef, repo.Namespace, repo.Name)
		}
		if !ks.Spec.Prune || ks.Spec.Wait {
			t.Errorf("Kustomization %s: prune %v, wait %v; want prune and no wait", ks.Name, ks.Spec.Prune, ks.Spec.Wait)
		}
		if ks.Spec.TargetNamespace != "" {
			t.Errorf("Kustomization %s: targetNamespace %q would move the render out of the namespaces skillc judged", ks.Name, ks.Spec.TargetNamespace)
		}

		// The committed render is what the tenant's folder compiles to.
		if res := runIn(t, repoRoot, nil, renderCommand(tn.Name, true)...); res.code != 0 {
			t.Errorf("tenant %s: %s is stale (exit %d): run %s\n%s%s", tn.Name, rendered, res.code, strings.Join(renderCommand(tn.Name, false), " "), res.stdout, res.stderr)
		}

		// Built as kustomize-controller builds it: the source checked out at root, a
		// kustomization.yaml generated in the path (there is none), SecureBuild.
		root := t.TempDir()
		dir := filepath.Join(root, filepath.FromSlash(rendered))
		copyTree(t, filepath.Join(repoRoot, rendered), dir)
		if _, err := fluxkustomize.NewGenerator(root, *raw[k]).WriteFile(dir); err != nil {
			t.Fatalf("Kustomization %s: generating kustomization.yaml: %v", ks.Name, err)
		}
		rm, err := fluxkustomize.SecureBuild(root, dir, false)
		if err != nil {
			t.Fatalf("Kustomization %s: build: %v", ks.Name, err)
		}
		var objs []*unstructured.Unstructured
		for _, r := range rm.Resources() {
			b, err := r.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			u := &unstructured.Unstructured{}
			if err := u.UnmarshalJSON(b); err != nil {
				t.Fatal(err)
			}
			objs = append(objs, u)
		}
		// The real kustomize builds the same objects from the same folder.
		res := runIn(t, dir, nil, binPath("kustomize"), "build", ".")
		if res.code != 0 {
			t.Fatalf("Kustomization %s: kustomize build: exit %d\n%s", ks.Name, res.code, res.stderr)
		}
		kobjs := readYAMLObjects(t, []byte(res.stdout), "kustomize build")
		assertShardsPartition(t, map[string][]*unstructured.Unstructured{ks.Name: objs}, kobjs)

		assertOwnNamespaces(t, tn, objs)
		for _, o := range objs {
			if o.GetKind() == "Job" && o.GetAnnotations()[fluxForce] != "enabled" {
				t.Errorf("%s lacks %s: the render is not for Flux", describe(o), fluxForce)
			}
		}
		shards[ks.Name] = deepCopyAll(objs)

		// Applied as kustomize-controller applies it, under this Kustomization's owner labels.
		renamespace(objs, "shard-flux")
		ensureTenantNamespaces(t, ctx, tn, objs)
		apply := func() *ssa.ChangeSet {
			t.Helper()
			in := deepCopyAll(objs)
			f.m.SetOwnerLabels(in, ks.Name, ks.Namespace)
			cs, err := f.m.ApplyAllStaged(ctx, in, f.opts)
			if err != nil {
				t.Fatalf("Kustomization %s: apply: %v", ks.Name, err)
			}
			return cs
		}
		for _, e := range apply().Entries {
			if e.Action != ssa.CreatedAction {
				t.Errorf("Kustomization %s: first apply: %s %s, want created", ks.Name, e.Subject, e.Action)
			}
		}
		runPodsAdmitted(t, ctx, clientset(t, nil), objs)
		first := liveState(t, ctx, a, objs)
		for _, e := range apply().Entries {
			if e.Action != ssa.UnchangedAction {
				t.Errorf("Kustomization %s: re-apply: %s %s, want unchanged", ks.Name, e.Subject, e.Action)
			}
		}
		if again := liveState(t, ctx, a, objs); !equalState(again, first) {
			t.Errorf("Kustomization %s: re-apply changed live objects", ks.Name)
		}
		t.Logf("Kustomization %s: path %s, %d objects applied", ks.Name, ks.Spec.Path, len(objs))
	}

	base := filepath.Join(repoRoot, shardRoot)
	whole := runIn(t, base, nil, "skillc", "compile", "--config", "skillc.yaml", "--target", "flux", "catalog", "tenants")
	if whole.code != 0 {
		t.Fatalf("the whole repository's render: exit %d\n%s", whole.code, whole.stderr)
	}
	assertShardsPartition(t, shards, readYAMLObjects(t, []byte(whole.stdout), "whole"))
}

// TestShardFluxTenantCannotReachOthers: the same intruding files fail the tenant's render in CI
// (the command of the README), and the committed render is left as it was: Flux keeps syncing
// the last good one.
func TestShardFluxTenantCannotReachOthers(t *testing.T) {
	cfg := shardConfig(t)
	tn := &cfg.Spec.Tenants[0]
	other := otherTenant(t, cfg, tn)
	for _, c := range intruders {
		t.Run(c.name, func(t *testing.T) {
			root := shardRepo(t)
			rendered := filepath.Join(root, shardRoot, "flux", "rendered", tn.Name)
			before := readYAMLDir(t, rendered)
			body := strings.ReplaceAll(c.body, "NS", other)
			if err := os.WriteFile(filepath.Join(root, tenantFolder(t, *tn), c.file), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			res := runIn(t, root, nil, renderCommand(tn.Name, false)...)
			if res.code != c.code || res.stdout != "" {
				t.Errorf("render: exit %d, stdout %q; want exit %d and nothing", res.code, res.stdout, c.code)
			}
			for _, w := range c.want {
				if w = strings.ReplaceAll(w, "NS", other); !strings.Contains(res.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, res.stderr)
				}
			}
			after := readYAMLDir(t, rendered)
			assertShardsPartition(t, map[string][]*unstructured.Unstructured{"after": after}, before)
		})
	}
}
