package needs

import (
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/skillc-dev/skillc/api"
)

// FromAPI converts a pack's written rules (spec.sidecar.rbac, clusterRBAC) to RBAC's type.
func FromAPI(rules []api.PolicyRule) []rbacv1.PolicyRule {
	if rules == nil {
		return nil
	}
	out := make([]rbacv1.PolicyRule, len(rules))
	for i, r := range rules {
		out[i] = rbacv1.PolicyRule{APIGroups: r.APIGroups, Resources: r.Resources, Verbs: r.Verbs,
			ResourceNames: r.ResourceNames, NonResourceURLs: r.NonResourceURLs}
	}
	return out
}

// Grant is one (group, resource, verb) a rule grants: Rule is its index in rbac (Cluster false)
// or clusterRBAC (Cluster true). A wildcard stays one grant ("*").
type Grant struct {
	Cluster  bool
	Rule     int
	Group    string
	Resource string // with its subresource: "pods/log"
	Verb     string
}

// String is "group/resource verb", the core group written as "".
func (g Grant) String() string {
	grp := g.Group
	if grp == "" {
		grp = `""`
	}
	return grp + "/" + g.Resource + " " + g.Verb
}

// Unused is each grant no request needs, in rule order: a rbac (Role) grant is used by a
// namespace request; a clusterRBAC grant by any request. Rules naming only nonResourceURLs are
// skipped: commands in skills do not show them.
func Unused(rbac, clusterRBAC []rbacv1.PolicyRule, reqs []Request) []Grant {
	var out []Grant
	for _, side := range []struct {
		cluster bool
		rules   []rbacv1.PolicyRule
	}{{false, rbac}, {true, clusterRBAC}} {
		for i, r := range side.rules {
			for _, g := range r.APIGroups {
				for _, res := range r.Resources {
					for _, v := range r.Verbs {
						one := rbacv1.PolicyRule{APIGroups: []string{g}, Resources: []string{res}, Verbs: []string{v}, ResourceNames: r.ResourceNames}
						used := slices.ContainsFunc(reqs, func(q Request) bool {
							return (side.cluster || q.Scope == ScopeNamespace) && RuleAllows(one, q)
						})
						if !used {
							out = append(out, Grant{Cluster: side.cluster, Rule: i, Group: g, Resource: res, Verb: v})
						}
					}
				}
			}
		}
	}
	return out
}

// Need is a request of a command the grants do not allow.
type Need struct {
	Command Command
	Request Request
}

// Missing is, for each analysed command in order, each of its requests the grants do not allow
// (optional ones included: kubectl goes on without them, with less output).
func Missing(rbac, clusterRBAC []rbacv1.PolicyRule, cmds []Command) []Need {
	var out []Need
	for _, c := range cmds {
		if !c.Analysed {
			continue
		}
		for _, q := range c.Requests {
			if !Allows(rbac, clusterRBAC, q) {
				out = append(out, Need{Command: c, Request: q})
			}
		}
	}
	return out
}

// Rule is the rule to add for a request, as a short phrase: "pods/log get", "apps deployments
// patch", and where: rbac or clusterRBAC.
func (q Request) Rule() string {
	res := q.Resource
	if q.Subresource != "" {
		res += "/" + q.Subresource
	}
	s := res + " " + q.Verb
	if q.Group != "" {
		s = q.Group + " " + s
	}
	where := "rbac"
	if q.Scope == ScopeCluster {
		where = "clusterRBAC"
	}
	return strings.TrimSpace(s) + " (" + where + ")"
}
