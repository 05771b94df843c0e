// Command skillc compiles agent SkillPacks into reviewable, policy-gated Kubernetes objects.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := notifyContext()
	interrupt = ctx
	code := run(ctx, newRootCommand, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the CLI and maps its outcome to the exit code; only main exits. A panic is a bug,
// never the user's fault: it becomes exit 3 with a short message naming the inputs instead of a
// stack trace. newCmd is a parameter so that a test can inject a command that panics.
func run(ctx context.Context, newCmd func() *cobra.Command, args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
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

// writing is held by the -o writer from creating its temporary directory until it has removed it or
// swapped it in (beginWrite/endWrite). A signal outside a write exits at once, as Go's default
// would; during a write it only cancels the context, and the writer cleans up and returns. The
// mutex closes the race between the two: no write can start once the exit is decided.
var writing struct {
	sync.Mutex
	active bool
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
			writing.Lock()
			cancel(signalError{s})
			if !writing.active {
				os.Exit(signalError{s}.code()) // nothing of ours to clean up
			}
			writing.Unlock()
		case <-ctx.Done():
		}
	}()
	return ctx, func() { signal.Stop(ch); cancel(nil) }
}

// beginWrite marks a write in progress; it fails when a signal has already arrived.
func beginWrite(ctx context.Context) error {
	writing.Lock()
	defer writing.Unlock()
	if err := ctx.Err(); err != nil {
		return context.Cause(ctx)
	}
	writing.active = true
	return nil
}

func endWrite() {
	writing.Lock()
	writing.active = false
	writing.Unlock()
}
