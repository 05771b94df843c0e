package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/internal/emit"
)

// objectInput is o as the rules see it, made for OPA directly from o's encoding/json bytes: the
// value emit.ToMap then rego.EvalInput made through two generic maps (empty status, resources and
// loadBalancer stanzas dropped; numbers with the texts encoding/json wrote), with the agent's TASK
// blanked when blank (tasks are judged in one batch).
func objectInput(o compile.Object, blank bool) (ast.Value, error) {
	var e inputEncoder
	return e.input(o, blank)
}

// inputEncoder is objectInput with one JSON buffer, reused from object to object (one encoder per
// goroutine): the decoder copies what it keeps.
type inputEncoder struct{ buf bytes.Buffer }

func (e *inputEncoder) input(o compile.Object, blank bool) (ast.Value, error) {
	return e.inputFrom(o, nil, blank)
}

// inputFrom is input from raw, o's encoding/json bytes when its renderer kept them (nil: o is
// encoded here).
func (e *inputEncoder) inputFrom(o compile.Object, raw []byte, blank bool) (ast.Value, error) {
	if raw == nil {
		e.buf.Reset()
		// json.Encoder writes what json.Marshal returns, and a newline (whitespace to the decoder).
		if err := json.NewEncoder(&e.buf).Encode(o); err != nil {
			return nil, fmt.Errorf("encoding %s %s: %w", compile.KindOf(o), o.GetName(), err)
		}
		raw = e.buf.Bytes()
	}
	v, err := jsonValue(raw, emit.DroppedWhenEmpty)
	if err != nil {
		return nil, fmt.Errorf("encoding %s %s: %w", compile.KindOf(o), o.GetName(), err)
	}
	if blank {
		v = blankTaskValue(o, v)
	}
	return v, nil
}

// maxJSONDepth is encoding/json's nesting limit (its scanner's maxNestingDepth): input nested
// deeper is an error there, so it is one here.
const maxJSONDepth = 10000

// jsonValue decodes data, one JSON value with optional surrounding whitespace, into the ast.Value
// OPA makes of it with util.UnmarshalJSON then ast.InterfaceToValue, in one pass and without
// generic Go values: numbers keep their text (interned where OPA interns them, checked by
// ast.NumberChecked), strings are unquoted as encoding/json unquotes them, a repeated key keeps its
// last value. Input encoding/json refuses is an error. drop, when set, names the keys whose empty
// object is left out, inner ones first (emit.ToMap's normalization).
func jsonValue(data []byte, drop func(string) bool) (ast.Value, error) {
	d := astDecoder{data: data, src: string(data), drop: drop}
	v, err := d.value(1)
	if err != nil {
		return nil, err
	}
	if d.skipSpace() != len(data) {
		return nil, d.fail("after the top-level value")
	}
	return v, nil
}

// astDecoder reads JSON into ast values. Terms come from a slab, strings are cut from one copy of
// the input, and objects' members and arrays' elements are gathered on shared stacks (a nested
// value pushes above its parent's), so a value costs few allocations beyond OPA's own structures.
// (The value's strings keep that copy alive: toFinding clones what it keeps.)
type astDecoder struct {
	data    []byte
	src     string // data as one string: plain strings and numbers are cut from it, not copied
	pos     int
	drop    func(string) bool
	slab    []ast.Term
	chunk   int
	members [][2]*ast.Term
	elems   []*ast.Term
}

func (d *astDecoder) fail(what string) error {
	if d.pos >= len(d.data) {
		return fmt.Errorf("invalid JSON: unexpected end of input (%s)", what)
	}
	return fmt.Errorf("invalid JSON at offset %d: %s", d.pos, what)
}

func (d *astDecoder) skipSpace() int {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return d.pos
		}
	}
	return d.pos
}

// term wraps v in a fresh Term, as ast.InterfaceToValue does (interned values, own Terms).
func (d *astDecoder) term(v ast.Value) *ast.Term {
	if len(d.slab) == 0 {
		// Chunks grow with the value: a small object wastes little, a large one allocates
		// seldom.
		d.chunk = min(max(2*d.chunk, 16), 1024)
		d.slab = make([]ast.Term, d.chunk)
	}
	t := &d.slab[0]
	d.slab = d.slab[1:]
	t.Value = v
	return t
}

func (d *astDecoder) value(depth int) (ast.Value, error) {
	if d.skipSpace() >= len(d.data) {
		return nil, d.fail("expected a value")
	}
	switch c := d.data[d.pos]; {
	case c == '{':
		if depth > maxJSONDepth {
			return nil, d.fail("nested too deeply")
		}
		return d.object(depth)
	case c == '[':
		if depth > maxJSONDepth {
			return nil, d.fail("nested too deeply")
		}
		return d.array(depth)
	case c == '"':
		s, err := d.str()
		if err != nil {
			return nil, err
		}
		return ast.InternedValue(s), nil
	case c == 't':
		return d.literal("true", ast.InternedValue(true))
	case c == 'f':
		return d.literal("false", ast.InternedValue(false))
	case c == 'n':
		return d.literal("null", ast.NullValue)
	case c == '-' || c >= '0' && c <= '9':
		return d.number()
	}
	return nil, d.fail("expected a value")
}

func (d *astDecoder) literal(word string, v ast.Value) (ast.Value, error) {
	if len(d.data)-d.pos < len(word) || string(d.data[d.pos:d.pos+len(word)]) != word {
		return nil, d.fail("expected " + word)
	}
	d.pos += len(word)
	return v, nil
}

func (d *astDecoder) object(depth int) (ast.Value, error) {
	d.pos++ // {
	base := len(d.members)
	defer func() {
		clear(d.members[base:]) // let the members' terms go with the object
		d.members = d.members[:base]
	}()
	var index map[string]int // key → member, once an object is large enough for it to pay
	if d.skipSpace() < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		return ast.NewObject(), nil
	}
	for {
		if d.skipSpace() >= len(d.data) || d.data[d.pos] != '"' {
			return nil, d.fail("expected a key")
		}
		k, err := d.str()
		if err != nil {
			return nil, err
		}
		if d.skipSpace() >= len(d.data) || d.data[d.pos] != ':' {
			return nil, d.fail("expected ':'")
		}
		d.pos++
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		if o, ok := v.(ast.Object); !ok || o.Len() != 0 || d.drop == nil || !d.drop(k) {
			// encoding/json decodes into a map: a repeated key keeps its last value, and
			// ast.NewObject must not see it twice.
			at := -1
			if index != nil {
				if i, ok := index[k]; ok {
					at = i
				}
			} else {
				for i := base; i < len(d.members); i++ {
					if string(d.members[i][0].Value.(ast.String)) == k {
						at = i
						break
					}
				}
			}
			if at >= 0 {
				d.members[at][1] = d.term(v)
			} else {
				d.members = append(d.members, [2]*ast.Term{d.term(ast.InternedValue(k)), d.term(v)})
				if index != nil {
					index[k] = len(d.members) - 1
				} else if len(d.members)-base > 16 {
					index = make(map[string]int, 2*(len(d.members)-base))
					for i := base; i < len(d.members); i++ {
						index[string(d.members[i][0].Value.(ast.String))] = i
					}
				}
			}
		}
		if d.skipSpace() >= len(d.data) {
			return nil, d.fail("expected ',' or '}'")
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return ast.NewObject(d.members[base:]...), nil
		default:
			return nil, d.fail("expected ',' or '}'")
		}
	}
}

func (d *astDecoder) array(depth int) (ast.Value, error) {
	d.pos++ // [
	base := len(d.elems)
	defer func() {
		clear(d.elems[base:])
		d.elems = d.elems[:base]
	}()
	if d.skipSpace() < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		return ast.NewArray(), nil
	}
	for {
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		d.elems = append(d.elems, d.term(v))
		if d.skipSpace() >= len(d.data) {
			return nil, d.fail("expected ',' or ']'")
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case ']':
			d.pos++
			// ast.NewArray keeps the slice it is given: its own copy, not the stack.
			return ast.NewArray(append([]*ast.Term(nil), d.elems[base:]...)...), nil
		default:
			return nil, d.fail("expected ',' or ']'")
		}
	}
}

// number reads a number as JSON's grammar allows it (encoding/json's scanner) and makes it what
// ast.InterfaceToValue makes of a json.Number.
func (d *astDecoder) number() (ast.Value, error) {
	start := d.pos
	digits := func() int {
		n := 0
		for d.pos < len(d.data) && d.data[d.pos] >= '0' && d.data[d.pos] <= '9' {
			d.pos++
			n++
		}
		return n
	}
	if d.data[d.pos] == '-' {
		d.pos++
	}
	switch {
	case d.pos < len(d.data) && d.data[d.pos] == '0':
		d.pos++
	case digits() == 0:
		return nil, d.fail("expected a digit")
	}
	if d.pos < len(d.data) && d.data[d.pos] == '.' {
		d.pos++
		if digits() == 0 {
			return nil, d.fail("expected a digit after '.'")
		}
	}
	if d.pos < len(d.data) && (d.data[d.pos] == 'e' || d.data[d.pos] == 'E') {
		d.pos++
		if d.pos < len(d.data) && (d.data[d.pos] == '+' || d.data[d.pos] == '-') {
			d.pos++
		}
		if digits() == 0 {
			return nil, d.fail("expected a digit in the exponent")
		}
	}
	s := d.src[start:d.pos]
	if t := ast.InternedIntNumberTermFromString(s); t != nil {
		return t.Value, nil
	}
	n, err := ast.NumberChecked(s)
	if err != nil {
		return nil, fmt.Errorf("offset %d: %w", start, err)
	}
	return n, nil
}

// str reads a JSON string. Plain ones (no escape, valid UTF-8) are sliced out; the others are
// unquoted by encoding/json itself, so that escapes, surrogate pairs and invalid bytes (each
// becomes U+FFFD) come out exactly as OPA's own decoding has them.
func (d *astDecoder) str() (string, error) {
	start := d.pos
	d.pos++ // "
	plain, ascii := true, true
	for d.pos < len(d.data) {
		switch c := d.data[d.pos]; {
		case c == '"':
			d.pos++
			body := d.src[start+1 : d.pos-1]
			if plain && (ascii || utf8.ValidString(body)) {
				return body, nil
			}
			var s string
			if err := json.Unmarshal(d.data[start:d.pos], &s); err != nil {
				return "", fmt.Errorf("invalid JSON string at offset %d: %w", start, err)
			}
			return s, nil
		case c == '\\':
			plain = false
			d.pos += 2 // the escaped byte is never the closing quote; json.Unmarshal checks the rest
		case c < 0x20:
			return "", d.fail("control character in a string")
		default:
			if c >= utf8.RuneSelf {
				ascii = false
			}
			d.pos++
		}
	}
	d.pos = len(d.data)
	return "", d.fail("unterminated string")
}

// blankTaskValue is v, o's input, with the TASK value of its agent container emptied where it is
// a string (batched tasks are judged apart). The objects and arrays on the way are rebuilt rather
// than changed: OPA's values cache their hashes.
func blankTaskValue(o compile.Object, v ast.Value) ast.Value {
	path := compile.PodSpecPath(o)
	if path == "" {
		return v
	}
	return updateAt(v, strings.Split(path, "."), func(spec ast.Value) ast.Value {
		return updateAt(spec, []string{"containers"}, func(cs ast.Value) ast.Value {
			return eachElem(cs, func(c ast.Value) ast.Value {
				if !hasString(c, "name", compile.AgentContainer) {
					return c
				}
				return updateAt(c, []string{"env"}, func(env ast.Value) ast.Value {
					return eachElem(env, func(e ast.Value) ast.Value {
						if !hasString(e, "name", "TASK") {
							return e
						}
						return updateAt(e, []string{"value"}, func(s ast.Value) ast.Value {
							if _, ok := s.(ast.String); ok {
								return ast.InternedValue("")
							}
							return s
						})
					})
				})
			})
		})
	})
}

// updateAt is v with f applied to the value at path (object keys), rebuilding only the objects on
// the way that change; v itself when the path is missing or f changes nothing.
func updateAt(v ast.Value, path []string, f func(ast.Value) ast.Value) ast.Value {
	if len(path) == 0 {
		return f(v)
	}
	obj, ok := v.(ast.Object)
	if !ok {
		return v
	}
	key := ast.InternedTerm(path[0])
	old := obj.Get(key)
	if old == nil {
		return v
	}
	nv := updateAt(old.Value, path[1:], f)
	if nv == old.Value {
		return v
	}
	members := make([][2]*ast.Term, 0, obj.Len())
	_ = obj.Iter(func(k, val *ast.Term) error {
		if k.Value.Compare(key.Value) == 0 {
			val = ast.NewTerm(nv)
		}
		members = append(members, [2]*ast.Term{k, val})
		return nil
	})
	return ast.NewObject(members...)
}

// eachElem is the array v with f applied to each element, rebuilt only if one changes.
func eachElem(v ast.Value, f func(ast.Value) ast.Value) ast.Value {
	arr, ok := v.(*ast.Array)
	if !ok {
		return v
	}
	var out []*ast.Term
	for i := range arr.Len() {
		e := arr.Elem(i)
		ne := f(e.Value)
		if ne != e.Value && out == nil {
			out = make([]*ast.Term, i, arr.Len())
			for j := range i {
				out[j] = arr.Elem(j)
			}
		}
		switch {
		case out == nil:
		case ne == e.Value:
			out = append(out, e)
		default:
			out = append(out, ast.NewTerm(ne))
		}
	}
	if out == nil {
		return v
	}
	return ast.NewArray(out...)
}

// hasString says whether v is an object whose key k is the string s.
func hasString(v ast.Value, k, s string) bool {
	obj, ok := v.(ast.Object)
	if !ok {
		return false
	}
	t := obj.Get(ast.InternedTerm(k))
	if t == nil {
		return false
	}
	str, ok := t.Value.(ast.String)
	return ok && string(str) == s
}
