package main

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/skillc-dev/skillc/render"
	"github.com/skillc-dev/skillc/stream"
)

// compileCmdOptions are compile's flags: the shared source and gate flags, and where to write.
type compileCmdOptions struct {
	compileOptions
	outDir     string
	verify     bool // compare with outDir instead of writing it
	allowEmpty bool // a compile with no objects may replace a non-empty render
}

func newCompileCommand() *cobra.Command {
	o := &compileCmdOptions{}
	cmd := &cobra.Command{
		Use:   "compile [PATH...]",
		Short: "Compile sources into Kubernetes manifests, gated by the least-privilege policy",
		Long: `Compile SkillPacks, instances (SympoziumInstance or Agent) and AgentRuns into the objects a run
needs, then run the least-privilege gate over them. PATH is a file, a directory (walked recursively
for *.yaml and *.yml, skipping hidden files, what its .skillcignore and --exclude exclude and YAML
with no apiVersion or kind; -v lists them) or - for stdin; the default is the current directory.
Manifests go to stdout as one YAML stream, or with -o DIR one file per object
(DIR/<namespace or _cluster>/<kind>-<name>.yaml), written to a temporary directory and moved into
place only when everything succeeded.

Warnings go to stderr, and after -o DIR one line: "skillc: wrote N files to DIR". If the gate
denies anything, nothing is written and the exit code is 1.

Objects are built, gated and rendered a few runs at a time, so memory holds the rendered documents,
not every object: past 4 MiB of documents they go to an unlinked temporary file in $TMPDIR,
removed however skillc ends (docs/performance.md).

With --verify, DIR is compared with the compile instead of written: exit 0 when it is up to date,
1 with the list of changed, missing and extra files and a unified diff of each changed one on
stdout when it is stale. Nothing is written either way.

-o DIR is replaced only when it is missing, empty or a render skillc wrote (listed in
DIR/.skillc-render); anything else in it is refused, exit 2, naming the first file skillc did not
write. DIR may not be a symlink or a file, nor be, contain or be inside an input PATH. A compile
with no objects does not replace a non-empty render unless --allow-empty.`,
		Example: `  # Compile the built-in packs with an example instance and run
  skillc compile skills/ fixtures/default/

  # One file per object, per-run identities, plain sidecar containers
  skillc compile -o rendered/ --identity per-run --sidecars containers platform/

  # Platform settings and extra policies
  skillc compile --config platform.yaml --policy policies/ skills/ tenants/

  # In CI: fail when the committed render is not what the sources compile to
  skillc compile --verify -o rendered/ skills/ tenants/`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.withNotes(runCompile(cmd, o, args))
		},
	}
	o.addFlags(cmd)
	addFailOnWarn(cmd, &o.failOnWarn)
	cmd.Flags().StringVarP(&o.outDir, "output-dir", "o", "", "write one file per object under `DIR` instead of stdout")
	_ = cmd.MarkFlagDirname("output-dir")
	cmd.Flags().BoolVar(&o.verify, "verify", false, "compare -o DIR with the compile instead of writing it: exit 1 with a diff when it is stale")
	cmd.Flags().BoolVar(&o.verify, "check", false, "")
	deprecate(cmd, "check", "use --verify instead (check is the subcommand that reports the gate's findings)")
	cmd.Flags().BoolVar(&o.allowEmpty, "allow-empty", false, "let a compile with no objects replace a non-empty -o DIR (every object leaves the cluster at the next sync)")
	return cmd
}

func runCompile(cmd *cobra.Command, o *compileCmdOptions, args []string) error {
	if o.verify && o.outDir == "" {
		return errors.New("--verify needs -o DIR: the render to compare with")
	}
	if o.allowEmpty && o.outDir == "" {
		return errors.New("--allow-empty needs -o DIR: the render an empty compile may replace")
	}
	inputs := args
	if len(inputs) == 0 {
		inputs = []string{"."}
	}
	opts := render.Options{Inputs: inputs, AllowEmpty: o.allowEmpty, Version: currentVersion()}
	if o.outDir != "" {
		// Refuse a DIR that can never be written (a link, a file, an input) before compiling.
		if err := render.Precheck(o.outDir, inputs); err != nil {
			return outputFailure(o.outDir, err)
		}
	}
	res, policyDiags, err := streamSources(cmd, &o.compileOptions, args, true)
	if err != nil {
		return err
	}
	defer func() { _ = res.Close() }() // an unlinked file: nothing is left if this fails
	if policyDiags != nil {
		return (&outcome{}).note(res.Diags).then(failed(policyDiags))
	}
	diags := res.Diags
	out := (&outcome{}).note(diags)
	if diags.HasErrors() {
		return out.exit(exitBadInput)
	}
	rep := res.Report
	out.gate(rep, nil)
	if rep.Denied() {
		deny, _, _ := rep.Counts()
		return out.notef("skillc: the policy gate denied %d finding(s): nothing was written", deny).exit(exitDenied)
	}
	if n := warnings(diags, rep); o.failOnWarn && n > 0 {
		return out.notef("skillc: %d warning(s) and --fail-on-warn: nothing was written", n).exit(exitDenied)
	}
	if o.verify {
		want, err := res.Files()
		if err != nil {
			return out.then(internalError(err))
		}
		return out.then(verify(cmd, o.outDir, want, opts))
	}
	if o.outDir == "" {
		// A failed write is kept by the outputWriter and reported by run, after out's lines.
		if _, err := res.WriteTo(cmd.OutOrStdout()); errors.As(err, new(stream.SpoolError)) {
			return out.then(spoolFailure(err, "stdout is incomplete"))
		}
		return out
	}
	paths, readers := res.Paths()
	if err := render.WriteFrom(cmd.Context(), o.outDir, paths, readers, opts); errors.As(err, new(stream.SpoolError)) {
		return out.then(spoolFailure(err, "nothing was written: "+o.outDir+" is as it was"))
	} else if err != nil {
		return out.then(outputFailure(o.outDir, err))
	}
	// One line on stderr, as --verify says "up to date": stdout stays empty for scripts.
	return out.notef("skillc: wrote %s to %s", plural(len(res.Docs), "file"), o.outDir)
}

// plural is "1 file", "2 files".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// outputFailure is why DIR was not written, one line "DIR: message", exit 2; a failure of the
// system under the write (a full disk) is exit 3 instead (systemFailure).
func outputFailure(dir string, err error) *outcome {
	note := "nothing was written: " + dir + " is as it was"
	if errors.As(err, new(render.SwappedError)) {
		note = "the new render is in place; the previous one is removed by the next write"
	}
	if o := systemFailure("writing "+dir, err, note); o != nil {
		return o
	}
	return refused("%s: %v", dir, err)
}

// systemFailure is, as one line and exit 3, an error of the system under what ("writing DIR",
// "reading DIR"): a full disk or quota, an I/O error. That is not bad input (exit 2: fix the
// input and run again) but a failed run, as a stdout that cannot be written is (run,
// outputWriter). note says what was left behind. It is nil for any other error.
func systemFailure(what string, err error, note string) *outcome {
	var errno syscall.Errno
	if !errors.As(err, &errno) || errno != syscall.ENOSPC && errno != syscall.EDQUOT && errno != syscall.EIO {
		return nil
	}
	// The errno alone: the path in the error is a temporary file the user never named.
	return (&outcome{}).notef("skillc: %s failed: %v (%s)", what, errno, note).exit(exitInternal)
}

// verify is compile --verify: DIR compared with the render want, nothing written. Up to date:
// a note, exit 0. Stale: the file lists and a unified diff per changed file on stdout, a summary
// on stderr, exit 1. What compile -o would refuse is refused the same way, exit 2.
func verify(cmd *cobra.Command, dir string, want map[string][]byte, opts render.Options) error {
	v, err := render.Verify(dir, want, opts)
	if err != nil {
		return checkFailure(dir, err)
	}
	if !v.Stale() {
		return (&outcome{}).notef("skillc: %s is up to date (%d files)", dir, v.Files)
	}
	_, _ = cmd.OutOrStdout().Write(v.Report)
	return (&outcome{}).notef("skillc: %s is stale: %d changed, %d missing, %d extra; run the same skillc compile without --verify to update it",
		dir, len(v.Changed), len(v.Missing), len(v.Extra)).exit(exitDenied)
}

// checkFailure is outputFailure for --verify, which only reads DIR: a refusal is "DIR: message",
// exit 2; an I/O error under the read is one line, exit 3.
func checkFailure(dir string, err error) *outcome {
	if o := systemFailure("reading "+dir, err, "nothing was written"); o != nil {
		return o
	}
	return refused("%s: %v", dir, err)
}
