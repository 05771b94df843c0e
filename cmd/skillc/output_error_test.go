package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// enospc is a stdout on a full disk: every write fails.
type enospc struct{ writes int }

func (w *enospc) Write([]byte) (int, error) {
	w.writes++
	return 0, &fs.PathError{Op: "write", Path: "/dev/stdout", Err: syscall.ENOSPC}
}

// onlyFailureLine: stderr ends with the failure line, and says nothing else about the failure (no
// "bad input", no build line claiming that nothing was written); notes printed before it stay.
func onlyFailureLine(stderr, want string) bool {
	return strings.HasSuffix(stderr, want) && strings.Count(stderr, "skillc") == 1
}

// TestOutputFailureIsExit3: a stdout that cannot be written (a full disk; a closed pipe when
// SIGPIPE does not end the process) is not bad input: every command that writes stdout exits 3
// with one line saying so, after a single attempted write, and nothing else on stderr.
func TestOutputFailureIsExit3(t *testing.T) {
	kust := t.TempDir()
	writeFile(t, filepath.Join(kust, "kustomization.yaml"), "resources: [input.yaml]\n")
	writeFile(t, filepath.Join(kust, "input.yaml"), mustRead(t, "fixtures/seed-minimal/input.yaml"))
	commands := []struct {
		name  string
		args  []string
		stdin string
	}{
		{"compile", []string{"compile", "fixtures/seed-minimal"}, ""},
		{"check", []string{"check", "--format", "json", "fixtures/seed-minimal"}, ""},
		{"build", []string{"build", kust}, ""},
		{"fn", []string{"fn"}, resourceList("", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")},
		{"diff", diffArgs(filepath.Join("fixtures", "diff", "image-bump")), ""},
		{"version", []string{"version"}, ""},
	}
	for _, c := range commands {
		t.Run(c.name+"/ENOSPC", func(t *testing.T) {
			w := &enospc{}
			var stderr bytes.Buffer
			code := run(context.Background(), newRootCommand, c.args, strings.NewReader(c.stdin), w, &stderr)
			want := "skillc: writing stdout failed: no space left on device (the output is incomplete)\n"
			if code != 3 || !onlyFailureLine(stderr.String(), want) || w.writes != 1 {
				t.Errorf("exit %d, %d writes, stderr:\n%s\nwant exit 3, 1 write, stderr:\n%s", code, w.writes, stderr.String(), want)
			}
		})
		t.Run(c.name+"/EPIPE", func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			r.Close() // the reader is gone: writes fail with EPIPE (not fd 1, so no SIGPIPE)
			var stderr bytes.Buffer
			code := run(context.Background(), newRootCommand, c.args, strings.NewReader(c.stdin), w, &stderr)
			want := "skillc: writing stdout failed: broken pipe (the output is incomplete)\n"
			if code != 3 || !onlyFailureLine(stderr.String(), want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 3, stderr:\n%s", code, stderr.String(), want)
			}
		})
	}
	// The wrapper changes nothing when stdout works.
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), newRootCommand, []string{"version"}, strings.NewReader(""), &stdout, &stderr); code != 0 || !strings.HasPrefix(stdout.String(), "skillc ") {
		t.Errorf("version: exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
}
