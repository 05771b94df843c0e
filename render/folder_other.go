//go:build !linux

package render

import (
	"io/fs"
	"os"
	"path/filepath"
)

// folder is an open folder of a render being written (on Linux, a file descriptor).
type folder struct{ path string }

func openFolder(path string) (*folder, error) { return &folder{path: path}, nil }

// writeFile creates name (a new file: the folder is our fresh temporary one) with data.
func (d *folder) writeFile(name string, data []byte) error {
	f, err := os.OpenFile(filepath.Join(d.path, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

func (d *folder) close() {}

// readTypes lists folder rel of root: each entry's name and type, sorted by name.
func readTypes(root *os.Root, rel string) ([]typedEntry, error) {
	entries, err := fs.ReadDir(root.FS(), rel)
	if err != nil {
		return nil, err
	}
	out := make([]typedEntry, len(entries))
	for i, e := range entries {
		out[i] = typedEntry{name: e.Name(), typ: e.Type()}
	}
	return out, nil
}
