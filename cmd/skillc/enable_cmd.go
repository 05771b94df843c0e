package main

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/agnivade/levenshtein"
	"github.com/spf13/cobra"

	"github.com/skillc-dev/skillc/api"
	srcedit "github.com/skillc-dev/skillc/compile/edit"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/permissions"
	"github.com/skillc-dev/skillc/render"
	"github.com/skillc-dev/skillc/source"
)

// toggleOptions are the flags of enable and disable: the document to edit, the toggle's params,
// whether to write, and the compile flags the gate runs with.
type toggleOptions struct {
	compileOptions
	instance string
	run      string
	params   []string
	dryRun   bool
}

func newEnableCommand() *cobra.Command  { return newToggleCommand(true) }
func newDisableCommand() *cobra.Command { return newToggleCommand(false) }

func newToggleCommand(enable bool) *cobra.Command {
	o := &toggleOptions{}
	verb, what := "enable", "grants"
	if !enable {
		verb, what = "disable", "revokes"
	}
	cmd := &cobra.Command{
		Use:   verb + " PACK (--instance NS/NAME | --run NS/NAME) [PATH...]",
		Short: strings.ToUpper(verb[:1]) + verb[1:] + " a skill pack on an instance or run, showing what it " + what + " first",
		Long: `Edit the skill toggles (spec.skills) of an instance (SympoziumInstance or Agent) or, with --run, of
an AgentRun, in the source file among PATH (default .) that defines it. Only the toggle's lines
change: comments, key order, quoting, indentation and the file's other documents stay byte for byte,
and disable after enable gives the file back unchanged (but for skills: [], which enable turns into
a block list where the file's lists are block lists). A layout that cannot be edited that way
(a flow-style spec, a list spread over several lines) is refused, exit 2. Names YAML 1.1 reads as
booleans or numbers (on, no, 0o17) are written quoted.

Before writing, the sources are compiled with the change in memory and gated: the permissions the
change grants or revokes are printed in skillc diff's format, then the gate's verdict. The file is
written (a temporary file in its folder, renamed over it, mode kept) only when the gate passes;
a file its mode does not let you write is refused. With --dry-run nothing is written.

Exit codes: 0 done (or nothing to change), 1 the gate denied (nothing written), 2 bad input.`,
		Example: `  # What would turning on k8s-ops grant the sre-assistant?
  skillc ` + verb + ` k8s-ops --instance sre/sre-assistant --dry-run skills/ tenants/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.withNotes(runToggle(cmd, o, enable, args[0], args[1:]))
		},
	}
	o.addFlags(cmd)
	f := cmd.Flags()
	f.StringVar(&o.instance, "instance", "", "the instance to edit, `NS/NAME`")
	f.StringVar(&o.run, "run", "", "edit this AgentRun's own skills override instead, `NS/NAME`")
	if enable {
		f.StringArrayVar(&o.params, "param", nil, "a toggle param `KEY=VALUE` (becomes SKILL_<KEY> in the sidecar); repeatable")
	}
	f.BoolVar(&o.dryRun, "dry-run", false, "print what the change grants and the gate's verdict, write nothing")
	return cmd
}

// toggleTarget is the document to edit, from --instance or --run.
func (o *toggleOptions) toggleTarget() (srcedit.Target, string, error) {
	flag, value, kinds := "--instance", o.instance, []string{"SympoziumInstance", "Agent"}
	switch {
	case o.instance != "" && o.run != "":
		return srcedit.Target{}, "", errors.New("give --instance or --run, not both")
	case o.run != "":
		flag, value, kinds = "--run", o.run, []string{"AgentRun"}
	case o.instance == "":
		return srcedit.Target{}, "", errors.New("--instance NS/NAME (or --run NS/NAME) is required")
	}
	ns, name, ok := strings.Cut(value, "/")
	if !ok || ns == "" || name == "" || strings.Contains(name, "/") {
		return srcedit.Target{}, "", fmt.Errorf("%s: want NS/NAME, got %q", flag, value)
	}
	return srcedit.Target{Kinds: kinds, Namespace: ns, Name: name}, flag, nil
}

func runToggle(cmd *cobra.Command, o *toggleOptions, enable bool, pack string, args []string) error {
	tg, flag, err := o.toggleTarget()
	if err != nil {
		return err
	}
	params := map[string]string{}
	for _, p := range o.params {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return fmt.Errorf("--param: want KEY=VALUE, got %q", p)
		}
		params[k] = v
	}
	if len(args) == 0 {
		args = []string{"."}
	}
	if slices.Contains(args, "-") {
		return errors.New("enable and disable edit files in place: PATH cannot be - (stdin)")
	}
	c, diags, err := readAndCompile(cmd, &o.compileOptions, args)
	if err != nil {
		return err
	}
	if diags.HasErrors() {
		return failed(diags.Filter(diag.SeverityError))
	}
	files, before := c.files, c.res
	in := before.Inputs // as the compile decoded them
	fileIdx, src, d := findTarget(files, in, tg, flag)
	if d != nil {
		return failed(diag.Diagnostics{*d})
	}
	who := fmt.Sprintf("%s %s/%s", strings.TrimPrefix(flag, "--"), tg.Namespace, tg.Name)
	if enable {
		if d := checkPack(in, before.Config.Spec.CatalogNamespace, tg.Namespace, pack, src, who); d != nil {
			return failed(diag.Diagnostics{*d})
		}
	}
	f := files[fileIdx]
	var res srcedit.Result
	if enable {
		res, err = srcedit.Enable(f, tg, srcedit.Toggle{Pack: pack, Params: params})
	} else {
		res, err = srcedit.Disable(f, tg, pack)
	}
	var refused *srcedit.RefusedError
	if errors.As(err, &refused) {
		return failed(diag.Diagnostics{{File: f.Name, Line: refused.Line, Field: "spec.skills", Severity: diag.SeverityError, Message: refused.Msg}})
	}
	if err != nil {
		return internalError(err)
	}
	out := cmd.OutOrStdout()
	if !res.Changed {
		if enable {
			fmt.Fprintf(out, "%s is already enabled on %s (%s:%d, %s): nothing to change\n", pack, who, f.Name, res.Line, res.Field)
			if have := togglesOf(in, tg, flag); len(params) > 0 {
				for _, r := range have {
					if srcedit.PackName(r.SkillPackRef) == srcedit.PackName(pack) && !sameParams(r.Params, params) {
						fmt.Fprintf(out, "note: its params differ from --param and were left as they are; disable and enable it again to change them\n")
					}
				}
			}
		} else {
			fmt.Fprintf(out, "%s is not enabled on %s (%s:%d): nothing to change\n", pack, who, f.Name, src.Line)
		}
		return nil
	}
	changed := slices.Clone(files)
	changed[fileIdx].Data = res.Data
	after, diags, err := compileFiles(cmd, changed, c.opts)
	if err != nil {
		return err
	}
	if diags.HasErrors() {
		return (&outcome{}).notef("skillc: with %s %sd, the sources do not compile:", pack, verbOf(enable)).note(diags.Filter(diag.SeverityError)).exit(exitBadInput)
	}
	rep, err := gate(cmd, o.policyDirs, after)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "%s %s on %s (%s:%d, %s)\n", verbOf(enable)+"d", pack, who, f.Name, res.Line, res.Field)
	if note := overrideNote(in, tg, flag, enable); note != "" {
		fmt.Fprintln(&buf, note)
	}
	buf.WriteString("\n")
	if err := permissions.Write(&buf, "text", permissions.Diff(permissions.FromObjects(before.Objects), permissions.FromObjects(after.Objects))); err != nil {
		return internalError(err)
	}
	// The findings this change brings: those the sources already had (a pack nothing enabled,
	// gated as a stand-in) are check's to report, and do not hold back this change.
	prev, err := gate(cmd, o.policyDirs, before)
	if err != nil {
		return err
	}
	had := map[string]bool{}
	for _, d := range prev.Findings {
		had[d.String()] = true
	}
	var added diag.Diagnostics
	for _, d := range rep.Findings {
		if !had[d.String()] {
			added = append(added, d)
		}
	}
	rep.Findings = added
	denied := rep.Denied()
	result := (&outcome{}).gate(rep, nil)
	verdict := "passed"
	if n := len(added.Filter(diag.SeverityWarning)); n > 0 {
		verdict = fmt.Sprintf("passed with %d new warning(s), on stderr", n)
	}
	switch {
	case denied:
		fmt.Fprintf(&buf, "\ngate: denied (%d finding(s), on stderr); %s not written\n", len(added.Filter(diag.SeverityDeny)), f.Name)
	case o.dryRun:
		fmt.Fprintf(&buf, "\ngate: %s; --dry-run: %s not written\n", verdict, f.Name)
	default:
		fmt.Fprintf(&buf, "\ngate: %s; wrote %s\n", verdict, f.Name)
	}
	if !denied && !o.dryRun {
		if err := render.ReplaceFile(f.Name, f.Data, res.Data); err != nil {
			return result.notef("skillc: %v", err).exit(exitBadInput)
		}
	}
	_, _ = out.Write(buf.Bytes()) // a failure is kept and reported by run
	if denied {
		return result.exit(exitDenied)
	}
	return result
}

func verbOf(enable bool) string {
	if enable {
		return "enable"
	}
	return "disable"
}

// findTarget finds the one file defining the instance or run: defined nowhere or twice is an error.
func findTarget(files []source.File, in *api.Inputs, tg srcedit.Target, flag string) (int, diag.Source, *diag.Diagnostic) {
	var found []diag.Source
	match := func(kind string, m api.ObjectMeta, src diag.Source) {
		ns := m.Namespace
		if ns == "" {
			ns = "default"
		}
		if slices.Contains(tg.Kinds, kind) && ns == tg.Namespace && m.Name == tg.Name {
			found = append(found, src)
		}
	}
	for _, i := range in.Instances {
		match(i.Kind, i.Metadata, i.Src)
	}
	for _, r := range in.Runs {
		match(r.Kind, r.Metadata, r.Src)
	}
	switch len(found) {
	case 0:
		return 0, diag.Source{}, &diag.Diagnostic{Field: flag, Severity: diag.SeverityError,
			Message: fmt.Sprintf("no %s %s/%s among the inputs", strings.Join(tg.Kinds, " or "), tg.Namespace, tg.Name)}
	case 1:
	default:
		d := found[1].Diag("metadata.name", "%s/%s is defined twice (also %s:%d): skillc will not guess which to edit", tg.Namespace, tg.Name, found[0].File, found[0].Line)
		return 0, diag.Source{}, &d
	}
	for i, f := range files {
		if f.Name == found[0].File && f.Package == nil && !strings.EqualFold(filepath.Ext(f.Name), ".zip") {
			return i, found[0], nil
		}
	}
	d := found[0].Diag("", "%s/%s is not defined in a YAML file skillc can edit", tg.Namespace, tg.Name)
	return 0, diag.Source{}, &d
}

// checkPack: the pack must resolve as the compile will resolve it (private in ns, then the catalog);
// a typo names the nearest packs that would.
func checkPack(in *api.Inputs, catalog, ns, ref string, src diag.Source, who string) *diag.Diagnostic {
	name := srcedit.PackName(ref)
	var visible []string
	for _, p := range in.Packs {
		pns := p.Metadata.Namespace
		if pns == "" {
			pns = catalog
		}
		if pns != ns && pns != catalog {
			continue
		}
		if p.Metadata.Name == name {
			return nil
		}
		visible = append(visible, p.Metadata.Name)
	}
	slices.Sort(visible)
	visible = slices.Compact(visible)
	d := src.Diag("", "%s: SkillPack %q resolves to no pack (looked in namespaces %q and %q)%s", who, ref, ns, catalog, nearest(name, visible))
	return &d
}

// nearest suggests up to three names within a few edits of name, nearest first.
func nearest(name string, names []string) string {
	type cand struct {
		name string
		d    int
	}
	var cs []cand
	for _, n := range names {
		d := levenshtein.ComputeDistance(name, n)
		if d <= max(2, len(name)/3) || strings.Contains(n, name) || strings.Contains(name, n) {
			cs = append(cs, cand{n, d})
		}
	}
	slices.SortStableFunc(cs, func(a, b cand) int { return a.d - b.d })
	if len(cs) == 0 {
		return ""
	}
	var q []string
	for _, c := range cs[:min(3, len(cs))] {
		q = append(q, fmt.Sprintf("%q", c.name))
	}
	return "; did you mean " + strings.Join(q, " or ") + "?"
}

// overrideNote says when a run-level edit switches a run between its own skills and its
// instance's: a run with no skills of its own inherits them (SPEC §2), so its first own toggle
// drops the inherited ones, and removing its last brings them back.
func overrideNote(in *api.Inputs, tg srcedit.Target, flag string, enable bool) string {
	if flag != "--run" {
		return ""
	}
	for _, r := range in.Runs {
		ns := r.Metadata.Namespace
		if ns == "" {
			ns = "default"
		}
		if ns != tg.Namespace || r.Metadata.Name != tg.Name {
			continue
		}
		inst, _ := r.Spec.Ref()
		switch {
		case enable && len(r.Spec.Skills) == 0:
			return fmt.Sprintf("note: the run had no skills of its own and inherited instance %s/%s's; it now runs only its own list", ns, inst)
		case !enable && len(r.Spec.Skills) == 1:
			return fmt.Sprintf("note: the run has no skills of its own left and now inherits instance %s/%s's", ns, inst)
		}
	}
	return ""
}

// togglesOf is the spec.skills of the edited instance or run.
func togglesOf(in *api.Inputs, tg srcedit.Target, flag string) []api.SkillRef {
	same := func(m api.ObjectMeta) bool {
		ns := m.Namespace
		if ns == "" {
			ns = "default"
		}
		return ns == tg.Namespace && m.Name == tg.Name
	}
	if flag == "--run" {
		for _, r := range in.Runs {
			if same(r.Metadata) {
				return r.Spec.Skills
			}
		}
		return nil
	}
	for _, i := range in.Instances {
		if same(i.Metadata) {
			return i.Spec.Skills
		}
	}
	return nil
}

func sameParams(have map[string]api.Scalar, want map[string]string) bool {
	if len(have) != len(want) {
		return false
	}
	for k, v := range want {
		if h, ok := have[k]; !ok || string(h) != v {
			return false
		}
	}
	return true
}
