// Package policy is skillc's least-privilege gate: the Rego library in this folder (embedded in the
// binary) and the Go evaluator that runs it over compiled objects. The library is also plain
// conftest input: `conftest test --all-namespaces -p policy/ rendered.yaml` reaches the same verdicts
// for every rule that needs no compile context.
package policy

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/internal/confine"
	"github.com/skillc-dev/skillc/source"
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

// Limits of a --policy folder. Its .rego files are read under the input walks' rules
// (source/load.go): regular files only, symlinks not followed, sizes capped before parsing.
const (
	MaxPolicyFileSize = 1 << 20 // bytes per .rego file; the built-in library's largest is 14 KB
	MaxPolicyFiles    = 1000    // .rego files per folder
	MaxPolicyBytes    = 16 << 20
	// MaxPolicyTokens bounds a folder's tokens, counted before parsing: OPA's parser allocates
	// about 1.2 KiB per token, so the 1 MiB file "x := [1,1,1,...]" cost 628 MiB and 8 s. The
	// built-in library has 26,000 (51,000 with its tests); this is about 800 KB of ordinary Rego.
	MaxPolicyTokens = 200000
	// maxQuoted bounds the excerpt of a policy file that an error message quotes: the offending
	// line around the error's column, never more (a file may hold anything, e.g. a token).
	maxQuoted = 80
)

// The rule names conftest evaluates (its policy/engine.go): deny, violation and warn, each
// optionally with _suffixes. Anything else is a helper, for conftest and for skillc alike.
var (
	failureRule = regexp.MustCompile(`^(deny|violation)(_[a-zA-Z0-9]+)*$`)
	warningRule = regexp.MustCompile(`^warn(_[a-zA-Z0-9]+)*$`)
)

func isRuleName(name string) bool {
	return failureRule.MatchString(name) || warningRule.MatchString(name)
}

// New compiles the built-in library plus the *.rego files (tests excluded) of extraDirs, with
// params available to rules as data.skillc.parameters. Problems in extraDirs come back as
// diag.Diagnostics (FILE:LINE: message), all of them; other errors are internal.
func New(ctx context.Context, params map[string]any, extraDirs ...string) (*Engine, error) {
	return NewFolders(ctx, params, NamedFolders(extraDirs)...)
}

// Folder is a folder (or .rego file) of user policies. With Base empty, Rel is a path the user
// named (itself followed if it is a link, as conftest -p follows it). With Base set, Rel is
// confined below Base, which is not trusted to hold only folders: a kustomization's or package's
// --policy, a config's spec.policy.paths. Then no part of Rel may be a link, and the folder is
// opened one part at a time through internal/confine, so nothing can be swapped in between a
// check and the read.
type Folder struct {
	Base, Rel string
}

// Path is the folder as messages name it.
func (f Folder) Path() string {
	if f.Base == "" {
		return f.Rel
	}
	return filepath.Join(f.Base, f.Rel)
}

// NamedFolders are the folders a user named (Base empty).
func NamedFolders(dirs []string) []Folder {
	out := make([]Folder, len(dirs))
	for i, d := range dirs {
		out[i] = Folder{Rel: d}
	}
	return out
}

// NewFolders is New with each folder's confinement said.
func NewFolders(ctx context.Context, params map[string]any, extraDirs ...Folder) (*Engine, error) {
	if len(extraDirs) == 0 {
		// The built-in library alone: compiled once per process, whatever the parameters (they
		// are data, given to each prepared query).
		b := builtin()
		if b.err != nil {
			return nil, b.err
		}
		return prepare(ctx, b.compiler, b.query, params)
	}
	modules, err := gateModules()
	if err != nil {
		return nil, err
	}
	var diags diag.Diagnostics
	seen := map[string]bool{}
	for _, dir := range extraDirs {
		m, d := dirModules(dir)
		diags = append(diags, d...)
		for _, mod := range m {
			if name := mod.Package.Location.File; !seen[name] { // the same folder named twice
				seen[name] = true
				modules = append(modules, mod)
			}
		}
	}
	if len(diags) > 0 {
		return nil, diags
	}
	compiler := ast.NewCompiler()
	byName := make(map[string]*ast.Module, len(modules))
	for _, m := range modules {
		byName[m.Package.Location.File] = m
	}
	if compiler.Compile(byName); compiler.Failed() {
		return nil, regoDiagnostics(compiler.Errors, nil)
	}
	query, err := buildQuery(modules)
	if err != nil {
		return nil, err
	}
	return prepare(ctx, compiler, query, params)
}

// prepare readies the query over a compiled library with the parameters as data.
func prepare(ctx context.Context, compiler *ast.Compiler, query string, params map[string]any) (*Engine, error) {
	pq, err := rego.New(
		rego.Query(query),
		rego.Compiler(compiler),
		rego.Store(inmem.NewFromObject(map[string]any{"skillc": map[string]any{"parameters": params}})),
	).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("compiling policies: %w", err)
	}
	return &Engine{query: pq}, nil
}

// gateModules are the built-in modules the gate compiles: the catalogue is descriptive data
// (Rules reads it) that no rule refers to, so it is left out.
func gateModules() ([]*ast.Module, error) {
	all, err := builtinModules()
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(m *ast.Module) bool { return m.Package.Path.String() == "data.skillc.catalogue" }), nil
}

// builtinLibrary is the built-in library compiled, with its query: read-only once built, and
// shared by every engine without user policies (compiling it was most of a small gate's time).
type builtinLibrary struct {
	compiler *ast.Compiler
	query    string
	err      error
}

var builtin = sync.OnceValue(func() builtinLibrary {
	modules, err := gateModules()
	if err != nil {
		return builtinLibrary{err: err}
	}
	compiler := ast.NewCompiler()
	byName := make(map[string]*ast.Module, len(modules))
	for _, m := range modules {
		byName[m.Package.Location.File] = m
	}
	if compiler.Compile(byName); compiler.Failed() {
		return builtinLibrary{err: regoDiagnostics(compiler.Errors, nil)}
	}
	query, err := buildQuery(modules)
	return builtinLibrary{compiler: compiler, query: query, err: err}
})

// Prewarm compiles the built-in library in the background, so that a command that will gate
// with it (compile, check) has it ready when its inputs are read: about a tenth of a small
// repository's compile, done on another core meanwhile.
func Prewarm() { go builtin() }

func isTest(name string) bool { return strings.HasSuffix(name, "_test.rego") }

func parserOptions() ast.ParserOptions {
	return ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true}
}

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
		m, err := ast.ParseModuleWithOpts("policy/"+path, string(src), parserOptions())
		if err != nil {
			return fmt.Errorf("parsing the built-in policy/%s: %w", path, err)
		}
		out = append(out, m)
		return nil
	})
	return out, err
}

// FieldPolicyFolder is the Field of a diagnostic about a policy folder (or .rego file) as a whole,
// as it was named: by a caller's option (the CLI's --policy) or a config's spec.policy.paths.
const FieldPolicyFolder = "policy folder"

// dirModules loads a user's conftest-style policy folder (recursively, tests excluded). DIR itself
// is followed if it is a symlink (it was named); inside it a symlinked .rego file or folder, a FIFO
// or a device is refused, as in input walks: a link could make skillc read, and quote in a parse
// error, a file outside the folder (/proc/self/environ), a device would never end.
func dirModules(f Folder) ([]*ast.Module, diag.Diagnostics) {
	dir := f.Path()
	// open opens the folder at rel below where f starts (a named folder is followed if a link;
	// below a Base nothing is), and stat describes f as open will find it.
	open := func(rel string) (*confine.Root, error) { return confine.Open(filepath.Join(f.Rel, rel)) }
	stat := func() (fs.FileInfo, error) { return os.Stat(dir) }
	if f.Base != "" {
		base, err := confine.Open(f.Base)
		if err != nil {
			return nil, diag.Diagnostics{{File: dir, Severity: diag.SeverityError, Field: FieldPolicyFolder, Message: fsError(err)}}
		}
		defer base.Close()
		open = func(rel string) (*confine.Root, error) { return base.Sub(filepath.Join(f.Rel, rel)) }
		stat = func() (fs.FileInfo, error) { return base.Lstat(f.Rel) }
	}
	info, err := stat()
	var link *confine.LinkError
	if errors.As(err, &link) || err == nil && info.Mode()&fs.ModeSymlink != 0 {
		return nil, diag.Diagnostics{{File: dir, Severity: diag.SeverityError, Field: FieldPolicyFolder, Message: "is a symlink below the kustomization, package or config folder: not followed (policies only from inside it)"}}
	}
	if err != nil {
		return nil, diag.Diagnostics{{File: dir, Severity: diag.SeverityError, Field: FieldPolicyFolder, Message: fsError(err)}}
	}
	var out []*ast.Module
	var diags diag.Diagnostics
	files, total, tokens := 0, 0, 0
	bad := func(path, format string, args ...any) {
		diags = append(diags, diag.Diagnostic{File: path, Severity: diag.SeverityError, Message: fmt.Sprintf(format, args...)})
	}
	badField := func(path, msg string) { // about the folder as named, not a file in it
		diags = append(diags, diag.Diagnostic{File: path, Severity: diag.SeverityError, Field: FieldPolicyFolder, Message: msg})
	}
	read := func(root *confine.Root, rel, path string) {
		if files++; files > MaxPolicyFiles {
			if files == MaxPolicyFiles+1 {
				bad(dir, "more than %d .rego files in a policy folder: refused", MaxPolicyFiles)
			}
			return
		}
		src, err := readCapped(root, rel)
		if err != nil {
			bad(path, "%s", err)
			return
		}
		if total += len(src); total > MaxPolicyBytes {
			if total-len(src) <= MaxPolicyBytes {
				bad(dir, "policy folder is larger than %d MiB: refused", MaxPolicyBytes>>20)
			}
			return
		}
		if tokens += regoTokens(src); tokens > MaxPolicyTokens {
			bad(path, "policy folder has more than %d tokens: refused before parsing", MaxPolicyTokens)
			return
		}
		m, d := parseUserModule(path, src)
		diags = append(diags, d...)
		if m != nil {
			out = append(out, m)
		}
	}
	if !info.IsDir() {
		// A single named file, as conftest -p file.rego. In skillc fn the name comes from the
		// kustomization, so it gets the walk's rules too: a .rego regular file, not a link.
		root, err := open("..") // the file's folder: Rel/.. cleans to it
		if err != nil {
			return nil, diag.Diagnostics{{File: dir, Severity: diag.SeverityError, Field: FieldPolicyFolder, Message: fsError(err)}}
		}
		defer root.Close()
		name := filepath.Base(dir)
		li, err := root.Lstat(name)
		switch {
		case err == nil && li.Mode()&fs.ModeSymlink != 0:
			badField(dir, "is a symlink: name the link's target (a folder or a .rego file)")
		case filepath.Ext(dir) != ".rego":
			badField(dir, "not a folder or a .rego file")
		case !info.Mode().IsRegular():
			bad(dir, "not a regular file (%v): not read as a policy", info.Mode().Type())
		default:
			read(root, name, dir)
		}
	} else {
		// DIR itself was named (it may be a link); below it nothing is followed.
		root, err := open(".")
		if err != nil {
			return nil, diag.Diagnostics{{File: dir, Severity: diag.SeverityError, Field: FieldPolicyFolder, Message: fsError(err)}}
		}
		defer root.Close()
		err = root.Walk(".", func(rel string, d fs.DirEntry, err error) error {
			path := root.Path(rel)
			if err != nil {
				bad(path, "%s", fsError(err))
				return nil
			}
			if d.IsDir() {
				return nil
			}
			if d.Type()&fs.ModeSymlink != 0 {
				// Links to folders would be skipped silently; links to files could point anywhere.
				if filepath.Ext(path) == ".rego" || isDirLink(path) {
					bad(path, "is a symlink: not followed inside a policy folder (copy the policy in, or name its folder as a policy folder of its own)")
				}
				return nil
			}
			if filepath.Ext(path) != ".rego" || isTest(path) {
				return nil
			}
			if !d.Type().IsRegular() {
				bad(path, "not a regular file (%v): not read inside a policy folder", d.Type())
				return nil
			}
			read(root, rel, path)
			return nil
		})
		if err != nil {
			bad(dir, "%s", fsError(err))
		}
	}
	if len(diags) > 0 {
		return nil, diags
	}
	if len(out) == 0 {
		return nil, diag.Diagnostics{{File: dir, Severity: diag.SeverityError, Field: FieldPolicyFolder, Message: "no .rego files (tests excluded): the folder would check nothing"}}
	}
	if d := append(checkRules(dir, out), checkBuiltins(out)...); len(d) > 0 {
		return nil, d
	}
	return out, nil
}

// checkBuiltins refuses the calls of a user policy to OPA's non-deterministic builtins: http.send
// and net.lookup_ip_addr reach the network (skillc build runs a pull request's policies in Argo
// CD's repo server), time.now_ns, rand.intn and uuid.rfc4122 would make the same inputs give
// different verdicts, opa.runtime reads the environment, and the JWT and JSON-schema builtins
// consult the clock or fetch remote references. A verdict depends only on the object and the
// CompilerConfig. (The built-in library's only such call, a fallback date for plain conftest,
// never runs in skillc: the date is a parameter.)
func checkBuiltins(modules []*ast.Module) diag.Diagnostics {
	forbidden := map[string]bool{}
	for _, b := range ast.CapabilitiesForThisVersion().Builtins {
		if b.Nondeterministic {
			forbidden[b.Name] = true
		}
	}
	var diags diag.Diagnostics
	at := func(m *ast.Module, t *ast.Term, field, msg string) {
		d := diag.Diagnostic{File: m.Package.Location.File, Severity: diag.SeverityError, Field: field, Message: msg}
		if t.Location != nil {
			d.File, d.Line = t.Location.File, t.Location.Row
		}
		diags = append(diags, d)
	}
	for _, m := range modules {
		ast.WalkTerms(m, func(t *ast.Term) bool {
			ref, ok := t.Value.(ast.Ref)
			if !ok {
				return false
			}
			switch name := ref.String(); {
			case forbidden[name]:
				at(m, t, name, "not available in the rules of a policy folder: a verdict depends only on the object and the CompilerConfig (no network, clock, randomness or environment)")
			case allocating[name] != "":
				at(m, t, name, "not available in the rules of a policy folder: "+allocating[name]+", and a policy folder's rules run within a memory budget")
			default:
				return false
			}
			return true
		})
		// sprintf's width and precision allocate as much as they say: "%0999999999d".
		walkCalls(m, func(t *ast.Term, op string, args []*ast.Term) {
			if op != "sprintf" || len(args) == 0 {
				return
			}
			format, ok := args[0].Value.(ast.String)
			if !ok {
				at(m, t, op, "the format of sprintf in a policy folder's rules must be a string literal: a width or precision computed at run time could allocate without bound")
			} else if wide.MatchString(string(format)) {
				at(m, t, op, fmt.Sprintf("the format %q has a width or precision over 999 or given by an argument (*): not available in a policy folder's rules, which run within a memory budget", string(format)))
			}
		})
	}
	return diags
}

// allocating are the builtins whose result grows with an argument's value, not its size: one
// call can hold gigabytes (numbers.range(1, 30000000) took 3.6 GB). Each says why.
var allocating = map[string]string{
	"numbers.range":           "it builds an array as long as its bounds say (numbers.range(1, 4000000) holds 4 million numbers)",
	"numbers.range_step":      "it builds an array as long as its bounds say",
	"net.cidr_expand":         "it lists every address of a network (10.0.0.0/8 is 16 million strings)",
	"bits.lsh":                "a shift builds a number as large as its second argument says",
	"strings.render_template": "a Go template can range over an integer and repeat its body that many times",
}

// wide matches a format verb with a width or precision of four digits or more, or one taken from
// an argument.
var wide = regexp.MustCompile(`%[-+# 0]*(\*|[0-9]{4,}|[0-9]*\.(\*|[0-9]{4,}))`)

// walkCalls calls f for every function call of m: a call in an expression's body (x := f(a)) and
// an expression that is itself a call (f(a, out)).
func walkCalls(m *ast.Module, f func(t *ast.Term, op string, args []*ast.Term)) {
	ast.WalkTerms(m, func(t *ast.Term) bool {
		if call, ok := t.Value.(ast.Call); ok && len(call) > 0 {
			f(t, call[0].String(), call[1:])
		}
		return false
	})
	ast.WalkExprs(m, func(e *ast.Expr) bool {
		if terms, ok := e.Terms.([]*ast.Term); ok && len(terms) > 0 {
			f(terms[0], terms[0].String(), terms[1:])
		}
		return false
	})
}

// regoTokens is an upper bound of the tokens of Rego source: every run of word characters and
// every other non-space byte counts one (a string with spaces counts more than one).
func regoTokens(src []byte) int {
	n, word := 0, false
	for _, c := range src {
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			word = false
		case c == '_' || c == '"' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80:
			if !word {
				n++
			}
			word = true
		default:
			n++
			word = false
		}
	}
	return n
}

func isDirLink(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// readCapped reads the policy file rel of root under MaxPolicyFileSize, refusing a larger file
// before parsing it (and before reading it, by its size).
func readCapped(root *confine.Root, rel string) ([]byte, error) {
	data, err := root.ReadFile(rel, MaxPolicyFileSize)
	var big *confine.TooLargeError
	if errors.As(err, &big) {
		return nil, fmt.Errorf("policy file is larger than %d MiB: refused", MaxPolicyFileSize>>20)
	}
	if err != nil {
		return nil, errors.New(fsError(err))
	}
	return data, nil
}

func fsError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// parseUserModule parses one policy file; its errors quote at most a window of the offending line.
func parseUserModule(path string, src []byte) (*ast.Module, diag.Diagnostics) {
	if !utf8.Valid(src) {
		return nil, diag.Diagnostics{{File: path, Line: source.InvalidUTF8Line(src), Severity: diag.SeverityError, Message: "not valid UTF-8 (Rego source must be UTF-8)"}}
	}
	m, err := ast.ParseModuleWithOpts(path, string(src), parserOptions())
	if err != nil {
		var errs ast.Errors
		if errors.As(err, &errs) {
			return nil, regoDiagnostics(errs, &path)
		}
		return nil, diag.Diagnostics{{File: path, Severity: diag.SeverityError, Message: quote(err.Error(), 0)}}
	}
	if m == nil { // an empty file: OPA parses it as no module
		return nil, diag.Diagnostics{{File: path, Line: 1, Severity: diag.SeverityError, Message: "empty policy file: a policy starts with a package"}}
	}
	return m, nil
}

// regoDiagnostics turns OPA's parse and compile errors into FILE:LINE: messages. OPA's own text
// appends the whole offending line (and a compile error may print a whole expression): both are
// cut to a window around the error, with control characters escaped. file names errors that
// carry no location.
func regoDiagnostics(errs ast.Errors, file *string) diag.Diagnostics {
	var ds diag.Diagnostics
	for _, e := range errs {
		d := diag.Diagnostic{Severity: diag.SeverityError}
		if file != nil {
			d.File = *file
		}
		if e.Location != nil {
			if e.Location.File != "" {
				d.File = e.Location.File
			}
			d.Line = e.Location.Row
		}
		msg, _, _ := strings.Cut(e.Message, "\n")
		d.Message = e.Code + ": " + quote(msg, 0)
		switch dt := e.Details.(type) {
		case *ast.ParserErrorDetail:
			if dt != nil {
				d.Message += ": near " + quote(dt.Line, dt.Idx)
			}
		case nil:
		default:
			// Type errors: have/want types, a few short lines.
			d.Message += " (" + quote(strings.Join(dt.Lines(), "; "), 0) + ")"
		}
		ds = append(ds, d)
	}
	return ds
}

// quote returns at most maxQuoted bytes of s around byte offset at, with control and non-ASCII
// characters escaped, so that one message line can never carry a file's content.
func quote(s string, at int) string {
	at = min(max(at, 0), len(s))
	start := max(0, at-maxQuoted/2)
	end := min(len(s), start+maxQuoted)
	for start > 0 && !utf8.RuneStart(s[start]) {
		start--
	}
	for end < len(s) && !utf8.RuneStart(s[end]) {
		end--
	}
	q := strconv.QuoteToASCII(s[start:end])
	q = q[1 : len(q)-1]
	if start > 0 {
		q = "…" + q
	}
	if end < len(s) {
		q += "…"
	}
	return q
}

// checkRules finds the rules of a user folder that skillc runs, exactly the rules conftest runs,
// and refuses what neither could report: a folder with none (it would pass everything), and a
// rule with a conftest name that is not a set (`deny if {...}` is a boolean, conftest refuses it;
// `deny.x contains ...` is a nested reference, conftest skips it).
func checkRules(dir string, modules []*ast.Module) diag.Diagnostics {
	var diags diag.Diagnostics
	runnable := 0
	others := map[string]bool{}
	for _, m := range modules {
		if pkg := strings.TrimPrefix(m.Package.Path.String(), "data."); pkg == "skillc" || strings.HasPrefix(pkg, "skillc.") {
			// Rego merges packages: rules added to the library's could change its verdicts, and
			// data.skillc.parameters holds the CompilerConfig's allow-lists.
			diags = append(diags, diag.Diagnostic{File: m.Package.Location.File, Line: m.Package.Location.Row, Field: "package",
				Severity: diag.SeverityError, Message: fmt.Sprintf("package %s: the skillc namespace is reserved for the built-in library (which is always run: a policy folder is for your own rules)", pkg)})
			continue
		}
		for _, r := range m.Rules {
			ref := r.Head.Ref()
			first, _ := ref[0].Value.(ast.Var)
			name := string(first)
			if !isRuleName(name) {
				others[name] = true
				continue
			}
			bad := func(format string, args ...any) {
				diags = append(diags, diag.Diagnostic{File: r.Location.File, Line: r.Location.Row, Field: ref.String(),
					Severity: diag.SeverityError, Message: fmt.Sprintf(format, args...)})
			}
			switch {
			case len(ref) > 1:
				bad("a conftest rule is a plain name: conftest ignores %s; name it %s_<suffix>", ref, name)
			case len(r.Head.Args) > 0:
				bad("a function cannot be a conftest rule (%s is a rule name): rename the helper", name)
			case r.Head.RuleKind() != ast.MultiValue:
				bad("a single value: a conftest rule is a set of messages (`%s contains msg if { ... }`); conftest refuses `if` without `contains`", name)
			default:
				runnable++
			}
		}
	}
	if diags != nil {
		return diags
	}
	if runnable == 0 {
		found := "no rules"
		if len(others) > 0 {
			found = "only " + strings.Join(slices.Sorted(maps.Keys(others)), ", ")
		}
		return diag.Diagnostics{{File: dir, Severity: diag.SeverityError, Field: FieldPolicyFolder, Message: fmt.Sprintf(
			"no rule skillc can run (%s): a conftest-style policy defines deny, violation or warn rules, optionally with a suffix (deny_<name>); the folder would check nothing", found)}}
	}
	return nil
}

// buildQuery asks, in one evaluation, for every conftest-named rule of every package.
func buildQuery(modules []*ast.Module) (string, error) {
	sets := map[string]map[string]bool{}
	for _, m := range modules {
		pkg := m.Package.Path.String()
		for _, r := range m.Rules {
			ref := r.Head.Ref()
			name, _ := ref[0].Value.(ast.Var)
			if len(ref) != 1 || len(r.Head.Args) > 0 || r.Head.RuleKind() != ast.MultiValue || !isRuleName(string(name)) {
				continue
			}
			if sets[pkg] == nil {
				sets[pkg] = map[string]bool{}
			}
			sets[pkg][string(name)] = true
		}
	}
	if len(sets) == 0 {
		return "", fmt.Errorf("no deny, violation or warn rules in any policy")
	}
	var parts []string
	for _, p := range slices.Sorted(maps.Keys(sets)) {
		for _, name := range slices.Sorted(maps.Keys(sets[p])) {
			parts = append(parts, fmt.Sprintf("%q: [x | x := %s.%s[_]]", p+"|"+name, p, name))
		}
	}
	return "result := {" + strings.Join(parts, ", ") + "}", nil
}

// Eval judges one object (its JSON form as generic values).
func (e *Engine) Eval(ctx context.Context, input any) ([]Finding, error) {
	out, _, err := e.evalSplit(ctx, input)
	return out, err
}

// EvalValue is Eval with the input already in OPA's form (objectInput makes it from an object's
// JSON), which OPA would otherwise make from generic values.
func (e *Engine) EvalValue(ctx context.Context, input ast.Value) ([]Finding, error) {
	out, _, err := e.eval(ctx, rego.EvalParsedInput(input))
	return out, err
}

// evalSplit is Eval that also says, per finding, whether the built-in library (a package under
// data.skillc, which user folders may not use) or a user policy produced it.
func (e *Engine) evalSplit(ctx context.Context, input any) ([]Finding, []bool, error) {
	return e.eval(ctx, rego.EvalInput(input))
}

// eval is evalSplit with the input as an option (generic values or an ast.Value).
func (e *Engine) eval(ctx context.Context, input rego.EvalOption) ([]Finding, []bool, error) {
	rs, err := e.query.Eval(ctx, input)
	if err != nil {
		return nil, nil, fmt.Errorf("evaluating policies: %w", err)
	}
	if len(rs) == 0 {
		return nil, nil, nil
	}
	result, _ := rs[0].Bindings["result"].(map[string]any)
	var out []Finding
	var builtin []bool
	for _, key := range slices.Sorted(maps.Keys(result)) {
		pkg, rule, _ := strings.Cut(key, "|")
		items, _ := result[key].([]any)
		for _, item := range items {
			out = append(out, toFinding(pkg, rule, item))
			builtin = append(builtin, pkg == "data.skillc" || strings.HasPrefix(pkg, "data.skillc."))
		}
	}
	return out, builtin, nil
}

// toFinding reads the library's structured findings and conftest-style strings or {msg} objects.
// rule is the conftest rule name: warn and warn_<suffix> warn, the others deny.
func toFinding(pkg, rule string, item any) Finding {
	sev := "deny"
	if warningRule.MatchString(rule) {
		sev = "warn"
	}
	f := Finding{Severity: sev, Waivable: true}
	switch v := item.(type) {
	// Strings are cloned: one may be cut from the input's JSON (objectInput), which a kept
	// finding would otherwise hold whole.
	case string:
		f.Message = strings.Clone(v)
	case map[string]any:
		str := func(k string) string { s, _ := v[k].(string); return strings.Clone(s) }
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

// RuleInfo is one rule of the built-in library as its catalogue (policy/catalogue.rego) describes
// it, with its severity per profile from lib.severities ("" where the rule is off).
type RuleInfo struct {
	ID               string   `json:"id"`
	Title            string   `json:"title"`
	Checks           string   `json:"checks"`
	Why              string   `json:"why"`
	Fix              string   `json:"fix"`
	Reference        RuleRef  `json:"reference"`
	SecuritySeverity float64  `json:"security_severity"`
	Precision        string   `json:"precision"`
	Tags             []string `json:"tags"`
	// Engine is "go" for a rule skillc's Go gate decides (no Rego rule reports it), "" for Rego.
	Engine      string `json:"engine,omitempty"`
	Baseline    string `json:"baseline"`
	Restricted  string `json:"restricted"`
	NonWaivable bool   `json:"nonwaivable"`
}

// RuleRef is the public reference a rule follows (URL "" where there is none).
type RuleRef struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// Severity is the rule's severity (deny, warn or "") in a profile; unknown profiles read as baseline,
// the default.
func (r RuleInfo) Severity(profile string) string {
	if profile == string(api.ProfileRestricted) {
		return r.Restricted
	}
	return r.Baseline
}

// Rules returns the built-in library's rule catalogue, sorted by id. It is read once from the
// embedded Rego (the catalogue lives only there), so SARIF and the README cannot drift from it.
func Rules() ([]RuleInfo, error) { return rules() }

var rules = sync.OnceValues(func() ([]RuleInfo, error) {
	modules, err := builtinModules()
	if err != nil {
		return nil, err
	}
	opts := []func(*rego.Rego){rego.Query(`x := {"rules": data.skillc.catalogue.rules, "severities": data.skillc.lib.severities, "nonwaivable": data.skillc.lib.nonwaivable}`)}
	for _, m := range modules {
		opts = append(opts, rego.ParsedModule(m))
	}
	rs, err := rego.New(opts...).Eval(context.Background())
	if err != nil {
		return nil, fmt.Errorf("reading the rule catalogue: %w", err)
	}
	if len(rs) != 1 {
		return nil, errors.New("reading the rule catalogue: no result")
	}
	raw, err := json.Marshal(rs[0].Bindings["x"])
	if err != nil {
		return nil, fmt.Errorf("reading the rule catalogue: %w", err)
	}
	var cat struct {
		Rules       map[string]RuleInfo `json:"rules"`
		Severities  map[string][]string `json:"severities"`
		NonWaivable []string            `json:"nonwaivable"`
	}
	if err := json.Unmarshal(raw, &cat); err != nil {
		return nil, fmt.Errorf("reading the rule catalogue: %w", err)
	}
	out := make([]RuleInfo, 0, len(cat.Rules))
	for _, id := range slices.Sorted(maps.Keys(cat.Rules)) {
		r := cat.Rules[id]
		r.ID = id
		sev, ok := cat.Severities[id]
		if !ok || len(sev) != 2 {
			return nil, fmt.Errorf("rule catalogue: %s has no severities in policy/lib.rego", id)
		}
		r.Baseline, r.Restricted = sev[0], sev[1]
		r.NonWaivable = slices.Contains(cat.NonWaivable, id)
		out = append(out, r)
	}
	return out, nil
})
