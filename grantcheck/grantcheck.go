// Package grantcheck judges a SkillPack's grants by what its skills' commands need: the grants no
// command needs (RBAC-20) and the commands the grants do not allow (RBAC-21). The commands and
// their API requests come from package needs, and so does the matching of a rule against a request
// (needs.Allows, needs.RuleAllows: the RBAC authorizer's wildcards, `*/log` and resourceNames), so
// RBAC-20, RBAC-21 and `skillc rbac` agree.
package grantcheck

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/needs"
)

// Verdict is one pack's grants judged against its skills' commands.
type Verdict struct {
	// Judged is false for a pack without a sidecar (no image, no grants): its commands have no
	// container of their own and run, if at all, in another pack's sidecar; nothing is judged,
	// Commands and Needs still list them.
	Judged   bool
	Commands []SkillCommand
	// Unused are the grant rules with parts no analysed command needs, in the pack's order
	// (rbac, then clusterRBAC).
	Unused []Unused
	// Missing are the analysed commands the grants do not allow, in text order.
	Missing []Missing
	// Unanalysed are the commands skillc cannot resolve to API requests (a script, helm, curl,
	// a kubectl plugin): they may need any grant, so they never count as needing nothing.
	Unanalysed []SkillCommand
	// Needs are the requests of the analysed commands, each with the commands that make it and
	// whether the grants allow it, sorted by group, resource, subresource, verb and scope.
	Needs []Need
}

// Need is one API request the commands make.
type Need struct {
	needs.Request
	Granted  bool // always false for a pack that is not judged
	Commands []SkillCommand
}

// SkillCommand is a command and the skill it was written in (its index in spec.skills).
type SkillCommand struct {
	needs.Command
	Skill int
}

// Field is the skill's content field, where the command is written.
func (c SkillCommand) Field() string { return fmt.Sprintf("spec.skills[%d].content", c.Skill) }

// Unused is one grant rule of the pack with parts that no command needs.
type Unused struct {
	Field   string // spec.sidecar.rbac[i] or spec.sidecar.clusterRBAC[i]
	Cluster bool   // from clusterRBAC
	Rule    api.PolicyRule
	// Grants are the rule's pieces (one group, resource or URL, verb and name each) that no
	// command needs, in the rule's order.
	Grants []rbacv1.PolicyRule
	// Whole: no command needs anything of the rule.
	Whole bool
	// Wildcard: the rule grants `*` verbs, resources or groups; Instead is what the commands need
	// of it, to list in its place.
	Wildcard bool
	Instead  []needs.Request
}

// Missing is one analysed command and the requests it makes that the grants do not allow.
type Missing struct {
	Command  SkillCommand
	Requests []needs.Request
}

// Forbidden reports whether a command is one the skill's text forbids ("Never run `kubectl
// delete`"): package needs keeps it, not analysed, and it is neither a need nor unknown.
func Forbidden(c needs.Command) bool {
	return !c.Analysed && strings.HasPrefix(c.Reason, forbiddenReason)
}

// forbiddenReason starts the reason package needs gives a forbidden command (a test holds the two
// together).
const forbiddenReason = "the skill's text forbids"

// Commands extracts every command of a pack's skills, each with its file and line (as
// needs.SkillLine places a skill's text: exact for block scalars and SKILL.md bodies).
func Commands(p *api.SkillPack) []SkillCommand {
	var out []SkillCommand
	for i, s := range p.Spec.Skills {
		if s.Content == "" {
			continue
		}
		for _, c := range needs.Extract(p.Src.File, needs.SkillLine(p, i, nil), s.Content) {
			out = append(out, SkillCommand{Command: c, Skill: i})
		}
	}
	return out
}

// Judge judges a pack's sidecar grants against its skills' commands.
func Judge(p *api.SkillPack) Verdict {
	return JudgeCommands(p.Spec.Sidecar, Commands(p))
}

// JudgeCommands judges sidecar grants against commands already extracted.
func JudgeCommands(sc *api.Sidecar, cmds []SkillCommand) Verdict {
	v := Verdict{Commands: cmds}
	for _, c := range cmds {
		if !c.Analysed && !Forbidden(c.Command) {
			v.Unanalysed = append(v.Unanalysed, c)
		}
	}
	// A sidecar runs the commands; grants without an image are still bound to the run.
	v.Judged = sc != nil && (sc.Image != "" || len(sc.RBAC) > 0 || len(sc.ClusterRBAC) > 0)
	if sc == nil {
		sc = &api.Sidecar{}
	}
	rbac, cluster := needs.FromAPI(sc.RBAC), needs.FromAPI(sc.ClusterRBAC)

	// RBAC-21: each request must be allowed by a rule of its scope (needs.Allows: the run's Role
	// or ClusterRole as the authorizer matches them).
	var requests []needs.Request
	for _, c := range cmds {
		if !c.Analysed {
			continue
		}
		var missing []needs.Request
		for _, r := range c.Requests {
			ok := needs.Allows(rbac, cluster, r)
			if !ok && !slices.Contains(missing, r) {
				missing = append(missing, r)
			}
			if !needs.DefaultAllowed(r) {
				v.need(r, ok, c)
				requests = append(requests, r)
			}
		}
		if len(missing) > 0 && v.Judged {
			v.Missing = append(v.Missing, Missing{Command: c, Requests: missing})
		}
	}
	slices.SortFunc(v.Needs, func(a, b Need) int { return compareRequests(a.Request, b.Request) })
	if !v.Judged {
		return v
	}

	// RBAC-20: each piece of a grant (one group, resource, verb and name) must allow a request it
	// can serve: a Role's a request in the run's namespace, a ClusterRole's any. A wildcard piece
	// is always more than a need: reported with what it serves, to list instead.
	for i, rule := range sc.RBAC {
		v.unused(fmt.Sprintf("spec.sidecar.rbac[%d]", i), false, rule, requests)
	}
	for i, rule := range sc.ClusterRBAC {
		v.unused(fmt.Sprintf("spec.sidecar.clusterRBAC[%d]", i), true, rule, requests)
	}
	return v
}

// need records that command c makes request r (optional only if every command's is).
func (v *Verdict) need(r needs.Request, granted bool, c SkillCommand) {
	key := r
	key.Optional = false
	for i := range v.Needs {
		n := &v.Needs[i]
		k := n.Request
		k.Optional = false
		if k == key {
			n.Optional = n.Optional && r.Optional
			if !slices.ContainsFunc(n.Commands, func(x SkillCommand) bool {
				return x.File == c.File && x.Line == c.Line && x.Command.Command == c.Command.Command
			}) {
				n.Commands = append(n.Commands, c)
			}
			return
		}
	}
	v.Needs = append(v.Needs, Need{Request: r, Granted: granted && v.Judged, Commands: []SkillCommand{c}})
}

func (v *Verdict) unused(field string, clusterRule bool, rule api.PolicyRule, requests []needs.Request) {
	serves := func(piece rbacv1.PolicyRule, q needs.Request) bool {
		return (clusterRule || q.Scope == needs.ScopeNamespace) && needs.RuleAllows(piece, q)
	}
	r := toRBAC(rule)
	pieces := breakdown(r)
	u := Unused{Field: field, Cluster: clusterRule, Rule: rule}
	for _, piece := range pieces {
		wild := piece.Verbs[0] == rbacv1.VerbAll || len(piece.NonResourceURLs) == 0 && (piece.APIGroups[0] == rbacv1.APIGroupAll || strings.HasPrefix(piece.Resources[0], rbacv1.ResourceAll))
		used := false
		for _, q := range requests {
			if serves(piece, q) {
				used = true
				if wild {
					q.Optional = false
					if !slices.Contains(u.Instead, q) {
						u.Instead = append(u.Instead, q)
					}
				}
			}
		}
		if wild {
			u.Wildcard = true
		}
		if !used || wild {
			u.Grants = append(u.Grants, piece)
		}
	}
	if len(u.Grants) == 0 {
		return
	}
	u.Whole = len(u.Grants) == len(pieces) && len(u.Instead) == 0
	slices.SortFunc(u.Instead, compareRequests)
	v.Unused = append(v.Unused, u)
}

// breakdown splits a rule into pieces of one group, resource, verb and resource name each (or one
// non-resource URL and verb), as Kubernetes' own escalation check does (component-helpers'
// BreakdownRule).
func breakdown(r rbacv1.PolicyRule) []rbacv1.PolicyRule {
	var out []rbacv1.PolicyRule
	for _, g := range r.APIGroups {
		for _, res := range r.Resources {
			for _, verb := range r.Verbs {
				if len(r.ResourceNames) == 0 {
					out = append(out, rbacv1.PolicyRule{APIGroups: []string{g}, Resources: []string{res}, Verbs: []string{verb}})
				}
				for _, n := range r.ResourceNames {
					out = append(out, rbacv1.PolicyRule{APIGroups: []string{g}, Resources: []string{res}, Verbs: []string{verb}, ResourceNames: []string{n}})
				}
			}
		}
	}
	for _, u := range r.NonResourceURLs {
		for _, verb := range r.Verbs {
			out = append(out, rbacv1.PolicyRule{NonResourceURLs: []string{u}, Verbs: []string{verb}})
		}
	}
	return out
}

func toRBAC(r api.PolicyRule) rbacv1.PolicyRule {
	return rbacv1.PolicyRule{APIGroups: r.APIGroups, Resources: r.Resources, Verbs: r.Verbs, ResourceNames: r.ResourceNames, NonResourceURLs: r.NonResourceURLs}
}

func compareRequests(a, b needs.Request) int {
	return cmp.Or(cmp.Compare(a.Group, b.Group), cmp.Compare(a.Resource, b.Resource), cmp.Compare(a.Subresource, b.Subresource),
		cmp.Compare(a.Verb, b.Verb), cmp.Compare(a.Scope, b.Scope))
}

// Resource names a request's resource as kubectl does: pods/log, deployments.apps,
// deployments.apps/scale, podmetrics... for metrics.k8s.io pods: pods.metrics.k8s.io.
func Resource(group, resource string) string {
	if group == "" {
		return resource
	}
	base, sub, ok := strings.Cut(resource, "/")
	if ok {
		return base + "." + group + "/" + sub
	}
	return resource + "." + group
}

// RequestText is a request as a grant to add: "pods/log get", "deployments.apps patch", with
// "(clusterRBAC)" for a request only a ClusterRole allows.
func RequestText(r needs.Request) string {
	res := r.Resource
	if r.Subresource != "" {
		res += "/" + r.Subresource
	}
	s := Resource(r.Group, res) + " " + r.Verb
	if r.Scope == needs.ScopeCluster {
		s += " (clusterRBAC)"
	}
	return s
}

// GrantsText lists rule pieces compactly: "configmaps get, list; pods delete".
func GrantsText(pieces []rbacv1.PolicyRule) string {
	type key struct{ what, names string }
	var order []key
	verbs := map[key][]string{}
	for _, p := range pieces {
		var k key
		if len(p.NonResourceURLs) > 0 {
			k.what = p.NonResourceURLs[0]
		} else {
			k.what = Resource(p.APIGroups[0], p.Resources[0])
		}
		if len(p.ResourceNames) > 0 {
			k.names = p.ResourceNames[0]
		}
		if _, ok := verbs[k]; !ok {
			order = append(order, k)
		}
		if v := p.Verbs[0]; !slices.Contains(verbs[k], v) {
			verbs[k] = append(verbs[k], v)
		}
	}
	// Pieces of one object named several times merge: "configmaps (names a, b) get".
	var parts []string
	for i := 0; i < len(order); i++ {
		k := order[i]
		names := []string{}
		if k.names != "" {
			names = append(names, k.names)
		}
		for j := i + 1; j < len(order); j++ {
			if o := order[j]; o.what == k.what && o.names != "" && k.names != "" && slices.Equal(verbs[o], verbs[k]) {
				names = append(names, o.names)
				order = slices.Delete(order, j, j+1)
				j--
			}
		}
		s := k.what
		if len(names) > 0 {
			s += " (resourceNames " + strings.Join(names, ", ") + ")"
		}
		parts = append(parts, s+" "+strings.Join(verbs[k], ", "))
	}
	return strings.Join(parts, "; ")
}
