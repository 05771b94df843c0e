package compile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
)

// File is one input: a name for messages and its bytes. A SKILL.md folder arrives as a File whose
// Package is set; a .zip as its bytes, unpacked by Load.
type File struct {
	Name    string
	Data    []byte
	Package *Package
}

// Source locates a decoded document: its file, first line, and the line of every field path.
type Source struct {
	File string
	Line int
	pos  positions
}

// LineOf returns the line of path, or of its nearest ancestor that has one, or the document's.
func (s Source) LineOf(path string) int {
	for p := path; p != ""; p = parentPath(p) {
		if l, ok := s.pos[p]; ok {
			return l
		}
	}
	return s.Line
}

// Diag builds an input-error diagnostic located at a field of this document.
func (s Source) Diag(field, format string, args ...any) Diagnostic {
	return Diagnostic{File: s.File, Line: s.LineOf(field), Field: field, Severity: SeverityError, Message: fmt.Sprintf(format, args...)}
}

func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}

// Inputs are the decoded source documents, in the order they were read.
type Inputs struct {
	Packs     []*SkillPack
	Instances []*Instance
	Runs      []*AgentRun
	Schedules []*Schedule
	Configs   []*CompilerConfig
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

// ReadPaths reads files and walks directories (recursively, *.yaml and *.yml, hidden folders
// skipped) in lexical order. "-" reads stdin.
func ReadPaths(paths []string, stdin io.Reader) ([]File, Diagnostics) {
	var files []File
	var diags Diagnostics
	for _, p := range paths {
		if p == "-" {
			data, err := io.ReadAll(io.LimitReader(stdin, MaxFileSize+1))
			if err != nil {
				diags = append(diags, Diagnostic{File: "<stdin>", Severity: SeverityError, Message: fmt.Sprintf("reading: %v", err)})
				continue
			}
			files = append(files, File{Name: "<stdin>", Data: data})
			continue
		}
		info, err := os.Stat(p)
		if err != nil {
			diags = append(diags, Diagnostic{File: p, Severity: SeverityError, Message: describeFSError(err)})
			continue
		}
		if !info.IsDir() && filepath.Base(p) == "SKILL.md" {
			// A path to a package's SKILL.md means its folder.
			pkg, err := readPackageDir(filepath.Dir(p))
			if err != nil {
				diags = append(diags, Diagnostic{File: p, Severity: SeverityError, Message: err.Error()})
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
		err = filepath.WalkDir(p, func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				diags = append(diags, Diagnostic{File: path, Severity: SeverityError, Message: describeFSError(err)})
				return nil
			}
			if e.IsDir() && path != p && strings.HasPrefix(e.Name(), ".") {
				return fs.SkipDir
			}
			if e.IsDir() {
				if _, err := os.Lstat(filepath.Join(path, "SKILL.md")); err == nil {
					// A SKILL.md package: the whole folder is the package.
					pkg, err := readPackageDir(path)
					if err != nil {
						diags = append(diags, Diagnostic{File: path, Severity: SeverityError, Message: err.Error()})
					} else {
						files = append(files, File{Name: path, Package: &pkg})
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
				diags = append(diags, Diagnostic{File: path, Severity: SeverityError, Message: "is a symlink: not followed inside a directory (name the target explicitly)"})
				return nil
			}
			if !e.Type().IsRegular() {
				// A FIFO or device would block or never end; only a named path may be one (<(cmd)).
				diags = append(diags, Diagnostic{File: path, Severity: SeverityError, Message: fmt.Sprintf("not a regular file (%v): not read inside a directory", e.Type())})
				return nil
			}
			f, d := readFile(path)
			diags = append(diags, d...)
			if d == nil {
				files = append(files, f)
			}
			return nil
		})
		if err != nil {
			diags = append(diags, Diagnostic{File: p, Severity: SeverityError, Message: describeFSError(err)})
		}
	}
	return files, diags
}

func isZip(name string) bool { return strings.EqualFold(filepath.Ext(name), ".zip") }

// readPackageDir reads a SKILL.md folder under the same limits as a zip; symlinks are refused, so a
// package cannot pull in files from outside itself.
func readPackageDir(dir string) (Package, error) {
	files := map[string][]byte{}
	total := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
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
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if total += len(data); total > MaxPackageBytes {
			return fmt.Errorf("package is larger than %d MiB", MaxPackageBytes>>20)
		}
		files[rel] = data
		return nil
	})
	if err != nil {
		return Package{}, fmt.Errorf("reading SKILL.md package: %w", err)
	}
	return Package{Source: dir, Dir: filepath.Base(filepath.Clean(dir)), Files: files}, nil
}

func isManifest(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".yaml" || ext == ".yml"
}

func readFile(path string) (File, Diagnostics) {
	f, err := os.Open(path)
	if err != nil {
		return File{}, Diagnostics{{File: path, Severity: SeverityError, Message: describeFSError(err)}}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return File{}, Diagnostics{{File: path, Severity: SeverityError, Message: describeFSError(err)}}
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

// Load decodes every document of every file. Documents of kinds skillc does not compile are skipped
// with an info diagnostic; everything wrong is collected, not just the first problem.
func Load(files []File) (*Inputs, Diagnostics) {
	in := &Inputs{}
	var diags Diagnostics
	for _, f := range files {
		diags = append(diags, loadFile(in, f)...)
		if n := len(in.Packs) + len(in.Instances) + len(in.Runs) + len(in.Schedules) + len(in.Configs); n > MaxDocuments {
			return in, append(diags, Diagnostic{File: f.Name, Severity: SeverityError, Message: fmt.Sprintf("more than %d documents in the inputs: refused", MaxDocuments)})
		}
	}
	return in, diags
}

func loadFile(in *Inputs, f File) Diagnostics {
	if f.Package == nil && isZip(f.Name) {
		pkg, err := readZip(f.Name, f.Data)
		if err != nil {
			return Diagnostics{{File: f.Name, Severity: SeverityError, Message: err.Error()}}
		}
		f.Package = &pkg
	}
	if f.Package != nil {
		p, diags := PackFromPackage(*f.Package, "")
		if p != nil {
			in.Packs = append(in.Packs, p)
		}
		return diags
	}
	if len(f.Data) > MaxFileSize {
		return Diagnostics{{File: f.Name, Severity: SeverityError, Message: fmt.Sprintf("file is larger than %d MiB", MaxFileSize>>20)}}
	}
	if !utf8.Valid(f.Data) {
		return Diagnostics{{File: f.Name, Line: invalidUTF8Line(f.Data), Severity: SeverityError, Message: "not valid UTF-8 (YAML input must be UTF-8)"}}
	}
	if n, line := yamlElements(f.Data); n > MaxYAMLElements {
		return Diagnostics{{File: f.Name, Line: line, Severity: SeverityError, Message: fmt.Sprintf("document has more than %d YAML elements (%d separators): refused before parsing", MaxYAMLElements, n)}}
	}
	dec := yaml.NewDecoder(bytes.NewReader(f.Data))
	var diags Diagnostics
	for docs := 0; ; docs++ {
		if docs == MaxDocumentsPerFile {
			return append(diags, Diagnostic{File: f.Name, Severity: SeverityError, Message: fmt.Sprintf("more than %d documents in one file: refused", MaxDocumentsPerFile)})
		}
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line, msg := yamlErrorLine(err)
			// The decoder cannot resynchronise after a syntax error: report it and stop this file.
			return append(diags, Diagnostic{File: f.Name, Line: line, Severity: SeverityError, Message: msg})
		}
		diags = append(diags, loadDocument(in, f.Name, &doc)...)
	}
	return diags
}

var yamlLineRE = regexp.MustCompile(`^yaml: (?:line (\d+): )?`)

func yamlErrorLine(err error) (int, string) {
	msg := err.Error()
	m := yamlLineRE.FindStringSubmatch(msg)
	if m == nil {
		return 0, "invalid YAML: " + msg
	}
	line, _ := strconv.Atoi(m[1])
	return line, "invalid YAML: " + msg[len(m[0]):]
}

func invalidUTF8Line(b []byte) int {
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

// header reads apiVersion and kind without decoding the rest.
func header(n *yaml.Node) (apiVersion, kind string) {
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

func loadDocument(in *Inputs, file string, doc *yaml.Node) Diagnostics {
	if len(doc.Content) == 0 {
		return nil // an empty document (a stray ---) is not an error
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		return nil
	}
	if root.Kind != yaml.MappingNode {
		return Diagnostics{{File: file, Line: root.Line, Severity: SeverityError, Message: "expected a Kubernetes object (a mapping with apiVersion and kind)"}}
	}
	apiVersion, kind := header(root)
	if apiVersion == "" || kind == "" {
		missing := "kind"
		if apiVersion == "" {
			missing = "apiVersion"
		}
		return Diagnostics{{File: file, Line: root.Line, Field: missing, Severity: SeverityError, Message: "required: every document must be a Kubernetes object with apiVersion and kind"}}
	}
	group, version, _ := strings.Cut(apiVersion, "/")
	var target any
	switch {
	case group == groupSympozium && kind == "SkillPack":
		target = &SkillPack{}
	case group == groupSympozium && (kind == "SympoziumInstance" || kind == "Agent"):
		target = &Instance{}
	case group == groupSympozium && kind == "AgentRun":
		target = &AgentRun{}
	case group == groupSympozium && kind == "SympoziumSchedule":
		target = &Schedule{}
	case group == groupSkillc && kind == "CompilerConfig":
		target = &CompilerConfig{}
	default:
		return Diagnostics{{File: file, Line: root.Line, Severity: SeverityInfo, Message: fmt.Sprintf("ignoring %s %s: not a skillc input", apiVersion, kind)}}
	}
	if version != "v1alpha1" {
		return Diagnostics{{File: file, Line: root.Line, Field: "apiVersion", Severity: SeverityError, Message: fmt.Sprintf("unsupported apiVersion %q for %s (want %s/v1alpha1)", apiVersion, kind, group)}}
	}
	pos, errs := decodeNode(root, target)
	src := Source{File: file, Line: root.Line, pos: pos}
	var diags Diagnostics
	for _, e := range errs {
		diags = append(diags, Diagnostic{File: file, Line: e.Line, Field: e.Path, Severity: SeverityError, Message: e.Msg})
	}
	if len(diags) > 0 {
		return diags
	}
	switch t := target.(type) {
	case *SkillPack:
		t.Src = src
		in.Packs = append(in.Packs, t)
	case *Instance:
		t.Src = src
		in.Instances = append(in.Instances, t)
	case *AgentRun:
		t.Src = src
		in.Runs = append(in.Runs, t)
	case *Schedule:
		t.Src = src
		in.Schedules = append(in.Schedules, t)
	case *CompilerConfig:
		t.Src = src
		in.Configs = append(in.Configs, t)
	}
	return nil
}

// sortedKeys returns a map's keys in order: every map we emit is iterated this way.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// LoadConfig reads a CompilerConfig file (--config): exactly one CompilerConfig document.
func LoadConfig(path string) (*CompilerConfig, Diagnostics) {
	f, diags := readFile(path)
	if diags != nil {
		return nil, diags
	}
	in, diags := Load([]File{f})
	if diags.HasErrors() {
		return nil, diags
	}
	if len(in.Configs) != 1 || len(in.Packs)+len(in.Instances)+len(in.Runs)+len(in.Schedules) > 0 {
		return nil, Diagnostics{{File: path, Line: 1, Severity: SeverityError, Message: "--config must hold exactly one skillc.dev/v1alpha1 CompilerConfig and nothing else"}}
	}
	return in.Configs[0], nil
}
