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

// Options are what a report says beyond the findings.
type Options struct {
	// Version is skillc's: SARIF's driver.version, and the release whose docs/rules.md the SARIF
	// rules link to (main unless it is a release, vX.Y.Z).
	Version string
	// Path rewrites a finding's file for the formats that CI systems resolve against the
	// repository root (github, sarif, junit). nil: files as given.
	Path func(string) string
}

// path is file as the CI formats write it.
func (o Options) path(file string) string {
	if o.Path == nil || file == "" {
		return file
	}
	return o.Path(file)
}

var formats = map[string]func(io.Writer, Options) Outputter{
	"text":   func(w io.Writer, _ Options) Outputter { return &text{w: w} },
	"json":   func(w io.Writer, _ Options) Outputter { return &jsonOut{w: w} },
	"github": func(w io.Writer, o Options) Outputter { return &github{w: w, opts: o} },
	"junit":  func(w io.Writer, o Options) Outputter { return &junit{w: w, opts: o} },
	"sarif":  func(w io.Writer, o Options) Outputter { return &sarif{w: w, opts: o} },
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
func New(format string, w io.Writer, opts Options) (Outputter, error) {
	f, ok := formats[format]
	if !ok {
		return nil, fmt.Errorf("unknown output format %q (want one of %s)", format, strings.Join(Formats(), ", "))
	}
	return f(w, opts), nil
}
