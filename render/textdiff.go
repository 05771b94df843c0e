package render

import (
	"fmt"
	"strings"
)

// maxDiffCells bounds the LCS table (after the common head and tail are trimmed): two large,
// wholly different files are shown as "everything removed, everything added" instead of
// spending gigabytes on a minimal diff.
const maxDiffCells = 4 << 20

// edit is one line of an edit script: ' ' kept, '-' only in the old text, '+' only in the new.
type edit struct {
	op   byte
	line string // with its "\n", if it had one
}

// UnifiedDiff returns the unified diff (as diff -u prints it) turning a into b, with context
// lines around each change, or "" when they are equal.
func UnifiedDiff(oldName, newName, a, b string, context int) string {
	if a == b {
		return ""
	}
	script := lineDiff(splitLines(a), splitLines(b))
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", oldName, newName)
	for _, h := range hunks(script, context) {
		writeHunk(&out, script[h[0]:h[1]], h[2], h[3])
	}
	return out.String()
}

// splitLines splits after every "\n"; a last line without one is kept as it is.
func splitLines(s string) []string {
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// lineDiff is a shortest edit script from a to b: the longest common subsequence of lines,
// by dynamic programming over what is left once the common head and tail are trimmed.
func lineDiff(a, b []string) []edit {
	head := 0
	for head < len(a) && head < len(b) && a[head] == b[head] {
		head++
	}
	tail := 0
	for tail < len(a)-head && tail < len(b)-head && a[len(a)-1-tail] == b[len(b)-1-tail] {
		tail++
	}
	script := make([]edit, 0, len(a)+len(b))
	for _, l := range a[:head] {
		script = append(script, edit{' ', l})
	}
	x, y := a[head:len(a)-tail], b[head:len(b)-tail]
	n, m := len(x), len(y)
	if n*m > maxDiffCells {
		for _, l := range x {
			script = append(script, edit{'-', l})
		}
		for _, l := range y {
			script = append(script, edit{'+', l})
		}
	} else {
		// lcs[i*(m+1)+j] is the LCS length of x[i:] and y[j:].
		lcs := make([]int32, (n+1)*(m+1))
		for i := n - 1; i >= 0; i-- {
			for j := m - 1; j >= 0; j-- {
				if x[i] == y[j] {
					lcs[i*(m+1)+j] = lcs[(i+1)*(m+1)+j+1] + 1
				} else {
					lcs[i*(m+1)+j] = max(lcs[(i+1)*(m+1)+j], lcs[i*(m+1)+j+1])
				}
			}
		}
		i, j := 0, 0
		for i < n || j < m {
			switch {
			case i < n && j < m && x[i] == y[j]:
				script = append(script, edit{' ', x[i]})
				i++
				j++
			case j == m || (i < n && lcs[(i+1)*(m+1)+j] >= lcs[i*(m+1)+j+1]):
				// Deletions first at a tie, as diff -u prints them.
				script = append(script, edit{'-', x[i]})
				i++
			default:
				script = append(script, edit{'+', y[j]})
				j++
			}
		}
	}
	for _, l := range a[len(a)-tail:] {
		script = append(script, edit{' ', l})
	}
	return script
}

// hunks groups the changes of a script with their context: each hunk is [from, to) in the
// script and the 0-based old and new line numbers where it starts. Changes closer than twice
// the context share a hunk.
func hunks(script []edit, context int) [][4]int {
	var out [][4]int
	oldLine, newLine := 0, 0
	start, end := -1, -1 // script range of the current hunk
	startOld, startNew := 0, 0
	for i, e := range script {
		if e.op != ' ' {
			if start >= 0 && i-end > 2*context {
				out = append(out, [4]int{start, min(end+context, len(script)), startOld, startNew})
				start = -1
			}
			if start < 0 {
				start = max(i-context, 0)
				// Line numbers at start: step back over the context lines (all kept).
				startOld, startNew = oldLine-(i-start), newLine-(i-start)
			}
			end = i + 1
		}
		if e.op != '+' {
			oldLine++
		}
		if e.op != '-' {
			newLine++
		}
	}
	if start >= 0 {
		out = append(out, [4]int{start, min(end+context, len(script)), startOld, startNew})
	}
	return out
}

func writeHunk(out *strings.Builder, h []edit, oldStart, newStart int) {
	oldCount, newCount := 0, 0
	for _, e := range h {
		if e.op != '+' {
			oldCount++
		}
		if e.op != '-' {
			newCount++
		}
	}
	fmt.Fprintf(out, "@@ -%s +%s @@\n", hunkRange(oldStart, oldCount), hunkRange(newStart, newCount))
	for _, e := range h {
		out.WriteByte(e.op)
		out.WriteString(e.line)
		if !strings.HasSuffix(e.line, "\n") {
			out.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

// hunkRange is GNU diff's "start,count": 1-based, the count left out when it is 1, and an empty
// range named by the line before it.
func hunkRange(start, count int) string {
	switch count {
	case 0:
		return fmt.Sprintf("%d,0", start)
	case 1:
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, count)
}
