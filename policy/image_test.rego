package skillc.image_test

import data.skillc.image
import data.skillc.lib_test.check
import data.skillc.lib_test.host_job
import data.skillc.lib_test.job
import data.skillc.lib_test.sidecar
import rego.v1

restricted := {"profile": "restricted"}

digest := "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

img(i) := job([sidecar({"image": i})], {})

test_tag_is_read_from_the_last_segment if {
	not image.tag("registry:5000/app")
	image.tag("registry:5000/app:1.2") == "1.2"
	image.floating("registry:5000/app")
	not image.floating("ghcr.io/org/app:1.0@sha256:abc")
}

test_img_01_floating_tags if check([
	{"obj": img("ghcr.io/org/app:latest"), "want": [["IMG-01", "warn"]]},
	{"obj": img("ghcr.io/org/app"), "params": restricted, "want": [["IMG-01", "deny"]]},
	{"obj": img("registry:5000/app"), "want": [["IMG-01", "warn"]]},
	{"obj": img("ghcr.io/org/app:1.4.2"), "absent": ["IMG-01"]},
	{"obj": img(concat("@", ["ghcr.io/org/app", digest])), "params": restricted, "absent": ["IMG-01"]},
	{"obj": img(concat("@", ["ghcr.io/org/app:latest", digest])), "absent": ["IMG-01"]},
])

test_img_02_digests_for_host_access if check([
	{"obj": host_job(["/data"], true), "want": [["IMG-02", "warn"]]},
	{"obj": host_job(["/data"], true), "params": restricted, "want": [["IMG-02", "deny"]]},
	{"obj": job([sidecar({"securityContext": {"privileged": true}})], {}), "want": [["IMG-02", "warn"]]},
	{"obj": job([sidecar({})], {"hostNetwork": true}), "want": [["IMG-02", "warn"]]},
	{"obj": job([sidecar({"image": concat("@", ["ghcr.io/org/p", digest]), "securityContext": {"runAsUser": 0}})], {}), "params": restricted, "absent": ["IMG-02"]},
	{"obj": img("ghcr.io/org/app:1.0"), "params": restricted, "absent": ["IMG-02"]},
])

registries := {"allowedRegistries": ["ghcr.io/org", "ghcr.io/sympozium-ai/"]}

test_img_03_registries_at_a_path_boundary if check([
	{"obj": img("ghcr.io/org/app:1.0"), "params": registries, "absent": ["IMG-03"]},
	{"obj": img("ghcr.io/org-evil/app:1.0"), "params": registries, "want": [["IMG-03", "deny"]]},
	{"obj": img("docker.io/library/alpine:3.20"), "params": registries, "want": [["IMG-03", "deny"]]},
	{"obj": img("docker.io/library/alpine:3.20"), "absent": ["IMG-03"]},
	{"obj": img("ghcr.io/organisation/app:1"), "params": registries, "want": [["IMG-03", "deny"]]},
])
