package render

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/skillc-dev/skillc/source"
)

// TestRenderFilesRefusals: the render's files are counted before any is opened, and a file is
// read only as the regular file it was when inspected: a link or a FIFO in its place is refused,
// never followed or opened.
func TestRenderFilesRefusals(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "outside.yaml"), "secret\n")
	if err := os.Symlink(filepath.Join(dir, "outside.yaml"), filepath.Join(dir, "link.yaml")); err != nil {
		t.Fatal(err)
	}
	many := make([]string, source.MaxDocuments+1)
	for i := range many {
		many[i] = "never-opened.yaml"
	}
	for _, tc := range []struct {
		name  string
		files []string
		want  string
	}{
		{"too many files", many, "holds a render of 200001 files, over the 200000 objects of compile's input limits: not a render skillc wrote"},
		{"a link in place of a file", []string{"link.yaml"}, "holds link.yaml (a symlink), which skillc did not write: skillc reads only the regular files it wrote"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := renderFiles(dir, &previous{exists: true, files: tc.files}, nil)
			if err == nil || err.Error() != tc.want {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}
