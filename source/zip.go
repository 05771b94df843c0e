package source

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
)

// Limits on a SKILL.md package. Uncompressed sizes are counted while reading, never taken from the
// archive's headers, which an attacker writes.
const (
	MaxZipBytes      = 10 << 20
	MaxPackageBytes  = 50 << 20
	MaxPackageFiles  = 1000
	maxZipEntryNames = 4 * MaxPackageFiles
)

// ReadZip reads a SKILL.md package from a zip: files at the root, or all under one top folder.
func ReadZip(name string, data []byte) (Package, error) {
	if len(data) > MaxZipBytes {
		return Package{}, fmt.Errorf("archive is %d bytes, over the %d MiB limit", len(data), MaxZipBytes>>20)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return Package{}, fmt.Errorf("not a valid zip archive: %v", err)
	}
	if len(zr.File) > maxZipEntryNames {
		return Package{}, fmt.Errorf("archive has %d entries, over the limit of %d files", len(zr.File), MaxPackageFiles)
	}
	// archive/zip fails an entry that expands past its declared size, so the declared sizes bound
	// what reading can produce: a bomb is refused here, before anything is decompressed. The
	// bytes are still counted while reading below.
	declared := uint64(0)
	for _, f := range zr.File {
		if declared += f.UncompressedSize64; declared > MaxPackageBytes || f.UncompressedSize64 > MaxPackageBytes {
			return Package{}, fmt.Errorf("archive expands to more than %d MiB (declared by %q)", MaxPackageBytes>>20, f.Name)
		}
	}
	files := map[string][]byte{}
	total := int64(0)
	for _, f := range zr.File {
		p, skip, err := entryPath(f)
		if err != nil {
			return Package{}, err
		}
		if skip {
			continue
		}
		if _, dup := files[p]; dup {
			return Package{}, fmt.Errorf("entry %q appears twice", f.Name)
		}
		if len(files) >= MaxPackageFiles {
			return Package{}, fmt.Errorf("archive has more than %d files", MaxPackageFiles)
		}
		rc, err := f.Open()
		if err != nil {
			return Package{}, fmt.Errorf("entry %q: %v", f.Name, err)
		}
		buf := bytes.NewBuffer(make([]byte, 0, f.UncompressedSize64)) // bounded by the check above
		_, err = io.Copy(buf, io.LimitReader(rc, MaxPackageBytes-total+1))
		rc.Close()
		content := buf.Bytes()
		if err != nil {
			return Package{}, fmt.Errorf("entry %q: %v", f.Name, err)
		}
		total += int64(len(content))
		if total > MaxPackageBytes {
			return Package{}, fmt.Errorf("archive expands to more than %d MiB (refused while reading %q)", MaxPackageBytes>>20, f.Name)
		}
		files[p] = content
	}
	base := strings.TrimSuffix(path.Base(strings.ReplaceAll(name, "\\", "/")), ".zip")
	return layout(name, base, files)
}

// entryPath validates an archive entry's name; directories and macOS metadata are skipped.
func entryPath(f *zip.File) (string, bool, error) {
	name := f.Name
	switch {
	case f.Mode()&fs.ModeSymlink != 0:
		return "", false, fmt.Errorf("entry %q is a symlink: refused", name)
	case strings.HasPrefix(name, "/") || strings.HasPrefix(name, "\\") || (len(name) > 1 && name[1] == ':'):
		return "", false, fmt.Errorf("entry %q has an absolute path: refused", name)
	case strings.Contains(name, "\\"):
		return "", false, fmt.Errorf("entry %q has a backslash in its path: refused", name)
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == ".." {
			return "", false, fmt.Errorf("entry %q leaves the package with \"..\": refused", name)
		}
	}
	if strings.HasSuffix(name, "/") || f.Mode().IsDir() {
		return "", true, nil
	}
	if p := path.Clean(name); skippedInPackage(p) {
		return "", true, nil
	}
	return path.Clean(name), false, nil
}

// skippedInPackage is the one rule for what a SKILL.md package leaves out, read from a folder or a
// zip: hidden files and folders (a path segment starting with ".": .env, .git/config, .DS_Store,
// .npmrc) and macOS archive metadata (__MACOSX/). Dotfiles are where credentials live; they never
// reach the ConfigMap, which every pod that toggles the pack mounts.
func skippedInPackage(rel string) bool {
	for _, seg := range strings.Split(rel, "/") {
		if strings.HasPrefix(seg, ".") && seg != "." && seg != ".." {
			return true
		}
	}
	return rel == "__MACOSX" || strings.HasPrefix(rel, "__MACOSX/")
}

// layout finds SKILL.md at the root or under a single top folder, and strips that folder.
func layout(source, base string, files map[string][]byte) (Package, error) {
	if _, ok := files["SKILL.md"]; ok {
		return Package{Source: source, Dir: base, Files: files}, nil
	}
	top := ""
	for p := range files {
		first, _, nested := strings.Cut(p, "/")
		if !nested || (top != "" && first != top) {
			return Package{}, fmt.Errorf("no SKILL.md at the root or under one top folder")
		}
		top = first
	}
	if _, ok := files[top+"/SKILL.md"]; !ok || top == "" {
		return Package{}, fmt.Errorf("no SKILL.md at the root or under one top folder")
	}
	stripped := make(map[string][]byte, len(files))
	for p, data := range files {
		stripped[strings.TrimPrefix(p, top+"/")] = data
	}
	return Package{Source: source + "/" + top, Dir: top, Files: stripped}, nil
}
