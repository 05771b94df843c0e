package diag

import (
	"fmt"
	"strings"
)

// Source locates a decoded document: its file, first line, and the line of every field path.
type Source struct {
	File string
	Line int
	pos  map[string]int
	// as, for a document generated from another (an Agent an Ensemble creates), is the field
	// path of the written document each generated path, and the paths below it, was made from.
	as map[string]string
}

// NewSource is the Source of a document of file starting at line, with the line of every field
// path the decoder saw.
func NewSource(file string, line int, pos map[string]int) Source {
	return Source{File: file, Line: line, pos: pos}
}

// NewGeneratedSource is the Source of a document generated from the written document from (an
// Agent an Ensemble creates): as maps each generated field path to the written one it was made
// from, which also names the paths below it. A generated path is placed on its written field's
// line, or on line when no ancestor of it was made from a written field.
func NewGeneratedSource(from Source, line int, as map[string]string) Source {
	return Source{File: from.File, Line: line, pos: from.pos, as: as}
}

// Generated reports whether the document was generated from a written one (NewGeneratedSource).
func (s Source) Generated() bool { return s.as != nil }

// written is the written field a generated path was made from (false: none; path itself for a
// written document).
func (s Source) written(path string) (string, bool) {
	if s.as == nil {
		return path, true
	}
	for p := path; p != ""; p = ParentPath(p) {
		if f, ok := s.as[p]; ok {
			return f + path[len(p):], true
		}
	}
	return path, false
}

// FieldOf names path as written: itself, or for a generated document the written field it (or
// its nearest ancestor) was made from, followed by the rest of path.
func (s Source) FieldOf(path string) string {
	f, _ := s.written(path)
	return f
}

// Written reports whether the field at path was written (for a generated document: in the
// written document, at the field it was made from).
func (s Source) Written(path string) bool {
	f, ok := s.written(path)
	if !ok {
		return false
	}
	_, ok = s.pos[f]
	return ok
}

// LineOf returns the line of path, or of its nearest ancestor that has one, or the document's.
func (s Source) LineOf(path string) int {
	path, ok := s.written(path)
	if !ok {
		return s.Line
	}
	for p := path; p != ""; p = ParentPath(p) {
		if l, ok := s.pos[p]; ok {
			return l
		}
	}
	return s.Line
}

// Diag builds an input-error diagnostic located at a field of this document.
func (s Source) Diag(field, format string, args ...any) Diagnostic {
	return Diagnostic{File: s.File, Line: s.LineOf(field), Field: s.FieldOf(field), Severity: SeverityError, Message: fmt.Sprintf(format, args...)}
}

// Positions is the line of every field path the decoder saw (nil for a document built in code;
// for a generated document, those of the document it was generated from: use Written).
func (s Source) Positions() map[string]int { return s.pos }

// ParentPath is a field path's parent: "a.b[2]" → "a.b" → "a" → "".
func ParentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}
