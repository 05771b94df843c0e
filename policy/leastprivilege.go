package policy

import (
	"fmt"
	"strings"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/grantcheck"
	"github.com/skillc-dev/skillc/needs"
)

// The least-privilege rules judge a pack's grants by what its skills' commands need (package
// grantcheck); the skill text and the pack's identity are on this side, so they are Go, listed in
// the catalogue with engine "go". Each pack is judged once, however many runs use it.
//
//   - RBAC-20: a grant no command needs: warn in baseline, deny in restricted; only a warning
//     when the pack has commands skillc cannot analyse (they may need it). An exception waives
//     it (a sidecar whose own code calls the API).
//   - RBAC-21: a command the grants do not allow (the run would get Forbidden): warn. A command
//     skillc cannot analyse, and a pack without a sidecar whose skills run commands, are RBAC-21
//     notes (info): said, never taken as needing nothing.

// lpSeverity is each rule's severity per profile, [baseline, restricted], as lib.rego lists it.
var lpSeverity = map[string][2]string{"RBAC-20": {"warn", "deny"}, "RBAC-21": {"warn", "warn"}}

// listed is how many commands a message names before "and N more".
const listed = 3

// leastPrivilegeFindings are RBAC-20 and RBAC-21 for every pack a run, schedule or stand-in
// toggles, each judged once.
func leastPrivilegeFindings(res *compile.Result, profile api.Profile) []located {
	seen := map[*api.SkillPack]bool{}
	var out []located
	for k, pods := range [][]compile.Pod{res.Pods, res.StandInPods} {
		for i := range pods {
			for ti := range pods[i].Toggles {
				t := &pods[i].Toggles[ti]
				if seen[t.Pack] {
					continue
				}
				seen[t.Pack] = true
				for _, l := range packFindings(t, grantcheck.Judge(t.Pack), profile) {
					if k == 1 { // no run uses the pack yet: say so, as for its stand-in's objects
						l.f = standInFinding(l.f, &pods[i])
					}
					out = append(out, l)
				}
			}
		}
	}
	return out
}

// packFindings turns one pack's verdict into findings located in the sources.
func packFindings(t *compile.Toggle, v grantcheck.Verdict, profile api.Profile) []located {
	p := t.Pack
	ref := "SkillPack " + t.Identity()
	add := func(out []located, rule, sev string, pos diag.Diagnostic, detail string) []located {
		f := Finding{Rule: rule, Severity: sev, Waivable: sev != "info", Pack: p.Metadata.Name, Field: pos.Field,
			Kind: "SkillPack", Name: p.Metadata.Name, Namespace: t.PackNamespace, Detail: detail}
		f.Message = libraryMessage(rule, ref, pos.Field, detail)
		return append(out, located{f: f, pos: pos, t: t})
	}
	severity := func(rule string) string {
		if profile == api.ProfileRestricted {
			return lpSeverity[rule][1]
		}
		return lpSeverity[rule][0]
	}
	var out []located
	if !v.Judged {
		var api []grantcheck.SkillCommand
		for _, c := range v.Commands {
			if c.Analysed && len(c.Requests) > 0 {
				api = append(api, c)
			}
		}
		if len(api) > 0 {
			c := api[0]
			out = add(out, "RBAC-21", "info", diag.Diagnostic{File: c.File, Line: c.Line, Field: c.Field()},
				fmt.Sprintf("the pack has no sidecar, and its skills run %s, which call the API: they run only in another pack's sidecar, with what that pack grants, so skillc does not judge them. Fix: give the pack a sidecar with the rules `skillc rbac %s` suggests, or enable it only beside a pack that grants them",
					commandList(api, false), t.Identity()))
		}
		return out
	}
	if len(v.Unanalysed) > 0 {
		c := v.Unanalysed[0]
		out = add(out, "RBAC-21", "info", diag.Diagnostic{File: c.File, Line: c.Line, Field: c.Field()},
			fmt.Sprintf("skillc cannot analyse %s: it cannot tell which API requests they make, nor whether the grants allow them, so RBAC-20 only warns for this pack", commandList(v.Unanalysed, true)))
	}
	for _, m := range v.Missing {
		c := m.Command
		var required, optional []string
		for _, r := range m.Requests {
			if r.Optional {
				optional = append(optional, grantcheck.RequestText(r))
			} else {
				required = append(required, grantcheck.RequestText(r))
			}
		}
		var detail string
		where := fmt.Sprintf("%s:%d", c.File, c.Line)
		if len(required) > 0 {
			detail = fmt.Sprintf("the run will get Forbidden for `%s` at %s: add %s", c.Command.Command, where, strings.Join(required, ", "))
			if len(optional) > 0 {
				detail += fmt.Sprintf(" (and %s, without which its output is incomplete)", strings.Join(optional, ", "))
			}
		} else {
			detail = fmt.Sprintf("`%s` at %s runs, but kubectl is refused %s and leaves it out of the output: add %s", c.Command.Command, where, strings.Join(optional, ", "), strings.Join(optional, ", "))
		}
		out = add(out, "RBAC-21", severity("RBAC-21"), diag.Diagnostic{File: c.File, Line: c.Line, Field: c.Field()}, detail+". Fix: add the rules to "+sidecarList(m.Requests)+" (`skillc rbac "+t.Identity()+"` prints them all)")
	}
	sev := severity("RBAC-20")
	var caveat string
	if len(v.Unanalysed) > 0 {
		sev = lpSeverity["RBAC-20"][0] // a warning: the commands not analysed may need it
		caveat = fmt.Sprintf("; the pack also runs %s, which skillc cannot analyse and which may need it, so this is only a warning", commandList(v.Unanalysed, false))
	}
	none := ""
	if len(v.Commands) == 0 {
		none = " (its skills run no command)"
	}
	for _, u := range v.Unused {
		what := grantcheck.GrantsText(u.Grants)
		var detail string
		switch {
		case u.Wildcard && len(u.Instead) > 0:
			var instead []string
			for _, r := range u.Instead {
				instead = append(instead, grantcheck.RequestText(r))
			}
			detail = fmt.Sprintf("grants %s, more than any command in the pack's skills needs: of this rule they need only %s. Fix: list those instead of the wildcard", what, strings.Join(instead, ", "))
		case u.Whole:
			detail = fmt.Sprintf("grants %s, which no command in the pack's skills needs%s. Fix: remove the rule", what, none)
		default:
			detail = fmt.Sprintf("grants %s, which no command in the pack's skills needs (they use the rest of the rule). Fix: remove those from the rule", what)
		}
		if u.Cluster && !u.Wildcard {
			detail = strings.Replace(detail, "grants ", "grants cluster-wide ", 1)
		}
		detail += ", or, for a sidecar whose own code calls the API, waive RBAC-20 with an exception" + caveat
		out = add(out, "RBAC-20", sev, at(p.Src, u.Field), detail)
	}
	return out
}

// commandList names commands with their lines (and why each is not analysed, with reasons):
// "`helm list` (x.yaml:40), ... and 2 more".
func commandList(cmds []grantcheck.SkillCommand, reasons bool) string {
	var parts []string
	for i, c := range cmds {
		if i == listed {
			parts = append(parts, fmt.Sprintf("and %d more", len(cmds)-listed))
			break
		}
		why := ""
		if reasons && c.Reason != "" {
			why = ": " + c.Reason
		}
		parts = append(parts, fmt.Sprintf("`%s` (%s:%d%s)", c.Command.Command, c.File, c.Line, why))
	}
	if len(cmds) == 1 {
		return parts[0]
	}
	return fmt.Sprintf("%d commands: %s", len(cmds), strings.Join(parts, ", "))
}

// sidecarList is where the missing rules go: sidecar.rbac, sidecar.clusterRBAC or both.
func sidecarList(rs []needs.Request) string {
	var ns, cluster bool
	for _, r := range rs {
		if r.Scope == needs.ScopeCluster {
			cluster = true
		} else {
			ns = true
		}
	}
	switch {
	case ns && cluster:
		return "spec.sidecar.rbac and spec.sidecar.clusterRBAC"
	case cluster:
		return "spec.sidecar.clusterRBAC"
	}
	return "spec.sidecar.rbac"
}
