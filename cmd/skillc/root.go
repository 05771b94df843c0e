package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/skillc-dev/skillc/compile"
)

// exitError carries an exit code through cobra without printing anything more.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// exitCode maps an Execute error to the exit code, printing usage errors (which cobra does not
// print: SilenceErrors) to w.
func exitCode(err error, w io.Writer) int {
	if err == nil {
		return 0
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	// Usage errors (unknown flag, wrong arguments): cobra has not printed them (SilenceErrors).
	fmt.Fprintln(w, "skillc:", err)
	return 2
}

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "skillc",
		Short: "Compile agent SkillPacks into reviewable, policy-gated Kubernetes objects",
		Long: `skillc reads SkillPacks, SympoziumInstance/Agent skill toggles and AgentRuns, and emits the
objects a Sympozium-style controller would create at run time: skill ConfigMaps, the run's Job with
its skill sidecars and host mounts, and per-run RBAC. Review them in pull requests, apply them
with Argo CD or Flux.

Exit codes: 0 compiled (warnings allowed), 1 the policy gate denied, 2 bad input or usage.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newCompileCommand(), newCheckCommand(), newImportCommand(), newExportCommand(), newVersionCommand())
	root.AddCommand(newDiffCommand())
	root.AddCommand(newFnCommand(), newBuildCommand())
	return root
}

// reportDiagnostics prints diagnostics to stderr, one FILE:LINE: message per line.
func reportDiagnostics(cmd *cobra.Command, ds compile.Diagnostics) {
	w := cmd.ErrOrStderr()
	for _, d := range ds {
		fmt.Fprintln(w, d.String())
	}
}
