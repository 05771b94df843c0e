# rbac.hot decides which rules the role rules look at: these tests check that leaving a rule out
# never loses a finding, and that the common rules are left out.
package skillc.rbac_hot_test

import data.skillc.lib_test.crole
import data.skillc.lib_test.role
import data.skillc.lib_test.rule
import data.skillc.rbac
import rego.v1

# Every pair the role rules ask about, the identities RBAC-06 asks about, a few resources no rule
# names, and wildcards ("*", "*/sub", "pods/*"), each read alone from its group: the findings are the same when every rule is looked
# at (hot mocked to hold it).
read_pairs contains [g, res] if {
	some g, rs in rbac.asked
	some res in rs
}

read_pairs contains p if some p in rbac.identity_resources

read_pairs contains p if some p in [
	["", "pods/log"], ["", "nodes"], ["apps", "deployments/status"], ["authentication.k8s.io", "userextras/scopes"],
	["", "*"], ["", "*/exec"], ["", "pods/*"], ["*", "secrets"], ["*", "pods"],
]

test_hot_loses_no_finding_of_a_read if {
	every p in read_pairs {
		every v in ["get", "list", "watch"] {
			every obj in [role([rule([p[0]], [p[1]], [v])]), crole([rule([p[0]], [p[1]], [v])])] {
				every params in [{}, {"profile": "restricted"}] {
					same_findings(obj, params, {0})
				}
			}
		}
	}
}

# Rules beside each other, each judged as if it were hot.
test_hot_loses_no_finding_beside_other_rules if {
	every obj in [
		role([rule([""], ["pods", "configmaps"], ["get"]), rule([""], ["secrets"], ["list"]), rule(["apps"], ["deployments"], ["patch"])]),
		crole([rule([""], ["nodes"], ["get", "list"]), rule(["", "apps"], ["*"], ["watch"]), {"nonResourceURLs": ["/metrics"], "verbs": ["get"]}]),
		role([rule([""], ["pods/exec"], ["get"]), rule(["*"], ["pods"], ["get"]), rule([""], ["*/proxy"], ["list"])]),
	] {
		same_findings(obj, {}, {0, 1, 2})
	}
}

same_findings(obj, params, all) if {
	got := rbac_findings with input as obj with data.skillc.parameters as params
	want := rbac_findings with input as obj with data.skillc.parameters as params with rbac.hot as all
	got == want
}

rbac_findings := rbac.deny | rbac.warn

# A rule that reads named resources, none of them read_sensitive, is left out; any other verb, a
# "*" group or resource, a read-sensitive resource or a non-resource URL brings it in.
test_hot_leaves_out_plain_reads if {
	rbac.hot == set() with input as role([rule([""], ["pods", "pods/log", "services", "events"], ["get", "list", "watch"]), rule(["apps"], ["deployments"], ["get", "list"])])
	rbac.hot == set() with input as crole([rule([""], ["nodes"], ["get", "list", "watch"])])
	rbac.hot == {1, 2, 3, 4, 5, 6} with input as role([
		rule([""], ["pods"], ["get"]),
		rule([""], ["pods"], ["get", "use"]),
		rule(["*"], ["pods"], ["get"]),
		rule([""], ["*/log"], ["get"]),
		rule([""], ["secrets"], ["watch"]),
		{"nonResourceURLs": ["/healthz"], "verbs": ["get"]},
		rule([""], ["pods"], ["*"]),
		{"verbs": ["get"]},
	])
}
