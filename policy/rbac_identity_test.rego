# Non-resource URLs and impersonation (issue 12).
package skillc.rbac_identity_test

import data.skillc.lib_test.crole
import data.skillc.lib_test.findings
import data.skillc.lib_test.full
import data.skillc.lib_test.role
import data.skillc.lib_test.rule
import data.skillc.lib_test.rules_of
import rego.v1

urls(list, verbs) := crole([{"nonResourceURLs": list, "verbs": verbs}])

denies(obj, r) if [r, "deny"] in findings(obj, {})

test_nonresource_slash_star_is_a_wildcard if denies(urls(["/*"], ["get"]), "RBAC-02")

test_nonresource_star_is_a_wildcard if denies(urls(["*"], ["get"]), "RBAC-02")

test_nonresource_prefix_star_is_a_wildcard if denies(urls(["/apis/*"], ["get"]), "RBAC-02")

test_nonresource_healthz_star_is_a_wildcard if denies(urls(["/healthz", "/healthz/*"], ["get"]), "RBAC-02")

test_nonresource_exact_paths_are_not_wildcards if not "RBAC-02" in rules_of(urls(["/healthz", "/metrics"], ["get"]), {})

test_nonresource_wildcard_names_the_url_field if {
	some f in full(urls(["/healthz", "/*"], ["get"]), {})
	f.rule == "RBAC-02"
	f.field == "rules[0].nonResourceURLs[1]"
	contains(f.msg, `"/*"`)
}

test_nonresource_wildcard_in_restricted if {
	["RBAC-02", "deny"] in findings(urls(["/*"], ["get"]), {"profile": "restricted"})
}

test_nonresource_read_describes_api_server_paths if {
	some f in full(urls(["/healthz"], ["get"]), {})
	f.rule == "RBAC-13"
	f.severity == "warn"
	contains(f.msg, "non-resource URLs")
	not contains(f.msg, "across every namespace")
}

test_resource_read_still_says_every_namespace if {
	some f in full(crole([rule([""], ["pods"], ["list"])]), {})
	f.rule == "RBAC-13"
	contains(f.msg, "across every namespace")
}

# A cluster-scoped resource has no namespace: the message says so, and that sidecar.rbac cannot
# grant it, and names what the author can do instead. A rule that mixes in a namespaced resource,
# or a group that also serves namespaced ones, keeps the namespace message.
test_cluster_scoped_read_says_what_to_do if {
	msgs := {f.msg | some f in full(crole([rule([""], ["nodes", "nodes/status"], ["get", "list"])]), {}); f.rule == "RBAC-13"}
	count(msgs) == 1
	some m in msgs
	contains(m, `reads get,list of ["nodes", "nodes/status"], which are cluster-scoped: only clusterRBAC grants them`)
	contains(m, "an exception for RBAC-13")
	not contains(m, "across every namespace")
	some f in full(crole([rule([""], ["nodes", "pods"], ["list"])]), {})
	f.rule == "RBAC-13"
	contains(f.msg, "across every namespace")
	some g in full(crole([rule(["", "apps"], ["nodes"], ["list"])]), {})
	g.rule == "RBAC-13"
	contains(g.msg, "across every namespace")
}

test_nonresource_head_is_a_read if {
	["RBAC-13", "warn"] in findings(urls(["/version"], ["head"]), {})
}

test_nonresource_post_only_is_not_a_read if not "RBAC-13" in rules_of(urls(["/debug/x"], ["post"]), {})

test_nonresource_post_is_a_write if denies(urls(["/debug/x"], ["post"]), "RBAC-12")

test_nonresource_put_is_a_write if denies(urls(["/debug/flags/v"], ["put"]), "RBAC-12")

test_nonresource_delete_is_a_write if denies(urls(["/x"], ["delete"]), "RBAC-12")

test_nonresource_get_is_not_a_write if not "RBAC-12" in rules_of(urls(["/healthz"], ["get"]), {})

test_nonresource_write_message_is_not_about_namespaces if {
	some f in full(urls(["/debug/x"], ["post"]), {})
	f.rule == "RBAC-12"
	contains(f.msg, "non-resource URLs")
}

test_impersonate_userextras if denies(crole([rule(["authentication.k8s.io"], ["userextras/*"], ["impersonate"])]), "RBAC-06")

test_impersonate_userextras_scopes if denies(crole([rule(["authentication.k8s.io"], ["userextras/scopes"], ["impersonate"])]), "RBAC-06")

test_impersonate_uids if denies(crole([rule(["authentication.k8s.io"], ["uids"], ["impersonate"])]), "RBAC-06")

test_impersonate_users_by_name if denies(crole([object.union(rule([""], ["users"], ["impersonate"]), {"resourceNames": ["alice"]})]), "RBAC-06")

test_impersonate_serviceaccounts_in_a_role if denies(role([rule([""], ["serviceaccounts"], ["impersonate"])]), "RBAC-06")

test_impersonate_on_any_resource if denies(crole([rule(["example.com"], ["things"], ["impersonate"])]), "RBAC-06")

test_wildcard_verb_on_userextras_impersonates if denies(crole([rule(["authentication.k8s.io"], ["userextras/*"], ["*"])]), "RBAC-06")

test_wildcard_verb_on_uids_impersonates if denies(crole([rule(["authentication.k8s.io"], ["uids"], ["*"])]), "RBAC-06")

test_wildcard_verb_on_wildcard_resources_impersonates if denies(crole([rule(["*"], ["*"], ["*"])]), "RBAC-06")

test_wildcard_verb_on_deployments_does_not_impersonate if not "RBAC-06" in rules_of(role([rule(["apps"], ["deployments"], ["*"])]), {})

test_reading_users_does_not_impersonate if not "RBAC-06" in rules_of(crole([rule([""], ["users", "groups"], ["get", "list"])]), {})

test_impersonation_is_never_waivable if {
	some f in full(crole([rule(["authentication.k8s.io"], ["uids"], ["impersonate"])]), {})
	f.rule == "RBAC-06"
	not f.waivable
}

test_impersonation_message_names_the_resources if {
	some f in full(crole([rule(["authentication.k8s.io"], ["userextras/*"], ["impersonate"])]), {})
	f.rule == "RBAC-06"
	contains(f.msg, "userextras/*")
}

test_signing_certificates_denied if {
	some f in full(crole([rule(["certificates.k8s.io"], ["signers"], ["sign"])]), {})
	f.rule == "RBAC-11"
	not f.waivable
}
