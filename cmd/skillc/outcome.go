package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/policy"
)

// Exit codes: the one table of the project (docs/cli.md). A signal is 128+n (signalError).
const (
	exitOK       = 0 // done; warnings allowed
	exitDenied   = 1 // the policy gate denied (or warned, with --fail-on-warn), or compile --verify found the render stale
	exitBadInput = 2 // bad input or usage
	exitInternal = 3 // an internal error, or the output could not be written
)

// outcome is how a subcommand ended: the lines for stderr, in order, and the exit code.
// Subcommands build it and return it as their error (also when it is exit 0 with warnings);
// they never print diagnostics or pick an exit code themselves: exitCode is the one place that
// maps an outcome to stderr and a code.
type outcome struct {
	code  int
	lines []string
}

func (o *outcome) Error() string {
	return fmt.Sprintf("exit %d: %s", o.code, strings.Join(o.lines, "; "))
}

// note adds diagnostics, FILE:LINE: field: message, one a line.
func (o *outcome) note(ds diag.Diagnostics) *outcome {
	for _, d := range ds {
		o.lines = append(o.lines, d.String())
	}
	return o
}

// notef adds one line.
func (o *outcome) notef(format string, args ...any) *outcome {
	o.lines = append(o.lines, fmt.Sprintf(format, args...))
	return o
}

// gate adds the gate's findings, then what exceptions waived (never hidden). relocate, when set,
// rewrites each location first (fn and build drop lines that are not the user's).
func (o *outcome) gate(rep *policy.Report, relocate func(diag.Diagnostics) diag.Diagnostics) *outcome {
	if relocate == nil {
		relocate = func(ds diag.Diagnostics) diag.Diagnostics { return ds }
	}
	o.note(relocate(rep.Findings))
	for _, e := range rep.Excepted {
		d := relocate(diag.Diagnostics{e.Diagnostic})[0]
		o.notef("%s (excepted by %s, owner %s, expires %s)", d.String(), e.Exception, e.Owner, e.Expires)
	}
	return o
}

// exit sets the code.
func (o *outcome) exit(code int) *outcome {
	o.code = code
	return o
}

// then appends what err says after o: an outcome's lines and code, or (a usage error) err.
func (o *outcome) then(err error) error {
	if err == nil {
		return o
	}
	var next *outcome
	if errors.As(err, &next) {
		return &outcome{code: next.code, lines: append(append([]string{}, o.lines...), next.lines...)}
	}
	if len(o.lines) == 0 {
		return err
	}
	return &outcome{code: exitBadInput, lines: append(append([]string{}, o.lines...), "skillc: "+err.Error())}
}

// warnings counts what --fail-on-warn fails on: the compile's warnings and the gate's. Excepted
// findings do not count: an exception is the platform's decision, owned and dated.
func warnings(compiled diag.Diagnostics, rep *policy.Report) int {
	n := len(compiled.Filter(diag.SeverityWarning))
	if rep != nil {
		n += len(rep.Findings.Filter(diag.SeverityWarning))
	}
	return n
}

// failed: the outcome of bad input (exit 2) with these diagnostics.
func failed(ds diag.Diagnostics) *outcome { return (&outcome{}).note(ds).exit(exitBadInput) }

// refused: one line of bad input or a refusal, exit 2.
func refused(format string, args ...any) *outcome {
	return (&outcome{}).notef(format, args...).exit(exitBadInput)
}

// internalError: a bug or a failure of the system under skillc, never the user's input: exit 3.
func internalError(err error) *outcome {
	return (&outcome{}).notef("skillc: internal error, please report: %v", err).exit(exitInternal)
}

// asOutcome is err as an outcome: itself, or a usage error's one line, exit 2.
func asOutcome(err error) *outcome {
	var o *outcome
	if errors.As(err, &o) {
		return o
	}
	return refused("skillc: %v", err)
}

// failedCode is the exit code an error will map to.
func failedCode(err error) int {
	var o *outcome
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &o):
		return o.code
	default:
		return exitBadInput
	}
}

// exitCode maps a command's outcome to the exit code and prints its lines to w. Any other error
// is a usage error (an unknown flag, wrong arguments), which cobra has not printed
// (SilenceErrors): one line, exit 2.
func exitCode(err error, w io.Writer) int {
	if err == nil {
		return exitOK
	}
	var o *outcome
	if errors.As(err, &o) {
		for _, l := range o.lines {
			fmt.Fprintln(w, l)
		}
		return o.code
	}
	fmt.Fprintln(w, "skillc:", err)
	return exitBadInput
}
