package permissions

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/sync/errgroup"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/source"
)

// sourceGroups are the API groups of skillc's inputs: a document of these means "compile this".
var sourceGroups = []string{"sympozium.ai/", "skillc.dev/"}

// rendered are the kinds that carry permissions, with the apiVersion skillc emits them in; a
// ClusterRoleBinding says which namespace a ClusterRole's run is in. A RoleBinding adds nothing to
// its Role (the same run, the same namespace), so it is not decoded: it is most of a render.
var rendered = map[string]struct {
	apiVersion string
	new        func() compile.Object
}{
	"Job":                {"batch/v1", func() compile.Object { return &batchv1.Job{} }},
	"Deployment":         {"apps/v1", func() compile.Object { return &appsv1.Deployment{} }},
	"CronJob":            {"batch/v1", func() compile.Object { return &batchv1.CronJob{} }},
	"Sandbox":            {compile.AgentSandboxAPIVersion, func() compile.Object { return &compile.Sandbox{} }},
	"SandboxWarmPool":    {compile.AgentSandboxAPIVersion, func() compile.Object { return &compile.SandboxWarmPool{} }},
	"Role":               {"rbac.authorization.k8s.io/v1", func() compile.Object { return &rbacv1.Role{} }},
	"ClusterRole":        {"rbac.authorization.k8s.io/v1", func() compile.Object { return &rbacv1.ClusterRole{} }},
	"ClusterRoleBinding": {"rbac.authorization.k8s.io/v1", func() compile.Object { return &rbacv1.ClusterRoleBinding{} }},
}

// ReadRendered decodes the objects of a render (a YAML stream or an -o DIR tree of skillc output)
// into typed objects with source's Reader, the loader of every command: the same limits (file
// size, text, elements, nesting, aliases, tags) and the same strict decoder, so unknown fields,
// wrong types and broken YAML are errors at FILE:LINE with the field's path. Kinds that carry no
// permissions (ConfigMap, ServiceAccount, ...) are skipped. When the files hold sources instead (a
// SkillPack, instance, run, schedule, CompilerConfig or SKILL.md package), it returns sources=true
// and nothing else: they are to be compiled.
func ReadRendered(files []source.File) (objs []compile.Object, sources bool, diags diag.Diagnostics) {
	type result struct {
		obj   compile.Object
		diags diag.Diagnostics
	}
	r := source.NewReader()
	// A render of a large platform is one stream of more documents than a source file may hold:
	// only the total is limited.
	r.DocumentsPerFile = source.MaxDocuments
	// Parsing is sequential per file; decoding, most of the time on a large render, runs on every
	// core while parsing goes on. Go blocks while every worker is busy, so no more than a few parsed
	// documents are held at once. Results keep the documents' order: the parser appends each
	// document's slot, its worker fills it.
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	var results []*result
	stop := func() []*result {
		_ = g.Wait() // the workers return no error: a document's problems are its diagnostics
		return results
	}
	total := 0
	for _, f := range files {
		if f.Package != nil || strings.EqualFold(filepath.Ext(f.Name), ".zip") {
			stop()
			return nil, true, nil
		}
		// A walked file none of whose documents has apiVersion or kind is skipped, as Load skips it.
		var foreign diag.Diagnostics
		manifest := false
		ds := r.Documents(f, func(body *source.Node) bool {
			total++
			if f.Walked && !source.ManifestLike(body) {
				foreign = append(foreign, diag.Diagnostic{File: f.Name, Line: body.Line, Severity: diag.SeverityError, Message: "no apiVersion or kind: not a Kubernetes object"})
				return true
			}
			manifest = true
			if body.Kind != source.MappingNode {
				diags = append(diags, diag.Diagnostic{File: f.Name, Line: body.Line, Severity: diag.SeverityError, Message: "document is not a mapping: not a Kubernetes object"})
				return true
			}
			apiVersion, kind := scalarField(body, "apiVersion"), scalarField(body, "kind")
			for _, g := range sourceGroups {
				if strings.HasPrefix(apiVersion, g) {
					sources = true
					return false
				}
			}
			if apiVersion == "" || kind == "" {
				diags = append(diags, diag.Diagnostic{File: f.Name, Line: body.Line, Severity: diag.SeverityError, Message: "no apiVersion or kind: not a Kubernetes object"})
				return true
			}
			want, ok := rendered[kind]
			if !ok {
				return true
			}
			if apiVersion != want.apiVersion {
				diags = append(diags, diag.Diagnostic{File: f.Name, Line: lineOfKey(body, "apiVersion"), Field: "apiVersion", Severity: diag.SeverityError,
					Message: fmt.Sprintf("%s must be %s, got %q", kind, want.apiVersion, apiVersion)})
				return true
			}
			res := &result{}
			results = append(results, res)
			file := f.Name
			g.Go(func() error {
				res.obj, res.diags = decodeDoc(r, file, kind, body)
				return nil
			})
			return true
		})
		if sources {
			stop()
			return nil, true, nil
		}
		diags = append(diags, ds...)
		if manifest {
			diags = append(diags, foreign...)
		}
		if r.Exhausted() {
			break
		}
	}
	for _, res := range stop() {
		if res.diags != nil {
			diags = append(diags, res.diags...)
		} else {
			objs = append(objs, res.obj)
		}
	}
	if diags.HasErrors() {
		return nil, false, diags
	}
	return objs, false, nil
}

// decodeDoc decodes one document of a permission kind strictly into its typed object with the
// Reader's decoder; other kinds give nil.
func decodeDoc(r *source.Reader, file, kind string, node *source.Node) (compile.Object, diag.Diagnostics) {
	k, ok := rendered[kind]
	if !ok {
		return nil, nil
	}
	obj := k.new()
	if _, diags := r.Decode(file, node, obj); diags != nil {
		return nil, diags
	}
	return obj, nil
}

func scalarField(m *source.Node, key string) string {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key && m.Content[i+1].Kind == source.ScalarNode {
			return m.Content[i+1].Value
		}
	}
	return ""
}

// lineOfKey is the line of the top-level key of a mapping, or the mapping's.
func lineOfKey(n *source.Node, key string) int {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i].Line
		}
	}
	return n.Line
}
