package krm

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/kio"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/internal/confine"
	"github.com/skillc-dev/skillc/internal/emit"
	"github.com/skillc-dev/skillc/source"
)

// skillc build: kustomize build, in-process and confined, and its output printed as kustomize
// prints it.

// KustomizeStream prints nodes as `kustomize build` prints them: JSON, then sigs.k8s.io/yaml,
// documents separated by ---. Unless keepOrigin (the kustomization asked for origin annotations
// itself), the origin annotation KustomizeBuild turned on for messages is removed first.
func KustomizeStream(nodes []*RNode, keepOrigin bool) ([]byte, error) {
	var stream []byte
	for _, n := range nodes {
		if !keepOrigin {
			if err := n.PipeE(kyaml.ClearAnnotation(AnnotationOrigin)); err != nil {
				return nil, err
			}
			if err := kyaml.ClearEmptyAnnotations(n); err != nil {
				return nil, err
			}
		}
		j, err := n.MarshalJSON()
		if err != nil {
			return nil, err
		}
		y, err := emit.FromJSON(j)
		if err != nil {
			return nil, err
		}
		if len(stream) > 0 {
			stream = append(stream, "---\n"...)
		}
		stream = append(stream, y...)
	}
	return stream, nil
}

// KustomizeBuild runs kustomize build on dir, in-process, as `kustomize build` would (plugins
// disabled, kustomize's default order) but confined to dir (buildFS: no file outside it, no
// symlink, no remote resource), with origin annotations turned on so that messages can name
// files. userOrigin: the kustomization asked for them itself (else they are not to be printed).
// A refusal of buildFS comes back as refused, a located message, instead of kustomize's
// wrapping of it.
func KustomizeBuild(dir string) (b *Build, refused *diag.Diagnostic, err error) {
	return kustomizeBuild(dir, true)
}

// kustomizeBuild is KustomizeBuild; extract: read the sources of a plain kustomization directly
// (extractSources), as skillc build does (tests compare with kustomize reading them).
func kustomizeBuild(dir string, extract bool) (b *Build, refused *diag.Diagnostic, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, nil, err
	}
	// DIR itself may be a link (it was named); below it nothing is followed. kustomize names files
	// by absolute path: under DIR's, its links resolved.
	root, err := confine.Resolve(abs)
	if err != nil {
		return nil, nil, err
	}
	dirRoot, err := confine.Open(root)
	if err != nil {
		return nil, nil, err
	}
	fs := &buildFS{dir: dirRoot, disk: filesys.MakeFsOnDisk(), root: root, display: dir}
	opts := krusty.MakeDefaultOptions()
	opts.Reorder = krusty.ReorderOptionUnspecified // kustomize's default: legacy unless sortOptions
	opts.LoadRestrictions = types.LoadRestrictionsRootOnly
	if extract {
		fs.extractSources()
	}
	run := func() ([]*RNode, error) {
		fs.building = true
		defer func() { fs.building = false }()
		rm, err := krusty.MakeKustomizer(opts).Run(fs, root)
		if err != nil {
			return nil, &shownError{msg: fs.relative(err.Error()), err: err}
		}
		return rm.ToRNodeSlice(), nil
	}
	items, err := run()
	if err == nil && fs.extracted != nil {
		var ok bool
		if items, ok = withExtracted(items, fs.extracted); !ok {
			fs.stripped, fs.extracted = nil, nil // a duplicate id: kustomize says so, as it would have
			items, err = run()
		}
	}
	if err != nil {
		return nil, fs.refused, err
	}
	return &Build{Items: items, UserOrigin: fs.userOrigin, fs: fs}, nil, nil
}

// Build is the output of KustomizeBuild.
type Build struct {
	Items []*RNode
	// UserOrigin: the kustomization asked for origin annotations itself (else they are not to be
	// printed).
	UserOrigin bool
	fs         *buildFS
	docs       map[string][]*kyaml.Node // an origin file's documents, read once
}

// Locate is where an object of the build came from: its file as messages name it (ItemFile, under
// DIR as the user named it) and the line its document starts on in that file, found by kind and
// name (kustomize records the file, not the document): the document of its kind with its name,
// else the only one of its kind whose name is part of its own (a namePrefix or nameSuffix), else
// the only one of its kind; 0 when none is found or the object was generated.
func (b *Build) Locate(n *RNode) (string, int) {
	file := ItemFile(n, b.fs.display)
	var origin struct {
		Path string `yaml:"path"`
		Repo string `yaml:"repo"`
	}
	if err := kyaml.Unmarshal([]byte(n.GetAnnotations()[AnnotationOrigin]), &origin); err != nil || origin.Path == "" || origin.Repo != "" {
		return file, 0
	}
	p := filepath.Join(b.fs.root, filepath.FromSlash(origin.Path))
	docs, ok := b.docs[p]
	if !ok {
		docs = b.fs.documents(p)
		if b.docs == nil {
			b.docs = map[string][]*kyaml.Node{}
		}
		b.docs[p] = docs
	}
	var sameKind, partName []*kyaml.Node
	for _, d := range docs {
		r := kyaml.NewRNode(d)
		if r.GetKind() != n.GetKind() {
			continue
		}
		if r.GetName() == n.GetName() {
			return file, d.Line
		}
		sameKind = append(sameKind, d)
		if r.GetName() != "" && strings.Contains(n.GetName(), r.GetName()) {
			partName = append(partName, d)
		}
	}
	switch {
	case len(partName) == 1:
		return file, partName[0].Line
	case len(sameKind) == 1:
		return file, sameKind[0].Line
	}
	return file, 0
}

// documents are the mappings of a YAML file kustomize read (nil if it cannot be read again), with
// their lines in the file.
func (f *buildFS) documents(p string) []*kyaml.Node {
	data, err := f.ReadFile(p)
	if err != nil {
		return nil
	}
	var out []*kyaml.Node
	dec := kyaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc kyaml.Node
		if err := dec.Decode(&doc); err != nil {
			return out // io.EOF, or an error kustomize would have reported
		}
		if len(doc.Content) == 1 && doc.Content[0].Kind == kyaml.MappingNode {
			out = append(out, doc.Content[0])
		}
	}
}

// buildFS is the file system kustomize sees in skillc build: DIR on disk, read-only. It refuses
// what kustomize would otherwise do for a kustomization from an untrusted pull request:
//   - read outside DIR: kustomize's LoadRestrictionsRootOnly confines files to their own
//     kustomization's folder, but `resources: [../base]` makes ../base a new root;
//   - follow a symlink below DIR (to a file outside, /proc/self/environ, or a FIFO);
//   - read a FIFO or device (it blocks), or a file larger than source.MaxFileSize;
//   - fetch a remote resource: kustomize GETs http(s) URLs with no timeout and runs git clone for
//     git URLs, neither through the file system, so every kustomization and builtin plugin
//     configuration is checked for remote references when it is read, before kustomize acts on it.
//
// Every read goes through dir (internal/confine); disk only computes names (CleanedAbs) and
// matches patterns (Glob), whose matches are confined before they are returned.
type buildFS struct {
	dir        *confine.Root
	disk       filesys.FileSystem
	root       string // DIR, absolute, its own links resolved
	display    string // DIR as the user wrote it, for messages
	userOrigin bool   // the root kustomization asked for origin annotations itself
	refused    *diag.Diagnostic
	reader     *source.Reader  // checkYAML's, one for the build: the alias budget is shared
	checked    map[string]bool // files checkYAML has passed
	// stripped files hold only sources, read by extractSources (extracted): while building they
	// are empty to kustomize.
	stripped  map[string]bool
	extracted []*RNode
	building  bool
}

var errReadOnly = errors.New("skillc build writes nothing")

// refuse records the first refusal (the one kustomize failed on) and returns it as an error.
func (f *buildFS) refuse(path string, line int, field, format string, args ...any) error {
	d := diag.Diagnostic{File: f.shown(path), Line: line, Field: field, Severity: diag.SeverityError, Message: fmt.Sprintf(format, args...)}
	if f.refused == nil {
		f.refused = &d
	}
	return errors.New(d.String())
}

// shown names path as the user would: under DIR as they wrote it.
func (f *buildFS) shown(path string) string {
	rel, err := filepath.Rel(f.root, path)
	if err != nil {
		return path
	}
	return filepath.Join(f.display, rel)
}

// shownError is an error of kustomize with the absolute paths it names as relative ones.
type shownError struct {
	msg string
	err error
}

func (e *shownError) Error() string { return e.msg }
func (e *shownError) Unwrap() error { return e.err }

// relative rewrites the absolute paths kustomize names in msg (it resolves every path against
// DIR's absolute, link-free form) as the user would write them: under DIR as they named it, else
// relative to the working directory, as kustomize's messages read when it is run on a relative
// DIR from the repository. Other absolute paths are left alone.
func (f *buildFS) relative(msg string) string {
	bases := map[string]string{f.root: filepath.Clean(f.display)}
	if wd, err := os.Getwd(); err == nil && wd != string(filepath.Separator) {
		for _, p := range []string{wd, resolvedOr(wd)} { // kustomize resolves links
			if _, ok := bases[p]; !ok {
				bases[p] = "."
			}
		}
	}
	prefixes := slices.Collect(maps.Keys(bases))
	// Longest first: DIR wins over the working directory it is in.
	slices.SortFunc(prefixes, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	quoted := make([]string, len(prefixes))
	for i, p := range prefixes {
		quoted[i] = regexp.QuoteMeta(p)
	}
	// A path starts after a space, a quote or a bracket, and ends before one, or at a colon or a
	// comma (kustomize's "... '/abs/x.yaml': ..."): "/repo" never matches inside "/repo2".
	const stop = `\s'"()\[\]:,`
	sep := regexp.QuoteMeta(string(filepath.Separator))
	re := regexp.MustCompile(`(^|[` + stop + `=])(` + strings.Join(quoted, "|") + `)((?:` + sep + `[^` + stop + `]*)?)($|[` + stop + `])`)
	return re.ReplaceAllStringFunc(msg, func(m string) string {
		sub := re.FindStringSubmatch(m)
		before, base, rest, after := sub[1], bases[sub[2]], strings.TrimPrefix(sub[3], string(filepath.Separator)), sub[4]
		switch {
		case rest == "":
			return before + base + after
		case base == ".":
			return before + filepath.Clean(rest) + after
		}
		return before + filepath.Join(base, rest) + after
	})
}

// resolvedOr is dir with its links resolved, or dir.
func resolvedOr(dir string) string {
	if r, err := confine.Resolve(dir); err == nil {
		return r
	}
	return dir
}

// inside returns path made absolute, and relative to DIR, if it is DIR or under it.
func (f *buildFS) inside(path string) (abs, rel string, err error) {
	abs, err = filepath.Abs(path)
	if err != nil {
		return "", "", err
	}
	rel, err = filepath.Rel(f.root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", "", f.refuse(abs, 0, "", "outside DIR: skillc build reads files only under %s (vendor the base into it)", f.display)
	}
	return abs, rel, nil
}

// refusal records a refusal of dir (a link, a FIFO, a file too large) as a located message;
// another error is returned as it is (the disk's: a file that does not exist).
func (f *buildFS) refusal(err error) error {
	var link *confine.LinkError
	var kind *confine.NotRegularError
	var big *confine.TooLargeError
	switch {
	case errors.As(err, &link):
		return f.refuse(filepath.Join(f.root, link.Rel), 0, "", "is a symlink: not followed by skillc build (files only under DIR)")
	case errors.As(err, &kind):
		return f.refuse(filepath.Join(f.root, kind.Rel), 0, "", "not a regular file (%v): not read by skillc build", kind.Mode.Type())
	case errors.As(err, &big):
		return f.refuse(filepath.Join(f.root, big.Rel), 0, "", "file is larger than %d MiB", source.MaxFileSize>>20)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) && !filepath.IsAbs(pe.Path) {
		// Named as the disk would name it (kustomize quotes it).
		return &fs.PathError{Op: strings.TrimSuffix(pe.Op, "at"), Path: filepath.Join(f.root, pe.Path), Err: pe.Err}
	}
	return err
}

// confine returns path made absolute if it is DIR or under it and no part of it below DIR is a
// symlink, with what it is (nil if it does not exist: whoever reads it reports that). For the
// questions that read nothing; every read is confined by dir itself as it opens.
func (f *buildFS) confine(path string) (abs string, info os.FileInfo, err error) {
	abs, rel, err := f.inside(path)
	if err != nil {
		return "", nil, err
	}
	info, err = f.dir.Lstat(rel)
	if err == nil && info.Mode()&os.ModeSymlink != 0 {
		err = &confine.LinkError{Rel: rel}
	}
	var link *confine.LinkError
	if errors.As(err, &link) {
		return "", nil, f.refusal(err)
	}
	if err != nil {
		return abs, nil, nil // it does not exist: whoever reads it reports that
	}
	return abs, info, nil
}

func (f *buildFS) Create(string) (filesys.File, error) { return nil, errReadOnly }
func (f *buildFS) Mkdir(string) error                  { return errReadOnly }
func (f *buildFS) MkdirAll(string) error               { return errReadOnly }
func (f *buildFS) RemoveAll(string) error              { return errReadOnly }
func (f *buildFS) WriteFile(string, []byte) error      { return errReadOnly }

func (f *buildFS) Open(path string) (filesys.File, error) {
	_, rel, err := f.inside(path)
	if err != nil {
		return nil, err
	}
	file, err := f.dir.Open(rel)
	if err != nil {
		return nil, f.refusal(err)
	}
	return file, nil
}

func (f *buildFS) IsDir(path string) bool {
	info, ok := f.probe(path)
	return ok && info != nil && info.IsDir()
}

func (f *buildFS) Exists(path string) bool {
	info, ok := f.probe(path)
	return ok && info != nil
}

// probe is confine for the questions kustomize asks in passing: a path outside DIR is answered
// "no" without being recorded as the reason of a failure.
func (f *buildFS) probe(path string) (os.FileInfo, bool) {
	was := f.refused
	_, info, err := f.confine(path)
	f.refused = was
	return info, err == nil
}

func (f *buildFS) ReadDir(path string) ([]string, error) {
	_, rel, err := f.inside(path)
	if err != nil {
		return nil, err
	}
	entries, err := f.dir.ReadDir(rel)
	if err != nil {
		return nil, f.refusal(err)
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names, nil
}

func (f *buildFS) CleanedAbs(path string) (filesys.ConfirmedDir, string, error) {
	p, _, err := f.confine(path)
	if err != nil {
		return "", "", err
	}
	return f.disk.CleanedAbs(p)
}

func (f *buildFS) Glob(pattern string) ([]string, error) {
	matches, err := f.disk.Glob(pattern)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range matches {
		if _, ok := f.probe(m); ok {
			out = append(out, m)
		}
	}
	return out, nil
}

// Walk walks path as filepath.Walk does (links are reported, not followed), below DIR only.
func (f *buildFS) Walk(path string, walkFn filepath.WalkFunc) error {
	_, rel, err := f.inside(path)
	if err != nil {
		return err
	}
	return f.dir.Walk(rel, func(rel string, d fs.DirEntry, err error) error {
		p := filepath.Join(f.root, rel)
		if err != nil {
			return walkFn(p, nil, f.refusal(err))
		}
		info, err := d.Info()
		return walkFn(p, info, err)
	})
}

// ReadFile reads a regular file under DIR (a link or a FIFO is refused, as a file larger than
// source.MaxFileSize) and checks it before kustomize parses it.
func (f *buildFS) ReadFile(path string) ([]byte, error) {
	p, rel, err := f.inside(path)
	if err != nil {
		return nil, err
	}
	data, err := f.dir.ReadFile(rel, source.MaxFileSize)
	if err != nil {
		return nil, f.refusal(err)
	}
	isKustomization := slices.Contains(konfig.RecognizedKustomizationFileNames(), filepath.Base(p))
	if isKustomization || isYAMLName(p) {
		if err := f.checkYAML(p, data); err != nil {
			return nil, err
		}
	}
	if !isKustomization {
		if isYAMLName(p) {
			if err := f.checkPluginConfigs(p, string(data), 0); err != nil {
				return nil, err
			}
		}
		if f.building && f.stripped[p] {
			return []byte{}, nil
		}
		return data, nil
	}
	n, perr := kyaml.Parse(string(data))
	if perr != nil || n.YNode().Kind != kyaml.MappingNode {
		return data, nil // kustomize reports it
	}
	if err := f.checkKustomization(p, n); err != nil {
		return nil, err
	}
	if filepath.Dir(p) != f.root {
		return data, nil
	}
	return f.withOrigin(data, n), nil
}

// checkYAML reads a YAML file kustomize is about to parse with source's Reader, so that the
// limits every input has come before kustomize's own parser, which would spend the memory they
// guard (it expands aliases and keeps no element limit) or drop what they refuse (tags): size,
// characters and elements (source.Precheck), documents, nesting, tags, anchors of another
// document, and what aliases expand to, budgeted across the whole build. Each file is checked
// once, however often kustomize reads it. Files of other names (a configMapGenerator's .env or
// binary files) are not YAML to kustomize either: only their size is bounded (ReadFile).
func (f *buildFS) checkYAML(p string, data []byte) error {
	if f.checked[p] {
		return nil
	}
	if err := f.readerCheck(p, data, 0); err != nil {
		return err
	}
	f.checked[p] = true
	return nil
}

// readerCheck runs the Reader over data, the text of p or (lineOffset > 0) an inline plugin
// configuration in p whose text starts after line lineOffset, and records the first refusal.
func (f *buildFS) readerCheck(p string, data []byte, lineOffset int) error {
	if f.reader == nil {
		f.reader, f.checked = source.NewReader(), map[string]bool{}
	}
	file := source.File{Name: f.shown(p), Data: data}
	var first diag.Diagnostics
	diags := f.reader.Documents(file, func(root *kyaml.Node) bool {
		_, first = f.reader.Decode(file.Name, root, &anyYAML{})
		return first == nil
	})
	if diags == nil {
		diags = first
	}
	if diags == nil {
		return nil
	}
	d := diags[0]
	if lineOffset > 0 && d.Line > 0 {
		d.Line += lineOffset
	}
	if f.refused == nil {
		f.refused = &d
	}
	return errors.New(d.String())
}

// anyYAML accepts any YAML value: decoding into it walks the whole document through the
// Reader's alias budget (the decoder hands a json.Unmarshaler the value, aliases expanded
// under that budget), and keeps nothing.
type anyYAML struct{}

func (*anyYAML) UnmarshalJSON([]byte) error { return nil }

func isYAMLName(p string) bool {
	ext := strings.ToLower(filepath.Ext(p))
	return ext == ".yaml" || ext == ".yml" || ext == ".json"
}

// withOrigin adds `originAnnotations` to the root kustomization's buildMetadata.
func (f *buildFS) withOrigin(data []byte, n *kyaml.RNode) []byte {
	bm, err := n.Pipe(kyaml.LookupCreate(kyaml.SequenceNode, "buildMetadata"))
	if err != nil || bm == nil || bm.YNode().Kind != kyaml.SequenceNode {
		return data
	}
	for _, e := range bm.Content() {
		if e.Value == types.OriginAnnotations {
			f.userOrigin = true
			return data
		}
	}
	bm.YNode().Content = append(bm.YNode().Content, kyaml.NewStringRNode(types.OriginAnnotations).YNode())
	s, err := n.String()
	if err != nil {
		return data
	}
	return []byte(s)
}

// remoteRef matches every reference kustomize would fetch over the network, and a little more:
// a URL scheme (kustomize GETs http(s) files, its git parser takes https, http, ssh and file
// URLs), the go-getter `git::` prefix, SCP-style `user@host:path`, and `github.com/` or
// `github.com:` paths (api/internal/git/repospec.go).
var remoteRef = regexp.MustCompile(`^(?i:git::)?(?:[a-zA-Z][a-zA-Z0-9+.-]*://|[a-zA-Z][a-zA-Z0-9-]*@[^/:]+[:/]|(?i:github\.com)[/:])`)

func isRemote(ref string) bool {
	if remoteRef.MatchString(ref) {
		return true
	}
	// files: [key=path] and configMapGenerator literals' cousins: the path after a key.
	_, v, ok := strings.Cut(ref, "=")
	return ok && remoteRef.MatchString(v)
}

// Fields of a kustomization (and its deprecated spellings) that name files, folders or
// repositories to load, and of builtin plugin configurations (generators:, transformers:).
var (
	kustomizationRefLists = []string{"resources", "bases", "components", "crds", "configurations", "generators", "transformers", "validators", "patchesStrategicMerge"}
	kustomizationRefItems = map[string][]string{"patches": {"path"}, "patchesJson6902": {"path"}, "replacements": {"path"}, "configMapGenerator": {"files", "envs", "env"}, "secretGenerator": {"files", "envs", "env"}}
	pluginRefFields       = []string{"path", "paths", "files", "envs", "env", "targetFilePath"}
)

// checkKustomization refuses a kustomization that names a remote resource, at its line.
func (f *buildFS) checkKustomization(path string, n *kyaml.RNode) error {
	check := func(field string, v *kyaml.Node) error {
		if v.Kind == kyaml.ScalarNode && isRemote(v.Value) {
			return f.refuse(path, v.Line, field, "remote resources are not allowed in skillc build: vendor them (%q)", v.Value)
		}
		return nil
	}
	for _, field := range kustomizationRefLists {
		list := n.Field(field)
		if list == nil || list.Value.YNode().Kind != kyaml.SequenceNode {
			continue
		}
		for i, e := range list.Value.YNode().Content {
			if err := check(fmt.Sprintf("%s[%d]", field, i), e); err != nil {
				return err
			}
			if (field == "generators" || field == "transformers" || field == "validators") && strings.Contains(e.Value, "\n") {
				// An inline plugin configuration: a block scalar, whose text starts on the next line.
				// kustomize parses that text as YAML too: the Reader comes first there as well.
				if err := f.readerCheck(path, []byte(e.Value), e.Line); err != nil {
					return err
				}
				if err := f.checkPluginConfigs(path, e.Value, e.Line); err != nil {
					return err
				}
			}
		}
	}
	if p := n.Field("openapi"); p != nil {
		if v := p.Value.Field("path"); v != nil {
			if err := check("openapi.path", v.Value.YNode()); err != nil {
				return err
			}
		}
	}
	for field, keys := range kustomizationRefItems {
		list := n.Field(field)
		if list == nil || list.Value.YNode().Kind != kyaml.SequenceNode {
			continue
		}
		for i, item := range list.Value.Content() {
			if err := f.checkRefs(path, fmt.Sprintf("%s[%d]", field, i), kyaml.NewRNode(item), keys, 0); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkRefs checks the fields keys of a mapping: strings or lists of strings. lineOffset is the
// line before the mapping's text in path (an inline configuration), else 0.
func (f *buildFS) checkRefs(path, prefix string, n *kyaml.RNode, keys []string, lineOffset int) error {
	if n.YNode().Kind != kyaml.MappingNode {
		return nil
	}
	for _, k := range keys {
		v := n.Field(k)
		if v == nil {
			continue
		}
		vals := []*kyaml.Node{v.Value.YNode()}
		if v.Value.YNode().Kind == kyaml.SequenceNode {
			vals = v.Value.YNode().Content
		}
		for _, e := range vals {
			if e.Kind == kyaml.ScalarNode && isRemote(e.Value) {
				return f.refuse(path, e.Line+lineOffset, prefix+"."+k, "remote resources are not allowed in skillc build: vendor them (%q)", e.Value)
			}
			if k == "paths" && e.Kind == kyaml.MappingNode { // PatchStrategicMergeTransformer
				if err := f.checkRefs(path, prefix+"."+k, kyaml.NewRNode(e), []string{"path"}, lineOffset); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// checkPluginConfigs checks the documents of a YAML file that configure a builtin plugin (listed
// under generators: or transformers:, where kustomize loads their paths itself). Any document of
// such a kind is checked, whichever list names the file: one that is not a configuration cannot
// name a remote file harmlessly either.
func (f *buildFS) checkPluginConfigs(path, data string, lineOffset int) error {
	if !strings.Contains(data, "Transformer") && !strings.Contains(data, "Generator") {
		return nil // no such kind: most resource files, not parsed twice
	}
	docs, err := kio.FromBytes([]byte(data))
	if err != nil {
		return nil // kustomize reports it
	}

	for _, d := range docs {
		if !strings.HasSuffix(d.GetKind(), "Transformer") && !strings.HasSuffix(d.GetKind(), "Generator") {
			continue
		}
		prefix := d.GetKind()
		if err := f.checkRefs(path, prefix, d, pluginRefFields, lineOffset); err != nil {
			return err
		}
		if r := d.Field("replacements"); r != nil && r.Value.YNode().Kind == kyaml.SequenceNode {
			for i, item := range r.Value.Content() {
				if err := f.checkRefs(path, fmt.Sprintf("%s.replacements[%d]", prefix, i), kyaml.NewRNode(item), []string{"path"}, lineOffset); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
