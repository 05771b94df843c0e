// Package krm speaks kustomize and KRM functions: it reads a ResourceList or a kustomize build
// into compile inputs, writes ResourceLists and their results back, and runs kustomize build
// confined for skillc build. It is the only package that imports kyaml and kustomize.
package krm

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/kio"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/internal/emit"
	"github.com/skillc-dev/skillc/source"
)

// KRM: the objects of a ResourceList (skillc fn) or of a kustomize build (skillc build) as compile
// inputs. Each object arrives on its own, re-serialized by kustomize, so the line of a field inside
// it is not its line in the user's file: diagnostics keep the file (from the origin annotation) and
// drop the line rather than print a wrong one (see Unlined).

// AnnotationOrigin is where kustomize records an object's file when the kustomization asks for it
// with `buildMetadata: [originAnnotations]`.
const AnnotationOrigin = "config.kubernetes.io/origin"

// RNode is an object as kustomize and kpt hand it over (kyaml's node): the callers of krm name
// it without importing kyaml, which lives in this package alone.
type RNode = kyaml.RNode

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
	case api.GroupSympozium:
		return slices.Contains([]string{"SkillPack", "SympoziumInstance", "Agent", "AgentRun", "SympoziumSchedule", "Ensemble", "SympoziumPolicy"}, kind)
	case api.GroupSkillc:
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
	APIVersion     string        `json:"apiVersion"`
	Kind           string        `json:"kind"`
	Metadata       api.Opaque    `json:"metadata"`
	Items          []source.Node `json:"items"`
	FunctionConfig *source.Node  `json:"functionConfig"`
	Results        *source.Node  `json:"results"`
}

// ReadResourceList reads a ResourceList (skillc fn's stdin) with the Reader every command uses: the
// limits of one file apply to it (32 MiB, its elements counted before parsing, nesting, aliases,
// tags), and its items, which are its documents, to MaxDocumentsPerFile. Anything but one
// ResourceList document with a list of objects as items is an input error: a malformed list must
// fail the build, not compile to nothing.
func ReadResourceList(f source.File) (*ResourceList, diag.Diagnostics) {
	notList := diag.Diagnostics{{File: f.Name, Severity: diag.SeverityError, Message: "expected a config.kubernetes.io/v1 ResourceList (what kustomize and kpt send); to compile files, use skillc compile"}}
	r := source.NewReader()
	var roots []*source.Node
	diags := r.Documents(f, func(root *source.Node) bool {
		roots = append(roots, root)
		return len(roots) < 2
	})
	switch {
	case diags.HasErrors():
		return nil, diags
	case len(roots) != 1 || roots[0].Kind != source.MappingNode:
		return nil, notList
	}
	apiVersion, kind := source.Header(roots[0])
	if kind != kio.ResourceListKind || !strings.HasPrefix(apiVersion, "config.kubernetes.io/") {
		notList[0].Line = roots[0].Line
		return nil, notList
	}
	var rl resourceList
	src, diags := r.Decode(f.Name, roots[0], &rl)
	if diags.HasErrors() {
		return nil, diags
	}
	if len(rl.Items) > source.MaxDocumentsPerFile {
		return nil, diag.Diagnostics{src.Diag("items", "more than %d items in the ResourceList: refused", source.MaxDocumentsPerFile)}
	}
	out := &ResourceList{APIVersion: apiVersion}
	for i := range rl.Items {
		it := &rl.Items[i]
		if it.Kind != source.MappingNode {
			field := fmt.Sprintf("items[%d]", i)
			diags = append(diags, src.Diag(field, "expected a Kubernetes object (a mapping with apiVersion and kind), got %s", source.Describe(it)))
			continue
		}
		out.Items = append(out.Items, kyaml.NewRNode(it))
	}
	if rl.FunctionConfig != nil && rl.FunctionConfig.Kind != source.MappingNode && rl.FunctionConfig.ShortTag() != "!!null" {
		diags = append(diags, src.Diag("functionConfig", "expected a CompilerConfig (a mapping), got %s", source.Describe(rl.FunctionConfig)))
	}
	if diags.HasErrors() {
		return nil, diags
	}
	if rl.FunctionConfig != nil && rl.FunctionConfig.Kind == source.MappingNode {
		out.FunctionConfig = kyaml.NewRNode(rl.FunctionConfig)
	}
	if rl.Results != nil {
		out.Results = kyaml.NewRNode(rl.Results)
	}
	return out, nil
}

// KRMInputs are a list of objects sorted for the compiler.
type KRMInputs struct {
	Files  []source.File       // the sources, one File per object file (its objects as documents)
	Config *api.CompilerConfig // the functionConfig, nil when absent
	// InPlace: the objects come from files that will be rewritten with the output (kpt fn render
	// and eval put a path annotation on each): the sources and configs must come back, and the
	// objects an earlier run generated are replaced, not kept beside the new ones.
	InPlace bool

	fc     *kyaml.RNode // the functionConfig, nil when absent
	fcName string       // the functionConfig's file, for Unlined
	items  []*kyaml.RNode
	source []bool // per item: consumed by the compile
	keep   []bool // per item: a source CR kept with keepSources (a CompilerConfig never is)
	local  []bool // per item: passed through whatever the mode (a local-config or in-place CompilerConfig)
	spans  []itemSpan
}

// itemSpan is where an item's document starts in the File of its name.
type itemSpan struct {
	file  string
	first int // line of the document's first line in that File
	item  int
}

// Annotations of the objects `skillc fn` generates when it runs in place, so that a second run
// recognises them (beside app.kubernetes.io/managed-by: skillc) and replaces them.
const (
	AnnotationGeneratedBy = "skillc.dev/generated-by"
	GeneratedByFn         = "skillc-fn"
	// AnnotationLocalConfig marks an object that is the tools' configuration, not a cluster object.
	AnnotationLocalConfig = "config.kubernetes.io/local-config"
)

// Path and index annotations kpt (and kyaml's readers) put on each object of a package.
var (
	pathAnnotations  = []string{"internal.config.kubernetes.io/path", "config.kubernetes.io/path"}
	indexAnnotations = []string{"internal.config.kubernetes.io/index", "config.kubernetes.io/index"}
)

// ItemPath is the package file an object was read from (kpt's path annotation), "" when none.
func ItemPath(n *kyaml.RNode) string {
	annos := n.GetAnnotations()
	for _, k := range pathAnnotations {
		if p := annos[k]; p != "" {
			return p
		}
	}
	return ""
}

// IsGenerated reports whether an object is one `skillc fn` generated in place on an earlier run.
func IsGenerated(n *kyaml.RNode) bool {
	return n.GetLabels()[compile.LabelManagedBy] == compile.ManagedBySkillc && n.GetAnnotations()[AnnotationGeneratedBy] == GeneratedByFn
}

// ReadKRM sorts objects into compile sources and objects passed through untouched, and decodes the
// functionConfig (nil or empty: none) strictly, as a CompilerConfig. Two configs (the
// functionConfig and another among the objects) are an input error, as two are for compile; the
// functionConfig's own copy among the objects (kpt's configPath: the same file) is one config. base
// is the kustomization's folder as the user named it, joined to the local file names in messages.
// Objects of one file become the documents of one File, so a diagnostic's line names its object.
func ReadKRM(items []*kyaml.RNode, functionConfig *kyaml.RNode, base string) (*KRMInputs, diag.Diagnostics) {
	in := &KRMInputs{items: items, source: make([]bool, len(items)), keep: make([]bool, len(items)), local: make([]bool, len(items))}
	var diags diag.Diagnostics
	if !functionConfig.IsNilOrEmpty() {
		in.fc = functionConfig
		in.fcName = ItemFile(functionConfig, base)
		in.Config, diags = loadFunctionConfig(functionConfig, base)
	}
	for _, it := range items {
		if ItemPath(it) != "" {
			in.InPlace = true
			break
		}
	}
	fileOf := map[string]int{} // name -> index in in.Files
	lines := map[string]int{}  // name -> lines so far in its File
	for i, it := range items {
		apiVersion, kind := it.GetApiVersion(), it.GetKind()
		if in.InPlace && IsGenerated(it) {
			in.source[i] = true // replaced by this run's output
			continue
		}
		if !IsSourceKind(apiVersion, kind) {
			continue
		}
		in.source[i] = true
		isConfig := kind == "CompilerConfig"
		in.keep[i] = !isConfig
		// The tools' configuration stays where it is: kustomize drops local-config objects itself,
		// and a file rewritten in place must not lose its config.
		in.local[i] = isConfig && (in.InPlace || it.GetAnnotations()[AnnotationLocalConfig] == "true")
		name := ItemFile(it, base)
		if isConfig && in.fc != nil {
			if sameObject(it, in.fc) || in.Config == nil {
				continue // one config; or the functionConfig was refused, which says enough
			}
			diags = append(diags, diag.Diagnostic{File: name, Severity: diag.SeverityError, Message: fmt.Sprintf(
				"CompilerConfig %s is among the resources and %s is the function's config: keep one", it.GetName(), ItemFile(functionConfig, base))})
			continue
		}
		data, err := withoutToolAnnotations(it)
		if err != nil {
			diags = append(diags, diag.Diagnostic{File: name, Severity: diag.SeverityError, Message: err.Error()})
			continue
		}
		k, ok := fileOf[name]
		if !ok {
			k = len(in.Files)
			fileOf[name] = k
			in.Files = append(in.Files, source.File{Name: name})
		} else {
			in.Files[k].Data = append(in.Files[k].Data, "---\n"...)
			lines[name]++
		}
		in.spans = append(in.spans, itemSpan{file: name, first: lines[name] + 1, item: i})
		in.Files[k].Data = append(in.Files[k].Data, data...)
		lines[name] += bytes.Count(data, []byte("\n"))
	}
	return in, diags
}

// sameObject reports whether an object among the items is the functionConfig itself: kpt passes
// the file named by configPath both ways. Same file and index when kpt says, else the same file
// (origin) and the same content.
func sameObject(it, fc *kyaml.RNode) bool {
	if p := ItemPath(it); p != "" && ItemPath(fc) != "" {
		return p == ItemPath(fc) && annotation(it, indexAnnotations) == annotation(fc, indexAnnotations)
	}
	// kpt fn eval --fn-config reads the file apart, without annotations: the content decides.
	if a, b := ItemFile(it, ""), ItemFile(fc, ""); ItemPath(it) == "" && !strings.HasPrefix(a, "<") && !strings.HasPrefix(b, "<") && a != b {
		return false
	}
	a, errA := withoutToolAnnotations(it)
	b, errB := withoutToolAnnotations(fc)
	return errA == nil && errB == nil && bytes.Equal(a, b)
}

func annotation(n *kyaml.RNode, keys []string) string {
	annos := n.GetAnnotations()
	for _, k := range keys {
		if v := annos[k]; v != "" {
			return v
		}
	}
	return ""
}

// Passthrough returns the objects that are not compile sources, with keepSources or in place the
// source CRs too, and the configs that stay (local-config, in place); never an object an earlier
// in-place run generated. Input order, untouched.
func (in *KRMInputs) Passthrough(keepSources bool) []*kyaml.RNode {
	var out []*kyaml.RNode
	for i, it := range in.items {
		if !in.source[i] || (keepSources || in.InPlace) && in.keep[i] || in.local[i] {
			out = append(out, it)
		}
	}
	return out
}

// Generated returns the objects an earlier in-place run generated, keyed by kind, namespace and
// name: this run's objects take their files.
func (in *KRMInputs) Generated() map[string]*kyaml.RNode {
	out := map[string]*kyaml.RNode{}
	for i, it := range in.items {
		if in.source[i] && !IsSourceKind(it.GetApiVersion(), it.GetKind()) {
			out[objectKey(it)] = it
		}
	}
	return out
}

func objectKey(n *kyaml.RNode) string {
	return n.GetKind() + "/" + n.GetNamespace() + "/" + n.GetName()
}

// FileNames are the names given to the sources' Files, for Unlined.
func (in *KRMInputs) FileNames() []string {
	var names []string
	for _, f := range in.Files {
		names = append(names, f.Name)
	}
	return append(names, in.fcName)
}

// Item returns the object a diagnostic (as compiled, before Unlined) is about: the document of its
// File that holds its line, the only object of its file, or the functionConfig; nil when unknown.
func (in *KRMInputs) Item(d diag.Diagnostic) *kyaml.RNode {
	var found *kyaml.RNode
	n := 0
	for _, s := range in.spans {
		if s.file != d.File {
			continue
		}
		n++
		if d.Line == 0 || s.first <= d.Line {
			found = in.items[s.item]
		}
	}
	switch {
	case n == 1 || n > 1 && d.Line > 0:
		return found
	case n == 0 && in.fc != nil && d.File == in.fcName:
		return in.fc
	}
	return nil
}

// loadFunctionConfig decodes the functionConfig with compile's own loader: strict, unknown fields
// are errors. Any other kind is refused (a ConfigMap of settings would silently be ignored).
func loadFunctionConfig(fc *kyaml.RNode, base string) (*api.CompilerConfig, diag.Diagnostics) {
	name := ItemFile(fc, base)
	data, err := withoutToolAnnotations(fc)
	if err != nil {
		return nil, diag.Diagnostics{{File: name, Severity: diag.SeverityError, Message: err.Error()}}
	}
	in, diags := source.Load([]source.File{{Name: name, Data: data}})
	if diags.HasErrors() {
		return nil, diags
	}
	if len(in.Configs) != 1 || len(in.Packs)+len(in.Instances)+len(in.Runs)+len(in.Schedules) > 0 {
		hint := ""
		if fc.GetKind() == "ConfigMap" {
			hint = " (kpt makes a ConfigMap of `-- key=value` arguments and of a Kptfile's configMap: pass the CompilerConfig's file with --fn-config or configPath instead)"
		}
		return nil, diag.Diagnostics{{File: name, Severity: diag.SeverityError, Message: fmt.Sprintf(
			"functionConfig must be a %s/v1alpha1 CompilerConfig, got %s %s%s", api.GroupSkillc, fc.GetApiVersion(), fc.GetKind(), hint)}}
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

// ObjectNodes renders compiled objects as kyaml nodes with exactly compile's content
// (MarshalObject): what `skillc fn` emits is what `skillc compile` prints.
func ObjectNodes(objs []compile.Object) ([]*kyaml.RNode, error) {
	docs, err := emit.MarshalEach(objs)
	if err != nil {
		return nil, err
	}
	nodes := make([]*kyaml.RNode, len(docs))
	for i, d := range docs {
		if nodes[i], err = kyaml.Parse(string(d)); err != nil {
			return nil, fmt.Errorf("re-reading %s %s: %w", compile.KindOf(objs[i]), objs[i].GetName(), err)
		}
	}
	return nodes, nil
}
