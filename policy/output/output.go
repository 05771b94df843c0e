// Package output renders the gate's report for people and for CI systems: text, json, GitHub
// workflow annotations, JUnit XML and SARIF.
package output

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/skillc-dev/skillc/policy"
)

// Outputter writes reports; Flush ends the document (summaries, closing brackets).
type Outputter interface {
	Write(r *policy.Report) error
	Flush() error
}

var formats = map[string]func(io.Writer) Outputter{
	"text":   func(w io.Writer) Outputter { return &text{w: w} },
	"json":   func(w io.Writer) Outputter { return &jsonOut{w: w} },
	"github": func(w io.Writer) Outputter { return &github{w: w} },
	"junit":  func(w io.Writer) Outputter { return &junit{w: w} },
	"sarif":  func(w io.Writer) Outputter { return &sarif{w: w} },
}

// Formats lists the format names, for help texts.
func Formats() []string {
	out := make([]string, 0, len(formats))
	for f := range formats {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// New returns the outputter of a format, or an error naming the known ones.
func New(format string, w io.Writer) (Outputter, error) {
	f, ok := formats[format]
	if !ok {
		return nil, fmt.Errorf("unknown output format %q (want one of %s)", format, strings.Join(Formats(), ", "))
	}
	return f(w), nil
}
