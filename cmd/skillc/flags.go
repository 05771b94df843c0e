package main

import (
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/policy"
	"github.com/skillc-dev/skillc/source"
)

// The CLI vocabulary (docs/cli.md): one meaning per flag across all subcommands.
//   - -o, --output-dir DIR: a directory skillc writes into (compile, import, export, new pack);
//   - --format FORMAT: the format of the report printed on stdout (check, diff, explain);
//   - the source flags (sourceFlags): how sources compile;
//   - the gate flags (gateFlags): the policy gate.
// Each flag is declared once, here or by the one subcommand that has it.

// sourceFlags are how sources compile: compile, check, diff, enable, disable, explain and build.
type sourceFlags struct {
	configFile string
	identity   string
	sidecars   string
	target     string
}

func (s *sourceFlags) addSourceFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&s.configFile, "config", "", "CompilerConfig `FILE` with the platform's settings")
	f.StringVar(&s.identity, "identity", "", "service account per namespace or per run: `"+strings.Join(api.Identities, "|")+"` (default shared)")
	f.StringVar(&s.sidecars, "sidecars", "", "skill sidecars as native sidecars or plain containers: `"+strings.Join(api.SidecarModes, "|")+"` (default native)")
	f.StringVar(&s.target, "target", "", "delivery target: `"+strings.Join(api.Targets, "|")+"` (default plain)")
	for flag, values := range map[string][]string{"identity": api.Identities, "sidecars": api.SidecarModes, "target": api.Targets} {
		_ = cmd.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
	}
	_ = cmd.MarkFlagFilename("config", "yaml", "yml")
	cmd.ValidArgsFunction = func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"yaml", "yml"}, cobra.ShellCompDirectiveFilterFileExt
	}
}

// gateFlags are the policy gate's: compile, check, enable, disable, explain and build (fn has
// --policy alone: its profile comes from the functionConfig).
type gateFlags struct {
	policyDirs []string
	profile    string
}

func (g *gateFlags) addGateFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringArrayVar(&g.policyDirs, "policy", nil, "add the conftest-style Rego policies (deny, violation, warn rules) of `DIR`; repeatable")
	f.StringVar(&g.profile, "profile", "", "policy profile: `"+strings.Join(api.Profiles, "|")+"` (default baseline)")
	_ = cmd.RegisterFlagCompletionFunc("profile", cobra.FixedCompletions(api.Profiles, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.MarkFlagDirname("policy")
}

// walkFlags are how the folders among the PATHs are walked: compile, check, diff, enable,
// disable, explain, rbac, import and export (build and fn walk no folder: kustomize reads what the
// kustomization lists).
type walkFlags struct {
	exclude []string
	verbose bool
	noted   diag.Diagnostics // the Detail notes kept for -v, printed first (withNotes)
}

func (w *walkFlags) addWalkFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringArrayVar(&w.exclude, "exclude", nil, "skip what the gitignore `PATTERN` matches in every folder walked, as a line of its "+source.IgnoreFile+" would; repeatable")
	f.BoolVarP(&w.verbose, "verbose", "v", false, "also note on stderr each file or folder a walk skips and each document that is not a skillc input")
}

// read reads the PATHs, walking folders as the flags say.
func (w *walkFlags) read(cmd *cobra.Command, paths []string) ([]source.File, diag.Diagnostics) {
	return source.Walk{Exclude: w.exclude}.Read(paths, cmd.InOrStdin())
}

// notes takes the Detail notes (what was skipped, and why) out of ds: with -v they are kept for
// withNotes, else dropped.
func (w *walkFlags) notes(ds diag.Diagnostics) diag.Diagnostics {
	var rest diag.Diagnostics
	for _, d := range ds {
		switch {
		case !d.Detail:
			rest = append(rest, d)
		case w.verbose:
			w.noted = append(w.noted, d)
		}
	}
	return rest
}

// withNotes puts the kept notes on stderr before what err says (the command's outcome).
func (w *walkFlags) withNotes(err error) error {
	if len(w.noted) == 0 {
		return err
	}
	w.noted.Sort() // the walk's notes and the loader's, by file
	return (&outcome{}).note(w.noted).then(err)
}

// compileOptions are the source, gate and walk flags together: what every subcommand that reads
// PATHs, compiles and gates reads.
type compileOptions struct {
	sourceFlags
	gateFlags
	walkFlags
	failOnWarn bool // --fail-on-warn, where addFailOnWarn declared it
}

// addFailOnWarn adds --fail-on-warn (conftest's name): check, compile, build and fn.
func addFailOnWarn(cmd *cobra.Command, p *bool) {
	cmd.Flags().BoolVar(p, "fail-on-warn", false, "exit 1 when any warning remains, as on a denial (excepted findings do not count)")
}

func (o *compileOptions) addFlags(cmd *cobra.Command) {
	o.addSourceFlags(cmd)
	o.addGateFlags(cmd)
	o.addWalkFlags(cmd)
}

// options are the compile options the flags ask for.
func (o *compileOptions) options() compile.Options {
	return compile.Options{Identity: o.identity, Sidecars: o.sidecars, Target: o.target, Profile: o.profile}
}

// addFormatFlag adds --format, the stdout report format, with its completions.
func addFormatFlag(cmd *cobra.Command, p *string, formats []string) {
	cmd.Flags().StringVar(p, "format", "text", "report format on stdout: `"+strings.Join(formats, "|")+"`")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(formats, cobra.ShellCompDirectiveNoFileComp))
}

// deprecate marks an old spelling deprecated: it keeps working for one release, hidden from help,
// and using it prints "Flag --NAME has been deprecated, MESSAGE" on stderr. message names the new
// spelling. cobra would print the line with cmd.Print, i.e. on stdout once SetOut is called (run
// does): the flag set's output goes to stderr instead, where it cannot corrupt a report.
func deprecate(cmd *cobra.Command, name, message string) {
	_ = cmd.Flags().MarkDeprecated(name, message)
	cmd.Flags().SetOutput(stderrOf{cmd})
}

// stderrOf writes to the command's stderr as it is when written to (SetErr may come later).
type stderrOf struct{ cmd *cobra.Command }

func (s stderrOf) Write(p []byte) (int, error) { return s.cmd.ErrOrStderr().Write(p) }

var _ io.Writer = stderrOf{}

// The libraries name the fields and settings they report on (the same code serves the KRM
// function and the Argo CD plugin, where no flag exists); where a flag was the source, the CLI
// names the flag instead. asFlags is that mapping, applied to every diagnostic of the compile, the
// config file and the gate before it is printed or formatted.
var (
	// optionFlags: a compile.Options value is reported with no file and the config field it sets.
	optionFlags = map[string]string{
		"spec.identity":       "--identity",
		"spec.sidecars":       "--sidecars",
		"spec.target":         "--target",
		"spec.policy.profile": "--profile",
	}
	// settingFlags: a Field naming a setting, whatever the file.
	settingFlags = map[string]string{policy.FieldPolicyFolder: "--policy"}
	// settingPhrases: the setting as a message names it, and the flag that set it.
	settingPhrases = []struct{ lib, flag string }{
		{"the config file must hold", "--config must hold"},
		{"a CompilerConfig is given apart from the inputs (Options.Config) and also among them", "a CompilerConfig is given with --config and also among the inputs"},
		{"skipped: excluded by " + source.ExcludeOrigin, "skipped: excluded by --exclude"},
	}
)

func asFlags(ds diag.Diagnostics) diag.Diagnostics {
	if len(ds) == 0 {
		return ds
	}
	out := make(diag.Diagnostics, len(ds))
	for i, d := range ds {
		if f, ok := optionFlags[d.Field]; ok && d.File == "" {
			d.Field = f
		}
		if f, ok := settingFlags[d.Field]; ok {
			d.Field = f
		}
		for _, p := range settingPhrases {
			if strings.HasPrefix(d.Message, p.lib) {
				d.Message = p.flag + d.Message[len(p.lib):]
			}
		}
		out[i] = d
	}
	return out
}
