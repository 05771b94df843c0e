//go:build unix

package render

import (
	"io/fs"
	"os"
	"slices"
	"syscall"
)

// modeLetsWrite reports whether fi's permission bits let this process write the file: the owner's
// bit for its owner, the group's for a member of its group, the others' for anyone else. Root is
// held to the bits as well (any write bit): a file made read-only says "do not edit this", and
// root's power to write it anyway is no reason for skillc to.
func modeLetsWrite(fi fs.FileInfo) bool {
	perm := fi.Mode().Perm()
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return perm&0o200 != 0
	}
	uid := os.Geteuid()
	switch {
	case uid == 0:
		return perm&0o222 != 0
	case int(st.Uid) == uid:
		return perm&0o200 != 0
	case inGroup(int(st.Gid)):
		return perm&0o020 != 0
	}
	return perm&0o002 != 0
}

func inGroup(gid int) bool {
	if gid == os.Getegid() {
		return true
	}
	groups, _ := os.Getgroups()
	return slices.Contains(groups, gid)
}
