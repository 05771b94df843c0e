package main

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/policy"
	"github.com/skillc-dev/skillc/policy/output"
)

type checkOptions struct {
	compileOptions
	format  string
	baseDir string // --base-dir: the root of the CI formats' file paths
}

func newCheckCommand() *cobra.Command {
	o := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check [PATH...]",
		Short: "Compile in memory and report the policy gate's findings",
		Long: `Compile the sources in memory, run the least-privilege gate, and report every finding with the
source file and line that caused it. Nothing is written. Input errors are reported in the same
format on stdout, so that CI shows them on their line; in text they go to stderr, as every
command's do, with no summary after them. Exit 0 when nothing is denied, 1 when the gate denies (or, with
--fail-on-warn, when any warning remains), 2 on bad input.`,
		Example: `  # In a pull request: inline annotations on the offending lines
  skillc check --format github skills/ tenants/

  # For dashboards
  skillc check --format sarif --profile restricted . > skillc.sarif`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.withNotes(runCheck(cmd, o, args)) // notes on stderr in every format: not findings
		},
	}
	o.addFlags(cmd)
	addFailOnWarn(cmd, &o.failOnWarn)
	addFormatFlag(cmd, &o.format, output.Formats())
	cmd.Flags().StringVar(&o.baseDir, "base-dir", "", "write the github, sarif and junit reports' file paths relative to `DIR` (default: the git repository's top level, else the working directory)")
	_ = cmd.MarkFlagDirname("base-dir")
	cmd.Flags().StringVar(&o.format, "output", "text", "")
	deprecate(cmd, "output", "use --format instead (-o/--output-dir is always a directory)")
	return cmd
}

func runCheck(cmd *cobra.Command, o *checkOptions, args []string) error {
	paths, err := reportPaths(o.baseDir)
	if err != nil {
		return internalError(err)
	}
	out, err := output.New(o.format, cmd.OutOrStdout(), output.Options{Version: currentVersion(), Path: paths})
	if err != nil {
		return err
	}
	res, policyDiags, err := streamSources(cmd, &o.compileOptions, args, false)
	if err != nil {
		return err
	}
	diags := res.Diags
	if diags.HasErrors() {
		return badInput(out, o.format, diags.Filter(diag.SeverityError, diag.SeverityWarning))
	}
	if policyDiags != nil {
		// A --policy folder's problems too: annotations on the .rego lines.
		return badInput(out, o.format, policyDiags)
	}
	rep := res.Report
	rep.Findings = append(diags.Filter(diag.SeverityWarning), rep.Findings...)
	rep.Findings.Sort()
	code := 0
	if rep.Denied() || o.failOnWarn && warnings(nil, rep) > 0 { // rep holds the compile's warnings too
		code = 1
	}
	return finish(out, rep, code)
}

// badInput ends check on bad input (exit 2). In text the diagnostics go to stderr, as every
// command's do, and no summary follows ("0 objects checked" would read as a pass); in the
// machine formats they are the report on stdout, so CI shows them on the right line.
func badInput(out output.Outputter, format string, ds diag.Diagnostics) error {
	if format == "text" {
		return failed(ds)
	}
	return finish(out, &policy.Report{Findings: ds}, exitBadInput)
}

func finish(out output.Outputter, rep *policy.Report, code int) error {
	if err := errors.Join(out.Write(rep), out.Flush()); err != nil {
		return err
	}
	if code != 0 {
		return (&outcome{}).exit(code) // the report on stdout says why
	}
	return nil
}
