package render

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/skillc-dev/skillc/compile"
)

// TmpMarker is in the name of every temporary directory the writer creates: .<base>.skillc-tmp-*.
const TmpMarker = ".skillc-tmp-"

// Options are what the render writer checks besides DIR itself, and what it records.
type Options struct {
	Inputs     []string // the input paths: DIR may not be, contain or be inside one ("-" is stdin)
	AllowEmpty bool     // an empty render may replace a non-empty one
	Version    string   // the skillc version named in the manifest's comment
}

// WriteObjects writes one file per object (see Write); ctx is the command's: a signal cancels it.
func WriteObjects(ctx context.Context, dir string, objs []compile.Object, opts Options) error {
	files, err := Files(objs)
	if err != nil {
		return err
	}
	return Write(ctx, dir, files, opts)
}

// Write writes files (relative slash paths) and their manifest into a fresh sibling
// temporary directory and swaps it in for DIR only when every file is written, so readers (and
// Argo CD) never see a partial render and a failure or a SIGINT/SIGTERM leaves the previous DIR as
// it was and no temporary directory behind. DIR is replaced only when it is missing, empty or a
// render skillc wrote (inspect); of the previous render only its own files are removed.
func Write(ctx context.Context, dir string, files map[string][]byte, opts Options) (err error) {
	read := func(rel string) ([]byte, error) { return files[rel], nil }
	return WriteFrom(ctx, dir, slices.Sorted(maps.Keys(files)), func() func(string) ([]byte, error) { return read }, opts)
}

// WriteFrom is Write of the files rels (sorted relative slash paths), each read when it is
// written: a render larger than memory should hold (package stream spools its documents). Each
// goroutine that writes reads through a reader of its own from readers, whose bytes need stay
// valid only until that reader's next read: one buffer serves all of a goroutine's files.
func WriteFrom(ctx context.Context, dir string, rels []string, readers func() func(rel string) ([]byte, error), opts Options) (err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if _, err := statOutput(abs); err != nil {
		return err
	}
	if err := checkInputs(abs, opts.Inputs); err != nil {
		return err
	}
	for _, rel := range rels {
		if !renderPath(rel) {
			return fmt.Errorf("internal error: %q is not a path a render may write", rel)
		}
	}
	// DIR is read under the writers' lock of its parent: another writer may be swapping it, and
	// what we swap out and remove must be what DIR holds when we do. Making a missing parent first
	// changes nothing a refusal below could leave: with no parent there is no DIR to refuse.
	parent, base := filepath.Dir(abs), filepath.Base(abs)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	unlockWriters, err := lockWriters(ctx, parent)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted (%w): nothing was written", err)
		}
		return err
	}
	defer unlockWriters()
	prev, err := inspect(abs)
	if err != nil {
		return err
	}
	if err := emptyRender(prev, len(rels), opts.AllowEmpty); err != nil {
		return err
	}
	if err := beginWrite(ctx); err != nil {
		return fmt.Errorf("interrupted (%w): nothing was written", err)
	}
	defer endWrite(ctx)
	removeStale(parent, base)
	tmp, err := os.MkdirTemp(parent, "."+base+TmpMarker)
	if err != nil {
		return err
	}
	// The lock tells a later run that this directory is in use; the kernel drops it if we are
	// killed, which is how that run knows the directory is stale (removeStale).
	unlock := lockDir(tmp)
	defer unlock()
	defer func() {
		if err != nil {
			_ = removeRender(tmp, rels)
		}
	}()
	// The manifest goes first: a run killed while writing leaves a directory that says which of
	// its files are ours, and the sweep of the next run removes those and nothing else.
	if err := os.WriteFile(filepath.Join(tmp, ManifestName), EncodeManifest(rels, opts.Version), 0o644); err != nil {
		return err
	}
	interrupted := func() error {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted (%w): the previous render is unchanged", context.Cause(ctx))
		}
		return nil
	}
	// tmp is ours and, until the chmod below, 0700: plain writes cannot meet a planted link.
	if err := writeAll(tmp, rels, readers, interrupted, func() { afterFirstFile(ctx, tmp) }); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if err := interrupted(); err != nil {
		return err
	}
	// Move the old render aside, move the new one in, then drop the old one's files. From here on
	// a signal no longer stops us: the swap is two renames and finishing it is the clean way out.
	// Renames act on the names themselves: DIR was checked not to be a link, and a rename never
	// follows one.
	old, recorded := "", false
	if prev.exists {
		old = tmp + ".old"
		if err := os.Rename(abs, old); err != nil {
			return renameError(err)
		}
		defer lockDir(old)() // in use until removed, like tmp
		if !prev.manifest && len(prev.files) > 0 {
			// A render from before manifests: record its files, so that if we are killed now the
			// sweep knows them too. Best effort: this run removes them by its own list anyway.
			recorded = os.WriteFile(filepath.Join(old, ManifestName), EncodeManifest(prev.files, opts.Version), 0o644) == nil
		}
	}
	if err := os.Rename(tmp, abs); err != nil {
		if old != "" {
			if recorded {
				_ = os.Remove(filepath.Join(old, ManifestName))
			}
			_ = os.Rename(old, abs)
		}
		return renameError(err)
	}
	if old != "" {
		if err := removeRender(old, prev.files); err != nil {
			return SwappedError{err}
		}
	}
	return nil
}

// SwappedError is a failure after the new render was swapped in: only the previous one's removal
// failed (the next write beside DIR sweeps what is left of it).
type SwappedError struct{ Err error }

func (e SwappedError) Error() string {
	return fmt.Sprintf("the new render is in place, but removing the previous one failed: %v", e.Err)
}
func (e SwappedError) Unwrap() error { return e.Err }

// renameError explains the failures of the swap a user can act on.
func renameError(err error) error {
	if errors.Is(err, syscall.EBUSY) {
		return refuse("is a mount point; skillc replaces DIR by rename: write into a subdirectory of it")
	}
	return err
}

// writeAll writes files under root: each folder created once, then the files on several goroutines
// (a render is thousands of small files: the time is in system calls, which overlap), each keeping
// the folder it writes into open. stop is checked before every file; afterFirst runs once the
// first file is written (the test hook).
func writeAll(root string, rels []string, readers func() func(string) ([]byte, error), stop func() error, afterFirst func()) error {
	dirs := map[string]bool{}
	for _, rel := range rels {
		dirs[filepath.Dir(filepath.FromSlash(rel))] = true
	}
	for _, d := range slices.Sorted(maps.Keys(dirs)) {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			return err
		}
	}
	writer := func() (func(string) error, func()) {
		var at *folder
		atDir := ""
		read := readers()
		write := func(rel string) error {
			if err := stop(); err != nil {
				return err
			}
			data, err := read(rel)
			if err != nil {
				return err
			}
			dir, name := path.Split(rel)
			if at == nil || dir != atDir {
				if at != nil {
					at.close()
				}
				if at, err = openFolder(filepath.Join(root, filepath.FromSlash(dir))); err != nil {
					return err
				}
				atDir = dir
			}
			return at.writeFile(name, data)
		}
		return write, func() {
			if at != nil {
				at.close()
			}
		}
	}
	if len(rels) == 0 {
		return nil
	}
	first, done := writer()
	err := first(rels[0])
	done()
	if err != nil {
		return err
	}
	afterFirst()
	return forEachIn(rels[1:], writer)
}

// removeRender removes the files of a render (relative slash paths) from dir, then its manifest,
// then the folders that became empty, then dir itself if it is empty. Nothing is followed (an
// os.Root: a link inside dir is removed itself, never its target); a file already gone is fine.
// Anything else is kept, and the error names what kept dir: skillc did not write it.
func removeRender(dir string, files []string) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	remove := func(rel string) error {
		if err := root.Remove(filepath.FromSlash(rel)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	// Every file is tried; after a failure the manifest stays, so that the sweep of a later run
	// can finish the job (and still removes nothing else). Each goroutine keeps the folder it
	// removes from open (an os.Root of its own), so that a file is one unlinkat, not the opening
	// and closing of its folder too.
	var mu sync.Mutex
	var errs []error
	_ = forEachIn(files, func() (func(string) error, func()) {
		var sub *os.Root // the last file's folder, open; nil for root's own files, or one that did not open
		subDir := ""
		closeSub := func() {
			if sub != nil {
				_ = sub.Close()
				sub = nil
			}
		}
		return func(rel string) error {
			dir, name := path.Split(rel)
			if dir != subDir {
				closeSub()
				if subDir = dir; dir != "" {
					sub, _ = root.OpenRoot(filepath.FromSlash(path.Clean(dir))) // gone or not a folder: by the whole path below
				}
			}
			var err error
			if sub != nil {
				err = sub.Remove(name)
			} else {
				err = root.Remove(filepath.FromSlash(rel))
			}
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				var pe *fs.PathError
				if errors.As(err, &pe) {
					pe.Path = rel
				}
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
			return nil
		}, closeSub
	})
	if len(errs) > 0 {
		slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
		return errs[0]
	}
	if err := remove(ManifestName); err != nil {
		return err
	}
	folders := map[string]bool{}
	for _, f := range files {
		for d := path.Dir(f); d != "."; d = path.Dir(d) {
			folders[d] = true
		}
	}
	// Deepest first, so a folder is empty once its subfolders are gone; one that is not empty
	// holds something we did not write and stays.
	for _, d := range slices.SortedFunc(maps.Keys(folders), func(a, b string) int {
		return cmp.Or(strings.Count(b, "/")-strings.Count(a, "/"), strings.Compare(a, b))
	}) {
		_ = root.Remove(filepath.FromSlash(d))
	}
	if err := os.Remove(dir); err != nil {
		if entries, rerr := os.ReadDir(dir); rerr == nil && len(entries) > 0 {
			return fmt.Errorf("the render is written, but %s was kept: it holds %s, which the previous render's list does not name (added while skillc was writing?)", dir, entries[0].Name())
		}
		return err
	}
	return nil
}

// forEach calls f on every item from a few goroutines and returns the error of the first item
// (in items' order) that failed; after an error the remaining items are skipped.
func forEach(items []string, f func(string) error) error {
	return forEachIn(items, func() (func(string) error, func()) { return f, func() {} })
}

// forEachIn is forEach where each goroutine makes its own f, with a done that releases what f kept
// (an open folder). The goroutines take the items in turn: a goroutine per item cost more than the
// small files' system calls it wrapped.
func forEachIn(items []string, worker func() (f func(string) error, done func())) error {
	var next atomic.Int64
	var failed atomic.Bool
	var mu sync.Mutex
	first, firstErr := len(items), error(nil)
	var wg sync.WaitGroup
	for range min(len(items), 2*runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			f, done := worker()
			defer done()
			for !failed.Load() {
				k := int(next.Add(1)) - 1
				if k >= len(items) {
					return
				}
				if err := f(items[k]); err != nil {
					failed.Store(true)
					mu.Lock()
					if k < first {
						first, firstErr = k, err
					}
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	return firstErr
}

// removeStale removes what a killed run (kill -9, power loss) left beside DIR: directories named
// .<base>.skillc-tmp-* (only ours are named so), not symlinks, owned by us, and not locked, i.e. no
// live skillc is writing them. Even then only what such a directory's manifest lists is removed
// (removeRender), or the directory itself when it is empty: a directory that merely has our name
// (committed, or made by hand) keeps everything else. Errors are ignored: a leftover we cannot
// remove is no reason to fail this run, and the next one tries again.
func removeStale(parent, base string) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	prefix := "." + base + TmpMarker
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), prefix) {
			continue
		}
		p := filepath.Join(parent, e.Name())
		if !ownedByUs(p) {
			continue
		}
		if unlock, ok := tryLockDir(p); ok {
			sweep(p)
			unlock()
		}
	}
}

// sweep removes a stale temporary directory's listed files, or the directory when it is empty.
func sweep(dir string) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return
	}
	var data []byte
	fi, err := root.Lstat(ManifestName)
	if err == nil && fi.Mode().IsRegular() && fi.Size() <= maxManifest {
		data, err = readAsSeen(root, ManifestName, fi, maxManifest) // never through a link swapped in
	} else if err == nil {
		err = errors.New("not our manifest")
	}
	root.Close()
	if err != nil {
		_ = os.Remove(dir) // only succeeds when empty (killed before the manifest was written)
		return
	}
	if files, err := parseManifest(data); err == nil {
		_ = removeRender(dir, files)
	}
}
