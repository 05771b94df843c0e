# Meta rules: host access the pack did not declare, and malformed exceptions in the CompilerConfig.
package skillc.meta

import data.skillc.lib
import data.skillc.names
import rego.v1

# META-01: a hostPath volume that skillc did not generate from a pack's hostAccess (it arrived
# through sidecar.volumes), or a pack's host volume mounted by another container. Both judge a
# volume by its name (host-<pack>-<i>), which a pack can choose: when skillc's gate has compile's
# origin records (parameters.hostAccessFromOrigins) it decides these from the records instead, and
# these two are off.
by_name if not lib.parameters.hostAccessFromOrigins

pod_candidates contains f if {
	by_name
	some i, v in object.get(lib.pod_spec, "volumes", [])
	v.hostPath
	not declared(v.name)
	f := lib.finding("META-01", sprintf("%s.volumes[%d].hostPath", [lib.pod_prefix, i]), lib.mounting_packs(v.name), sprintf("hostPath volume %q (%s) was not declared in a pack's hostAccess (it came through sidecar.volumes): host access must be declared where the platform can review and allow-list it. Fix: declare it under sidecar.hostAccess.mounts", [v.name, v.hostPath.path]))
}

declared(name) if lib.host_volume_pack(name) in lib.skill_packs

pod_candidates contains f if {
	by_name
	some v in object.get(lib.pod_spec, "volumes", [])
	v.hostPath
	owner := lib.host_volume_pack(v.name)
	some c in lib.pod_containers
	some j, m in object.get(c.c, "volumeMounts", [])
	m.name == v.name
	c.c.name != concat("", [names.container_prefix, owner])
	f := lib.finding("META-01", sprintf("%s.volumeMounts[%d]", [c.path, j]), owner, sprintf("container %s mounts host volume %q of pack %q: host access goes only to the sidecar that declared it. Fix: remove the mount", [c.c.name, v.name, owner]))
}

# A service-account token projected by a pack's own volume (sidecar.volumes): the sidecar gets the
# run's API identity though the pack declared no RBAC. skillc's own token volume exists only with
# --identity per-run (automountServiceAccountToken false), and goes to the sidecars that declared RBAC.
pod_candidates contains f if {
	contains(lib.volumes_text, `"serviceAccountToken"`)
	some i, v in object.get(lib.pod_spec, "volumes", [])
	some j, s in object.get(v, ["projected", "sources"], [])
	s.serviceAccountToken
	not generated_token_volume(v)
	f := lib.finding("META-01", sprintf("%s.volumes[%d].projected.sources[%d].serviceAccountToken", [lib.pod_prefix, i, j]), lib.mounting_packs(v.name), sprintf("volume %q projects a service-account token that no pack's RBAC asked for (it came through sidecar.volumes): the sidecar would hold the run's API identity without declaring a permission. Fix: declare sidecar.rbac; skillc then mounts the token into that sidecar only", [v.name]))
}

generated_token_volume(v) if {
	v.name == names.token_volume
	lib.pod_spec.automountServiceAccountToken == false
}

# META-02: exceptions live only in the CompilerConfig and must be explicit, owned and dated.
exceptions := object.get(input, ["spec", "policy", "exceptions"], []) if input.kind == "CompilerConfig"

exc_field(i, k) := sprintf("spec.policy.exceptions[%d].%s", [i, k])

exception_candidates contains f if {
	some i, e in exceptions
	count(object.get(e, "rules", [])) == 0
	f := lib.finding("META-02", exc_field(i, "rules"), object.get(e, "skillPack", ""), sprintf("exception %q names no rule ids. Fix: list the rule ids it waives", [object.get(e, "id", "")]))
}

exception_candidates contains f if {
	some i, e in exceptions
	some j, r in object.get(e, "rules", [])
	not valid_rule(r)
	f := lib.finding("META-02", sprintf("%s[%d]", [exc_field(i, "rules"), j]), object.get(e, "skillPack", ""), sprintf("exception %q names %q: exceptions must name known rule ids explicitly, never wildcards. Fix: list the ids", [object.get(e, "id", ""), r]))
}

valid_rule(r) if lib.severities[r]

exception_candidates contains f if {
	some i, e in exceptions
	some j, r in object.get(e, "rules", [])
	not lib.is_waivable(r)
	f := lib.finding("META-02", sprintf("%s[%d]", [exc_field(i, "rules"), j]), object.get(e, "skillPack", ""), sprintf("exception %q targets %s, which no exception can waive. Fix: remove it and fix the pack", [object.get(e, "id", ""), r]))
}

exception_candidates contains f if {
	some i, e in exceptions
	some k in ["id", "skillPack", "owner", "justification", "expires"]
	object.get(e, k, "") == ""
	f := lib.finding("META-02", exc_field(i, k), object.get(e, "skillPack", ""), sprintf("exception %q has no %s: every exception names its pack, an owner, a justification and an expiry. Fix: add %s", [object.get(e, "id", ""), k, k]))
}

exception_candidates contains f if {
	some i, e in exceptions
	d := object.get(e, "expires", "")
	d != ""
	not regex.match(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`, d)
	f := lib.finding("META-02", exc_field(i, "expires"), object.get(e, "skillPack", ""), sprintf("exception %q expires %q, not a YYYY-MM-DD date. Fix: write the date as YYYY-MM-DD", [object.get(e, "id", ""), d]))
}

exception_candidates contains f if {
	some i, e in exceptions
	d := object.get(e, "expires", "")
	regex.match(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`, d)
	d < lib.today
	f := lib.warning("META-02", exc_field(i, "expires"), object.get(e, "skillPack", ""), sprintf("exception %q expired on %s and is ignored: the findings it waived are reported again. Fix: renew it with a new justification, or remove it", [object.get(e, "id", ""), d]))
}

# The host-access rules judge only the kinds that carry a pod spec (the keys of lib.pod_prefixes), the
# exception rules only the CompilerConfig: as literals, so that OPA's rule index skips the rules
# above for every other kind.
candidates contains f if {
	input.kind in {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob", "PodTemplate", "Sandbox", "SandboxWarmPool"}
	some f in pod_candidates
}

candidates contains f if {
	input.kind == "CompilerConfig"
	some f in exception_candidates
}

deny contains f if {
	some f in candidates
	f.severity == "deny"
}

warn contains f if {
	some f in candidates
	f.severity == "warn"
}
