package skillc.secrets_test

import data.skillc.lib_test.check
import data.skillc.lib_test.full
import data.skillc.lib_test.job
import data.skillc.lib_test.sidecar
import data.skillc.secrets
import rego.v1

env(name, value) := job([sidecar({"env": [{"name": name, "value": value}]})], {})

test_sec_01_literal_credentials if check([
	{"obj": env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"), "want": [["SEC-01", "deny"]]},
	{"obj": env("GH", concat("", ["ghp_", "abcdefghijklmnopqrstuvwxyz0123456789"])), "want": [["SEC-01", "deny"]]},
	{"obj": env("SLACK", "xoxb-1234567890-abcdefghij"), "want": [["SEC-01", "deny"]]},
	{"obj": env("KEY", "-----BEGIN RSA PRIVATE KEY-----\nMIIE"), "want": [["SEC-01", "deny"]]},
	{"obj": env("AUTH", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"), "want": [["SEC-01", "deny"]]},
	{"obj": env("API_TOKEN", "hunter2"), "want": [["SEC-01", "deny"]]},
	{"obj": env("DB_PASSWORD", "/secrets/db/password"), "absent": ["SEC-01"]},
	{"obj": env("LOG_LEVEL", "debug"), "absent": ["SEC-01"]},
	{"obj": env("TOKEN_FILE", "$(TOKEN_PATH)"), "absent": ["SEC-01"]},
])

test_sec_02_secret_env_restricted_only if check([
	{"obj": job([sidecar({"env": [{"name": "PD_EMAIL", "valueFrom": {"secretKeyRef": {"name": "pd", "key": "email"}}}]})], {}), "params": {"profile": "restricted"}, "want": [["SEC-02", "warn"]]},
	{"obj": job([sidecar({"env": [{"name": "PD_EMAIL", "valueFrom": {"secretKeyRef": {"name": "pd", "key": "email"}}}]})], {}), "absent": ["SEC-02", "SEC-01"]},
	{"obj": job([sidecar({"env": [{"name": "X", "value": "y"}]})], {}), "params": {"profile": "restricted"}, "absent": ["SEC-02"]},
	{"obj": job([sidecar({"env": [{"name": "API_KEY", "valueFrom": {"secretKeyRef": {"name": "k", "key": "k"}}}]})], {}), "params": {"profile": "restricted"}, "want": [["SEC-02", "warn"]], "absent": ["SEC-01"]},
])

# The screen is the patterns' join: a value it lets through is tried pattern by pattern, so a
# value holding two credentials is reported for each, by name.
test_credential_screen_is_the_patterns_join if {
	secrets.credential_screen == concat("|", [sprintf("(?:%s)", [p]) | some p in sort([p | some _, p in secrets.credential_patterns])])
	two := env("BOTH", concat(" ", ["AKIAIOSFODNN7EXAMPLE", "xoxb-1234567890-abcdefghij"]))
	whats := {f.detail | some f in full(two, {}); f.rule == "SEC-01"}
	count(whats) == 2
	every what in ["an AWS access key", "a Slack token"] {
		some d in whats
		contains(d, what)
	}
}

# Command lines, skill content and binary package files are screened the same way.
test_credentials_in_args_and_config_maps if {
	check([{"obj": job([sidecar({"args": ["--token", "xoxb-1234567890-abcdefghij"]})], {}), "want": [["SEC-01", "deny"]]}])
	check([{"obj": job([sidecar({"args": ["--level", "debug"]})], {}), "absent": ["SEC-01"]}])
	cm := {"kind": "ConfigMap", "metadata": {"name": "skillpack-p", "namespace": "team"}}
	check([{"obj": object.union(cm, {"data": {"SKILL.md": "key AKIAIOSFODNN7EXAMPLE"}}), "want": [["SEC-01", "deny"]]}])
	check([{"obj": object.union(cm, {"data": {"SKILL.md": "no secrets here"}}), "absent": ["SEC-01"]}])
	check([{"obj": object.union(cm, {"binaryData": {"k.pem": base64.encode("-----BEGIN PRIVATE KEY-----")}}), "want": [["SEC-01", "deny"]]}])
}

# A credential in any one env entry, among entries without a value or with a name that is not a
# string, is found, at its own index.
test_env_finds_one_entry_among_many if {
	many := [{"name": "A", "value": "x"}, {"name": "B"}, {"name": 7, "value": "y"}, {"name": "C", "value": "AKIAIOSFODNN7EXAMPLE"}]
	check([{"obj": job([sidecar({"env": many})], {}), "want": [["SEC-01", "deny"]]}])
	named := [{"name": "A", "value": "x"}, {"name": 7, "value": "y"}, {"name": "MY_API_KEY", "value": "literal"}]
	some f in full(job([sidecar({"env": named})], {}), {})
	f.rule == "SEC-01"
	f.field == "spec.template.spec.initContainers[0].env[2].value"
	check([{"obj": job([sidecar({"env": [{"name": "A\nTOKEN", "value": "v"}]})], {}), "want": [["SEC-01", "deny"]]}])
	check([{"obj": job([sidecar({"env": [{"name": "TOK", "value": "AKIA\nIOSFODNN7EXAMPLE"}, {"name": "EN", "value": "x"}]})], {}), "absent": ["SEC-01"]}])
}
