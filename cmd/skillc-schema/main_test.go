package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/skillc-dev/skillc/compile/schema"
)

// TestRun: the command writes every schema where kubeconform's layout expects it, rewrites only
// what changed, and leaves other files in the directory alone.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	foreign := filepath.Join(dir, "sympozium.ai", "notes.txt")
	if err := os.MkdirAll(filepath.Dir(foreign), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(foreign, []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := run(dir, &out); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(out.String(), "wrote "); got != len(schema.Kinds) {
		t.Errorf("first run wrote %d files, want %d:\n%s", got, len(schema.Kinds), out.String())
	}
	for _, k := range schema.Kinds {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(k.Path()))); err != nil {
			t.Errorf("%s: %v", k.Kind, err)
		}
	}
	stale := filepath.Join(dir, filepath.FromSlash(schema.Kinds[0].Path()))
	if err := os.WriteFile(stale, []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(dir, &out); err != nil {
		t.Fatal(err)
	}
	if want := "wrote " + stale + "\n"; out.String() != want {
		t.Errorf("second run printed %q, want only %q", out.String(), want)
	}
	if b, _ := os.ReadFile(stale); string(b) == "{}\n" {
		t.Error("a stale schema was not rewritten")
	}
	if b, err := os.ReadFile(foreign); err != nil || string(b) != "mine\n" {
		t.Errorf("a file the command did not write was changed: %q, %v", b, err)
	}
}

// TestRunRefusesLink: a schema path that is a symlink is not written through.
func TestRunRefusesLink(t *testing.T) {
	dir, outside := t.TempDir(), filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(outside, []byte("keep\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, filepath.FromSlash(schema.Kinds[0].Path()))
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, link); err != nil {
		t.Fatal(err)
	}
	err := run(dir, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("got %v, want a refusal", err)
	}
	if b, _ := os.ReadFile(outside); string(b) != "keep\n" {
		t.Errorf("the link's target was overwritten: %q", b)
	}
}
