package scaffold

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRegistrations: skill-NAME is added once to the Makefile's IMAGES and to each workflow's
// image matrix, one line each; a list that already has it is left alone, and a continued IMAGES
// line is refused.
func TestRegistrations(t *testing.T) {
	for _, tt := range []struct {
		name, makefile, workflow string
		want                     []string // the edited files' contents, Makefile first
		wantErr                  string
	}{
		{"both", "IMAGES := skill-a\n", "    image: [skill-a]  # the images\n",
			[]string{"IMAGES := skill-a skill-new\n", "    image: [skill-a, skill-new]  # the images\n"}, ""},
		{"empty matrix", "IMAGES = skill-a\n", "    image: []\n",
			[]string{"IMAGES = skill-a skill-new\n", "    image: [skill-new]\n"}, ""},
		{"already there", "IMAGES := skill-new\n", "    image: [skill-new]\n", nil, ""},
		{"continued", "IMAGES := skill-a \\\n  skill-b\n", "", nil, "IMAGES continues over several lines"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			if err := os.WriteFile(filepath.Join(root, "Makefile"), []byte(tt.makefile), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Join(root, ".github", "workflows"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(root, ".github", "workflows", "build.yaml"), []byte(tt.workflow), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := registrations(root, "skill-new")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("%d edits, want %d", len(got), len(tt.want))
			}
			for i, p := range got {
				if !p.replace || string(p.data) != tt.want[i] {
					t.Errorf("%s: %q (replace %v), want %q", p.path, p.data, p.replace, tt.want[i])
				}
			}
		})
	}
}
