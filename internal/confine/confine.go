// Package confine is skillc's one way to read inside a folder and nowhere else: every reader of a
// tree that a user or a pull request controls (input folders and SKILL.md packages, --policy
// folders, skillc build's file system, the policy paths of a kustomization or a config) reads it
// through a Root. On Go's os.Root, which keeps every open inside its folder, a Root adds what an
// untrusted tree needs as well:
//   - no symlink below the folder is followed, even one that stays inside it: a walk reports it, an
//     open refuses it (*LinkError);
//   - `..` and absolute names are refused (*OutsideError);
//   - only regular files are read: a FIFO or a device (which would block or never end) is refused
//     (*NotRegularError), and is never opened for a blocking read;
//   - a size limit is applied as a file is read: more than max bytes are never held (*TooLargeError).
//
// Every name is opened one folder at a time from the Root, each part checked to be what a look at
// it without following links saw (os.SameFile): a part swapped for a symlink between the look and
// the open is refused, not followed. The folder a Root is opened on may itself be a link: it was
// named.
package confine

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Root is a folder opened for confined reads. Names given to its methods are relative to it, with
// the separators of the OS ("a/b" also works everywhere Go accepts it).
type Root struct {
	root *os.Root
	name string
}

// Open opens dir (which may itself be a symlink: it was named) as a Root.
func Open(dir string) (*Root, error) {
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &Root{root: r, name: dir}, nil
}

// Close closes the Root (not the Roots Sub returned).
func (r *Root) Close() error { return r.root.Close() }

// Name is the folder as it was named (for a Sub, joined to its name below the parent).
func (r *Root) Name() string { return r.name }

// Path is rel as messages name it: under the Root's Name (rel "." is the Name itself, as
// filepath.WalkDir names its root).
func (r *Root) Path(rel string) string {
	if rel == "." || rel == "" {
		return r.name
	}
	return filepath.Join(r.name, rel)
}

// LinkError: Rel (a name from the Root, the first of its parts that is one) is a symlink, not
// followed.
type LinkError struct{ Rel string }

func (e *LinkError) Error() string { return e.Rel + " is a symlink: not followed" }

// OutsideError: Rel is absolute or climbs out of the Root with `..`.
type OutsideError struct{ Rel string }

func (e *OutsideError) Error() string { return e.Rel + ": outside the folder" }

// NotRegularError: Rel is not a regular file (a folder, a FIFO, a device, a socket).
type NotRegularError struct {
	Rel  string
	Mode fs.FileMode
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s: not a regular file (%v)", e.Rel, e.Mode.Type())
}

// TooLargeError: Rel holds more than Max bytes.
type TooLargeError struct {
	Rel string
	Max int64
}

func (e *TooLargeError) Error() string { return fmt.Sprintf("%s: larger than %d bytes", e.Rel, e.Max) }

// ErrChanged: a part of a name was replaced (not by a symlink) between the look at it and its open.
var ErrChanged = errors.New("changed while it was opened")

// beforeOpen is called between the look at a part and its open: the tests swap it there.
var beforeOpen func(rel string)

// parts splits rel into its names below the Root; none for the Root itself.
func parts(rel string) ([]string, error) {
	if filepath.IsAbs(rel) || strings.HasPrefix(filepath.ToSlash(rel), "/") || filepath.VolumeName(rel) != "" {
		return nil, &OutsideError{Rel: rel}
	}
	clean := filepath.Clean(rel)
	if clean == "." {
		return nil, nil
	}
	if clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		return nil, &OutsideError{Rel: rel}
	}
	return strings.Split(clean, string(filepath.Separator)), nil
}

// opened checks that what was opened as rel (got) is what the look at it saw (saw): else rel was
// swapped in between, and is refused (a *LinkError if it is now a link).
// (The same file: the same device and inode, and the same type, as a file removed and another
// created in its place may get its inode. A link swapped in is then one to a file created inside
// the Root since the look, which os.Root kept inside it: nothing outside is read.)
func opened(parent *os.Root, name, rel string, saw, got fs.FileInfo) error {
	if os.SameFile(saw, got) && saw.Mode().Type() == got.Mode().Type() {
		return nil
	}
	return swapped(parent, name, rel, &fs.PathError{Op: "open", Path: rel, Err: ErrChanged})
}

// swapped is err of a failed or refused open of name, or a *LinkError if name is now a link (os.Root
// refuses one that leads outside, with an error of its own).
func swapped(parent *os.Root, name, rel string, err error) error {
	if now, lerr := parent.Lstat(name); lerr == nil && now.Mode()&fs.ModeSymlink != 0 {
		return &LinkError{Rel: rel}
	}
	return pathError(err, rel)
}

// sub opens the folder name of parent (rel from the Root), refusing a link.
func sub(parent *os.Root, name, rel string) (*os.Root, error) {
	saw, err := parent.Lstat(name)
	if err != nil {
		return nil, pathError(err, rel)
	}
	if saw.Mode()&fs.ModeSymlink != 0 {
		return nil, &LinkError{Rel: rel}
	}
	if !saw.IsDir() {
		return nil, &fs.PathError{Op: "open", Path: rel, Err: errNotDir}
	}
	if beforeOpen != nil {
		beforeOpen(rel)
	}
	d, err := parent.OpenRoot(name)
	if err != nil {
		return nil, swapped(parent, name, rel, err)
	}
	got, err := d.Stat(".")
	if err == nil {
		err = opened(parent, name, rel, saw, got)
	}
	if err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

var errNotDir = errors.New("not a folder")

// pathError names rel (from the Root) in err, a *fs.PathError of os.Root that names the part.
func pathError(err error, rel string) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &fs.PathError{Op: pe.Op, Path: rel, Err: pe.Err}
	}
	return err
}

// dir opens the folder of names, one part at a time; the caller closes it.
func (r *Root) dir(names []string) (*os.Root, error) {
	cur, err := r.root.OpenRoot(".")
	if err != nil {
		return nil, err
	}
	for i, name := range names {
		next, err := sub(cur, name, filepath.Join(names[:i+1]...))
		cur.Close()
		if err != nil {
			return nil, err
		}
		cur = next
	}
	return cur, nil
}

// Sub opens the folder rel as a Root of its own, confined as r is (rel and its parts are not
// links). Its Name is r.Path(rel). The caller closes it.
func (r *Root) Sub(rel string) (*Root, error) {
	names, err := parts(rel)
	if err != nil {
		return nil, err
	}
	d, err := r.dir(names)
	if err != nil {
		return nil, err
	}
	return &Root{root: d, name: r.Path(filepath.Join(names...))}, nil
}

// Lstat describes rel without following a link (rel itself may be one: its info says so); a link
// among the folders above it is refused.
func (r *Root) Lstat(rel string) (fs.FileInfo, error) {
	names, err := parts(rel)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return r.root.Stat(".")
	}
	d, err := r.dir(names[:len(names)-1])
	if err != nil {
		return nil, err
	}
	defer d.Close()
	fi, err := d.Lstat(names[len(names)-1])
	return fi, pathError(err, filepath.Join(names...))
}

// ReadDir lists the folder rel, sorted by name; links are listed as links.
func (r *Root) ReadDir(rel string) ([]fs.DirEntry, error) {
	names, err := parts(rel)
	if err != nil {
		return nil, err
	}
	d, err := r.dir(names)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return list(d, rel)
}

func list(d *os.Root, rel string) ([]fs.DirEntry, error) {
	f, err := d.Open(".")
	if err != nil {
		return nil, pathError(err, rel)
	}
	defer f.Close()
	entries, err := f.ReadDir(-1)
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return entries, pathError(err, rel)
}

// Open opens the regular file rel for reading: a link (rel or a folder above it) is refused, and
// so is anything but a regular file, without a blocking open.
func (r *Root) Open(rel string) (*os.File, error) {
	names, err := parts(rel)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		fi, err := r.root.Stat(".")
		if err != nil {
			return nil, err
		}
		return nil, &NotRegularError{Rel: ".", Mode: fi.Mode()}
	}
	rel = filepath.Join(names...)
	d, err := r.dir(names[:len(names)-1])
	if err != nil {
		return nil, err
	}
	defer d.Close()
	name := names[len(names)-1]
	saw, err := d.Lstat(name)
	switch {
	case err != nil:
		return nil, pathError(err, rel)
	case saw.Mode()&fs.ModeSymlink != 0:
		return nil, &LinkError{Rel: rel}
	case !saw.Mode().IsRegular():
		return nil, &NotRegularError{Rel: rel, Mode: saw.Mode()}
	}
	if beforeOpen != nil {
		beforeOpen(rel)
	}
	// Non-blocking: if a FIFO was swapped in, the open returns at once (and is refused below).
	f, err := d.OpenFile(name, os.O_RDONLY|openNonblock, 0)
	if err != nil {
		return nil, swapped(d, name, rel, err)
	}
	got, err := f.Stat()
	if err == nil {
		err = opened(d, name, rel, saw, got)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// ReadFile reads the regular file rel (as Open opens it) under max bytes: a file whose size is
// over max is refused before a byte is read, and one that grows while it is read is refused at
// its byte max+1 (*TooLargeError).
func (r *Root) ReadFile(rel string, max int64) ([]byte, error) {
	f, err := r.Open(rel)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size := int64(-1)
	if fi, err := f.Stat(); err == nil {
		size = fi.Size()
	}
	if size > max {
		return nil, &TooLargeError{Rel: filepath.Clean(rel), Max: max}
	}
	data, err := readLimited(f, filepath.Clean(rel), size, max)
	return data, pathError(err, filepath.Clean(rel))
}

// ReadLimited reads rd to its end under max bytes, refusing it at its byte max+1 (*TooLargeError
// naming name): for what is not under a Root, stdin or a file the user named explicitly. A
// regular file (an *os.File) over max is refused by its size before it is read, and one under it
// is read into one allocation of its size.
func ReadLimited(rd io.Reader, name string, max int64) ([]byte, error) {
	size := int64(-1)
	if f, ok := rd.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
	}
	if size > max {
		return nil, &TooLargeError{Rel: name, Max: max}
	}
	return readLimited(rd, name, size, max)
}

// readLimited is ReadLimited with the expected size (-1: unknown) as the first allocation.
func readLimited(rd io.Reader, name string, size, max int64) ([]byte, error) {
	n := int64(512)
	if size >= 0 {
		n = size + 1 // one more: the read that sees the end
	}
	buf := make([]byte, 0, min(n, max+1))
	lr := io.LimitReader(rd, max+1)
	for {
		if len(buf) == cap(buf) {
			// Doubles, to no more than max+1: what is allocated in all is under 2(max+1).
			grown := make([]byte, len(buf), min(2*int64(cap(buf))+512, max+1))
			copy(grown, buf)
			buf = grown
		}
		k, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+k]
		if int64(len(buf)) > max {
			return nil, &TooLargeError{Rel: name, Max: max}
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// Resolve returns the folder dir (named: it may be a link, or under one) absolute with its links
// resolved, for a library that names files by absolute path under it (kustomize, in skillc
// build). Only the named folder is resolved: a Root opened on it follows nothing below it.
func Resolve(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}
