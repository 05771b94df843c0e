package render

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"

	"github.com/skillc-dev/skillc/source"
)

// The rules every writing command follows (README "Output, signals and exit codes"): skillc
// removes or replaces only files it wrote itself, never follows a link to write or remove, and
// never writes over, into or around its inputs. A refusal is an outputError, its message about
// DIR (the CLI prints it "DIR: message", exit 2); nothing is written.

// ManifestName is the render manifest skillc writes into -o DIR: the files of that render, which
// the next compile -o may replace or remove (and nothing else). It has no .yaml/.json suffix so
// that Argo CD directory apps and Flux's generated kustomization do not read it as a manifest.
const ManifestName = ".skillc-render"

// ManifestHeader is the manifest's first line: the format, so that a file of that name that is
// not ours is refused instead of trusted.
const ManifestHeader = "# skillc-render v1"

// maxManifest bounds what is read of a manifest (200,000 paths of 300 bytes).
const maxManifest = 64 << 20

// maxLegacyFile bounds what is read of one file of a render that has no manifest.
const maxLegacyFile = 8 << 20

// outputError is a refusal about DIR: its message says what is wrong with DIR.
type outputError struct{ msg string }

func (e outputError) Error() string { return e.msg }

func refuse(format string, args ...any) error { return outputError{fmt.Sprintf(format, args...)} }

// EncodeManifest is the manifest of a render of files (relative slash paths), written by skillc
// version.
func EncodeManifest(files []string, version string) []byte {
	var b bytes.Buffer
	b.WriteString(ManifestHeader + "\n")
	fmt.Fprintf(&b, "# Written by skillc %s. skillc compile -o replaces or removes only the files listed here. Do not edit.\n", version)
	for _, f := range slices.Sorted(slices.Values(files)) {
		b.WriteString(f + "\n")
	}
	return b.Bytes()
}

// parseManifest reads a manifest's paths; an error names the line. Paths must be what a render
// writes: relative, clean, slash-separated, inside DIR, not hidden.
func parseManifest(data []byte) ([]string, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	lines := bytes.Count(data, []byte{'\n'}) // a render's manifest lists 133,000 paths at 10x
	paths := make([]string, 0, lines)
	seen := make(map[string]bool, lines)
	n := 1
	for ; sc.Scan(); n++ {
		line := sc.Text()
		if n == 1 {
			if line != ManifestHeader {
				return nil, fmt.Errorf("%d: not a skillc render manifest (the first line is not %q)", n, ManifestHeader)
			}
			continue
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !renderPath(line) {
			return nil, fmt.Errorf("%d: %q is not a path a render writes", n, line)
		}
		if seen[line] {
			return nil, fmt.Errorf("%d: %q is listed twice", n, line)
		}
		seen[line] = true
		paths = append(paths, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%d: %w", n, err) // a line over 64 KiB: no path is that long
	}
	if len(data) == 0 {
		return nil, errors.New("1: empty: not a skillc render manifest")
	}
	return paths, nil
}

// renderPath reports whether p is a path a writer may list: relative, clean, slash form, no
// hidden segment (skillc writes none, so "..", ".git" and the manifest itself are excluded).
func renderPath(p string) bool {
	if p == "" || path.Clean(p) != p || !filepath.IsLocal(filepath.FromSlash(p)) || strings.Contains(p, "\\") {
		return false
	}
	for seg := range strings.SplitSeq(p, "/") {
		if strings.HasPrefix(seg, ".") {
			return false
		}
	}
	return true
}

// previous is what -o DIR holds before a write: nothing, an empty directory, or a render.
type previous struct {
	exists   bool     // DIR is a directory
	files    []string // the render's files (relative slash paths, sorted), the manifest excluded
	manifest bool     // the files come from DIR/.skillc-render (else: recognised by layout and label)
	listed   []byte   // the manifest as read (nil without one)
}

// statOutput checks DIR itself (never following it): it may be missing or a directory, not a
// link, a file or the root. It returns whether DIR exists.
func statOutput(abs string) (bool, error) {
	if filepath.Dir(abs) == abs {
		return false, refuse("is the root directory: skillc replaces DIR by rename: write into a subdirectory")
	}
	fi, err := os.Lstat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, err
	case fi.Mode()&fs.ModeSymlink != 0:
		return false, refuse("is a symlink: skillc never writes or removes through a link; give the directory's real path")
	case !fi.IsDir():
		return false, refuse("is a file, not a directory: skillc will not replace it; choose another DIR")
	}
	return true, nil
}

// Precheck refuses, before any work, a DIR that no write could use: a link, a file, the
// root, or one of the inputs.
func Precheck(dir string, inputs []string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if _, err := statOutput(abs); err != nil {
		return err
	}
	return checkInputs(abs, inputs)
}

// checkInputs refuses a DIR that is, contains or is inside one of the input paths ("-" is
// stdin, not a path). Paths are compared absolute, cleaned and with symlinks resolved, so a DIR
// reached through a link to an input is still that input.
func checkInputs(abs string, inputs []string) error {
	out, err := resolvePath(abs)
	if err != nil {
		return err
	}
	for _, in := range inputs {
		if in == "-" {
			continue
		}
		p, err := filepath.Abs(in)
		if err != nil {
			return err
		}
		if p, err = resolvePath(p); err != nil {
			return err
		}
		switch {
		case p == out:
			return refuse("is the input path %s: skillc never writes over its inputs", in)
		case within(out, p):
			return refuse("is inside the input path %s: skillc never writes into its inputs (a later run would read the output as input)", in)
		case within(p, out):
			return refuse("contains the input path %s: skillc never writes over its inputs", in)
		}
	}
	return nil
}

// within reports whether p is strictly inside dir (both absolute and clean).
func within(p, dir string) bool {
	if p == dir {
		return false
	}
	if !strings.HasSuffix(dir, string(filepath.Separator)) {
		dir += string(filepath.Separator)
	}
	return strings.HasPrefix(p, dir)
}

// resolvePath resolves the symlinks of the longest existing prefix of an absolute path and
// appends the rest: the path as the kernel will reach it.
func resolvePath(p string) (string, error) {
	rest := ""
	for {
		r, err := filepath.EvalSymlinks(p)
		if err == nil {
			return filepath.Join(r, rest), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(p)
		if parent == p {
			return filepath.Join(p, rest), nil
		}
		rest = filepath.Join(filepath.Base(p), rest)
		p = parent
	}
}

// typedEntry is a folder's entry as inspect needs it: its name and type.
type typedEntry struct {
	name string
	typ  fs.FileMode
}

// walkTypes is fs.WalkDir of root from folder rel, for the names and types alone: fn gets each
// entry below rel in path order (not rel itself), and returning fs.SkipDir for a folder skips it.
func walkTypes(root *os.Root, rel string, fn func(rel string, typ fs.FileMode) error) error {
	entries, err := readTypes(root, rel)
	if err != nil {
		return err
	}
	for _, e := range entries {
		p := path.Join(rel, e.name)
		err := fn(p, e.typ)
		if e.typ.IsDir() && err == nil {
			err = walkTypes(root, p, fn)
		} else if errors.Is(err, fs.SkipDir) && e.typ.IsDir() {
			err = nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// inspect reads what DIR holds (abs, already checked by statOutput) and refuses it unless it is
// empty or a render skillc wrote: the files listed in DIR/.skillc-render, or, for a render
// written before manifests existed, files that are each exactly where skillc writes its object
// (<ns>/<kind>-<name>.yaml) and carry app.kubernetes.io/managed-by: skillc. The first foreign
// entry, in path order, is named. Nothing is followed: links inside DIR are foreign too.
func inspect(abs string) (*previous, error) {
	exists, err := statOutput(abs)
	if err != nil || !exists {
		return &previous{}, err
	}
	root, err := os.OpenRoot(abs)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	prev := &previous{exists: true}
	var listed map[string]bool
	dirs := map[string]bool{}
	if fi, err := root.Lstat(ManifestName); err == nil {
		if !fi.Mode().IsRegular() {
			return nil, refuse("%s is not a regular file: skillc cannot tell its files from yours", ManifestName)
		}
		if fi.Size() > maxManifest {
			return nil, refuse("%s is larger than %d MiB: not a skillc render manifest", ManifestName, maxManifest>>20)
		}
		data, err := readAsSeen(root, ManifestName, fi, maxManifest)
		if errors.Is(err, errChanged) {
			return nil, refuse("%s changed while skillc read it: run again", ManifestName)
		}
		if err != nil {
			return nil, err
		}
		paths, err := parseManifest(data)
		if err != nil {
			return nil, refuse("%s:%v: skillc cannot tell its files from yours", ManifestName, err)
		}
		prev.manifest, prev.listed = true, data
		listed = make(map[string]bool, len(paths))
		for _, p := range paths {
			listed[p] = true
			for d := path.Dir(p); d != "."; d = path.Dir(d) {
				dirs[d] = true
			}
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	// Every foreign entry is collected (a foreign folder is not entered), so that the message can
	// name the first in path order and count the others; a legacy render's files are checked
	// afterwards, in parallel (each is read and parsed).
	type entry struct{ rel, why string }
	var foreign []entry
	var legacy []string
	err = walkTypes(root, ".", func(rel string, typ fs.FileMode) error {
		switch {
		case rel == ManifestName:
			return nil
		case typ.IsDir():
			if prev.manifest && dirs[rel] || !prev.manifest && legacyFolder(rel) {
				return nil
			}
			foreign = append(foreign, entry{rel + "/", ""})
			return fs.SkipDir
		case typ&fs.ModeSymlink != 0:
			foreign = append(foreign, entry{rel, " (a symlink)"})
		case !typ.IsRegular():
			foreign = append(foreign, entry{rel, " (not a regular file)"})
		case prev.manifest && listed[rel]:
			prev.files = append(prev.files, rel)
		case !prev.manifest:
			legacy = append(legacy, rel)
		default:
			foreign = append(foreign, entry{rel, ""})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	_ = forEach(legacy, func(rel string) error {
		ok := legacyFile(root, rel)
		mu.Lock()
		defer mu.Unlock()
		if ok {
			prev.files = append(prev.files, rel)
		} else {
			foreign = append(foreign, entry{rel, ""})
		}
		return nil
	})
	if len(foreign) > 0 {
		slices.SortFunc(foreign, func(a, b entry) int { return strings.Compare(a.rel, b.rel) })
		more := ""
		if len(foreign) > 1 {
			more = fmt.Sprintf(", and %d more", len(foreign)-1)
		}
		return nil, refuse("holds %s%s, which skillc did not write%s: skillc replaces only an empty directory or a render it wrote (listed in %s); move what is yours elsewhere, or choose another DIR",
			foreign[0].rel, foreign[0].why, more, ManifestName)
	}
	slices.Sort(prev.files)
	return prev, nil
}

// legacyFolder: a render without a manifest has one folder per namespace, and _cluster.
func legacyFolder(rel string) bool {
	return rel == "_cluster" || dnsLabel.MatchString(rel)
}

var (
	dnsLabel   = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)
	legacyName = regexp.MustCompile(`^([a-z]+)-([^/]+)\.yaml$`)
)

// legacyFile reports whether rel, in a render without a manifest, is a file skillc wrote: one
// object, at exactly the path skillc gives it, labelled managed-by skillc.
func legacyFile(root *os.Root, rel string) bool {
	ns, name, ok := strings.Cut(rel, "/")
	if !ok || !legacyFolder(ns) {
		return false
	}
	m := legacyName.FindStringSubmatch(name)
	if m == nil {
		return false
	}
	fi, err := root.Lstat(rel)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > maxLegacyFile {
		return false
	}
	data, err := readAsSeen(root, rel, fi, maxLegacyFile)
	if err != nil {
		return false
	}
	obj, ok := skillcObject(rel, data)
	if !ok {
		return false
	}
	objNS := obj.namespace
	if objNS == "" {
		objNS = "_cluster"
	}
	return strings.ToLower(obj.kind) == m[1] && obj.name == m[2] && objNS == ns
}

var (
	errChanged  = errors.New("replaced since it was inspected")
	errTooLarge = errors.New("over the size limit")
)

// readAsSeen reads name under root only while it is the regular file fi that root.Lstat gave: it
// is opened without blocking (a FIFO swapped in since cannot hang the read) and must be that same
// file once open (a link swapped in is never read through): errChanged otherwise. At most limit
// bytes are read; a file that grew past them is errTooLarge.
func readAsSeen(root *os.Root, name string, fi fs.FileInfo, limit int64) ([]byte, error) {
	f, err := root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	after, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !os.SameFile(fi, after) || !after.Mode().IsRegular() {
		return nil, errChanged
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, errTooLarge
	}
	return data, nil
}

// renderedObject is what identifies a file skillc wrote.
type renderedObject struct{ kind, name, namespace string }

// skillcObject reads data, a file of a render, with source's Reader (its limits, tags, anchors)
// and returns its object's kind, name and namespace when it is one document without anchors or
// aliases, labelled app.kubernetes.io/managed-by: skillc, as every file skillc writes is. The
// fields are looked up in the node tree and must be plain scalars: no alias is ever expanded (a YAML decoder into Go
// values would expand a 1 MiB scalar aliased 300 times in a 1 MiB file to 2 GB).
func skillcObject(name string, data []byte) (renderedObject, bool) {
	var root *source.Node
	docs := 0
	diags := source.NewReader().Documents(source.File{Name: name, Data: data}, func(n *source.Node) bool {
		docs++
		root = n
		return docs == 1
	})
	if diags != nil || docs != 1 || root == nil || hasAnchors(root) {
		return renderedObject{}, false
	}
	scalar := func(n *source.Node, path ...string) (string, bool) {
		for _, k := range path {
			n = mapValue(n, k)
		}
		if n == nil {
			return "", true
		}
		return n.Value, n.Kind == source.ScalarNode
	}
	meta := mapValue(root, "metadata")
	kind, ok1 := scalar(root, "kind")
	objName, ok2 := scalar(meta, "name")
	ns, ok3 := scalar(meta, "namespace")
	managed, ok4 := scalar(meta, "labels", "app.kubernetes.io/managed-by")
	if !ok1 || !ok2 || !ok3 || !ok4 || managed != "skillc" {
		return renderedObject{}, false
	}
	return renderedObject{kind, objName, ns}, true
}

// hasAnchors reports whether a tree holds an anchor or an alias: skillc never writes one, so a
// file that does is not skillc's (and is never expanded). Iterative: Documents bounded the depth.
func hasAnchors(n *source.Node) bool {
	stack := []*source.Node{n}
	for len(stack) > 0 {
		n = stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n.Anchor != "" || n.Kind == source.AliasNode {
			return true
		}
		stack = append(stack, n.Content...)
	}
	return false
}

// mapValue is the value of key in mapping n (nil if n is not a mapping or has no such key).
func mapValue(n *source.Node, key string) *source.Node {
	if n == nil || n.Kind != source.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == source.ScalarNode && k.Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// emptyRender refuses to replace a render of files with an empty one: inputs that compile to
// nothing are far more often a mistyped or moved path than an intent, and an empty committed
// render makes Argo CD or Flux prune every object it applied.
func emptyRender(prev *previous, n int, allowEmpty bool) error {
	if n > 0 || len(prev.files) == 0 || allowEmpty {
		return nil
	}
	return refuse("holds a render of %d file(s), and the inputs compile to no objects: replacing it would make Argo CD or Flux delete every object at the next sync; check the input paths, or pass --allow-empty", len(prev.files))
}
