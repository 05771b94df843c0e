//go:build linux

package render

import (
	"bytes"
	"encoding/binary"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
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

// readTypes lists folder rel of root: each entry's name and type, sorted by name, from getdents'
// d_type. os.Root's ReadDir also lstats every entry (it cannot stat lazily inside a Root): inspect
// reads a whole render, 133,000 entries at ten times the reference repository. An entry whose
// type the file system does not give is lstat'ed, through root.
func readTypes(root *os.Root, rel string) ([]typedEntry, error) {
	f, err := root.Open(rel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	var out []typedEntry
	buf := make([]byte, 64<<10)
	for {
		var n int
		var rerr error
		if err := rc.Read(func(fd uintptr) bool {
			n, rerr = ignoringEINTR(func() (int, error) { return syscall.ReadDirent(int(fd), buf) })
			return true
		}); err != nil {
			return nil, err
		}
		if rerr != nil {
			return nil, &fs.PathError{Op: "readdirent", Path: rel, Err: rerr}
		}
		if n <= 0 {
			break
		}
		for b := buf[:n]; len(b) > 0; {
			// struct linux_dirent64: ino (8), off (8), reclen (2), type (1), name (NUL-terminated).
			if len(b) < 19 {
				return nil, &fs.PathError{Op: "readdirent", Path: rel, Err: syscall.EINVAL}
			}
			reclen := int(binary.NativeEndian.Uint16(b[16:18]))
			if reclen < 19 || reclen > len(b) {
				return nil, &fs.PathError{Op: "readdirent", Path: rel, Err: syscall.EINVAL}
			}
			name := b[19:reclen]
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			typ := b[18]
			b = b[reclen:]
			if s := string(name); s != "." && s != ".." {
				e := typedEntry{name: s}
				switch typ {
				case syscall.DT_REG:
				case syscall.DT_DIR:
					e.typ = fs.ModeDir
				case syscall.DT_LNK:
					e.typ = fs.ModeSymlink
				case syscall.DT_FIFO:
					e.typ = fs.ModeNamedPipe
				case syscall.DT_SOCK:
					e.typ = fs.ModeSocket
				case syscall.DT_CHR:
					e.typ = fs.ModeDevice | fs.ModeCharDevice
				case syscall.DT_BLK:
					e.typ = fs.ModeDevice
				default: // DT_UNKNOWN
					fi, err := root.Lstat(path.Join(rel, s))
					if err != nil {
						return nil, err
					}
					e.typ = fi.Mode().Type()
				}
				out = append(out, e)
			}
		}
	}
	slices.SortFunc(out, func(a, b typedEntry) int { return strings.Compare(a.name, b.name) })
	return out, nil
}
