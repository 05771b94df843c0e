package render

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/internal/emit"
	"github.com/skillc-dev/skillc/source"
)

// diffContext is the number of unchanged lines shown around each change, as diff -u.
const diffContext = 3

// Files is what a render of objs holds: one file per object, by relative slash path.
func Files(objs []compile.Object) (map[string][]byte, error) {
	docs, err := emit.MarshalEach(objs)
	if err != nil {
		return nil, err
	}
	files := make(map[string][]byte, len(objs))
	for i, o := range objs {
		files[emit.ObjectPath(o)] = docs[i]
	}
	return files, nil
}

// renderFiles reads the files of the render DIR holds (inspect has accepted DIR: every entry is
// one of them), through an os.Root so that nothing is followed out of DIR, under compile's input
// limits: at most compile.MaxDocuments files (a render holds one object per file) of at most
// source.MaxFileSize bytes each. A file is read only if it is, when opened, the regular file
// inspect saw: a link or FIFO swapped in meanwhile is refused, never followed. A file equal to
// what the compile gives is kept as want's bytes, so only changed files cost memory.
func renderFiles(abs string, prev *previous, want map[string][]byte) (map[string][]byte, error) {
	files := map[string][]byte{}
	if !prev.exists {
		return files, nil
	}
	if len(prev.files) > source.MaxDocuments {
		return nil, refuse("holds a render of %d files, over the %d objects of compile's input limits: not a render skillc wrote", len(prev.files), source.MaxDocuments)
	}
	root, err := os.OpenRoot(abs)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	for _, rel := range prev.files {
		data, err := readRenderFile(root, rel)
		if err != nil {
			return nil, err
		}
		if w, ok := want[rel]; ok && bytes.Equal(data, w) {
			data = w
		}
		files[rel] = data
	}
	return files, nil
}

// readRenderFile reads one file of a render: a regular file (checked before and after opening,
// as the same file) of at most source.MaxFileSize bytes.
func readRenderFile(root *os.Root, rel string) ([]byte, error) {
	name := filepath.FromSlash(rel)
	before, err := root.Lstat(name)
	if err != nil {
		return nil, err
	}
	if !before.Mode().IsRegular() {
		return nil, refuse("holds %s (%s), which skillc did not write: skillc reads only the regular files it wrote", rel, kindOf(before.Mode()))
	}
	if before.Size() > source.MaxFileSize {
		return nil, refuse("%s is larger than %d MiB (compile's input limit): not a file skillc wrote", rel, source.MaxFileSize>>20)
	}
	data, err := readAsSeen(root, name, before, source.MaxFileSize)
	switch {
	case errors.Is(err, errChanged):
		return nil, refuse("%s changed while skillc read it (replaced by a link or another file): run again", rel)
	case errors.Is(err, errTooLarge):
		return nil, refuse("%s is larger than %d MiB (compile's input limit): not a file skillc wrote", rel, source.MaxFileSize>>20)
	case err != nil:
		return nil, err
	}
	return data, nil
}

func kindOf(m fs.FileMode) string {
	if m&fs.ModeSymlink != 0 {
		return "a symlink"
	}
	return "not a regular file"
}

// ownObject reports whether data, a file of the render, is an object skillc wrote (skillcObject:
// one document labelled app.kubernetes.io/managed-by: skillc). Only such a file's old content is
// shown in a diff: a file listed in the manifest but holding something else (a hand edit, a
// secret dropped there) is named, never echoed.
func ownObject(name string, data []byte) bool {
	_, ok := skillcObject(name, data)
	return ok
}

// dirDiff is how DIR differs from a compile: files whose content changed, files the compile
// would create, and files it would remove, each sorted.
type dirDiff struct {
	changed, missing, extra []string
}

func (d dirDiff) stale() bool { return len(d.changed)+len(d.missing)+len(d.extra) > 0 }

func compareFiles(want, have map[string][]byte) dirDiff {
	var d dirDiff
	for _, rel := range slices.Sorted(maps.Keys(want)) {
		got, ok := have[rel]
		switch {
		case !ok:
			d.missing = append(d.missing, rel)
		case string(got) != string(want[rel]):
			d.changed = append(d.changed, rel)
		}
	}
	for _, rel := range slices.Sorted(maps.Keys(have)) {
		if _, ok := want[rel]; !ok {
			d.extra = append(d.extra, rel)
		}
	}
	return d
}

// Verdict is how DIR compares with a render: up to date when Stale is false. Report holds, when it
// is stale, the lists of changed, missing and extra files and a unified diff of each changed one,
// as skillc compile --verify prints them.
type Verdict struct {
	Files                   int // the files of the render compared with
	Changed, Missing, Extra []string
	Report                  []byte
}

// Stale reports whether DIR differs from the render.
func (v *Verdict) Stale() bool { return len(v.Changed)+len(v.Missing)+len(v.Extra) > 0 }

// Verify compares dir with what Write would write of want (Files), and writes nothing. What
// Write would refuse (a link, foreign files, an empty render over a render) is refused the same
// way, as an error. The manifest is compared by the paths it lists, not by the skillc version in
// its comment; a render without one (written before manifests) is judged by its files alone: the
// next write adds it. Diff paths are dir's as given, a/ and b/ prefixed like git's, so the diff
// applies with git apply or patch -p1.
func Verify(dir string, want map[string][]byte, opts Options) (*Verdict, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	prev, err := inspect(abs)
	if err == nil {
		err = emptyRender(prev, len(want), opts.AllowEmpty)
	}
	if err != nil {
		return nil, err
	}
	have, err := renderFiles(abs, prev, want)
	if err != nil {
		return nil, err
	}
	d := compareFiles(want, have)
	files := len(want)
	// The manifest follows the files: it is worth a line of its own only when it is the one
	// difference (it lists a file that is gone), not beside every missing or extra file.
	if prev.manifest && !d.stale() {
		listed, _ := parseManifest(prev.listed) // inspect parsed it
		if !slices.Equal(slices.Sorted(slices.Values(listed)), slices.Sorted(maps.Keys(want))) {
			have[ManifestName] = prev.listed
			want = maps.Clone(want)
			want[ManifestName] = EncodeManifest(slices.Collect(maps.Keys(want)), opts.Version)
			d.changed = append([]string{ManifestName}, d.changed...)
		}
	}
	v := &Verdict{Files: files, Changed: d.changed, Missing: d.missing, Extra: d.extra}
	if !d.stale() {
		return v, nil
	}
	var out bytes.Buffer
	shown := filepath.ToSlash(filepath.Clean(dir))
	for _, l := range []struct {
		title string
		files []string
	}{
		{"changed", d.changed},
		{"missing (compile would create)", d.missing},
		{"extra (compile would remove)", d.extra},
	} {
		if len(l.files) == 0 {
			continue
		}
		fmt.Fprintf(&out, "%s:\n", l.title)
		for _, f := range l.files {
			fmt.Fprintf(&out, "  %s\n", path.Join(shown, f))
		}
	}
	for _, rel := range d.changed {
		p := path.Join(shown, rel)
		if rel != ManifestName && !ownObject(p, have[rel]) {
			// As diff says of binary files: named, not shown (see ownObject).
			fmt.Fprintf(&out, "Files a/%s and b/%s differ (the old one is not an object skillc wrote: its content is not shown)\n", p, p)
			continue
		}
		out.WriteString(UnifiedDiff("a/"+p, "b/"+p, string(have[rel]), string(want[rel]), diffContext))
	}
	v.Report = out.Bytes()
	return v, nil
}
