# Shared fixtures and helpers for the policy tests, and tests of the library itself.
package skillc.lib_test

import data.skillc.lib
import rego.v1

# every finding of every family (named one by one: iterating data.skillc would include the tests)
all_findings := ((((((((((data.skillc.rbac.deny | data.skillc.rbac.warn) | data.skillc.pod.deny) | data.skillc.pod.warn) | data.skillc.image.deny) | data.skillc.image.warn) | data.skillc.resources.deny) | data.skillc.resources.warn) | data.skillc.secrets.deny) | data.skillc.secrets.warn) | data.skillc.meta.deny) | data.skillc.meta.warn

# findings returns {[rule, severity]} for an object under parameters.
findings(obj, params) := fs if {
	fs := {[f.rule, f.severity] | some f in all_findings} with input as obj
		with data.skillc.parameters as params
}

# full returns the finding objects themselves.
full(obj, params) := fs if {
	fs := all_findings with input as obj
		with data.skillc.parameters as params
}

rules_of(obj, params) := {r | some [r, _] in findings(obj, params)}

# check runs a table of cases: each expects some [rule, severity] pairs and the absence of rules.
check(cases) if {
	every c in cases {
		got := findings(c.obj, object.get(c, "params", {}))
		every w in object.get(c, "want", []) {
			w in got
		}
		every r in object.get(c, "absent", []) {
			not r in {x | some [x, _] in got}
		}
	}
}

# --- Fixtures: objects as skillc emits them ---

meta(name) := {"name": name, "namespace": "team", "labels": {"sympozium.ai/skill": "p", "sympozium.ai/agent-run": "r1", "app.kubernetes.io/managed-by": "skillc"}}

role(rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": meta("sympozium-skill-p-r1"), "rules": rules}

crole(rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "sympozium-skill-p-r1", "labels": {"sympozium.ai/skill": "p", "sympozium.ai/agent-run": "r1"}}, "rules": rules}

rule(groups, resources, verbs) := {"apiGroups": groups, "resources": resources, "verbs": verbs}

binding := {
	"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": meta("sympozium-skill-p-r1"),
	"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "sympozium-skill-p-r1"},
	"subjects": [{"kind": "ServiceAccount", "name": "sympozium-agent", "namespace": "team"}],
}

cbinding := {
	"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "sympozium-skill-p-r1", "labels": {"sympozium.ai/skill": "p", "sympozium.ai/agent-run": "r1"}},
	"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "sympozium-skill-p-r1"},
	"subjects": [{"kind": "ServiceAccount", "name": "sympozium-run-r1", "namespace": "team"}],
}

hardened := {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "capabilities": {"drop": ["ALL"]}}

agent := {"name": "agent", "image": "ghcr.io/sympozium-ai/sympozium/agent-runner:v0.10.46", "securityContext": hardened, "env": [{"name": "TASK", "value": "do it"}]}

bridge := {"name": "ipc-bridge", "image": "ghcr.io/sympozium-ai/sympozium/ipc-bridge:v0.10.46", "securityContext": hardened}

# sidecar is a clean skill sidecar of pack p, changed by the fields in patch.
sidecar(patch) := object.union(
	{"name": "skill-p", "image": "ghcr.io/example/p:1.0.0", "restartPolicy": "Always", "securityContext": hardened, "resources": {"limits": {"cpu": "100m", "memory": "128Mi"}, "requests": {"cpu": "100m", "memory": "128Mi"}}},
	patch,
)

# with_sc is a clean sidecar whose security context is exactly sc (not merged with the hardened one).
with_sc(sc) := object.union(object.remove(sidecar({}), ["securityContext"]), {"securityContext": sc})

base_volumes := [{"name": "workspace", "emptyDir": {"sizeLimit": "1Gi"}}, {"name": "skills", "projected": {"sources": [{"configMap": {"name": "skillpack-p"}}]}}]

pod(init, extra) := object.union(
	{
		"serviceAccountName": "sympozium-agent", "restartPolicy": "Never",
		"securityContext": {"runAsUser": 1000, "runAsNonRoot": true, "fsGroup": 1000, "seccompProfile": {"type": "RuntimeDefault"}},
		"containers": [agent, bridge], "initContainers": init, "volumes": base_volumes,
	},
	extra,
)

# skillc annotates what it compiles with its sidecars' pack identities (pack p is the catalog's).
identities := {"skillc.dev/skillpacks": "sympozium-system/p"}

job(init, extra) := {
	"apiVersion": "batch/v1", "kind": "Job",
	"metadata": {"name": "r1", "namespace": "team", "labels": {"sympozium.ai/agent-run": "r1"}, "annotations": identities},
	"spec": {"backoffLimit": 0, "template": {"spec": pod(init, extra)}},
}

cronjob(init, extra) := {
	"apiVersion": "batch/v1", "kind": "CronJob",
	"metadata": {"name": "s1", "namespace": "team", "labels": {"sympozium.ai/schedule": "s1"}, "annotations": identities},
	"spec": {"schedule": "@hourly", "jobTemplate": {"spec": {"template": {"spec": pod(init, extra)}}}},
}

# host_pod: a sidecar of pack p with host volume mounts (paths, read-only unless listed in rw).
host_volume(i, path) := {"name": sprintf("host-p-%d", [i]), "hostPath": {"path": path}}

host_mount(i, ro) := {"name": sprintf("host-p-%d", [i]), "mountPath": sprintf("/host/%d", [i]), "readOnly": ro}

host_job(paths, ro) := job(
	[sidecar({"volumeMounts": [host_mount(i, ro) | some i, _ in paths]})],
	{"volumes": array.concat(base_volumes, [host_volume(i, p) | some i, p in paths])},
)

# --- Tests of the library ---

test_clean_objects_pass if {
	count(findings(job([sidecar({})], {}), {})) == 0
	count(findings(cronjob([sidecar({})], {}), {})) == 0
	count(findings(role([rule([""], ["pods"], ["get", "list"])]), {})) == 0
	count(findings(binding, {})) == 0
	count(findings(cbinding, {})) == 0
}

test_resource_matching_follows_kubernetes if {
	lib.resource_matches({"resources": ["*"]}, "pods/exec")
	lib.resource_matches({"resources": ["*/exec"]}, "pods/exec")
	lib.resource_matches({"resources": ["pods/exec"]}, "pods/exec")
	not lib.resource_matches({"resources": ["pods/*"]}, "pods/exec")
	not lib.resource_matches({"resources": ["pods"]}, "pods/exec")
	not lib.resource_matches({"resources": ["*/exec"]}, "pods")
	lib.grants({"apiGroups": ["*"], "resources": ["secrets"], "verbs": ["*"]}, "list", "", "secrets")
	not lib.grants({"apiGroups": ["apps"], "resources": ["secrets"], "verbs": ["get"]}, "get", "", "secrets")
}

test_under_compares_whole_segments if {
	lib.under("/data/x", "/data")
	lib.under("/data", "/data/")
	not lib.under("/database", "/data")
	lib.under("/anything", "/")
	not lib.under("/var", "/var/log")
}

test_findings_carry_location_and_profile if {
	fs := full(role([rule([""], ["secrets"], ["list"])]), {})
	some f in fs
	f.rule == "RBAC-04"
	f.severity == "deny"
	f.field == "rules[0].verbs"
	f.pack == "p"
	f.kind == "Role"
	f.namespace == "team"
	startswith(f.msg, "RBAC-04: Role team/sympozium-skill-p-r1 rules[0].verbs: ")
	contains(f.msg, "Fix: ")
	f.waivable == true
}

test_today_defaults_to_the_clock if {
	regex.match(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`, lib.today)
	lib.today == "2030-01-02" with data.skillc.parameters as {"today": "2030-01-02"}
}

# The gate rebuilds a shared verdict's message for each object from rule, field and detail.
test_message_is_rule_object_field_detail if {
	every f in full(role([rule([""], ["secrets"], ["list", "create"])]), {}) {
		f.msg == sprintf("%s: Role team/sympozium-skill-p-r1 %s: %s", [f.rule, f.field, f.detail])
	}
	every f in full(crole([rule([""], ["nodes"], ["list"])]), {}) {
		f.msg == sprintf("%s: ClusterRole sympozium-skill-p-r1 %s: %s", [f.rule, f.field, f.detail])
	}
}

# spec.policy.rules: the platform raises any finding, turns a rule on in a profile that has it off,
# and lowers only what an exception could waive.
test_rule_settings_raise_lower_and_keep_nonwaivable_findings if {
	reader := crole([rule([""], ["pods"], ["get", "list"])])
	check([
		{"obj": reader, "want": [["RBAC-13", "warn"]]},
		{"obj": reader, "params": {"rules": {"RBAC-13": "deny"}}, "want": [["RBAC-13", "deny"]]},
		{"obj": reader, "params": {"rules": {"RBAC-13": "off"}}, "absent": ["RBAC-13"]},
		{"obj": role([rule([""], ["secrets"], ["get"])]), "params": {"rules": {"RBAC-04": "warn"}}, "want": [["RBAC-04", "warn"]]},
		# POD-12 is off under baseline: a setting turns it on.
		{"obj": job([with_sc({"allowPrivilegeEscalation": false})], {}), "params": {"rules": {"POD-12": "deny"}}, "want": [["POD-12", "deny"]]},
		# A finding no exception can waive (the node's root filesystem) keeps its severity.
		{"obj": host_job(["/"], true), "params": {"rules": {"POD-06": "warn"}}, "want": [["POD-06", "deny"]]},
		{"obj": host_job(["/"], true), "params": {"rules": {"POD-06": "off"}}, "want": [["POD-06", "deny"]]},
	])
	not ["RBAC-04", "deny"] in findings(role([rule([""], ["secrets"], ["get"])]), {"rules": {"RBAC-04": "warn"}})
}

# applyExceptions (skillc params, for conftest): an exception waives a finding of the pack it names
# by identity, as a warning that says so; a private pack of the same name gets nothing, and an
# exception pinned to a version is not applied (a render has no version).
secret_role(id) := object.union(role([rule([""], ["secrets"], ["get"])]), {"metadata": {"annotations": {"skillc.dev/skillpacks": id}}})

test_conftest_exceptions_match_identity if {
	exc := {"id": "e1", "rules": ["RBAC-04"], "skillPack": "p", "owner": "o", "justification": "j", "expires": "2099-01-01"}
	params := {"applyExceptions": true, "exceptions": [exc]}
	check([
		{"obj": secret_role("sympozium-system/p"), "params": params, "want": [["RBAC-04", "warn"]]},
		{"obj": secret_role("team/p"), "params": params, "want": [["RBAC-04", "deny"]]},
		{"obj": secret_role("sympozium-system/p"), "params": {"exceptions": [exc]}, "want": [["RBAC-04", "deny"]]},
		{"obj": secret_role("sympozium-system/p"), "params": {"applyExceptions": true, "exceptions": [object.union(exc, {"version": "1.0.0"})]}, "want": [["RBAC-04", "deny"]]},
		{"obj": secret_role("sympozium-system/p"), "params": {"applyExceptions": true, "exceptions": [object.union(exc, {"expires": "2000-01-01"})]}, "want": [["RBAC-04", "deny"]]},
	])
	some f in full(secret_role("sympozium-system/p"), params)
	f.rule == "RBAC-04"
	endswith(f.msg, " (excepted by e1, owner o, expires 2099-01-01)")
}
