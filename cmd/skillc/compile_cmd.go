package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/skillc-dev/skillc/compile"
)

type compileOptions struct {
	outDir     string
	configFile string
	identity   string
	sidecars   string
	target     string
	profile    string
}

func newCompileCommand() *cobra.Command {
	o := &compileOptions{}
	cmd := &cobra.Command{
		Use:   "compile [PATH...]",
		Short: "Compile sources into Kubernetes manifests",
		Long: `Compile SkillPacks, instances (SympoziumInstance or Agent) and AgentRuns into the objects a run
needs. PATH is a file, a directory (walked recursively for *.yaml and *.yml) or - for stdin; the
default is the current directory. Manifests go to stdout as one YAML stream, or with -o DIR one file
per object (DIR/<namespace or _cluster>/<kind>-<name>.yaml), written to a temporary directory and
moved into place only when everything succeeded.`,
		Example: `  # Compile the built-in packs with an example instance and run
  skillc compile skills/ fixtures/default/

  # One file per object, per-run identities, plain sidecar containers
  skillc compile -o rendered/ --identity per-run --sidecars containers platform/

  # Platform settings from a CompilerConfig
  skillc compile --config platform.yaml skills/ tenants/`,
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return []string{"yaml", "yml"}, cobra.ShellCompDirectiveFilterFileExt
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCompile(cmd, o, args)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.outDir, "output-dir", "o", "", "write one file per object under `DIR` instead of stdout")
	f.StringVar(&o.configFile, "config", "", "CompilerConfig `FILE` with the platform's settings")
	f.StringVar(&o.identity, "identity", "", "service account per namespace or per run: "+strings.Join(compile.Identities, "|")+" (default shared)")
	f.StringVar(&o.sidecars, "sidecars", "", "skill sidecars as native sidecars or plain containers: "+strings.Join(compile.SidecarModes, "|")+" (default native)")
	f.StringVar(&o.target, "target", "", "delivery target: "+strings.Join(compile.Targets, "|")+" (default plain)")
	f.StringVar(&o.profile, "profile", "", "policy profile: "+strings.Join(compile.Profiles, "|")+" (default baseline)")
	for flag, values := range map[string][]string{"identity": compile.Identities, "sidecars": compile.SidecarModes, "target": compile.Targets, "profile": compile.Profiles} {
		_ = cmd.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
	}
	_ = cmd.MarkFlagFilename("config", "yaml", "yml")
	_ = cmd.MarkFlagDirname("output-dir")
	return cmd
}

func runCompile(cmd *cobra.Command, o *compileOptions, args []string) error {
	res, err := compileArgs(cmd, o, args)
	if err != nil {
		return err
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

// compileArgs reads the inputs and the config, compiles, and reports diagnostics.
func compileArgs(cmd *cobra.Command, o *compileOptions, args []string) (*compile.Result, error) {
	if len(args) == 0 {
		args = []string{"."}
	}
	opts := compile.Options{Identity: o.identity, Sidecars: o.sidecars, Target: o.target, Profile: o.profile}
	if o.configFile != "" {
		cfg, diags := compile.LoadConfig(o.configFile)
		if diags.HasErrors() {
			reportDiagnostics(cmd, diags)
			return nil, exitError{2}
		}
		opts.Config = cfg
	}
	files, diags := compile.ReadPaths(args, cmd.InOrStdin())
	if diags.HasErrors() {
		reportDiagnostics(cmd, diags)
		return nil, exitError{2}
	}
	res, err := compile.Compile(files, opts)
	var ds compile.Diagnostics
	if errors.As(err, &ds) {
		reportDiagnostics(cmd, ds)
		return nil, exitError{ds.ExitCode()}
	}
	if err != nil {
		return nil, internalError(cmd, err)
	}
	reportDiagnostics(cmd, res.Diagnostics)
	return res, nil
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
