package source

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFirstLinkBelow(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "a", "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "a"), filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	for rel, want := range map[string]string{
		".":           "",
		"a/b":         "",
		"a/missing/c": "", // the reader reports what is missing
		"link":        filepath.Join(root, "link"),
		"link/b":      filepath.Join(root, "link"),
		"./a/../link": filepath.Join(root, "link"),
	} {
		if got := FirstLinkBelow(root, filepath.FromSlash(rel)); got != want {
			t.Errorf("FirstLinkBelow(%q) = %q, want %q", rel, got, want)
		}
	}
	// root itself may be a link: it was named.
	if got := FirstLinkBelow(filepath.Join(root, "link"), "b"); got != "" {
		t.Errorf("FirstLinkBelow(link root) = %q, want \"\"", got)
	}
}
