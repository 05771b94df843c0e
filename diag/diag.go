// Package diag is the diagnostics every layer reports: severity, FILE:LINE, field, rule, and
// the exit code a list of them maps to; Source turns a decoded node back into its file and line.
package diag

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Severity of a Diagnostic. Error is bad input (exit 2); Deny is a policy denial (exit 1).
type Severity string

const (
	SeverityError   Severity = "error"
	SeverityDeny    Severity = "deny"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

// Diagnostic is one finding about the input: where (file, line, field path), which rule if any,
// how severe, and what is wrong.
type Diagnostic struct {
	File     string   `json:"file,omitempty"`
	Line     int      `json:"line,omitempty"`
	Field    string   `json:"field,omitempty"`
	Rule     string   `json:"rule,omitempty"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	// Detail marks a note printed only on request (-v): a file or document the inputs hold that
	// was skipped, and why.
	Detail bool `json:"-"`
}

// String renders FILE:LINE: field: message, the form editors and CI annotations understand.
func (d Diagnostic) String() string {
	var b strings.Builder
	if d.File != "" {
		b.WriteString(d.File)
		if d.Line > 0 {
			fmt.Fprintf(&b, ":%d", d.Line)
		}
		b.WriteString(": ")
	}
	if d.Severity == SeverityWarning || d.Severity == SeverityInfo {
		b.WriteString(string(d.Severity) + ": ")
	}
	if d.Rule != "" {
		b.WriteString(d.Rule + ": ")
	}
	if d.Field != "" {
		b.WriteString(d.Field + ": ")
	}
	b.WriteString(d.Message)
	return b.String()
}

// Diagnostics is a list of findings; as an error it means the compile did not succeed.
type Diagnostics []Diagnostic

func (ds Diagnostics) Error() string {
	lines := make([]string, 0, len(ds))
	for _, d := range ds {
		lines = append(lines, d.String())
	}
	return strings.Join(lines, "\n")
}

// HasErrors reports whether any diagnostic is an input error.
func (ds Diagnostics) HasErrors() bool {
	return slices.ContainsFunc(ds, func(d Diagnostic) bool { return d.Severity == SeverityError })
}

// ExitCode maps the worst diagnostic to the CLI contract: 2 bad input, 1 denied, 0 otherwise.
func (ds Diagnostics) ExitCode() int {
	code := 0
	for _, d := range ds {
		switch d.Severity {
		case SeverityError:
			return 2
		case SeverityDeny:
			code = 1
		}
	}
	return code
}

// Err is ds as an error when it holds an input error, else nil: for callers that only need to
// know whether a compile failed.
func (ds Diagnostics) Err() error {
	if ds.HasErrors() {
		return ds
	}
	return nil
}

// Sort orders diagnostics by file, line, field, rule and message, so output is stable.
func (ds Diagnostics) Sort() {
	slices.SortStableFunc(ds, func(a, b Diagnostic) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Field, b.Field),
			cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.Message, b.Message),
		)
	})
}

// Filter returns the diagnostics of the given severities.
func (ds Diagnostics) Filter(sev ...Severity) Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if slices.Contains(sev, d.Severity) {
			out = append(out, d)
		}
	}
	return out
}

// Unlined drops the line numbers of diagnostics about the given files, in their locations and in
// their messages ("rename one of input.yaml:3 ..."): they are lines inside the object as kustomize
// re-serialized it, not in the user's file. Duplicates that become equal are merged.
func (ds Diagnostics) Unlined(files []string) Diagnostics {
	known := map[string]bool{}
	var lengths []int // of the names, longest first
	for _, f := range files {
		if f != "" && !known[f] {
			known[f] = true
			if !slices.Contains(lengths, len(f)) {
				lengths = append(lengths, len(f))
			}
		}
	}
	if len(known) == 0 {
		return ds
	}
	slices.SortFunc(lengths, func(a, b int) int { return b - a })
	out := make(Diagnostics, 0, len(ds))
	seen := map[Diagnostic]bool{}
	for _, d := range ds {
		if known[d.File] {
			d.Line = 0
		}
		d.Message = dropLines(d.Message, known, lengths)
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	out.Sort()
	return out
}

// dropLines removes the ":LINE" after each of the known names in msg, as replacing the matches
// of `(NAME|...):\d+` (names longest first) by NAME would: leftmost match first, at the same
// start the longest name, matches do not overlap. Not a regexp: one alternative per input file
// made compiling it quadratic in the number of files (1.4 s of skillc build at twice the
// reference size).
func dropLines(msg string, known map[string]bool, lengths []int) string {
	var b strings.Builder
	done := 0 // msg[:done] is written
	for start := 0; start < len(msg); {
		// The leftmost NAME:DIGITS at or after start.
		best, bestEnd, bestName := -1, 0, 0
		for j := strings.IndexByte(msg[start:], ':'); j >= 0; {
			colon := start + j
			if best >= 0 && colon-lengths[0] > best {
				break // no later colon can give an earlier start
			}
			if colon+1 < len(msg) && isDigit(msg[colon+1]) {
				for _, l := range lengths {
					i := colon - l
					if i < start || (best >= 0 && i > best) {
						continue
					}
					if !known[msg[i:colon]] {
						continue
					}
					if best < 0 || i < best || (i == best && l > bestName) {
						end := colon + 1
						for end < len(msg) && isDigit(msg[end]) {
							end++
						}
						best, bestEnd, bestName = i, end, l
					}
				}
			}
			k := strings.IndexByte(msg[colon+1:], ':')
			if k < 0 {
				break
			}
			j = colon + 1 + k - start
		}
		if best < 0 {
			break
		}
		if b.Len() == 0 && done == 0 {
			b.Grow(len(msg))
		}
		b.WriteString(msg[done : best+bestName])
		done, start = bestEnd, bestEnd
	}
	if done == 0 {
		return msg
	}
	b.WriteString(msg[done:])
	return b.String()
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
