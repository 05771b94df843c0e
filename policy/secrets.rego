# Secret rules: credentials never as literal values.
package skillc.secrets

import data.skillc.lib
import data.skillc.names
import rego.v1

credential_patterns := {
	"an AWS access key": `AKIA[0-9A-Z]{16}`,
	"a GitHub token": `gh[pousr]_[A-Za-z0-9]{30,}`,
	"a Slack token": `xox[abposr]-[A-Za-z0-9-]{10,}`,
	"a private key": `-----BEGIN [A-Z ]*PRIVATE KEY-----`,
	"a JWT": `eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`,
}

# credential_screen: the patterns joined, so that one match tells the short values (env, arguments)
# that hold none of them, nearly all, from those to try pattern by pattern (secrets_test.rego checks
# it is their join). Long texts (skill content) are searched pattern by pattern: each pattern
# starts with a literal that Go's regexp finds fast, which the join does not.
credential_screen := `(?:-----BEGIN [A-Z ]*PRIVATE KEY-----)|(?:AKIA[0-9A-Z]{16})|(?:eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})|(?:gh[pousr]_[A-Za-z0-9]{30,})|(?:xox[abposr]-[A-Za-z0-9-]{10,})`

sensitive_name := `(?i)(TOKEN|PASSWORD|PASSWD|SECRET|API_?KEY|PRIVATE_?KEY|CREDENTIAL|ACCESS_?KEY)`

# The screens for the container rules (lib.containers_text): what the containers' text must hold
# for a rule to find anything, tested as plain substrings (a regular expression over the whole text
# costs more than the visit it saves). Every credential pattern begins with one of
# credential_literals, which the text keeps as they are. Every word of sensitive_name holds one of
# sensitive_words, compared with the text in lower case; of the two non-ASCII letters that (?i)
# also matches, lower maps the Kelvin sign to k, and a long s (ſ) anywhere passes the screen.
credential_literals := ["AKIA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "xox", "-----BEGIN ", "eyJ"]

may_hold_credential if {
	some s in credential_literals
	contains(lib.containers_text, s)
}

sensitive_words := ["token", "passw", "secret", "api_key", "apikey", "private_key", "privatekey", "credential", "access_key", "accesskey"]

may_name_credential if {
	text := lower(lib.containers_text)
	some s in sensitive_words
	contains(text, s)
}

may_name_credential if contains(lib.containers_text, "ſ")

# A value that points at a credential rather than holding one.
reference(v) if startswith(v, "/")

reference(v) if startswith(v, "file://")

reference(v) if startswith(v, "$(")

reference(v) if v == ""

# The screens first: a value that holds a credential pattern puts the pattern's first characters,
# unchanged, in the containers' text; nearly every pod holds none, and skips its containers.
container_candidates contains f if {
	may_hold_credential
	some c in lib.pod_containers
	some i, e in object.get(c.c, "env", [])
	v := object.get(e, "value", "")
	regex.match(credential_screen, v)
	some what, pattern in credential_patterns
	regex.match(pattern, v)
	f := lib.finding("SEC-01", sprintf("%s.env[%d].value", [c.path, i]), lib.pack_of_container(c.c.name), sprintf("env %s holds what looks like %s in plain text: it is in Git, in the rendered manifest and in the pod spec. Fix: put it in a Secret and use sidecar.secretRef", [e.name, what]))
}

container_candidates contains f if {
	may_name_credential
	some c in lib.pod_containers
	some i, e in object.get(c.c, "env", [])
	regex.match(sensitive_name, e.name)
	v := object.get(e, "value", "")
	not reference(v)
	not looks_like_credential(v)
	f := lib.finding("SEC-01", sprintf("%s.env[%d].value", [c.path, i]), lib.pack_of_container(c.c.name), sprintf("env %s is named like a credential and has a literal value. Fix: put it in a Secret and use sidecar.secretRef (or a file path)", [e.name]))
}

looks_like_credential(v) if regex.match(credential_screen, v)

# A command line is as public as env (in Git, in the pod spec, in every process listing).
container_candidates contains f if {
	may_hold_credential
	some c in lib.pod_containers
	some list in ["command", "args"]
	some i, arg in object.get(c.c, list, [])
	regex.match(credential_screen, arg)
	some what, pattern in credential_patterns
	regex.match(pattern, arg)
	f := lib.finding("SEC-01", sprintf("%s.%s[%d]", [c.path, list, i]), lib.pack_of_container(c.c.name), sprintf("%s[%d] of container %s holds what looks like %s in plain text: it is in Git, in the pod spec and in every process listing. Fix: read it from a file mounted with sidecar.secretRef", [list, i, c.c.name, what]))
}

# Skill content and package files end up in a ConfigMap (in Git, readable by anyone who can read
# ConfigMaps of the namespace): a credential there is as leaked as in env. Only the patterns count
# (prose may say "password"), and the message names the key, never the text.
candidates contains f if {
	input.kind == "ConfigMap"
	some k, v in object.get(input, "data", {})
	some what, pattern in credential_patterns
	regex.match(pattern, v)
	f := lib.finding("SEC-01", sprintf("data[%q]", [k]), object.get(input.metadata, ["labels", names.label_skill_pack], ""), sprintf("%s holds what looks like %s in plain text: skill content is in Git, in the rendered ConfigMap and in every agent's /skills. Fix: remove it; give the sidecar the credential with sidecar.secretRef", [k, what]))
}

# A package file that is not valid UTF-8 goes to binaryData: a PEM key with one stray byte too.
candidates contains f if {
	input.kind == "ConfigMap"
	some k, v in object.get(input, "binaryData", {})
	text := base64.decode(v)
	some what, pattern in credential_patterns
	regex.match(pattern, text)
	f := lib.finding("SEC-01", sprintf("binaryData[%q]", [k]), object.get(input.metadata, ["labels", names.label_skill_pack], ""), sprintf("%s holds what looks like %s: package files are in Git, in the rendered ConfigMap and in every agent's /skills. Fix: remove it; give the sidecar the credential with sidecar.secretRef", [k, what]))
}

# SEC-02: secrets through env (restricted): env leaks into crash dumps, child processes and logs.
container_candidates contains f if {
	contains(lib.containers_text, `"secretKeyRef"`)
	some c in lib.pod_containers
	some i, e in object.get(c.c, "env", [])
	e.valueFrom.secretKeyRef
	f := lib.finding("SEC-02", sprintf("%s.env[%d].valueFrom.secretKeyRef", [c.path, i]), lib.pack_of_container(c.c.name), sprintf("env %s comes from Secret %s: environment variables leak into child processes and crash reports. Fix: mount the secret as files with sidecar.secretRef", [e.name, e.valueFrom.secretKeyRef.name]))
}

# Only the kinds that carry a pod spec have containers: the keys of lib.pod_prefixes, as a literal
# so that OPA's rule index skips the container rules for every other kind.
candidates contains f if {
	input.kind in {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob", "PodTemplate", "Sandbox", "SandboxWarmPool"}
	some f in container_candidates
}

deny contains f if {
	some f in candidates
	f.severity == "deny"
}

warn contains f if {
	some f in candidates
	f.severity == "warn"
}
