# Edges of rbac.rego's cheaper paths that the rule tests do not reach: RBAC-13's message chosen per
# rule, the run's ServiceAccount from its labels, subjects named by the shared name first, and rules
# whose fields are not the lists Kubernetes would accept.
package skillc.rbac_edges_test

import data.skillc.lib_test.binding
import data.skillc.lib_test.crole
import data.skillc.lib_test.full
import data.skillc.lib_test.role
import data.skillc.lib_test.rule
import data.skillc.lib_test.rules_of
import rego.v1

rbac13_details(obj) := {f.field: f.detail | some f in full(obj, {}); f.rule == "RBAC-13"}

# One rule cluster-scoped, one not, one with a resource that is not a string: each its own message.
test_rbac13_message_per_rule if {
	got := rbac13_details(crole([
		rule([""], ["nodes"], ["get"]),
		rule([""], ["pods", "nodes"], ["list"]),
		rule([""], ["nodes", 7], ["watch"]),
	]))
	startswith(got["rules[0]"], "reads get of [\"nodes\"], which are cluster-scoped")
	startswith(got["rules[1]"], "reads list of [\"pods\", \"nodes\"] across every namespace")
	startswith(got["rules[2]"], "reads watch of [\"nodes\", 7] across every namespace")
}

# A rule naming no group is never cluster-scoped (only_cluster_scoped wants one).
test_rbac13_no_group_reads_across_namespaces if {
	got := rbac13_details(crole([{"resources": ["nodes"], "verbs": ["get"]}]))
	startswith(got["rules[0]"], "reads get of [\"nodes\"] across every namespace")
}

with_labels(obj, labels) := object.union(obj, {"metadata": {"labels": labels}})

sa(name) := {"subjects": [{"kind": "ServiceAccount", "name": name, "namespace": "team"}]}

rbac17(obj) := {f.detail | some f in full(obj, {}); f.rule == "RBAC-17"}

# The run label names the run's ServiceAccount; without it the schedule label does; with neither the
# name is the bare prefix.
test_rbac17_run_service_account_from_labels if {
	both := with_labels(binding, {"sympozium.ai/agent-run": "r9", "sympozium.ai/schedule": "nightly"})
	not "RBAC-17" in rules_of(object.union(both, sa("sympozium-run-r9")), {})
	"RBAC-17" in rules_of(object.union(both, sa("sympozium-run-nightly")), {})
	some d in rbac17(object.union(both, sa("sympozium-run-nightly")))
	contains(d, "(sympozium-agent or sympozium-run-r9)")

	sched := object.union(object.remove(binding, ["metadata"]), {"metadata": {"name": "sympozium-skill-p-r1", "namespace": "team", "labels": {"sympozium.ai/schedule": "nightly"}}})
	not "RBAC-17" in rules_of(object.union(sched, sa("sympozium-run-nightly")), {})

	none := object.union(object.remove(binding, ["metadata"]), {"metadata": {"name": "sympozium-skill-p-r1", "namespace": "team"}})
	not "RBAC-17" in rules_of(object.union(none, sa("sympozium-agent")), {})
	some e in rbac17(object.union(none, sa("sympozium-run-r1")))
	contains(e, "(sympozium-agent or sympozium-run-)")
}

# A subject's name that is not a string, or no name, is no allowed ServiceAccount.
test_rbac17_odd_subject_names if {
	"RBAC-17" in rules_of(object.union(binding, {"subjects": [{"kind": "ServiceAccount", "name": 7, "namespace": "team"}]}), {})
	"RBAC-17" in rules_of(object.union(binding, {"subjects": [{"kind": "ServiceAccount", "namespace": "team"}]}), {})
	not "RBAC-17" in rules_of(object.union(binding, sa("sympozium-run-r1")), {})
}

# Fields that are not lists are matched as lib matches them: an object's values are its elements, a
# string or a number has none; a rule that is not an object grants nothing.
test_rbac_odd_rule_fields if {
	"RBAC-01" in rules_of(role([{"apiGroups": [""], "resources": ["pods"], "verbs": {"a": "*"}}]), {})
	"RBAC-04" in rules_of(role([{"apiGroups": {"g": ""}, "resources": {"r": "secrets"}, "verbs": {"v": "get"}}]), {})
	not "RBAC-01" in rules_of(role([{"apiGroups": [""], "resources": ["pods"], "verbs": "*"}]), {})
	not "RBAC-04" in rules_of(role([{"apiGroups": "", "resources": ["secrets"], "verbs": ["get"]}]), {})
	rules_of(role(["not a rule", 7, null]), {}) == set()
	"RBAC-02" in rules_of(role([{"apiGroups": [""], "resources": [7, "*"], "verbs": ["get"]}]), {})
}
