# Image rules: what runs, and from where.
package skillc.image

import data.skillc.lib
import data.skillc.names
import rego.v1

# parse: registry/path[:tag][@digest]; the tag is read from the last path segment only, so
# "registry:5000/app" has no tag.
digest(image) := d if {
	parts := split(image, "@")
	count(parts) == 2
	d := parts[1]
	valid_digest(d)
}

# Only a well-formed digest pins anything: "@sha256:abc" names no image, so it counts as unpinned.
valid_digest(d) if regex.match(`^sha256:[a-f0-9]{64}$`, d)

# malformed_digest: an "@..." that is not a sha256 digest (named in the messages).
malformed_digest(image) if {
	parts := split(image, "@")
	count(parts) > 1
	not valid_digest(parts[count(parts) - 1])
}

digest_note(image) := " (its \"@...\" part is not a sha256 digest of 64 lowercase hex digits)" if malformed_digest(image)

else := ""

name_part(image) := split(image, "@")[0]

tag(image) := t if {
	segs := split(name_part(image), "/")
	last := segs[count(segs) - 1]
	parts := split(last, ":")
	count(parts) == 2
	t := parts[1]
}

# fixed_tag: one test for what nearly every image is, tagged and not latest (then floating does not
# hold): the last segment of the part before any "@" has exactly one ":", and the tag after it is
# not "latest": shorter or longer, or of six characters, one differing from latest's.
fixed_tag := `^(?:[^@/]*/)*[^@/:]*:(?:[^@/:]{0,5}|[^@/:]{7,}|[^l@/:][^@/:]{5}|l[^a@/:][^@/:]{4}|la[^t@/:][^@/:]{3}|lat[^e@/:][^@/:]{2}|late[^s@/:][^@/:]|lates[^t@/:])(?:@|$)`

floating(image) if not tag(image)

floating(image) if tag(image) == "latest"

# IMG-01: no digest and no tag or a floating tag.
container_candidates contains f if {
	some c in lib.pod_containers
	not regex.match(fixed_tag, c.c.image)
	not digest(c.c.image)
	floating(c.c.image)
	f := lib.finding("IMG-01", sprintf("%s.image", [c.path]), lib.pack_of_container(c.c.name), sprintf("image %q has no digest%s and no fixed tag: what runs can change without a change in Git. Fix: pin a version tag, or better a digest (@sha256:...)", [c.c.image, digest_note(c.c.image)]))
}

# IMG-02: containers with host access or privilege must be pinned by digest.
host_volume_names contains v.name if {
	some v in object.get(lib.pod_spec, "volumes", [])
	v.hostPath
}

elevated(c) if c.c.securityContext.privileged == true

elevated(c) if c.c.securityContext.runAsUser == 0

# Host volumes first: a pod has none, usually, and then no mount is looked at.
elevated(c) if {
	some name in host_volume_names
	some m in object.get(c.c, "volumeMounts", [])
	m.name == name
}

elevated(c) if {
	startswith(c.c.name, names.container_prefix)
	some ns in ["hostPID", "hostNetwork", "hostIPC"]
	lib.pod_spec[ns] == true
}

# may_elevate: some container may be elevated (a screen: each way elevated holds needs one of these).
may_elevate if contains(lib.containers_text, `"privileged"`)

may_elevate if contains(lib.containers_text, `"runAsUser"`)

may_elevate if count(host_volume_names) > 0

may_elevate if {
	some ns in ["hostPID", "hostNetwork", "hostIPC"]
	lib.pod_spec[ns] == true
}

container_candidates contains f if {
	may_elevate
	some c in lib.pod_containers
	elevated(c)
	not digest(c.c.image)
	f := lib.finding("IMG-02", sprintf("%s.image", [c.path]), lib.pack_of_container(c.c.name), sprintf("container %s has host access or privilege but image %q is not pinned by digest%s: a re-pushed tag would run new code with that access. Fix: use @sha256:...", [c.c.name, c.c.image, digest_note(c.c.image)]))
}

# IMG-03: registries, compared at a path boundary ("ghcr.io/org" does not allow "ghcr.io/org-evil").
allowed(image) if {
	some r in lib.parameters.allowedRegistries
	r_clean := trim_suffix(r, "/")
	some sep in ["/", ":", "@"]
	startswith(image, concat("", [r_clean, sep]))
}

allowed(image) if image in lib.parameters.allowedRegistries

container_candidates contains f if {
	count(lib.parameters.allowedRegistries) > 0
	some c in lib.pod_containers
	not allowed(c.c.image)
	f := lib.finding("IMG-03", sprintf("%s.image", [c.path]), lib.pack_of_container(c.c.name), sprintf("image %q is not from an allowed registry %v. Fix: mirror it into an allowed registry", [c.c.image, lib.parameters.allowedRegistries]))
}

# Only the kinds that carry a pod spec have containers: the keys of lib.pod_prefixes, as a literal
# so that OPA's rule index skips the rules above for every other kind.
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
