# Allow-lists name packs as namespace/name (issue 21): a tenant's private pack that carries a catalog
# pack's name never inherits the catalog pack's allow-lists, and an object skillc did not compile (no
# skillc.dev/skillpacks annotation) gets none.
package skillc.allowlist_identity_test

import data.skillc.lib
import data.skillc.lib_test.base_volumes
import data.skillc.lib_test.check
import data.skillc.lib_test.full
import data.skillc.lib_test.job
import data.skillc.lib_test.sidecar
import rego.v1

# probe: the node-probe sidecar (privileged, root, hostPID, /proc read-only) in a Job whose
# annotation says which node-probe it is; annotations {} is an object skillc did not compile.
probe(annotations) := object.union(
	job(
		[sidecar({
			"name": "skill-node-probe",
			"securityContext": {"privileged": true, "runAsUser": 0, "allowPrivilegeEscalation": false},
			"volumeMounts": [{"name": "host-node-probe-0", "mountPath": "/host/proc", "readOnly": true}],
		})],
		{"hostPID": true, "volumes": array.concat(base_volumes, [{"name": "host-node-probe-0", "hostPath": {"path": "/proc"}}])},
	),
	{"metadata": {"annotations": annotations}},
)

private := probe({"skillc.dev/skillpacks": "team-a/node-probe"})

catalog := probe({"skillc.dev/skillpacks": "sympozium-system/node-probe"})

unannotated := json.remove(probe({}), ["metadata/annotations"])

# allow: every allow-list the node probe needs, for entry (bare or namespace/name).
allow(entry) := {
	"privilegedAllow": [entry],
	"runAsRootAllow": [entry],
	"hostNamespaceAllow": [{"skillPack": entry, "hostPID": true}],
	"allowedHostPaths": [{"skillPack": entry, "pathPrefix": "/proc", "readOnly": true}],
}

gated := ["POD-01", "POD-02", "POD-04", "POD-06", "POD-07"]

denied := [[r, "deny"] | some r in gated]

test_private_pack_does_not_inherit_the_catalog_packs_allow_lists if check([
	{"obj": private, "params": allow("node-probe"), "want": denied},
	{"obj": private, "params": allow("sympozium-system/node-probe"), "want": denied},
])

test_private_pack_allow_listed_by_namespace_and_name_passes if check([
	{"obj": private, "params": allow("team-a/node-probe"), "absent": gated},
	{"obj": catalog, "params": allow("team-a/node-probe"), "want": denied},
])

test_bare_name_is_the_catalog_pack if check([
	{"obj": catalog, "params": allow("node-probe"), "absent": gated},
	{"obj": catalog, "params": allow("sympozium-system/node-probe"), "absent": gated},
	{"obj": catalog, "params": object.union(allow("node-probe"), {"catalogNamespace": "platform"}), "want": denied},
	{"obj": probe({"skillc.dev/skillpacks": "platform/node-probe"}), "params": object.union(allow("node-probe"), {"catalogNamespace": "platform"}), "absent": gated},
])

test_object_without_the_annotation_gets_no_allow_list if check([
	{"obj": unannotated, "params": allow("node-probe"), "want": denied},
	{"obj": unannotated, "params": allow("sympozium-system/node-probe"), "want": denied},
	{"obj": probe({"skillc.dev/skillpacks": "sympozium-system/other"}), "params": allow("node-probe"), "want": denied},
])

# Two entries with the same bare name cannot say which the container is: no allow-list applies.
test_ambiguous_annotation_gets_no_allow_list if check([{
	"obj": probe({"skillc.dev/skillpacks": "sympozium-system/node-probe,team-a/node-probe"}),
	"params": allow("node-probe"), "want": denied,
}])

# The annotation lists one entry per sidecar; spaces around entries are ignored.
test_identity_reads_every_entry if {
	not unannotated.metadata.annotations
	lib.identity("runbooks") == "team-a/runbooks" with input as object.union(catalog, {"metadata": {"annotations": {"skillc.dev/skillpacks": "sympozium-system/node-probe, team-a/runbooks"}}})
	lib.identity("node-probe") == "sympozium-system/node-probe" with input as catalog
	not lib.identity("node-probe") with input as unannotated
	lib.pack_ref("node-probe") == "sympozium-system/node-probe"
	lib.pack_ref("team-a/node-probe") == "team-a/node-probe"
}

# The annotation is skillc's on what it compiles (Jobs and CronJobs): on a pass-through Pod it
# grants nothing.
test_annotation_on_other_kinds_is_ignored if {
	pod := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x", "namespace": "team", "annotations": {"skillc.dev/skillpacks": "sympozium-system/node-probe"}}, "spec": catalog.spec.template.spec}
	check([{"obj": pod, "params": allow("node-probe"), "want": denied}])
}

# The Fix: hints name entries as namespace/name.
test_hints_name_the_identity if {
	fs := full(private, allow("node-probe"))
	some f in fs
	f.rule == "POD-01"
	contains(f.msg, `allow-list "team-a/node-probe" in privilegedAllow (entries are namespace/name`)
	some g in fs
	g.rule == "POD-04"
	contains(g.msg, "add {skillPack: team-a/node-probe, pathPrefix: <prefix>")
	some h in full(unannotated, {})
	h.rule == "POD-07"
	contains(h.msg, "an object without the skillc.dev/skillpacks annotation, which skillc sets, gets no allow-list")
}
