package main

import (
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/skillc-dev/skillc/render"
)

// The "nothing lost" rules of every writing command (issue 11): a writer removes or replaces only
// files it wrote, never through a link, never an input. Each reproducer of the issue is a case
// here; each failed on the writer that renamed DIR aside and removed it whole.

// workspace is a scratch tree: src/ (a source that compiles cleanly, no warnings), pkgs/ (SKILL.md
// packages with extra files) and outside/ (what a link may point at: it must never change).
func workspace(t *testing.T) string {
	t.Helper()
	ws := t.TempDir()
	copyTree(t, "fixtures/seed-minimal", filepath.Join(ws, "src"))
	copyTree(t, "fixtures/skill-packages/packages", filepath.Join(ws, "pkgs"))
	writeFile(t, filepath.Join(ws, "outside", "precious.txt"), "do not touch\n")
	writeFile(t, filepath.Join(ws, "outside", "sub", "more.txt"), "nor this\n")
	return ws
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		writeFile(t, filepath.Join(to, rel), string(data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// assertKept fails for every entry of before that is gone or changed in after.
func assertKept(t *testing.T, before, after map[string]string) {
	t.Helper()
	for _, p := range slices.Sorted(maps.Keys(before)) {
		if got, ok := after[p]; !ok {
			t.Errorf("%s was removed", p)
		} else if got != before[p] {
			t.Errorf("%s changed: %.60q -> %.60q", p, before[p], got)
		}
	}
}

// TestOutputRefusals: every DIR a writer must not replace or write through is refused with exit
// 2, nothing on stdout, one line "DIR: message" last on stderr, and the workspace (inputs, DIR, the
// targets of links) byte for byte as it was.
func TestOutputRefusals(t *testing.T) {
	renderTo := func(t *testing.T, ws, dir string) {
		t.Helper()
		if _, stderr, code := execute(t, "compile", "-o", dir, filepath.Join(ws, "src")); code != 0 {
			t.Fatalf("render: exit %d: %s", code, stderr)
		}
	}
	tests := []struct {
		name  string
		setup func(t *testing.T, ws string) // prepares DIR = ws/out unless args say otherwise
		args  func(ws string) []string
		want  string // the message after "DIR: "
	}{
		{
			name:  "compile -o a symlink to a directory outside",
			setup: func(t *testing.T, ws string) { symlink(t, filepath.Join(ws, "outside"), filepath.Join(ws, "out")) },
			want:  "is a symlink: skillc never writes or removes through a link; give the directory's real path",
		},
		{
			name:  "compile -o a relative symlink to the parent (rendered -> ..)",
			setup: func(t *testing.T, ws string) { symlink(t, "..", filepath.Join(ws, "out")) },
			want:  "is a symlink",
		},
		{
			name:  "compile --verify -o a symlink",
			setup: func(t *testing.T, ws string) { symlink(t, filepath.Join(ws, "outside"), filepath.Join(ws, "out")) },
			args: func(ws string) []string {
				return []string{"compile", "--verify", "-o", filepath.Join(ws, "out"), filepath.Join(ws, "src")}
			},
			want: "is a symlink",
		},
		{
			name:  "import -o a symlink",
			setup: func(t *testing.T, ws string) { symlink(t, filepath.Join(ws, "outside"), filepath.Join(ws, "out")) },
			args: func(ws string) []string {
				return []string{"import", filepath.Join(ws, "pkgs"), "-o", filepath.Join(ws, "out")}
			},
			want: "is a symlink",
		},
		{
			name:  "export -o a symlink",
			setup: func(t *testing.T, ws string) { symlink(t, filepath.Join(ws, "outside"), filepath.Join(ws, "out")) },
			args: func(ws string) []string {
				return []string{"export", filepath.Join(ws, "src"), "-o", filepath.Join(ws, "out")}
			},
			want: "is a symlink",
		},
		{
			name:  "an unrelated file in DIR",
			setup: func(t *testing.T, ws string) { writeFile(t, filepath.Join(ws, "out", "notes.txt"), "mine\n") },
			want:  "holds notes.txt, which skillc did not write: skillc replaces only an empty directory or a render it wrote (listed in .skillc-render); move what is yours elsewhere, or choose another DIR",
		},
		{
			name:  "a hidden file in DIR",
			setup: func(t *testing.T, ws string) { writeFile(t, filepath.Join(ws, "out", ".env"), "TOKEN=x\n") },
			want:  "holds .env, which skillc did not write",
		},
		{
			name: "a .git in DIR",
			setup: func(t *testing.T, ws string) {
				writeFile(t, filepath.Join(ws, "out", ".git", "HEAD"), "ref: refs/heads/main\n")
			},
			want: "holds .git/, which skillc did not write",
		},
		{
			name: "a foreign file added to a render",
			setup: func(t *testing.T, ws string) {
				renderTo(t, ws, filepath.Join(ws, "out"))
				writeFile(t, filepath.Join(ws, "out", "default", "README.md"), "hand-written\n")
			},
			want: "holds default/README.md, which skillc did not write",
		},
		{
			name: "--verify on a render with a foreign file",
			setup: func(t *testing.T, ws string) {
				renderTo(t, ws, filepath.Join(ws, "out"))
				writeFile(t, filepath.Join(ws, "out", "default", "README.md"), "hand-written\n")
			},
			args: func(ws string) []string {
				return []string{"compile", "--verify", "-o", filepath.Join(ws, "out"), filepath.Join(ws, "src")}
			},
			want: "holds default/README.md, which skillc did not write",
		},
		{
			name: "a listed file replaced by a link to outside",
			setup: func(t *testing.T, ws string) {
				renderTo(t, ws, filepath.Join(ws, "out"))
				f := filepath.Join(ws, "out", "default", "serviceaccount-sympozium-agent.yaml")
				if err := os.Remove(f); err != nil {
					t.Fatal(err)
				}
				symlink(t, filepath.Join(ws, "outside", "precious.txt"), f)
			},
			want: "holds default/serviceaccount-sympozium-agent.yaml (a symlink), which skillc did not write",
		},
		{
			name: "a manifest that lists a path outside DIR",
			setup: func(t *testing.T, ws string) {
				writeFile(t, filepath.Join(ws, "out", render.ManifestName), render.ManifestHeader+"\n../outside/precious.txt\n")
			},
			want: `.skillc-render:2: "../outside/precious.txt" is not a path a render writes: skillc cannot tell its files from yours`,
		},
		{
			name:  "a file named like the manifest that is not one",
			setup: func(t *testing.T, ws string) { writeFile(t, filepath.Join(ws, "out", render.ManifestName), "notes\n") },
			want:  `.skillc-render:1: not a skillc render manifest (the first line is not "# skillc-render v1")`,
		},
		{
			name: "a render without manifest with a file skillc did not label",
			setup: func(t *testing.T, ws string) {
				renderTo(t, ws, filepath.Join(ws, "out"))
				if err := os.Remove(filepath.Join(ws, "out", render.ManifestName)); err != nil {
					t.Fatal(err)
				}
				writeFile(t, filepath.Join(ws, "out", "default", "job-x.yaml"), "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: x\n  namespace: default\n")
			},
			want: "holds default/job-x.yaml, which skillc did not write",
		},
		{
			name: "a render without manifest with a labelled object at another object's path",
			setup: func(t *testing.T, ws string) {
				renderTo(t, ws, filepath.Join(ws, "out"))
				if err := os.Remove(filepath.Join(ws, "out", render.ManifestName)); err != nil {
					t.Fatal(err)
				}
				sa, err := os.ReadFile(filepath.Join(ws, "out", "default", "serviceaccount-sympozium-agent.yaml"))
				if err != nil {
					t.Fatal(err)
				}
				writeFile(t, filepath.Join(ws, "out", "default", "serviceaccount-other.yaml"), string(sa))
			},
			want: "holds default/serviceaccount-other.yaml, which skillc did not write",
		},
		{
			name: "-o src src: DIR is the input",
			args: func(ws string) []string {
				return []string{"compile", "-o", filepath.Join(ws, "src"), filepath.Join(ws, "src")}
			},
			want: "is the input path " + "WS/src: skillc never writes over its inputs",
		},
		{
			name: "DIR inside the input",
			args: func(ws string) []string {
				return []string{"compile", "-o", filepath.Join(ws, "src", "rendered"), filepath.Join(ws, "src")}
			},
			want: "is inside the input path WS/src: skillc never writes into its inputs (a later run would read the output as input)",
		},
		{
			name: "DIR contains the input",
			args: func(ws string) []string { return []string{"compile", "-o", ws, filepath.Join(ws, "src")} },
			want: "contains the input path WS/src: skillc never writes over its inputs",
		},
		{
			name:  "DIR reached through a link to the input",
			setup: func(t *testing.T, ws string) { symlink(t, "src", filepath.Join(ws, "alias")) },
			args: func(ws string) []string {
				return []string{"compile", "-o", filepath.Join(ws, "alias", "out"), filepath.Join(ws, "src")}
			},
			want: "is inside the input path WS/src",
		},
		{
			name: "import pkgs -o pkgs",
			args: func(ws string) []string {
				return []string{"import", filepath.Join(ws, "pkgs"), "-o", filepath.Join(ws, "pkgs")}
			},
			want: "is the input path WS/pkgs",
		},
		{
			name: "export -o into the input",
			args: func(ws string) []string {
				return []string{"export", filepath.Join(ws, "pkgs"), "-o", filepath.Join(ws, "pkgs", "dist")}
			},
			want: "is inside the input path WS/pkgs",
		},
		{
			name:  "-o out.yaml: a regular file at DIR",
			setup: func(t *testing.T, ws string) { writeFile(t, filepath.Join(ws, "out"), "my: file\n") },
			want:  "is a file, not a directory: skillc will not replace it; choose another DIR",
		},
		{
			name:  "export -o a regular file",
			setup: func(t *testing.T, ws string) { writeFile(t, filepath.Join(ws, "out"), "my: file\n") },
			args: func(ws string) []string {
				return []string{"export", filepath.Join(ws, "src"), "-o", filepath.Join(ws, "out")}
			},
			want: "is a file, not a directory",
		},
		{
			name: "an empty compile over a render",
			setup: func(t *testing.T, ws string) {
				renderTo(t, ws, filepath.Join(ws, "out"))
				if err := os.Mkdir(filepath.Join(ws, "moved"), 0o755); err != nil {
					t.Fatal(err)
				}
			},
			args: func(ws string) []string {
				return []string{"compile", "-o", filepath.Join(ws, "out"), filepath.Join(ws, "moved")}
			},
			want: "holds a render of 3 file(s), and the inputs compile to no objects: replacing it would make Argo CD or Flux delete every object at the next sync; check the input paths, or pass --allow-empty",
		},
		{
			name: "--verify with an empty compile over a render",
			setup: func(t *testing.T, ws string) {
				renderTo(t, ws, filepath.Join(ws, "out"))
				if err := os.Mkdir(filepath.Join(ws, "moved"), 0o755); err != nil {
					t.Fatal(err)
				}
			},
			args: func(ws string) []string {
				return []string{"compile", "--verify", "-o", filepath.Join(ws, "out"), filepath.Join(ws, "moved")}
			},
			want: "holds a render of 3 file(s), and the inputs compile to no objects",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := workspace(t)
			if tt.setup != nil {
				tt.setup(t, ws)
			}
			args := []string{"compile", "-o", filepath.Join(ws, "out"), filepath.Join(ws, "src")}
			if tt.args != nil {
				args = tt.args(ws)
			}
			dir := args[slices.Index(args, "-o")+1]
			before := tree(t, ws)
			stdout, stderr, code := execute(t, args...)
			if code != 2 || stdout != "" {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit 2 and no output", code, stdout, stderr)
			}
			lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
			last := strings.ReplaceAll(lines[len(lines)-1], ws, "WS")
			wantPrefix := strings.ReplaceAll(dir, ws, "WS") + ": " + tt.want
			if !strings.HasPrefix(last, wantPrefix) {
				t.Errorf("stderr's last line\n%s\nwant it to start with\n%s", last, wantPrefix)
			}
			if diff := cmp.Diff(before, tree(t, ws)); diff != "" {
				t.Errorf("the workspace changed (-before +after):\n%s", diff)
			}
		})
	}
}

// TestOutputOfWorkingTree: `-o "$PWD"` and `-o .` with the sources in the working tree are
// refused, and nothing in the tree changes.
func TestOutputOfWorkingTree(t *testing.T) {
	ws := workspace(t)
	writeFile(t, filepath.Join(ws, ".git", "HEAD"), "ref: refs/heads/main\n")
	before := tree(t, ws)
	t.Chdir(ws)
	for _, dir := range []string{ws, ".", "./"} {
		_, stderr, code := execute(t, "compile", "-o", dir, "src")
		if code != 2 || !strings.Contains(stderr, dir+": contains the input path src") {
			t.Errorf("-o %s: exit %d, stderr %q", dir, code, stderr)
		}
	}
	// With the sources elsewhere, the tree is still not a render: .git is named.
	_, stderr, code := execute(t, "compile", "-o", ws, filepath.Join(t.TempDir(), "none"))
	if code != 2 {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	other := t.TempDir()
	copyTree(t, filepath.Join(ws, "src"), other)
	_, stderr, code = execute(t, "compile", "-o", ws, other)
	// The others: outside/precious.txt, outside/sub/, pkgs/pdf-tools/, pkgs/ticket-triage/,
	// src/input.yaml (src/ and pkgs/ look like namespace folders of an old render; their files do not).
	if code != 2 || !strings.Contains(stderr, ws+": holds .git/, which skillc did not write, and 5 more: ") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if diff := cmp.Diff(before, tree(t, ws)); diff != "" {
		t.Errorf("the working tree changed (-before +after):\n%s", diff)
	}
	if _, stderr, code := execute(t, "compile", "-o", "/", other); code != 2 || !strings.Contains(stderr, "/: is the root directory") {
		t.Errorf("-o /: exit %d, stderr %q", code, stderr)
	}
}

// TestNothingLost walks every command that writes over a DIR full of things skillc did not write
// (unrelated and hidden files, a .git, links to outside, a committed folder with a temporary
// directory's name beside DIR) and checks that no entry it did not write is removed or changed,
// anywhere in the workspace: compile -o and --verify refuse; import and export add their files
// and leave everything else alone.
func TestNothingLost(t *testing.T) {
	foreign := func(t *testing.T, ws, dir string) {
		writeFile(t, filepath.Join(dir, "notes.txt"), "mine\n")
		writeFile(t, filepath.Join(dir, ".hidden"), "secret\n")
		writeFile(t, filepath.Join(dir, ".git", "HEAD"), "ref: refs/heads/main\n")
		writeFile(t, filepath.Join(dir, ".git", "objects", "ab", "cdef"), "blob\n")
		writeFile(t, filepath.Join(dir, "default", "keep.yaml"), "kind: Mine\n")
		writeFile(t, filepath.Join(dir, "sub", "deeper", ".keep"), "")
		symlink(t, filepath.Join(ws, "outside"), filepath.Join(dir, "link-out"))
		symlink(t, filepath.Join(ws, "outside", "precious.txt"), filepath.Join(dir, "default", "file-link.yaml"))
		symlink(t, "../..", filepath.Join(dir, "sub", "up"))
		// A committed folder named like our temporary directories: the leftover sweep must keep it.
		writeFile(t, filepath.Join(filepath.Dir(dir), "."+filepath.Base(dir)+render.TmpMarker+"committed", "ns", "a.yaml"), "a: 1\n")
	}
	tests := []struct {
		name     string
		args     func(ws, dir string) []string
		wantCode int
		render   bool // DIR is first a real render, with the foreign entries added into it
	}{
		{"compile -o", func(ws, dir string) []string { return []string{"compile", "-o", dir, filepath.Join(ws, "src")} }, 2, false},
		{"compile -o over a render with foreign files", func(ws, dir string) []string {
			return []string{"compile", "-o", dir, filepath.Join(ws, "src")}
		}, 2, true},
		{"compile --allow-empty -o over a render with foreign files", func(ws, dir string) []string {
			return []string{"compile", "--allow-empty", "-o", dir, filepath.Join(ws, "outside", "sub")}
		}, 2, true},
		{"compile --verify -o", func(ws, dir string) []string {
			return []string{"compile", "--verify", "-o", dir, filepath.Join(ws, "src")}
		}, 2, true},
		{"import -o", func(ws, dir string) []string { return []string{"import", filepath.Join(ws, "pkgs"), "-o", dir} }, 0, false},
		{"import --force -o", func(ws, dir string) []string {
			return []string{"import", "--force", filepath.Join(ws, "pkgs"), "-o", dir}
		}, 0, false},
		{"export -o", func(ws, dir string) []string {
			return []string{"export", filepath.Join(ws, "pkgs"), "-o", dir, "--zip"}
		}, 0, false},
		{"export --force -o", func(ws, dir string) []string {
			return []string{"export", "--force", filepath.Join(ws, "pkgs"), "-o", dir}
		}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws := workspace(t)
			dir := filepath.Join(ws, "out")
			if tt.render {
				if _, stderr, code := execute(t, "compile", "-o", dir, filepath.Join(ws, "src")); code != 0 {
					t.Fatalf("render: exit %d: %s", code, stderr)
				}
			}
			foreign(t, ws, dir)
			before := tree(t, ws)
			stdout, stderr, code := execute(t, tt.args(ws, dir)...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stdout %q, stderr %q", code, tt.wantCode, stdout, stderr)
			}
			after := tree(t, ws)
			assertKept(t, before, after)
			added := 0
			for p := range after {
				if _, ok := before[p]; !ok {
					added++
					if !strings.HasPrefix(p, "out/") {
						t.Errorf("%s written outside DIR", p)
					}
				}
			}
			if tt.wantCode != 0 && added > 0 {
				t.Errorf("a refused run added %d entries", added)
			}
			if tt.wantCode == 0 && added == 0 {
				t.Error("nothing was written")
			}
		})
	}
}

// TestRenderReplacement: what a writer may replace it replaces, and removes only its own files:
// an empty DIR, a render with its manifest (an object that left the sources leaves DIR), a render
// written before manifests (recognised by layout and label), and with --allow-empty an empty
// compile over a render.
func TestRenderReplacement(t *testing.T) {
	ws := workspace(t)
	out := filepath.Join(ws, "out")
	compileTo := func(args ...string) {
		t.Helper()
		if _, stderr, code := execute(t, append([]string{"compile", "-o", out}, args...)...); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
	}
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	compileTo("fixtures/seed-k8s-ops") // an empty DIR is replaced
	want := seedK8sOpsRender
	if diff := cmp.Diff(want, listFiles(t, out)); diff != "" {
		t.Fatalf("files (-want +got):\n%s", diff)
	}
	manifest, err := os.ReadFile(filepath.Join(out, render.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	if wantManifest := render.ManifestHeader + "\n# Written by skillc dev. skillc compile -o replaces or removes only the files listed here. Do not edit.\n" + strings.Join(want[1:], "\n") + "\n"; string(manifest) != wantManifest {
		t.Errorf("manifest:\n%s\nwant\n%s", manifest, wantManifest)
	}

	compileTo(filepath.Join(ws, "src")) // a render with a manifest: the old objects leave
	if got := listFiles(t, out); len(got) != 4 || got[0] != render.ManifestName || !strings.HasPrefix(got[1], "default/") {
		t.Errorf("after recompile: %v", got)
	}

	// A render from before manifests: the same files, no manifest.
	if err := os.Remove(filepath.Join(out, render.ManifestName)); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := execute(t, "compile", "--verify", "-o", out, filepath.Join(ws, "src")); code != 0 {
		t.Errorf("--verify of a render without a manifest: exit %d: %s", code, stderr)
	}
	compileTo("fixtures/seed-k8s-ops")
	if diff := cmp.Diff(want, listFiles(t, out)); diff != "" {
		t.Errorf("legacy render replaced (-want +got):\n%s", diff)
	}

	empty := filepath.Join(ws, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := execute(t, "compile", "--verify", "--allow-empty", "-o", out, empty)
	if code != 1 || !strings.Contains(stdout, "extra (compile would remove):") || !strings.Contains(stderr, "0 changed, 0 missing, 7 extra") {
		t.Errorf("--verify --allow-empty: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	compileTo("--allow-empty", empty)
	if got := listFiles(t, out); len(got) != 1 || got[0] != render.ManifestName {
		t.Errorf("after an allowed empty compile: %v", got)
	}
	compileTo(empty) // empty over empty needs no flag
	if _, stderr, code := execute(t, "compile", "--allow-empty", "fixtures/seed-minimal"); code != 2 || !strings.Contains(stderr, "--allow-empty needs -o DIR") {
		t.Errorf("--allow-empty without -o: exit %d, %q", code, stderr)
	}
	if entries, _ := os.ReadDir(ws); len(entries) != 5 { // src pkgs outside out empty
		t.Errorf("leftovers in the workspace: %v", entries)
	}
}

// TestCheckManifest: --verify compares the manifest by the paths it lists, not by the skillc
// version that wrote it; a manifest listing a file the compile does not write is stale.
func TestCheckManifest(t *testing.T) {
	ws := workspace(t)
	out := filepath.Join(ws, "out")
	src := filepath.Join(ws, "src")
	if _, stderr, code := execute(t, "compile", "-o", out, src); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	replaceInFile(t, filepath.Join(out, render.ManifestName), "skillc dev.", "skillc v0.0.1.")
	if _, stderr, code := execute(t, "compile", "--verify", "-o", out, src); code != 0 {
		t.Errorf("another version's manifest: exit %d: %s", code, stderr)
	}
	appendToFile(t, filepath.Join(out, render.ManifestName), "default/job-gone.yaml\n")
	stdout, stderr, code := execute(t, "compile", "--verify", "-o", out, src)
	if code != 1 || !strings.Contains(stdout, "changed:\n  "+filepath.ToSlash(out)+"/"+render.ManifestName+"\n") || !strings.Contains(stdout, "-default/job-gone.yaml\n") {
		t.Errorf("a manifest listing a stale path: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestImportExportAddOnly: import and export add files; an identical file is not rewritten, a
// different one is refused (nothing written) unless --force, which replaces only that name (a
// link there, never its target); nothing is removed; a folder that is a link is refused even
// with --force.
func TestImportExportAddOnly(t *testing.T) {
	ws := workspace(t)
	out := filepath.Join(ws, "out")
	exportTo := func(extra ...string) (string, int) {
		_, stderr, code := execute(t, append([]string{"export", filepath.Join(ws, "pkgs"), "-o", out}, extra...)...)
		return stderr, code
	}
	if stderr, code := exportTo(); code != 0 {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	skill := filepath.Join(out, "pdf-tools", "SKILL.md")
	fi1, err := os.Stat(skill)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(out, "pdf-tools", "mine.txt"), "kept\n")
	if stderr, code := exportTo(); code != 0 {
		t.Fatalf("re-export: exit %d: %s", code, stderr)
	}
	if fi2, err := os.Stat(skill); err != nil || !os.SameFile(fi1, fi2) {
		t.Errorf("an identical file was rewritten (%v)", err)
	}

	// A different file: refused, naming it, and nothing is written (not even the missing ones).
	replaceInFile(t, skill, "name: pdf-tools", "name: pdf-tools # edited")
	if err := os.Remove(filepath.Join(out, "ticket-triage", "SKILL.md")); err != nil {
		t.Fatal(err)
	}
	before := tree(t, ws)
	stderr, code := exportTo()
	if code != 2 || !strings.HasSuffix(stderr, out+": pdf-tools/SKILL.md exists and differs from what would be written: nothing was written; pass --force to replace it\n") {
		t.Errorf("conflict: exit %d, stderr %q", code, stderr)
	}
	if diff := cmp.Diff(before, tree(t, ws)); diff != "" {
		t.Errorf("a refused export changed the workspace:\n%s", diff)
	}

	// --force replaces the edited file, and a link at a target name is replaced itself.
	if err := os.Remove(filepath.Join(out, "pdf-tools", "scripts", "extract.py")); err != nil {
		t.Fatal(err)
	}
	symlink(t, filepath.Join(ws, "outside", "precious.txt"), filepath.Join(out, "pdf-tools", "scripts", "extract.py"))
	outside := tree(t, filepath.Join(ws, "outside"))
	if stderr, code := exportTo("--force"); code != 0 {
		t.Fatalf("--force: exit %d: %s", code, stderr)
	}
	if diff := cmp.Diff(outside, tree(t, filepath.Join(ws, "outside"))); diff != "" {
		t.Errorf("--force wrote through a link:\n%s", diff)
	}
	after := tree(t, out)
	if strings.Contains(after["pdf-tools/SKILL.md"], "# edited") || !strings.HasPrefix(after["pdf-tools/scripts/extract.py"], "-rw") || after["pdf-tools/mine.txt"] != "-rw-r--r-- kept\n" || after["ticket-triage/SKILL.md"] == "" {
		t.Errorf("after --force: %v", after)
	}

	// A folder that is a link to outside: refused with or without --force.
	if err := os.RemoveAll(filepath.Join(out, "ticket-triage")); err != nil {
		t.Fatal(err)
	}
	symlink(t, filepath.Join(ws, "outside"), filepath.Join(out, "ticket-triage"))
	before = tree(t, ws)
	for _, force := range [][]string{nil, {"--force"}} {
		stderr, code := exportTo(force...)
		if code != 2 || !strings.HasSuffix(stderr, out+": ticket-triage is a symlink: skillc never writes through a link\n") {
			t.Errorf("link folder %v: exit %d, stderr %q", force, code, stderr)
		}
	}
	if diff := cmp.Diff(before, tree(t, ws)); diff != "" {
		t.Errorf("the workspace changed:\n%s", diff)
	}

	// import: the same writer.
	imported := filepath.Join(ws, "imported")
	writeFile(t, filepath.Join(imported, "pdf-tools.yaml"), "mine: true\n")
	_, stderr, code = execute(t, "import", filepath.Join(ws, "pkgs"), "-o", imported)
	if code != 2 || !strings.HasSuffix(stderr, imported+": pdf-tools.yaml exists and differs from what would be written: nothing was written; pass --force to replace it\n") {
		t.Errorf("import conflict: exit %d, stderr %q", code, stderr)
	}
	if got := listFiles(t, imported); len(got) != 1 {
		t.Errorf("a refused import wrote: %v", got)
	}
}

// TestStaleSweepKeepsForeign: the kill -9 sweep removes from a leftover only what its manifest
// lists (or the leftover when it is empty); a committed folder with our name and no manifest,
// and a foreign file inside a real leftover, are kept.
func TestStaleSweepKeepsForeign(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no flock: leftovers are left alone")
	}
	parent := t.TempDir()
	out := filepath.Join(parent, "rendered")
	committed := filepath.Join(parent, ".rendered"+render.TmpMarker+"x")
	writeFile(t, filepath.Join(committed, "ns", "a.yaml"), "a: 1\n")
	mixed := filepath.Join(parent, ".rendered"+render.TmpMarker+"123")
	writeFile(t, filepath.Join(mixed, "ns", "a.yaml"), "a: 1\n")
	writeFile(t, filepath.Join(mixed, "ns", "user.txt"), "mine\n")
	writeFile(t, filepath.Join(mixed, render.ManifestName), string(render.EncodeManifest([]string{"ns/a.yaml", "ns/b.yaml"}, "dev")))
	empty := filepath.Join(parent, ".rendered"+render.TmpMarker+"456")
	if err := os.Mkdir(empty, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := execute(t, "compile", "-o", out, "fixtures/seed-minimal"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got := tree(t, parent)
	for p := range got {
		if strings.HasPrefix(p, "rendered") {
			delete(got, p)
		}
	}
	want := map[string]string{
		".":                                    "dir",
		".rendered.skillc-tmp-x":               "dir",
		".rendered.skillc-tmp-x/ns":            "dir",
		".rendered.skillc-tmp-x/ns/a.yaml":     "-rw-r--r-- a: 1\n",
		".rendered.skillc-tmp-123":             "dir",
		".rendered.skillc-tmp-123/ns":          "dir",
		".rendered.skillc-tmp-123/ns/user.txt": "-rw-r--r-- mine\n",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("beside DIR (-want +got):\n%s", diff)
	}
}
