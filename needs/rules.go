package needs

import (
	"cmp"
	"slices"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/skillc-dev/skillc/api"
)

// DefaultAllowed reports a request every authenticated user may make under Kubernetes' default
// RBAC (system:basic-user: self subject access and rules reviews, self subject reviews): it
// needs no rule, so Rules leaves it out.
func DefaultAllowed(q Request) bool {
	if q.Verb != "create" || q.Subresource != "" {
		return false
	}
	switch q.Group + "/" + q.Resource {
	case "authorization.k8s.io/selfsubjectaccessreviews", "authorization.k8s.io/selfsubjectrulesreviews",
		"authentication.k8s.io/selfsubjectreviews":
		return true
	}
	return false
}

// Rules is the minimal RBAC that allows the requests: rbac (a Role in the run's namespace) for
// namespace-scoped requests, clusterRBAC (a ClusterRole) for cluster-scoped ones. A namespace
// request a cluster rule already allows is not repeated. Rules with the same group and verbs are
// merged; the output is sorted (group, then resources), so equal inputs give equal bytes.
func Rules(reqs []Request) (rbac, clusterRBAC []rbacv1.PolicyRule) {
	type gr struct{ group, resource string }
	ns, cl := map[gr]map[string]bool{}, map[gr]map[string]bool{}
	for _, q := range reqs {
		if DefaultAllowed(q) {
			continue
		}
		m := ns
		if q.Scope == ScopeCluster {
			m = cl
		}
		k := gr{q.Group, q.Resource}
		if q.Subresource != "" {
			k.resource += "/" + q.Subresource
		}
		if m[k] == nil {
			m[k] = map[string]bool{}
		}
		m[k][q.Verb] = true
	}
	for k, verbs := range ns {
		for v := range verbs {
			if cl[k][v] {
				delete(verbs, v)
			}
		}
		if len(verbs) == 0 {
			delete(ns, k)
		}
	}
	merge := func(m map[gr]map[string]bool) []rbacv1.PolicyRule {
		type gv struct{ group, verbs string }
		by := map[gv][]string{}
		for k, verbs := range m {
			vs := make([]string, 0, len(verbs))
			for v := range verbs {
				vs = append(vs, v)
			}
			sortVerbs(vs)
			key := gv{k.group, strings.Join(vs, ",")}
			by[key] = append(by[key], k.resource)
		}
		out := make([]rbacv1.PolicyRule, 0, len(by))
		for k, res := range by {
			slices.Sort(res)
			out = append(out, rbacv1.PolicyRule{APIGroups: []string{k.group}, Resources: res, Verbs: strings.Split(k.verbs, ",")})
		}
		slices.SortFunc(out, func(a, b rbacv1.PolicyRule) int {
			return cmp.Or(
				strings.Compare(a.APIGroups[0], b.APIGroups[0]),
				strings.Compare(a.Resources[0], b.Resources[0]),
				strings.Compare(strings.Join(a.Verbs, ","), strings.Join(b.Verbs, ",")),
			)
		})
		if len(out) == 0 {
			return nil
		}
		return out
	}
	return merge(ns), merge(cl)
}

// verbOrder is the order kubectl and RBAC docs write verbs in: reads, then writes.
var verbOrder = map[string]int{"get": 0, "list": 1, "watch": 2, "create": 3, "update": 4, "patch": 5, "delete": 6, "deletecollection": 7}

func sortVerbs(vs []string) {
	slices.SortFunc(vs, func(a, b string) int {
		oa, okA := verbOrder[a]
		ob, okB := verbOrder[b]
		switch {
		case okA && okB:
			return cmp.Compare(oa, ob)
		case okA:
			return -1
		case okB:
			return 1
		}
		return strings.Compare(a, b)
	})
}

// RuleAllows reports whether one PolicyRule allows the request's verb on its group and resource
// (with its subresource), as the RBAC authorizer matches: "*" matches any verb, group or resource,
// "*/sub" any resource's sub; resourceNames narrow a rule, so a rule with them never allows a list,
// and is assumed to allow a get or change of the named object.
func RuleAllows(rule rbacv1.PolicyRule, q Request) bool {
	if !slices.Contains(rule.Verbs, "*") && !slices.Contains(rule.Verbs, q.Verb) {
		return false
	}
	if !slices.Contains(rule.APIGroups, "*") && !slices.Contains(rule.APIGroups, q.Group) {
		return false
	}
	res := q.Resource
	if q.Subresource != "" {
		res += "/" + q.Subresource
	}
	ok := false
	for _, r := range rule.Resources {
		if r == "*" || r == res || q.Subresource != "" && r == "*/"+q.Subresource {
			ok = true
			break
		}
	}
	if !ok {
		return false
	}
	if len(rule.ResourceNames) > 0 && (q.Verb == "list" || q.Verb == "watch" || q.Verb == "create" || q.Verb == "deletecollection") {
		return false
	}
	return true
}

// Allows reports whether a pack's grants allow the request: a namespace request by its rbac
// (a Role in the run's namespace) or its clusterRBAC; a cluster request by clusterRBAC only.
// Requests default RBAC allows every user are allowed.
func Allows(rbac, clusterRBAC []rbacv1.PolicyRule, q Request) bool {
	if DefaultAllowed(q) {
		return true
	}
	for _, r := range clusterRBAC {
		if RuleAllows(r, q) {
			return true
		}
	}
	if q.Scope == ScopeCluster {
		return false
	}
	for _, r := range rbac {
		if RuleAllows(r, q) {
			return true
		}
	}
	return false
}

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
