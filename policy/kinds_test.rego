# Pod specs of every pod-bearing kind (issue 21): objects that pass through skillc build or skillc fn
# untouched are judged as skillc's own Jobs are, each at its own field path.
package skillc.kinds_test

import data.skillc.lib
import data.skillc.lib_test.check
import data.skillc.lib_test.findings
import data.skillc.lib_test.full
import data.skillc.lib_test.host_mount
import data.skillc.lib_test.host_volume
import data.skillc.lib_test.pod
import data.skillc.lib_test.sidecar
import rego.v1

m := {"name": "w", "namespace": "team"}

# of(kind, spec): an object of kind whose pod spec is spec.
of("Pod", spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": m, "spec": spec}

of("Deployment", spec) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": m, "spec": {"template": {"spec": spec}}}

of("StatefulSet", spec) := {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": m, "spec": {"template": {"spec": spec}}}

of("DaemonSet", spec) := {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": m, "spec": {"template": {"spec": spec}}}

of("ReplicaSet", spec) := {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": m, "spec": {"template": {"spec": spec}}}

of("ReplicationController", spec) := {"apiVersion": "v1", "kind": "ReplicationController", "metadata": m, "spec": {"template": {"spec": spec}}}

of("Job", spec) := {"apiVersion": "batch/v1", "kind": "Job", "metadata": m, "spec": {"template": {"spec": spec}}}

of("CronJob", spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": m, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}

of("PodTemplate", spec) := {"apiVersion": "v1", "kind": "PodTemplate", "metadata": m, "template": {"spec": spec}}

# The agent-sandbox backend's kinds skillc emits (a run's Sandbox, an Agent's warm pool).
of("Sandbox", spec) := {"apiVersion": "agents.x-k8s.io/v1alpha1", "kind": "Sandbox", "metadata": m, "spec": {"podTemplate": {"spec": spec}}}

of("SandboxWarmPool", spec) := {"apiVersion": "agents.x-k8s.io/v1alpha1", "kind": "SandboxWarmPool", "metadata": m, "spec": {"size": 1, "podTemplate": {"spec": spec}}}

prefixes := {
	"Pod": "spec", "Deployment": "spec.template.spec", "StatefulSet": "spec.template.spec",
	"DaemonSet": "spec.template.spec", "ReplicaSet": "spec.template.spec",
	"ReplicationController": "spec.template.spec", "Job": "spec.template.spec",
	"CronJob": "spec.jobTemplate.spec.template.spec", "PodTemplate": "template.spec",
	"Sandbox": "spec.podTemplate.spec", "SandboxWarmPool": "spec.podTemplate.spec",
}

privileged_host_pid := pod([sidecar({"securityContext": {"privileged": true}})], {"hostPID": true})

host_path := pod(
	[sidecar({"volumeMounts": [host_mount(0, true)]})],
	{"volumes": [{"name": "workspace", "emptyDir": {}}, host_volume(0, "/data")]},
)

clean := pod([sidecar({})], {})

test_every_kind_has_its_pod_spec if {
	every kind, prefix in prefixes {
		lib.pod_prefix == prefix with input as of(kind, clean)
		lib.pod_spec == clean with input as of(kind, clean)
		count(lib.containers) == 3 with input as of(kind, clean)
	}
}

test_other_kinds_have_none if {
	not lib.pod_spec with input as {"kind": "ConfigMap", "metadata": m, "data": {"spec": "x"}}
	not lib.pod_spec with input as {"kind": "SandboxClaim", "metadata": m, "spec": {"warmPoolRef": {"name": "wp"}}}
	not lib.pod_spec with input as {"kind": "Deployment", "metadata": m, "spec": {"replicas": 1}}
}

test_privileged_host_pid_on_every_kind if {
	every kind, _ in prefixes {
		check([
			{"obj": of(kind, privileged_host_pid), "want": [["POD-01", "deny"], ["POD-02", "deny"]]},
			{"obj": of(kind, clean), "absent": ["POD-01", "POD-02", "POD-04"]},
		])
	}
}

test_host_path_on_every_kind if {
	every kind, _ in prefixes {
		check([{"obj": of(kind, host_path), "want": [["POD-04", "deny"]]}])
	}
}

# The field paths name each kind's own pod spec.
test_findings_are_located_in_the_kinds_pod_spec if {
	some f in full(of("Pod", privileged_host_pid), {})
	f.rule == "POD-02"
	f.field == "spec.hostPID"
	some g in full(of("Deployment", host_path), {})
	g.rule == "POD-04"
	g.field == "spec.template.spec.volumes[1].hostPath.path"
	some h in full(of("PodTemplate", privileged_host_pid), {})
	h.rule == "POD-01"
	h.field == "template.spec.initContainers[0].securityContext.privileged"
	some i in full(of("Pod", privileged_host_pid), {})
	i.rule == "POD-01"
	i.field == "spec.initContainers[0].securityContext.privileged"
}

# The AppArmor annotations are read from each kind's pod metadata.
test_apparmor_annotations_of_a_pod_and_a_deployment if {
	a := {"annotations": {"container.apparmor.security.beta.kubernetes.io/skill-p": "unconfined"}}
	some f in full(object.union(of("Pod", clean), {"metadata": a}), {})
	f.rule == "POD-10"
	f.field == `metadata.annotations["container.apparmor.security.beta.kubernetes.io/skill-p"]`
	some g in full(object.union(of("Deployment", clean), {"spec": {"template": {"metadata": a}}}), {})
	g.rule == "POD-10"
	g.field == `spec.template.metadata.annotations["container.apparmor.security.beta.kubernetes.io/skill-p"]`
}

# A Sandbox's pod metadata is its podTemplate's.
test_sandbox_pod_metadata if {
	a := {"annotations": {"container.apparmor.security.beta.kubernetes.io/skill-p": "unconfined"}}
	some f in full(object.union(of("Sandbox", clean), {"spec": {"podTemplate": {"metadata": a}}}), {})
	f.rule == "POD-10"
	f.field == `spec.podTemplate.metadata.annotations["container.apparmor.security.beta.kubernetes.io/skill-p"]`
}

# Each rule family names the pod-bearing kinds again, as a literal OPA's rule index reads (a
# ref to lib.pod_prefixes would not be indexed): every family must judge every kind of
# lib.pod_prefixes, and prefixes above must be those kinds.
test_every_family_judges_every_pod_kind if {
	{k | some k, _ in prefixes} == {k | some k, _ in lib.pod_prefixes}
	loud := pod(
		[sidecar({
			"image": "ghcr.io/example/p",
			"env": [{"name": "K", "value": "AKIAABCDEFGHIJKLMNOP"}],
			"resources": {"limits": {"cpu": "4"}},
		})],
		{"volumes": [{"name": "stray", "hostPath": {"path": "/data"}}]},
	)
	every kind, _ in prefixes {
		check([{
			"obj": of(kind, loud),
			"params": {"resourceCeilings": {"cpu": "1"}},
			"want": [["IMG-01", "warn"], ["SEC-01", "deny"], ["RES-01", "deny"], ["META-01", "deny"], ["POD-11", "warn"]],
		}])
	}
}

# A kind without a pod spec gets none of the container or pod findings, whatever it carries.
test_other_kinds_get_no_pod_findings if {
	loud := pod([sidecar({"image": "x", "securityContext": {"privileged": true}})], {"hostPID": true})
	count(findings({"kind": "ConfigMapList", "metadata": m, "spec": {"template": {"spec": loud}}}, {})) == 0
}
