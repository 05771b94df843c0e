package confine

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// WalkFunc is called by Walk for each entry: rel is its name from the Root, d its entry as its
// folder lists it (a symlink is listed as one, and never followed). A second call with err set
// means the folder rel could not be opened or listed (d may be nil for the folder walked).
// Returning fs.SkipDir from a folder skips it, from a file the rest of its folder; fs.SkipAll
// ends the walk; any other error ends it with that error.
type WalkFunc func(rel string, d fs.DirEntry, err error) error

// Walk walks the tree at rel (the Root: "."), in lexical order as filepath.WalkDir does, but
// below the Root one folder handle at a time: no folder is reached through a link, and a folder
// swapped for one while the walk goes is refused (its second call's err is a *LinkError).
func (r *Root) Walk(rel string, fn WalkFunc) error {
	names, err := parts(rel)
	if err != nil {
		return fn(rel, nil, err)
	}
	rel = "."
	if len(names) > 0 {
		rel = filepath.Join(names...)
	}
	d, err := r.dir(names)
	if err != nil {
		return skipped(fn(rel, nil, err))
	}
	defer d.Close()
	fi, err := d.Stat(".")
	if err != nil {
		return skipped(fn(rel, nil, err))
	}
	e := fs.FileInfoToDirEntry(fi)
	if err := fn(rel, e, nil); err != nil {
		return skipped(err)
	}
	return skipped(walk(d, rel, e, fn))
}

func skipped(err error) error {
	if errors.Is(err, fs.SkipDir) || errors.Is(err, fs.SkipAll) {
		return nil
	}
	return err
}

// walk walks what the folder d (rel, entry e: fn has been called for it) holds.
func walk(d *os.Root, rel string, e fs.DirEntry, fn WalkFunc) error {
	entries, err := list(d, rel)
	if err != nil {
		if err := fn(rel, e, err); err != nil {
			return err
		}
	}
	for _, c := range entries {
		crel := filepath.Join(rel, c.Name())
		err := fn(crel, c, nil)
		if err != nil {
			if errors.Is(err, fs.SkipDir) {
				if c.IsDir() {
					continue
				}
				return nil // the rest of this folder
			}
			return err
		}
		if !c.IsDir() {
			continue
		}
		cd, err := sub(d, c.Name(), crel)
		if err != nil {
			if err := fn(crel, c, err); err != nil && !errors.Is(err, fs.SkipDir) {
				return err
			}
			continue
		}
		err = walk(cd, crel, c, fn)
		cd.Close()
		if err != nil {
			return err
		}
	}
	return nil
}
