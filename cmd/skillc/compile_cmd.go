package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/policy"
)

// compileOptions are the flags shared by compile and check.
type compileOptions struct {
	outDir     string
	configFile string
	policyDirs []string
	identity   string
	sidecars   string
	target     string
	profile    string
}

func (o *compileOptions) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.configFile, "config", "", "CompilerConfig `FILE` with the platform's settings")
	f.StringArrayVar(&o.policyDirs, "policy", nil, "add the conftest-style Rego policies (deny, violation, warn rules) of `DIR`; repeatable")
	f.StringVar(&o.identity, "identity", "", "service account per namespace or per run: "+strings.Join(compile.Identities, "|")+" (default shared)")
	f.StringVar(&o.sidecars, "sidecars", "", "skill sidecars as native sidecars or plain containers: "+strings.Join(compile.SidecarModes, "|")+" (default native)")
	f.StringVar(&o.target, "target", "", "delivery target: "+strings.Join(compile.Targets, "|")+" (default plain)")
	f.StringVar(&o.profile, "profile", "", "policy profile: "+strings.Join(compile.Profiles, "|")+" (default baseline)")
	for flag, values := range map[string][]string{"identity": compile.Identities, "sidecars": compile.SidecarModes, "target": compile.Targets, "profile": compile.Profiles} {
		_ = cmd.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
	}
	_ = cmd.MarkFlagFilename("config", "yaml", "yml")
	_ = cmd.MarkFlagDirname("policy")
	cmd.ValidArgsFunction = func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"yaml", "yml"}, cobra.ShellCompDirectiveFilterFileExt
	}
}

func newCompileCommand() *cobra.Command {
	o := &compileOptions{}
	cmd := &cobra.Command{
		Use:   "compile [PATH...]",
		Short: "Compile sources into Kubernetes manifests, gated by the least-privilege policy",
		Long: `Compile SkillPacks, instances (SympoziumInstance or Agent) and AgentRuns into the objects a run
needs, then run the least-privilege gate over them. PATH is a file, a directory (walked recursively
for *.yaml and *.yml) or - for stdin; the default is the current directory. Manifests go to stdout
as one YAML stream, or with -o DIR one file per object (DIR/<namespace or _cluster>/<kind>-<name>.yaml),
written to a temporary directory and moved into place only when everything succeeded.

Warnings go to stderr. If the gate denies anything, nothing is written and the exit code is 1.`,
		Example: `  # Compile the built-in packs with an example instance and run
  skillc compile skills/ fixtures/default/

  # One file per object, per-run identities, plain sidecar containers
  skillc compile -o rendered/ --identity per-run --sidecars containers platform/

  # Platform settings and extra policies
  skillc compile --config platform.yaml --policy policies/ skills/ tenants/`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCompile(cmd, o, args)
		},
	}
	o.addFlags(cmd)
	cmd.Flags().StringVarP(&o.outDir, "output-dir", "o", "", "write one file per object under `DIR` instead of stdout")
	_ = cmd.MarkFlagDirname("output-dir")
	return cmd
}

func runCompile(cmd *cobra.Command, o *compileOptions, args []string) error {
	res, diags, err := compileSources(cmd, o, args)
	if err != nil {
		return err
	}
	reportDiagnostics(cmd, diags)
	if diags.HasErrors() {
		return exitError{2}
	}
	rep, err := gate(cmd, o, res)
	if err != nil {
		return err
	}
	reportDiagnostics(cmd, rep.Findings)
	for _, e := range rep.Excepted {
		fmt.Fprintf(cmd.ErrOrStderr(), "%s (excepted by %s, owner %s, expires %s)\n", e.Diagnostic.String(), e.Exception, e.Owner, e.Expires)
	}
	if rep.Denied() {
		deny, _, _ := rep.Counts()
		fmt.Fprintf(cmd.ErrOrStderr(), "skillc: the policy gate denied %d finding(s): nothing was written\n", deny)
		return exitError{1}
	}
	if o.outDir == "" {
		out, err := compile.MarshalStream(res.Objects)
		if err != nil {
			return internalError(cmd, err)
		}
		_, err = cmd.OutOrStdout().Write(out)
		return err
	}
	if err := writeDir(o.outDir, res.Objects); err != nil {
		fmt.Fprintf(cmd.ErrOrStderr(), "%s: %v\n", o.outDir, err)
		return exitError{2}
	}
	return nil
}

// compileSources reads the inputs and the config and compiles them. Input problems come back as
// diagnostics (errors among them mean no result); only internal failures are errors.
func compileSources(cmd *cobra.Command, o *compileOptions, args []string) (*compile.Result, compile.Diagnostics, error) {
	if len(args) == 0 {
		args = []string{"."}
	}
	opts := compile.Options{Identity: o.identity, Sidecars: o.sidecars, Target: o.target, Profile: o.profile}
	if o.configFile != "" {
		cfg, diags := compile.LoadConfig(o.configFile)
		if diags.HasErrors() {
			return nil, diags, nil
		}
		opts.Config = cfg
	}
	files, diags := compile.ReadPaths(args, cmd.InOrStdin())
	if diags.HasErrors() {
		return nil, diags, nil
	}
	res, err := compile.Compile(files, opts)
	var ds compile.Diagnostics
	if errors.As(err, &ds) {
		return nil, ds, nil
	}
	if err != nil {
		return nil, nil, internalError(cmd, err)
	}
	return res, res.Diagnostics, nil
}

// gate runs the policy library (and --policy folders) over a compile's objects.
func gate(cmd *cobra.Command, o *compileOptions, res *compile.Result) (*policy.Report, error) {
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	g, err := policy.NewGate(ctx, res.Config, o.policyDirs, time.Now())
	if err != nil {
		fmt.Fprintf(cmd.ErrOrStderr(), "skillc: %v\n", err)
		return nil, exitError{2}
	}
	rep, err := g.Check(ctx, res)
	if err != nil {
		return nil, internalError(cmd, err)
	}
	return rep, nil
}

func internalError(cmd *cobra.Command, err error) error {
	fmt.Fprintf(cmd.ErrOrStderr(), "skillc: internal error, please report: %v\n", err)
	return exitError{3}
}

// writeDir writes one file per object (see writeFiles).
func writeDir(dir string, objs []compile.Object) error {
	docs, err := compile.MarshalEach(objs)
	if err != nil {
		return err
	}
	files := make(map[string][]byte, len(objs))
	for i, o := range objs {
		files[compile.ObjectPath(o)] = docs[i]
	}
	return writeFiles(dir, files)
}

// writeFiles writes files (relative slash paths) into a fresh sibling temporary directory and swaps
// it in only when every file is written, so readers (and Argo CD) never see a partial render and a
// failure leaves the previous DIR as it was.
func writeFiles(dir string, files map[string][]byte) (err error) {
	dir = filepath.Clean(dir)
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".skillc-tmp-")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	for rel, data := range files {
		path := filepath.Join(tmp, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return err
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	// Move the old render aside, move the new one in, then drop the old one.
	old := ""
	if _, statErr := os.Lstat(dir); statErr == nil {
		old = tmp + ".old"
		if err := os.Rename(dir, old); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			_ = os.Rename(old, dir)
		}
		return err
	}
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}
