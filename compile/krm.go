package compile

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/kyaml/kio"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// KRM: the objects of a ResourceList (skillc fn) or of a kustomize build (skillc build) as compile
// inputs. Each object arrives on its own, re-serialized by kustomize, so the line of a field inside
// it is not its line in the user's file: diagnostics keep the file (from the origin annotation) and
// drop the line rather than print a wrong one (see Unlined).

// AnnotationOrigin is where kustomize records an object's file when the kustomization asks for it
// with `buildMetadata: [originAnnotations]`.
const AnnotationOrigin = "config.kubernetes.io/origin"

// Annotation prefixes kustomize and kyaml set on the objects they hand to a function (ids, indexes,
// paths, origins, local-config). They say nothing about the object, so they are dropped before
// compiling: what is emitted must not depend on how the object got here.
var toolAnnotationPrefixes = []string{
	"config.kubernetes.io/",
	"internal.config.kubernetes.io/",
	"config.k8s.io/",
	"kustomize.config.k8s.io/",
}

// IsSourceKind reports whether an object is a compile source: the Sympozium kinds skillc consumes
// (any version: a wrong version is then an input error, not a silent pass-through) and the
// CompilerConfig.
func IsSourceKind(apiVersion, kind string) bool {
	group, _, _ := strings.Cut(apiVersion, "/")
	switch group {
	case groupSympozium:
		return slices.Contains([]string{"SkillPack", "SympoziumInstance", "Agent", "AgentRun", "SympoziumSchedule"}, kind)
	case groupSkillc:
		return kind == "CompilerConfig"
	}
	return false
}

// ResourceList is what a KRM function reads on stdin: the objects, the functionConfig (nil when
// absent) and the results of earlier functions (nil when absent), to be written back.
type ResourceList struct {
	APIVersion     string
	Items          []*kyaml.RNode
	FunctionConfig *kyaml.RNode
	Results        *kyaml.RNode
}

// resourceList is the strict shape of a ResourceList document.
type resourceList struct {
	APIVersion     string      `json:"apiVersion"`
	Kind           string      `json:"kind"`
	Metadata       Opaque      `json:"metadata"`
	Items          []yaml.Node `json:"items"`
	FunctionConfig *yaml.Node  `json:"functionConfig"`
	Results        *yaml.Node  `json:"results"`
}

// ReadResourceList reads a ResourceList (skillc fn's stdin) with the Reader every command uses: the
// limits of one file apply to it (32 MiB, its elements counted before parsing, nesting, aliases,
// tags), and its items, which are its documents, to MaxDocumentsPerFile. Anything but one
// ResourceList document with a list of objects as items is an input error: a malformed list must
// fail the build, not compile to nothing.
func ReadResourceList(f File) (*ResourceList, Diagnostics) {
	notList := Diagnostics{{File: f.Name, Severity: SeverityError, Message: "expected a config.kubernetes.io/v1 ResourceList (what kustomize and kpt send); to compile files, use skillc compile"}}
	r := NewReader()
	var roots []*yaml.Node
	diags := r.Documents(f, func(root *yaml.Node) bool {
		roots = append(roots, root)
		return len(roots) < 2
	})
	switch {
	case diags.HasErrors():
		return nil, diags
	case len(roots) != 1 || roots[0].Kind != yaml.MappingNode:
		return nil, notList
	}
	apiVersion, kind := header(roots[0])
	if kind != kio.ResourceListKind || !strings.HasPrefix(apiVersion, "config.kubernetes.io/") {
		notList[0].Line = roots[0].Line
		return nil, notList
	}
	var rl resourceList
	src, diags := r.Decode(f.Name, roots[0], &rl)
	if diags.HasErrors() {
		return nil, diags
	}
	if len(rl.Items) > MaxDocumentsPerFile {
		return nil, Diagnostics{src.Diag("items", "more than %d items in the ResourceList: refused", MaxDocumentsPerFile)}
	}
	out := &ResourceList{APIVersion: apiVersion}
	for i := range rl.Items {
		it := &rl.Items[i]
		if it.Kind != yaml.MappingNode {
			field := fmt.Sprintf("items[%d]", i)
			diags = append(diags, src.Diag(field, "expected a Kubernetes object (a mapping with apiVersion and kind), got %s", describe(it)))
			continue
		}
		out.Items = append(out.Items, kyaml.NewRNode(it))
	}
	if rl.FunctionConfig != nil && rl.FunctionConfig.Kind != yaml.MappingNode && rl.FunctionConfig.ShortTag() != "!!null" {
		diags = append(diags, src.Diag("functionConfig", "expected a CompilerConfig (a mapping), got %s", describe(rl.FunctionConfig)))
	}
	if diags.HasErrors() {
		return nil, diags
	}
	if rl.FunctionConfig != nil && rl.FunctionConfig.Kind == yaml.MappingNode {
		out.FunctionConfig = kyaml.NewRNode(rl.FunctionConfig)
	}
	if rl.Results != nil {
		out.Results = kyaml.NewRNode(rl.Results)
	}
	return out, nil
}

// KRMInputs are a list of objects sorted for the compiler.
type KRMInputs struct {
	Files  []File          // the sources, one File per object, named after the object's file
	Config *CompilerConfig // the functionConfig, nil when absent

	fcName string // the functionConfig's file, for Unlined
	items  []*kyaml.RNode
	source []bool // per item: consumed by the compile
	keep   []bool // per item: a source CR kept with keepSources (a CompilerConfig never is)
}

// ReadKRM sorts objects into compile sources and objects passed through untouched, and decodes the
// functionConfig (nil or empty: none) strictly, as a CompilerConfig. Two configs (the
// functionConfig and one among the objects) are an input error, as two are for compile. base is
// the kustomization's folder as the user named it, joined to the local file names in messages.
func ReadKRM(items []*kyaml.RNode, functionConfig *kyaml.RNode, base string) (*KRMInputs, Diagnostics) {
	in := &KRMInputs{items: items, source: make([]bool, len(items)), keep: make([]bool, len(items))}
	var diags Diagnostics
	if !functionConfig.IsNilOrEmpty() {
		in.fcName = ItemFile(functionConfig, base)
		in.Config, diags = loadFunctionConfig(functionConfig, base)
	}
	for i, it := range items {
		apiVersion, kind := it.GetApiVersion(), it.GetKind()
		if !IsSourceKind(apiVersion, kind) {
			continue
		}
		in.source[i] = true
		isConfig := kind == "CompilerConfig"
		in.keep[i] = !isConfig
		name := ItemFile(it, base)
		if isConfig && !functionConfig.IsNilOrEmpty() {
			diags = append(diags, Diagnostic{File: name, Severity: SeverityError, Message: fmt.Sprintf(
				"CompilerConfig %s is among the resources and %s is the function's config: keep one", it.GetName(), ItemFile(functionConfig, base))})
			continue
		}
		data, err := withoutToolAnnotations(it)
		if err != nil {
			diags = append(diags, Diagnostic{File: name, Severity: SeverityError, Message: err.Error()})
			continue
		}
		in.Files = append(in.Files, File{Name: name, Data: data})
	}
	return in, diags
}

// Passthrough returns the objects that are not compile sources, and with keepSources the source
// CRs too (never a CompilerConfig: it is the compiler's setting, not a cluster object), in their
// input order and untouched.
func (in *KRMInputs) Passthrough(keepSources bool) []*kyaml.RNode {
	var out []*kyaml.RNode
	for i, it := range in.items {
		if !in.source[i] || keepSources && in.keep[i] {
			out = append(out, it)
		}
	}
	return out
}

// FileNames are the names given to the sources' Files, for Unlined.
func (in *KRMInputs) FileNames() []string {
	var names []string
	for _, f := range in.Files {
		names = append(names, f.Name)
	}
	return append(names, in.fcName)
}

// loadFunctionConfig decodes the functionConfig with compile's own loader: strict, unknown fields
// are errors. Any other kind is refused (a ConfigMap of settings would silently be ignored).
func loadFunctionConfig(fc *kyaml.RNode, base string) (*CompilerConfig, Diagnostics) {
	name := ItemFile(fc, base)
	data, err := withoutToolAnnotations(fc)
	if err != nil {
		return nil, Diagnostics{{File: name, Severity: SeverityError, Message: err.Error()}}
	}
	in, diags := Load([]File{{Name: name, Data: data}})
	if diags.HasErrors() {
		return nil, diags
	}
	if len(in.Configs) != 1 || len(in.Packs)+len(in.Instances)+len(in.Runs)+len(in.Schedules) > 0 {
		return nil, Diagnostics{{File: name, Severity: SeverityError, Message: fmt.Sprintf(
			"functionConfig must be a %s/v1alpha1 CompilerConfig, got %s %s", groupSkillc, fc.GetApiVersion(), fc.GetKind())}}
	}
	return in.Configs[0], nil
}

// withoutToolAnnotations serializes a copy of an object without kustomize's and kyaml's annotations.
func withoutToolAnnotations(n *kyaml.RNode) ([]byte, error) {
	c := n.Copy()
	annos := c.GetAnnotations()
	drop := false
	for k := range annos {
		if slices.ContainsFunc(toolAnnotationPrefixes, func(p string) bool { return strings.HasPrefix(k, p) }) {
			delete(annos, k)
			drop = true
		}
	}
	if drop {
		if err := c.SetAnnotations(annos); err != nil {
			return nil, fmt.Errorf("removing kustomize annotations: %w", err)
		}
	}
	s, err := c.String()
	if err != nil {
		return nil, fmt.Errorf("encoding %s %s: %w", n.GetKind(), n.GetName(), err)
	}
	return []byte(s), nil
}

// ItemFile names an object's file for messages: its origin (kustomize's
// `buildMetadata: [originAnnotations]`: path, or repo//path?ref=REF for a remote base), else kpt's
// path annotation, else the object itself in angle brackets, like <stdin>. A local path is joined
// to base.
func ItemFile(n *kyaml.RNode, base string) string {
	annos := n.GetAnnotations()
	if o := annos[AnnotationOrigin]; o != "" {
		var origin struct {
			Path         string `yaml:"path"`
			Repo         string `yaml:"repo"`
			Ref          string `yaml:"ref"`
			ConfiguredIn string `yaml:"configuredIn"`
		}
		if err := kyaml.Unmarshal([]byte(o), &origin); err == nil {
			p := origin.Path
			if p == "" {
				p = origin.ConfiguredIn // made by a generator: its config's file
			}
			switch {
			case p != "" && origin.Repo != "":
				s := origin.Repo + "//" + p
				if origin.Ref != "" {
					s += "?ref=" + origin.Ref
				}
				return s
			case p != "":
				return filepath.Join(base, p)
			}
		}
	}
	for _, k := range []string{"internal.config.kubernetes.io/path", "config.kubernetes.io/path"} {
		if p := annos[k]; p != "" {
			return p
		}
	}
	id := n.GetName()
	if ns := n.GetNamespace(); ns != "" {
		id = ns + "/" + id
	}
	return fmt.Sprintf("<%s %s>", n.GetKind(), id)
}

// Unlined drops the line numbers of diagnostics about the given files, in their locations and in
// their messages ("rename one of input.yaml:3 ..."): they are lines inside the object as kustomize
// re-serialized it, not in the user's file. Duplicates that become equal are merged.
func (ds Diagnostics) Unlined(files []string) Diagnostics {
	known := map[string]bool{}
	var quoted []string
	for _, f := range files {
		if f != "" && !known[f] {
			known[f] = true
			quoted = append(quoted, regexp.QuoteMeta(f))
		}
	}
	if len(quoted) == 0 {
		return ds
	}
	slices.SortFunc(quoted, func(a, b string) int { return len(b) - len(a) }) // longest name first
	lineRE := regexp.MustCompile(`(` + strings.Join(quoted, "|") + `):\d+`)
	out := make(Diagnostics, 0, len(ds))
	seen := map[Diagnostic]bool{}
	for _, d := range ds {
		if known[d.File] {
			d.Line = 0
		}
		d.Message = lineRE.ReplaceAllString(d.Message, "$1")
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	out.Sort()
	return out
}

// ObjectNodes renders compiled objects as kyaml nodes with exactly compile's content
// (MarshalObject): what `skillc fn` emits is what `skillc compile` prints.
func ObjectNodes(objs []Object) ([]*kyaml.RNode, error) {
	docs, err := MarshalEach(objs)
	if err != nil {
		return nil, err
	}
	nodes := make([]*kyaml.RNode, len(docs))
	for i, d := range docs {
		if nodes[i], err = kyaml.Parse(string(d)); err != nil {
			return nil, fmt.Errorf("re-reading %s %s: %w", kindOf(objs[i]), objs[i].GetName(), err)
		}
	}
	return nodes, nil
}
