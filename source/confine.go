package source

import (
	"os"
	"path/filepath"
	"strings"
)

// FirstLinkBelow returns the first part of root/rel that is a symlink (root itself is not
// looked at: it was named), "" when none. rel is relative and does not climb out of root (the
// callers refuse that first, each with its own message). A part that does not exist ends the
// walk: whoever reads the path reports it. skillc build's file system and the policy folders a
// kustomization names share it: below the root nothing is followed.
func FirstLinkBelow(root, rel string) string {
	p := root
	for _, part := range strings.Split(filepath.Clean(rel), string(filepath.Separator)) {
		if part == "." || part == "" {
			continue
		}
		p = filepath.Join(p, part)
		fi, err := os.Lstat(p)
		if err != nil {
			return ""
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			return p
		}
	}
	return ""
}
