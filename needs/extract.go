package needs

import (
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"mvdan.cc/sh/v3/syntax"
)

// Extract finds every command in a skill's Markdown content and resolves each. file names the
// input for messages; line is the input line content's first line is on (for a YAML block scalar
// `content: |`, the line after the key; for a SKILL.md body, the line after the closing ---).
//
// Commands are read from fenced code blocks tagged sh, bash, shell, zsh, console or untagged
// (console: only lines after a `$ ` or `# ` prompt) and from inline code spans that start with
// kubectl. Each pipeline element, && / ; operand and $(...) is its own command. A command that
// is neither kubectl nor a local text tool (grep, jq, ...) is reported not analysed.
func Extract(file string, line int, content string) []Command {
	rel := extractCached(content)
	out := make([]Command, len(rel))
	for i, c := range rel {
		c.File, c.Line = file, line+c.Line
		c.Requests = slices.Clone(c.Requests)
		out[i] = c
	}
	return out
}

// cache: the same skill text is often compiled many times (a pack used by many agents); its
// commands, with lines relative to the content, are parsed once per process.
var (
	cache     sync.Map // content → []Command
	cacheSize atomic.Int64
)

// maxCached bounds the cache: a long-lived process fed ever new texts (a fuzzer, a server) keeps
// its memory.
const maxCached = 4096

func extractCached(content string) []Command {
	if v, ok := cache.Load(content); ok {
		return v.([]Command)
	}
	var out []Command
	// CRLF text (a SKILL.md written on Windows) reads as LF: same lines, no stray \r in words.
	for _, s := range snippets(strings.ReplaceAll(content, "\r\n", "\n")) {
		out = append(out, parseSnippet("", s.line, s)...)
	}
	if cacheSize.Add(1) <= maxCached {
		cache.Store(content, out)
	}
	return out
}

// ContentLine is the input line a skill's content starts on. raw is the input file (nil when not
// at hand) and keyLine the line of the content field's key. A SKILL.md body is the file's tail:
// its first line. A YAML block scalar (content: | or >) starts on the line after the key; a
// quoted or plain scalar on the key's line.
func ContentLine(raw []byte, keyLine int, content string) int {
	if len(raw) > 0 && content != "" && strings.HasSuffix(string(raw), content) {
		return 1 + strings.Count(string(raw[:len(raw)-len(content)]), "\n")
	}
	if len(raw) > 0 && keyLine > 0 {
		lines := strings.SplitN(string(raw), "\n", keyLine+1)
		if keyLine <= len(lines) {
			l := lines[keyLine-1]
			if _, v, ok := strings.Cut(l, "content:"); ok {
				v = strings.TrimSpace(v)
				if v != "" && v[0] != '|' && v[0] != '>' {
					return keyLine
				}
			}
		}
	}
	return keyLine + 1
}

// snippet is shell text taken from the Markdown: a code block's body or an inline span.
type snippet struct {
	text   string // with placeholders and prompts neutralised, same lines as the source
	orig   string // as written, for the command text
	line   int    // 0-based line of text's first line within content
	inline bool
	tagged bool // a block tagged as shell (sh, bash, console, ...): every program in it is a command
	forbid bool // an inline span in a sentence that forbids it ("Never run `kubectl delete`")
}

// fenceRE opens a fenced block at any indentation: skills nest blocks in list items, where
// CommonMark counts indentation from the item's text.
var fenceRE = regexp.MustCompile("^[ \t]*(`{3,}|~{3,})[ \t]*([^ \t`]*)")

// shellInfo are the fenced-block languages read as shell; "" is an untagged block.
var shellInfo = map[string]bool{"": true, "sh": true, "bash": true, "shell": true, "zsh": true, "console": true, "shell-session": true, "shellsession": true}

// snippets splits Markdown into the shell text it shows: code blocks and kubectl inline spans.
func snippets(content string) []snippet {
	lines := strings.Split(content, "\n")
	var out []snippet
	for i := 0; i < len(lines); i++ {
		m := fenceRE.FindStringSubmatch(lines[i])
		if m == nil {
			out = append(out, inlineSpans(lines[i], i)...)
			continue
		}
		fence, info := m[1], strings.ToLower(m[2])
		start := i + 1
		end := start
		for end < len(lines) {
			t := strings.TrimLeft(lines[end], " \t")
			if strings.HasPrefix(t, fence[:3]) && strings.Trim(strings.TrimRight(t, " \t\r"), fence[:1]) == "" && len(strings.TrimRight(t, " \t\r")) >= len(fence) {
				break
			}
			end++
		}
		i = end // the closing fence (or the end of the content)
		if !shellInfo[info] {
			continue
		}
		body := lines[start:min(end, len(lines))]
		orig := strings.Join(body, "\n")
		text := orig
		if info == "console" || info == "shell-session" || info == "shellsession" {
			text = stripPrompts(body)
		}
		out = append(out, snippet{text: text, orig: orig, line: start, tagged: info != ""})
	}
	return out
}

// stripPrompts keeps what follows a `$ ` or `# ` prompt (and its continuation lines) and blanks
// the output lines between, keeping every line where it was.
func stripPrompts(body []string) string {
	out := make([]string, len(body))
	cont := false
	for i, l := range body {
		t := strings.TrimLeft(l, " \t")
		switch {
		case cont:
			out[i] = l
		case strings.HasPrefix(t, "$ ") || strings.HasPrefix(t, "# "):
			pad := len(l) - len(t) + 2
			out[i] = strings.Repeat(" ", pad) + l[pad:]
		case t == "$" || t == "#":
			out[i] = strings.Repeat(" ", len(l))
		default:
			out[i] = strings.Repeat(" ", len(l)) // output: blanked, offsets kept
			continue
		}
		cont = strings.HasSuffix(strings.TrimRight(out[i], " \t\r"), "\\")
	}
	return strings.Join(out, "\n")
}

var forbidRE = regexp.MustCompile(`(?i)\b(never|do not|don't|must not|mustn't|avoid|not allowed|forbidden to)\b`)

// forbids reports whether the sentence leading to a span forbids it ("Never run `kubectl
// delete`"): a negation after the sentence's start.
func forbids(before string) bool {
	start := 0
	for _, sep := range []string{". ", "; ", "! ", "? ", ": "} {
		if i := strings.LastIndex(before, sep); i+len(sep) > start && i >= 0 {
			start = i + len(sep)
		}
	}
	return forbidRE.MatchString(before[start:])
}

// inlineSpans are the code spans of one Markdown line whose text is a kubectl command.
func inlineSpans(l string, lineNo int) []snippet {
	var out []snippet
	for i := 0; i < len(l); {
		if l[i] != '`' {
			i++
			continue
		}
		n := 0
		for i+n < len(l) && l[i+n] == '`' {
			n++
		}
		delim := l[i : i+n]
		closeAt := -1
		for j := i + n; j < len(l); {
			k := strings.Index(l[j:], delim)
			if k < 0 {
				break
			}
			k += j
			if k+n < len(l) && l[k+n] == '`' { // a longer run is not the closing delimiter
				for k < len(l) && l[k] == '`' {
					k++
				}
				j = k
				continue
			}
			closeAt = k
			break
		}
		if closeAt < 0 {
			break
		}
		span := l[i+n : closeAt]
		t := strings.TrimSpace(span)
		t = strings.TrimPrefix(t, "$ ")
		if inlineCommand(t) {
			out = append(out, snippet{
				text: strings.Repeat(" ", i+n) + span, orig: strings.Repeat(" ", i+n) + span,
				line: lineNo, inline: true, forbid: forbids(l[:i]),
			})
		}
		i = closeAt + n
	}
	return out
}

// inlineCommand: an inline span is read as a command when it starts with kubectl (or a plugin),
// a program known to call an API (helm, curl, ...) or a script path; other spans are prose
// (`Forbidden`, `--previous`).
func inlineCommand(t string) bool {
	first, _, _ := strings.Cut(t, " ")
	switch {
	case first == "kubectl" || strings.HasPrefix(first, "kubectl-") || strings.HasPrefix(first, "./"):
		return true
	case interpreters[first]:
		return false
	}
	return apiClients[first]
}

// interpreters run a script named after them; as an inline span they are too often prose.
var interpreters = set("sh", "bash", "zsh", "source", ".", "python", "python3", "node", "go", "ruby", "perl")

// placeholderRE matches <pod>, <namespace>, <deployment-name>: documentation, not shell.
var placeholderRE = regexp.MustCompile(`<[A-Za-z][A-Za-z0-9_.:/|-]*>`)

// neutralise turns placeholders into words of the same length (so offsets and lines stay those
// of the source) and returns where they are.
func neutralise(s string) (string, [][2]int) {
	locs := placeholderRE.FindAllStringIndex(s, -1)
	if locs == nil {
		return s, nil
	}
	b := []byte(s)
	spans := make([][2]int, 0, len(locs))
	for _, l := range locs {
		b[l[0]], b[l[1]-1] = '_', '_'
		spans = append(spans, [2]int{l[0], l[1]})
	}
	return string(b), spans
}

// parseSnippet parses one snippet as shell and resolves each simple command in it. A block the
// parser rejects is retried line by line, so one odd line does not hide the others.
func parseSnippet(file string, line0 int, s snippet) []Command {
	text, ph := neutralise(s.text)
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(text), "")
	if err != nil {
		if s.inline || !strings.Contains(text, "\n") {
			return unparsable(file, line0, s, err)
		}
		var out []Command
		lines := strings.Split(s.text, "\n")
		olines := strings.Split(s.orig, "\n")
		for i := range lines {
			if strings.TrimSpace(lines[i]) == "" {
				continue
			}
			o := ""
			if i < len(olines) {
				o = olines[i]
			}
			out = append(out, parseSnippet(file, line0+i, snippet{text: lines[i], orig: o, inline: true, tagged: s.tagged, forbid: s.forbid})...)
		}
		return out
	}
	var out []Command
	syntax.Walk(f, func(n syntax.Node) bool {
		call, ok := n.(*syntax.CallExpr)
		if !ok || len(call.Args) == 0 {
			return true
		}
		w := words{src: text, ph: ph}
		args := make([]word, len(call.Args))
		for i, a := range call.Args {
			args[i] = w.word(a)
		}
		c := Command{
			File:    file,
			Line:    line0 + int(call.Pos().Line()) - 1,
			Command: commandText(s.orig, call),
		}
		resolveCall(&c, args, s.forbid, s.tagged)
		if c.Command != "" && (c.Analysed || c.Reason != "") {
			out = append(out, c)
		}
		return true
	})
	return out
}

func unparsable(file string, line0 int, s snippet, err error) []Command {
	if !strings.Contains(s.orig, "kubectl") {
		return nil
	}
	msg := err.Error()
	if pe, ok := err.(syntax.ParseError); ok {
		msg = pe.Text
	}
	return []Command{{
		File: file, Line: line0, Command: strings.TrimSpace(s.orig),
		Reason: "not valid shell: " + msg,
	}}
}

var continuationRE = regexp.MustCompile(`[ \t]*\\\r?\n[ \t]*`)

// commandText is the call as written: continuations joined, a $(...) inside kept.
func commandText(orig string, call *syntax.CallExpr) string {
	from, to := int(call.Pos().Offset()), int(call.End().Offset())
	if from < 0 || to > len(orig) || from > to {
		return ""
	}
	return strings.TrimSpace(continuationRE.ReplaceAllString(orig[from:to], " "))
}

// word is a shell word's value; each dynamic part ($VAR, $(...), <placeholder>) is dynamicMark
// in it, so deploy/$NAME still shows its static type.
type word struct {
	val string
}

// dynamicMark stands for a dynamic part in a word's value: no shell literal holds a NUL.
const dynamicMark = "\x00"

type words struct {
	src string
	ph  [][2]int
}

func (w words) word(x *syntax.Word) word {
	var b strings.Builder
	var walk func(parts []syntax.WordPart)
	walk = func(parts []syntax.WordPart) {
		for _, p := range parts {
			switch p := p.(type) {
			case *syntax.Lit:
				if w.isPlaceholder(int(p.Pos().Offset()), int(p.End().Offset())) {
					b.WriteString(dynamicMark)
					continue
				}
				b.WriteString(unescape(p.Value))
			case *syntax.SglQuoted:
				b.WriteString(p.Value)
			case *syntax.DblQuoted:
				walk(p.Parts)
			default:
				b.WriteString(dynamicMark)
			}
		}
	}
	walk(x.Parts)
	return word{val: b.String()}
}

func (w words) isPlaceholder(from, to int) bool {
	for _, s := range w.ph {
		if s[0] < to && from < s[1] {
			return true
		}
	}
	return false
}

// unescape drops the backslashes of an unquoted literal, as the shell does.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
