package source

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	yaml "go.yaml.in/yaml/v3"

	"github.com/agnivade/levenshtein"
	"github.com/skillc-dev/skillc/api"
)

// The decoder walks a yaml.v3 node tree into typed structs by their json tags. We do not go through
// encoding/json because strict decoding must report *where* a field is wrong: every error carries the
// field path and the line of the offending node, and every decoded path's line is remembered so that
// later validation (names, quantities, resolution) can point at the source too.

// positions maps a field path ("spec.sidecar.rbac[1].verbs[3]") to its 1-based line.
type positions = map[string]int

// fieldError is one decoding problem at a path and line.
type fieldError struct {
	Path string
	Line int
	Msg  string
}

type decoder struct {
	pos       positions
	errs      []fieldError
	nodes     int          // nodes this document may still reach through aliases (billion laughs)
	bytes     int          // bytes of text it may still reach through aliases (one big scalar, many times)
	total     *aliasBudget // what every document of the inputs may still reach, together
	aliased   int          // > 0 while visiting a node reached through an alias
	exhausted bool         // a budget ran out: the refusal is reported once, nothing more is decoded
	loose     bool         // unknown fields are skipped (objects skillc only reads a part of)
}

// aliasBudget is what aliases may add across all the documents one Reader decodes: a per-document
// budget alone would let ten thousand small documents each expand to it. Shared by concurrent
// decoders (skillc diff decodes a render on every core), hence atomic.
type aliasBudget struct{ nodes, bytes atomic.Int64 }

func newAliasBudget() *aliasBudget {
	b := &aliasBudget{}
	b.nodes.Store(MaxAliasNodesTotal)
	b.bytes.Store(MaxAliasBytesTotal)
	return b
}

var (
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	opaqueType      = reflect.TypeFor[api.Opaque]()
	unsupportedType = reflect.TypeFor[api.Unsupported]()
	scalarType      = reflect.TypeFor[api.Scalar]()
	nodeType        = reflect.TypeFor[yaml.Node]()
)

// Limits per document. Nodes written out are bounded before parsing (MaxYAMLElements); these bound
// what aliases can add (the billion laughs attack, or one large scalar aliased many times) and how
// deep a document may nest. What aliases add is bounded per document and, so that many small
// documents cannot add up, across all the inputs of a command (a Reader).
const (
	MaxAliasNodes      = 50000
	MaxAliasBytes      = 1 << 20 // text (scalars and keys) reached through aliases
	MaxAliasNodesTotal = 1000000
	MaxAliasBytesTotal = 16 << 20
	MaxNestingDepth    = 100
)

// decodeNode checks and decodes a tree that did not come from a Reader (SKILL.md front matter)
// into out (a pointer), returning the line positions of every path seen. The alias budget is its
// own.
func decodeNode(n *yaml.Node, out any) (positions, []fieldError) {
	if line, err := checkTree(n); err != nil {
		return nil, []fieldError{{Line: line, Msg: err.Error()}}
	}
	d := &decoder{pos: positions{}, nodes: MaxAliasNodes, bytes: MaxAliasBytes, total: newAliasBudget()}
	d.value(n, reflect.ValueOf(out).Elem(), "")
	return d.pos, d.errs
}

// knownTags are the YAML tags a Kubernetes manifest can hold. Any other (!!python/object, !custom)
// asks for a type skillc would not construct: dropping the tag silently would read the value as
// something its author did not write, so it is refused.
var knownTags = map[string]bool{
	"!!str": true, "!!int": true, "!!float": true, "!!bool": true, "!!null": true, "!!timestamp": true,
	"!!binary": true, "!!map": true, "!!seq": true, "!!merge": true,
}

// checkTree refuses, with the line, what is wrong anywhere in a document, including fields that are
// otherwise ignored: nesting deeper than MaxNestingDepth, an unknown tag, and an alias whose anchor
// is outside the document (the YAML parser keeps anchors from one document to the next of a
// stream; YAML says each document has its own). Aliases are not followed: their targets are
// measured where they are written. Iterative, so that the check itself cannot exhaust the stack.
func checkTree(n *yaml.Node) (int, error) {
	type item struct {
		n     *yaml.Node
		depth int
	}
	var anchors map[*yaml.Node]bool
	var aliases []*yaml.Node
	stack := []item{{n, 0}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if it.depth > MaxNestingDepth {
			return it.n.Line, fmt.Errorf("nesting deeper than %d levels: refused", MaxNestingDepth)
		}
		if it.n.Style&yaml.TaggedStyle != 0 && !knownTags[it.n.Tag] {
			return it.n.Line, fmt.Errorf("YAML tag %q is not supported: refused (write plain YAML)", it.n.Tag)
		}
		if it.n.Anchor != "" {
			if anchors == nil {
				anchors = map[*yaml.Node]bool{}
			}
			anchors[it.n] = true
		}
		if it.n.Kind == yaml.AliasNode {
			aliases = append(aliases, it.n)
		}
		for _, c := range it.n.Content {
			stack = append(stack, item{c, it.depth + 1})
		}
	}
	for _, a := range aliases {
		if !anchors[a.Alias] {
			return a.Line, fmt.Errorf("alias *%s refers to an anchor of an earlier document: each YAML document has its own anchors", a.Value)
		}
	}
	return 0, nil
}

// spend counts a visited node, and its text, against the alias budgets when it was reached
// through an alias; it returns the refusal once a budget is spent.
func (d *decoder) spend(n *yaml.Node) error {
	if d.aliased == 0 {
		return nil
	}
	size := len(n.Value)
	if n.Kind == yaml.MappingNode {
		for i := 0; i < len(n.Content); i += 2 {
			size += len(n.Content[i].Value)
		}
	}
	d.nodes--
	d.bytes -= size
	switch {
	case d.nodes < 0:
		return fmt.Errorf("YAML aliases expand to more than %d nodes: refused", MaxAliasNodes)
	case d.bytes < 0:
		return fmt.Errorf("YAML aliases expand to more than %d MiB of text: refused", MaxAliasBytes>>20)
	case d.total.nodes.Add(-1) < 0 || d.total.bytes.Add(-int64(size)) < 0:
		return fmt.Errorf("YAML aliases in these inputs expand to more than %d nodes or %d MiB of text in all: refused", MaxAliasNodesTotal, MaxAliasBytesTotal>>20)
	}
	return nil
}

func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	d.errs = append(d.errs, fieldError{Path: path, Line: n.Line, Msg: fmt.Sprintf(format, args...)})
}

// plainKey refuses a map key that YAML reads as something other than the string written: kubectl
// (sigs.k8s.io/yaml) turns such a key into the text of its value (01 is the key "1", 1.0 is "1",
// True is "true"), so the object it applies would have another key than the one skillc read.
// Keys whose value's text is what is written (0, 10, true) are kept.
func plainKey(k *yaml.Node) string {
	if k.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return ""
	}
	switch k.ShortTag() {
	case "!!str":
		return ""
	case "!!int":
		if i, err := strconv.ParseInt(k.Value, 0, 64); err == nil && strconv.FormatInt(i, 10) == k.Value {
			return ""
		}
	case "!!bool":
		if k.Value == "true" || k.Value == "false" {
			return ""
		}
	}
	return fmt.Sprintf("map key %s is %s to YAML, not the string written: kubectl would apply another key; quote it", k.Value, strings.TrimPrefix(k.ShortTag(), "!!"))
}

// zeroValue reports whether n is a value that sets nothing (null, false, "", 0, [], {}): what
// tools that print every default write for a field.
func zeroValue(n *yaml.Node) bool {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	switch n.Kind {
	case yaml.MappingNode, yaml.SequenceNode:
		return len(n.Content) == 0
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return true
		case "!!bool":
			return n.Value == "false"
		case "!!str":
			return n.Value == ""
		case "!!int":
			return n.Value == "0"
		}
	}
	return false
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func Describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	switch n.ShortTag() {
	case "!!str":
		return fmt.Sprintf("string %q", n.Value)
	case "!!int", "!!float":
		return "number " + n.Value
	case "!!bool":
		return "boolean " + n.Value
	case "!!null":
		return "null"
	}
	return n.ShortTag()
}

func (d *decoder) value(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind == yaml.AliasNode {
		for n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		d.aliased++
		defer func() { d.aliased-- }()
	}
	if d.exhausted {
		return
	}
	if err := d.spend(n); err != nil {
		d.exhausted = true
		d.fail(n, path, "%v", err)
		return
	}
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return
		}
		n = n.Content[0]
	}
	if _, seen := d.pos[path]; !seen && path != "" {
		d.pos[path] = n.Line
	}
	t := v.Type()
	switch {
	case t == opaqueType:
		return
	case t == nodeType:
		v.Set(reflect.ValueOf(*n)) // kept as written, for a caller that hands it on (a ResourceList's items)
		return
	case t == scalarType:
		if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
			d.fail(n, path, "expected a string or number, got %s", Describe(n))
			return
		}
		v.SetString(n.Value)
		return
	case reflect.PointerTo(t).Implements(unmarshalerType) && t.Kind() != reflect.Pointer:
		d.viaJSON(n, v, path)
		return
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return // null leaves the zero value, as encoding/json does
	}
	switch t.Kind() {
	case reflect.Pointer:
		p := reflect.New(t.Elem())
		d.value(n, p.Elem(), path)
		v.Set(p)
	case reflect.Struct:
		d.structure(n, v, path)
	case reflect.Map:
		d.mapping(n, v, path)
	case reflect.Slice:
		d.sequence(n, v, path)
	case reflect.String:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
			hint := ""
			if n.Kind == yaml.ScalarNode {
				hint = " (quote it)"
			}
			d.fail(n, path, "expected a string, got %s%s", Describe(n), hint)
			return
		}
		v.SetString(n.Value)
	case reflect.Bool:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
			d.fail(n, path, "expected true or false, got %s", Describe(n))
			return
		}
		v.SetBool(n.Value == "true" || n.Value == "True" || n.Value == "TRUE")
	case reflect.Int, reflect.Int32, reflect.Int64:
		i, err := strconv.ParseInt(n.Value, 0, 64)
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || err != nil || v.OverflowInt(i) {
			d.fail(n, path, "expected an integer, got %s", Describe(n))
			return
		}
		v.SetInt(i)
	case reflect.Float64:
		f, err := strconv.ParseFloat(n.Value, 64)
		if n.Kind != yaml.ScalarNode || err != nil || math.IsInf(f, 0) {
			d.fail(n, path, "expected a number, got %s", Describe(n))
			return
		}
		v.SetFloat(f)
	default:
		d.fail(n, path, "internal: cannot decode into %s", t)
	}
}

func (d *decoder) structure(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a mapping, got %s", Describe(n))
		return
	}
	fields := fieldsOf(v.Type())
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Value == "<<" && k.ShortTag() == "!!merge" {
			d.fail(k, path, "YAML merge keys (<<) are not supported; write the fields out")
			continue
		}
		fp := join(path, k.Value)
		idx, ok := fields[k.Value]
		if !ok {
			if !d.loose {
				d.fail(k, fp, "unknown field %q%s", k.Value, suggest(k.Value, fields))
			}
			continue
		}
		if seen[k.Value] {
			d.fail(k, fp, "duplicate field %q", k.Value)
			continue
		}
		seen[k.Value] = true
		d.pos[fp] = k.Line
		if f := v.Type().FieldByIndex(idx); f.Type == unsupportedType {
			if !zeroValue(val) {
				d.fail(k, fp, "upstream Sympozium field that skillc does not support: %s", f.Tag.Get("unsupported"))
			}
			continue
		}
		d.value(val, v.FieldByIndex(idx), fp)
	}
}

func (d *decoder) mapping(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "expected a mapping, got %s", Describe(n))
		return
	}
	t := v.Type()
	if t.Key().Kind() != reflect.String {
		d.fail(n, path, "internal: map key %s", t.Key())
		return
	}
	m := reflect.MakeMapWithSize(t, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.fail(k, path, "map keys must be strings, got %s", Describe(k))
			continue
		}
		if msg := plainKey(k); msg != "" {
			d.fail(k, join(path, k.Value), "%s", msg)
			continue
		}
		fp := join(path, k.Value)
		key := reflect.New(t.Key()).Elem()
		key.SetString(k.Value)
		if m.MapIndex(key).IsValid() {
			d.fail(k, fp, "duplicate key %q", k.Value)
			continue
		}
		d.pos[fp] = k.Line
		elem := reflect.New(t.Elem()).Elem()
		d.value(val, elem, fp)
		m.SetMapIndex(key, elem)
	}
	v.Set(m)
}

func (d *decoder) sequence(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		d.fail(n, path, "expected a list, got %s", Describe(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		d.value(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
	}
	v.Set(s)
}

// viaJSON hands a subtree to a type's own UnmarshalJSON (resource.Quantity, intstr.IntOrString, ...).
func (d *decoder) viaJSON(n *yaml.Node, v reflect.Value, path string) {
	plain, err := d.plainValue(n, 0)
	if err != nil {
		d.fail(n, path, "%v", err)
		return
	}
	b, err := json.Marshal(plain)
	if err != nil {
		d.fail(n, path, "%v", err)
		return
	}
	if err := v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(b); err != nil {
		d.fail(n, path, "%v", err)
	}
}

// plainValue converts a node into generic Go values for JSON, spending the alias budget so that
// aliases cannot expand without bound.
func (d *decoder) plainValue(n *yaml.Node, depth int) (any, error) {
	if depth > MaxNestingDepth {
		return nil, fmt.Errorf("nesting deeper than %d levels: refused", MaxNestingDepth)
	}
	if n.Kind == yaml.AliasNode {
		for n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		d.aliased++
		defer func() { d.aliased-- }()
	}
	if err := d.spend(n); err != nil {
		d.exhausted = true
		return nil, err
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return d.plainValue(n.Content[0], depth)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			val, err := d.plainValue(n.Content[i+1], depth+1)
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = val
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, c := range n.Content {
			val, err := d.plainValue(c, depth+1)
			if err != nil {
				return nil, err
			}
			s[i] = val
		}
		return s, nil
	}
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		return n.Value == "true", nil
	case "!!int":
		if i, err := strconv.ParseInt(n.Value, 0, 64); err == nil {
			return i, nil
		}
	case "!!float":
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return f, nil
		}
	}
	return n.Value, nil
}

var fieldCache sync.Map // reflect.Type → map[string][]int

// fieldsOf maps json names to field indexes, flattening inline and embedded structs.
func fieldsOf(t reflect.Type) map[string][]int {
	if f, ok := fieldCache.Load(t); ok {
		return f.(map[string][]int)
	}
	out := map[string][]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		if name == "" && (f.Anonymous || strings.Contains(opts, "inline")) && f.Type.Kind() == reflect.Struct {
			for k, idx := range fieldsOf(f.Type) {
				out[k] = append([]int{i}, idx...)
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = []int{i}
	}
	fieldCache.Store(t, out)
	return out
}

// suggest names the closest known field, for the typo case that is most of unknown fields.
func suggest(key string, fields map[string][]int) string {
	best, bestDist := "", 3
	for k := range fields {
		if d := levenshtein.ComputeDistance(strings.ToLower(key), strings.ToLower(k)); d < bestDist || (d == bestDist && best != "" && k < best) {
			best, bestDist = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}
