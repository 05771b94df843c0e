//go:build linux

package render

import (
	"io"
	"io/fs"
	"path/filepath"
	"syscall"
)

// folder is an open folder of a render being written. A file written through it is three
// system calls (openat, write, close): os.WriteFile also offers each file to the poller and sets
// and clears non-blocking mode, and a render is 100,000 small files.
type folder struct {
	fd   int
	path string
}

func openFolder(path string) (*folder, error) {
	fd, err := ignoringEINTR(func() (int, error) {
		return syscall.Open(path, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC|syscall.O_NOFOLLOW, 0)
	})
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	return &folder{fd: fd, path: path}, nil
}

// writeFile creates name (a new file: the folder is our fresh temporary one) with data.
func (d *folder) writeFile(name string, data []byte) error {
	fail := func(op string, err error) error {
		return &fs.PathError{Op: op, Path: filepath.Join(d.path, name), Err: err}
	}
	fd, err := ignoringEINTR(func() (int, error) {
		return syscall.Openat(d.fd, name, syscall.O_WRONLY|syscall.O_CREAT|syscall.O_EXCL|syscall.O_CLOEXEC|syscall.O_NOFOLLOW, 0o644)
	})
	if err != nil {
		return fail("open", err)
	}
	for len(data) > 0 {
		n, err := ignoringEINTR(func() (int, error) { return syscall.Write(fd, data) })
		if err == nil && n == 0 {
			err = io.ErrShortWrite
		}
		if err != nil {
			_ = syscall.Close(fd)
			return fail("write", err)
		}
		data = data[n:]
	}
	if err := syscall.Close(fd); err != nil {
		return fail("close", err)
	}
	return nil
}

func (d *folder) close() { _ = syscall.Close(d.fd) }

func ignoringEINTR(f func() (int, error)) (int, error) {
	for {
		n, err := f()
		if err != syscall.EINTR {
			return n, err
		}
	}
}
