package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/internal/confine"
	"github.com/skillc-dev/skillc/krm"
	"github.com/skillc-dev/skillc/policy"
	"github.com/skillc-dev/skillc/source"
)

type fnOptions struct {
	policyDirs []string
	failOnWarn bool
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

Everything written passed the gate. The RBAC objects (Role, ClusterRole, RoleBinding,
ClusterRoleBinding) and workloads (Pod, Job, CronJob, Deployment, StatefulSet, DaemonSet,
ReplicaSet, ReplicationController, PodTemplate) that pass through are judged by the library's
RBAC, POD, IMG and SEC rules and the --policy rules, without allow-lists or exceptions (they
belong to no SkillPack): a binding may refer only to a Role or ClusterRole among the objects
written (never cluster-admin, admin, edit, view or a system: role) and may not bind a system:
group or user or a kube-system ServiceAccount. An object with the API group, kind, namespace and
name of a compiled object is bad input, in place or not.

A policy denial exits 1 (so does a warning with --fail-on-warn) and bad input exits 2: the findings go to stderr and, as KRM results
(severity, message, resourceRef, field.path, file.path and file.index, tags.rule), into a
ResourceList without items on stdout; kustomize fails the build, kpt shows the results. Warnings go
to stderr and into results too. stdin is one input file, under the same limits as every other (32
MiB, elements, aliases, tags); a malformed ResourceList is bad input.

In place (kpt fn render or eval: the objects carry kpt's path annotations) the sources and the
CompilerConfig are kept, the compiled objects go to generated/<namespace>/<kind>-<name>.yaml with
the annotation skillc.dev/generated-by: skillc-fn, and a second run replaces them: re-rendering
changes nothing.

--policy DIR and the config's spec.policy.paths (a container has no arguments) add Rego folders,
relative to the kustomization or package: absolute paths, .. and symlinks are refused.
File names in messages come from kustomize's origin annotation (buildMetadata: [originAnnotations])
or kpt's path annotation; line numbers are not given, because kustomize hands over objects, not
files.`,
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
	cmd.Flags().StringArrayVar(&o.policyDirs, "policy", nil, "add the conftest-style Rego policies of `DIR` (relative, inside the kustomization or package); repeatable")
	_ = cmd.MarkFlagDirname("policy")
	addFailOnWarn(cmd, &o.failOnWarn)
	return cmd
}

func runFn(cmd *cobra.Command, o *fnOptions) error {
	// stdin is one input file: read no more than its limit allows (one byte over is the refusal).
	data, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), source.MaxFileSize+1))
	if err != nil {
		return refused("skillc fn: reading stdin: %v", err)
	}
	rl, diags := krm.ReadResourceList(source.File{Name: "<stdin>", Data: data})
	if diags.HasErrors() {
		// kpt and Porch show a function's results only from a ResourceList on stdout: one without
		// items (nothing of stdin is echoed) and with the refusal as results.
		return writeFailure(cmd, "config.kubernetes.io/v1", nil, krm.DiagResults(diags, nil), failed(diags))
	}
	// The --policy folders come from the kustomization (or a Kptfile), which is not trusted.
	var bad diag.Diagnostics
	for _, dir := range o.policyDirs {
		if err := confineDir(".", dir); err != nil {
			bad = append(bad, diag.Diagnostic{Severity: diag.SeverityError, Field: "--policy", Message: err.Error()})
		}
	}
	if len(bad) > 0 {
		return writeFailure(cmd, rl.APIVersion, rl.FunctionConfig, krm.DiagResults(bad, nil), failed(bad))
	}
	// Keep kustomize's legacy and internal annotations in step, then write the ResourceList back
	// with the results.
	reconcile, err := krm.MigrateAnnotations(rl.Items)
	if err != nil {
		return internalError(err)
	}
	r, out := compileItems(cmd, "fn", "", rl.Items, rl.FunctionConfig, compile.Options{}, o.policyDirs, o.failOnWarn, nil)
	if out.code != exitOK {
		// No items: kustomize fails the build instead of building a half render, kpt writes
		// nothing back; both get the findings as results (kpt shows them).
		return writeFailure(cmd, rl.APIVersion, rl.FunctionConfig, r.results(), out)
	}
	compiled, err := krm.ObjectNodes(r.objects)
	if err != nil {
		return out.then(internalError(err))
	}
	if r.in.InPlace {
		if err := krm.PlaceGenerated(r.in, r.passthrough, compiled); err != nil {
			d := diag.Diagnostic{Severity: diag.SeverityError, Message: err.Error()}
			return writeFailure(cmd, rl.APIVersion, rl.FunctionConfig, append(r.results(), krm.DiagResults(diag.Diagnostics{d}, nil)...), out.note(diag.Diagnostics{d}).exit(exitBadInput))
		}
	}
	items := append(r.passthrough, compiled...)
	if err := reconcile(items); err != nil {
		return out.then(internalError(err))
	}
	return out.then(writeResourceList(cmd, rl.APIVersion, items, rl.FunctionConfig, r.results()))
}

// writeResourceList writes the ResourceList to stdout with the results. Its error is an internal
// one: a failed write is kept by the outputWriter and reported by run.
func writeResourceList(cmd *cobra.Command, apiVersion string, items []*krm.RNode, fc *krm.RNode, rs krm.Results) error {
	if err := krm.WriteResourceList(cmd.OutOrStdout(), apiVersion, items, fc, rs); err != nil {
		return internalError(err)
	}
	return nil
}

// writeFailure writes a ResourceList without items and with the results, then returns exit (the
// outcome of the failure): the caller's objects are never half-compiled on stdout.
func writeFailure(cmd *cobra.Command, apiVersion string, fc *krm.RNode, rs krm.Results, exit *outcome) error {
	if exit.code == exitInternal {
		return exit // an internal error: nothing more to say
	}
	if err := writeResourceList(cmd, apiVersion, nil, fc, rs); err != nil {
		return exit.then(err)
	}
	if outputFailed(cmd) {
		return exit // run says that stdout failed
	}
	return exit.notef("skillc fn: no objects were written to stdout, only the results")
}

// confineDir refuses a folder that is absolute, climbs out of root with `..`, or has a symlink
// below root: it comes from a kustomization or package that is not trusted.
func confineDir(root, dir string) error {
	clean := filepath.Clean(dir)
	switch {
	case dir == "":
		return fmt.Errorf("empty folder")
	case filepath.IsAbs(dir) || strings.HasPrefix(dir, "/"):
		return fmt.Errorf("%s: an absolute path is refused: name a folder inside the kustomization or package", dir)
	case clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) || slices.Contains(strings.Split(filepath.ToSlash(dir), "/"), ".."):
		return fmt.Errorf("%s: `..` is refused: name a folder inside the kustomization or package", dir)
	}
	// The folder is opened as internal/confine opens it, one part at a time: no part may be a link.
	r, err := confine.Open(root)
	if err != nil {
		return nil // whoever reads the folder reports it
	}
	defer r.Close()
	sub, err := r.Sub(clean)
	var link *confine.LinkError
	switch {
	case errors.As(err, &link):
		return fmt.Errorf("%s: %s is a symlink: not followed (policies only from inside the kustomization or package)", dir, filepath.Join(root, link.Rel))
	case err == nil:
		sub.Close()
	}
	return nil // a folder that does not exist is reported by whoever reads it
}

// krmResult is a compile of a list of objects: the objects passed through, the compiled ones, and
// every diagnostic as compiled (with lines), for the results; the diagnostics about pass-through
// objects apart, with their objects. On a failure only in and the diagnostics are set.
type krmResult struct {
	in          *krm.KRMInputs
	passthrough []*krm.RNode
	objects     []compile.Object
	diags       diag.Diagnostics
	excepted    []policy.Excepted
	passDiags   []krm.ItemDiagnostic
}

// results are the diagnostics as KRM results, each about the object it names.
func (r *krmResult) results() krm.Results {
	if r == nil {
		return nil
	}
	rs := krm.DiagResults(r.diags, r.in)
	for _, e := range r.excepted {
		rs = append(rs, krm.ExceptedResults(e.Diagnostic, e.Exception, e.Owner, e.Expires, r.in)...)
	}
	if len(r.passDiags) > 0 {
		rs = append(rs, krm.ItemResults(r.passDiags)...)
		rs.Sort()
	}
	return rs
}

// compileItems compiles the source objects among items (fn's ResourceList, build's kustomize
// output) and gates them, with the semantics of compile: every diagnostic goes into the outcome;
// bad input is exit 2, a denial exit 1 (the result then holds the diagnostics). Lines are dropped
// from locations inside the items: they are lines in kustomize's re-serialized object, not in the
// user's file. The config's spec.policy.paths are added to policyDirs, confined to base.
//
// The objects passed through are gated too (policy.Gated: RBAC and workloads), located by locate
// (nil: their file, no line); one with the id of a compiled object is bad input.
func compileItems(cmd *cobra.Command, name, base string, items []*krm.RNode, functionConfig *krm.RNode, opts compile.Options, policyDirs []string, failOnWarn bool, locate func(*krm.RNode) (string, int)) (*krmResult, *outcome) {
	in, diags := krm.ReadKRM(items, functionConfig, base)
	r := &krmResult{in: in, diags: diags}
	names := in.FileNames()
	if diags.HasErrors() {
		return r, failed(diags.Unlined(names))
	}
	if in.Config != nil {
		opts.Config = in.Config
	}
	res, d, err := compileFiles(cmd, in.Files, opts)
	if err != nil {
		return r, asOutcome(err)
	}
	r.diags = append(r.diags, d...)
	root := base
	if root == "" {
		root = "."
	}
	// fn's --policy comes from the kustomization or package (checked in runFn), build's from the
	// Argo CD plugin's command line; the config's paths from the config, inside the package. The
	// kustomization's and the config's are read confined to it.
	folders := policy.NamedFolders(policyDirs)
	if name == "fn" {
		for i := range folders {
			folders[i].Base = root
		}
	}
	if !r.diags.HasErrors() {
		for i, p := range res.Config.Spec.Policy.Paths {
			if err := confineDir(root, p); err != nil {
				r.diags = append(r.diags, res.Config.Src.Diag(fmt.Sprintf("spec.policy.paths[%d]", i), "%v", err))
				continue
			}
			folders = append(folders, policy.Folder{Base: root, Rel: p})
		}
	}
	diags = r.diags.Unlined(names)
	out := (&outcome{}).note(diags)
	if diags.HasErrors() {
		return r, out.exit(exitBadInput)
	}
	if locate == nil {
		locate = func(n *krm.RNode) (string, int) { return krm.ItemFile(n, base), 0 }
	}
	passthrough := in.Passthrough(res.Config.Spec.KeepSources)
	if c := krm.Collisions(passthrough, res.Objects, locate, compiledSource(res, names)); len(c) > 0 {
		r.passDiags = c
		for _, d := range c {
			out.note(diag.Diagnostics{d.Diagnostic})
		}
		return r, out.exit(exitBadInput)
	}
	pass, passItems, err := passThroughs(passthrough, locate)
	if err != nil {
		return r, asOutcome(out.then(internalError(err)))
	}
	rep, perItem, ds, err := gateAll(cmd, folders, res, pass)
	if ds != nil {
		r.diags = append(r.diags, ds...)
		return r, out.note(ds).exit(exitBadInput)
	}
	if err != nil {
		return r, asOutcome(out.then(err))
	}
	// The compiled objects' findings (lines inside the items: dropped), then the pass-through
	// objects' (lines in the user's files: kept).
	own := map[diag.Diagnostic]bool{}
	for i, ds := range perItem {
		for _, d := range ds {
			own[d] = true
			r.passDiags = append(r.passDiags, krm.ItemDiagnostic{Item: passItems[i], Diagnostic: d})
		}
	}
	for _, d := range rep.Findings {
		if !own[d] {
			r.diags = append(r.diags, d)
		}
	}
	r.excepted = rep.Excepted
	out.gate(rep, func(ds diag.Diagnostics) diag.Diagnostics {
		out := make(diag.Diagnostics, 0, len(ds))
		for _, d := range ds {
			if !own[d] {
				d = diag.Diagnostics{d}.Unlined(names)[0]
			}
			out = append(out, d)
		}
		return out
	})
	if rep.Denied() {
		deny, _, _ := rep.Counts()
		return r, out.notef("skillc %s: the policy gate denied %d finding(s)", name, deny).exit(exitDenied)
	}
	if n := warnings(diags, rep); failOnWarn && n > 0 {
		return r, out.notef("skillc %s: %d warning(s) and --fail-on-warn", name, n).exit(exitDenied)
	}
	r.passthrough = passthrough
	r.objects = res.Objects
	return r, out
}

// passThroughs are the gated objects among the pass-through ones (policy.Gated) as the gate takes
// them, located, with their nodes.
func passThroughs(passthrough []*krm.RNode, locate func(*krm.RNode) (string, int)) ([]policy.PassThrough, []*krm.RNode, error) {
	var pass []policy.PassThrough
	var nodes []*krm.RNode
	for _, n := range passthrough {
		if !policy.Gated(n.GetApiVersion(), n.GetKind()) {
			continue
		}
		m, err := krm.ObjectMap(n)
		if err != nil {
			return nil, nil, fmt.Errorf("%s %s: %w", n.GetKind(), n.GetName(), err)
		}
		file, line := locate(n)
		pass = append(pass, policy.PassThrough{Object: m, File: file, Line: line})
		nodes = append(nodes, n)
	}
	return pass, nodes, nil
}

// compiledSource names the source a compiled object came from: the file of the origin recorded
// for its name, without a line when the file is one of the items' (a line in the re-serialized
// object, not in the user's file).
func compiledSource(res *compile.Result, itemFiles []string) func(compile.Object) (string, int) {
	return func(o compile.Object) (string, int) {
		org, ok := res.OriginsOf(o).Lookup("metadata.name")
		if !ok {
			return "", 0
		}
		if slices.Contains(itemFiles, org.File) {
			return org.File, 0
		}
		return org.File, org.Line
	}
}
