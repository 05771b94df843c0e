package render

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestMountPointMessage: the swap's EBUSY (DIR is a mount point) becomes a message saying what to
// do; other errors pass through. The real mount is TestMountPoint (Linux, root).
func TestMountPointMessage(t *testing.T) {
	err := renameError(&os.LinkError{Op: "rename", Old: "a", New: "b", Err: syscall.EBUSY})
	if err == nil || err.Error() != "is a mount point; skillc replaces DIR by rename: write into a subdirectory of it" {
		t.Errorf("EBUSY: %v", err)
	}
	if other := renameError(os.ErrPermission); !errors.Is(other, os.ErrPermission) {
		t.Errorf("other errors pass through: %v", other)
	}
}

// TestParseManifest: only paths a render writes are accepted, with the line of the first that
// is not.
func TestParseManifest(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr string
	}{
		{ManifestHeader + "\n# comment\n\na/b.yaml\n_cluster/c.yaml\n", []string{"a/b.yaml", "_cluster/c.yaml"}, ""},
		{ManifestHeader + "\n", nil, ""},
		{"", nil, "1: empty"},
		{"a/b.yaml\n", nil, "1: not a skillc render manifest"},
		{ManifestHeader + "\n/etc/passwd\n", nil, `2: "/etc/passwd" is not a path a render writes`},
		{ManifestHeader + "\na/../../b\n", nil, `2: "a/../../b" is not a path`},
		{ManifestHeader + "\n..\n", nil, `2: ".." is not a path`},
		{ManifestHeader + "\n.git/config\n", nil, `2: ".git/config" is not a path`},
		{ManifestHeader + "\na/./b.yaml\n", nil, `2: "a/./b.yaml" is not a path`},
		{ManifestHeader + "\na\\b.yaml\n", nil, `2: "a\\b.yaml" is not a path`},
		{ManifestHeader + "\na.yaml\na.yaml\n", nil, `3: "a.yaml" is listed twice`},
		{ManifestHeader + "\n" + strings.Repeat("a", 70000) + "\n", nil, "2: bufio.Scanner: token too long"},
	}
	for _, tt := range tests {
		got, err := parseManifest([]byte(tt.in))
		if tt.wantErr != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
				t.Errorf("%q: err %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("%q: %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	round, err := parseManifest(EncodeManifest([]string{"b/x.yaml", "a/y.yaml"}, "dev"))
	if err != nil || !slices.Equal(round, []string{"a/y.yaml", "b/x.yaml"}) {
		t.Errorf("round trip: %v, %v", round, err)
	}
}

// TestRemoveRender: removing a previous render takes only its listed files, its manifest and the
// folders that became empty; a listed path through a link to outside is never followed (an error:
// the manifest stays for a later sweep); a file added meanwhile keeps its folder and the render's
// directory, and the error names it.
func TestRemoveRender(t *testing.T) {
	ws := t.TempDir()
	old := filepath.Join(ws, "old")
	writeFile(t, filepath.Join(old, ManifestName), string(EncodeManifest([]string{"a/x.yaml", "b/c/y.yaml", "l/z.yaml"}, "dev")))
	writeFile(t, filepath.Join(old, "a", "x.yaml"), "x\n")
	writeFile(t, filepath.Join(old, "b", "c", "y.yaml"), "y\n")
	writeFile(t, filepath.Join(old, "a", "added.txt"), "mine\n")
	writeFile(t, filepath.Join(ws, "outside", "z.yaml"), "precious\n")
	symlink(t, filepath.Join(ws, "outside"), filepath.Join(old, "l"))
	err := removeRender(old, []string{"a/x.yaml", "b/c/y.yaml", "l/z.yaml"})
	if err == nil {
		t.Fatal("no error, yet a foreign file and a link remain")
	}
	want := map[string]string{
		".":                   "dir",
		"old":                 "dir",
		"old/" + ManifestName: "-rw-r--r-- " + string(EncodeManifest([]string{"a/x.yaml", "b/c/y.yaml", "l/z.yaml"}, "dev")),
		"old/a":               "dir",
		"old/b":               "dir",
		"old/b/c":             "dir",
		"old/a/added.txt":     "-rw-r--r-- mine\n",
		"old/l":               "link -> " + filepath.Join(ws, "outside"),
		"outside":             "dir",
		"outside/z.yaml":      "-rw-r--r-- precious\n",
	}
	if diff := cmp.Diff(want, tree(t, ws)); diff != "" {
		t.Errorf("after removeRender (-want +got):\n%s", diff)
	}

	// Without the link, the error names what kept the directory.
	if err := os.Remove(filepath.Join(old, "l")); err != nil {
		t.Fatal(err)
	}
	err = removeRender(old, []string{"a/x.yaml"})
	if err == nil || !strings.Contains(err.Error(), old+" was kept: it holds a, which the previous render's list does not name") {
		t.Errorf("err = %v", err)
	}
}
