package policy

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfinedFolder: a policy folder named by a kustomization, package or config (Base set) is
// read through internal/confine, one part at a time: a link anywhere in it is refused when the
// folder is read, not only when it was checked (a link swapped in between would be followed).
// A folder the user named (Base empty) is followed if it is a link, as conftest -p follows it.
func TestConfinedFolder(t *testing.T) {
	base := t.TempDir()
	outside := t.TempDir()
	policy := "package team\n\nimport rego.v1\n\ndeny contains msg if {\n\tinput.kind == \"Nope\"\n\tmsg := \"no\"\n}\n"
	for _, d := range []string{filepath.Join(base, "real"), outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "team.rego"), []byte(policy), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(outside, filepath.Join(base, "link")); err != nil {
		t.Skip("symlinks:", err)
	}
	if err := os.Symlink(base, filepath.Join(base, "up")); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		folder Folder
		want   string // "" for no error
	}{
		{"a folder inside", Folder{Base: base, Rel: "real"}, ""},
		{"a file inside", Folder{Base: base, Rel: "real/team.rego"}, ""},
		{"a link to outside", Folder{Base: base, Rel: "link"}, "is a symlink"},
		{"a link among the parts", Folder{Base: base, Rel: "up/real"}, "symlink"},
		{"a file below a link", Folder{Base: base, Rel: "link/team.rego"}, "symlink"},
		{"the user named the link", Folder{Rel: filepath.Join(base, "link")}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewFolders(context.Background(), map[string]any{}, tt.folder)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
