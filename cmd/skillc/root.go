package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/spf13/cobra"
)

// outputWriter is stdout as the commands see it. It keeps the first failed write (a full disk, a
// reader that closed the pipe while SIGPIPE is ignored) and writes nothing after it, so that run
// reports it once: not bad input (exit 2) but a failed run, exit 3, whatever the command returned.
type outputWriter struct {
	w   io.Writer
	err error
}

func (o *outputWriter) Write(p []byte) (int, error) {
	if o.err != nil {
		return 0, o.err
	}
	n, err := o.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		o.err = fmt.Errorf("writing stdout: %w", err)
	}
	return n, err
}

// report prints the one line of a failed output and returns its exit code.
func (o *outputWriter) report(stderr io.Writer) int {
	cause := o.err
	var pe *fs.PathError
	if errors.As(cause, &pe) {
		cause = pe.Err // "write |1: broken pipe" names a descriptor, not a file
	}
	fmt.Fprintf(stderr, "skillc: writing stdout failed: %v (the output is incomplete)\n", cause)
	return 3
}

// outputFailed: stdout refused a write; run reports it, the command adds nothing.
func outputFailed(cmd *cobra.Command) bool {
	o, ok := cmd.OutOrStdout().(*outputWriter)
	return ok && o.err != nil
}

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "skillc",
		Short: "Compile agent SkillPacks into reviewable, policy-gated Kubernetes objects",
		Long: `skillc reads SkillPacks, SympoziumInstance/Agent skill toggles and AgentRuns, and emits the
objects a Sympozium-style controller would create at run time: skill ConfigMaps, the run's Job with
its skill sidecars and host mounts, and per-run RBAC. Review them in pull requests, apply them
with Argo CD or Flux.

Exit codes: 0 compiled (warnings allowed), 1 the policy gate denied or compile --verify found the
render stale, 2 bad input or usage, 3 an internal error or the output could not be written (a full
disk, a closed pipe), 128+n on signal n. The flags and exit codes of every subcommand: docs/cli.md.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       currentVersion(),
	}
	// --version prints what skillc version prints. Declared here, without the -v cobra would
	// give it, so that -v stays free for a subcommand's verbose flag.
	root.Flags().Bool("version", false, "print the skillc version")
	root.SetVersionTemplate("skillc {{.Version}}\n")
	root.AddCommand(newCompileCommand(), newCheckCommand(), newImportCommand(), newExportCommand(), newVersionCommand())
	root.AddCommand(newDiffCommand())
	root.AddCommand(newFnCommand(), newBuildCommand())
	root.AddCommand(newEnableCommand(), newDisableCommand())
	root.AddCommand(newExplainCommand(), newNewCommand())
	root.AddCommand(newRBACCommand())
	root.AddCommand(newParamsCommand())
	return root
}
