package output

import (
	"fmt"
	"io"
	"strings"

	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/policy"
)

// github prints workflow commands that a pull request shows inline on the offending line:
// ::error file=F,line=L,title=RULE::message.
type github struct {
	w       io.Writer
	opts    Options
	reports []*policy.Report
}

func (g *github) Write(r *policy.Report) error { g.reports = append(g.reports, r); return nil }

func (g *github) Flush() error {
	for _, r := range g.reports {
		for _, d := range r.Findings {
			level := "error"
			switch d.Severity {
			case diag.SeverityWarning:
				level = "warning"
			case diag.SeverityInfo:
				level = "notice"
			}
			d.File = g.opts.path(d.File)
			if _, err := fmt.Fprintln(g.w, annotation(level, d)); err != nil {
				return err
			}
		}
		for _, e := range r.Excepted {
			d := e.Diagnostic
			d.File = g.opts.path(d.File)
			d.Message = fmt.Sprintf("%s (excepted by %s, owner %s, expires %s)", d.Message, e.Exception, e.Owner, e.Expires)
			if _, err := fmt.Fprintln(g.w, annotation("notice", d)); err != nil {
				return err
			}
		}
	}
	return nil
}

func annotation(level string, d diag.Diagnostic) string {
	var props []string
	if d.File != "" {
		props = append(props, "file="+escapeProperty(d.File))
		if d.Line > 0 {
			props = append(props, fmt.Sprintf("line=%d", d.Line))
		}
	}
	title := d.Rule
	if title == "" {
		title = "skillc"
	}
	props = append(props, "title="+escapeProperty(title))
	msg := d.Message
	if d.Field != "" {
		msg = d.Field + ": " + msg
	}
	return fmt.Sprintf("::%s %s::%s", level, strings.Join(props, ","), escapeData(msg))
}

// The escapes GitHub's runner applies to workflow command data and properties.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
