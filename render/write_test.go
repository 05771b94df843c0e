package render

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// TestWriterHonoursContext: a write whose context is already cancelled (the signal arrived before
// it began) or is cancelled while writing leaves DIR as it was and no temporary directory.
func TestWriterHonoursContext(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "rendered")
	files := map[string][]byte{"a/x.yaml": []byte("x: 1\n"), "b/y.yaml": []byte("y: 2\n")}
	if err := Write(context.Background(), out, files, Options{}); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, out)
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("terminated"))
	err := Write(ctx, out, map[string][]byte{"c/z.yaml": []byte("z: 3\n")}, Options{})
	if err == nil || !strings.Contains(err.Error(), "interrupted (terminated)") {
		t.Errorf("err = %v", err)
	}
	if snapshot(t, out) != before {
		t.Error("an interrupted write changed DIR")
	}
	assertOnlyEntry(t, parent, "rendered")
}

// TestStaleTempDirs: leftovers of a killed run are removed by the next write, but only directories
// with our name pattern that no live process holds locked; symlinks and other names are left alone.
func TestStaleTempDirs(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no flock: stale directories are left alone")
	}
	parent := t.TempDir()
	out := filepath.Join(parent, "rendered")
	mk := func(name string) string {
		p := filepath.Join(parent, name)
		if err := os.MkdirAll(filepath.Join(p, "ns"), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	stale := mk(".rendered.skillc-tmp-111")
	staleOld := mk(".rendered.skillc-tmp-222.old")
	for _, p := range []string{stale, staleOld} { // ours: the manifest lists what we wrote there
		if err := os.WriteFile(filepath.Join(p, "ns", "a.yaml"), []byte("a: 1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(p, ManifestName), EncodeManifest([]string{"ns/a.yaml"}, "dev"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	busy := mk(".rendered.skillc-tmp-333")
	other := mk(".other.skillc-tmp-444")     // another output's
	foreign := mk("rendered.skillc-tmp-555") // not hidden: not a name we create
	target := mk("precious")
	if err := os.Symlink(target, filepath.Join(parent, ".rendered.skillc-tmp-666")); err != nil {
		t.Fatal(err)
	}
	unlock, ok := tryLockDir(busy) // a live skillc writing: the same lock a writer holds
	if !ok {
		t.Fatal("cannot lock")
	}
	defer unlock()

	if err := Write(context.Background(), out, map[string][]byte{"a.yaml": []byte("a: 1\n")}, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{stale, staleOld} {
		if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("stale %s not removed (%v)", p, err)
		}
	}
	for _, p := range []string{busy, other, foreign, filepath.Join(target, "ns"), filepath.Join(parent, ".rendered.skillc-tmp-666")} {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("%s was removed: %v", p, err)
		}
	}
}

// TestForEach: every item is visited once; after a failure the first error is returned and the
// remaining items are skipped (a failed write stops the render instead of finishing it).
func TestForEach(t *testing.T) {
	items := make([]string, 1000)
	for i := range items {
		items[i] = strconv.Itoa(i)
	}
	var seen sync.Map
	if err := forEach(items, func(s string) error {
		if _, dup := seen.LoadOrStore(s, true); dup {
			t.Errorf("%s visited twice", s)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	n := 0
	seen.Range(func(any, any) bool { n++; return true })
	if n != len(items) {
		t.Errorf("visited %d of %d", n, len(items))
	}

	var calls atomic.Int64
	boom := errors.New("disk full")
	err := forEach(items, func(s string) error {
		calls.Add(1)
		if s == "10" {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want %v", err, boom)
	}
	if c := calls.Load(); c == int64(len(items)) {
		t.Errorf("all %d items were still visited after the failure", c)
	}
	if err := forEach(nil, func(string) error { return boom }); err != nil {
		t.Errorf("no items: %v", err)
	}
}

// TestConcurrentWriters: writers into one DIR serialise. Each of 12 renders, different in its
// files, is written at once 3 times over; every write succeeds, DIR ends as exactly one of them
// (with its manifest), and nothing else is left beside it: no temporary or .old directory.
func TestConcurrentWriters(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no flock: concurrent writers into one DIR are unsupported")
	}
	parent := t.TempDir()
	out := filepath.Join(parent, "rendered")
	const writers = 12
	renders := make([]map[string][]byte, writers)
	for i := range renders {
		renders[i] = map[string][]byte{}
		for j := range 20 + i { // each render has other files, so a mix of two shows
			renders[i]["ns-"+strconv.Itoa(j%3)+"/obj-"+strconv.Itoa(i)+"-"+strconv.Itoa(j)+".yaml"] = []byte("w: " + strconv.Itoa(i) + "\n")
		}
	}
	for round := range 3 {
		var wg sync.WaitGroup
		errs := make([]error, writers)
		for i := range writers {
			wg.Go(func() { errs[i] = Write(context.Background(), out, renders[i], Options{Version: "dev"}) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d: writer %d: %v", round, i, err)
			}
		}
		assertOnlyEntry(t, parent, "rendered")
		got, err := inspect(out)
		if err != nil {
			t.Fatal(err)
		}
		match := -1
		for i, r := range renders {
			if slices.Equal(got.files, slices.Sorted(maps.Keys(r))) {
				match = i
			}
		}
		if match < 0 {
			t.Fatalf("round %d: DIR holds %d files that are no one writer's render", round, len(got.files))
		}
		for rel, want := range renders[match] {
			if b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(rel))); err != nil || string(b) != string(want) {
				t.Fatalf("round %d: %s = %q, %v; want writer %d's %q", round, rel, b, err, match, want)
			}
		}
		var n int
		_ = filepath.WalkDir(out, func(_ string, d os.DirEntry, _ error) error {
			if !d.IsDir() {
				n++
			}
			return nil
		})
		if want := len(renders[match]) + 1; n != want { // + the manifest
			t.Fatalf("round %d: DIR holds %d files, want %d (writer %d's and the manifest)", round, n, want, match)
		}
	}
}

// TestRefusalLeavesNothing: a DIR skillc may not replace (a file of someone else's, a link in a
// render's folder) is refused by name, stays as it was, and no temporary directory is left beside
// it; with a reader that would fail too, the refusal is still what is said.
func TestRefusalLeavesNothing(t *testing.T) {
	files := map[string][]byte{}
	for i := range 300 {
		files["ns/job/run-"+strconv.Itoa(i)+".yaml"] = []byte("kind: Job\n")
	}
	for _, c := range []struct {
		name  string
		plant func(t *testing.T, out string)
		want  string
	}{
		{"a file of someone else's", func(t *testing.T, out string) {
			if err := os.WriteFile(filepath.Join(out, "notes.txt"), []byte("mine\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "holds notes.txt, which skillc did not write"},
		{"a link", func(t *testing.T, out string) {
			if err := os.Symlink("/etc/passwd", filepath.Join(out, "ns", "job", "run-0.yaml.bak")); err != nil {
				t.Skip(err)
			}
		}, "holds ns/job/run-0.yaml.bak (a symlink), which skillc did not write"},
	} {
		parent := t.TempDir()
		out := filepath.Join(parent, "rendered")
		if err := Write(context.Background(), out, files, Options{}); err != nil {
			t.Fatal(err)
		}
		c.plant(t, out)
		before := snapshot(t, out)
		err := Write(context.Background(), out, map[string][]byte{"ns/job/new.yaml": []byte("kind: Job\n")}, Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
		if snapshot(t, out) != before {
			t.Errorf("%s: a refused write changed DIR", c.name)
		}
		assertOnlyEntry(t, parent, "rendered")
		// The write itself fails too (a read error): DIR's refusal is still what is said.
		err = WriteFrom(context.Background(), out, []string{"ns/job/new.yaml"}, func() func(string) ([]byte, error) {
			return func(string) ([]byte, error) { return nil, errors.New("the spool is gone") }
		}, Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s, failed write: err = %v, want %q", c.name, err, c.want)
		}
		assertOnlyEntry(t, parent, "rendered")
	}
}
