//go:build !linux

package render

import (
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
