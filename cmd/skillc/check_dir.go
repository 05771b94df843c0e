package main

import (
	"errors"
	"fmt"
	"io/fs"
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

// dirFiles reads every file under dir by relative slash path. A missing dir holds nothing.
// Anything that is not a regular file (a symlink, a socket) is listed with a nil content, so
// that it counts as differing: compile -o would replace it with a file or remove it.
func dirFiles(dir string) (map[string][]byte, error) {
	files := map[string][]byte{}
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return nil, errors.New("not a directory")
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if !d.Type().IsRegular() {
			files[rel] = nil
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if data == nil {
			data = []byte{}
		}
		files[rel] = data
		return nil
	})
	return files, err
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
		case got == nil || string(got) != string(want[rel]):
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
// exit 1.
func checkDir(cmd *cobra.Command, dir string, objs []compile.Object) error {
	want, err := renderedFiles(objs)
	if err != nil {
		return internalError(cmd, err)
	}
	have, err := dirFiles(dir)
	if err != nil {
		fmt.Fprintf(cmd.ErrOrStderr(), "%s: %v\n", dir, err)
		return exitError{2}
	}
	d := compareFiles(want, have)
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
		if have[rel] == nil {
			fmt.Fprintf(out, "%s: not a regular file\n", p)
			continue
		}
		fmt.Fprint(out, unifiedDiff("a/"+p, "b/"+p, string(have[rel]), string(want[rel]), diffContext))
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "skillc: %s is stale: %d changed, %d missing, %d extra; run the same skillc compile without --check to update it\n",
		dir, len(d.changed), len(d.missing), len(d.extra))
	return exitError{1}
}
