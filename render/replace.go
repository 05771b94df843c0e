package render

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// ReplaceFile writes data over path atomically: a temporary file in the same folder, with the
// file's mode, renamed over it. It refuses a symlink or anything but a regular file, a file its
// mode does not let this user write, and a file that changed since it was read (old).
func ReplaceFile(path string, old, data []byte) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		return fmt.Errorf("%s: is a symlink: refusing to replace it (edit the file it points to)", path)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s: not a regular file: refusing to replace it", path)
	}
	// Replacing needs only a writable folder, so a read-only file would be replaced silently;
	// refuse it as editors do (vim's "readonly"), and as sed -i does without root.
	if !modeLetsWrite(fi) {
		return fmt.Errorf("%s: read-only (mode %04o): refusing to replace it; make it writable first if it is meant to change", path, fi.Mode().Perm())
	}
	now, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if !bytes.Equal(now, old) {
		return fmt.Errorf("%s: changed while skillc was reading it: nothing written, run it again", path)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".skillc-*")
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	name := tmp.Name()
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(fi.Mode().Perm())
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(name, path)
	}
	if err != nil {
		_ = os.Remove(name) // our own temporary file, never the input
		return fmt.Errorf("%s: writing: %w", path, err)
	}
	return nil
}
