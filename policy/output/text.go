package output

import (
	"fmt"
	"io"

	"github.com/skillc-dev/skillc/policy"
)

// text prints FILE:LINE: RULE: message lines, the excepted findings, and a one-line summary.
type text struct {
	w       io.Writer
	reports []*policy.Report
}

func (t *text) Write(r *policy.Report) error { t.reports = append(t.reports, r); return nil }

func (t *text) Flush() error {
	var deny, warn, exc, objects, evals int
	for _, r := range t.reports {
		for _, d := range r.Findings {
			if _, err := fmt.Fprintln(t.w, d.String()); err != nil {
				return err
			}
		}
		for _, e := range r.Excepted {
			if _, err := fmt.Fprintf(t.w, "%s (excepted by %s, owner %s, expires %s)\n", e.Diagnostic.String(), e.Exception, e.Owner, e.Expires); err != nil {
				return err
			}
		}
		d, w, x := r.Counts()
		deny, warn, exc = deny+d, warn+w, exc+x
		objects, evals = objects+r.Stats.Objects, evals+r.Stats.Evaluations
	}
	_, err := fmt.Fprintf(t.w, "%d objects checked (%d policy evaluations): %d denied, %d warnings, %d excepted\n", objects, evals, deny, warn, exc)
	return err
}
