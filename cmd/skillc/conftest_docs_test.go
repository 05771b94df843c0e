package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestConftestCommandsScanAllNamespaces: conftest evaluates only package main unless told
// otherwise, so a documented or scripted `conftest test` without --all-namespaces over skillc's
// library reports "0 tests" and passes. Every one we ship carries the flag.
func TestConftestCommandsScanAllNamespaces(t *testing.T) {
	files := []string{"README.md", "Makefile", "cmd/skillc-bench/main.go"}
	for _, pattern := range []string{"docs/*.md", ".github/workflows/*.yaml", "kustomize/*/*.yaml", "kustomize/*/*/*.yaml", "kustomize/*/*.md"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	// A command line: "conftest test ..." in text, or the words of an exec in Go ("test", ...).
	call := regexp.MustCompile(`conftest"?\)?,?\s+"?test\b[^\n]*`)
	found, inDocs := 0, 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllString(string(data), -1) {
			found++
			if strings.HasPrefix(f, "docs"+string(filepath.Separator)) {
				inDocs++
			}
			if !strings.Contains(m, "--all-namespaces") {
				t.Errorf("%s: %q lacks --all-namespaces: conftest would check only package main and pass", f, m)
			}
		}
	}
	if inDocs == 0 {
		t.Error("no conftest command in docs/*.md: the conftest recipe (docs/policy.md) moved, so this test no longer reads it")
	}
	if found < 3 {
		t.Fatalf("found %d conftest commands; the pattern no longer matches how they are written", found)
	}
}
