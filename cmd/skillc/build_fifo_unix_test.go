//go:build unix

package main

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestBuildRefusesFIFO: a FIFO listed as a resource would block kustomize's read forever.
func TestBuildRefusesFIFO(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "kustomization.yaml"), "resources: [pipe.yaml]\n")
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.yaml"), 0o600); err != nil {
		t.Skip("mkfifo:", err)
	}
	out, stderr, code := execute(t, "build", dir)
	if code != 2 || out != "" || !strings.Contains(stderr, filepath.Join(dir, "pipe.yaml")+": not a regular file (p---------): not read by skillc build") {
		t.Fatalf("exit %d, stdout %q; stderr:\n%s", code, out, stderr)
	}
}
