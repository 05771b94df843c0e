// Command skillc compiles agent SkillPacks into reviewable, policy-gated Kubernetes objects.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/skillc-dev/skillc/render"
)

func main() {
	ctx, stop := notifyContext()
	code := run(ctx, newRootCommand, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the CLI and returns its exit code; only main exits. The command runs on its own
// goroutine so that a signal can end the run through ctx: outside a write of -o DIR, run returns
// the signal's exit code at once, as Go's default handling would exit (the command is abandoned:
// it has nothing of ours to clean up); during a write, the writer sees ctx, removes its temporary
// directory and returns, and run waits for that.
func run(ctx context.Context, newCmd func() *cobra.Command, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, g := render.WithGuard(ctx)
	done := make(chan int, 1)
	go func() { done <- runCommand(ctx, newCmd, args, stdin, stdout, stderr) }()
	select {
	case code := <-done:
		return code
	case <-ctx.Done():
	}
	if sig, ok := context.Cause(ctx).(signalError); ok && g.Stop() {
		return sig.code()
	}
	return <-done
}

// runCommand runs the command and maps its outcome to the exit code (report). A panic is a bug,
// never the user's fault: it becomes exit 3 with a short message naming the inputs instead of a
// stack trace. newCmd is a parameter so that a test can inject a command that panics.
func runCommand(ctx context.Context, newCmd func() *cobra.Command, args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "skillc: internal error, please report: %v (inputs: %s)\n", r, strings.Join(args, " "))
			code = 3
		}
	}()
	cmd := newCmd()
	cmd.SetArgs(args)
	cmd.SetIn(stdin)
	out := &outputWriter{w: stdout}
	cmd.SetOut(out)
	cmd.SetErr(stderr)
	err := cmd.ExecuteContext(ctx)
	if out.err != nil {
		// What the command noted before stays (warnings, findings); then the failure, exit 3.
		if o := (*outcome)(nil); errors.As(err, &o) {
			exitCode(&outcome{lines: o.lines}, stderr)
		}
		return out.report(stderr)
	}
	code = exitCode(err, stderr)
	if sig, ok := context.Cause(ctx).(signalError); ok && code != 0 {
		// Interrupted while writing: the writer removed its temporary directory and said so.
		return sig.code()
	}
	return code
}

// signalError is the cancellation cause of the context run gets: which signal arrived, so that the
// exit code can be the shell's 128+n (130 for SIGINT, 143 for SIGTERM).
type signalError struct{ sig os.Signal }

func (e signalError) Error() string { return e.sig.String() }

func (e signalError) code() int {
	if s, ok := e.sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 130
}

// notifyContext is signal.NotifyContext for SIGINT and SIGTERM, with the signal as the cause
// (NotifyContext's cause is an unexported string, and the exit code needs the number).
func notifyContext() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case s := <-ch:
			cancel(signalError{s})
		case <-ctx.Done():
		}
	}()
	return ctx, func() { signal.Stop(ch); cancel(nil) }
}
