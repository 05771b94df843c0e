//go:build linux

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestMountPoint: a DIR that is a mount point cannot be renamed (EBUSY): exit 2 with the message
// of TestMountPointMessage, the mount's content and its parent unchanged, and a subdirectory of
// the mount works. Mounting a tmpfs needs root: skipped otherwise.
func TestMountPoint(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting needs root")
	}
	parent := t.TempDir()
	mnt := filepath.Join(parent, "rendered")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("skillc-test", mnt, "tmpfs", 0, "size=1m"); err != nil {
		t.Skip("cannot mount:", err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(mnt, 0) })
	before := tree(t, parent)
	_, stderr, code := execute(t, "compile", "-o", mnt, "fixtures/seed-minimal")
	if code != 2 || !strings.HasSuffix(stderr, mnt+": is a mount point; skillc replaces DIR by rename: write into a subdirectory of it\n") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if diff := cmp.Diff(before, tree(t, parent)); diff != "" {
		t.Errorf("changed:\n%s", diff)
	}
	if _, stderr, code := execute(t, "compile", "-o", filepath.Join(mnt, "sub"), "fixtures/seed-minimal"); code != 0 {
		t.Errorf("a subdirectory of the mount: exit %d: %s", code, stderr)
	}
}
