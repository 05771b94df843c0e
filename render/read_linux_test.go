package render

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
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

// TestReadTypesIsReadDir: the entries and types getdents gives are os.Root's ReadDir's (which
// lstats each): regular files, folders, links to each, a FIFO, a socket, names with odd bytes, and
// a folder of more entries than one read returns.
func TestReadTypesIsReadDir(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.yaml"), "a\n")
	writeFile(t, filepath.Join(dir, "sub", "b.yaml"), "b\n")
	writeFile(t, filepath.Join(dir, "odd name\t\u00e9.yaml"), "c\n")
	for _, err := range []error{
		os.Symlink("a.yaml", filepath.Join(dir, "link-file")),
		os.Symlink("sub", filepath.Join(dir, "link-dir")),
		os.Symlink("/nowhere", filepath.Join(dir, "link-dangling")),
		syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if l, err := net.Listen("unix", filepath.Join(dir, "sock")); err == nil {
		defer l.Close()
	}
	many := filepath.Join(dir, "many")
	for i := range 3000 { // past one 64 KiB getdents buffer
		writeFile(t, filepath.Join(many, fmt.Sprintf("file-with-a-long-name-%04d.yaml", i)), "")
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	for _, rel := range []string{".", "sub", "many"} {
		want, err := fs.ReadDir(root.FS(), rel)
		if err != nil {
			t.Fatal(err)
		}
		got, err := readTypes(root, rel)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d entries, ReadDir %d", rel, len(got), len(want))
		}
		for i := range want {
			if got[i].name != want[i].Name() || got[i].typ != want[i].Type() {
				t.Errorf("%s: entry %d is %q %v, ReadDir's %q %v", rel, i, got[i].name, got[i].typ, want[i].Name(), want[i].Type())
			}
		}
	}
	if _, err := readTypes(root, "link-dir/../.."); err == nil {
		t.Error("read a folder outside the root")
	}
}
