package skillc.secrets_test

import data.skillc.lib_test.check
import data.skillc.lib_test.job
import data.skillc.lib_test.sidecar
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
