package main

import (
	"os"
	"path/filepath"

	"github.com/skillc-dev/skillc/compile"
)

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
// failure leaves the previous DIR as it was.
func writeFiles(dir string, files map[string][]byte) (err error) {
	dir = filepath.Clean(dir)
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".skillc-tmp-")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	for rel, data := range files {
		path := filepath.Join(tmp, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	// Move the old render aside, move the new one in, then drop the old one.
	old := ""
	if _, statErr := os.Lstat(dir); statErr == nil {
		old = tmp + ".old"
		if err := os.Rename(dir, old); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			_ = os.Rename(old, dir)
		}
		return err
	}
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}
