package render

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
)

// Add is the writer of import and export: it only adds files to DIR. Each file is written
// atomically (a temporary file beside it, then a rename), folders are created as needed, an
// identical existing file is left alone, and a different one is refused unless force: then only
// that name is replaced (a link there is replaced itself, its target untouched). Nothing is ever
// removed. Every refusal is found before the first write, so a refused run writes nothing.
func Add(ctx context.Context, dir string, files map[string][]byte, inputs []string, force bool) (err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	exists, err := statOutput(abs)
	if err != nil {
		return err
	}
	if err := checkInputs(abs, inputs); err != nil {
		return err
	}
	rels := slices.Sorted(maps.Keys(files))
	for _, rel := range rels {
		if path.Clean(rel) != rel || !filepath.IsLocal(filepath.FromSlash(rel)) {
			return fmt.Errorf("internal error: %q is not a path inside DIR", rel)
		}
	}
	var plan []string // the files to write, in path order
	if exists {
		if plan, err = planAdd(abs, files, rels, force); err != nil {
			return err
		}
	} else {
		plan = rels
	}
	if len(plan) == 0 {
		return nil
	}
	if err := beginWrite(ctx); err != nil {
		return fmt.Errorf("interrupted (%w): nothing was written", err)
	}
	defer endWrite(ctx)
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return err
	}
	if _, err := statOutput(abs); err != nil { // MkdirAll follows a link planted meanwhile
		return err
	}
	if !exists {
		// Made by this run (and checked to be a folder, not a link): removed again on a failure
		// that left it empty (a full disk at the first file). os.Remove keeps a non-empty one.
		defer func() {
			if err != nil {
				_ = os.Remove(abs)
			}
		}()
	}
	root, err := os.OpenRoot(abs)
	if err != nil {
		return err
	}
	defer root.Close()
	for i, rel := range plan {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted (%w): %d of %d file(s) written, each complete", context.Cause(ctx), i, len(plan))
		}
		if err := addFile(root, rel, files[rel]); err != nil {
			return PartialAdd{Rel: rel, Done: i, Total: len(plan), Err: err}
		}
	}
	return nil
}

// PartialAdd is a failed write of one file of the plan: the Done files before Rel are written.
type PartialAdd struct {
	Rel         string
	Done, Total int
	Err         error
}

func (e PartialAdd) Error() string { return fmt.Sprintf("%s: %v", e.Rel, e.Err) }
func (e PartialAdd) Unwrap() error { return e.Err }

// planAdd returns which files need writing into the existing DIR and refuses the run, naming the
// first, when a file would replace a different one (without force) or a folder, or when a folder
// it needs is a file or a link.
func planAdd(abs string, files map[string][]byte, rels []string, force bool) ([]string, error) {
	root, err := os.OpenRoot(abs)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	var plan, conflicts []string
	checked := map[string]bool{}
	for _, rel := range rels {
		for d := path.Dir(rel); d != "." && !checked[d]; d = path.Dir(d) {
			checked[d] = true
			fi, err := root.Lstat(filepath.FromSlash(d))
			switch {
			case errors.Is(err, fs.ErrNotExist):
			case err != nil:
				return nil, err
			case fi.Mode()&fs.ModeSymlink != 0:
				return nil, refuse("%s is a symlink: skillc never writes through a link", d)
			case !fi.IsDir():
				return nil, refuse("%s is a file where a folder is needed (for %s): skillc will not replace it", d, rel)
			}
		}
		fi, err := root.Lstat(filepath.FromSlash(rel))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			plan = append(plan, rel)
			continue
		case err != nil:
			return nil, err
		case fi.IsDir():
			return nil, refuse("%s is a folder where a file is to be written: skillc will not replace it", rel)
		case fi.Mode().IsRegular() && fi.Size() == int64(len(files[rel])):
			same, err := sameContent(root, rel, fi, files[rel])
			if err != nil {
				return nil, err
			}
			if same {
				continue
			}
		}
		conflicts = append(conflicts, rel)
		plan = append(plan, rel)
	}
	if len(conflicts) > 0 && !force {
		more := ""
		if len(conflicts) > 1 {
			more = fmt.Sprintf(" (and %d more)", len(conflicts)-1)
		}
		return nil, refuse("%s exists and differs from what would be written%s: nothing was written; pass --force to replace it", conflicts[0], more)
	}
	return plan, nil
}

// sameContent reports whether rel is still the regular file fi and holds want; a file replaced
// since (by a link, a FIFO, a larger file) is not the same.
func sameContent(root *os.Root, rel string, fi fs.FileInfo, want []byte) (bool, error) {
	have, err := readAsSeen(root, filepath.FromSlash(rel), fi, int64(len(want)))
	if errors.Is(err, errChanged) || errors.Is(err, errTooLarge) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return bytes.Equal(have, want), nil
}

// addFile writes one file under root: a temporary file in the same folder, then a rename over
// the name, so a reader sees the old file or the new one, never half of one.
func addFile(root *os.Root, rel string, data []byte) (err error) {
	name := filepath.FromSlash(rel)
	if d := filepath.Dir(name); d != "." {
		if err := root.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	tmp := filepath.Join(filepath.Dir(name), "."+filepath.Base(name)+TmpMarker+hex.EncodeToString(rnd[:]))
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = root.Remove(tmp) // ours: created just now with O_EXCL
		}
	}()
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return root.Rename(tmp, name)
}
