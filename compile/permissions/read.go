package permissions

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	yaml "go.yaml.in/yaml/v3"
	batchv1 "k8s.io/api/batch/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/skillc-dev/skillc/compile"
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
	"CronJob":            {"batch/v1", func() compile.Object { return &batchv1.CronJob{} }},
	"Role":               {"rbac.authorization.k8s.io/v1", func() compile.Object { return &rbacv1.Role{} }},
	"ClusterRole":        {"rbac.authorization.k8s.io/v1", func() compile.Object { return &rbacv1.ClusterRole{} }},
	"ClusterRoleBinding": {"rbac.authorization.k8s.io/v1", func() compile.Object { return &rbacv1.ClusterRoleBinding{} }},
}

// ReadRendered decodes the objects of a render (a YAML stream or an -o DIR tree of skillc output)
// into typed objects, strictly: unknown fields, wrong types and broken YAML are errors located at
// FILE:LINE. Kinds that carry no permissions (ConfigMap, ServiceAccount, ...) are skipped. When the
// files hold sources instead (a SkillPack, instance, run, schedule, CompilerConfig or SKILL.md
// package), it returns sources=true and nothing else: they are to be compiled.
func ReadRendered(files []compile.File) (objs []compile.Object, sources bool, diags compile.Diagnostics) {
	type doc struct {
		i          int
		file, kind string
		node       *yaml.Node
	}
	type result struct {
		i    int
		obj  compile.Object
		diag *compile.Diagnostic
	}
	// Parsing is sequential per file; decoding, most of the time on a large render, runs on every
	// core while parsing goes on, so no more than a few parsed documents are held at once.
	jobs := make(chan doc, 64)
	perWorker := make([][]result, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for w := range perWorker {
		wg.Go(func() {
			for d := range jobs {
				obj, diag := decodeDoc(d.file, d.kind, d.node)
				perWorker[w] = append(perWorker[w], result{d.i, obj, diag})
			}
		})
	}
	stop := func() []result {
		close(jobs)
		wg.Wait()
		all := slices.Concat(perWorker...)
		slices.SortFunc(all, func(a, b result) int { return a.i - b.i })
		return all
	}
	total := 0
	for _, f := range files {
		if f.Package != nil || strings.EqualFold(filepath.Ext(f.Name), ".zip") {
			stop()
			return nil, true, nil
		}
		dec := yaml.NewDecoder(bytes.NewReader(f.Data))
		for {
			var node yaml.Node
			err := dec.Decode(&node)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				line, msg := yamlError(err)
				diags = append(diags, compile.Diagnostic{File: f.Name, Line: line, Severity: compile.SeverityError, Message: msg})
				break
			}
			// A render of a large platform is one stream of more documents than a source file may
			// hold: only the total is limited.
			if total++; total > compile.MaxDocuments {
				stop()
				diags = append(diags, compile.Diagnostic{File: f.Name, Line: node.Line, Severity: compile.SeverityError,
					Message: fmt.Sprintf("more than %d documents in all", compile.MaxDocuments)})
				return nil, false, diags
			}
			body := &node
			if body.Kind == yaml.DocumentNode && len(body.Content) == 1 {
				body = body.Content[0]
			}
			if body.Kind == yaml.ScalarNode && body.Tag == "!!null" {
				continue // an empty document
			}
			if body.Kind != yaml.MappingNode {
				diags = append(diags, compile.Diagnostic{File: f.Name, Line: body.Line, Severity: compile.SeverityError, Message: "document is not a mapping: not a Kubernetes object"})
				continue
			}
			apiVersion, kind := scalarField(body, "apiVersion"), scalarField(body, "kind")
			for _, g := range sourceGroups {
				if strings.HasPrefix(apiVersion, g) {
					stop()
					return nil, true, nil
				}
			}
			if apiVersion == "" || kind == "" {
				diags = append(diags, compile.Diagnostic{File: f.Name, Line: body.Line, Severity: compile.SeverityError, Message: "no apiVersion or kind: not a Kubernetes object"})
				continue
			}
			want, ok := rendered[kind]
			if !ok {
				continue
			}
			if apiVersion != want.apiVersion {
				diags = append(diags, compile.Diagnostic{File: f.Name, Line: lineOfKey(body, "apiVersion"), Field: "apiVersion", Severity: compile.SeverityError,
					Message: fmt.Sprintf("%s must be %s, got %q", kind, want.apiVersion, apiVersion)})
				continue
			}
			jobs <- doc{i: total, file: f.Name, kind: kind, node: &node}
		}
	}
	for _, r := range stop() {
		if r.diag != nil {
			diags = append(diags, *r.diag)
		} else {
			objs = append(objs, r.obj)
		}
	}
	if diags.HasErrors() {
		return nil, false, diags
	}
	return objs, false, nil
}

// decodeDoc decodes one document of a permission kind strictly into its typed object; other kinds
// give nil.
func decodeDoc(file, kind string, node *yaml.Node) (compile.Object, *compile.Diagnostic) {
	r, ok := rendered[kind]
	if !ok {
		return nil, nil
	}
	raw, err := yaml.Marshal(node)
	if err != nil {
		return nil, &compile.Diagnostic{File: file, Line: node.Line, Severity: compile.SeverityError, Message: err.Error()}
	}
	obj := r.new()
	if err := sigsyaml.UnmarshalStrict(raw, obj); err != nil {
		line, msg := decodeError(node, err)
		return nil, &compile.Diagnostic{File: file, Line: line, Severity: compile.SeverityError, Message: fmt.Sprintf("%s: %s", kind, msg)}
	}
	return obj, nil
}

func scalarField(m *yaml.Node, key string) string {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key && m.Content[i+1].Kind == yaml.ScalarNode {
			return m.Content[i+1].Value
		}
	}
	return ""
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// yamlError splits a YAML syntax error into its line and message.
func yamlError(err error) (int, string) {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n, "invalid YAML: " + msg[len(m[0]):]
	}
	return 0, "invalid YAML: " + strings.TrimPrefix(msg, "yaml: ")
}

var (
	quotedField = regexp.MustCompile(`(?:unknown|duplicate) field "([^"]+)"|key "([^"]+)" already set|Go struct field \S*?\.([A-Za-z0-9]+) of type`)
	// Lines in the decoder's messages count from the re-encoded document, not the file.
	innerLine = regexp.MustCompile(`(?m)^\s*line \d+: |unmarshal errors:\n`)
)

// decodeError turns a strict decoding error into a line and a message: the line of the offending
// key when the error names one, else the document's.
func decodeError(doc *yaml.Node, err error) (int, string) {
	msg := err.Error()
	for _, p := range []string{"error converting YAML to JSON: ", "error unmarshaling JSON: ", "while decoding JSON: ", "json: ", "yaml: "} {
		msg = strings.Replace(msg, p, "", 1)
	}
	msg = innerLine.ReplaceAllString(msg, "")
	line := doc.Line
	if m := quotedField.FindStringSubmatch(msg); m != nil {
		name := m[1] + m[2] + m[3]
		name = name[strings.LastIndex(name, ".")+1:]
		if l := lineOfKey(doc, name); l > 0 {
			line = l
		}
	}
	return line, msg
}

// lineOfKey finds the first mapping key named key, depth first.
func lineOfKey(n *yaml.Node, key string) int {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i].Line
			}
		}
	}
	for _, c := range n.Content {
		if l := lineOfKey(c, key); l > 0 {
			return l
		}
	}
	return 0
}
