// Package source reads inputs: files, folders, zips, SKILL.md packages and stdin, under the
// limits every command shares, decoded strictly with lines (the Reader). It is the only package
// that imports a YAML parser; others name its nodes through the aliases of node.go.
package source

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/internal/confine"
)

// File is one input: a name for messages and its bytes. A SKILL.md folder arrives as a File whose
// Package is set; a .zip as its bytes, unpacked by Load.
type File struct {
	Name    string
	Data    []byte
	Package *Package
	// Walked: found by walking a folder, not named. Such a file whose documents all lack both
	// apiVersion and kind (mkdocs.yml, a workflow, Helm values) is skipped, not an error.
	Walked bool
}

// Input limits: larger inputs are refused with a message rather than exhausting memory.
const (
	MaxFileSize         = 32 << 20 // bytes per file
	MaxDocumentsPerFile = 10000
	MaxDocuments        = 200000 // across all inputs
	// MaxYAMLElements bounds the nodes of one document before it is parsed: the YAML parser takes
	// about 250 bytes per node, so a 32 MiB file of "1," would otherwise cost gigabytes.
	MaxYAMLElements = 250000
)

// yamlElements returns, for the largest document of data, an upper bound of half its node count:
// every node but a document's first follows a line break or one of , [ { : - ? (a key without a
// value adds one implicit null), so these bytes are counted. Documents are split at lines starting
// with "---", which YAML allows nowhere else at the start of a line. It also returns that
// document's first line.
func yamlElements(data []byte) (most, line int) {
	count, start, lineNo := 0, 1, 1
	most, line = 0, 1
	atLineStart := true
	for i, c := range data {
		if atLineStart && c == '-' && bytes.HasPrefix(data[i:], []byte("---")) && (i+3 == len(data) || strings.IndexByte(" \t\r\n", data[i+3]) >= 0) {
			if count > most {
				most, line = count, start
			}
			count, start = 0, lineNo
		}
		atLineStart = c == '\n'
		switch c {
		case '\n':
			lineNo++
			count++
		case ',', '[', '{', ':', '-', '?':
			count++
		}
	}
	if count > most {
		most, line = count, start
	}
	return most, line
}

// ReadPaths reads files and walks directories as Walk.Read does, with no Exclude patterns.
func ReadPaths(paths []string, stdin io.Reader) ([]File, diag.Diagnostics) {
	return Walk{}.Read(paths, stdin)
}

// Walk is how the folders among the PATHs are walked.
type Walk struct {
	// Exclude are gitignore patterns (the CLI's flag), applied in every walked folder after its
	// .skillcignore: the last pattern that matches a path decides.
	Exclude []string
}

// Read reads files and walks directories (recursively, *.yaml, *.yml and *.zip, SKILL.md
// folders) in lexical order. "-" reads stdin. A walk skips hidden files and folders and what the
// folder's .skillcignore or w.Exclude exclude, each with a Detail note; a PATH named explicitly
// is always read (as kubeconform and conftest read a named file). Files a walk finds are marked
// Walked: Load skips those that are not Kubernetes manifests.
func (w Walk) Read(paths []string, stdin io.Reader) ([]File, diag.Diagnostics) {
	exclude := parseIgnore(w.Exclude, ExcludeOrigin, false)
	var files []File
	var diags diag.Diagnostics
	for _, p := range paths {
		if p == "-" {
			data, err := confine.ReadLimited(stdin, "<stdin>", MaxFileSize)
			var big *confine.TooLargeError
			switch {
			case errors.As(err, &big):
				diags = append(diags, readError("<stdin>", err))
				continue
			case err != nil:
				diags = append(diags, diag.Diagnostic{File: "<stdin>", Severity: diag.SeverityError, Message: fmt.Sprintf("reading: %v", err)})
				continue
			}
			files = append(files, File{Name: "<stdin>", Data: data})
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			diags = append(diags, diag.Diagnostic{File: p, Severity: diag.SeverityError, Message: describeFSError(err)})
			continue
		}
		if !info.IsDir() && filepath.Base(p) == "SKILL.md" {
			// A path to a package's SKILL.md means its folder.
			pkg, err := readPackageDir(filepath.Dir(p))
			if err != nil {
				diags = append(diags, diag.Diagnostic{File: p, Severity: diag.SeverityError, Message: err.Error()})
			} else {
				files = append(files, File{Name: filepath.Dir(p), Package: &pkg})
			}
			continue
		}
		if !info.IsDir() {
			f, d := readFile(p)
			diags = append(diags, d...)
			if d == nil {
				files = append(files, f)
			}
			continue
		}
		// The folder itself was named (it may be a link); below it nothing is followed.
		root, err := confine.Open(p)
		if err != nil {
			diags = append(diags, diag.Diagnostic{File: p, Severity: diag.SeverityError, Message: describeFSError(err)})
			continue
		}
		rules, d := readIgnoreFile(root)
		diags = append(diags, d...)
		rules = append(rules, exclude...)
		// What the walk finds, in its order; the manifests it finds are read afterwards, on every
		// core (thousands of small files, each opened a folder at a time), each into its place.
		var found []walked
		diagsBefore := diags
		diags = nil
		err = root.Walk(".", func(rel string, e fs.DirEntry, err error) error {
			path := root.Path(rel)
			if err != nil {
				diags = append(diags, diag.Diagnostic{File: path, Severity: diag.SeverityError, Message: describeFSError(err)})
				return nil
			}
			if rel != "." {
				if note, skip := skipped(rules, filepath.ToSlash(rel), e); skip {
					if note != "" {
						diags = append(diags, diag.Diagnostic{File: path, Severity: diag.SeverityInfo, Message: note, Detail: true})
					}
					if e.IsDir() {
						return fs.SkipDir
					}
					return nil
				}
			}
			if e.IsDir() {
				if _, err := root.Lstat(filepath.Join(rel, "SKILL.md")); err == nil {
					// A SKILL.md package: the whole folder is the package.
					pkg, err := readPackage(root, rel)
					if err != nil {
						diags = append(diags, diag.Diagnostic{File: path, Severity: diag.SeverityError, Message: err.Error()})
					} else {
						found = append(found, walked{diags: diags, file: &File{Name: path, Package: &pkg}})
						diags = nil
					}
					return fs.SkipDir
				}
				return nil
			}
			if !isManifest(e.Name()) && !isZip(e.Name()) {
				return nil
			}
			if e.Type()&fs.ModeSymlink != 0 {
				// On an untrusted pull request a link could read files from outside the repository.
				diags = append(diags, diag.Diagnostic{File: path, Severity: diag.SeverityError, Message: "is a symlink: not followed inside a directory (name the target explicitly)"})
				return nil
			}
			if !e.Type().IsRegular() {
				// A FIFO or device would block or never end; only a named path may be one (<(cmd)).
				diags = append(diags, diag.Diagnostic{File: path, Severity: diag.SeverityError, Message: fmt.Sprintf("not a regular file (%v): not read inside a directory", e.Type())})
				return nil
			}
			found = append(found, walked{diags: diags, rel: rel, path: path})
			diags = nil
			return nil
		})
		found = append(found, walked{diags: diags}) // what followed the last file
		diags = diagsBefore
		readWalked(root, found)
		for _, w := range found {
			diags = append(diags, w.diags...)
			if w.file != nil {
				files = append(files, *w.file)
				continue
			}
			if w.path == "" {
				continue
			}
			if w.err != nil {
				diags = append(diags, readError(w.path, w.err))
				continue
			}
			files = append(files, File{Name: w.path, Data: w.data, Walked: true})
		}
		root.Close()
		if err != nil {
			diags = append(diags, diag.Diagnostic{File: p, Severity: diag.SeverityError, Message: describeFSError(err)})
		}
	}
	return files, diags
}

// walked is what a walk found: a file to read (rel, path), or one read already (a SKILL.md
// package), or neither, with the diagnostics the walk made before it.
type walked struct {
	diags     diag.Diagnostics
	file      *File
	rel, path string
	data      []byte
	err       error
}

// readWalked reads the files found under root, on every core.
func readWalked(root *confine.Root, found []walked) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(found)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(found) {
					return
				}
				if w := &found[i]; w.path != "" {
					w.data, w.err = root.ReadFile(w.rel, MaxFileSize)
				}
			}
		})
	}
	wg.Wait()
}

func isZip(name string) bool { return strings.EqualFold(filepath.Ext(name), ".zip") }

// readError is the diagnostic of a failed read of an input: over MaxFileSize, it says what Precheck
// says of a file over it.
func readError(name string, err error) diag.Diagnostic {
	var big *confine.TooLargeError
	if errors.As(err, &big) {
		return diag.Diagnostic{File: name, Severity: diag.SeverityError, Message: fmt.Sprintf("file is larger than %d MiB", MaxFileSize>>20)}
	}
	return diag.Diagnostic{File: name, Severity: diag.SeverityError, Message: describeFSError(err)}
}

// readPackageDir reads the SKILL.md folder dir (named: it may be a link) as readPackage does.
func readPackageDir(dir string) (Package, error) {
	root, err := confine.Open(dir)
	if err != nil {
		return Package{}, fmt.Errorf("reading SKILL.md package: %w", err)
	}
	defer root.Close()
	return readPackage(root, ".")
}

// readPackage reads the SKILL.md folder rel of root under the same limits as a zip; symlinks are
// refused, so a package cannot pull in files from outside itself.
func readPackage(root *confine.Root, dir string) (Package, error) {
	files := map[string][]byte{}
	total := 0
	tooLarge := fmt.Errorf("package is larger than %d MiB", MaxPackageBytes>>20)
	err := root.Walk(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		rel = filepath.ToSlash(rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			return fmt.Errorf("%s is a symlink: refused in a SKILL.md package", rel)
		case d.IsDir() && path != dir && strings.HasPrefix(d.Name(), "."):
			return fs.SkipDir
		case d.IsDir() || !d.Type().IsRegular() || strings.HasPrefix(d.Name(), "."):
			return nil
		}
		if len(files) >= MaxPackageFiles {
			return fmt.Errorf("package has more than %d files", MaxPackageFiles)
		}
		// Refused by its size before a byte is read, and read to one byte over what is left, so a
		// file that grows in the meantime is refused as well: never more than the limit in memory.
		data, err := root.ReadFile(path, int64(MaxPackageBytes-total))
		var big *confine.TooLargeError
		if errors.As(err, &big) {
			return tooLarge
		}
		if err != nil {
			return err
		}
		total += len(data)
		files[rel] = data
		return nil
	})
	if err != nil {
		return Package{}, fmt.Errorf("reading SKILL.md package: %w", err)
	}
	name := root.Path(dir)
	return Package{Source: name, Dir: filepath.Base(filepath.Clean(name)), Files: files}, nil
}

func isManifest(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".yaml" || ext == ".yml"
}

// readFile reads a file the user named (a FIFO may be one: <(cmd)), under MaxFileSize as it reads.
func readFile(path string) (File, diag.Diagnostics) {
	f, err := os.Open(path)
	if err != nil {
		return File{}, diag.Diagnostics{{File: path, Severity: diag.SeverityError, Message: describeFSError(err)}}
	}
	defer f.Close()
	data, err := confine.ReadLimited(f, path, MaxFileSize)
	if err != nil {
		return File{}, diag.Diagnostics{readError(path, err)}
	}
	return File{Name: path, Data: data}, nil
}

func describeFSError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Reader parses and decodes YAML inputs under the limits every command shares: compile, check,
// build and fn read through Load (fn's ResourceList through ReadResourceList), diff's renders
// through permissions.ReadRendered. Each limit refuses its input before the memory it guards is
// spent; what aliases add is budgeted across everything one Reader decodes.
type Reader struct {
	// DocumentsPerFile bounds the documents of one file: MaxDocumentsPerFile unless set. A render
	// of a whole platform is one stream of more documents than a source file holds, so skillc diff
	// reads renders with MaxDocuments (the total still applies).
	DocumentsPerFile int

	docs   int // documents read so far, against MaxDocuments
	budget *aliasBudget
}

// NewReader returns a Reader with a fresh alias budget.
func NewReader() *Reader { return &Reader{budget: newAliasBudget()} }

// Documents checks f as a whole (size, text, the elements of its largest document), then parses
// its YAML documents one at a time and calls fn with the root node of each non-empty one, until fn
// returns false. A syntax error ends the file: the parser cannot resynchronise after one.
func (r *Reader) Documents(f File, fn func(root *yaml.Node) bool) diag.Diagnostics {
	var stop diag.Diagnostics
	if diags := parse(f, r.perFile(), func(doc *yaml.Node) bool { return r.accept(f, doc, fn, &stop) }); stop == nil {
		return diags
	}
	return stop
}

func (r *Reader) perFile() int {
	if r.DocumentsPerFile == 0 {
		return MaxDocumentsPerFile
	}
	return r.DocumentsPerFile
}

// parse is the part of Documents that depends on f alone, so that Load can do it for a few files
// at once: the checks of Precheck, then each document decoded and handed to each (empty ones
// too), until each returns false. The diagnostics are what ended the file early: a limit, a
// syntax error (the parser cannot resynchronise after one).
func parse(f File, perFile int, each func(doc *yaml.Node) bool) diag.Diagnostics {
	if diags := Precheck(f); diags != nil {
		return diags
	}
	dec := yaml.NewDecoder(bytes.NewReader(f.Data))
	for docs := 0; ; docs++ {
		if docs == perFile {
			return diag.Diagnostics{{File: f.Name, Severity: diag.SeverityError, Message: fmt.Sprintf("more than %d documents in one file: refused", perFile)}}
		}
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			line, msg := syntaxError(err, f.Data)
			return diag.Diagnostics{{File: f.Name, Line: line, Severity: diag.SeverityError, Message: msg}}
		}
		if !each(&doc) {
			return nil
		}
	}
}

// accept is the part of Documents that counts against all the inputs, in order: doc is counted,
// and a non-empty one checked and given to fn. It returns false to stop: fn did, or *stop says
// why.
func (r *Reader) accept(f File, doc *yaml.Node, fn func(root *yaml.Node) bool, stop *diag.Diagnostics) bool {
	if r.docs++; r.docs > MaxDocuments {
		*stop = diag.Diagnostics{{File: f.Name, Line: doc.Line, Severity: diag.SeverityError, Message: fmt.Sprintf("more than %d documents in the inputs: refused", MaxDocuments)}}
		return false
	}
	if len(doc.Content) == 0 {
		return true // an empty document (a stray ---) is not an error
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" && root.Style&yaml.TaggedStyle == 0 {
		return true
	}
	// Every document, also of a kind the command then ignores: a tag or a foreign anchor is
	// wrong wherever it is, and nesting is bounded before anything recurses.
	if line, err := checkTree(root); err != nil {
		*stop = diag.Diagnostics{{File: f.Name, Line: line, Severity: diag.SeverityError, Message: err.Error()}}
		return false
	}
	return fn(root)
}

// Precheck is what Documents checks of a file before it parses anything: its size, its characters
// and the elements of its largest document. Exported for a caller that hands YAML to another
// parser (kustomize, in skillc build), so that the same limits come first there too.
func Precheck(f File) diag.Diagnostics {
	if len(f.Data) > MaxFileSize {
		return diag.Diagnostics{{File: f.Name, Severity: diag.SeverityError, Message: fmt.Sprintf("file is larger than %d MiB", MaxFileSize>>20)}}
	}
	if line, err := checkText(f.Data); err != nil {
		return diag.Diagnostics{{File: f.Name, Line: line, Severity: diag.SeverityError, Message: err.Error()}}
	}
	if n, line := yamlElements(f.Data); n > MaxYAMLElements {
		return diag.Diagnostics{{File: f.Name, Line: line, Severity: diag.SeverityError, Message: fmt.Sprintf("document has more than %d YAML elements (%d separators): refused before parsing", MaxYAMLElements, n)}}
	}
	return nil
}

// Exhausted reports whether the inputs held more than MaxDocuments documents: reading more is
// pointless, each would be refused again.
func (r *Reader) Exhausted() bool { return r.docs > MaxDocuments }

// Decode decodes a document's root (as Documents gave it) strictly into out, a pointer to a struct with json tags: an
// unknown field, a wrong type or a spent alias budget is an error at FILE:LINE with its field
// path. Safe for concurrent use.
func (r *Reader) Decode(file string, root *yaml.Node, out any) (diag.Source, diag.Diagnostics) {
	return r.decode(file, root, out, false)
}

// DecodeLoose is Decode that skips fields out does not have: for objects of Kubernetes' own kinds,
// of which skillc reads only a part.
func (r *Reader) DecodeLoose(file string, root *yaml.Node, out any) (diag.Source, diag.Diagnostics) {
	return r.decode(file, root, out, true)
}

func (r *Reader) decode(file string, root *yaml.Node, out any, loose bool) (diag.Source, diag.Diagnostics) {
	d := &decoder{pos: positions{}, nodes: MaxAliasNodes, bytes: MaxAliasBytes, total: r.budget, loose: loose}
	d.value(root, reflect.ValueOf(out).Elem(), "") // Documents checked the tree
	pos, errs := d.pos, d.errs
	var diags diag.Diagnostics
	for _, e := range errs {
		diags = append(diags, diag.Diagnostic{File: file, Line: e.Line, Field: e.Path, Severity: diag.SeverityError, Message: e.Msg})
	}
	return diag.NewSource(file, root.Line, pos), diags
}

// Load decodes every document of every file. Documents of kinds skillc does not compile are skipped
// with an info diagnostic; everything wrong is collected, not just the first problem.
func Load(files []File) (*api.Inputs, diag.Diagnostics) {
	r := NewReader()
	in := &api.Inputs{}
	var diags diag.Diagnostics
	ahead := parseAhead(files, r.perFile())
	defer ahead.stop()
	for i, f := range files {
		diags = append(diags, r.loadFile(in, f, ahead.take(i))...)
		if r.Exhausted() {
			return in, diags
		}
	}
	return in, diags
}

// loadFile loads f's documents into in; p is f parsed ahead, or nil.
func (r *Reader) loadFile(in *api.Inputs, f File, p *parsed) diag.Diagnostics {
	if f.Package == nil && isZip(f.Name) {
		pkg, err := ReadZip(f.Name, f.Data)
		if err != nil {
			return diag.Diagnostics{{File: f.Name, Severity: diag.SeverityError, Message: err.Error()}}
		}
		f.Package = &pkg
	}
	if f.Package != nil {
		p, diags := PackFromPackage(*f.Package, "")
		if p != nil {
			if r.docs++; r.docs > MaxDocuments {
				return append(diags, diag.Diagnostic{File: f.Name, Severity: diag.SeverityError, Message: fmt.Sprintf("more than %d documents in the inputs: refused", MaxDocuments)})
			}
			in.Packs = append(in.Packs, p)
		}
		return diags
	}
	var diags diag.Diagnostics
	docs, configs := 0, len(in.Configs)
	// A walked file is judged whole: if no document has apiVersion or kind it is not a manifest
	// (mkdocs.yml, a workflow, Helm values) and is skipped; if one has, the others are errors.
	// Only their errors are held until the end, never their nodes.
	var foreign diag.Diagnostics
	manifest := false
	load := func(root *yaml.Node) bool {
		docs++
		if f.Walked && !ManifestLike(root) {
			foreign = append(foreign, r.loadDocument(in, f.Name, root)...)
			return true
		}
		manifest = true
		diags = append(diags, r.loadDocument(in, f.Name, root)...)
		return true
	}
	if p != nil {
		diags = append(diags, r.documentsParsed(f, p, load)...)
	} else {
		diags = append(diags, r.Documents(f, load)...)
	}
	switch {
	case manifest:
		diags = append(diags, foreign...)
	case diags.HasErrors():
		// Not valid YAML, or over a limit: reported as such, whatever the file was meant to be.
	case len(foreign) > 0:
		diags = append(diags, diag.Diagnostic{File: f.Name, Severity: diag.SeverityInfo, Detail: true,
			Message: "skipped: not a Kubernetes manifest (no document has apiVersion or kind)"})
	}
	if len(in.Configs) > configs && docs > 1 {
		// The platform's settings in a file with anything else: whoever edits the instance or the
		// pack beside it edits the allow-lists too.
		c := in.Configs[configs]
		diags = append(diags, c.Src.Diag("", "a CompilerConfig must be alone in its file (this file holds %d documents): the platform's settings must not share a file with what tenants write", docs))
	}
	return diags
}

var yamlLineRE = regexp.MustCompile(`^yaml: (?:line (\d+): )?`)

// syntaxError splits a syntax error of the YAML parser into its line and message. The parser
// gives its errors only as text ("yaml: line 3: ..."), so this is the one place that reads a line
// out of a message; the one error it gives without a line, an unknown anchor, is located at the
// first use of the alias in data.
func syntaxError(err error, data []byte) (int, string) {
	msg := err.Error()
	m := yamlLineRE.FindStringSubmatch(msg)
	if m == nil {
		return 0, "invalid YAML: " + msg
	}
	line, _ := strconv.Atoi(m[1])
	msg = msg[len(m[0]):]
	if name, ok := strings.CutPrefix(msg, "unknown anchor '"); ok && line == 0 {
		name = strings.TrimSuffix(name, "' referenced")
		if i := bytes.Index(data, []byte("*"+name)); i >= 0 {
			line = 1 + bytes.Count(data[:i], []byte("\n"))
		}
	}
	return line, "invalid YAML: " + msg
}

// checkText finds what the YAML parser refuses in the text itself, to report it with its line
// (the parser names no line for these): bytes that are not UTF-8, and characters YAML does not
// allow, by the parser's own test (YAML 1.2 "printable": tab, line breaks, U+0020-U+007E, U+0085,
// U+00A0-U+D7FF, U+E000-U+FFFD, U+10000 and up), so a NUL byte is named with its line.
func checkText(data []byte) (int, error) {
	lineAt := func(i int) int { return 1 + bytes.Count(data[:i], []byte("\n")) }
	for i := 0; i < len(data); {
		c := data[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
				return lineAt(i), fmt.Errorf("control character %U is not allowed in YAML", rune(c))
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return lineAt(i), errors.New("not valid UTF-8 (YAML input must be UTF-8)")
		case r >= 0x80 && r <= 0x9f && r != 0x85, r == 0xfffe, r == 0xffff:
			return lineAt(i), fmt.Errorf("control character %U is not allowed in YAML", r)
		}
		i += size
	}
	return 0, nil
}

// InvalidUTF8Line is the 1-based line of the first byte sequence in b that is not UTF-8 (every
// reader of user files names that line: YAML here, SKILL.md, Rego in policy).
func InvalidUTF8Line(b []byte) int {
	line := 1
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size <= 1 {
			return line
		}
		if r == '\n' {
			line++
		}
		b = b[size:]
	}
	return line
}

// ManifestLike reports whether a document looks like a Kubernetes manifest, however malformed: a
// mapping with apiVersion or kind, or a list holding one. Documents that are not skip a walked
// file whole (File.Walked).
func ManifestLike(n *yaml.Node) bool {
	if n.Kind == yaml.SequenceNode {
		return slices.ContainsFunc(n.Content, hasHeaderKey)
	}
	return hasHeaderKey(n)
}

func hasHeaderKey(n *yaml.Node) bool {
	if n.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i].Value; k == "apiVersion" || k == "kind" {
			return true
		}
	}
	return false
}

// Header reads apiVersion and kind without decoding the rest.
func Header(n *yaml.Node) (apiVersion, kind string) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		switch n.Content[i].Value {
		case "apiVersion":
			apiVersion = n.Content[i+1].Value
		case "kind":
			kind = n.Content[i+1].Value
		}
	}
	return apiVersion, kind
}

func (r *Reader) loadDocument(in *api.Inputs, file string, root *yaml.Node) diag.Diagnostics {
	if root.Kind != yaml.MappingNode {
		return diag.Diagnostics{{File: file, Line: root.Line, Severity: diag.SeverityError, Message: "expected a Kubernetes object (a mapping with apiVersion and kind)"}}
	}
	apiVersion, kind := Header(root)
	if apiVersion == "" || kind == "" {
		missing := "kind"
		if apiVersion == "" {
			missing = "apiVersion"
		}
		return diag.Diagnostics{{File: file, Line: root.Line, Field: missing, Severity: diag.SeverityError, Message: "required: every document must be a Kubernetes object with apiVersion and kind"}}
	}
	group, version, _ := strings.Cut(apiVersion, "/")
	var target any
	switch {
	case group == api.GroupSympozium && kind == "SkillPack":
		target = &api.SkillPack{}
	case group == api.GroupSympozium && (kind == "SympoziumInstance" || kind == "Agent"):
		target = &api.Instance{}
	case group == api.GroupSympozium && kind == "AgentRun":
		target = &api.AgentRun{}
	case group == api.GroupSympozium && kind == "SympoziumSchedule":
		target = &api.Schedule{}
	case group == api.GroupSympozium && kind == "Ensemble":
		target = &api.Ensemble{}
	case group == api.GroupSympozium && kind == "SympoziumPolicy":
		target = &api.SympoziumPolicy{}
	case group == api.GroupSkillc && kind == "CompilerConfig":
		target = &api.CompilerConfig{}
	case apiVersion == "v1" && kind == "Namespace":
		// Read for its Pod Security labels; anything else in it is the API server's business.
		var ns api.Namespace
		src, diags := r.DecodeLoose(file, root, &ns)
		if diags.HasErrors() {
			return diags
		}
		ns.Src = src
		in.Namespaces = append(in.Namespaces, &ns)
		return nil
	default:
		return diag.Diagnostics{{File: file, Line: root.Line, Severity: diag.SeverityInfo, Detail: true, Message: fmt.Sprintf("ignoring %s %s: not a skillc input", apiVersion, kind)}}
	}
	if version != "v1alpha1" {
		return diag.Diagnostics{{File: file, Line: root.Line, Field: "apiVersion", Severity: diag.SeverityError, Message: fmt.Sprintf("unsupported apiVersion %q for %s (want %s/v1alpha1)", apiVersion, kind, group)}}
	}
	src, diags := r.Decode(file, root, target)
	if len(diags) > 0 {
		return diags
	}
	switch t := target.(type) {
	case *api.SkillPack:
		t.Src = src
		in.Packs = append(in.Packs, t)
	case *api.Instance:
		t.Src = src
		in.Instances = append(in.Instances, t)
	case *api.AgentRun:
		t.Src = src
		in.Runs = append(in.Runs, t)
	case *api.Schedule:
		t.Src = src
		in.Schedules = append(in.Schedules, t)
	case *api.CompilerConfig:
		t.Src = src
		in.Configs = append(in.Configs, t)
	case *api.Ensemble:
		t.Src = src
		in.Ensembles = append(in.Ensembles, t)
	case *api.SympoziumPolicy:
		t.Src = src
		in.Policies = append(in.Policies, t)
	}
	return nil
}

// LoadConfig reads a CompilerConfig file: exactly one CompilerConfig document.
func LoadConfig(path string) (*api.CompilerConfig, diag.Diagnostics) {
	f, diags := readFile(path)
	if diags != nil {
		return nil, diags
	}
	in, diags := Load([]File{f})
	if diags.HasErrors() {
		return nil, diags
	}
	if len(in.Configs) != 1 || len(in.Packs)+len(in.Instances)+len(in.Runs)+len(in.Schedules) > 0 {
		return nil, diag.Diagnostics{{File: path, Line: 1, Severity: diag.SeverityError, Message: "the config file must hold exactly one skillc.dev/v1alpha1 CompilerConfig and nothing else"}}
	}
	return in.Configs[0], nil
}
