// Package emit writes compiled objects as YAML: a direct writer for speed, tested for equality
// against sigs.k8s.io/yaml (and fuzzed against it), which library.go wraps for everything else.
// It is the only package that imports a YAML encoder.
package emit

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"golang.org/x/sync/errgroup"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"

	yaml "go.yaml.in/yaml/v2"
)

// Object is what the emitter writes: a typed k8s.io/api struct with its TypeMeta set
// (compile.Object satisfies it).
type Object interface {
	metav1.Object
	k8sruntime.Object
}

func kindOf(o Object) string { return o.GetObjectKind().GroupVersionKind().Kind }

// ToMap is an object as generic JSON values, exactly as it is serialized (and as conftest and the
// policy gate see it): numbers are int64 (float64 when not integral), and the empty "status" and
// "resources" stanzas of the typed structs are dropped (see DroppedWhenEmpty).
func ToMap(o Object) (map[string]any, error) {
	raw, err := json.Marshal(o)
	if err != nil {
		return nil, fmt.Errorf("encoding %s %s: %w", kindOf(o), o.GetName(), err)
	}
	// encoding/json's generic decoding is the serializer's main cost; json.Marshal's output is
	// well-formed, so a small direct parser does the same in a fraction of the time.
	p := jsonParser{data: raw}
	v, err := p.value()
	m, ok := v.(map[string]any)
	if err != nil || !ok || p.skipSpace() != len(raw) {
		return nil, fmt.Errorf("encoding %s %s: %w", kindOf(o), o.GetName(), cmp.Or(err, errors.New("not a JSON object")))
	}
	return m, nil
}

// DroppedWhenEmpty: the keys whose empty object is dropped, inner ones first: "status",
// "resources" and a Service status's "loadBalancer", stanzas encoding/json writes for typed
// structs although they were never set (a Service's status is then empty too). The policy gate
// reads objects into OPA's values with the same rule.
func DroppedWhenEmpty(k string) bool { return k == "status" || k == "resources" || k == "loadBalancer" }

// jsonParser reads encoding/json output into generic values, as encoding/json with UseNumber and
// then normalize would (numbers: int64 when they parse as one, else float64; "status: {}" and
// "resources: {}" dropped).
type jsonParser struct {
	data  []byte
	pos   int
	stack []member // node's scratch space
	nodes []member // node's arena: the members of every object and array read
}

func (p *jsonParser) skipSpace() int {
	for p.pos < len(p.data) && (p.data[p.pos] == ' ' || p.data[p.pos] == '\n' || p.data[p.pos] == '\t' || p.data[p.pos] == '\r') {
		p.pos++
	}
	return p.pos
}

func (p *jsonParser) fail() error { return fmt.Errorf("invalid JSON at offset %d", p.pos) }

func (p *jsonParser) value() (any, error) {
	if p.skipSpace() >= len(p.data) {
		return nil, p.fail()
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		p.pos++
		m := map[string]any{}
		if p.skipSpace() < len(p.data) && p.data[p.pos] == '}' {
			p.pos++
			return m, nil
		}
		for {
			p.skipSpace()
			k, err := p.str()
			if err != nil {
				return nil, err
			}
			if p.skipSpace() >= len(p.data) || p.data[p.pos] != ':' {
				return nil, p.fail()
			}
			p.pos++
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			if cm, ok := v.(map[string]any); !ok || len(cm) != 0 || !DroppedWhenEmpty(k) {
				m[k] = v
			}
			if p.skipSpace() >= len(p.data) {
				return nil, p.fail()
			}
			p.pos++
			switch p.data[p.pos-1] {
			case ',':
				continue
			case '}':
				return m, nil
			}
			return nil, p.fail()
		}
	case c == '[':
		p.pos++
		a := []any{}
		if p.skipSpace() < len(p.data) && p.data[p.pos] == ']' {
			p.pos++
			return a, nil
		}
		for {
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			a = append(a, v)
			if p.skipSpace() >= len(p.data) {
				return nil, p.fail()
			}
			p.pos++
			switch p.data[p.pos-1] {
			case ',':
				continue
			case ']':
				return a, nil
			}
			return nil, p.fail()
		}
	case c == '"':
		return p.str()
	case c == 't' && bytes.HasPrefix(p.data[p.pos:], []byte("true")):
		p.pos += 4
		return true, nil
	case c == 'f' && bytes.HasPrefix(p.data[p.pos:], []byte("false")):
		p.pos += 5
		return false, nil
	case c == 'n' && bytes.HasPrefix(p.data[p.pos:], []byte("null")):
		p.pos += 4
		return nil, nil
	case c == '-' || c >= '0' && c <= '9':
		start := p.pos
		for p.pos < len(p.data) && strings.IndexByte("+-.eE0123456789", p.data[p.pos]) >= 0 {
			p.pos++
		}
		num := string(p.data[start:p.pos])
		if i, err := strconv.ParseInt(num, 10, 64); err == nil {
			return i, nil
		}
		f, err := strconv.ParseFloat(num, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return nil, p.fail()
		}
		return f, nil
	}
	return nil, p.fail()
}

// str reads a JSON string; only strings with escapes take the slow path.
func (p *jsonParser) str() (string, error) {
	if p.pos >= len(p.data) || p.data[p.pos] != '"' {
		return "", p.fail()
	}
	start := p.pos
	p.pos++
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case '"':
			p.pos++
			return string(p.data[start+1 : p.pos-1]), nil
		case '\\':
			// Rare (quotes, newlines, <>&): let encoding/json unquote it.
			for p.pos < len(p.data) {
				switch p.data[p.pos] {
				case '\\':
					p.pos += 2
					continue
				case '"':
					p.pos++
					var out string
					if err := json.Unmarshal(p.data[start:p.pos], &out); err != nil {
						return "", p.fail()
					}
					return out, nil
				}
				p.pos++
			}
			return "", p.fail()
		}
		p.pos++
	}
	return "", p.fail()
}

// MarshalObject renders one object as YAML with sorted keys and without the empty status and
// resources stanzas the typed structs would otherwise print.
func MarshalObject(o Object) ([]byte, error) {
	var e objectEncoder
	return e.marshal(o)
}

// Encoder renders objects one at a time as MarshalObject does, reusing its scratch space from
// object to object: one per goroutine.
type Encoder struct{ e objectEncoder }

// Marshal is MarshalObject.
func (e *Encoder) Marshal(o Object) ([]byte, error) { return e.e.marshal(o) }

// objectEncoder holds one worker's scratch space, reused from object to object so that encoding
// thousands of objects allocates little more than their YAML: the JSON, the nodes, the YAML.
type objectEncoder struct {
	fast  []byte // appendJSON's
	json  bytes.Buffer
	nodes []member
	stack []member
	yaml  []byte
}

func (e *objectEncoder) marshal(o Object) ([]byte, error) {
	raw, err := e.encode(o)
	if err != nil {
		return nil, err
	}
	return e.fromJSON(nil, o, raw)
}

// encode is o's encoding/json bytes and a newline, in e's scratch space.
func (e *objectEncoder) encode(o Object) ([]byte, error) {
	if b, ok := appendJSON(e.fast[:0], o); ok {
		e.fast = append(b, '\n')
		return e.fast, nil
	}
	e.json.Reset()
	if err := json.NewEncoder(&e.json).Encode(o); err != nil { // json.Marshal's bytes, and a newline
		return nil, fmt.Errorf("encoding %s %s: %w", kindOf(o), o.GetName(), err)
	}
	return e.json.Bytes(), nil
}

// JSON is o's encoding/json bytes and a newline, valid until the encoder's next use.
func (e *Encoder) JSON(o Object) ([]byte, error) { return e.e.encode(o) }

// FromJSON is Marshal of o from raw, o's bytes as JSON returned them.
func (e *Encoder) FromJSON(o Object, raw []byte) ([]byte, error) { return e.e.fromJSON(nil, o, raw) }

// AppendFromJSON is FromJSON appending the document to dst.
func (e *Encoder) AppendFromJSON(dst []byte, o Object, raw []byte) ([]byte, error) {
	return e.e.fromJSON(dst, o, raw)
}

// fromJSON renders o from raw, its encoding/json bytes, appending to dst (nil: a slice of its own).
func (e *objectEncoder) fromJSON(dst []byte, o Object, raw []byte) ([]byte, error) {
	p := jsonParser{data: raw, stack: e.stack[:0], nodes: e.nodes[:0]}
	n, err := p.node()
	e.stack, e.nodes = p.stack, p.nodes
	if err == nil && n.kind == '{' && p.skipSpace() == len(raw) {
		w := yamlWriter{b: e.yaml[:0]}
		ok := w.document(n)
		e.yaml = w.b
		if ok {
			if dst == nil {
				return bytes.Clone(w.b), nil
			}
			return append(dst, w.b...), nil
		}
	}
	m, err := ToMap(o)
	if err != nil {
		return dst, err
	}
	// The emitter sigs.k8s.io/yaml uses, without its JSON re-parse: same bytes, more work.
	out, err := yaml.Marshal(m)
	if err != nil {
		return dst, fmt.Errorf("encoding %s %s: %w", kindOf(o), o.GetName(), err)
	}
	if dst == nil {
		return out, nil
	}
	return append(dst, out...), nil
}

// Template is the YAML of objects that differ only in a few names, made once from the JSON of one
// of them with each name replaced by a token (a string holding a NUL byte, which encoding/json
// never writes): Fill writes any of them. The YAML writer's output depends on a string only where
// it writes that string, so a token may stand only in a scalar the writer writes on one line: a
// token in a mapping key, in multi-line text or in an escaped string gives no template.
type Template struct {
	yaml  []byte // the document without the scalars that hold tokens
	holes []hole
}

// hole is a scalar holding tokens: where it goes in yaml, its text and its column.
type hole struct {
	at  int
	s   string
	col int
}

// Size is the template's size in bytes, about.
func (t *Template) Size() int { return len(t.yaml) + 64*len(t.holes) }

// Template makes the template of blanked, an object's encoding/json bytes with names replaced by
// tokens; nil when the writer cannot write it (see Template).
func (e *Encoder) Template(blanked []byte) *Template {
	p := jsonParser{data: blanked, stack: e.e.stack[:0], nodes: e.e.nodes[:0]}
	n, err := p.node()
	e.e.stack, e.e.nodes = p.stack, p.nodes
	if err != nil || n.kind != '{' || p.skipSpace() != len(blanked) {
		return nil
	}
	var holes []hole
	w := yamlWriter{b: e.e.yaml[:0], holes: &holes}
	ok := w.document(n)
	e.e.yaml = w.b
	if !ok {
		return nil
	}
	return &Template{yaml: bytes.Clone(w.b), holes: holes}
}

// Fill writes the template's document with each token-holding scalar's text as unblank returns
// it: what Marshal writes for the object whose names those are. ok is false where the writer would
// not write one of those scalars on its own (Marshal then falls back to yaml.v2 for the whole
// document): the caller renders the object in full.
func (t *Template) Fill(unblank func(string) string) ([]byte, bool) {
	size := len(t.yaml)
	for _, h := range t.holes {
		size += len(h.s) + 32
	}
	return t.AppendFill(make([]byte, 0, size), unblank)
}

// AppendFill is Fill appending the document to dst; when ok is false, dst is returned as it was.
func (t *Template) AppendFill(dst []byte, unblank func(string) string) ([]byte, bool) {
	w := yamlWriter{b: dst}
	prev := 0
	for _, h := range t.holes {
		w.b = append(w.b, t.yaml[prev:h.at]...)
		s := unblank(h.s)
		if strings.IndexByte(s, 0) >= 0 || !w.scalar(node{kind: '"', s: s}, h.col) {
			return dst, false
		}
		prev = h.at
	}
	return append(w.b, t.yaml[prev:]...), true
}

// node is a JSON value as the YAML writer needs it: members of objects and items of arrays in
// one slice (items without key), no maps. kind is '{', '[', '"' (s is the text), 'i' (integer,
// s is its decimal form), 'b' (bool, s), 'n' (null) or 'f' (any other number: the writer leaves
// those to yaml.Marshal).
type node struct {
	kind byte
	s    string
	kids []member
}

type member struct {
	key string
	val node
}

// node reads a JSON value as a node, dropping "status: {}" and "resources: {}" as ToMap does.
// Members are gathered on p.stack and copied into the arena p.nodes once per object or array.
func (p *jsonParser) node() (node, error) {
	if p.skipSpace() >= len(p.data) {
		return node{}, p.fail()
	}
	switch c := p.data[p.pos]; c {
	case '{', '[':
		p.pos++
		n := node{kind: c}
		end := byte('}')
		if c == '[' {
			end = ']'
		}
		if p.skipSpace() < len(p.data) && p.data[p.pos] == end {
			p.pos++
			return n, nil
		}
		mark := len(p.stack)
		for {
			var k string
			if c == '{' {
				p.skipSpace()
				var err error
				if k, err = p.str(); err != nil {
					return n, err
				}
				if p.skipSpace() >= len(p.data) || p.data[p.pos] != ':' {
					return n, p.fail()
				}
				p.pos++
			}
			v, err := p.node()
			if err != nil {
				return n, err
			}
			if c == '[' || v.kind != '{' || len(v.kids) != 0 || !DroppedWhenEmpty(k) {
				p.stack = append(p.stack, member{k, v})
			}
			if p.skipSpace() >= len(p.data) {
				return n, p.fail()
			}
			p.pos++
			switch p.data[p.pos-1] {
			case ',':
				continue
			case end:
				// Into the arena: when it grows, earlier nodes keep the old array, still valid.
				start := len(p.nodes)
				p.nodes = append(p.nodes, p.stack[mark:]...)
				n.kids = p.nodes[start:len(p.nodes):len(p.nodes)]
				p.stack = p.stack[:mark]
				return n, nil
			}
			return n, p.fail()
		}
	case '"':
		str, err := p.str()
		return node{kind: '"', s: str}, err
	}
	start := p.pos
	v, err := p.value() // a scalar
	switch t := v.(type) {
	case bool:
		return node{kind: 'b', s: strconv.FormatBool(t)}, err
	case nil:
		return node{kind: 'n'}, err
	case int64:
		if raw := string(p.data[start:p.pos]); raw == strconv.FormatInt(t, 10) {
			return node{kind: 'i', s: raw}, err
		}
	}
	return node{kind: 'f'}, err
}

// nodeOf is the node of generic JSON values (ToMap's form).
func nodeOf(v any) node {
	switch t := v.(type) {
	case map[string]any:
		n := node{kind: '{'}
		for k, c := range t {
			n.kids = append(n.kids, member{k, nodeOf(c)})
		}
		return n
	case []any:
		n := node{kind: '['}
		for _, c := range t {
			n.kids = append(n.kids, member{val: nodeOf(c)})
		}
		return n
	case string:
		return node{kind: '"', s: t}
	case bool:
		return node{kind: 'b', s: strconv.FormatBool(t)}
	case nil:
		return node{kind: 'n'}
	case int64:
		return node{kind: 'i', s: strconv.FormatInt(t, 10)}
	}
	return node{kind: 'f'}
}

// encodeYAML writes m exactly as yaml.Marshal would, or reports false (see yamlWriter).
func encodeYAML(m map[string]any) ([]byte, bool) {
	w := yamlWriter{}
	if !w.document(nodeOf(m)) {
		return nil, false
	}
	return w.b, true
}

// yamlWriter writes what yaml.Marshal (go.yaml.in/yaml/v2) would, for the shapes skillc emits:
// block mappings and sequences, keys sorted in yaml's order, scalars in the style yaml picks for
// them. Its methods report false, and the caller falls back to yaml.Marshal, on anything whose
// rendering they do not reproduce with certainty (odd keys, non-ASCII or tricky multi-line
// text, long text the emitter would fold at 80 columns, non-integral numbers). A test compares
// both on every fixture.
type yamlWriter struct {
	b []byte
	// holes, for a Template: a scalar holding a NUL (a token) is recorded here, not written.
	holes *[]hole
}

func (w *yamlWriter) document(n node) bool {
	if len(n.kids) == 0 {
		w.b = append(w.b, "{}\n"...)
		return true
	}
	return w.mapping(n.kids, 0)
}

func (w *yamlWriter) pad(n int) {
	for range n {
		w.b = append(w.b, ' ')
	}
}

// mapping writes a non-empty block mapping, its first key at the cursor (column indent), the
// others on new lines at indent.
func (w *yamlWriter) mapping(kids []member, indent int) bool {
	for _, m := range kids {
		if !plainKey(m.key) {
			return false
		}
	}
	slices.SortFunc(kids, func(a, b member) int {
		if yamlKeyLess(a.key, b.key) {
			return -1
		}
		return 1
	})
	for i, m := range kids {
		if i > 0 {
			w.pad(indent)
		}
		w.b = append(w.b, m.key...)
		w.b = append(w.b, ':')
		if !w.mapValue(m.val, indent, indent+len(m.key)+2) {
			return false
		}
	}
	return true
}

// mapValue writes the value of a key of the mapping at indent; col is where a scalar starts.
func (w *yamlWriter) mapValue(n node, indent, col int) bool {
	switch n.kind {
	case '{':
		if len(n.kids) == 0 {
			w.b = append(w.b, " {}\n"...)
			return true
		}
		w.b = append(w.b, '\n')
		w.pad(indent + 2)
		return w.mapping(n.kids, indent+2)
	case '[':
		if len(n.kids) == 0 {
			w.b = append(w.b, " []\n"...)
			return true
		}
		w.b = append(w.b, '\n')
		// yaml.v2 writes a mapping's sequences indentless: "- " at the key's column.
		for _, item := range n.kids {
			w.pad(indent)
			w.b = append(w.b, "- "...)
			if !w.item(item.val, indent+2) {
				return false
			}
		}
		return true
	case '"':
		if strings.IndexByte(n.s, '\n') >= 0 {
			return w.literal(n.s, indent+2)
		}
	}
	w.b = append(w.b, ' ')
	return w.scalar(n, col)
}

// item writes a sequence item after its "- " (the cursor at column indent).
func (w *yamlWriter) item(n node, indent int) bool {
	switch n.kind {
	case '{':
		if len(n.kids) == 0 {
			w.b = append(w.b, "{}\n"...)
			return true
		}
		return w.mapping(n.kids, indent)
	case '[':
		if len(n.kids) == 0 {
			w.b = append(w.b, "[]\n"...)
			return true
		}
		for i, x := range n.kids {
			if i > 0 {
				w.pad(indent)
			}
			w.b = append(w.b, "- "...)
			if !w.item(x.val, indent+2) {
				return false
			}
		}
		return true
	}
	return w.scalar(n, indent)
}

// scalar writes a single-line scalar starting at column col, and the line break.
func (w *yamlWriter) scalar(n node, col int) bool {
	if w.holes != nil && n.kind == '"' && strings.IndexByte(n.s, 0) >= 0 {
		*w.holes = append(*w.holes, hole{at: len(w.b), s: n.s, col: col})
		return true
	}
	switch n.kind {
	case 'n':
		w.b = append(w.b, "null"...)
	case 'b', 'i':
		w.b = append(w.b, n.s...)
	case '"':
		text := n.s
		if !plainScalar(text) {
			var ok bool
			if text, ok = quotedScalar(text); !ok || strings.IndexByte(text, '\n') >= 0 {
				return false
			}
		}
		// The emitter folds text at a space once past column 80: text that cannot reach it is safe.
		if col+len(text) > 80 && strings.IndexByte(text, ' ') >= 0 {
			return false
		}
		w.b = append(w.b, text...)
	default:
		return false
	}
	w.b = append(w.b, '\n')
	return true
}

// literal writes multi-line text as yaml.v2 does ("|" or "|-", lines at indent), when it is plain
// ASCII without the features that change the style (leading blank or break, a space before a
// break, several trailing breaks).
func (w *yamlWriter) literal(s string, indent int) bool {
	if s[0] == ' ' || s[0] == '\n' || strings.HasSuffix(s, "\n\n") || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\n' {
			if i > 0 && s[i-1] == ' ' {
				return false
			}
		} else if c < 0x20 || c > 0x7e {
			return false
		}
	}
	w.b = append(w.b, " |"...)
	if s[len(s)-1] != '\n' {
		w.b = append(w.b, '-')
	}
	w.b = append(w.b, '\n')
	for line := range strings.Lines(s) {
		if line != "\n" {
			w.pad(indent)
		}
		w.b = append(w.b, line...)
	}
	if s[len(s)-1] != '\n' {
		w.b = append(w.b, '\n')
	}
	return true
}

// plainKey: keys yaml.v2 writes as they are, as simple keys.
func plainKey(k string) bool {
	return len(k) <= 128 && strings.IndexByte(k, ' ') < 0 && plainScalar(k)
}

// plainScalar: text yaml.v2 surely writes plain. It starts with a letter or "/" (so it resolves to
// no number, date or indicator), is not one of YAML 1.1's boolean or null words, and holds only
// characters that are no indicator where they stand.
func plainScalar(s string) bool {
	if s == "" || !(isLetter(s[0]) || s[0] == '/') || s[len(s)-1] == ' ' || s[len(s)-1] == ':' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isLetter(c) || c >= '0' && c <= '9':
		case c == ':':
			if s[i+1] == ' ' { // the last byte is not ':' (above)
				return false
			}
		case strings.IndexByte(" ._/-=+()@~", c) >= 0:
		default:
			return false
		}
	}
	if len(s) <= 5 {
		switch strings.ToLower(s) {
		case "y", "n", "yes", "no", "on", "off", "true", "false", "null":
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// quoted caches yaml.v2's single-line rendering of scalars that are not surely plain ("100m",
// "1.0", "*"): few distinct values, used many times.
var (
	quoted     sync.Map
	quotedSize atomic.Int64
)

// quotedScalar is yaml.v2's rendering of s as a mapping value, when it is one line.
func quotedScalar(s string) (string, bool) {
	if v, ok := quoted.Load(s); ok {
		return v.(string), true
	}
	out, err := yaml.Marshal(map[string]string{"k": s})
	text, ok := strings.CutPrefix(string(out), "k: ")
	text, ok2 := strings.CutSuffix(text, "\n")
	if err != nil || !ok || !ok2 || strings.ContainsAny(text, "\n") || strings.HasPrefix(text, "|") || strings.HasPrefix(text, ">") {
		return "", false
	}
	if len(s) <= 256 && quotedSize.Add(1) <= 1<<16 {
		quoted.Store(s, text)
	}
	return text, true
}

// yamlKeyLess is yaml.v2's order of string map keys (sorter.go): runs of digits compare as
// numbers, letters before other characters.
func yamlKeyLess(a, b string) bool {
	if isASCII(a) && isASCII(b) {
		return keyLess([]byte(a), []byte(b))
	}
	return keyLess([]rune(a), []rune(b))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func keyLess[C byte | rune](ar, br []C) bool {
	for i := 0; i < len(ar) && i < len(br); i++ {
		if ar[i] == br[i] {
			continue
		}
		al, bl := unicode.IsLetter(rune(ar[i])), unicode.IsLetter(rune(br[i]))
		if al && bl {
			return ar[i] < br[i]
		}
		if al || bl {
			return bl
		}
		var an, bn int64
		if ar[i] == '0' || br[i] == '0' {
			// A zero inside a number ("10" vs "1a") counts as a digit of it.
			for j := i - 1; j >= 0 && unicode.IsDigit(rune(ar[j])); j-- {
				if ar[j] != '0' {
					an, bn = 1, 1
					break
				}
			}
		}
		ai, bi := i, i
		for ; ai < len(ar) && unicode.IsDigit(rune(ar[ai])); ai++ {
			an = an*10 + int64(ar[ai]-'0')
		}
		for ; bi < len(br) && unicode.IsDigit(rune(br[bi])); bi++ {
			bn = bn*10 + int64(br[bi]-'0')
		}
		if an != bn {
			return an < bn
		}
		if ai != bi {
			return ai < bi
		}
		return ar[i] < br[i]
	}
	return len(ar) < len(br)
}

// MarshalStream renders objects as one YAML stream, documents separated by "---". Objects are
// encoded in parallel into their own slots, so the stream's order is the objects' order.
func MarshalStream[O Object](objs []O) ([]byte, error) {
	docs, err := MarshalEach(objs)
	if err != nil {
		return nil, err
	}
	size := 0
	for _, d := range docs {
		size += len(d) + 4
	}
	b := bytes.NewBuffer(make([]byte, 0, size))
	for i, d := range docs {
		if i > 0 {
			b.WriteString("---\n")
		}
		b.Write(d)
	}
	return b.Bytes(), nil
}

// MarshalEach encodes every object (one YAML document each, in order), using every core. Objects
// go to the workers in chunks, so that each chunk's encoder reuses its scratch space.
func MarshalEach[O Object](objs []O) ([][]byte, error) {
	const chunk = 64
	docs := make([][]byte, len(objs))
	errs := make([]error, len(objs))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for lo := 0; lo < len(objs); lo += chunk {
		g.Go(func() error {
			var e objectEncoder
			for i := lo; i < min(lo+chunk, len(objs)); i++ {
				docs[i], errs[i] = e.marshal(objs[i])
			}
			return nil
		})
	}
	_ = g.Wait() // errors are per object, joined in order below
	return docs, errors.Join(errs...)
}

// ObjectPath is where -o DIR puts an object: <namespace or _cluster>/<kind>-<name>.yaml.
func ObjectPath(o Object) string { return Path(o.GetNamespace(), kindOf(o), o.GetName()) }

// Path is ObjectPath of an object of kind named ns/name.
func Path(ns, kind, name string) string {
	if ns == "" {
		ns = "_cluster"
	}
	return ns + "/" + strings.ToLower(kind) + "-" + name + ".yaml"
}
