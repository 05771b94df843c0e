package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/skillc-dev/skillc/compile"
)

// interrupt is the process's signal context (set by main). It is a package variable because the
// writers' callers (compile -o, import, export) pass no context; in-process tests leave it as is.
var interrupt = context.Background()

// pauseEnv is a test-only hook, documented here and nowhere else: when set to a file path, the
// writer writes its temporary directory's path there after the first file and then waits for a
// signal, so that a test can interrupt a real process mid-write without racing it.
const pauseEnv = "SKILLC_TEST_PAUSE_WRITE"

// tmpMarker is in the name of every temporary directory the writer creates: .<base>.skillc-tmp-*.
const tmpMarker = ".skillc-tmp-"

// writeDir writes one file per object (see writeFiles).
func writeDir(dir string, objs []compile.Object) error {
	docs, err := compile.MarshalEach(objs)
	if err != nil {
		return err
	}
	files := make(map[string][]byte, len(objs))
	for i, o := range objs {
		files[compile.ObjectPath(o)] = docs[i]
	}
	return writeFiles(dir, files)
}

// writeFiles writes files (relative slash paths) into a fresh sibling temporary directory and swaps
// it in only when every file is written, so readers (and Argo CD) never see a partial render and a
// failure or a SIGINT/SIGTERM leaves the previous DIR as it was and no temporary directory behind.
func writeFiles(dir string, files map[string][]byte) error {
	return writeFilesContext(interrupt, dir, files)
}

func writeFilesContext(ctx context.Context, dir string, files map[string][]byte) (err error) {
	dir = filepath.Clean(dir)
	parent, base := filepath.Dir(dir), filepath.Base(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	if err := beginWrite(ctx); err != nil {
		return fmt.Errorf("interrupted (%w): nothing was written", err)
	}
	defer endWrite()
	removeStale(parent, base)
	tmp, err := os.MkdirTemp(parent, "."+base+tmpMarker)
	if err != nil {
		return err
	}
	// The lock tells a later run that this directory is in use; the kernel drops it if we are
	// killed, which is how that run knows the directory is stale (removeStale).
	unlock := lockDir(tmp)
	defer unlock()
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	interrupted := func() error {
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted (%w): the previous render is unchanged", context.Cause(ctx))
		}
		return nil
	}
	if err := writeAll(tmp, files, interrupted, func() { testPause(ctx, tmp) }); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if err := interrupted(); err != nil {
		return err
	}
	// Move the old render aside, move the new one in, then drop the old one. From here on a signal
	// no longer stops us: the swap is two renames and finishing it is the clean way out.
	old := ""
	if _, statErr := os.Lstat(dir); statErr == nil {
		old = tmp + ".old"
		if err := os.Rename(dir, old); err != nil {
			return err
		}
		defer lockDir(old)() // in use until removed, like tmp
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			_ = os.Rename(old, dir)
		}
		return err
	}
	if old != "" {
		return removeAll(old)
	}
	return nil
}

// writeAll writes files under root: each folder created once, then the files on several goroutines
// (a render is thousands of small files: the time is in system calls, which overlap). stop is
// checked before every file; afterFirst runs once the first file is written (the test hook).
func writeAll(root string, files map[string][]byte, stop func() error, afterFirst func()) error {
	rels := slices.Sorted(maps.Keys(files))
	dirs := map[string]bool{}
	for _, rel := range rels {
		dirs[filepath.Dir(filepath.FromSlash(rel))] = true
	}
	for _, d := range slices.Sorted(maps.Keys(dirs)) {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			return err
		}
	}
	write := func(rel string) error {
		if err := stop(); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(root, filepath.FromSlash(rel)), files[rel], 0o644)
	}
	if len(rels) == 0 {
		return nil
	}
	if err := write(rels[0]); err != nil {
		return err
	}
	afterFirst()
	return forEach(rels[1:], write)
}

// removeAll removes a previous render: its folders (one per namespace) in parallel, then itself.
func removeAll(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return os.RemoveAll(dir)
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = filepath.Join(dir, e.Name())
	}
	if err := forEach(names, os.RemoveAll); err != nil {
		return err
	}
	return os.RemoveAll(dir)
}

// forEach calls f on every item from a few goroutines and returns the first error; after an
// error the remaining items are skipped.
func forEach(items []string, f func(string) error) error {
	var (
		next   atomic.Int64
		failed atomic.Bool
		mu     sync.Mutex
		first  error
		wg     sync.WaitGroup
	)
	for range min(2*runtime.GOMAXPROCS(0), len(items)) {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(len(items)) && !failed.Load(); i = next.Add(1) - 1 {
				if err := f(items[i]); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					failed.Store(true)
				}
			}
		})
	}
	wg.Wait()
	return first
}

// removeStale removes what a killed run (kill -9, power loss) left beside DIR: directories named
// .<base>.skillc-tmp-* (only ours are named so), not symlinks, owned by us, and not locked, i.e. no
// live skillc is writing them. Errors are ignored: a leftover we cannot remove is no reason to fail
// this run, and the next one tries again.
func removeStale(parent, base string) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	prefix := "." + base + tmpMarker
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), prefix) {
			continue
		}
		path := filepath.Join(parent, e.Name())
		if !ownedByUs(path) {
			continue
		}
		if unlock, ok := tryLockDir(path); ok {
			os.RemoveAll(path)
			unlock()
		}
	}
}

func testPause(ctx context.Context, tmp string) {
	hook := os.Getenv(pauseEnv)
	if hook == "" {
		return
	}
	if err := os.WriteFile(hook, []byte(tmp), 0o644); err != nil {
		return
	}
	select {
	case <-ctx.Done():
	case <-time.After(time.Minute): // never hang a forgotten test
	}
}
