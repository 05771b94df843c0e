//go:build linux

package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/skillc-dev/skillc/render"
)

// fullDisk mounts a 1 MiB tmpfs at a new folder of a temporary directory, lets setup write into
// it while there is room, then fills what is left. Mounting needs root: skipped otherwise.
func fullDisk(t *testing.T, setup func(mnt string)) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting needs root")
	}
	mnt := filepath.Join(t.TempDir(), "disk")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("skillc-test", mnt, "tmpfs", 0, "size=1m"); err != nil {
		t.Skip("cannot mount:", err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(mnt, 0) })
	setup(mnt)
	err := os.WriteFile(filepath.Join(mnt, "fill"), make([]byte, 2<<20), 0o644)
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("filling the disk: %v, want ENOSPC", err)
	}
	return mnt
}

// TestFullDiskIsExit3: -o DIR on a full disk is not bad input (exit 2) but a failed run, exit 3,
// with one line naming DIR and the cause, as a stdout on a full disk is; compile -o leaves the
// previous render byte for byte, import and export write nothing.
func TestFullDiskIsExit3(t *testing.T) {
	for _, tc := range []struct {
		name  string
		args  func(dir string) []string
		setup bool // a previous render in DIR, written while there was room
		note  string
	}{
		{"compile -o over a render", func(dir string) []string {
			return []string{"compile", "-o", dir, "--identity", "per-run", "fixtures/seed-minimal"}
		}, true, "nothing was written: %s is as it was"},
		{"compile -o a new DIR", func(dir string) []string { return []string{"compile", "-o", dir, "fixtures/seed-minimal"} }, false, "nothing was written: %s is as it was"},
		{"import", func(dir string) []string { return []string{"import", "fixtures/skill-packages/packages", "-o", dir} }, false, "nothing was written"},
		{"export", func(dir string) []string { return []string{"export", "skills", "-o", dir, "--zip"} }, false, "nothing was written"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var dir string
			mnt := fullDisk(t, func(mnt string) {
				dir = filepath.Join(mnt, "out")
				if tc.setup {
					if _, stderr, code := execute(t, "compile", "-o", dir, "fixtures/seed-minimal"); code != 0 {
						t.Fatalf("the previous render: exit %d: %s", code, stderr)
					}
				}
			})
			before := tree(t, mnt)
			stdout, stderr, code := execute(t, tc.args(dir)...)
			want := "skillc: writing " + dir + " failed: no space left on device (" + strings.ReplaceAll(tc.note, "%s", dir) + ")\n"
			if code != 3 || stdout != "" || !onlyFailureLine(stderr, want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 3, stderr:\n%s", code, stderr, want)
			}
			if diff := cmp.Diff(before, tree(t, mnt)); diff != "" {
				t.Errorf("the disk changed:\n%s", diff)
			}
		})
	}
}

// TestSystemFailure: which errors under a write of DIR are the system's (exit 3, one line) and
// which are DIR's or the input's (exit 2, "DIR: message"), whatever wraps them.
func TestSystemFailure(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		code int
		want string
	}{
		{"ENOSPC in a path error", &os.PathError{Op: "write", Path: "/x/.out.skillc-tmp-1/a.yaml", Err: syscall.ENOSPC}, 3,
			"skillc: writing out failed: no space left on device (nothing was written: out is as it was)\n"},
		{"EDQUOT wrapped", render.PartialAdd{Rel: "a/SKILL.md", Done: 2, Total: 3, Err: &os.PathError{Op: "write", Path: "a", Err: syscall.EDQUOT}}, 3,
			"skillc: writing out failed: " + syscall.EDQUOT.Error() + " (nothing was written: out is as it was)\n"},
		{"EIO after the swap", render.SwappedError{Err: &os.PathError{Op: "remove", Path: "x", Err: syscall.EIO}}, 3,
			"skillc: writing out failed: input/output error (the new render is in place; the previous one is removed by the next write)\n"},
		{"a refusal", errors.New("is a symlink"), 2, "out: is a symlink\n"},
		{"permission denied", &os.PathError{Op: "open", Path: "out", Err: syscall.EACCES}, 2, "out: open out: permission denied\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			code := exitCode(outputFailure("out", tc.err), &stderr)
			if code != tc.code || stderr.String() != tc.want {
				t.Errorf("exit %d, stderr %q; want exit %d, %q", code, stderr.String(), tc.code, tc.want)
			}
		})
	}
	// --verify only reads DIR, and says so.
	var stderr bytes.Buffer
	eio := &os.PathError{Op: "read", Path: "out/a.yaml", Err: syscall.EIO}
	if code, want := exitCode(checkFailure("out", eio), &stderr), "skillc: reading out failed: input/output error (nothing was written)\n"; code != 3 || stderr.String() != want {
		t.Errorf("--verify: exit %d, stderr %q; want exit 3, %q", code, stderr.String(), want)
	}
}

// TestFullDiskMidImport: import on a disk with room for one file writes that one whole, then
// exits 3 saying how far it got; the file is complete, and no temporary file is left.
func TestFullDiskMidImport(t *testing.T) {
	var dir string
	mnt := fullDisk(t, func(mnt string) {
		dir = filepath.Join(mnt, "out")
		writeFile(t, filepath.Join(mnt, "spare"), strings.Repeat("x", 4096)) // one page, freed below
	})
	if err := os.Remove(filepath.Join(mnt, "spare")); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := execute(t, "import", "fixtures/skill-packages/packages", "-o", dir)
	want := "skillc: writing " + dir + " failed: no space left on device (1 of 2 file(s) written before ticket-triage.yaml, each complete; nothing was removed)\n"
	if code != 3 || !onlyFailureLine(stderr, want) {
		t.Errorf("exit %d, stderr:\n%s\nwant exit 3, stderr:\n%s", code, stderr, want)
	}
	got := tree(t, dir)
	if len(got) != 2 || got["pdf-tools.yaml"] == "" {
		t.Errorf("DIR holds %v, want only pdf-tools.yaml", got)
	}
}
