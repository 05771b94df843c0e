package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/needs"
)

var rbacFormats = []string{"yaml", "json", "text"}

type rbacOptions struct {
	compileOptions
	format string
}

func newRBACCommand() *cobra.Command {
	o := &rbacOptions{}
	cmd := &cobra.Command{
		Use:   "rbac PACK [PATH...]",
		Short: "Print the minimal rbac and clusterRBAC a pack's skills need, from the commands they run",
		Long: `Read every kubectl command the pack's skills show (fenced shell blocks and inline code spans),
resolve each to the API requests kubectl makes for it, and print the minimal rules that allow them:
rbac (a Role in the run's namespace) and clusterRBAC (a ClusterRole), ready to paste under the
pack's spec.sidecar. PACK is NAME or NAMESPACE/NAME; PATH defaults to ".".

A command -n names literally (-n kube-system) reaches another namespace than the run's, so its
requests go to clusterRBAC; no -n, -n "$NAMESPACE" or -n <ns> is the run's namespace. Commands that
cannot be analysed (another program, a kubectl plugin, a resource type that is a variable) are
listed with the reason; they are never taken as needing nothing. The text format lists each rule
with the commands that need it. See docs/least-privilege.md.

Exit codes: 0 printed, 2 bad input or no such pack.`,
		Example: `  skillc rbac cluster-triage skills/
  skillc rbac sympozium-system/cluster-triage --format text .
  skillc rbac cluster-triage --format json skills/ | jq '.commands[] | select(.analysed | not)'`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.withNotes(runRBAC(cmd, o, args))
		},
	}
	o.addSourceFlags(cmd) // no gate: --policy and --profile would change nothing
	o.addWalkFlags(cmd)
	cmd.Flags().StringVar(&o.format, "format", "yaml", "report format on stdout: `"+strings.Join(rbacFormats, "|")+"`")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(rbacFormats, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// rbacReport is `skillc rbac --format json`: the e2e proof and scripts read it; keep its shape.
type rbacReport struct {
	Pack        string              `json:"pack"`
	RBAC        []rbacv1.PolicyRule `json:"rbac"`
	ClusterRBAC []rbacv1.PolicyRule `json:"clusterRBAC"`
	Commands    []needs.Command     `json:"commands"`
}

func runRBAC(cmd *cobra.Command, o *rbacOptions, args []string) error {
	if !slices.Contains(rbacFormats, o.format) {
		return failed(diag.Diagnostics{{Field: "--format", Severity: diag.SeverityError,
			Message: fmt.Sprintf("must be one of %s, got %q", strings.Join(rbacFormats, ", "), o.format)}})
	}
	want := args[0]
	c, diags, err := readAndCompile(cmd, &o.compileOptions, args[1:])
	if err != nil {
		return err
	}
	if diags.HasErrors() {
		return failed(diags.Filter(diag.SeverityError))
	}
	p, d := findPack(c.res.Inputs.Packs, want)
	if d != nil {
		return failed(diag.Diagnostics{*d})
	}
	raw := map[string][]byte{}
	for _, f := range c.files {
		if f.Package == nil {
			raw[f.Name] = f.Data
		}
	}
	rep := rbacReport{Pack: needs.PackName(p), Commands: needs.Pack(p, raw[p.Src.File])}
	for i := range rep.Commands {
		if rep.Commands[i].Requests == nil {
			rep.Commands[i].Requests = []needs.Request{}
		}
	}
	rep.RBAC, rep.ClusterRBAC = needs.Rules(needs.Requests(rep.Commands))
	if rep.RBAC == nil {
		rep.RBAC = []rbacv1.PolicyRule{}
	}
	if rep.ClusterRBAC == nil {
		rep.ClusterRBAC = []rbacv1.PolicyRule{}
	}
	if rep.Commands == nil {
		rep.Commands = []needs.Command{}
	}
	var buf bytes.Buffer
	switch o.format {
	case "json":
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return internalError(err)
		}
	case "text":
		writeRBACText(&buf, rep)
	default:
		writeRBACYAML(&buf, rep)
	}
	_, _ = cmd.OutOrStdout().Write(buf.Bytes()) // a failure is kept and reported by run
	return nil
}

// findPack finds PACK, NAME or NAMESPACE/NAME, among the inputs; a bare name in two namespaces
// is ambiguous.
func findPack(packs []*api.SkillPack, want string) (*api.SkillPack, *diag.Diagnostic) {
	ns, name, qualified := strings.Cut(want, "/")
	if !qualified {
		ns, name = "", want
	}
	var found []*api.SkillPack
	var known []string
	for _, p := range packs {
		known = append(known, needs.PackName(p))
		if p.Metadata.Name == name && (!qualified || p.Metadata.Namespace == ns) {
			found = append(found, p)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return nil, &diag.Diagnostic{Severity: diag.SeverityError, Message: fmt.Sprintf("no SkillPack %s among the inputs%s", want, nearest(want, known))}
	}
	var names []string
	for _, p := range found {
		names = append(names, needs.PackName(p))
	}
	slices.Sort(names)
	return nil, &diag.Diagnostic{Severity: diag.SeverityError, Message: fmt.Sprintf("SkillPack %s is in more than one namespace: name one of %s", want, strings.Join(names, ", "))}
}

// jsonList is a YAML flow sequence of JSON strings: valid YAML, exact for any string.
func jsonList(xs []string) string {
	b, _ := json.Marshal(xs) // strings always marshal
	return strings.ReplaceAll(string(b), `","`, `", "`)
}

func writeRules(b *bytes.Buffer, key string, rules []rbacv1.PolicyRule) {
	if len(rules) == 0 {
		fmt.Fprintf(b, "%s: []\n", key)
		return
	}
	fmt.Fprintf(b, "%s:\n", key)
	for _, r := range rules {
		fmt.Fprintf(b, "  - apiGroups: %s\n    resources: %s\n    verbs: %s\n", jsonList(r.APIGroups), jsonList(r.Resources), jsonList(r.Verbs))
	}
}

func writeRBACYAML(b *bytes.Buffer, rep rbacReport) {
	analysed, notAnalysed := countCommands(rep.Commands)
	fmt.Fprintf(b, "# SkillPack %s: the minimal grants for its skills' commands (%d analysed, %d not).\n", rep.Pack, analysed, notAnalysed)
	b.WriteString("# Paste under spec.sidecar.\n")
	writeRules(b, "rbac", rep.RBAC)
	writeRules(b, "clusterRBAC", rep.ClusterRBAC)
	for _, c := range rep.Commands {
		if !c.Analysed {
			fmt.Fprintf(b, "# not analysed: %s:%d: %s: %s\n", c.File, c.Line, oneLine(c.Command), c.Reason)
		}
	}
}

func countCommands(cmds []needs.Command) (analysed, not int) {
	for _, c := range cmds {
		if c.Analysed {
			analysed++
		} else {
			not++
		}
	}
	return analysed, not
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func writeRBACText(b *bytes.Buffer, rep rbacReport) {
	analysed, notAnalysed := countCommands(rep.Commands)
	fmt.Fprintf(b, "SkillPack %s: %d commands, %d analysed, %d not analysed\n", rep.Pack, analysed+notAnalysed, analysed, notAnalysed)
	section := func(title string, rules []rbacv1.PolicyRule, scope needs.Scope) {
		fmt.Fprintf(b, "\n%s:\n", title)
		if len(rules) == 0 {
			b.WriteString("  (none)\n")
		}
		for _, r := range rules {
			fmt.Fprintf(b, "  apiGroups %s resources %s verbs %s\n", jsonList(r.APIGroups), jsonList(r.Resources), jsonList(r.Verbs))
			for _, c := range rep.Commands {
				if c.Analysed && slices.ContainsFunc(c.Requests, func(q needs.Request) bool {
					return (q.Scope == scope || scope == needs.ScopeCluster) && needs.RuleAllows(r, q) && !needs.DefaultAllowed(q)
				}) {
					fmt.Fprintf(b, "    %s:%d: %s\n", c.File, c.Line, oneLine(c.Command))
				}
			}
		}
	}
	section("rbac (a Role in the run's namespace)", rep.RBAC, needs.ScopeNamespace)
	section("clusterRBAC (a ClusterRole)", rep.ClusterRBAC, needs.ScopeCluster)
	if notAnalysed > 0 {
		b.WriteString("\nnot analysed (their needs are not in the rules above):\n")
		for _, c := range rep.Commands {
			if !c.Analysed {
				fmt.Fprintf(b, "  %s:%d: %s: %s\n", c.File, c.Line, oneLine(c.Command), c.Reason)
			}
		}
	}
}
