package render

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestReadAsSeen: a file of DIR is read only while it is the regular file inspected. A FIFO, a
// link or another file put in its place since is errChanged, and the FIFO does not block the read
// (no writer ever opens it here); a file that grew past the limit is errTooLarge.
func TestReadAsSeen(t *testing.T) {
	dir := t.TempDir()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	writeFile(t, filepath.Join(dir, "target.yaml"), "outside\n")
	for _, tc := range []struct {
		name    string
		replace func(p string) error
		want    error
	}{
		{"unchanged", func(string) error { return nil }, nil},
		{"a FIFO", func(p string) error { return syscall.Mkfifo(p, 0o644) }, errChanged},
		{"a link", func(p string) error { return os.Symlink("target.yaml", p) }, errChanged},
		{"another file", func(p string) error { return os.Rename(filepath.Join(dir, "other.yaml"), p) }, errChanged},
		{"grown", func(p string) error { return os.WriteFile(p+".grow", nil, 0o644) }, errTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, "f.yaml")
			_ = os.Remove(p)
			writeFile(t, p, "a\n")
			writeFile(t, filepath.Join(dir, "other.yaml"), "a\n") // exists meanwhile: its own inode
			fi, err := root.Lstat("f.yaml")
			if err != nil {
				t.Fatal(err)
			}
			limit := int64(2)
			if tc.name == "grown" {
				appendToFile(t, p, "more\n")
			} else if tc.name != "unchanged" {
				if err := os.Remove(p); err != nil {
					t.Fatal(err)
				}
				if err := tc.replace(p); err != nil {
					t.Fatal(err)
				}
			}
			data, err := readAsSeen(root, "f.yaml", fi, limit)
			if !errors.Is(err, tc.want) || tc.want == nil && string(data) != "a\n" {
				t.Errorf("got %q, %v; want %v", data, err, tc.want)
			}
		})
	}
}
