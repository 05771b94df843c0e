package krm

import (
	"os"
	"path/filepath"
	"testing"
)

// TestRelative: kustomize's absolute paths are named as the user names them; other absolute
// paths, and paths that only start with the same letters, are left alone.
func TestRelative(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(wd, "overlays", "prod")
	f := &buildFS{root: root, display: "./overlays/prod/"}
	for _, tc := range []struct{ in, want string }{
		{"evalsymlink failure on '" + root + "/missing.yaml' : lstat " + root + "/missing.yaml: no such file",
			"evalsymlink failure on 'overlays/prod/missing.yaml' : lstat overlays/prod/missing.yaml: no such file"},
		{"must build at directory: '" + root + "': file is not directory", "must build at directory: 'overlays/prod': file is not directory"},
		{"in " + wd + "/base/x.yaml, ok", "in base/x.yaml, ok"},
		{"'" + root + "2/x.yaml'", "'overlays/prod2/x.yaml'"}, // under the working directory, not DIR
		{"'" + wd + "2/x.yaml'", "'" + wd + "2/x.yaml'"},      // beside it: left alone
		{"'/etc/passwd'", "'/etc/passwd'"},
		{"id=" + root + "/a.yaml", "id=overlays/prod/a.yaml"},
	} {
		if got := f.relative(tc.in); got != tc.want {
			t.Errorf("relative(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}
