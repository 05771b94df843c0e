// Package edit adds and removes skill toggles (spec.skills items) in a YAML source file in place.
//
// Re-serialising a document with yaml.v3 or kyaml loses comments' places, quoting and
// indentation, so the edit is textual: the parsed node positions (line and column, from compile's
// Reader) say which lines the toggle occupies, those lines alone are inserted or removed, and the
// result is parsed again and compared with the intended change before it is returned. A layout that
// cannot be edited without touching other lines is refused with the line to look at.
package edit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/skillc-dev/skillc/source"
)

// Target names the document to edit: one of Kinds, in Namespace (empty means "default", as
// kubectl applies it) with Name.
type Target struct {
	Kinds     []string
	Namespace string
	Name      string
}

// Toggle is one spec.skills item: a pack and its params.
type Toggle struct {
	Pack   string
	Params map[string]string
}

// RefusedError is an edit skillc will not make: the line of the file to look at and why.
type RefusedError struct {
	Line int
	Msg  string
}

func (e *RefusedError) Error() string { return e.Msg }

func refuse(line int, format string, args ...any) error {
	return &RefusedError{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// Result is an edit: the new bytes, whether anything changed, and the lines (1-based, in the
// new file for an insert, in the old file for a removal) the toggle occupies.
type Result struct {
	Data    []byte
	Changed bool
	Line    int // first line of the toggle
	Field   string

	droppedKey    bool // disable removed the skills key with its last item
	blockFromFlow bool // enable turned an empty flow list into a block list: disable drops or nulls the key instead of giving [] back
	nulledKey     bool // disable left the skills key with no value (it was spec's only key)
}

// PackName strips the skillpack- prefix a ref may carry (SPEC §2), as resolution does.
func PackName(ref string) string { return strings.TrimPrefix(ref, "skillpack-") }

// Enable appends t to the target document's spec.skills, unless a toggle of the same pack is
// already there (then Changed is false and Line is that toggle's).
func Enable(f source.File, tg Target, t Toggle) (Result, error) {
	return apply(f, tg, t, true)
}

// Disable removes the target document's toggle of pack; Changed is false when there is none.
func Disable(f source.File, tg Target, pack string) (Result, error) {
	return apply(f, tg, Toggle{Pack: pack}, false)
}

// loneCR is the index of the first CR not followed by LF in b, or -1.
func loneCR(b []byte) int {
	for i, c := range b {
		if c == '\r' && (i+1 == len(b) || b[i+1] != '\n') {
			return i
		}
	}
	return -1
}

// doc is a parsed document of the file.
type doc struct {
	root  *source.Node
	value any
}

func parse(f source.File) ([]doc, error) {
	var docs []doc
	var decodeErr error
	diags := source.NewReader().Documents(f, func(root *source.Node) bool {
		var v any
		if err := root.Decode(&v); err != nil {
			decodeErr = refuse(root.Line, "decoding: %v", err)
			return false
		}
		docs = append(docs, doc{root: root, value: v})
		return true
	})
	if diags.HasErrors() {
		return nil, diags
	}
	return docs, decodeErr
}

func (tg Target) matches(root *source.Node) bool {
	if root.Kind != source.MappingNode {
		return false
	}
	_, kind := get(root, "kind")
	_, meta := get(root, "metadata")
	if kind == nil || meta == nil || !slices.Contains(tg.Kinds, kind.Value) {
		return false
	}
	_, name := get(meta, "name")
	_, ns := get(meta, "namespace")
	nsv := "default"
	if ns != nil && ns.Value != "" {
		nsv = ns.Value
	}
	want := tg.Namespace
	if want == "" {
		want = "default"
	}
	return name != nil && name.Value == tg.Name && nsv == want
}

// get returns the key and value nodes of key in mapping m.
func get(m *source.Node, key string) (*source.Node, *source.Node) {
	if m == nil || m.Kind != source.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

// text is the file as lines, each with its line break.
type text struct {
	lines []string
	eol   string
}

func splitLines(data []byte) text {
	s := string(data)
	var t text
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			t.lines = append(t.lines, s)
			break
		}
		t.lines = append(t.lines, s[:i+1])
		s = s[i+1:]
	}
	t.eol = "\n"
	for _, l := range t.lines {
		if strings.HasSuffix(l, "\n") {
			if strings.HasSuffix(l, "\r\n") {
				t.eol = "\r\n"
			}
			break
		}
	}
	return t
}

// body is line n (1-based) without its line break.
func (t *text) body(n int) string { return strings.TrimRight(t.lines[n-1], "\r\n") }

// offset converts a 1-based column (the parser counts characters) of line n to a byte offset.
func (t *text) offset(n, col int) int {
	b := t.body(n)
	off := 0
	for i := 1; i < col && off < len(b); i++ {
		_, size := utf8.DecodeRuneInString(b[off:])
		off += size
	}
	return off
}

func (t *text) bytes() []byte { return []byte(strings.Join(t.lines, "")) }

// insertAfter inserts whole lines (without breaks) after line n (0: at the top).
func (t *text) insertAfter(n int, add []string) {
	var ins []string
	last := n == len(t.lines) && n > 0 && !strings.HasSuffix(t.lines[n-1], "\n")
	if last {
		t.lines[n-1] += t.eol // the file ended without a break: the new last line does too
	}
	for i, l := range add {
		if last && i == len(add)-1 {
			ins = append(ins, l)
		} else {
			ins = append(ins, l+t.eol)
		}
	}
	t.lines = slices.Insert(t.lines, n, ins...)
}

// remove removes lines from..to (1-based, inclusive).
func (t *text) remove(from, to int) {
	if to == len(t.lines) && !strings.HasSuffix(t.lines[to-1], "\n") && from > 1 {
		// The removed lines end the file without a break: so does the line before them now.
		t.lines[from-2] = strings.TrimRight(t.lines[from-2], "\r\n")
	}
	t.lines = slices.Delete(t.lines, from-1, to)
}

func indentOf(s string) int { return len(s) - len(strings.TrimLeft(s, " ")) }

// lastLine is the last line of a block sequence item: the deepest line any of its nodes starts on,
// then the continuation lines of a multi-line scalar (more indented than the item's dash, not a
// comment, not blank).
func (t *text) lastLine(item *source.Node, dashIndent int) int {
	end := maxLine(item)
	for n := end + 1; n <= len(t.lines); n++ {
		next := t.body(n)
		trimmed := strings.TrimSpace(next)
		if trimmed == "" {
			continue // inside a block scalar only if a deeper content line follows
		}
		if strings.HasPrefix(trimmed, "#") || indentOf(next) <= dashIndent {
			break
		}
		end = n
	}
	return end
}

func maxLine(n *source.Node) int {
	m := n.Line
	for _, c := range n.Content {
		m = max(m, maxLine(c))
	}
	return m
}

// scalar renders s as a YAML scalar: plain when it reads back as the same string in block and
// flow context, else double-quoted (a JSON string is a valid YAML double-quoted scalar).
func scalar(s string) string {
	if s != "" && !strings.ContainsAny(s, ",[]{}#:\"'`\\\t\r\n") && strings.TrimSpace(s) == s &&
		source.ReadsAsString(s) {
		return s
	}
	b, _ := json.Marshal(s)
	return string(b)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// blockItem is the toggle as block lines, its dash indented by dash spaces and its content by
// content spaces.
func blockItem(t Toggle, dash, content int) []string {
	lines := []string{strings.Repeat(" ", dash) + "-" + strings.Repeat(" ", content-dash-1) + "skillPackRef: " + scalar(t.Pack)}
	if len(t.Params) > 0 {
		lines = append(lines, strings.Repeat(" ", content)+"params:")
		for _, k := range sortedKeys(t.Params) {
			lines = append(lines, strings.Repeat(" ", content+2)+scalar(k)+": "+scalar(t.Params[k]))
		}
	}
	return lines
}

func flowItem(t Toggle) string {
	s := "{skillPackRef: " + scalar(t.Pack)
	if len(t.Params) > 0 {
		var ps []string
		for _, k := range sortedKeys(t.Params) {
			ps = append(ps, scalar(k)+": "+scalar(t.Params[k]))
		}
		s += ", params: {" + strings.Join(ps, ", ") + "}"
	}
	return s + "}"
}

// flowItemEnd finds, in s from byte i (where an item of a flow list starts), the byte just past
// the item on the same line, or -1: a collection's closing bracket or brace, a quoted scalar's
// closing quote, or a plain scalar's last byte before the next `,`, `]` or ` #`.
func flowItemEnd(s string, i int) int {
	if i >= len(s) {
		return -1
	}
	switch s[i] {
	case '[', '{':
		return flowEnd(s, i)
	case '"':
		for j := i + 1; j < len(s); j++ {
			switch s[j] {
			case '\\':
				j++
			case '"':
				return j + 1
			}
		}
		return -1
	case '\'':
		for j := i + 1; j < len(s); j++ {
			if s[j] == '\'' {
				if j+1 < len(s) && s[j+1] == '\'' {
					j++ // '' is an escaped quote
					continue
				}
				return j + 1
			}
		}
		return -1
	}
	for j := i; j < len(s); j++ {
		if s[j] == ',' || s[j] == ']' || s[j] == '#' && j > 0 && (s[j-1] == ' ' || s[j-1] == '\t') {
			if s[j] == '#' {
				return -1 // a comment: the list continues on another line
			}
			return len(strings.TrimRight(s[:j], " \t"))
		}
	}
	return -1
}

// flowEnd finds, in s from byte i (an opening bracket or brace), the byte just past the one that
// closes it on the same line, or -1.
func flowEnd(s string, i int) int {
	depth := 0
	for ; i < len(s); i++ {
		switch c := s[i]; c {
		case '[', '{':
			depth++
		case ']', '}':
			depth--
			if depth == 0 {
				return i + 1
			}
		case '"':
			for i++; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' {
					i++
				}
			}
		case '\'':
			for i++; i < len(s) && !(s[i] == '\'' && (i+1 == len(s) || s[i+1] != '\'')); i++ {
				if s[i] == '\'' {
					i++ // '' is an escaped quote
				}
			}
		case '#':
			if i > 0 && (s[i-1] == ' ' || s[i-1] == '\t') {
				return -1 // a comment: the collection continues on another line
			}
		}
	}
	return -1
}

func apply(f source.File, tg Target, t Toggle, enable bool) (Result, error) {
	// YAML ends a line at a lone CR too; the line edits count LF only, so they would misplace
	// every line after one. (Found by FuzzEnableDisable.)
	if i := loneCR(f.Data); i >= 0 {
		return Result{}, refuse(1+bytes.Count(f.Data[:i], []byte("\n")), "a carriage return without a line feed (an old Mac line break): this layout cannot be edited line by line, edit it by hand")
	}
	docs, err := parse(f)
	if err != nil {
		return Result{}, err
	}
	idx := -1
	for i, d := range docs {
		if tg.matches(d.root) {
			if idx >= 0 {
				return Result{}, refuse(d.root.Line, "%s/%s is defined twice in this file (also line %d)", tg.Namespace, tg.Name, docs[idx].root.Line)
			}
			idx = i
		}
	}
	if idx < 0 {
		return Result{}, refuse(0, "no %s %s/%s in this file", strings.Join(tg.Kinds, " or "), tg.Namespace, tg.Name)
	}
	root := docs[idx].root
	specKey, spec := get(root, "spec")
	if spec == nil {
		return Result{}, refuse(root.Line, "the document has no spec: add one with the skills list")
	}
	if spec.Kind != source.MappingNode || spec.Style&source.FlowStyle != 0 || len(spec.Content) == 0 || specKey.Line == spec.Content[0].Line {
		return Result{}, refuse(specKey.Line, "spec is not a block mapping with its keys on their own lines: edit it by hand (skillc does not reformat)")
	}
	skillsKey, skills := get(spec, "skills")
	tx := splitLines(f.Data)
	want := slices.Clone(refsOf(skills))
	var res Result
	pos := -1
	for i, r := range want {
		if PackName(r.ref) == PackName(t.Pack) {
			pos = i
		}
	}
	switch {
	case enable && pos >= 0:
		return Result{Data: f.Data, Line: want[pos].line, Field: fmt.Sprintf("spec.skills[%d]", pos)}, nil
	case !enable && pos < 0:
		return Result{Data: f.Data}, nil
	}
	if skills != nil && skills.Kind != source.SequenceNode && !(skills.Kind == source.ScalarNode && skills.ShortTag() == "!!null") {
		return Result{}, refuse(skillsKey.Line, "spec.skills is not a list")
	}
	if skills != nil && skills.Kind == source.ScalarNode && tx.afterColon(skillsKey) != "" {
		return Result{}, refuse(skillsKey.Line, "spec.skills is written as %q: make it a list by hand first", tx.afterColon(skillsKey))
	}
	res.Changed = true
	if enable {
		res.Field = fmt.Sprintf("spec.skills[%d]", len(want))
		err = tx.enable(specKey, spec, skillsKey, skills, t, blockLists(docs), &res)
	} else {
		res.Field = fmt.Sprintf("spec.skills[%d]", pos)
		// skills alone in spec keeps its key, with no value: `spec:` alone would be null,
		// not an empty mapping, and disable after enable must give the file back.
		alone := spec != nil && spec.Kind == source.MappingNode && len(spec.Content) == 2
		err = tx.disable(skillsKey, skills, pos, alone, &res)
	}
	if err != nil {
		return Result{}, err
	}
	res.Data = tx.bytes()
	if err := verify(f, res.Data, docs, idx, t, enable, pos, res.droppedKey, res.nulledKey); err != nil {
		return Result{}, err
	}
	return res, nil
}

type ref struct {
	ref  string
	line int
}

func refsOf(skills *source.Node) []ref {
	if skills == nil || skills.Kind != source.SequenceNode {
		return nil
	}
	var out []ref
	for _, it := range skills.Content {
		_, r := get(it, "skillPackRef")
		if r == nil {
			out = append(out, ref{line: it.Line})
			continue
		}
		out = append(out, ref{ref: r.Value, line: it.Line})
	}
	return out
}

// afterColon is what follows "key:" on the key's line, without a trailing comment.
func (t *text) afterColon(key *source.Node) string {
	b := t.body(key.Line)
	rest := b[t.offset(key.Line, key.Column):]
	_, after, ok := strings.Cut(rest, ":")
	if !ok {
		return "?"
	}
	after = strings.TrimSpace(after)
	if strings.HasPrefix(after, "#") {
		return ""
	}
	return after
}

// blockLists reports whether the file writes its lists in block style: it has a non-empty block
// list, or no non-empty flow list (block is Kubernetes' usual style, and kubectl's).
func blockLists(docs []doc) bool {
	var block, flow int
	var walk func(n *source.Node)
	walk = func(n *source.Node) {
		if n == nil {
			return
		}
		if n.Kind == source.SequenceNode && len(n.Content) > 0 {
			if n.Style&source.FlowStyle != 0 {
				flow++
			} else {
				block++
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	for _, d := range docs {
		walk(d.root)
	}
	return block > 0 || flow == 0
}

func (t *text) enable(specKey, spec, skillsKey, skills *source.Node, tog Toggle, block bool, res *Result) error {
	switch {
	case skills != nil && skills.Kind == source.SequenceNode && skills.Style&source.FlowStyle != 0 && len(skills.Content) == 0 && block &&
		skills.Line == skillsKey.Line && t.emptyFlowAlone(skills):
		// "skills: []" in a file of block lists: the first toggle starts a block list, as the
		// file writes its others. The comment after [] stays on the key's line.
		b := t.body(skills.Line)
		open := t.offset(skills.Line, skills.Column)
		rest := strings.TrimSpace(b[flowEnd(b, open):])
		line := strings.TrimRight(b[:open], " ")
		if rest != "" {
			line += "  " + rest
		}
		t.lines[skills.Line-1] = line + t.lines[skills.Line-1][len(b):]
		keyIndent := skillsKey.Column - 1
		dash, content := t.sequenceStyle(keyIndent)
		t.insertAfter(skills.Line, blockItem(tog, dash, content))
		res.Line = skills.Line + 1
		res.blockFromFlow = true
	case skills == nil:
		// A new skills key, first in spec, right under "spec:" (above the first key's comments).
		keyIndent := spec.Content[0].Column - 1
		dash, content := t.sequenceStyle(keyIndent)
		add := append([]string{strings.Repeat(" ", keyIndent) + "skills:"}, blockItem(tog, dash, content)...)
		t.insertAfter(specKey.Line, add)
		res.Line = specKey.Line + 2
	case skills.Kind == source.ScalarNode: // "skills:" with no value
		keyIndent := skillsKey.Column - 1
		dash, content := t.sequenceStyle(keyIndent)
		t.insertAfter(skillsKey.Line, blockItem(tog, dash, content))
		res.Line = skillsKey.Line + 1
	case skills.Style&source.FlowStyle != 0:
		b := t.body(skills.Line)
		open := t.offset(skills.Line, skills.Column)
		end := flowEnd(b, open)
		if open >= len(b) || b[open] != '[' || end < 0 {
			return refuse(skills.Line, "spec.skills is a flow list spread over several lines: edit it by hand (skillc does not reformat)")
		}
		// After the last item (before any spaces ahead of the closing bracket), or right after
		// the opening one of an empty list.
		at := open + 1
		item := flowItem(tog)
		if len(skills.Content) > 0 {
			at = len(strings.TrimRight(b[:end-1], " "))
			item = ", " + item
		}
		t.lines[skills.Line-1] = b[:at] + item + b[at:] + t.lines[skills.Line-1][len(b):]
		res.Line = skills.Line
	default:
		first := skills.Content[0]
		dash := skills.Column - 1
		if b := t.body(skills.Line); dash >= len(b) || b[dash] != '-' {
			return refuse(skills.Line, "spec.skills: cannot find the list's dash: edit it by hand")
		}
		content := dash + 2
		if first.Line == skills.Line {
			content = first.Column - 1
		}
		last := skills.Content[len(skills.Content)-1]
		end := t.lastLine(last, dash)
		t.insertAfter(end, blockItem(tog, dash, content))
		res.Line = end + 1
	}
	return nil
}

// emptyFlowAlone reports whether the empty flow list skills is "[]" (or "[ ]") with nothing but
// a comment after it on its line.
func (t *text) emptyFlowAlone(skills *source.Node) bool {
	b := t.body(skills.Line)
	open := t.offset(skills.Line, skills.Column)
	if open >= len(b) || b[open] != '[' {
		return false
	}
	end := flowEnd(b, open)
	if end < 0 {
		return false
	}
	rest := strings.TrimLeft(b[end:], " \t")
	return rest == "" || strings.HasPrefix(rest, "#") && len(rest) < len(b[end:])
}

// sequenceStyle is how this file indents a block list under a key at keyIndent: the dash at the
// key's column or two further, as the file's other lists do (indented when there are none).
func (t *text) sequenceStyle(keyIndent int) (dash, content int) {
	for i := 1; i < len(t.lines); i++ {
		key, next := t.body(i), t.body(i+1)
		if strings.HasSuffix(strings.TrimSpace(key), ":") && strings.HasPrefix(strings.TrimSpace(next), "- ") {
			d := indentOf(next) - indentOf(key)
			if d == 0 || d == 2 {
				return keyIndent + d, keyIndent + d + 2
			}
		}
	}
	return keyIndent + 2, keyIndent + 4
}

func (t *text) disable(skillsKey, skills *source.Node, pos int, keepKey bool, res *Result) error {
	item := skills.Content[pos]
	if skills.Style&source.FlowStyle != 0 {
		b := t.body(item.Line)
		start := t.offset(item.Line, item.Column)
		end := -1
		if start < len(b) && b[start] == '{' {
			end = flowEnd(b, start)
		}
		if end < 0 || item.Line != skills.Line {
			return refuse(item.Line, "spec.skills[%d] is not a one-line {...} item of a one-line list: edit it by hand", pos)
		}
		from, to := start, end
		switch {
		case pos > 0:
			prev := skills.Content[pos-1]
			ps := t.offset(prev.Line, prev.Column)
			pe := flowItemEnd(b, ps)
			if prev.Line != item.Line || pe < 0 {
				return refuse(item.Line, "spec.skills: cannot find the item before %d on this line: edit it by hand", pos)
			}
			from = pe
		case len(skills.Content) > 1:
			next := skills.Content[1]
			if next.Line != item.Line {
				return refuse(item.Line, "spec.skills: the list continues on another line: edit it by hand")
			}
			to = t.offset(next.Line, next.Column)
		}
		t.lines[item.Line-1] = b[:from] + b[to:] + t.lines[item.Line-1][len(b):]
		res.Line = item.Line
		return nil
	}
	dash := skills.Column - 1
	start := item.Line
	prefix := t.body(item.Line)[:t.offset(item.Line, item.Column)]
	if strings.TrimSpace(prefix) != "-" || indentOf(prefix) != dash {
		return refuse(item.Line, "spec.skills[%d] does not start its own line with its dash: edit it by hand", pos)
	}
	end := t.lastLine(item, dash)
	if pos+1 < len(skills.Content) && end >= skills.Content[pos+1].Line {
		return refuse(item.Line, "spec.skills[%d] shares a line with the next item: edit it by hand", pos)
	}
	if len(skills.Content) == 1 {
		// The list's only item: the key goes too, unless something follows it on its line.
		if t.afterColon(skillsKey) != "" {
			return refuse(skillsKey.Line, "spec.skills: text after the key: edit it by hand")
		}
		switch {
		case skillsKey.Line == start-1 && keepKey:
			res.nulledKey = true // the item's lines go; `skills:` stays, null
		case skillsKey.Line == start-1:
			start = skillsKey.Line
			res.droppedKey = true
		default:
			// Comments between the key and the item stay; the key keeps an empty list.
			b := t.body(skillsKey.Line)
			at := t.offset(skillsKey.Line, skillsKey.Column) + len(skillsKey.Value)
			rest := strings.TrimPrefix(b[at:], ":")
			if len(rest) == len(b[at:]) {
				return refuse(skillsKey.Line, "spec.skills: cannot find the key's colon: edit it by hand")
			}
			t.lines[skillsKey.Line-1] = b[:at] + ": []" + rest + t.lines[skillsKey.Line-1][len(b):]
		}
	}
	t.remove(start, end)
	res.Line = start
	return nil
}

// verify parses the edited file again and checks it is the original with exactly the intended
// change: the same documents, and in the target document only spec.skills changed, as intended.
func verify(f source.File, data []byte, before []doc, idx int, t Toggle, enable bool, pos int, dropKey, nullKey bool) error {
	// A layout the line edit misjudged (a block scalar, an odd indentation) fails here: refused,
	// never written.
	line := before[idx].root.Line
	after, err := parse(source.File{Name: f.Name, Data: data})
	if err != nil {
		return refuse(line, "the edited file would not parse (%v): this layout cannot be edited line by line, edit it by hand", err)
	}
	if len(after) != len(before) {
		return refuse(line, "the edit would change the file's documents: this layout cannot be edited line by line, edit it by hand")
	}
	for i := range before {
		want := before[i].value
		if i == idx {
			want = withToggle(want, t, enable, pos, dropKey, nullKey)
		}
		if !reflect.DeepEqual(want, after[i].value) {
			return refuse(line, "the edited document would not read back as the intended change: this layout cannot be edited line by line, edit it by hand")
		}
	}
	return nil
}

// withToggle is the generic document v with the toggle appended to (or item pos removed from)
// spec.skills (and the key dropped with its last block item).
func withToggle(v any, t Toggle, enable bool, pos int, dropKey, nullKey bool) any {
	root, _ := deepCopy(v).(map[string]any)
	spec, ok := root["spec"].(map[string]any)
	if !ok {
		// A spec that is not a mapping of string keys (`spec: {0: x}`): no document reads back as
		// an edit of it, so verify refuses.
		return nil
	}
	skills, _ := spec["skills"].([]any)
	if enable {
		item := map[string]any{"skillPackRef": t.Pack}
		if len(t.Params) > 0 {
			ps := map[string]any{}
			for k, v := range t.Params {
				ps[k] = v
			}
			item["params"] = ps
		}
		spec["skills"] = append(skills, item)
	} else {
		spec["skills"] = slices.Delete(skills, pos, pos+1)
		switch {
		case dropKey:
			delete(spec, "skills")
		case nullKey:
			spec["skills"] = nil
		}
	}
	return root
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = deepCopy(e)
		}
		return s
	}
	return v
}
