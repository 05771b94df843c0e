# The screens (lib.containers_text, lib.volumes_text, pod.screens): a rule skipped because the pod's
# text lacks its field must still find that field wherever it is: in any container list, at the
# pod's level, in one entry among many, spelled in the text with escapes or with the letters that
# case folding adds.
package skillc.screens_test

import data.skillc.lib_test.check
import data.skillc.lib_test.full
import data.skillc.lib_test.job
import data.skillc.lib_test.sidecar
import data.skillc.lib_test.with_sc
import rego.v1

restricted := {"profile": "restricted"}

env(name, value) := job([sidecar({"env": [{"name": "LOG_LEVEL", "value": "info"}, {"name": name, "value": value}]})], {})

# Case folding: (?i) in sensitive_name also matches the Kelvin sign for K and the long s for S; a
# quote before the word is escaped in the text.
test_sec_01_names_the_text_spells_otherwise if check([
	{"obj": env("TO\u212aEN", "literal"), "want": [["SEC-01", "deny"]]},
	{"obj": env("DB_\u017fECRET", "literal"), "want": [["SEC-01", "deny"]]},
	{"obj": env("a\"Api_Key", "literal"), "want": [["SEC-01", "deny"]]},
	{"obj": env("pAsSwOrD", "literal"), "want": [["SEC-01", "deny"]]},
	{"obj": env("MONKEY", "literal"), "absent": ["SEC-01"]},
])

# A credential in an ephemeral container's arguments, the others clean.
test_sec_01_in_any_container_list if {
	ephemeral := {"name": "debug", "image": "busybox:1.36", "args": ["--token", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"]}
	obj := job([sidecar({})], {"ephemeralContainers": [ephemeral]})
	some f in full(obj, {})
	f.rule == "SEC-01"
	f.field == "spec.template.spec.ephemeralContainers[0].args[1]"
}

# SEC-02 is off in baseline; spec.policy.rules turns it on there.
test_sec_02_turned_on_in_baseline if check([{
	"obj": job([sidecar({"env": [{"name": "E", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]})], {}),
	"params": {"rules": {"SEC-02": "warn"}}, "want": [["SEC-02", "warn"]],
}])

# Security contexts: the container-level fields in an init container alone; the pod-level ones in
# the pod's context alone.
test_pod_security_fields_wherever_they_are if check([
	{"obj": job([with_sc({"privileged": true, "allowPrivilegeEscalation": true})], {}), "want": [["POD-01", "deny"], ["POD-08", "deny"]]},
	{"obj": job([with_sc({"allowPrivilegeEscalation": false, "capabilities": {"add": ["SYS_ADMIN"]}})], {}), "want": [["POD-09", "deny"]]},
	{"obj": job([with_sc({"allowPrivilegeEscalation": false, "procMount": "Unmasked"})], {}), "want": [["POD-10", "deny"]]},
	{"obj": job([with_sc({"allowPrivilegeEscalation": false, "runAsUser": 0})], {}), "want": [["POD-07", "deny"]]},
	{"obj": job([with_sc({"allowPrivilegeEscalation": false, "runAsNonRoot": false})], {}), "want": [["POD-07", "deny"]]},
	{"obj": job([sidecar({})], {"securityContext": {"windowsOptions": {"hostProcess": true}}}), "want": [["POD-01", "deny"]]},
	{"obj": job([sidecar({})], {"securityContext": {"appArmorProfile": {"type": "Unconfined"}}}), "want": [["POD-10", "deny"]]},
	{"obj": job([sidecar({})], {"securityContext": {"seLinuxOptions": {"type": "spc_t"}}}), "want": [["POD-10", "deny"]]},
	{"obj": job([sidecar({})], {}), "absent": ["POD-01", "POD-03", "POD-07", "POD-09", "POD-10"]},
])

# A key present with a null value is set: the unset-escalation warning is for an absent key.
test_pod_08_null_is_set if {
	ids := {f.field | some f in full(job([with_sc({"allowPrivilegeEscalation": null})], {}), {}); f.rule == "POD-08"}
	count(ids) == 0
	unset := {f.field | some f in full(job([with_sc({})], {}), {}); f.rule == "POD-08"}
	unset == {"spec.template.spec.initContainers[0].securityContext.allowPrivilegeEscalation"}
}

# Host probes and lifecycle hooks, in any container.
test_pod_03_hosts_in_hooks if check([
	{"obj": job([sidecar({"lifecycle": {"preStop": {"httpGet": {"host": "169.254.169.254", "port": 80}}}})], {}), "want": [["POD-03", "deny"]]},
	{"obj": job([sidecar({"readinessProbe": {"tcpSocket": {"host": "10.0.0.1", "port": 80}}})], {}), "want": [["POD-03", "deny"]]},
	{"obj": job([sidecar({"ports": [{"containerPort": 80}, {"containerPort": 81, "hostPort": 8081}]})], {}), "want": [["POD-03", "deny"]]},
	{"obj": job([sidecar({"readinessProbe": {"tcpSocket": {"host": "", "port": 80}}})], {}), "absent": ["POD-03"]},
])

# POD-12 is off in baseline; spec.policy.rules turns it on there.
test_pod_12_turned_on_in_baseline if check([
	{"obj": job([with_sc({"allowPrivilegeEscalation": false})], {}), "params": {"rules": {"POD-12": "warn"}}, "want": [["POD-12", "warn"]]},
	{"obj": job([with_sc({"allowPrivilegeEscalation": false})], {}), "absent": ["POD-12"]},
	{"obj": job([with_sc({"allowPrivilegeEscalation": false})], {}), "params": restricted, "want": [["POD-12", "warn"]]},
	{"obj": job([with_sc({"allowPrivilegeEscalation": false})], {}), "params": {"profile": "restricted", "rules": {"POD-12": "off"}}, "absent": ["POD-12"]},
])

# POD-13 merges the volumes' keys to screen them; a volume that is not an object cannot be merged,
# and the others are still judged.
test_pod_13_beside_a_malformed_volume if {
	obj := job([sidecar({})], {"volumes": ["junk", {"name": "n", "nfs": {"server": "s", "path": "/"}}]})
	fields := {f.field | some f in full(obj, {}); f.rule == "POD-13"}
	fields == {"spec.template.spec.volumes[1].nfs"}
}

# IMG-01's one-expression test of a fixed tag agrees with the parse: "latest" only exactly, the tag
# read from the last segment before any "@".
test_img_01_fixed_tags if check([
	{"obj": job([sidecar({"image": "x:lates"})], {}), "absent": ["IMG-01"]},
	{"obj": job([sidecar({"image": "x:latestt"})], {}), "absent": ["IMG-01"]},
	{"obj": job([sidecar({"image": "x:Latest"})], {}), "absent": ["IMG-01"]},
	{"obj": job([sidecar({"image": "r:5000/x:1"})], {}), "absent": ["IMG-01"]},
	{"obj": job([sidecar({"image": "x:latest"})], {}), "want": [["IMG-01", "warn"]]},
	{"obj": job([sidecar({"image": "x:latest@sha256:abc"})], {}), "want": [["IMG-01", "warn"]]},
	{"obj": job([sidecar({"image": "r:5000/x"})], {}), "want": [["IMG-01", "warn"]]},
	{"obj": job([sidecar({"image": "a/b:1/c"})], {}), "want": [["IMG-01", "warn"]]},
	{"obj": job([sidecar({"image": "x::1"})], {}), "want": [["IMG-01", "warn"]]},
])

# IMG-02 through each way a container is elevated, the screen open for each.
test_img_02_each_elevation if check([
	{"obj": job([with_sc({"runAsUser": 0, "allowPrivilegeEscalation": false})], {}), "want": [["IMG-02", "warn"]]},
	{"obj": job([sidecar({})], {"hostNetwork": true}), "want": [["IMG-02", "warn"]]},
	{"obj": job([sidecar({})], {}), "absent": ["IMG-02"]},
])

# META-01's projected token, in the one volume of many that projects it.
test_meta_01_projected_token if check([{
	"obj": job([sidecar({})], {"volumes": [
		{"name": "a", "emptyDir": {}},
		{"name": "t", "projected": {"sources": [{"configMap": {"name": "c"}}, {"serviceAccountToken": {"path": "token"}}]}},
	]}),
	"want": [["META-01", "deny"]],
}])
