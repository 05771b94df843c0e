// Package policy is skillc's least-privilege gate: the Rego library in this folder (embedded in the
// binary) and the Go evaluator that runs it over compiled objects. The library is also plain
// conftest input: `conftest test --all-namespaces -p policy/ rendered.yaml` reaches the same verdicts
// for every rule that needs no compile context.
package policy

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
)

//go:embed *.rego
var library embed.FS

// Finding is one verdict of a rule about one object.
type Finding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"` // deny | warn
	Message  string `json:"msg"`
	// Detail is what the library's message says after "RULE: OBJECT FIELD: ": the gate rebuilds
	// the message for each object sharing a verdict from it ("" for user policies).
	Detail    string `json:"detail,omitempty"`
	Waivable  bool   `json:"waivable"`
	Pack      string `json:"pack,omitempty"`
	Field     string `json:"field,omitempty"`
	Kind      string `json:"kind,omitempty"`
	Name      string `json:"name,omitempty"`
	Namespace string `json:"namespace,omitempty"`
}

// Engine evaluates the library, and any user policies, with prepared queries: compile once,
// evaluate many times.
type Engine struct {
	query rego.PreparedEvalQuery
}

// ruleSets are the conftest rule names a package may define.
var ruleSets = []string{"deny", "violation", "warn"}

// New compiles the built-in library plus the *.rego files (tests excluded) of extraDirs, with
// params available to rules as data.skillc.parameters.
func New(ctx context.Context, params map[string]any, extraDirs ...string) (*Engine, error) {
	modules, err := builtinModules()
	if err != nil {
		return nil, err
	}
	for _, dir := range extraDirs {
		m, err := dirModules(dir)
		if err != nil {
			return nil, err
		}
		modules = append(modules, m...)
	}
	query, err := buildQuery(modules)
	if err != nil {
		return nil, err
	}
	opts := []func(*rego.Rego){
		rego.Query(query),
		rego.Store(inmem.NewFromObject(map[string]any{"skillc": map[string]any{"parameters": params}})),
	}
	for _, m := range modules {
		opts = append(opts, rego.ParsedModule(m))
	}
	pq, err := rego.New(opts...).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("compiling policies: %w", err)
	}
	return &Engine{query: pq}, nil
}

func parse(name, src string) (*ast.Module, error) {
	m, err := ast.ParseModuleWithOpts(name, src, ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %w", name, err)
	}
	return m, nil
}

func isTest(name string) bool { return strings.HasSuffix(name, "_test.rego") }

func builtinModules() ([]*ast.Module, error) {
	var out []*ast.Module
	err := fs.WalkDir(library, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || isTest(path) {
			return err
		}
		src, err := library.ReadFile(path)
		if err != nil {
			return err
		}
		m, err := parse("policy/"+path, string(src))
		out = append(out, m)
		return err
	})
	return out, err
}

// dirModules loads a user's conftest-style policy folder (recursively, tests excluded).
func dirModules(dir string) ([]*ast.Module, error) {
	var out []*ast.Module
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || filepath.Ext(path) != ".rego" || isTest(path) {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		m, err := parse(path, string(src))
		out = append(out, m)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("loading policies from %s: %w", dir, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("loading policies from %s: no .rego files", dir)
	}
	return out, nil
}

// buildQuery asks, in one evaluation, every package that defines deny, violation or warn rules.
func buildQuery(modules []*ast.Module) (string, error) {
	sets := map[string]map[string]bool{}
	for _, m := range modules {
		pkg := m.Package.Path.String()
		for _, r := range m.Rules {
			name := r.Head.Name.String()
			if len(r.Head.Reference) > 0 {
				name = r.Head.Reference[0].Value.String()
				name = strings.Trim(name, `"`)
			}
			if slices.Contains(ruleSets, name) {
				if sets[pkg] == nil {
					sets[pkg] = map[string]bool{}
				}
				sets[pkg][name] = true
			}
		}
	}
	if len(sets) == 0 {
		return "", fmt.Errorf("no deny, violation or warn rules in any policy")
	}
	var parts []string
	for _, p := range slices.Sorted(maps.Keys(sets)) {
		for _, set := range ruleSets {
			if sets[p][set] {
				parts = append(parts, fmt.Sprintf("%q: [x | x := %s.%s[_]]", p+"|"+set, p, set))
			}
		}
	}
	return "result := {" + strings.Join(parts, ", ") + "}", nil
}

// Eval judges one object (its JSON form as generic values).
func (e *Engine) Eval(ctx context.Context, input any) ([]Finding, error) {
	rs, err := e.query.Eval(ctx, rego.EvalInput(input))
	if err != nil {
		return nil, fmt.Errorf("evaluating policies: %w", err)
	}
	if len(rs) == 0 {
		return nil, nil
	}
	result, _ := rs[0].Bindings["result"].(map[string]any)
	var out []Finding
	for _, key := range slices.Sorted(maps.Keys(result)) {
		pkg, set, _ := strings.Cut(key, "|")
		items, _ := result[key].([]any)
		for _, item := range items {
			out = append(out, toFinding(pkg, set, item))
		}
	}
	return out, nil
}

// toFinding reads the library's structured findings and conftest-style strings or {msg} objects.
func toFinding(pkg, set string, item any) Finding {
	sev := "deny"
	if set == "warn" {
		sev = "warn"
	}
	f := Finding{Severity: sev, Waivable: true}
	switch v := item.(type) {
	case string:
		f.Message = v
	case map[string]any:
		str := func(k string) string { s, _ := v[k].(string); return s }
		f.Message, f.Rule, f.Pack, f.Field, f.Detail = str("msg"), str("rule"), str("pack"), str("field"), str("detail")
		f.Kind, f.Name, f.Namespace = str("kind"), str("name"), str("namespace")
		if s := str("severity"); s != "" {
			f.Severity = s
		}
		if w, ok := v["waivable"].(bool); ok {
			f.Waivable = w
		}
	default:
		f.Message = fmt.Sprint(v)
	}
	if f.Rule == "" {
		// A user policy: name it by its package, so exceptions and reports can refer to it.
		f.Rule = strings.TrimPrefix(pkg, "data.")
	}
	return f
}
