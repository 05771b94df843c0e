package main

import (
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"github.com/skillc-dev/skillc/compile"
)

// diffContext is the number of unchanged lines shown around each change, as diff -u.
const diffContext = 3

// renderedFiles is what -o DIR would hold: one file per object, by relative slash path.
func renderedFiles(objs []compile.Object) (map[string][]byte, error) {
	docs, err := compile.MarshalEach(objs)
	if err != nil {
		return nil, err
	}
	files := make(map[string][]byte, len(objs))
	for i, o := range objs {
		files[compile.ObjectPath(o)] = docs[i]
	}
	return files, nil
}

// renderFiles reads the files of the render DIR holds (inspect has accepted DIR: every entry is
// one of them), through an os.Root so that nothing is followed out of DIR.
func renderFiles(abs string, prev *previous) (map[string][]byte, error) {
	files := map[string][]byte{}
	if !prev.exists {
		return files, nil
	}
	root, err := os.OpenRoot(abs)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	for _, rel := range prev.files {
		data, err := root.ReadFile(filepath.FromSlash(rel))
		if err != nil {
			return nil, err
		}
		if data == nil {
			data = []byte{}
		}
		files[rel] = data
	}
	return files, nil
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

// checkDir compares dir with what compile -o dir would write, and writes nothing. Up to date:
// nil. Stale: the file lists and a unified diff per changed file on stdout, a summary on stderr,
// exit 1. What compile -o would refuse (a link, foreign files, an empty compile over a render) is
// refused the same way, exit 2. The manifest is compared by the paths it lists, not by the
// skillc version in its comment; a render without one (written before manifests) is judged by
// its files alone: the next compile -o adds it.
func checkDir(cmd *cobra.Command, dir string, objs []compile.Object, opts renderOptions) error {
	want, err := renderedFiles(objs)
	if err != nil {
		return internalError(cmd, err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return outputFailure(cmd, dir, err)
	}
	prev, err := inspect(abs)
	if err == nil {
		err = emptyRender(prev, len(want), opts.allowEmpty)
	}
	if err != nil {
		return outputFailure(cmd, dir, err)
	}
	have, err := renderFiles(abs, prev)
	if err != nil {
		return outputFailure(cmd, dir, err)
	}
	d := compareFiles(want, have)
	// The manifest follows the files: it is worth a line of its own only when it is the one
	// difference (it lists a file that is gone), not beside every missing or extra file.
	if prev.manifest && !d.stale() {
		listed, _ := parseManifest(prev.listed) // inspect parsed it
		if !slices.Equal(slices.Sorted(slices.Values(listed)), slices.Sorted(maps.Keys(want))) {
			have[manifestName] = prev.listed
			want[manifestName] = encodeManifest(slices.Collect(maps.Keys(want)))
			d.changed = append([]string{manifestName}, d.changed...)
		}
	}
	if !d.stale() {
		fmt.Fprintf(cmd.ErrOrStderr(), "skillc: %s is up to date (%d files)\n", dir, len(want))
		return nil
	}
	out := cmd.OutOrStdout()
	// Paths as seen from where skillc runs, a/ and b/ prefixed like git's, so the diff applies
	// with git apply or patch -p1.
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
		fmt.Fprintf(out, "%s:\n", l.title)
		for _, f := range l.files {
			fmt.Fprintf(out, "  %s\n", path.Join(shown, f))
		}
	}
	for _, rel := range d.changed {
		p := path.Join(shown, rel)
		fmt.Fprint(out, unifiedDiff("a/"+p, "b/"+p, string(have[rel]), string(want[rel]), diffContext))
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "skillc: %s is stale: %d changed, %d missing, %d extra; run the same skillc compile without --check to update it\n",
		dir, len(d.changed), len(d.missing), len(d.extra))
	return exitError{1}
}
