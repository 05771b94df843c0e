# What Pod Security Standards refuse and skillc's rules answer (issue 12; policy/pss_test.go runs the
# real PSS library against the gate).
package skillc.podsecurity_test

import data.skillc.lib_test.cronjob
import data.skillc.lib_test.findings
import data.skillc.lib_test.full
import data.skillc.lib_test.job
import data.skillc.lib_test.rules_of
import data.skillc.lib_test.sidecar
import data.skillc.lib_test.with_sc
import rego.v1

restricted := {"profile": "restricted"}

pod_sc := {"runAsUser": 1000, "runAsNonRoot": true, "fsGroup": 1000, "seccompProfile": {"type": "RuntimeDefault"}}

# with_pod_sc: obj with its pod security context replaced by sc (object.union would merge it).
with_pod_sc(obj, sc) := json.patch(obj, [{"op": "replace", "path": "/spec/template/spec/securityContext", "value": sc}])

test_escalation_unset_denied_in_restricted if ["POD-08", "deny"] in findings(job([with_sc({"capabilities": {"drop": ["ALL"]}})], {}), restricted)

test_escalation_unset_warned_in_baseline if ["POD-08", "warn"] in findings(job([with_sc({"capabilities": {"drop": ["ALL"]}})], {}), {})

test_escalation_unset_on_allow_listed_privileged_warns if {
	obj := job([with_sc({"privileged": true})], {})
	["POD-08", "warn"] in findings(obj, object.union(restricted, {"privilegedAllow": ["p"]}))
	not ["POD-08", "deny"] in findings(obj, object.union(restricted, {"privilegedAllow": ["p"]}))
}

test_escalation_unset_on_other_privileged_denied if ["POD-08", "deny"] in findings(job([with_sc({"privileged": true})], {}), restricted)

test_drop_all_missing_denied_in_restricted if ["POD-09", "deny"] in findings(job([with_sc({"allowPrivilegeEscalation": false})], {}), restricted)

test_drop_all_missing_passes_baseline if not "POD-09" in rules_of(job([with_sc({"allowPrivilegeEscalation": false})], {}), {})

test_drop_some_is_not_drop_all if {
	some f in full(job([with_sc({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["NET_RAW"]}})], {}), restricted)
	f.rule == "POD-09"
	endswith(f.field, ".capabilities.drop")
}

test_drop_all_missing_on_allow_listed_privileged_passes if {
	not "POD-09" in rules_of(job([with_sc({"privileged": true})], {}), object.union(restricted, {"privilegedAllow": ["p"]}))
}

test_run_as_non_root_unset_denied_in_restricted if {
	["POD-07", "deny"] in findings(with_pod_sc(job([sidecar({})], {}), object.remove(pod_sc, ["runAsNonRoot"])), restricted)
}

test_run_as_non_root_on_every_container_passes if {
	hard := {"allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "capabilities": {"drop": ["ALL"]}, "runAsNonRoot": true}
	obj := with_pod_sc(
		json.patch(job([with_sc(hard)], {}), [{"op": "replace", "path": "/spec/template/spec/containers", "value": [
			{"name": "agent", "image": "a:1", "securityContext": hard},
			{"name": "ipc-bridge", "image": "b:1", "securityContext": hard},
		]}]),
		object.remove(pod_sc, ["runAsNonRoot"]),
	)
	not "POD-07" in rules_of(obj, restricted)
}

test_run_as_non_root_unset_passes_baseline if not "POD-07" in rules_of(with_pod_sc(job([sidecar({})], {}), object.remove(pod_sc, ["runAsNonRoot"])), {})

test_seccomp_unset_denied_in_restricted if ["POD-10", "deny"] in findings(with_pod_sc(job([sidecar({})], {}), object.remove(pod_sc, ["seccompProfile"])), restricted)

test_seccomp_unset_passes_baseline if not "POD-10" in rules_of(with_pod_sc(job([sidecar({})], {}), object.remove(pod_sc, ["seccompProfile"])), {})

test_seccomp_localhost_passes_restricted if {
	not "POD-10" in rules_of(job([sidecar({})], {"securityContext": object.union(pod_sc, {"seccompProfile": {"type": "Localhost", "localhostProfile": "p.json"}})}), restricted)
}

test_seccomp_unconfined_container_denied_in_both if {
	obj := job([sidecar({"securityContext": {"seccompProfile": {"type": "Unconfined"}}})], {})
	["POD-10", "deny"] in findings(obj, {})
	["POD-10", "deny"] in findings(obj, restricted)
}

annotated(v) := object.union(job([sidecar({})], {}), {"spec": {"template": {"metadata": {"annotations": {"container.apparmor.security.beta.kubernetes.io/skill-p": v}}}}})

test_apparmor_annotation_unconfined_denied if {
	some f in full(annotated("unconfined"), {})
	f.rule == "POD-10"
	f.field == `spec.template.metadata.annotations["container.apparmor.security.beta.kubernetes.io/skill-p"]`
}

test_apparmor_annotation_runtime_default_passes if not "POD-10" in rules_of(annotated("runtime/default"), {})

test_apparmor_annotation_localhost_passes if not "POD-10" in rules_of(annotated("localhost/k8s-profile"), {})

test_apparmor_annotation_in_a_cronjob if {
	obj := object.union(cronjob([sidecar({})], {}), {"spec": {"jobTemplate": {"spec": {"template": {"metadata": {"annotations": {"container.apparmor.security.beta.kubernetes.io/agent": "unconfined"}}}}}}})
	some f in full(obj, {})
	f.rule == "POD-10"
	startswith(f.field, "spec.jobTemplate.spec.template.metadata.annotations")
}

test_windows_host_process_container_denied if ["POD-01", "deny"] in findings(job([sidecar({"securityContext": {"windowsOptions": {"hostProcess": true}}})], {}), {})

test_windows_host_process_pod_denied if ["POD-01", "deny"] in findings(job([sidecar({})], {"securityContext": object.union(pod_sc, {"windowsOptions": {"hostProcess": true}})}), {})

test_windows_options_without_host_process_pass if not "POD-01" in rules_of(job([sidecar({"securityContext": {"windowsOptions": {"runAsUserName": "x"}}})], {}), {})

test_probe_host_denied if ["POD-03", "deny"] in findings(job([sidecar({"livenessProbe": {"httpGet": {"host": "10.0.0.1", "port": 80}}})], {}), {})

test_tcp_probe_host_denied if ["POD-03", "deny"] in findings(job([sidecar({"startupProbe": {"tcpSocket": {"host": "metadata.internal", "port": 80}}})], {}), {})

test_lifecycle_host_denied if {
	some f in full(job([sidecar({"lifecycle": {"preStop": {"httpGet": {"host": "10.0.0.1", "port": 80}}}})], {}), {})
	f.rule == "POD-03"
	endswith(f.field, ".lifecycle.preStop.httpGet.host")
}

test_probe_without_host_passes if not "POD-03" in rules_of(job([sidecar({"readinessProbe": {"httpGet": {"path": "/healthz", "port": 80}}})], {}), {})

test_probe_with_empty_host_passes if not "POD-03" in rules_of(job([sidecar({"readinessProbe": {"httpGet": {"host": "", "port": 80}}})], {}), {})

test_ephemeral_containers_are_judged if {
	obj := job([sidecar({})], {"ephemeralContainers": [{"name": "debug", "image": "busybox:1", "securityContext": {"privileged": true}}]})
	some f in full(obj, {})
	f.rule == "POD-01"
	startswith(f.field, "spec.template.spec.ephemeralContainers[0]")
}

test_clean_pod_passes_restricted if {
	denied := {r | some [r, "deny"] in findings(job([sidecar({"image": "ghcr.io/example/p:1.0.0"})], {}), restricted)}
	count(denied) == 0
}
