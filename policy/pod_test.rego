package skillc.pod_test

import data.skillc.lib_test.base_volumes
import data.skillc.lib_test.check
import data.skillc.lib_test.cronjob
import data.skillc.lib_test.full
import data.skillc.lib_test.host_job
import data.skillc.lib_test.job
import data.skillc.lib_test.sidecar
import data.skillc.lib_test.with_sc
import rego.v1

restricted := {"profile": "restricted"}

root := {"securityContext": {"runAsUser": 0, "runAsNonRoot": false, "allowPrivilegeEscalation": false}}

test_pod_01_privileged if check([
	{"obj": job([sidecar({"securityContext": {"privileged": true}})], {}), "want": [["POD-01", "deny"]]},
	{"obj": cronjob([sidecar({"securityContext": {"privileged": true}})], {}), "want": [["POD-01", "deny"]]},
	{"obj": job([sidecar({"securityContext": {"privileged": true}})], {}), "params": {"privilegedAllow": ["p"]}, "absent": ["POD-01"]},
	{"obj": job([sidecar({"securityContext": {"privileged": true}})], {}), "params": {"privilegedAllow": ["other"]}, "want": [["POD-01", "deny"]]},
	{"obj": job([sidecar({})], {}), "absent": ["POD-01"]},
])

test_pod_02_host_namespaces if check([
	{"obj": job([sidecar({})], {"hostPID": true}), "want": [["POD-02", "deny"]]},
	{"obj": job([sidecar({})], {"hostNetwork": true}), "params": {"hostNamespaceAllow": [{"skillPack": "p", "hostPID": true}]}, "want": [["POD-02", "deny"]]},
	{"obj": job([sidecar({})], {"hostPID": true}), "params": {"hostNamespaceAllow": [{"skillPack": "p", "hostPID": true}]}, "absent": ["POD-02"]},
	{"obj": job([sidecar({})], {"hostIPC": true}), "params": {"hostNamespaceAllow": [{"skillPack": "p", "hostPID": true, "hostNetwork": true}]}, "want": [["POD-02", "deny"]]},
	{"obj": job([sidecar({})], {}), "absent": ["POD-02"]},
])

test_pod_02_names_every_container_and_hostipc_is_non_waivable if {
	some f in full(job([sidecar({})], {"hostIPC": true}), {})
	f.rule == "POD-02"
	not f.waivable
	contains(f.msg, `"agent"`)
	contains(f.msg, `"skill-p"`)
}

test_pod_03_host_ports if check([
	{"obj": job([sidecar({"ports": [{"containerPort": 80, "hostPort": 8080}]})], {}), "want": [["POD-03", "deny"]]},
	{"obj": cronjob([sidecar({"ports": [{"containerPort": 80, "hostPort": 80}]})], {}), "params": restricted, "want": [["POD-03", "deny"]]},
	{"obj": job([sidecar({"ports": [{"containerPort": 80}]})], {}), "absent": ["POD-03"]},
	{"obj": job([sidecar({"ports": [{"containerPort": 80, "hostPort": 0}]})], {}), "absent": ["POD-03"]},
])

allow(prefix, ro) := {"allowedHostPaths": [{"skillPack": "p", "pathPrefix": prefix, "readOnly": ro}]}

test_pod_04_host_path_allow_list if check([
	{"obj": host_job(["/data/cache"], true), "want": [["POD-04", "deny"]]},
	{"obj": host_job(["/data/cache"], true), "params": allow("/data", true), "absent": ["POD-04"]},
	{"obj": host_job(["/database"], true), "params": allow("/data", true), "want": [["POD-04", "deny"]]},
	{"obj": host_job(["/data/../etc"], true), "params": allow("/data", true), "want": [["POD-04", "deny"]]},
	{"obj": host_job(["/data/x"], true), "params": {"allowedHostPaths": [{"skillPack": "other", "pathPrefix": "/data", "readOnly": true}]}, "want": [["POD-04", "deny"]]},
])

test_pod_05_writable_host_paths if check([
	{"obj": host_job(["/data/cache"], false), "params": allow("/data", true), "want": [["POD-05", "deny"]]},
	{"obj": host_job(["/data/cache"], false), "params": allow("/data", false), "absent": ["POD-05"]},
	{"obj": host_job(["/data/cache"], true), "params": allow("/data", true), "absent": ["POD-05"]},
	{"obj": job([sidecar({"volumeMounts": [{"name": "host-p-0", "mountPath": "/h"}]})], {"volumes": [{"name": "host-p-0", "hostPath": {"path": "/data"}}]}), "params": allow("/data", true), "want": [["POD-05", "deny"]]},
])

proc_sys := {
	"allowedHostPaths": [
		{"skillPack": "p", "pathPrefix": "/proc", "readOnly": true},
		{"skillPack": "p", "pathPrefix": "/sys", "readOnly": true},
	],
	"hostNamespaceAllow": [{"skillPack": "p", "hostPID": true}],
	"runAsRootAllow": ["p"],
}

test_pod_06_sensitive_host_paths if check([
	{"obj": host_job(["/"], true), "params": allow("/", true), "want": [["POD-06", "deny"]]},
	{"obj": host_job(["/var/run"], true), "params": allow("/var", true), "want": [["POD-06", "deny"]]},
	{"obj": host_job(["/run/containerd/containerd.sock"], true), "params": allow("/run", true), "want": [["POD-06", "deny"]]},
	{"obj": host_job(["/etc/kubernetes/pki"], true), "params": allow("/etc", true), "want": [["POD-06", "deny"]]},
	{"obj": host_job(["/var/lib"], true), "params": allow("/var", true), "want": [["POD-06", "deny"]]},
	{"obj": host_job(["/proc"], true), "want": [["POD-06", "deny"]]},
	{"obj": host_job(["/proc"], true), "params": proc_sys, "absent": ["POD-06"]},
	{"obj": host_job(["/sys"], false), "params": proc_sys, "want": [["POD-06", "deny"]]},
	{"obj": host_job(["/var/log/pods"], true), "params": allow("/var/log", true), "absent": ["POD-06"]},
	{"obj": host_job(["/srv/data"], true), "params": allow("/srv", true), "absent": ["POD-06"]},
])

test_pod_06_first_tier_is_non_waivable if {
	some f in full(host_job(["/var/run/docker.sock"], true), {})
	f.rule == "POD-06"
	not f.waivable
	some g in full(host_job(["/proc"], true), {})
	g.rule == "POD-06"
	g.waivable
}

test_pod_07_root if check([
	{"obj": job([sidecar(root)], {}), "want": [["POD-07", "deny"]]},
	{"obj": job([sidecar(root)], {}), "params": {"runAsRootAllow": ["p"]}, "absent": ["POD-07"]},
	{"obj": job([sidecar({"securityContext": {"runAsNonRoot": false, "allowPrivilegeEscalation": false}})], {}), "want": [["POD-07", "deny"]]},
	{"obj": job([sidecar({})], {"securityContext": {"runAsUser": 0}}), "want": [["POD-07", "deny"]]},
	{"obj": job([sidecar({})], {}), "absent": ["POD-07"]},
])

test_pod_08_privilege_escalation if check([
	{"obj": job([sidecar({"securityContext": {"allowPrivilegeEscalation": true}})], {}), "want": [["POD-08", "deny"]]},
	{"obj": job([with_sc({"runAsUser": 1000})], {}), "want": [["POD-08", "warn"]]},
	{"obj": job([with_sc({"runAsUser": 1000})], {}), "params": restricted, "want": [["POD-08", "deny"]]},
	{"obj": job([sidecar({})], {}), "absent": ["POD-08"]},
])

test_pod_09_capabilities if check([
	{"obj": job([sidecar({"securityContext": {"capabilities": {"add": ["SYS_ADMIN"]}, "allowPrivilegeEscalation": false}})], {}), "want": [["POD-09", "deny"]]},
	{"obj": job([sidecar({"securityContext": {"capabilities": {"add": ["NET_RAW"]}, "allowPrivilegeEscalation": false}})], {}), "want": [["POD-09", "deny"]]},
	{"obj": job([sidecar({"securityContext": {"capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}, "allowPrivilegeEscalation": false}})], {}), "absent": ["POD-09"]},
	{"obj": job([sidecar({})], {}), "absent": ["POD-09"]},
])

test_pod_10_profiles_selinux_procmount_sysctls if check([
	{"obj": job([sidecar({"securityContext": {"seccompProfile": {"type": "Unconfined"}, "allowPrivilegeEscalation": false}})], {}), "want": [["POD-10", "deny"]]},
	{"obj": job([sidecar({})], {"securityContext": {"appArmorProfile": {"type": "Unconfined"}, "runAsUser": 1000}}), "want": [["POD-10", "deny"]]},
	{"obj": job([sidecar({"securityContext": {"seLinuxOptions": {"type": "spc_t"}, "allowPrivilegeEscalation": false}})], {}), "want": [["POD-10", "deny"]]},
	{"obj": job([sidecar({"securityContext": {"procMount": "Unmasked", "allowPrivilegeEscalation": false}})], {}), "want": [["POD-10", "deny"]]},
	{"obj": job([sidecar({})], {"securityContext": {"runAsUser": 1000, "sysctls": [{"name": "kernel.msgmax", "value": "1"}]}}), "want": [["POD-10", "deny"]]},
	{"obj": job([sidecar({})], {"securityContext": {"runAsUser": 1000, "sysctls": [{"name": "net.ipv4.tcp_syncookies", "value": "1"}]}}), "absent": ["POD-10"]},
	{"obj": job([sidecar({"securityContext": {"seLinuxOptions": {"level": "s0:c1"}, "allowPrivilegeEscalation": false}})], {}), "absent": ["POD-10"]},
])

test_pod_11_service_account_and_token if check([
	{"obj": job([sidecar({})], {"serviceAccountName": "default"}), "want": [["POD-11", "deny"]]},
	{"obj": job([sidecar({})], {"serviceAccountName": ""}), "want": [["POD-11", "deny"]]},
	{"obj": job([sidecar({})], {"hostNetwork": true}), "params": {"hostNamespaceAllow": [{"skillPack": "p", "hostNetwork": true}]}, "want": [["POD-11", "warn"]]},
	{"obj": job([sidecar({})], {"hostPID": true, "automountServiceAccountToken": false}), "params": {"hostNamespaceAllow": [{"skillPack": "p", "hostPID": true}]}, "absent": ["POD-11"]},
	{"obj": job([sidecar({})], {"hostPID": true, "automountServiceAccountToken": false, "volumes": [{"name": "kube-api-access", "projected": {"sources": [{"serviceAccountToken": {"path": "token"}}]}}]}), "params": {"hostNamespaceAllow": [{"skillPack": "p", "hostPID": true}]}, "want": [["POD-11", "warn"]]},
	{"obj": job([sidecar({})], {}), "absent": ["POD-11"]},
])

# The token warning says what helps: per-run identity when every container holds the token, and
# separating the packs when a sidecar with RBAC holds it anyway (it names the holder).
test_pod_11_token_fix_fits_the_identity if {
	allow := {"hostNamespaceAllow": [{"skillPack": "p", "hostPID": true}]}
	some shared in full(job([sidecar({})], {"hostPID": true}), allow)
	shared.rule == "POD-11"
	contains(shared.msg, "mounted into every container")
	contains(shared.msg, "Fix: identity: per-run in the CompilerConfig")
	token := {"name": "kube-api-access", "projected": {"sources": [{"serviceAccountToken": {"path": "token"}}]}}
	holder := sidecar({"volumeMounts": [{"name": "kube-api-access", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]})
	some per_run in full(job([holder], {"hostPID": true, "automountServiceAccountToken": false, "volumes": array.concat(base_volumes, [token])}), allow)
	per_run.rule == "POD-11"
	contains(per_run.msg, "an API token is mounted into skill-p in a pod with host access")
	contains(per_run.msg, "Fix: run the packs that declare RBAC apart from the packs with host access")
	not contains(per_run.msg, "per-run")
}

test_pod_12_read_only_root_restricted_only if check([
	{"obj": job([with_sc({"allowPrivilegeEscalation": false})], {}), "params": restricted, "want": [["POD-12", "warn"]]},
	{"obj": job([with_sc({"allowPrivilegeEscalation": false})], {}), "absent": ["POD-12"]},
	{"obj": job([sidecar({})], {}), "params": restricted, "absent": ["POD-12"]},
	{"obj": cronjob([sidecar({"securityContext": {"readOnlyRootFilesystem": false, "allowPrivilegeEscalation": false}})], {}), "params": restricted, "want": [["POD-12", "warn"]]},
])

# A sidecar's root is writable only when its pack opted out: the fix names the pack's field. Any
# other container gets the container's own field.
test_pod_12_fix_names_the_opt_out if {
	sidecar_msgs := {f.msg | some f in full(job([sidecar({"securityContext": {"readOnlyRootFilesystem": false, "allowPrivilegeEscalation": false}})], {}), restricted); f.rule == "POD-12"}
	count(sidecar_msgs) == 1
	some m in sidecar_msgs
	contains(m, "container skill-p has a writable root filesystem")
	contains(m, "Fix: remove spec.sidecar.readOnlyRootFilesystem: false from SkillPack p")
	tool := object.union(with_sc({"allowPrivilegeEscalation": false}), {"name": "tool"})
	other := {f.msg | some f in full(job([tool], {}), restricted); f.rule == "POD-12"}
	some o in other
	contains(o, "container tool has a writable root filesystem")
	endswith(o, "Fix: readOnlyRootFilesystem: true, writing to /tmp or /workspace")
}

# Calibration: the seed's host-access example (hostPID, root, read-only /proc and /sys) is denied
# POD-02, POD-06, POD-07 by default, and passes once the platform allow-lists exactly that.
probe := job(
	[sidecar({
		"image": "ghcr.io/yourorg/skill-my-tool:latest",
		"securityContext": {"runAsUser": 0, "runAsNonRoot": false, "allowPrivilegeEscalation": false},
		"volumeMounts": [{"name": "host-p-0", "mountPath": "/host/proc", "readOnly": true}, {"name": "host-p-1", "mountPath": "/host/sys", "readOnly": true}],
	})],
	{"hostPID": true, "volumes": array.concat(base_volumes, [{"name": "host-p-0", "hostPath": {"path": "/proc"}}, {"name": "host-p-1", "hostPath": {"path": "/sys"}}])},
)

test_calibration_host_access if check([
	{"obj": probe, "want": [["POD-02", "deny"], ["POD-06", "deny"], ["POD-07", "deny"]]},
	{"obj": probe, "params": proc_sys, "absent": ["POD-01", "POD-02", "POD-04", "POD-05", "POD-06", "POD-07", "META-01"]},
])

test_calibration_host_access_passes_with_warnings_only if {
	every f in full(probe, proc_sys) {
		f.severity == "warn"
	}
}
