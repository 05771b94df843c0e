# SEC-01 in skill content and package files, and image digests (issue 12).
package skillc.content_test

import data.skillc.image
import data.skillc.lib_test.findings
import data.skillc.lib_test.full
import data.skillc.lib_test.host_job
import data.skillc.lib_test.rules_of
import rego.v1

cm(d) := {
	"apiVersion": "v1", "kind": "ConfigMap",
	"metadata": {"name": "skillpack-p", "namespace": "team", "labels": {"sympozium.ai/skillpack": "p", "sympozium.ai/component": "skillpack"}},
	"data": d,
}

test_content_aws_key_denied if ["SEC-01", "deny"] in findings(cm({"s.md": "Use AKIAIOSFODNN7EXAMPLE for the bucket."}), {})

test_content_github_token_denied if ["SEC-01", "deny"] in findings(cm({"s.md": concat("", ["token: ghp_", "abcdefghijklmnopqrstuvwxyz0123456789"])}), {})

test_content_private_key_in_a_package_file_denied if ["SEC-01", "deny"] in findings(cm({"scripts__deploy.pem": "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl"}), {})

test_content_jwt_denied if ["SEC-01", "deny"] in findings(cm({"s.md": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"}), {})

test_content_prose_about_passwords_passes if not "SEC-01" in rules_of(cm({"s.md": "Never print the PASSWORD or the API_KEY; read them from /secrets."}), {})

test_content_finding_never_echoes_the_credential if {
	some f in full(cm({"s.md": "Use AKIAIOSFODNN7EXAMPLE."}), {})
	f.rule == "SEC-01"
	not contains(f.msg, "AKIAIOSFODNN7EXAMPLE")
	f.field == `data["s.md"]`
	f.pack == "p"
}

test_content_denied_in_restricted if ["SEC-01", "deny"] in findings(cm({"s.md": "AKIAIOSFODNN7EXAMPLE"}), {"profile": "restricted"})

test_content_empty_config_map_passes if count(findings(cm({}), {})) == 0

digest := "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

# probe: a host-access sidecar (IMG-02 applies) running image.
probe(img) := object.union(host_job(["/proc"], true), {"spec": {"template": {"spec": {"initContainers": [object.union(host_job(["/proc"], true).spec.template.spec.initContainers[0], {"image": img})]}}}})

test_valid_digest_pins if not "IMG-02" in rules_of(probe(concat("@", ["ghcr.io/x/p", digest])), {})

test_short_digest_does_not_pin if ["IMG-02", "warn"] in findings(probe("ghcr.io/x/p@sha256:abc"), {})

test_short_digest_denied_in_restricted if ["IMG-02", "deny"] in findings(probe("ghcr.io/x/p:1.0@sha256:abc"), {"profile": "restricted"})

test_uppercase_digest_does_not_pin if ["IMG-02", "warn"] in findings(probe(concat("@", ["ghcr.io/x/p", upper(digest)])), {})

test_other_algorithm_does_not_pin if ["IMG-02", "warn"] in findings(probe(concat("", ["ghcr.io/x/p@sha512:", substring(digest, 7, 64)])), {})

test_short_digest_without_tag_floats if ["IMG-01", "warn"] in findings(probe("ghcr.io/x/p@sha256:abc"), {})

test_short_digest_with_fixed_tag_does_not_float if not "IMG-01" in rules_of(probe("ghcr.io/x/p:1.0@sha256:abc"), {})

test_malformed_digest_is_named if {
	some f in full(probe("ghcr.io/x/p@sha256:abc"), {})
	f.rule == "IMG-02"
	contains(f.msg, "not a sha256 digest")
}

test_digest_helpers if {
	image.valid_digest(digest)
	not image.valid_digest("sha256:abc")
	not image.digest("a@sha256:abc")
	image.digest(concat("@", ["a", digest])) == digest
	image.malformed_digest("a@b@c")
	not image.malformed_digest("a:1")
}

cmd_job(command) := json.patch(host_job(["/proc"], true), [{"op": "add", "path": "/spec/template/spec/initContainers/0/command", "value": command}])

test_credential_in_a_command_denied if {
	some f in full(cmd_job(["sh", "-c", "aws s3 ls --key AKIAIOSFODNN7EXAMPLE"]), {})
	f.rule == "SEC-01"
	endswith(f.field, ".command[2]")
	not contains(f.msg, "AKIAIOSFODNN7EXAMPLE")
}

test_plain_command_passes if not "SEC-01" in rules_of(cmd_job(["sh", "-c", "cat /secrets/key | tool --key-file -"]), {})

binary_cm(d) := object.union(cm({}), {"binaryData": d})

test_binary_package_file_with_a_key_denied if {
	some f in full(binary_cm({"certs__key.pem": base64.encode("\u00ff-----BEGIN EC PRIVATE KEY-----\nMHcC")}), {})
	f.rule == "SEC-01"
	f.field == `binaryData["certs__key.pem"]`
}

test_binary_package_file_without_a_key_passes if not "SEC-01" in rules_of(binary_cm({"logo.png": "iVBORw0KGgo="}), {})
