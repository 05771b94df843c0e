package main

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestOneExitPath: subcommands return their outcome; only exitCode (outcome.go) and run (main.go)
// print what ends a run and choose its code, and only main exits. No other file of the binary
// writes to stderr, except the deprecation notices of flags.go, and none calls os.Exit.
func TestOneExitPath(t *testing.T) {
	files, err := filepath.Glob("cmd/skillc/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no sources (%v)", err)
	}
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		base := filepath.Base(file)
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			x, _ := sel.X.(*ast.Ident)
			switch {
			case sel.Sel.Name == "ErrOrStderr" && base != "flags.go":
				t.Errorf("%s: writes to stderr itself: return an outcome instead", fset.Position(sel.Pos()))
			case x != nil && x.Name == "os" && sel.Sel.Name == "Exit" && base != "main.go":
				t.Errorf("%s: os.Exit outside main", fset.Position(sel.Pos()))
			case x != nil && x.Name == "os" && sel.Sel.Name == "Stderr" && base != "main.go":
				t.Errorf("%s: os.Stderr outside main", fset.Position(sel.Pos()))
			}
			return true
		})
	}
}

// TestOutcome: an outcome prints its lines in order and maps to its code; then appends; a usage
// error is one line, exit 2.
func TestOutcome(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		code int
		want string
	}{
		{"nil", nil, 0, ""},
		{"warnings", (&outcome{}).notef("a: warning"), 0, "a: warning\n"},
		{"denied", (&outcome{}).notef("a").notef("b").exit(exitDenied), 1, "a\nb\n"},
		{"then", (&outcome{}).notef("a").then(refused("b")), 2, "a\nb\n"},
		{"then usage", (&outcome{}).notef("a").then(errors.New("bad flag")), 2, "a\nskillc: bad flag\n"},
		{"then nil", (&outcome{}).notef("a").then(nil), 0, "a\n"},
		{"internal", internalError(errors.New("boom")), 3, "skillc: internal error, please report: boom\n"},
		{"usage", errors.New("unknown flag: --x"), 2, "skillc: unknown flag: --x\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			if code := exitCode(tc.err, &b); code != tc.code || b.String() != tc.want || failedCode(tc.err) != tc.code {
				t.Errorf("exit %d (failedCode %d), stderr %q; want %d, %q", code, failedCode(tc.err), b.String(), tc.code, tc.want)
			}
		})
	}
	if o := systemFailure("writing out", errors.New("plain"), ""); o != nil {
		t.Errorf("systemFailure of a plain error: %v, want nil (not a system failure)", o)
	}
	if !slices.Equal([]int{exitOK, exitDenied, exitBadInput, exitInternal}, []int{0, 1, 2, 3}) {
		t.Error("the exit codes of docs/cli.md changed")
	}
}
