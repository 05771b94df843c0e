package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"sigs.k8s.io/kustomize/kyaml/fn/framework"
	"sigs.k8s.io/kustomize/kyaml/kio"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/krm"
	"github.com/skillc-dev/skillc/policy"
	"github.com/skillc-dev/skillc/source"
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

A policy denial exits 1 and bad input exits 2: the findings go to stderr and, as KRM results
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
		return writeFailure(cmd, "config.kubernetes.io/v1", nil, diagResults(diags, nil), failed(diags))
	}
	// The --policy folders come from the kustomization (or a Kptfile), which is not trusted.
	var bad diag.Diagnostics
	for _, dir := range o.policyDirs {
		if err := confineDir(".", dir); err != nil {
			bad = append(bad, diag.Diagnostic{Severity: diag.SeverityError, Field: "--policy", Message: err.Error()})
		}
	}
	if len(bad) > 0 {
		return writeFailure(cmd, rl.APIVersion, rl.FunctionConfig, diagResults(bad, nil), failed(bad))
	}
	// What framework.Execute does around a processor, on the items our Reader parsed (it would
	// parse stdin again with kyaml, without the limits): keep kustomize's legacy and internal
	// annotations in step, then write the ResourceList back with the results.
	annos, err := kio.PreprocessResourcesForInternalAnnotationMigration(rl.Items)
	if err != nil {
		return internalError(err)
	}
	r, out := compileItems(cmd, "fn", "", rl.Items, rl.FunctionConfig, compile.Options{}, o.policyDirs)
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
		if err := placeGenerated(r.in, r.passthrough, compiled); err != nil {
			d := diag.Diagnostic{Severity: diag.SeverityError, Message: err.Error()}
			return writeFailure(cmd, rl.APIVersion, rl.FunctionConfig, append(r.results(), diagResults(diag.Diagnostics{d}, nil)...), out.note(diag.Diagnostics{d}).exit(exitBadInput))
		}
	}
	items := append(r.passthrough, compiled...)
	if err := kio.ReconcileInternalAnnotations(items, annos); err != nil {
		return out.then(internalError(err))
	}
	return out.then(writeResourceList(cmd, rl.APIVersion, items, rl.FunctionConfig, r.results()))
}

// writeResourceList writes the ResourceList to stdout with the results (none: no results field).
// Its error is an internal one: a failed write is kept by the outputWriter and reported by run.
func writeResourceList(cmd *cobra.Command, apiVersion string, items []*kyaml.RNode, fc *kyaml.RNode, rs framework.Results) error {
	var res *kyaml.RNode
	if len(rs) > 0 {
		b, err := kyaml.Marshal(rs)
		if err == nil {
			res, err = kyaml.Parse(string(b))
		}
		if err != nil {
			return internalError(err)
		}
	}
	var out bytes.Buffer
	w := kio.ByteWriter{Writer: &out, KeepReaderAnnotations: true, FunctionConfig: fc, Results: res,
		WrappingKind: kio.ResourceListKind, WrappingAPIVersion: apiVersion}
	if err := w.Write(items); err != nil {
		return internalError(err)
	}
	_, _ = cmd.OutOrStdout().Write(out.Bytes())
	return nil
}

// writeFailure writes a ResourceList without items and with the results, then returns exit (the
// outcome of the failure): the caller's objects are never half-compiled on stdout.
func writeFailure(cmd *cobra.Command, apiVersion string, fc *kyaml.RNode, rs framework.Results, exit *outcome) error {
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

// placeGenerated readies this run's objects for a kpt package rewritten in place: each carries
// the generated-by annotation (the next run replaces it) and a file: the one the previous run's
// object of the same kind and name had (users may move it), else generated/<compile -o's path>.
// An object of the package with the same id that skillc did not generate is a conflict: refused,
// never duplicated or overwritten.
func placeGenerated(in *krm.KRMInputs, passthrough, compiled []*kyaml.RNode) error {
	taken := map[string]bool{}
	for _, n := range passthrough {
		taken[n.GetKind()+"/"+n.GetNamespace()+"/"+n.GetName()] = true
	}
	prev := in.Generated()
	for _, n := range compiled {
		key := n.GetKind() + "/" + n.GetNamespace() + "/" + n.GetName()
		if taken[key] {
			return fmt.Errorf("%s %s is in the package already and was not generated by skillc fn (no %s: %s annotation): remove it, or move it out of the package, and render again", n.GetKind(), strings.TrimPrefix(n.GetNamespace()+"/"+n.GetName(), "/"), krm.AnnotationGeneratedBy, krm.GeneratedByFn)
		}
		path := "generated/" + objectPath(n)
		if p, ok := prev[key]; ok && krm.ItemPath(p) != "" {
			path = krm.ItemPath(p)
		}
		for _, kv := range [][2]string{
			{krm.AnnotationGeneratedBy, krm.GeneratedByFn},
			{"config.kubernetes.io/path", path},
			{"internal.config.kubernetes.io/path", path},
		} {
			if err := n.PipeE(kyaml.SetAnnotation(kv[0], kv[1])); err != nil {
				return fmt.Errorf("annotating %s %s: %w", n.GetKind(), n.GetName(), err)
			}
		}
	}
	return nil
}

// objectPath is compile -o's file for a compiled node: <namespace or _cluster>/<kind>-<name>.yaml.
func objectPath(n *kyaml.RNode) string {
	ns := n.GetNamespace()
	if ns == "" {
		ns = "_cluster"
	}
	return ns + "/" + strings.ToLower(n.GetKind()) + "-" + n.GetName() + ".yaml"
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
	p := root
	for _, part := range strings.Split(clean, string(filepath.Separator)) {
		if part == "." {
			continue
		}
		p = filepath.Join(p, part)
		fi, err := os.Lstat(p)
		if err != nil {
			return nil // the policy loader reports what is missing
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			return fmt.Errorf("%s: %s is a symlink: not followed (policies only from inside the kustomization or package)", dir, p)
		}
	}
	return nil
}

// krmResult is a compile of a list of objects: the objects passed through, the compiled ones, and
// every diagnostic as compiled (with lines), for the results. On a failure only in and diags are set.
type krmResult struct {
	in          *krm.KRMInputs
	passthrough []*kyaml.RNode
	objects     []compile.Object
	diags       diag.Diagnostics
	excepted    []policy.Excepted
}

// results are the diagnostics as KRM results, each about the object it names.
func (r *krmResult) results() framework.Results {
	if r == nil {
		return nil
	}
	rs := diagResults(r.diags, r.in)
	for _, e := range r.excepted {
		x := diagResults(diag.Diagnostics{e.Diagnostic}, r.in)
		for _, res := range x {
			res.Severity = framework.Info
			res.Message += fmt.Sprintf(" (excepted by %s, owner %s, expires %s)", e.Exception, e.Owner, e.Expires)
			if res.Tags == nil {
				res.Tags = map[string]string{}
			}
			res.Tags["exception"] = e.Exception
		}
		rs = append(rs, x...)
	}
	return rs
}

// compileItems compiles the source objects among items (fn's ResourceList, build's kustomize
// output) and gates them, with the semantics of compile: every diagnostic goes into the outcome;
// bad input is exit 2, a denial exit 1 (the result then holds the diagnostics). Lines are dropped
// from locations inside the items: they are lines in kustomize's re-serialized object, not in the
// user's file. The config's spec.policy.paths are added to policyDirs, confined to base.
func compileItems(cmd *cobra.Command, name, base string, items []*kyaml.RNode, functionConfig *kyaml.RNode, opts compile.Options, policyDirs []string) (*krmResult, *outcome) {
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
	if !r.diags.HasErrors() {
		root := base
		if root == "" {
			root = "."
		}
		for i, p := range res.Config.Spec.Policy.Paths {
			if err := confineDir(root, p); err != nil {
				r.diags = append(r.diags, res.Config.Src.Diag(fmt.Sprintf("spec.policy.paths[%d]", i), "%v", err))
				continue
			}
			policyDirs = append(policyDirs, filepath.Join(root, p))
		}
	}
	diags = r.diags.Unlined(names)
	out := (&outcome{}).note(diags)
	if diags.HasErrors() {
		return r, out.exit(exitBadInput)
	}
	rep, ds, err := gateChecked(cmd, policyDirs, res)
	if ds != nil {
		r.diags = append(r.diags, ds...)
		return r, out.note(ds).exit(exitBadInput)
	}
	if err != nil {
		return r, asOutcome(out.then(err))
	}
	r.diags = append(r.diags, rep.Findings...)
	r.excepted = rep.Excepted
	out.gate(rep, func(ds diag.Diagnostics) diag.Diagnostics { return ds.Unlined(names) })
	if rep.Denied() {
		deny, _, _ := rep.Counts()
		return r, out.notef("skillc %s: the policy gate denied %d finding(s)", name, deny).exit(exitDenied)
	}
	r.passthrough = in.Passthrough(res.Config.Spec.KeepSources)
	r.objects = res.Objects
	return r, out
}

// diagResults are diagnostics as KRM results (kustomize drops them; kpt and Porch show them): the
// object each is about (resourceRef, its file and index in the package), the field, the rule as a
// tag. Lines are dropped as on stderr; results that become equal are merged; the order is stable.
func diagResults(ds diag.Diagnostics, in *krm.KRMInputs) framework.Results {
	var rs framework.Results
	seen := map[string]bool{}
	for _, d := range ds {
		var item *kyaml.RNode
		u := d // stdin's own lines are real: kept
		if in != nil {
			item = in.Item(d)
			u = diag.Diagnostics{d}.Unlined(in.FileNames())[0]
		}
		r := &framework.Result{Message: u.Message, Severity: framework.Info, Tags: map[string]string{}}
		switch d.Severity {
		case diag.SeverityError, diag.SeverityDeny:
			r.Severity = framework.Error
		case diag.SeverityWarning:
			r.Severity = framework.Warning
		}
		if d.Rule != "" {
			r.Message = d.Rule + ": " + u.Message
			r.Tags["rule"] = d.Rule
		}
		if d.Field != "" {
			r.Field = &framework.Field{Path: d.Field}
		}
		if item != nil {
			r.ResourceRef = &kyaml.ResourceIdentifier{
				TypeMeta: kyaml.TypeMeta{APIVersion: item.GetApiVersion(), Kind: item.GetKind()},
				NameMeta: kyaml.NameMeta{Name: item.GetName(), Namespace: item.GetNamespace()},
			}
		}
		switch path := itemFilePath(item); {
		case path != "":
			r.File = &framework.File{Path: path, Index: itemIndex(item)}
		case u.File != "" && !strings.HasPrefix(u.File, "<"):
			r.File = &framework.File{Path: u.File}
		case r.ResourceRef == nil:
			// <stdin>, or an object without a file: the message says where, as on stderr.
			u.Severity = diag.SeverityError
			r.Message = u.String()
		}
		if len(r.Tags) == 0 {
			r.Tags = nil
		}
		key := fmt.Sprintf("%s|%v|%v|%v|%v|%v", r.Message, r.Severity, r.ResourceRef, r.Field, r.File, r.Tags)
		if !seen[key] {
			seen[key] = true
			rs = append(rs, r)
		}
	}
	rs.Sort()
	return rs
}

// itemFilePath is an object's file in the package (kpt's path annotation), else the path in
// kustomize's origin annotation; "" when neither.
func itemFilePath(item *kyaml.RNode) string {
	if item == nil {
		return ""
	}
	if p := krm.ItemPath(item); p != "" {
		return p
	}
	if f := krm.ItemFile(item, ""); !strings.HasPrefix(f, "<") {
		return f
	}
	return ""
}

// itemIndex is an object's index in its file: kpt's index annotation beside its path annotation.
// Without a path the index annotation is kustomize's position in the whole list, not in the file:
// 0, which the result omits.
func itemIndex(item *kyaml.RNode) int {
	if krm.ItemPath(item) == "" {
		return 0
	}
	annos := item.GetAnnotations()
	for _, k := range []string{"internal.config.kubernetes.io/index", "config.kubernetes.io/index"} {
		if v, err := strconv.Atoi(annos[k]); err == nil {
			return v
		}
	}
	return 0
}
