package skillc.rbac_test

import data.skillc.lib
import data.skillc.lib_test.binding
import data.skillc.lib_test.cbinding
import data.skillc.lib_test.check
import data.skillc.lib_test.crole
import data.skillc.lib_test.full
import data.skillc.lib_test.role
import data.skillc.lib_test.rule
import data.skillc.rbac
import rego.v1

restricted := {"profile": "restricted"}

test_rbac_01_wildcard_verbs if check([
	{"obj": role([rule([""], ["pods"], ["*"])]), "want": [["RBAC-01", "deny"]]},
	{"obj": role([rule([""], ["pods"], ["get", "list"])]), "absent": ["RBAC-01"]},
	{"obj": crole([rule([""], ["nodes"], ["*"])]), "params": restricted, "want": [["RBAC-01", "deny"]]},
	{"obj": role([rule([""], ["*"], ["*"])]), "params": restricted, "want": [["RBAC-01", "deny"]]},
])

test_rbac_01_non_waivable_only_with_wildcard_resources_in_restricted if {
	some f in full(role([rule([""], ["*"], ["*"])]), restricted)
	f.rule == "RBAC-01"
	f.waivable == false
	some g in full(role([rule([""], ["pods"], ["*"])]), restricted)
	g.rule == "RBAC-01"
	g.waivable == true
	some h in full(role([rule([""], ["*"], ["*"])]), {})
	h.rule == "RBAC-01"
	h.waivable == true
}

test_rbac_02_wildcard_resources if check([
	{"obj": role([rule([""], ["*"], ["get"])]), "want": [["RBAC-02", "deny"]]},
	{"obj": role([rule([""], ["*/exec"], ["get"])]), "want": [["RBAC-02", "warn"]]},
	{"obj": role([rule([""], ["pods/*"], ["get"])]), "want": [["RBAC-02", "warn"]], "absent": ["RBAC-08"]},
	{"obj": role([rule([""], ["pods", "pods/log"], ["get"])]), "absent": ["RBAC-02"]},
	{"obj": crole([rule(["apps"], ["*"], ["list"])]), "params": restricted, "want": [["RBAC-02", "deny"]]},
])

test_rbac_03_wildcard_groups if check([
	{"obj": role([rule(["*"], ["pods"], ["get"])]), "want": [["RBAC-03", "deny"]]},
	{"obj": role([rule(["apps", ""], ["pods"], ["get"])]), "absent": ["RBAC-03"]},
	{"obj": crole([rule(["*"], ["nodes"], ["get"])]), "params": restricted, "want": [["RBAC-03", "deny"]]},
	{"obj": role([rule([""], ["pods"], ["get"])]), "params": restricted, "absent": ["RBAC-03"]},
])

test_rbac_03_non_waivable_in_restricted if {
	some f in full(role([rule(["*"], ["pods"], ["get"])]), restricted)
	f.rule == "RBAC-03"
	not f.waivable
}

test_rbac_04_reading_secrets if check([
	{"obj": role([rule([""], ["secrets"], ["get"])]), "want": [["RBAC-04", "deny"]]},
	{"obj": role([rule([""], ["secrets"], ["list"])]), "want": [["RBAC-04", "deny"]]},
	{"obj": role([rule([""], ["*"], ["watch"])]), "want": [["RBAC-04", "deny"]]},
	{"obj": role([rule(["apps"], ["secrets"], ["get"])]), "absent": ["RBAC-04"]},
	{"obj": role([rule([""], ["configmaps"], ["get", "list"])]), "absent": ["RBAC-04"]},
	{"obj": role([object.union(rule([""], ["secrets"], ["get"]), {"resourceNames": ["helm-release"]})]), "want": [["RBAC-04", "deny"]]},
])

test_rbac_05_writing_secrets if check([
	{"obj": role([rule([""], ["secrets"], ["create"])]), "want": [["RBAC-05", "deny"]]},
	{"obj": role([rule([""], ["secrets"], ["deletecollection"])]), "want": [["RBAC-05", "deny"]]},
	{"obj": role([rule([""], ["secrets"], ["*"])]), "want": [["RBAC-05", "deny"], ["RBAC-04", "deny"]]},
	{"obj": role([rule([""], ["secrets"], ["get"])]), "absent": ["RBAC-05"]},
])

test_rbac_06_escalate_bind_impersonate if check([
	{"obj": role([rule(["rbac.authorization.k8s.io"], ["roles"], ["escalate"])]), "want": [["RBAC-06", "deny"]]},
	{"obj": crole([rule(["rbac.authorization.k8s.io"], ["clusterroles"], ["bind"])]), "want": [["RBAC-06", "deny"]]},
	{"obj": crole([rule([""], ["serviceaccounts"], ["impersonate"])]), "want": [["RBAC-06", "deny"]]},
	{"obj": role([rule(["rbac.authorization.k8s.io"], ["roles"], ["get"])]), "absent": ["RBAC-06"]},
	{"obj": crole([rule([""], ["users"], ["get"])]), "absent": ["RBAC-06"]},
])

test_rbac_06_is_never_waivable if {
	some f in full(crole([rule([""], ["groups"], ["impersonate"])]), {})
	f.rule == "RBAC-06"
	not f.waivable
}

test_rbac_07_writing_rbac if check([
	{"obj": role([rule(["rbac.authorization.k8s.io"], ["rolebindings"], ["create"])]), "want": [["RBAC-07", "deny"]]},
	{"obj": role([rule(["rbac.authorization.k8s.io"], ["roles"], ["patch"])]), "want": [["RBAC-07", "deny"]]},
	{"obj": role([rule(["*"], ["*"], ["update"])]), "want": [["RBAC-07", "deny"]]},
	{"obj": role([rule(["rbac.authorization.k8s.io"], ["roles", "rolebindings"], ["get", "list"])]), "absent": ["RBAC-07"]},
])

test_rbac_08_exec_attach_debug if check([
	{"obj": role([rule([""], ["pods/exec"], ["get"])]), "want": [["RBAC-08", "deny"]]},
	{"obj": role([rule([""], ["*/exec"], ["create"])]), "want": [["RBAC-08", "deny"]]},
	{"obj": role([rule([""], ["pods/attach"], ["create"])]), "want": [["RBAC-08", "deny"]]},
	{"obj": role([rule([""], ["pods/ephemeralcontainers"], ["patch"])]), "want": [["RBAC-08", "deny"]]},
	{"obj": role([rule([""], ["pods/portforward"], ["create"])]), "want": [["RBAC-08", "warn"]]},
	{"obj": role([rule([""], ["services/proxy"], ["get"])]), "want": [["RBAC-08", "warn"]]},
	{"obj": role([rule([""], ["pods", "pods/log"], ["get"])]), "absent": ["RBAC-08"]},
])

test_rbac_09_nodes_proxy if check([
	{"obj": crole([rule([""], ["nodes/proxy"], ["get"])]), "want": [["RBAC-09", "deny"]]},
	{"obj": crole([rule([""], ["*/proxy"], ["get"])]), "want": [["RBAC-09", "deny"]]},
	{"obj": crole([rule([""], ["*"], ["*"])]), "want": [["RBAC-09", "deny"]]},
	{"obj": crole([rule([""], ["nodes"], ["get"])]), "absent": ["RBAC-09"]},
])

test_rbac_10_token_requests if check([
	{"obj": role([rule([""], ["serviceaccounts/token"], ["create"])]), "want": [["RBAC-10", "deny"]]},
	{"obj": role([rule([""], ["*/token"], ["create"])]), "want": [["RBAC-10", "deny"]]},
	{"obj": role([rule([""], ["serviceaccounts"], ["create"])]), "absent": ["RBAC-10"]},
	{"obj": role([rule([""], ["serviceaccounts/token"], ["get"])]), "absent": ["RBAC-10"]},
])

test_rbac_11_approval_webhooks_volumes if check([
	{"obj": crole([rule(["certificates.k8s.io"], ["certificatesigningrequests/approval"], ["update"])]), "want": [["RBAC-11", "deny"]]},
	{"obj": crole([rule(["certificates.k8s.io"], ["signers"], ["approve"])]), "want": [["RBAC-11", "deny"]]},
	{"obj": crole([rule(["admissionregistration.k8s.io"], ["mutatingwebhookconfigurations"], ["patch"])]), "want": [["RBAC-11", "deny"]]},
	{"obj": crole([rule([""], ["persistentvolumes"], ["create"])]), "want": [["RBAC-11", "deny"]]},
	{"obj": crole([rule(["admissionregistration.k8s.io"], ["validatingwebhookconfigurations"], ["list"])]), "absent": ["RBAC-11"]},
])

# Admission policies (CEL, in-process), their bindings and aggregated API services intercept or
# rewrite API requests as webhooks do.
test_rbac_11_admission_policies_and_api_services if check([
	{"obj": crole([rule(["admissionregistration.k8s.io"], ["mutatingadmissionpolicies"], ["create"])]), "want": [["RBAC-11", "deny"]]},
	{"obj": crole([rule(["admissionregistration.k8s.io"], ["validatingadmissionpolicies"], ["patch"])]), "want": [["RBAC-11", "deny"]]},
	{"obj": crole([rule(["admissionregistration.k8s.io"], ["mutatingadmissionpolicybindings"], ["update"])]), "want": [["RBAC-11", "deny"]]},
	{"obj": crole([rule(["admissionregistration.k8s.io"], ["validatingadmissionpolicybindings"], ["delete"])]), "want": [["RBAC-11", "deny"]]},
	{"obj": crole([rule(["apiregistration.k8s.io"], ["apiservices"], ["*"])]), "want": [["RBAC-11", "deny"]]},
	{"obj": role([rule(["apiregistration.k8s.io"], ["apiservices"], ["deletecollection"])]), "params": restricted, "want": [["RBAC-11", "deny"]]},
	{"obj": crole([rule(["admissionregistration.k8s.io"], ["validatingadmissionpolicies", "validatingadmissionpolicybindings"], ["get", "list", "watch"])]), "absent": ["RBAC-11"]},
	{"obj": crole([rule(["apiregistration.k8s.io"], ["apiservices"], ["get", "list"])]), "absent": ["RBAC-11"]},
	{"obj": crole([rule(["admissionregistration.k8s.io"], ["validatingadmissionpolicies/status"], ["patch"])]), "absent": ["RBAC-11"]},
])

test_rbac_11_admission_policies_are_never_waivable if {
	some f in full(crole([rule(["admissionregistration.k8s.io"], ["validatingadmissionpolicybindings"], ["create"])]), {})
	f.rule == "RBAC-11"
	not f.waivable
	contains(f.msg, "validatingadmissionpolicybindings")
}

test_rbac_12_cluster_wide_writes if check([
	{"obj": crole([rule(["apps"], ["deployments"], ["patch"])]), "want": [["RBAC-12", "deny"]]},
	{"obj": crole([rule([""], ["configmaps"], ["create"])]), "params": restricted, "want": [["RBAC-12", "deny"]]},
	{"obj": crole([rule([""], ["nodes"], ["get", "list"])]), "absent": ["RBAC-12"]},
	{"obj": role([rule(["apps"], ["deployments"], ["patch"])]), "absent": ["RBAC-12"]},
])

test_rbac_13_cluster_wide_reads if check([
	{"obj": crole([rule([""], ["nodes"], ["get", "list", "watch"])]), "want": [["RBAC-13", "warn"]]},
	{"obj": crole([rule(["metrics.k8s.io"], ["nodes"], ["list"])]), "params": restricted, "want": [["RBAC-13", "warn"]]},
	{"obj": role([rule([""], ["pods"], ["list"])]), "absent": ["RBAC-13"]},
	{"obj": crole([rule([""], ["nodes"], ["patch"])]), "absent": ["RBAC-13"]},
])

test_rbac_13_lists_the_resources if {
	some f in full(crole([rule([""], ["nodes", "namespaces"], ["list"])]), {})
	f.rule == "RBAC-13"
	contains(f.msg, `["nodes", "namespaces"]`)
}

test_rbac_14_namespaces if check([
	{"obj": role([rule([""], ["namespaces"], ["patch"])]), "want": [["RBAC-14", "deny"]]},
	{"obj": crole([rule([""], ["namespaces"], ["delete"])]), "want": [["RBAC-14", "deny"]]},
	{"obj": role([rule([""], ["*"], ["update"])]), "want": [["RBAC-14", "deny"]]},
	{"obj": crole([rule([""], ["namespaces"], ["get", "list"])]), "absent": ["RBAC-14"]},
])

test_rbac_15_workload_writes if check([
	{"obj": role([rule(["apps"], ["deployments"], ["update", "patch"])]), "want": [["RBAC-15", "warn"]]},
	{"obj": role([rule(["apps"], ["deployments"], ["patch"])]), "params": restricted, "want": [["RBAC-15", "deny"]]},
	{"obj": role([rule([""], ["pods"], ["create"])]), "want": [["RBAC-15", "warn"]]},
	{"obj": role([rule(["batch"], ["jobs"], ["get", "list"])]), "absent": ["RBAC-15"]},
	{"obj": role([rule(["apps"], ["deployments/scale"], ["get"])]), "absent": ["RBAC-15"]},
])

# Issue 21: deleting pods and workloads is RBAC-15 too (before, "delete pods" was not even a warning).
test_rbac_15_workload_deletes if check([
	{"obj": role([rule([""], ["pods"], ["delete"])]), "want": [["RBAC-15", "warn"]]},
	{"obj": role([rule([""], ["pods"], ["deletecollection"])]), "params": restricted, "want": [["RBAC-15", "deny"]]},
	{"obj": role([rule(["apps"], ["statefulsets", "daemonsets"], ["delete"])]), "params": restricted, "want": [["RBAC-15", "deny"]]},
	{"obj": role([rule(["batch"], ["jobs", "cronjobs"], ["get", "list", "deletecollection"])]), "want": [["RBAC-15", "warn"]]},
	{"obj": role([rule([""], ["pods", "pods/log"], ["get", "list", "watch"])]), "params": restricted, "absent": ["RBAC-15"]},
	{"obj": role([rule([""], ["pods/eviction"], ["get"])]), "absent": ["RBAC-15"]},
	{"obj": role([rule(["apps"], ["pods"], ["delete"])]), "absent": ["RBAC-15"]},
])

test_rbac_15_delete_messages_name_the_verbs if {
	some f in full(role([rule([""], ["pods"], ["get", "deletecollection", "delete"])]), {})
	f.rule == "RBAC-15"
	contains(f.msg, "rules[0].verbs: grants delete/deletecollection on pods: deleting one stops another run")
	not contains(f.msg, "can mount any service account")
	some g in full(role([rule(["apps"], ["deployments"], ["patch", "delete"])]), {})
	g.rule == "RBAC-15"
	contains(g.msg, "grants patch/delete on deployments: a pod it creates or changes can mount any service account and secret of the namespace; deleting one stops")
}

# RBAC-15 also: create on pods/eviction and update/patch on the scale subresources stop or resize
# workloads as a delete does.
test_rbac_15_evictions_and_scale if check([
	{"obj": role([rule([""], ["pods/eviction"], ["create"])]), "want": [["RBAC-15", "warn"]]},
	{"obj": role([rule([""], ["pods/eviction"], ["create"])]), "params": restricted, "want": [["RBAC-15", "deny"]]},
	{"obj": role([rule(["apps"], ["deployments/scale"], ["patch"])]), "want": [["RBAC-15", "warn"]]},
	{"obj": role([rule(["apps"], ["replicasets/scale"], ["update"])]), "params": restricted, "want": [["RBAC-15", "deny"]]},
	{"obj": role([rule(["apps"], ["statefulsets/scale"], ["*"])]), "params": restricted, "want": [["RBAC-15", "deny"]]},
	{"obj": role([rule([""], ["replicationcontrollers/scale"], ["patch"])]), "params": restricted, "want": [["RBAC-15", "deny"]]},
	{"obj": role([rule(["apps"], ["*/scale"], ["update"])]), "params": restricted, "want": [["RBAC-15", "deny"]]},
	{"obj": role([rule([""], ["pods/eviction"], ["get", "list"])]), "params": restricted, "absent": ["RBAC-15"]},
	{"obj": role([rule(["apps"], ["deployments/scale", "statefulsets/scale"], ["get", "list", "watch"])]), "params": restricted, "absent": ["RBAC-15"]},
	{"obj": role([rule(["apps"], ["pods/eviction", "replicationcontrollers/scale"], ["create", "patch"])]), "params": restricted, "absent": ["RBAC-15"]},
	{"obj": role([rule([""], ["deployments/scale"], ["patch"])]), "params": restricted, "absent": ["RBAC-15"]},
	{"obj": role([rule(["apps"], ["daemonsets/status"], ["patch"])]), "params": restricted, "absent": ["RBAC-15"]},
])

test_rbac_15_eviction_and_scale_messages_name_the_grants if {
	some f in full(role([rule([""], ["pods/eviction", "replicationcontrollers/scale"], ["get", "create", "patch"])]), {})
	f.rule == "RBAC-15"
	contains(f.msg, "rules[0].resources: grants create on pods/eviction, patch on replicationcontrollers/scale: evicting a pod or scaling a workload to zero stops another run")
	f.waivable
	some g in full(role([rule(["apps"], ["*/scale"], ["*"])]), {})
	g.rule == "RBAC-15"
	contains(g.msg, "grants update/patch on deployments/scale, update/patch on replicasets/scale, update/patch on statefulsets/scale:")
}

# The message names the verbs actually granted, in the order create, update, patch, delete,
# deletecollection.
test_rbac_14_15_messages_name_the_granted_verbs if {
	some f in full(role([rule(["apps"], ["deployments"], ["get", "patch", "update"])]), {})
	f.rule == "RBAC-15"
	contains(f.msg, "rules[0].verbs: grants update/patch on deployments:")
	some g in full(role([rule([""], ["pods"], ["*"])]), {})
	g.rule == "RBAC-15"
	contains(g.msg, "rules[0].verbs: grants create/update/patch/delete/deletecollection on pods:")
	some h in full(role([rule([""], ["namespaces"], ["delete"])]), {})
	h.rule == "RBAC-14"
	contains(h.msg, "rules[0].verbs: grants delete on namespaces:")
}

test_rbac_16_binding_refers_to_its_role if check([
	{"obj": binding, "absent": ["RBAC-16"]},
	{"obj": object.union(binding, {"roleRef": {"name": "cluster-admin", "kind": "ClusterRole"}}), "want": [["RBAC-16", "deny"]]},
	{"obj": object.union(binding, {"roleRef": {"name": "edit"}}), "want": [["RBAC-16", "deny"]]},
	{"obj": object.union(cbinding, {"roleRef": {"kind": "Role"}}), "want": [["RBAC-16", "deny"]]},
	{"obj": cbinding, "absent": ["RBAC-16"]},
])

test_rbac_17_only_the_runs_service_account if check([
	{"obj": binding, "absent": ["RBAC-17"]},
	{"obj": cbinding, "absent": ["RBAC-17"]},
	{"obj": object.union(binding, {"subjects": [{"kind": "Group", "name": "system:authenticated", "apiGroup": "rbac.authorization.k8s.io"}]}), "want": [["RBAC-17", "deny"]]},
	{"obj": object.union(binding, {"subjects": [{"kind": "ServiceAccount", "name": "sympozium-agent", "namespace": "kube-system"}]}), "want": [["RBAC-17", "deny"]]},
	{"obj": object.union(binding, {"subjects": [{"kind": "ServiceAccount", "name": "sympozium-run-other", "namespace": "team"}]}), "want": [["RBAC-17", "deny"]]},
	{"obj": object.union(binding, {"subjects": [binding.subjects[0], binding.subjects[0]]}), "want": [["RBAC-17", "deny"]]},
])

test_rbac_18_aggregation if check([
	{"obj": object.union(crole([]), {"aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"x": "y"}}]}}), "want": [["RBAC-18", "deny"]]},
	{"obj": object.union(crole([rule([""], ["pods"], ["get"])]), {"metadata": {"labels": {"rbac.authorization.k8s.io/aggregate-to-admin": "true"}}}), "want": [["RBAC-18", "deny"]]},
	{"obj": crole([rule([""], ["nodes"], ["get"])]), "absent": ["RBAC-18"]},
	{"obj": object.union(crole([]), {"metadata": {"labels": {"example.com/aggregate-to-admin": "true"}}}), "absent": ["RBAC-18"]},
])

test_rbac_19_system_namespaces if check([
	{"obj": object.union(role([rule([""], ["pods"], ["get"])]), {"metadata": {"namespace": "kube-system"}}), "want": [["RBAC-19", "deny"]]},
	{"obj": object.union(binding, {"metadata": {"namespace": "kube-public"}}), "want": [["RBAC-19", "deny"]]},
	{"obj": object.union(role([]), {"metadata": {"namespace": "kube-node-lease"}}), "want": [["RBAC-19", "deny"]]},
	{"obj": role([rule([""], ["pods"], ["get"])]), "absent": ["RBAC-19"]},
])

# RBAC-22: writes on ConfigMaps rewrite other packs' skills (the fixtures' pack is p, so its own
# ConfigMap is skillpack-p).
own_cm(verbs, names) := object.union(rule([""], ["configmaps"], verbs), {"resourceNames": names})

test_rbac_22_configmap_writes if check([
	{"obj": role([rule([""], ["configmaps"], ["update"])]), "want": [["RBAC-22", "warn"]]},
	{"obj": role([rule([""], ["configmaps"], ["create"])]), "params": restricted, "want": [["RBAC-22", "deny"]]},
	{"obj": crole([rule([""], ["configmaps"], ["delete"])]), "want": [["RBAC-22", "warn"], ["RBAC-12", "deny"]]},
	{"obj": role([rule([""], ["*"], ["patch"])]), "params": restricted, "want": [["RBAC-22", "deny"]]},
	{"obj": role([own_cm(["update", "patch"], ["skillpack-p", "skillpack-other"])]), "want": [["RBAC-22", "warn"]]},
	{"obj": role([own_cm(["*"], ["skillpack-q"])]), "params": restricted, "want": [["RBAC-22", "deny"]]},
	{"obj": role([own_cm(["get", "update", "patch", "delete"], ["skillpack-p"])]), "params": restricted, "absent": ["RBAC-22"]},
	{"obj": role([own_cm(["create"], ["skillpack-other"])]), "params": restricted, "absent": ["RBAC-22"]},
	{"obj": role([rule([""], ["configmaps"], ["get", "list", "watch"])]), "params": restricted, "absent": ["RBAC-22"]},
	{"obj": role([rule(["example.com"], ["configmaps"], ["update"])]), "params": restricted, "absent": ["RBAC-22"]},
])

test_rbac_22_is_waivable_and_names_the_verbs if {
	some f in full(role([own_cm(["create", "update"], ["skillpack-q"])]), {})
	f.rule == "RBAC-22"
	f.waivable
	contains(f.msg, `rules[0].verbs: grants update on configmaps named ["skillpack-q"]:`)
	contains(f.msg, `"skillpack-p"`)
	some g in full(role([rule([""], ["configmaps"], ["*"])]), {})
	g.rule == "RBAC-22"
	contains(g.msg, "grants create/update/patch/delete/deletecollection on configmaps (every name):")
}

# RBAC-22 also covers writes on the sympozium.ai resources that carry skills or start runs, each
# named in its own finding; the configmaps resourceNames exemption does not extend to them.
sym(resources, verbs) := rule(["sympozium.ai"], resources, verbs)

test_rbac_22_sympozium_writes if check([
	{"obj": role([sym(["skillpacks"], ["update"])]), "want": [["RBAC-22", "warn"]]},
	{"obj": role([sym(["skillpacks"], ["patch"])]), "params": restricted, "want": [["RBAC-22", "deny"]]},
	{"obj": role([sym(["agents"], ["patch"])]), "params": restricted, "want": [["RBAC-22", "deny"]]},
	{"obj": role([sym(["sympoziuminstances"], ["update"])]), "want": [["RBAC-22", "warn"]]},
	{"obj": role([sym(["agentruns"], ["create"])]), "params": restricted, "want": [["RBAC-22", "deny"]]},
	{"obj": role([sym(["sympoziumschedules"], ["create"])]), "want": [["RBAC-22", "warn"]]},
	{"obj": crole([sym(["sympoziumpolicies"], ["delete"])]), "want": [["RBAC-22", "warn"], ["RBAC-12", "deny"]]},
	{"obj": role([sym(["ensembles"], ["*"])]), "params": restricted, "want": [["RBAC-22", "deny"]]},
	{"obj": role([rule(["*"], ["agentruns"], ["create"])]), "params": restricted, "want": [["RBAC-22", "deny"]]},
	{"obj": role([sym(["*"], ["deletecollection"])]), "params": restricted, "want": [["RBAC-22", "deny"]]},
	{"obj": role([object.union(sym(["skillpacks"], ["update"]), {"resourceNames": ["skillpack-p", "p"]})]), "params": restricted, "want": [["RBAC-22", "deny"]]},
	{"obj": role([sym(["skillpacks", "agents", "sympoziuminstances", "agentruns", "sympoziumschedules", "sympoziumpolicies", "ensembles"], ["get", "list", "watch"])]), "params": restricted, "absent": ["RBAC-22"]},
	{"obj": role([sym(["agentruns/status"], ["patch"])]), "params": restricted, "absent": ["RBAC-22"]},
	{"obj": role([rule(["example.com"], ["skillpacks", "agentruns"], ["create", "update"])]), "params": restricted, "absent": ["RBAC-22"]},
	{"obj": role([rule([""], ["agentruns"], ["create"])]), "params": restricted, "absent": ["RBAC-22"]},
])

test_rbac_22_sympozium_messages_name_each_resource if {
	fs := [f | some f in full(role([sym(["skillpacks", "agentruns", "pods"], ["get", "create", "patch"])]), {}); f.rule == "RBAC-22"]
	count(fs) == 2
	some f in fs
	contains(f.msg, "rules[0].verbs: grants create/patch on skillpacks.sympozium.ai (every name): a SkillPack is skill text")
	f.waivable
	some g in fs
	contains(g.msg, "rules[0].verbs: grants create/patch on agentruns.sympozium.ai (every name): an AgentRun starts a run")
	every h in fs {
		not contains(h.msg, "configmaps")
	}
}

# Calibration: the seed's k8s-ops pack warns in baseline and is denied in restricted.
k8s_ops_role := role([
	rule([""], ["pods", "pods/log", "services", "configmaps", "events"], ["get", "list", "watch"]),
	rule(["apps"], ["deployments", "statefulsets", "replicasets"], ["get", "list", "watch", "update", "patch"]),
])

k8s_ops_crole := crole([rule([""], ["nodes", "namespaces"], ["get", "list", "watch"])])

test_calibration_k8s_ops_rbac if check([
	{"obj": k8s_ops_role, "want": [["RBAC-15", "warn"]], "absent": ["RBAC-04", "RBAC-07", "RBAC-08", "RBAC-12"]},
	{"obj": k8s_ops_crole, "want": [["RBAC-13", "warn"]], "absent": ["RBAC-12", "RBAC-14"]},
])

# Calibration: a broad kubectl pack with secrets and pods/exec is denied RBAC-04, RBAC-07, RBAC-08.
test_calibration_broad_kubectl_pack if check([{
	"obj": role([
		rule([""], ["pods", "pods/exec", "secrets", "configmaps"], ["get", "list", "create"]),
		rule(["rbac.authorization.k8s.io"], ["roles", "rolebindings"], ["create", "update"]),
	]),
	"want": [["RBAC-04", "deny"], ["RBAC-07", "deny"], ["RBAC-08", "deny"]],
}])

# RBAC-04's message says what the grant reads: named secrets, any secret by name, or every secret.
rbac04_detail(r, kind) := d if {
	obj := object.union(role([r]), {"kind": kind})
	some f in full(obj, {})
	f.rule == "RBAC-04"
	d := f.detail
}

test_rbac04_message_matches_the_grant if {
	named := rbac04_detail(object.union(rule([""], ["secrets"], ["get"]), {"resourceNames": ["helm-release"]}), "Role")
	startswith(named, `grants get on secrets named ["helm-release"]: the skill reads those secrets' contents`)
	not contains(named, "list and watch")

	get := rbac04_detail(rule([""], ["secrets"], ["get"]), "Role")
	startswith(get, "grants get on secrets: the skill reads any secret in the namespace whose name it knows")
	not contains(get, "list and watch")

	list := rbac04_detail(rule([""], ["secrets"], ["list"]), "Role")
	startswith(list, "grants list on secrets: list returns every secret's contents, so any token in the namespace is the skill's")

	all := rbac04_detail(rule([""], ["secrets"], ["*"]), "ClusterRole")
	startswith(all, "grants get/list/watch on secrets: list and watch return every secret's contents, so any token in every namespace the role is bound in")
}

# rbac.asked lists every pair the rules ask lib.grants about: a pair missing there would never be
# asked, so its rule could not fire. The tables and the pairs written in the rules' bodies.
test_asked_is_every_pair_the_rules_ask_about if {
	in_bodies := {
		["", "secrets"], ["", "pods/exec"], ["", "pods/attach"], ["", "pods/ephemeralcontainers"],
		["", "pods/portforward"], ["", "pods/proxy"], ["", "services/proxy"], ["", "nodes/proxy"],
		["", "serviceaccounts/token"], ["", "namespaces"], ["", "configmaps"],
		["rbac.authorization.k8s.io", "roles"], ["rbac.authorization.k8s.io", "rolebindings"],
		["rbac.authorization.k8s.io", "clusterroles"], ["rbac.authorization.k8s.io", "clusterrolebindings"],
	}
	tables := (({[d.group, d.resource] | some d in rbac.rbac11} | {w | some w in rbac.workloads}) | {[d.group, d.resource] | some d in rbac.rbac15_stops}) | {[rbac.sympozium_group, d.resource] | some d in rbac.sympozium_writes}
	{[g, res] | some g, rs in rbac.asked; some res in rs} == in_bodies | tables
}

# covers[i] is exactly what lib.group_matches and lib.resource_matches say of each asked pair, for
# rules with "*", "*/sub", "pods/*", a nested "*/a/b", no apiGroups or no resources.
covers_groups := [[""], ["*"], ["apps", "sympozium.ai"], ["rbac.authorization.k8s.io", ""], [], null]

covers_resources := [
	["*"], ["*/scale"], ["*/exec", "secrets"], ["pods/*"], ["pods", "pods/log"], ["secrets", "*"],
	["*/a/b"], ["agentruns", "*/proxy", "roles"], [], null,
]

test_covers_is_what_lib_matches if {
	every gs in covers_groups {
		every rs in covers_resources {
			r := object.filter({"apiGroups": gs, "resources": rs, "verbs": ["get"]}, [k | some k, v in {"apiGroups": gs, "resources": rs}; v != null])
			got := rbac.covers[0] with input as role([r])
			got == {[g, res] |
				some g, all in rbac.asked
				some res in all
				lib.group_matches(r, g)
				lib.resource_matches(r, res)
			}
		}
	}
}

# Edges of the matching the rules rely on: a rule without apiGroups or resources grants nothing;
# "*/sub" beside other names, a "*" group on a named resource, and "pods/*" (not a wildcard).
test_rbac_matching_edges if check([
	{"obj": role([{"resources": ["secrets"], "verbs": ["*"]}]), "absent": ["RBAC-04", "RBAC-05"]},
	{"obj": role([{"apiGroups": [""], "verbs": ["*"]}]), "absent": ["RBAC-04", "RBAC-05", "RBAC-08", "RBAC-14", "RBAC-15", "RBAC-22"]},
	{"obj": role([{"apiGroups": [""], "resources": ["secrets"]}]), "absent": ["RBAC-04", "RBAC-05"]},
	{"obj": role([rule([""], ["pods", "*/exec"], ["get"])]), "want": [["RBAC-08", "deny"]]},
	{"obj": role([rule([""], ["*/attach", "*/ephemeralcontainers"], ["patch"])]), "want": [["RBAC-08", "deny"]]},
	{"obj": role([rule([""], ["pods/*"], ["*"])]), "absent": ["RBAC-08", "RBAC-15"]},
	{"obj": role([rule(["*"], ["roles"], ["bind"])]), "want": [["RBAC-06", "deny"]]},
	{"obj": role([rule(["*"], ["*/scopes"], ["*"])]), "want": [["RBAC-06", "deny"]]},
	{"obj": crole([rule(["*"], ["*/approval"], ["update"])]), "want": [["RBAC-11", "deny"]]},
	{"obj": role([rule(["apps", "batch"], ["*"], ["delete"])]), "params": restricted, "want": [["RBAC-15", "deny"]]},
	{"obj": role([rule(["", "sympozium.ai"], ["configmaps", "skillpacks"], ["update"])]), "params": restricted, "want": [["RBAC-22", "deny"]]},
	{"obj": role([rule(["apps"], ["configmaps"], ["update"])]), "absent": ["RBAC-22"]},
])

# RBAC-22 names each sympozium.ai resource the rule writes, "*" resources included.
test_rbac22_every_sympozium_resource_under_a_wildcard if {
	got := {f.detail | some f in full(role([rule(["sympozium.ai"], ["*"], ["create"])]), {}); f.rule == "RBAC-22"}
	count(got) == count(rbac.sympozium_writes)
}
