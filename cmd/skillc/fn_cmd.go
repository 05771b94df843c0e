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
findings on stderr and nothing on stdout: the build fails. stdin is one input file, under the same
limits as every other (32 MiB, elements, aliases, tags); a malformed ResourceList is bad input. Warnings go to stderr and into results.
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
	// stdin is one input file: read no more than its limit allows (one byte over is the refusal).
	data, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), compile.MaxFileSize+1))
	if err != nil {
		fmt.Fprintf(stderr, "skillc fn: reading stdin: %v\n", err)
		return exitError{2}
	}
	rl, diags := compile.ReadResourceList(compile.File{Name: "<stdin>", Data: data})
	if diags.HasErrors() {
		reportDiagnostics(cmd, diags)
		fmt.Fprintln(stderr, "skillc fn: nothing was written to stdout")
		return exitError{2}
	}
	// What framework.Execute does around a processor, on the items our Reader parsed (it would
	// parse stdin again with kyaml, without the limits): keep kustomize's legacy and internal
	// annotations in step, then write the ResourceList back with the results.
	annos, err := kio.PreprocessResourcesForInternalAnnotationMigration(rl.Items)
	if err != nil {
		return internalError(cmd, err)
	}
	r, err := compileItems(cmd, "fn", "", rl.Items, rl.FunctionConfig, compile.Options{}, o.policyDirs)
	if err != nil {
		// Nothing is written, so kustomize sees no output and fails instead of building a half render.
		fmt.Fprintln(stderr, "skillc fn: nothing was written to stdout")
		return err
	}
	compiled, err := compile.ObjectNodes(r.objects)
	if err != nil {
		return internalError(cmd, err)
	}
	items := append(r.passthrough, compiled...)
	if err := kio.ReconcileInternalAnnotations(items, annos); err != nil {
		return internalError(cmd, err)
	}
	res := rl.Results
	if rs := results(r.notes); len(rs) > 0 {
		b, err := kyaml.Marshal(rs)
		if err == nil {
			res, err = kyaml.Parse(string(b))
		}
		if err != nil {
			return internalError(cmd, err)
		}
	}
	var out bytes.Buffer
	w := kio.ByteWriter{Writer: &out, KeepReaderAnnotations: true, FunctionConfig: rl.FunctionConfig, Results: res,
		WrappingKind: kio.ResourceListKind, WrappingAPIVersion: rl.APIVersion}
	if err := w.Write(items); err != nil {
		return internalError(cmd, err)
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
