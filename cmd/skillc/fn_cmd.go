package main

import (
	"bytes"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/kio"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/skillc-dev/skillc/compile"
)

// maxResourceList bounds what fn reads from stdin: a ResourceList holds a whole kustomization, so
// more than one input file's limit, but still a limit.
const maxResourceList = 8 * compile.MaxFileSize

type fnOptions struct {
	policyDirs []string
}

func newFnCommand() *cobra.Command {
	o := &fnOptions{}
	cmd := &cobra.Command{
		Use:   "fn",
		Short: "Run as a KRM function: ResourceList on stdin, ResourceList on stdout",
		Long: `Run as a KRM function (kustomize exec transformer, kpt). Reads a ResourceList on stdin; its
functionConfig is the CompilerConfig (skillc.dev/v1alpha1, decoded strictly; absent: the defaults).
The source kinds (SkillPack, SympoziumInstance, Agent, AgentRun, SympoziumSchedule) are compiled and
replaced by the objects skillc compile would print; every other object passes through untouched.
spec.keepSources: true keeps the sources too. SKILL.md packages cannot travel in a ResourceList:
import them first (skillc import) or use skillc compile.

kustomize ignores a function's results, so a policy denial exits 1 and bad input exits 2, with the
findings on stderr and nothing on stdout: the build fails. Warnings go to stderr and into results.
File names in messages come from kustomize's origin annotation (buildMetadata: [originAnnotations]);
line numbers are not given, because kustomize hands over objects, not files.`,
		Example: `  # kustomization.yaml
  resources: [skills.yaml, tenants.yaml]
  buildMetadata: [originAnnotations]
  transformers: [skillc.yaml]

  # skillc.yaml: the CompilerConfig, run by kustomize
  apiVersion: skillc.dev/v1alpha1
  kind: CompilerConfig
  metadata:
    name: platform
    annotations:
      config.kubernetes.io/function: |
        exec: {path: skillc, args: [fn]}
  spec: {identity: per-run}

  kustomize build --enable-alpha-plugins --enable-exec .`,
		// kustomize and kpt pass arguments of their own; none of them is a file to read.
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runFn(cmd, o)
		},
	}
	cmd.Flags().StringArrayVar(&o.policyDirs, "policy", nil, "add the conftest-style Rego policies of `DIR` (relative to the kustomization); repeatable")
	_ = cmd.MarkFlagDirname("policy")
	return cmd
}

func runFn(cmd *cobra.Command, o *fnOptions) error {
	stderr := cmd.ErrOrStderr()
	data, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), maxResourceList+1))
	switch {
	case err != nil:
		fmt.Fprintf(stderr, "skillc fn: reading stdin: %v\n", err)
		return exitError{2}
	case len(data) > maxResourceList:
		fmt.Fprintf(stderr, "skillc fn: the ResourceList on stdin is larger than %d MiB\n", maxResourceList>>20)
		return exitError{2}
	}
	var out bytes.Buffer
	rw := &kio.ByteReadWriter{Reader: bytes.NewReader(data), Writer: &out, KeepReaderAnnotations: true}
	var failed error
	err = framework.Execute(framework.ResourceListProcessorFunc(func(rl *framework.ResourceList) error {
		if rw.WrappingKind != kio.ResourceListKind {
			fmt.Fprintln(stderr, "skillc fn: expected a config.kubernetes.io/v1 ResourceList on stdin (what kustomize and kpt send); to compile files, use skillc compile")
			failed = exitError{2}
			return failed
		}
		r, err := compileItems(cmd, "fn", "", rl.Items, rl.FunctionConfig, compile.Options{}, o.policyDirs)
		if err != nil {
			failed = err
			return err
		}
		if rl.Items, err = compile.ObjectNodes(r.objects); err != nil {
			failed = internalError(cmd, err)
			return failed
		}
		rl.Items = append(r.passthrough, rl.Items...)
		rl.Results = results(r.notes)
		return nil
	}), rw)
	if failed != nil {
		// framework.Execute writes the items even when processing fails: that output is dropped, so
		// kustomize sees nothing and fails instead of building a half render.
		fmt.Fprintln(stderr, "skillc fn: nothing was written to stdout")
		return failed
	}
	if err != nil {
		fmt.Fprintf(stderr, "skillc fn: %v\n", err)
		return exitError{2}
	}
	_, err = cmd.OutOrStdout().Write(out.Bytes())
	return err
}

// krmResult is a successful compile of a list of objects: the objects passed through, the compiled
// ones, and the warnings and notes already printed.
type krmResult struct {
	passthrough []*kyaml.RNode
	objects     []compile.Object
	notes       compile.Diagnostics
}

// compileItems compiles the source objects among items (fn's ResourceList, build's kustomize
// output) and gates them, with the semantics of compile: every diagnostic goes to stderr; bad input
// is exitError 2, a denial exitError 1. Lines are dropped from locations inside the items: they are
// lines in kustomize's re-serialized object, not in the user's file.
func compileItems(cmd *cobra.Command, name, base string, items []*kyaml.RNode, functionConfig *kyaml.RNode, opts compile.Options, policyDirs []string) (*krmResult, error) {
	in, diags := compile.ReadKRM(items, functionConfig, base)
	names := in.FileNames()
	if diags.HasErrors() {
		reportDiagnostics(cmd, diags.Unlined(names))
		return nil, exitError{2}
	}
	if in.Config != nil {
		opts.Config = in.Config
	}
	res, d, err := compileFiles(cmd, in.Files, opts)
	if err != nil {
		return nil, err
	}
	diags = append(diags, d...).Unlined(names)
	reportDiagnostics(cmd, diags)
	if diags.HasErrors() {
		return nil, exitError{2}
	}
	rep, err := gate(cmd, policyDirs, res)
	if err != nil {
		return nil, err
	}
	findings := reportGate(cmd, rep, func(ds compile.Diagnostics) compile.Diagnostics { return ds.Unlined(names) })
	if rep.Denied() {
		deny, _, _ := rep.Counts()
		fmt.Fprintf(cmd.ErrOrStderr(), "skillc %s: the policy gate denied %d finding(s)\n", name, deny)
		return nil, exitError{1}
	}
	return &krmResult{
		passthrough: in.Passthrough(res.Config.Spec.KeepSources),
		objects:     res.Objects,
		notes:       append(diags, findings...),
	}, nil
}

// results are the warnings and notes as KRM results, for kpt (kustomize drops them).
func results(ds compile.Diagnostics) framework.Results {
	var rs framework.Results
	for _, d := range ds {
		r := &framework.Result{Message: d.Message, Severity: framework.Info}
		if d.Severity == compile.SeverityWarning {
			r.Severity = framework.Warning
		}
		if d.Rule != "" {
			r.Message = d.Rule + ": " + d.Message
		}
		if d.File != "" {
			r.File = &framework.File{Path: d.File}
		}
		if d.Field != "" {
			r.Field = &framework.Field{Path: d.Field}
		}
		rs = append(rs, r)
	}
	return rs
}
