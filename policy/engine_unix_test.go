//go:build unix

package policy

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestPolicyFolderRefusesFIFO: a FIFO named *.rego would block the read forever; it is refused
// without being opened.
func TestPolicyFolderRefusesFIFO(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ok.rego"), []byte("package a\n\nimport rego.v1\n\ndeny contains 1 if false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.rego"), 0o600); err != nil {
		t.Skip("mkfifo:", err)
	}
	_, err := New(context.Background(), map[string]any{}, dir)
	if err == nil || !strings.Contains(err.Error(), "pipe.rego: not a regular file") {
		t.Fatalf("got %v", err)
	}
}
