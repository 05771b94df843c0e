package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/source"
)

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// warnings is a client-go WarningHandler that keeps every warning the API server sends. Pod
// Security only warns (never refuses) for a Job whose pod template breaks the namespace's level,
// so a render that "applied" could still be one whose Pods will all be refused: tests fail on any.
type warnings struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warnings) HandleWarningHeader(code int, agent, text string) {
	if code != 299 || text == "" {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgs = append(w.msgs, text)
}

func (w *warnings) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.msgs
	w.msgs = nil
	return out
}

// readYAMLObjects decodes a multi-document YAML stream into objects (empty documents skipped).
func readYAMLObjects(t *testing.T, data []byte, name string) []*unstructured.Unstructured {
	t.Helper()
	var out []*unstructured.Unstructured
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	for {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			t.Fatalf("%s: %v", name, err)
		}
		if len(m) == 0 {
			continue
		}
		out = append(out, &unstructured.Unstructured{Object: m})
	}
	return out
}

func readYAMLDir(t *testing.T, dir string) []*unstructured.Unstructured {
	t.Helper()
	var out []*unstructured.Unstructured
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".yaml" {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out = append(out, readYAMLObjects(t, b, p)...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// fixtureCase is one compile case of the golden suite: fixtures/<name>/ with its args file.
type fixtureCase struct {
	name    string
	dir     string // relative to the repository root
	paths   []string
	opts    compile.Options
	profile string // the effective policy profile the render passed (or was denied) under
}

// fixtureCases lists fixtures/<case>/ (golden renders) or fixtures/denied/<case>/.
func fixtureCases(t *testing.T, sub string) []fixtureCase {
	t.Helper()
	base := filepath.Join(repoRoot, "fixtures", sub)
	entries, err := os.ReadDir(base)
	if err != nil {
		t.Fatal(err)
	}
	var out []fixtureCase
	for _, e := range entries {
		if !e.IsDir() || (sub == "" && slices.Contains([]string{"denied", "diff", "invalid"}, e.Name())) {
			continue
		}
		c := fixtureCase{name: e.Name(), dir: filepath.Join("fixtures", sub, e.Name())}
		words := []string{}
		if b, err := os.ReadFile(filepath.Join(base, e.Name(), "args")); err == nil {
			words = strings.Fields(string(b))
		}
		for i := 0; i < len(words); i++ {
			w := words[i]
			if !strings.HasPrefix(w, "--") {
				c.paths = append(c.paths, w)
				continue
			}
			i++
			switch w {
			case "--target":
				c.opts.Target = words[i]
			case "--sidecars":
				c.opts.Sidecars = words[i]
			case "--identity":
				c.opts.Identity = words[i]
			case "--profile":
				c.opts.Profile = words[i]
			default:
				t.Fatalf("%s/args: flag %s is not understood by the e2e tests", c.dir, w)
			}
		}
		c.paths = append(c.paths, c.dir)
		out = append(out, c)
	}
	if len(out) == 0 {
		t.Fatalf("no fixtures under %s", base)
	}
	return out
}

// compileUngated compiles a case in-process without the policy gate: the objects a denied case
// would have produced, and the effective config (its profile).
func compileUngated(t *testing.T, c *fixtureCase) []*unstructured.Unstructured {
	t.Helper()
	wd, _ := os.Getwd()
	if err := os.Chdir(repoRoot); err != nil { // file names in diagnostics are relative
		t.Fatal(err)
	}
	files, diags := source.ReadPaths(c.paths, nil)
	if err := os.Chdir(wd); err != nil {
		t.Fatal(err)
	}
	if diags.HasErrors() {
		t.Fatalf("%s: %v", c.dir, diags)
	}
	res, ds := compile.Compile(files, c.opts)
	err := ds.Err()
	if err != nil {
		t.Fatalf("%s: %v", c.dir, err)
	}
	c.profile = string(res.Config.Spec.Policy.Profile)
	var out []*unstructured.Unstructured
	for _, o := range res.Objects {
		m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(o)
		if err != nil {
			t.Fatal(err)
		}
		u := &unstructured.Unstructured{Object: m}
		unstructured.RemoveNestedField(u.Object, "metadata", "creationTimestamp")
		unstructured.RemoveNestedField(u.Object, "status")
		unstructured.RemoveNestedField(u.Object, "spec", "template", "metadata", "creationTimestamp")
		unstructured.RemoveNestedField(u.Object, "spec", "jobTemplate", "metadata", "creationTimestamp")
		unstructured.RemoveNestedField(u.Object, "spec", "jobTemplate", "spec", "template", "metadata", "creationTimestamp")
		out = append(out, u)
	}
	return out
}

// goldenRender reads golden/<case>.yaml: the render the golden suite claims is right.
func goldenRender(t *testing.T, name string) []*unstructured.Unstructured {
	t.Helper()
	p := filepath.Join(repoRoot, "golden", name+".yaml")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return readYAMLObjects(t, b, p)
}

// shortName keeps a derived namespace name within the 63 characters a namespace may have.
func shortName(s string) string {
	if len(s) <= 63 {
		return s
	}
	h := sha256.Sum256([]byte(s))
	return s[:54] + "-" + hex.EncodeToString(h[:4])
}

// renamespace moves a render into namespaces of its own (prefix-<ns>), so every case can be
// applied side by side in one cluster; bindings' subjects follow. It returns the old → new map.
func renamespace(objs []*unstructured.Unstructured, prefix string) map[string]string {
	names := map[string]string{}
	rename := func(ns string) string {
		if ns == "" {
			return ""
		}
		if n, ok := names[ns]; ok {
			return n
		}
		n := shortName(prefix + "-" + ns)
		names[ns] = n
		return n
	}
	// Cluster-scoped objects get the prefix in their names, and references to them follow.
	clusterName := func(n string) string { return shortName(prefix + "-" + n) }
	for _, o := range objs {
		if ns := o.GetNamespace(); ns != "" {
			o.SetNamespace(rename(ns))
		}
		switch o.GetKind() {
		case "ClusterRole", "ClusterRoleBinding":
			o.SetName(clusterName(o.GetName()))
		}
		if kind, _, _ := unstructured.NestedString(o.Object, "roleRef", "kind"); kind == "ClusterRole" {
			n, _, _ := unstructured.NestedString(o.Object, "roleRef", "name")
			_ = unstructured.SetNestedField(o.Object, clusterName(n), "roleRef", "name")
		}
		if subs, ok, _ := unstructured.NestedSlice(o.Object, "subjects"); ok {
			for _, s := range subs {
				m := s.(map[string]any)
				if ns, _ := m["namespace"].(string); ns != "" {
					m["namespace"] = rename(ns)
				}
			}
			_ = unstructured.SetNestedSlice(o.Object, subs, "subjects")
		}
	}
	return names
}

// podTemplatePath is where each pod-bearing kind skillc emits holds its pod template.
func podTemplatePath(kind string) []string {
	switch kind {
	case "Job", "Deployment":
		return []string{"spec", "template"}
	case "CronJob":
		return []string{"spec", "jobTemplate", "spec", "template"}
	case "Sandbox", "SandboxWarmPool": // agents.x-k8s.io
		return []string{"spec", "podTemplate"}
	}
	return nil
}

// podSpecOf returns the pod template of a pod-bearing object (nil for other kinds).
func podSpecOf(t *testing.T, o *unstructured.Unstructured) *corev1.PodTemplateSpec {
	t.Helper()
	path := podTemplatePath(o.GetKind())
	if path == nil {
		return nil
	}
	m, ok, err := unstructured.NestedMap(o.Object, path...)
	if err != nil || !ok {
		t.Fatalf("%s %s: no pod template (%v)", o.GetKind(), o.GetName(), err)
	}
	var tpl corev1.PodTemplateSpec
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m, &tpl); err != nil {
		t.Fatal(err)
	}
	return &tpl
}

// hostAccess says whether a pod uses anything Pod Security's baseline level refuses outright
// that skillc allows only through the platform's allow-lists (host namespaces, host paths,
// privileged or root sidecars, added capabilities).
func hostAccess(spec *corev1.PodSpec) bool {
	if spec.HostPID || spec.HostNetwork || spec.HostIPC {
		return true
	}
	for _, v := range spec.Volumes {
		if v.HostPath != nil {
			return true
		}
	}
	for _, c := range append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...) {
		sc := c.SecurityContext
		if sc == nil {
			continue
		}
		if (sc.Privileged != nil && *sc.Privileged) || (sc.RunAsUser != nil && *sc.RunAsUser == 0) ||
			(sc.Capabilities != nil && len(sc.Capabilities.Add) > 0) {
			return true
		}
	}
	return false
}

// applier applies objects with server-side apply through the dynamic client.
type applier struct {
	dyn    dynamic.Interface
	mapper meta.RESTMapper
	owner  string
}

func newApplier(t *testing.T, cfg *rest.Config, owner string) *applier {
	t.Helper()
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cp.admin)
	if err != nil {
		t.Fatal(err)
	}
	groups, err := restmapper.GetAPIGroupResources(dc)
	if err != nil {
		t.Fatal(err)
	}
	return &applier{dyn: dyn, mapper: restmapper.NewDiscoveryRESTMapper(groups), owner: owner}
}

func (a *applier) resource(o *unstructured.Unstructured) (dynamic.ResourceInterface, error) {
	gvk := o.GroupVersionKind()
	m, err := a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil, err
	}
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		return a.dyn.Resource(m.Resource).Namespace(o.GetNamespace()), nil
	}
	return a.dyn.Resource(m.Resource), nil
}

func (a *applier) apply(ctx context.Context, o *unstructured.Unstructured, dryRun bool) (*unstructured.Unstructured, error) {
	r, err := a.resource(o)
	if err != nil {
		return nil, err
	}
	data, err := o.MarshalJSON()
	if err != nil {
		return nil, err
	}
	opts := metav1.PatchOptions{FieldManager: a.owner, Force: ptr(true)}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	return r.Patch(ctx, o.GetName(), types.ApplyPatchType, data, opts)
}

func (a *applier) get(ctx context.Context, o *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	r, err := a.resource(o)
	if err != nil {
		return nil, err
	}
	return r.Get(ctx, o.GetName(), metav1.GetOptions{})
}

func ptr[T any](v T) *T { return &v }

// ensureNamespace creates (or relabels) a namespace enforcing a Pod Security level.
func ensureNamespace(t *testing.T, ctx context.Context, cs kubernetes.Interface, name, level string) {
	t.Helper()
	labels := map[string]string{
		"pod-security.kubernetes.io/enforce": level,
		// Warn and audit at the same level: a warning then means the same as a refusal would.
		"pod-security.kubernetes.io/warn":  level,
		"pod-security.kubernetes.io/audit": level,
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
	_, err := cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		cur, gerr := cs.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
		if gerr != nil {
			t.Fatal(gerr)
		}
		cur.Labels = labels
		_, err = cs.CoreV1().Namespaces().Update(ctx, cur, metav1.UpdateOptions{})
	}
	if err != nil {
		t.Fatalf("namespace %s: %v", name, err)
	}
}

func describe(o *unstructured.Unstructured) string {
	if ns := o.GetNamespace(); ns != "" {
		return fmt.Sprintf("%s %s/%s", o.GetKind(), ns, o.GetName())
	}
	return fmt.Sprintf("%s %s", o.GetKind(), o.GetName())
}
