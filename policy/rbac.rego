# RBAC rules: what a skill's per-run Role or ClusterRole grants, and how its binding binds it.
package skillc.rbac

import data.skillc.lib
import data.skillc.names
import rego.v1

is_role if input.kind in {"Role", "ClusterRole"}

is_binding if input.kind in {"RoleBinding", "ClusterRoleBinding"}

pack := object.get(input.metadata, ["labels", names.label_skill], "")

rules := object.get(input, "rules", []) if is_role

rule_path(i) := sprintf("rules[%d]", [i])

# --- What each rule covers ---

# The rules below ask of each RBAC rule whether it grants some verbs on some fifty API group and
# resource pairs (lib.grants). covers[i] is the set of those pairs that rule i's apiGroups and
# resources match, as lib.group_matches and lib.resource_matches decide, computed once per object
# from the rule's own lists. Each question goes to lib.grants, whose answer stands, only for a
# rule that covers its pair: a rule that names none of them costs a few lookups.
covers[i] := {[g, res] |
	some g in asked_groups(r)
	some res in asked_resources(r, asked[g])
} if {
	some i, r in rules
}

# asked: every pair the rules below ask lib.grants about, as {group: resources}. A literal: a
# comprehension over the tables would be computed again for every object (rbac_test.rego checks
# it against them).
asked := {
	"": {
		"configmaps", "namespaces", "nodes/proxy", "persistentvolumes", "pods", "pods/attach",
		"pods/ephemeralcontainers", "pods/eviction", "pods/exec", "pods/portforward", "pods/proxy",
		"replicationcontrollers", "replicationcontrollers/scale", "secrets", "serviceaccounts/token",
		"services/proxy",
	},
	"admissionregistration.k8s.io": {
		"mutatingadmissionpolicies", "mutatingadmissionpolicybindings", "mutatingwebhookconfigurations",
		"validatingadmissionpolicies", "validatingadmissionpolicybindings", "validatingwebhookconfigurations",
	},
	"apiregistration.k8s.io": {"apiservices"},
	"apps": {
		"daemonsets", "deployments", "deployments/scale", "replicasets", "replicasets/scale",
		"statefulsets", "statefulsets/scale",
	},
	"batch": {"cronjobs", "jobs"},
	"certificates.k8s.io": {"certificatesigningrequests/approval", "signers"},
	"rbac.authorization.k8s.io": {"clusterrolebindings", "clusterroles", "rolebindings", "roles"},
	"sympozium.ai": {"agentruns", "agents", "ensembles", "skillpacks", "sympoziuminstances", "sympoziumpolicies", "sympoziumschedules"},
}

# asked_groups: the groups of asked that the rule matches ("*" matches them all).
asked_groups(r) := {g | some g, _ in asked} if {
	"*" in object.get(r, "apiGroups", [])
} else := {g | some g in object.get(r, "apiGroups", []); asked[g]}

# asked_resources: the resources of wanted that the rule matches: "*" every one, a name itself,
# "*/sub" any resource's sub (lib.resource_matches, asked only when the rule has a "*/sub").
asked_resources(r, wanted) := wanted if {
	"*" in object.get(r, "resources", [])
} else := {res | some res in wanted; lib.resource_matches(r, res)} if {
	some x in object.get(r, "resources", [])
	startswith(x, "*/")
} else := {res | some res in object.get(r, "resources", []); res in wanted}

# --- Which rules need a closer look ---

# hot: the rules that might grant something a rule below reports, RBAC-13's listing of reads
# aside. A rule outside it grants only get, list and watch, on named resources none of which is in
# read_sensitive, with no "*" in its groups or resources and no non-resource URLs: such a rule (most
# generated ones) can grant none of the pairs the rules below ask about with a verb they report.
# The rules below look only at hot rules, and make hot_candidates, which role_candidates reads only
# when some rule is hot: a Role whose rules are all plain reads costs one pass over their fields.
# hot may hold more rules than needed, never fewer (rbac_hot_test.rego reads every pair the rules
# ask about with each read verb, and checks the findings are those of every rule looked at).
hot contains i if {
	some i, r in rules
	some v in r.verbs
	not v in lib.read_verbs
}

hot contains i if {
	some i, r in rules
	"*" in object.get(r, "apiGroups", [])
}

hot contains i if {
	some i, r in rules
	some res in object.get(r, "resources", [])
	contains(res, "*") # "*", "*/sub", "pods/*"
}

hot contains i if {
	some i, r in rules
	some res in object.get(r, "resources", [])
	read_sensitive[res]
}

hot contains i if {
	some i, r in rules
	count(object.get(r, "nonResourceURLs", [])) > 0
}

# read_sensitive: the resources whose get, list or watch a rule below reports: RBAC-04's secrets,
# RBAC-08's and RBAC-09's ways into pods and nodes.
read_sensitive := {"secrets", "pods/exec", "pods/attach", "pods/portforward", "pods/proxy", "services/proxy", "nodes/proxy"}

role_candidates contains f if {
	count(hot) > 0
	some f in hot_candidates
}

# RBAC-01: wildcard verbs. Non-waivable in restricted when the resources are wildcards too.
hot_candidates contains f if {
	some i in hot
	r := rules[i]
	some j, v in r.verbs
	v == "*"
	"*" in object.get(r, "resources", [])
	lib.profile == "restricted"
	f := lib.finding_nw("RBAC-01", sprintf("%s.verbs[%d]", [rule_path(i), j]), pack, "grants every verb (*) on every resource. A wildcard verb includes escalate, bind and impersonate, and every verb Kubernetes adds later. Fix: list the verbs the skill needs, usually get, list, watch")
}

hot_candidates contains f if {
	some i in hot
	r := rules[i]
	some j, v in r.verbs
	v == "*"
	not rbac01_nw(r)
	f := lib.finding("RBAC-01", sprintf("%s.verbs[%d]", [rule_path(i), j]), pack, "grants every verb (*). A wildcard verb includes escalate, bind and impersonate, and every verb Kubernetes adds later. Fix: list the verbs the skill needs, usually get, list, watch")
}

rbac01_nw(r) if {
	"*" in object.get(r, "resources", [])
	lib.profile == "restricted"
}

# RBAC-02: wildcard resources; "*/sub" and a literal "pods/*" only warn.
hot_candidates contains f if {
	some i in hot
	r := rules[i]
	some j, res in object.get(r, "resources", [])
	res == "*"
	f := lib.finding("RBAC-02", sprintf("%s.resources[%d]", [rule_path(i), j]), pack, "grants every resource (*) of its API groups, including secrets and every resource added later. Fix: list the resources the skill reads")
}

hot_candidates contains f if {
	some i in hot
	r := rules[i]
	some j, res in object.get(r, "resources", [])
	startswith(res, "*/")
	f := lib.warning("RBAC-02", sprintf("%s.resources[%d]", [rule_path(i), j]), pack, sprintf("%q grants that subresource of every resource. Fix: name the resources", [res]))
}

hot_candidates contains f if {
	some i in hot
	r := rules[i]
	some j, res in object.get(r, "resources", [])
	endswith(res, "/*")
	not startswith(res, "*")
	f := lib.warning("RBAC-02", sprintf("%s.resources[%d]", [rule_path(i), j]), pack, sprintf("%q is not a wildcard: Kubernetes matches it only against a subresource literally named \"*\", so it grants nothing. Fix: name the subresources, e.g. pods/log", [res]))
}

# Non-resource URLs ("/healthz", "/metrics", "/api/*"): a "*" URL, or one ending in "*", is a prefix
# match (Kubernetes' NonResourceURLMatches): every API server path under it, those added later too.
hot_candidates contains f if {
	some i in hot
	r := rules[i]
	some j, u in object.get(r, "nonResourceURLs", [])
	endswith(u, "*")
	f := lib.finding("RBAC-02", sprintf("%s.nonResourceURLs[%d]", [rule_path(i), j]), pack, sprintf("grants %s on every non-resource URL matching %q: every API server path under it (debug, metrics, version, discovery), including paths added later. Fix: list the exact paths the skill needs, e.g. /healthz", [concat(",", r.verbs), u]))
}

# RBAC-03: wildcard API groups. Non-waivable in restricted.
hot_candidates contains f if {
	some i in hot
	r := rules[i]
	some j, g in object.get(r, "apiGroups", [])
	g == "*"
	f := rbac03(sprintf("%s.apiGroups[%d]", [rule_path(i), j]))
}

rbac03(field) := lib.finding_nw("RBAC-03", field, pack, rbac03_msg) if lib.profile == "restricted"

rbac03(field) := lib.finding("RBAC-03", field, pack, rbac03_msg) if lib.profile != "restricted"

rbac03_msg := "grants every API group (*), including RBAC, admission and any CRD installed later: this is how cluster-admin is spelt. Fix: list the API groups"

# RBAC-04: reading secrets (list and watch return their contents too). The message says what the
# grant reads: named secrets, any secret by name (get), or every secret (list, watch).
hot_candidates contains f if {
	some i in hot
	r := rules[i]
	covers[i][["", "secrets"]]
	verbs := [v | some v in ["get", "list", "watch"]; lib.grants(r, v, "", "secrets")]
	count(verbs) > 0
	f := lib.finding("RBAC-04", sprintf("%s.verbs", [rule_path(i)]), pack, sprintf("grants %s on secrets%s. Fix: mount the one secret the skill needs with sidecar.secretRef", [concat("/", verbs), rbac04_reach(r, verbs)]))
}

rbac04_lists(verbs) := "list and watch return" if {
	"list" in verbs
	"watch" in verbs
} else := "list returns" if {
	"list" in verbs
} else := "watch returns"

secrets_scope := "every namespace the role is bound in" if input.kind == "ClusterRole"

else := "the namespace"

rbac04_reach(r, verbs) := sprintf(" named %v: the skill reads those secrets' contents, tokens and keys included", [r.resourceNames]) if {
	count(object.get(r, "resourceNames", [])) > 0
} else := sprintf(": %s every secret's contents, so any token in %s is the skill's", [rbac04_lists(verbs), secrets_scope]) if {
	some v in verbs
	v in {"list", "watch"}
} else := sprintf(": the skill reads any secret in %s whose name it knows, and token secrets' names are easy to guess", [secrets_scope])

# RBAC-05: writing secrets.
hot_candidates contains f if {
	some i in hot
	r := rules[i]
	covers[i][["", "secrets"]]
	lib.grants_any(r, lib.write_verbs, "", "secrets")
	f := lib.finding("RBAC-05", sprintf("%s.verbs", [rule_path(i)]), pack, "grants writes on secrets: creating a service-account token secret mints credentials. Fix: remove the write verbs on secrets")
}

# RBAC-06: escalate/bind on roles, impersonate on identities.
hot_candidates contains f if {
	some i in hot
	r := rules[i]
	hits := [res | some res in ["roles", "clusterroles"]; covers[i][["rbac.authorization.k8s.io", res]]; lib.grants_any(r, {"escalate", "bind"}, "rbac.authorization.k8s.io", res)]
	count(hits) > 0
	f := lib.finding("RBAC-06", sprintf("%s.verbs", [rule_path(i)]), pack, sprintf("grants escalate or bind on %s: the holder can grant itself any permission. Fix: remove escalate and bind", [concat(", ", hits)]))
}

# Impersonation of any kind: users, groups, serviceaccounts, and authentication.k8s.io uids and
# userextras/* (an extra is part of an identity: scopes, the acting user). Any impersonate grant is
# a denial, whatever its resources; a "*" verb impersonates on any identity resource it covers.
hot_candidates contains f if {
	some i in hot
	r := rules[i]
	lib.verb_matches(r, "impersonate") # every way to impersonate needs the verb: a cheap test first
	impersonates(r)
	f := lib.finding("RBAC-06", sprintf("%s.verbs", [rule_path(i)]), pack, sprintf("grants impersonate on %v: the holder acts as another identity, with all of its permissions. Fix: remove impersonate", [object.get(r, "resources", [])]))
}

identity_resources := [
	["", "users"], ["", "groups"], ["", "serviceaccounts"],
	["authentication.k8s.io", "uids"], ["authentication.k8s.io", "userextras/scopes"],
]

impersonates(r) if "impersonate" in r.verbs

impersonates(r) if {
	some [group, res] in identity_resources
	lib.grants(r, "impersonate", group, res)
}

impersonates(r) if {
	lib.verb_matches(r, "impersonate")
	lib.group_matches(r, "authentication.k8s.io")
	some res in object.get(r, "resources", [])
	startswith(res, "userextras/")
}

# RBAC-07: writing RBAC objects.
hot_candidates contains f if {
	some i in hot
	r := rules[i]
	hits := [res | some res in ["roles", "rolebindings", "clusterroles", "clusterrolebindings"]; covers[i][["rbac.authorization.k8s.io", res]]; lib.grants_any(r, lib.write_verbs, "rbac.authorization.k8s.io", res)]
	count(hits) > 0
	f := lib.finding("RBAC-07", sprintf("%s.verbs", [rule_path(i)]), pack, sprintf("grants writes on %s: the holder can bind itself more permissions. Fix: remove write verbs on RBAC objects", [concat(", ", hits)]))
}

# RBAC-08: executing in pods. get on pods/exec suffices (kubernetes#78741), so any verb counts.
hot_candidates contains f if {
	some i in hot
	r := rules[i]
	hits := [res | some res in ["pods/exec", "pods/attach"]; covers[i][["", res]]; lib.grants_any(r, {"get", "create", "*"}, "", res)]
	count(hits) > 0
	f := lib.finding("RBAC-08", sprintf("%s.resources", [rule_path(i)]), pack, sprintf("grants %s (any verb is enough): the holder runs commands in any pod of the namespace, with that pod's identity and secrets. Fix: remove %s", [concat(", ", hits), concat(", ", hits)]))
}

hot_candidates contains f if {
	some i in hot
	r := rules[i]
	covers[i][["", "pods/ephemeralcontainers"]]
	lib.grants_any(r, {"patch", "update"}, "", "pods/ephemeralcontainers")
	f := lib.finding("RBAC-08", sprintf("%s.resources", [rule_path(i)]), pack, "grants patch on pods/ephemeralcontainers: the holder adds a debug container to any pod and runs in it. Fix: remove pods/ephemeralcontainers")
}

hot_candidates contains f if {
	some i in hot
	r := rules[i]
	hits := [res | some res in ["pods/portforward", "pods/proxy", "services/proxy"]; covers[i][["", res]]; lib.grants_any(r, {"get", "create", "*"}, "", res)]
	count(hits) > 0
	f := lib.warning("RBAC-08", sprintf("%s.resources", [rule_path(i)]), pack, sprintf("grants %s: the holder reaches pods' ports past network policies. Fix: remove it unless the skill needs it", [concat(", ", hits)]))
}

# RBAC-09: the kubelet API.
hot_candidates contains f if {
	some i in hot
	r := rules[i]
	covers[i][["", "nodes/proxy"]]
	lib.grants_any(r, {"get", "create", "*"}, "", "nodes/proxy")
	f := lib.finding("RBAC-09", sprintf("%s.resources", [rule_path(i)]), pack, "grants nodes/proxy: direct kubelet API access runs commands in every pod of a node, unaudited. Fix: remove nodes/proxy")
}

# RBAC-10: minting tokens.
hot_candidates contains f if {
	some i in hot
	r := rules[i]
	covers[i][["", "serviceaccounts/token"]]
	lib.grants(r, "create", "", "serviceaccounts/token")
	f := lib.finding("RBAC-10", sprintf("%s.resources", [rule_path(i)]), pack, "grants create on serviceaccounts/token: the holder mints tokens for any service account of the namespace. Fix: remove it")
}

# RBAC-11: certificate approval, admission webhooks and policies, aggregated API services, persistent
# volumes.
rbac11 := [
	{"verbs": {"update", "patch"}, "group": "certificates.k8s.io", "resource": "certificatesigningrequests/approval", "why": "approves certificates, i.e. mints cluster credentials"},
	{"verbs": {"approve"}, "group": "certificates.k8s.io", "resource": "signers", "why": "approves certificates for a signer"},
	{"verbs": {"sign"}, "group": "certificates.k8s.io", "resource": "signers", "why": "signs certificates for a signer, i.e. mints cluster credentials"},
	{"verbs": lib.write_verbs, "group": "admissionregistration.k8s.io", "resource": "mutatingwebhookconfigurations", "why": "intercepts and rewrites every object sent to the API"},
	{"verbs": lib.write_verbs, "group": "admissionregistration.k8s.io", "resource": "validatingwebhookconfigurations", "why": "intercepts every object sent to the API"},
	{"verbs": {"create", "*"}, "group": "", "resource": "persistentvolumes", "why": "creates volumes that can point at any host path"},
	{"verbs": lib.write_verbs, "group": "admissionregistration.k8s.io", "resource": "mutatingadmissionpolicies", "why": "rewrites objects sent to the API in-process, with CEL, as a mutating webhook would (no webhook server needed)"},
	{"verbs": lib.write_verbs, "group": "admissionregistration.k8s.io", "resource": "validatingadmissionpolicies", "why": "decides, with CEL, which objects the API accepts: it can refuse every other policy's objects or, rebound, stop rejecting bad ones"},
	{"verbs": lib.write_verbs, "group": "admissionregistration.k8s.io", "resource": "mutatingadmissionpolicybindings", "why": "points a mutating admission policy at any namespace or object, or unbinds one the platform relies on"},
	{"verbs": lib.write_verbs, "group": "admissionregistration.k8s.io", "resource": "validatingadmissionpolicybindings", "why": "points a validating admission policy at any object, switches one to audit-only, or unbinds one the platform relies on"},
	{"verbs": lib.write_verbs, "group": "apiregistration.k8s.io", "resource": "apiservices", "why": "routes an API group (e.g. metrics.k8s.io) to a service of its choice: it sees every request to that group, the callers' credentials included, and forges the answers"},
]

hot_candidates contains f if {
	some i in hot
	r := rules[i]
	some [group, resource] in covers[i] # few pairs, often none: the table is read only for those
	some d in rbac11
	d.group == group
	d.resource == resource
	lib.grants_any(r, d.verbs, d.group, d.resource)
	f := lib.finding("RBAC-11", sprintf("%s.verbs", [rule_path(i)]), pack, sprintf("grants write access to %s: the holder %s. Fix: remove it", [d.resource, d.why]))
}

# RBAC-12: any write granted cluster-wide.
hot_candidates contains f if {
	input.kind == "ClusterRole"
	some i in hot
	r := rules[i]
	count(object.get(r, "resources", [])) > 0
	some j, v in r.verbs
	v in lib.write_verbs
	f := lib.finding("RBAC-12", sprintf("%s.verbs[%d]", [rule_path(i), j]), pack, sprintf("grants %s cluster-wide: a ClusterRole write reaches every namespace. Fix: move it to sidecar.rbac (a Role in the run's namespace)", [v]))
}

# Non-resource URLs take HTTP verbs: post, put, patch and delete change the API server's state
# (e.g. POST to a debug endpoint).
nonresource_write_verbs := {"post", "put", "patch", "delete", "*"}

hot_candidates contains f if {
	input.kind == "ClusterRole"
	some i in hot
	r := rules[i]
	count(object.get(r, "nonResourceURLs", [])) > 0
	some j, v in r.verbs
	v in nonresource_write_verbs
	f := lib.finding("RBAC-12", sprintf("%s.verbs[%d]", [rule_path(i), j]), pack, sprintf("grants %s on non-resource URLs %v: a write to the API server's own endpoints, which are not namespaced. Fix: grant only get on the exact paths the skill needs", [v, r.nonResourceURLs]))
}

# RBAC-13: cluster-wide reads, listed so reviewers see the blast radius. Cluster-scoped resources
# have no namespace to narrow a grant to: sidecar.rbac (a Role) cannot grant them, so the fix is to
# drop the rule, or to record that the skill needs it. (One rule, its message chosen by
# rbac13_what: the reads and the scope are found once per rule.)
role_candidates contains f if {
	input.kind == "ClusterRole"
	some i, r in rules
	count(object.get(r, "resources", [])) > 0
	reads := [v | some v in r.verbs; v in lib.read_verbs]
	count(reads) > 0
	f := lib.finding("RBAC-13", rule_path(i), pack, rbac13_what(r, reads))
}

rbac13_what(r, reads) := sprintf("reads %s of %v, which are cluster-scoped: only clusterRBAC grants them (a Role in the run's namespace cannot). Fix: remove the rule unless a skill's command reads them; if one does, the platform records that in the CompilerConfig with an exception for RBAC-13 naming the pack (owner, justification, expiry)", [concat(",", reads), r.resources]) if {
	only_cluster_scoped(r)
} else := sprintf("reads %s of %v across every namespace. Fix: prefer sidecar.rbac unless the skill needs the whole cluster", [concat(",", reads), r.resources])

# The built-in cluster-scoped resources, as group/resource ("" is the core group); a subresource
# is as scoped as its resource.
cluster_scoped := {
	"/nodes", "/namespaces", "/persistentvolumes", "/componentstatuses",
	"storage.k8s.io/storageclasses", "storage.k8s.io/csidrivers", "storage.k8s.io/csinodes",
	"storage.k8s.io/volumeattachments", "node.k8s.io/runtimeclasses",
	"scheduling.k8s.io/priorityclasses", "networking.k8s.io/ingressclasses",
	"apiextensions.k8s.io/customresourcedefinitions", "apiregistration.k8s.io/apiservices",
	"rbac.authorization.k8s.io/clusterroles", "rbac.authorization.k8s.io/clusterrolebindings",
	"certificates.k8s.io/certificatesigningrequests", "metrics.k8s.io/nodes",
	"admissionregistration.k8s.io/mutatingwebhookconfigurations",
	"admissionregistration.k8s.io/validatingwebhookconfigurations",
	"admissionregistration.k8s.io/validatingadmissionpolicies",
	"admissionregistration.k8s.io/validatingadmissionpolicybindings",
	"flowcontrol.apiserver.k8s.io/flowschemas", "flowcontrol.apiserver.k8s.io/prioritylevelconfigurations",
}

# only_cluster_scoped: every resource of every group the rule names is cluster-scoped.
only_cluster_scoped(r) if {
	groups := object.get(r, "apiGroups", [])
	count(groups) > 0
	every g in groups {
		every res in r.resources {
			concat("/", [g, split(res, "/")[0]]) in cluster_scoped
		}
	}
}

# Non-resource URLs are API server paths, not namespaced objects: name them as such.
hot_candidates contains f if {
	input.kind == "ClusterRole"
	some i in hot
	r := rules[i]
	count(object.get(r, "nonResourceURLs", [])) > 0
	reads := [v | some v in r.verbs; v in {"get", "head"}]
	count(reads) > 0
	f := lib.finding("RBAC-13", rule_path(i), pack, sprintf("reads %s of the API server's non-resource URLs %v (paths such as /healthz or /metrics, not objects in namespaces). Fix: keep it to the exact paths the skill needs", [concat(",", reads), r.nonResourceURLs]))
}

# RBAC-14: changing namespaces, even from a Role.
hot_candidates contains f if {
	some i in hot
	r := rules[i]
	covers[i][["", "namespaces"]]
	lib.grants_any(r, {"update", "patch", "delete"}, "", "namespaces")
	verbs := [v | some v in ["update", "patch", "delete"]; lib.grants_any(r, {v}, "", "namespaces")]
	f := lib.finding("RBAC-14", sprintf("%s.verbs", [rule_path(i)]), pack, sprintf("grants %s on namespaces: relabelling a namespace can lift its Pod Security level; deleting one deletes everything in it. Fix: remove it", [concat("/", verbs)]))
}

# RBAC-15: creating, changing or deleting workloads in the run namespace: a pod created or changed may
# use any service account and secret there; a deleted one is another run or service of the namespace
# stopped (and a controller's pod replaced by one from its possibly changed template).
workloads := [
	["", "pods"], ["", "replicationcontrollers"], ["apps", "deployments"], ["apps", "replicasets"],
	["apps", "statefulsets"], ["apps", "daemonsets"], ["batch", "jobs"], ["batch", "cronjobs"],
]

# named_write_verbs: the write verbs by name, in the order messages list them ("*" grants them all).
named_write_verbs := ["create", "update", "patch", "delete", "deletecollection"]

hot_candidates contains f if {
	input.kind == "Role"
	some i in hot
	r := rules[i]
	hits := [w[1] | some w in workloads; covers[i][w]; lib.grants_any(r, named_write_verbs, w[0], w[1])]
	count(hits) > 0

	# Name the verbs actually granted: a reviewer reads "update/patch", not a generic list.
	verbs := [v | some v in named_write_verbs; grants_workload(r, v)]
	f := lib.finding("RBAC-15", sprintf("%s.verbs", [rule_path(i)]), pack, sprintf("grants %s on %s: %s. Fix: remove the write verbs, or accept with an exception", [concat("/", verbs), concat(", ", hits), rbac15_why(verbs)]))
}

rbac15_changes(verbs) if {
	some v in verbs
	v in {"create", "update", "patch"}
}

rbac15_deletes(verbs) if {
	some v in verbs
	v in {"delete", "deletecollection"}
}

rbac15_why(verbs) := "a pod it creates or changes can mount any service account and secret of the namespace; deleting one stops another run or service of the namespace, other agents' runs included" if {
	rbac15_changes(verbs)
	rbac15_deletes(verbs)
} else := "a pod it creates or changes can mount any service account and secret of the namespace" if {
	rbac15_changes(verbs)
} else := "deleting one stops another run or service of the namespace, other agents' runs included, and a controller replaces a deleted pod from its current template"

grants_workload(r, verb) if {
	some w in workloads
	lib.grants_any(r, {verb}, w[0], w[1])
}

# RBAC-15 also: evicting pods and scaling workloads stop or resize them as a delete would, without
# a write on the workload itself.
rbac15_stops := [
	{"verbs": ["create"], "group": "", "resource": "pods/eviction"},
	{"verbs": ["update", "patch"], "group": "apps", "resource": "deployments/scale"},
	{"verbs": ["update", "patch"], "group": "apps", "resource": "replicasets/scale"},
	{"verbs": ["update", "patch"], "group": "apps", "resource": "statefulsets/scale"},
	{"verbs": ["update", "patch"], "group": "", "resource": "replicationcontrollers/scale"},
]

hot_candidates contains f if {
	input.kind == "Role"
	some i in hot
	r := rules[i]
	hits := [sprintf("%s on %s", [concat("/", verbs), d.resource]) |
		some d in rbac15_stops
		covers[i][[d.group, d.resource]]
		verbs := [v | some v in d.verbs; lib.grants(r, v, d.group, d.resource)]
		count(verbs) > 0
	]
	count(hits) > 0
	f := lib.finding("RBAC-15", sprintf("%s.resources", [rule_path(i)]), pack, sprintf("grants %s: evicting a pod or scaling a workload to zero stops another run or service of the namespace, other agents' runs included, as a delete would; scaling up multiplies its pods. Fix: remove them, or accept with an exception", [concat(", ", hits)]))
}

# RBAC-16: a binding refers only to the role generated beside it.
binding_candidates contains f if {
	is_binding
	want := {"RoleBinding": "Role", "ClusterRoleBinding": "ClusterRole"}[input.kind]
	ref := object.get(input, "roleRef", {})
	not good_roleref(ref, want)
	f := lib.finding("RBAC-16", "roleRef", pack, sprintf("refers to %s %q; a generated binding must refer to the %s named like itself (%q), never to cluster-admin, admin, edit or system roles. Fix: this object was not generated by skillc: remove it", [object.get(ref, "kind", ""), object.get(ref, "name", ""), want, input.metadata.name]))
}

good_roleref(ref, want) if {
	ref.kind == want
	ref.name == input.metadata.name
	ref.apiGroup == "rbac.authorization.k8s.io"
}

# RBAC-17: the only subject is the run's service account in the run's namespace.
# run_name: the run's label, else the schedule's (an else: object.get's default would be looked up
# even when the run label is there).
run_name := n if {
	n := input.metadata.labels[names.label_agent_run]
} else := object.get(input.metadata, ["labels", names.label_schedule], "")

run_sa := concat("", [names.run_service_account_prefix, run_name])

allowed_sa := {names.shared_service_account, run_sa}

# allowed_subject: name is in allowed_sa, asked without building it: the shared name first, so that
# run_sa is made only for a binding to the run's own ServiceAccount.
allowed_subject(name) if name == names.shared_service_account

allowed_subject(name) if name == run_sa

binding_candidates contains f if {
	is_binding
	not good_subjects
	f := lib.finding("RBAC-17", "subjects", pack, sprintf("binds %v; the only subject must be the run's ServiceAccount (%s or %s) in the run's namespace. Fix: this object was not generated by skillc: remove it", [object.get(input, "subjects", []), names.shared_service_account, run_sa]))
}

good_subjects if {
	subjects := object.get(input, "subjects", [])
	count(subjects) == 1
	s := subjects[0]
	s.kind == "ServiceAccount"
	allowed_subject(s.name)
	good_subject_namespace(s)
}

good_subject_namespace(s) if {
	input.kind == "RoleBinding"
	s.namespace == input.metadata.namespace
}

good_subject_namespace(s) if {
	input.kind == "ClusterRoleBinding"
	s.namespace != ""
}

# RBAC-18: no aggregation into or from generated ClusterRoles.
role_candidates contains f if {
	input.kind == "ClusterRole"
	input.aggregationRule
	f := lib.finding("RBAC-18", "aggregationRule", pack, "has an aggregationRule: it would collect the permissions of other ClusterRoles. Fix: remove it")
}

role_candidates contains f if {
	input.kind == "ClusterRole"
	some k, _ in object.get(input.metadata, "labels", {})
	startswith(k, "rbac.authorization.k8s.io/aggregate-to-")
	f := lib.finding("RBAC-18", sprintf("metadata.labels[%q]", [k]), pack, "aggregates into a built-in role: every holder of that role would get this role's grants. Fix: remove the label")
}

# RBAC-19: namespaced RBAC only in the run's namespace, never in system namespaces.
candidates contains f if {
	input.kind in {"Role", "RoleBinding"}
	input.metadata.namespace in {"kube-system", "kube-public", "kube-node-lease"}
	f := lib.finding("RBAC-19", "metadata.namespace", pack, sprintf("is in %s: grants there reach the control plane's own service accounts and secrets. Fix: run agents in a tenant namespace", [input.metadata.namespace]))
}

# RBAC-22: writes on ConfigMaps. Skills are ConfigMaps (skillpack-<pack>) in the run namespace: a
# pack that may write ConfigMaps can rewrite every other pack's skill text, i.e. inject prompts into
# every agent that loads them. Not reported when resourceNames names only the pack's own ConfigMap.
# Kubernetes never matches create against resourceNames (the name is not known when it authorizes),
# so create beside resourceNames grants nothing.
own_config_map := concat("", [names.config_map_prefix, pack])

hot_candidates contains f if {
	is_role
	some i in hot
	r := rules[i]
	covers[i][["", "configmaps"]]
	verbs := [v | some v in named_write_verbs; lib.grants(r, v, "", "configmaps"); not rbac22_harmless(r, v)]
	count(verbs) > 0
	f := lib.finding("RBAC-22", sprintf("%s.verbs", [rule_path(i)]), pack, sprintf("grants %s on configmaps%s: skills are ConfigMaps (%s<pack>) in the run namespace, so the holder can rewrite every other pack's skill text, a prompt injection into every agent that loads it. Fix: %s, or remove the write verbs", [concat("/", verbs), rbac22_names(r), names.config_map_prefix, rbac22_fix]))
}

rbac22_fix := sprintf("limit resourceNames to the pack's own ConfigMap %q", [own_config_map]) if pack != ""

# A run's lifecycle Role (its hooks' grants) belongs to no pack, and has no skill ConfigMap.
rbac22_fix := "limit resourceNames to the ConfigMaps the run's hooks use" if pack == ""

rbac22_names(r) := sprintf(" named %v", [r.resourceNames]) if {
	count(object.get(r, "resourceNames", [])) > 0
} else := " (every name)"

# Only the pack's own ConfigMap.
rbac22_harmless(r, _) if {
	rn := object.get(r, "resourceNames", [])
	count(rn) > 0
	every n in rn {
		n == own_config_map
	}
}

# create is never matched against resourceNames: with names, it grants nothing.
rbac22_harmless(r, "create") if count(object.get(r, "resourceNames", [])) > 0

# RBAC-22 also: writes on the sympozium.ai resources that carry skills or start runs. The
# controller acts on them with its own permissions, so a write there rewrites other agents' skills
# or starts a run with packs the writer chose. No resourceNames exemption: a pack has no object of
# its own among these that it may safely write.
sympozium_group := "sympozium.ai"

sympozium_writes := [
	{"resource": "skillpacks", "why": "a SkillPack is skill text and a sidecar (image, env, RBAC): the holder rewrites the skills of every agent that loads the pack, or the permissions its sidecar runs with"},
	{"resource": "agents", "why": "an Agent lists the skill packs its runs load: the holder swaps other agents' skills, or gives an agent packs with more permissions"},
	{"resource": "sympoziuminstances", "why": "a SympoziumInstance lists the skill packs its runs load: the holder swaps other agents' skills, or gives an instance packs with more permissions"},
	{"resource": "agentruns", "why": "an AgentRun starts a run, with the skill packs and task it names: the holder starts runs with other packs, and their permissions"},
	{"resource": "sympoziumschedules", "why": "a SympoziumSchedule starts runs on a schedule: the holder starts recurring runs with other packs, and their permissions"},
	{"resource": "sympoziumpolicies", "why": "a SympoziumPolicy says what agents and their runs may do: the holder loosens it for every agent it governs"},
	{"resource": "ensembles", "why": "an Ensemble starts and coordinates agents' runs with their skill packs: the holder starts runs with other packs, and their permissions"},
]

hot_candidates contains f if {
	is_role
	some i in hot
	r := rules[i]
	some [group, resource] in covers[i]
	group == sympozium_group
	some d in sympozium_writes
	d.resource == resource
	verbs := [v | some v in named_write_verbs; lib.grants(r, v, sympozium_group, d.resource)]
	count(verbs) > 0
	f := lib.finding("RBAC-22", sprintf("%s.verbs", [rule_path(i)]), pack, sprintf("grants %s on %s.%s%s: %s. Fix: remove the write verbs; skills and runs are changed through Git, where they are reviewed", [concat("/", verbs), d.resource, sympozium_group, rbac22_names(r), d.why]))
}

# The role rules judge Roles and ClusterRoles, the binding rules their bindings: as literals, so that
# OPA's rule index skips the rules above for every other kind.
candidates contains f if {
	input.kind in {"Role", "ClusterRole"}
	some f in role_candidates
}

candidates contains f if {
	input.kind in {"RoleBinding", "ClusterRoleBinding"}
	some f in binding_candidates
}

deny contains f if {
	some f in candidates
	f.severity == "deny"
}

warn contains f if {
	some f in candidates
	f.severity == "warn"
}
