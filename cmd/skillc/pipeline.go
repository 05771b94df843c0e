package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/policy"
	"github.com/skillc-dev/skillc/source"
	"github.com/skillc-dev/skillc/stream"
)

// compiled is a compile with what went into it, for the commands that edit the sources and
// compile them once more with the change (enable, disable). The decoded inputs are the compile's
// own (res.Inputs): never decoded twice.
type compiled struct {
	files []source.File
	opts  compile.Options
	res   *compile.Result
}

// readInputs reads the --config file and the PATHs (default "."), and says how to compile them.
// Its diagnostics are the reading's (with errors among them, nothing to compile).
func readInputs(cmd *cobra.Command, o *compileOptions, paths []string) ([]source.File, compile.Options, diag.Diagnostics) {
	if len(paths) == 0 {
		paths = []string{"."}
	}
	opts := o.options()
	if o.configFile != "" {
		cfg, diags := source.LoadConfig(o.configFile)
		if diags.HasErrors() {
			return nil, opts, asFlags(diags)
		}
		opts.Config = cfg
	}
	files, read := o.read(cmd, paths)
	return files, opts, o.notes(asFlags(read))
}

// readAndCompile reads the inputs and the config and compiles them, keeping the files read and
// the options. PATH defaults to ".".
// On input errors it returns diagnostics and no compile.
func readAndCompile(cmd *cobra.Command, o *compileOptions, paths []string) (*compiled, diag.Diagnostics, error) {
	files, opts, read := readInputs(cmd, o, paths)
	if read.HasErrors() {
		return nil, read, nil
	}
	res, diags, err := compileFiles(cmd, files, opts)
	diags = o.notes(diags)
	if err != nil || diags.HasErrors() {
		return nil, diags, err
	}
	return &compiled{files: files, opts: opts, res: res}, diags, nil
}

// streamSources is readAndCompile and gate a unit at a time (package stream), for the commands
// that need the rendered documents and the report, not the typed objects (compile, check): the
// memory a compile holds is then its output, not every object it built. Input problems come back
// as the result's diagnostics; the policy folders' problems (a rule that does not load, or that
// ran past its budget), only when the compile had none, as policyDiags. Only internal failures
// are errors.
func streamSources(cmd *cobra.Command, o *compileOptions, paths []string, render bool) (res *stream.Result, policyDiags diag.Diagnostics, err error) {
	if len(o.policyDirs) == 0 {
		policy.Prewarm() // a config's spec.policy.paths are not known yet: usually there are none
	}
	files, opts, read := readInputs(cmd, o, paths)
	if read.HasErrors() {
		return &stream.Result{Diags: read}, nil, nil
	}
	defer tuneGC(files)()
	plan, diags := compile.PrepareFiles(files, opts)
	if plan == nil {
		return &stream.Result{Diags: o.notes(asFlags(diags))}, nil, nil
	}
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	folders, policyDiags := withConfigPolicy(plan.Base, o.policyDirs)
	var g *policy.Gate
	if policyDiags == nil {
		g, err = policy.NewGate(ctx, plan.Base.Config, folders, time.Now())
		if errors.As(err, &policyDiags) {
			policyDiags = asFlags(policyDiags)
		} else if err != nil {
			return nil, nil, internalError(err)
		}
	}
	res, err = stream.Run(ctx, plan, g, diags, stream.Options{Render: render})
	if errors.As(err, &policyDiags) { // a policy folder's rules ran past their budget
		return &stream.Result{}, asFlags(policyDiags), nil
	}
	if err != nil {
		if errors.As(err, new(stream.SpoolError)) {
			return nil, nil, spoolFailure(err, "nothing was written")
		}
		return nil, nil, internalError(err)
	}
	res.Diags = o.notes(asFlags(res.Diags))
	if res.Diags.HasErrors() {
		policyDiags = nil
	}
	return res, policyDiags, nil
}

// compileFiles compiles read inputs: the one entry point of compile, check, fn and build. Input
// problems come back as diagnostics (errors among them mean no result); only internal failures are
// errors.
func compileFiles(cmd *cobra.Command, files []source.File, opts compile.Options) (*compile.Result, diag.Diagnostics, error) {
	res, ds := compile.Compile(files, opts)
	ds = asFlags(ds)
	if ds.HasErrors() {
		return nil, ds, nil
	}
	return res, ds, nil
}

// gate runs the policy library (and --policy folders) over a compile's objects. Problems of a
// --policy folder are input errors: an outcome with their FILE:LINE messages, exit 2.
func gate(cmd *cobra.Command, policyDirs []string, res *compile.Result) (*policy.Report, error) {
	folders, ds := withConfigPolicy(res, policyDirs)
	if ds != nil {
		return nil, failed(ds)
	}
	rep, ds, err := gateChecked(cmd, folders, res)
	if ds != nil {
		return nil, failed(ds)
	}
	return rep, err
}

// withConfigPolicy adds the CompilerConfig's spec.policy.paths to the --policy folders, each
// relative to the config file's folder and confined to it (no absolute path, no `..`, no symlink):
// the config is often part of the repository a pull request changes. (skillc fn and build confine
// them to the kustomization instead: see compileItems.)
func withConfigPolicy(res *compile.Result, named []string) ([]policy.Folder, diag.Diagnostics) {
	dirs := policy.NamedFolders(named)
	if res == nil || res.Config == nil || len(res.Config.Spec.Policy.Paths) == 0 {
		return dirs, nil
	}
	root := filepath.Dir(res.Config.Src.File)
	var ds diag.Diagnostics
	for i, p := range res.Config.Spec.Policy.Paths {
		if err := confineDir(root, p); err != nil {
			ds = append(ds, res.Config.Src.Diag(fmt.Sprintf("spec.policy.paths[%d]", i), "%v", err))
			continue
		}
		// Read confined: the check above only words the refusal; the read opens each part again.
		dirs = append(dirs, policy.Folder{Base: root, Rel: p})
	}
	return dirs, ds
}

// gateChecked is gate that returns the --policy folders' problems instead of printing them.
func gateChecked(cmd *cobra.Command, policyDirs []policy.Folder, res *compile.Result) (*policy.Report, diag.Diagnostics, error) {
	rep, _, ds, err := gateAll(cmd, policyDirs, res, nil)
	return rep, ds, err
}

// gateAll is gateChecked that also judges the objects emitted beside the compile's (skillc build
// and fn): their findings go into the report, and come back per object too, indexed like pass.
func gateAll(cmd *cobra.Command, policyDirs []policy.Folder, res *compile.Result, pass []policy.PassThrough) (*policy.Report, []diag.Diagnostics, diag.Diagnostics, error) {
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	g, err := policy.NewGate(ctx, res.Config, policyDirs, time.Now())
	var ds diag.Diagnostics
	if errors.As(err, &ds) {
		return nil, nil, asFlags(ds), nil
	}
	if err != nil {
		return nil, nil, nil, internalError(err)
	}
	rep, err := g.Check(ctx, res)
	if errors.As(err, &ds) { // a policy folder's rules ran past their budget
		return nil, nil, asFlags(ds), nil
	}
	if err != nil {
		return nil, nil, nil, internalError(err)
	}
	if len(pass) == 0 {
		return rep, nil, nil, nil
	}
	perObject, err := g.CheckPassThrough(ctx, rep, res.Objects, pass)
	if errors.As(err, &ds) {
		return nil, nil, asFlags(ds), nil
	}
	if err != nil {
		return nil, nil, nil, internalError(err)
	}
	return rep, perObject, nil, nil
}

// spoolFailure is a failure of the spool in $TMPDIR (missing, unwritable, full): the system's, not
// the input's nor a bug. One line, exit 3; note says what was left.
func spoolFailure(err error, note string) *outcome {
	return (&outcome{}).notef("skillc: %v (%s; set TMPDIR to a writable folder with room for the render)", err, note).exit(exitInternal)
}
