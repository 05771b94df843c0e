# A run's lifecycle Role and binding (its hooks' grants, upstream ensureLifecycleRBAC) are judged
# by every RBAC rule, as a grant of no pack: no skill label, so no pack's allow-list or exception.
package skillc.lifecycle_test

import data.skillc.lib_test.check
import data.skillc.lib_test.full
import data.skillc.lib_test.rule
import rego.v1

lifecycle_meta := {"name": "sympozium-lifecycle-r1", "namespace": "team", "labels": {
	"sympozium.ai/component": "lifecycle", "sympozium.ai/agent-run": "r1",
	"sympozium.ai/managed-by": "sympozium", "app.kubernetes.io/managed-by": "skillc",
}}

lifecycle_role(rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": lifecycle_meta, "rules": rules}

lifecycle_binding(sa) := {
	"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": lifecycle_meta,
	"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "sympozium-lifecycle-r1"},
	"subjects": [{"kind": "ServiceAccount", "name": sa, "namespace": "team"}],
}

test_lifecycle_role_judged_by_the_rbac_rules if check([
	{"obj": lifecycle_role([rule([""], ["secrets"], ["get"])]), "want": [["RBAC-04", "deny"]]},
	{"obj": lifecycle_role([rule([""], ["pods/exec"], ["create"])]), "want": [["RBAC-08", "deny"]]},
	{"obj": lifecycle_role([rule(["rbac.authorization.k8s.io"], ["rolebindings"], ["create"])]), "want": [["RBAC-07", "deny"]]},
	{"obj": lifecycle_role([rule(["sympozium.ai"], ["agentruns"], ["patch"])]), "want": [["RBAC-22", "warn"]]},
	{"obj": lifecycle_role([rule([""], ["configmaps"], ["get", "list"])]), "absent": ["RBAC-04", "RBAC-22"]},
])

test_lifecycle_binding_to_the_run_identity if check([
	{"obj": lifecycle_binding("sympozium-agent"), "absent": ["RBAC-16", "RBAC-17"]},
	{"obj": lifecycle_binding("sympozium-run-r1"), "absent": ["RBAC-16", "RBAC-17"]},
	{"obj": lifecycle_binding("default"), "want": [["RBAC-17", "deny"]]},
])

# The finding names no pack, and its fix no pack's ConfigMap.
test_lifecycle_role_finding_has_no_pack if {
	some f in full(lifecycle_role([rule([""], ["configmaps"], ["create", "delete"])]), {})
	f.rule == "RBAC-22"
	f.pack == ""
	contains(f.msg, "the ConfigMaps the run's hooks use")
	not contains(f.msg, "\"skillpack-\"")
}
