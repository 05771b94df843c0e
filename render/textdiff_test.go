package render

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// numbered returns lines "1\n" ... "n\n".
func numbered(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%d\n", i)
	}
	return b.String()
}

// TestUnifiedDiff: the expected texts are what GNU diff -u prints for the same inputs.
func TestUnifiedDiff(t *testing.T) {
	ten := numbered(10)
	tests := []struct {
		name string
		a, b string
		want string
	}{
		{"equal", ten, ten, ""},
		{"one line changed in the middle", ten, strings.Replace(ten, "5\n", "five\n", 1),
			"--- old\n+++ new\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"},
		{"first line changed", ten, strings.Replace(ten, "1\n", "one\n", 1),
			"--- old\n+++ new\n@@ -1,4 +1,4 @@\n-1\n+one\n 2\n 3\n 4\n"},
		{"line appended", "a\nb\n", "a\nb\nc\n",
			"--- old\n+++ new\n@@ -1,2 +1,3 @@\n a\n b\n+c\n"},
		{"from empty", "", "a\nb\n",
			"--- old\n+++ new\n@@ -0,0 +1,2 @@\n+a\n+b\n"},
		{"to empty", "a\n", "",
			"--- old\n+++ new\n@@ -1 +0,0 @@\n-a\n"},
		{"insertion in the middle", "a\nb\nc\nd\n", "a\nb\nx\nc\nd\n",
			"--- old\n+++ new\n@@ -1,4 +1,5 @@\n a\n b\n+x\n c\n d\n"},
		{"two changes far apart make two hunks", numbered(20), strings.Replace(strings.Replace(numbered(20), "2\n", "two\n", 1), "19\n", "nineteen\n", 1),
			"--- old\n+++ new\n@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n@@ -16,5 +16,5 @@\n 16\n 17\n 18\n-19\n+nineteen\n 20\n"},
		{"two changes six lines apart share a hunk", ten, strings.Replace(strings.Replace(ten, "2\n", "two\n", 1), "9\n", "nine\n", 1),
			"--- old\n+++ new\n@@ -1,10 +1,10 @@\n 1\n-2\n+two\n 3\n 4\n 5\n 6\n 7\n 8\n-9\n+nine\n 10\n"},
		{"missing final newline", "a\nb", "a\nb\n",
			"--- old\n+++ new\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n"},
		{"replaced block: deletions before insertions", "k\nx\ny\nk\n", "k\np\nq\nk\n",
			"--- old\n+++ new\n@@ -1,4 +1,4 @@\n k\n-x\n-y\n+p\n+q\n k\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := UnifiedDiff("old", "new", tt.a, tt.b, 3)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestLineDiffApplies: applying the edit script to the old lines gives the new ones, and the
// kept lines are a longest common subsequence (checked on a case with a known LCS length).
func TestLineDiffApplies(t *testing.T) {
	a := splitLines("a\nb\nc\nd\ne\nf\ng\n")
	b := splitLines("b\nx\nc\ne\ny\ng\nz\n")
	var old, new []string
	kept := 0
	for _, e := range lineDiff(a, b) {
		if e.op != '+' {
			old = append(old, e.line)
		}
		if e.op != '-' {
			new = append(new, e.line)
		}
		if e.op == ' ' {
			kept++
		}
	}
	if diff := cmp.Diff(a, old); diff != "" {
		t.Errorf("old side (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(b, new); diff != "" {
		t.Errorf("new side (-want +got):\n%s", diff)
	}
	if kept != 4 { // b c e g
		t.Errorf("kept %d lines, want the LCS length 4", kept)
	}
}
