package confine

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skillc-dev/skillc/internal/memtest"
)

// tree makes files under a new folder: "->target" makes a symlink, "/" at the end a folder.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case strings.HasSuffix(name, "/"):
			err = os.MkdirAll(p, 0o755)
		case strings.HasPrefix(body, "->"):
			err = os.Symlink(body[2:], p)
		default:
			err = os.WriteFile(p, []byte(body), 0o644)
		}
		if err != nil {
			t.Skip(err)
		}
	}
	return dir
}

func open(t *testing.T, dir string) *Root {
	t.Helper()
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// TestReadFileRefusals: links below the root (to a file or a folder, outside or inside), `..` and
// absolute names are refused with the part that is the problem; a link's target is never read.
func TestReadFileRefusals(t *testing.T) {
	outside := tree(t, map[string]string{"secret": "SECRET"})
	dir := tree(t, map[string]string{
		"a/b/ok.yaml":  "ok",
		"a/dup.yaml":   "->b/ok.yaml", // inside, still not followed
		"out.yaml":     "->" + filepath.Join(outside, "secret"),
		"lib":          "->" + outside,
		"a/inner":      "->b",
		"a/dangling":   "->nowhere",
		"sub/dir/":     "",
		"sub/dir/x":    "x",
		"abs/relative": "->../../../../../../../../" + outside,
	})
	r := open(t, dir)
	for _, tc := range []struct {
		rel  string
		want any // the error's type, nil: read
		part string
	}{
		{rel: "a/b/ok.yaml"},
		{rel: "./a/../a/b/ok.yaml"}, // cleaned first: stays inside
		{rel: "a/dup.yaml", want: &LinkError{}, part: "a/dup.yaml"},
		{rel: "out.yaml", want: &LinkError{}, part: "out.yaml"},
		{rel: "lib/secret", want: &LinkError{}, part: "lib"},
		{rel: "a/inner/ok.yaml", want: &LinkError{}, part: "a/inner"},
		{rel: "a/dangling", want: &LinkError{}, part: "a/dangling"},
		{rel: "abs/relative", want: &LinkError{}, part: "abs/relative"},
		{rel: "../secret", want: &OutsideError{}},
		{rel: "a/../../secret", want: &OutsideError{}},
		{rel: filepath.Join(outside, "secret"), want: &OutsideError{}},
		{rel: "/etc/passwd", want: &OutsideError{}},
		{rel: "sub/dir", want: &NotRegularError{}, part: "sub/dir"},
		{rel: "missing/x", want: &fs.PathError{}},
	} {
		t.Run(tc.rel, func(t *testing.T) {
			data, err := r.ReadFile(filepath.FromSlash(tc.rel), 100)
			if tc.want == nil {
				if err != nil || string(data) != "ok" {
					t.Fatalf("ReadFile = %q, %v", data, err)
				}
				return
			}
			if bytes.Contains(data, []byte("SECRET")) || err == nil {
				t.Fatalf("ReadFile = %q, %v: want a refusal", data, err)
			}
			var got string
			switch tc.want.(type) {
			case *LinkError:
				var e *LinkError
				if !errors.As(err, &e) {
					t.Fatalf("err = %v, want a *LinkError", err)
				}
				got = e.Rel
			case *OutsideError:
				var e *OutsideError
				if !errors.As(err, &e) {
					t.Fatalf("err = %v, want an *OutsideError", err)
				}
			case *NotRegularError:
				var e *NotRegularError
				if !errors.As(err, &e) || !e.Mode.IsDir() {
					t.Fatalf("err = %v, want a *NotRegularError of a folder", err)
				}
				got = e.Rel
			case *fs.PathError:
				if !errors.Is(err, fs.ErrNotExist) {
					t.Fatalf("err = %v, want not found", err)
				}
			}
			if tc.part != "" && got != filepath.FromSlash(tc.part) {
				t.Errorf("refused %q, want %q", got, tc.part)
			}
		})
	}
	// The root itself may be a link: it was named.
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(filepath.Join(dir, "a"), link); err != nil {
		t.Skip(err)
	}
	if data, err := open(t, link).ReadFile(filepath.Join("b", "ok.yaml"), 100); err != nil || string(data) != "ok" {
		t.Errorf("through a named link: %q, %v", data, err)
	}
}

// TestSwappedForALink is the race of a check followed by an open by name: a file (or a folder) the
// walk saw as regular is swapped for a symlink after the look at it, before its open. The open
// refuses it: what it opened is not what was looked at, and the target is not read.
func TestSwappedForALink(t *testing.T) {
	outside := tree(t, map[string]string{"secret": "SECRET", "d/x": "SECRET"})
	for _, tc := range []struct{ name, read, swap, target string }{
		{"file, to a file outside", "a.yaml", "a.yaml", filepath.Join(outside, "secret")},
		{"file, to a file inside", "a.yaml", "a.yaml", "e/x"}, // os.Root alone would follow it
		{"folder, to a folder outside", filepath.Join("d", "x"), "d", filepath.Join(outside, "d")},
		{"folder, to a folder inside", filepath.Join("d", "x"), "d", "e"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := tree(t, map[string]string{"a.yaml": "ok", "d/x": "ok", "e/x": "SECRET"})
			r := open(t, dir)
			var seen []string
			err := r.Walk(".", func(rel string, d fs.DirEntry, err error) error {
				if err == nil && d.Type().IsRegular() {
					seen = append(seen, filepath.ToSlash(rel))
				}
				return err
			})
			if err != nil || strings.Join(seen, " ") != "a.yaml d/x e/x" {
				t.Fatalf("walk saw %v, %v", seen, err)
			}
			swapped := false
			beforeOpen = func(rel string) {
				if rel != tc.swap || swapped {
					return
				}
				swapped = true
				p := filepath.Join(dir, rel)
				if err := os.RemoveAll(p); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(tc.target, p); err != nil {
					t.Fatal(err)
				}
			}
			defer func() { beforeOpen = nil }()
			data, err := r.ReadFile(tc.read, 100)
			var le *LinkError
			if !swapped || !errors.As(err, &le) || le.Rel != tc.swap || data != nil {
				t.Errorf("swapped %v: ReadFile = %q, %v; want the link %s refused", swapped, data, err, tc.swap)
			}
			// And after it, the look sees the link.
			if _, err := r.ReadFile(tc.read, 100); !errors.As(err, &le) {
				t.Errorf("after the swap: %v", err)
			}
		})
	}
}

// TestFIFO: a FIFO is listed by the walk and refused by the open, which never blocks on it (also
// when it is swapped in after the look).
func TestFIFO(t *testing.T) {
	dir := tree(t, map[string]string{"a.yaml": "ok"})
	if err := mkfifo(filepath.Join(dir, "pipe.yaml")); err != nil {
		t.Skip(err)
	}
	r := open(t, dir)
	var ne *NotRegularError
	if _, err := r.ReadFile("pipe.yaml", 100); !errors.As(err, &ne) || ne.Mode&fs.ModeNamedPipe == 0 {
		t.Errorf("ReadFile(FIFO) = %v", err)
	}
	beforeOpen = func(rel string) {
		os.Remove(filepath.Join(dir, rel))
		if err := mkfifo(filepath.Join(dir, rel)); err != nil {
			t.Error(err)
		}
	}
	defer func() { beforeOpen = nil }()
	if _, err := r.ReadFile("a.yaml", 100); !errors.Is(err, ErrChanged) {
		t.Errorf("ReadFile(swapped for a FIFO) = %v, want ErrChanged", err)
	}
}

// TestTooLargeMemory: a file over max is refused by its size before it is read, one that grows
// past it at its byte max+1: never more than max+1 bytes are held.
func TestTooLargeMemory(t *testing.T) {
	memtest.Bounded(t)
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "huge"))
	if err == nil {
		err = f.Truncate(8 << 30) // sparse
		f.Close()
	}
	if err != nil {
		t.Skip(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "exact"), bytes.Repeat([]byte("x"), 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	r := open(t, dir)
	var err1, err2 error
	var data []byte
	n := memtest.Allocated(func() {
		_, err1 = r.ReadFile("huge", 1<<20)
		data, err2 = r.ReadFile("exact", 1<<20)
	})
	var te *TooLargeError
	if !errors.As(err1, &te) || te.Rel != "huge" || te.Max != 1<<20 {
		t.Errorf("huge: %v", err1)
	}
	if err2 != nil || len(data) != 1<<20 {
		t.Errorf("exact: %d bytes, %v", len(data), err2)
	}
	if n > 1<<20+64<<10 {
		t.Errorf("allocated %d bytes: want about one file of 1 MiB", n)
	}
	// Of unknown size (a pipe, stdin): refused at byte max+1, holding no more than that.
	big := bytes.NewReader(make([]byte, 64<<20))
	n = memtest.Allocated(func() { _, err1 = ReadLimited(big, "<stdin>", 1<<20) })
	if !errors.As(err1, &te) || te.Rel != "<stdin>" {
		t.Errorf("ReadLimited: %v", err1)
	}
	if n > 4<<20 {
		t.Errorf("ReadLimited allocated %d MiB", n>>20)
	}
	if rest := big.Len(); rest < 62<<20 {
		t.Errorf("ReadLimited read %d bytes of 64 MiB", 64<<20-rest)
	}
}

// TestSub: a Sub is confined as its parent is: reached through no link, and itself a Root.
func TestSub(t *testing.T) {
	outside := tree(t, map[string]string{"secret": "SECRET"})
	dir := tree(t, map[string]string{"p/q/x": "ok", "p/out": "->" + outside, "link": "->p"})
	r := open(t, dir)
	s, err := r.Sub("p")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Name() != filepath.Join(dir, "p") || s.Path(filepath.Join("q", "x")) != filepath.Join(dir, "p", "q", "x") {
		t.Errorf("Name %q", s.Name())
	}
	if data, err := s.ReadFile(filepath.Join("q", "x"), 10); err != nil || string(data) != "ok" {
		t.Errorf("Sub.ReadFile = %q, %v", data, err)
	}
	var le *LinkError
	var oe *OutsideError
	if _, err := s.ReadFile(filepath.Join("out", "secret"), 10); !errors.As(err, &le) || le.Rel != "out" {
		t.Errorf("a link below the Sub: %v", err)
	}
	if _, err := s.ReadFile(filepath.Join("..", "link", "q", "x"), 10); !errors.As(err, &oe) {
		t.Errorf("`..` out of the Sub: %v", err)
	}
	for _, rel := range []string{"link", filepath.Join("link", "q"), filepath.Join("p", "out")} {
		if _, err := r.Sub(rel); !errors.As(err, &le) {
			t.Errorf("Sub(%s) = %v, want a *LinkError", rel, err)
		}
	}
	if _, err := r.Sub(filepath.Join("p", "q", "x")); err == nil {
		t.Errorf("Sub of a file: no error")
	}
}

// TestWalk: the walk lists links as links, never follows one (a link to a parent folder cannot
// loop it), skips what it is told to, and names entries from the Root.
func TestWalk(t *testing.T) {
	outside := tree(t, map[string]string{"secret": "SECRET"})
	dir := tree(t, map[string]string{"a/x": "", "a/.hidden/y": "", "b/up": "->..", "b/out": "->" + outside, "c": ""})
	var got []string
	err := open(t, dir).Walk(".", func(rel string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		kind := "f"
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			kind = "l"
		case d.IsDir():
			kind = "d"
			if d.Name() == ".hidden" {
				return fs.SkipDir
			}
		}
		got = append(got, kind+":"+filepath.ToSlash(rel))
		return nil
	})
	want := "d:. d:a f:a/x d:b l:b/out l:b/up f:c"
	if err != nil || strings.Join(got, " ") != want {
		t.Errorf("walk = %v, %v\nwant %s", got, err, want)
	}
	var le *LinkError
	err = open(t, dir).Walk(filepath.Join("b", "up"), func(rel string, d fs.DirEntry, err error) error { return err })
	if !errors.As(err, &le) {
		t.Errorf("walk from a link: %v", err)
	}
}
