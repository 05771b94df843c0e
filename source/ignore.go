package source

import (
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/internal/confine"
)

// IgnoreFile is the file of gitignore patterns read at the root of every folder named as a PATH.
const IgnoreFile = ".skillcignore"

// ExcludeOrigin names Walk.Exclude in notes ("skipped: excluded by an exclude pattern: charts/");
// the CLI names its flag instead.
const ExcludeOrigin = "an exclude pattern"

// ignorePattern is one gitignore line, compiled.
type ignorePattern struct {
	re      *regexp.Regexp
	negate  bool   // "!": a match includes again
	dirOnly bool   // a trailing "/": folders only
	origin  string // where it was written, for the note: ".skillcignore:3" or ExcludeOrigin
	text    string // the line as written
}

// ignoreRules are gitignore patterns in the order written: the last that matches a path decides,
// as in git. A folder it excludes is not walked, so nothing under it can be included again (git's
// rule too).
type ignoreRules []ignorePattern

// match is the pattern that decides path (slash-separated, relative to the walked folder), or nil.
func (rs ignoreRules) match(path string, isDir bool) *ignorePattern {
	for i := len(rs) - 1; i >= 0; i-- {
		p := &rs[i]
		if p.dirOnly && !isDir {
			continue
		}
		if p.re.MatchString(path) {
			return p
		}
	}
	return nil
}

// excluded reports whether the rules exclude path, and the pattern that did.
func (rs ignoreRules) excluded(path string, isDir bool) (*ignorePattern, bool) {
	p := rs.match(path, isDir)
	return p, p != nil && !p.negate
}

// parseIgnore reads gitignore lines (git's syntax: "#" comments, "!" negation, a trailing "/" for
// folders only, a "/" at the start or in the middle anchors to the folder, "*", "?", "[...]" and
// "**"; trailing spaces dropped unless escaped with "\"). origin names the source in notes; with
// numbered set, each pattern's origin gets its line.
func parseIgnore(lines []string, origin string, numbered bool) ignoreRules {
	var rs ignoreRules
	for i, line := range lines {
		line = strings.TrimSuffix(line, "\r")
		p, ok := compileIgnore(line)
		if !ok {
			continue
		}
		p.origin = origin
		if numbered {
			p.origin = fmt.Sprintf("%s:%d", origin, i+1)
		}
		rs = append(rs, p)
	}
	return rs
}

// compileIgnore compiles one line; ok is false for a blank line or a comment.
func compileIgnore(line string) (ignorePattern, bool) {
	p := ignorePattern{text: line}
	// Trailing spaces are dropped unless escaped ("\ ").
	for strings.HasSuffix(line, " ") && !strings.HasSuffix(line, `\ `) {
		line = line[:len(line)-1]
	}
	if line == "" || strings.HasPrefix(line, "#") {
		return p, false
	}
	if strings.HasPrefix(line, "!") {
		p.negate = true
		line = line[1:]
	}
	if strings.HasSuffix(line, "/") {
		p.dirOnly = true
		line = strings.TrimRight(line, "/")
	}
	if line == "" {
		return p, false
	}
	// A slash at the start or in the middle anchors the pattern to the folder; otherwise it
	// matches a name at any depth.
	anchored := strings.Contains(line, "/")
	line = strings.TrimPrefix(line, "/")
	var b strings.Builder
	b.WriteString("^")
	if !anchored {
		b.WriteString("(?:.*/)?")
	}
	translateGlob(&b, line)
	b.WriteString("$")
	p.re = regexp.MustCompile(b.String()) // translateGlob writes only valid syntax
	return p, true
}

// translateGlob writes the regexp of a gitignore glob: "*" and "?" never match "/"; "**/" at the
// start, "/**/" in the middle and "/**" at the end span folders; any other "**" is "*".
func translateGlob(b *strings.Builder, g string) {
	for i := 0; i < len(g); {
		c := g[i]
		switch {
		case strings.HasPrefix(g[i:], "**") && (i == 0 || g[i-1] == '/') && (i+2 == len(g) || g[i+2] == '/'):
			switch {
			case i+2 == len(g) && i == 0: // "**" alone: everything
				b.WriteString(".*")
			case i+2 == len(g): // "a/**": everything inside
				b.WriteString(".*")
			default: // "**/": zero or more folders
				b.WriteString("(?:.*/)?")
				i++ // the slash
			}
			i += 2
		case c == '*':
			for i < len(g) && g[i] == '*' {
				i++
			}
			b.WriteString("[^/]*")
		case c == '?':
			b.WriteString("[^/]")
			i++
		case c == '[':
			if n := bracket(b, g[i:]); n > 0 {
				i += n
				continue
			}
			b.WriteString(`\[`)
			i++
		case c == '\\' && i+1 < len(g):
			_, n := utf8.DecodeRuneInString(g[i+1:])
			b.WriteString(regexp.QuoteMeta(g[i+1 : i+1+n]))
			i += 1 + n
		default:
			_, n := utf8.DecodeRuneInString(g[i:])
			b.WriteString(regexp.QuoteMeta(g[i : i+n]))
			i += n
		}
	}
}

// bracket writes the class that g starts with ("[a-z]", "[!x]", "[^x]", "[]x]", "[[:alpha:]]")
// and returns its length, or 0 when g has no closing bracket (then "[" is itself). A class never
// matches "/", as in git.
func bracket(b *strings.Builder, g string) int {
	i := 1
	negate := i < len(g) && (g[i] == '!' || g[i] == '^')
	if negate {
		i++
	}
	var body strings.Builder
	first := true
	for i < len(g) {
		c := g[i]
		switch {
		case c == ']' && !first:
			if negate {
				b.WriteString("[^/" + body.String() + "]")
			} else {
				b.WriteString("[" + body.String() + "]")
			}
			return i + 1
		case c == '[' && strings.HasPrefix(g[i:], "[:"):
			end := strings.Index(g[i+2:], ":]")
			if end < 0 || !posixClasses[g[i+2:i+2+end]] {
				return 0
			}
			body.WriteString(g[i : i+2+end+2])
			i += 2 + end + 2
		case c == '\\' && i+1 < len(g):
			_, n := utf8.DecodeRuneInString(g[i+1:])
			body.WriteString(regexp.QuoteMeta(g[i+1 : i+1+n]))
			i += 1 + n
		case c == '-' && !first && i+1 < len(g) && g[i+1] != ']':
			body.WriteByte('-')
			i++
		default:
			if c == '/' {
				return 0 // git: a class cannot match a slash; the pattern is literal then
			}
			_, n := utf8.DecodeRuneInString(g[i:])
			body.WriteString(regexp.QuoteMeta(g[i : i+n]))
			i += n
		}
		first = false
	}
	return 0
}

var posixClasses = map[string]bool{
	"alnum": true, "alpha": true, "blank": true, "cntrl": true, "digit": true, "graph": true,
	"lower": true, "print": true, "punct": true, "space": true, "upper": true, "xdigit": true,
}

// readIgnoreFile reads the .skillcignore at the root of a walked folder, if there is one, as any
// file of the walk is read (no link followed, MaxFileSize).
func readIgnoreFile(root *confine.Root) (ignoreRules, diag.Diagnostics) {
	if _, err := root.Lstat(IgnoreFile); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	data, err := root.ReadFile(IgnoreFile, MaxFileSize)
	if err != nil {
		return nil, diag.Diagnostics{readError(root.Path(IgnoreFile), err)}
	}
	return parseIgnore(strings.Split(string(data), "\n"), root.Path(IgnoreFile), true), nil
}

// skipped reports whether a walk skips rel (not the walked folder itself), and the note that
// says why: for a folder, or a file the walk would otherwise read.
func skipped(rules ignoreRules, rel string, e fs.DirEntry) (string, bool) {
	noted := e.IsDir() || isManifest(e.Name()) || isZip(e.Name())
	note := func(s string) string {
		if !noted {
			return ""
		}
		return s
	}
	if strings.HasPrefix(e.Name(), ".") {
		return note("skipped: hidden (name it as a PATH to read it)"), true
	}
	if p, ex := rules.excluded(rel, e.IsDir()); ex {
		return note(fmt.Sprintf("skipped: excluded by %s: %s", p.origin, strings.TrimRight(p.text, " "))), true
	}
	return "", false
}
