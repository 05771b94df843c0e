# Resource rules: limits within the platform's ceilings.
package skillc.resources

import data.skillc.lib
import rego.v1

# Only the kinds that carry a pod spec have containers (the keys of lib.pod_prefixes, as a literal
# that OPA's rule index reads).
candidates contains f if {
	input.kind in {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob", "PodTemplate", "Sandbox", "SandboxWarmPool"}
	some res, ceiling in lib.parameters.resourceCeilings
	ceiling != ""
	some c in lib.containers
	limit := object.get(c.c, ["resources", "limits", res], "")
	limit != ""
	units.parse(limit) > units.parse(ceiling)
	f := lib.finding("RES-01", sprintf("%s.resources.limits.%s", [c.path, res]), lib.pack_of_container(c.c.name), sprintf("container %s limits %s at %v, above the platform ceiling of %v. Fix: lower sidecar.resources.%s, or raise resourceCeilings", [c.c.name, res, limit, ceiling, res]))
}

deny contains f if {
	some f in candidates
	f.severity == "deny"
}

warn contains f if {
	some f in candidates
	f.severity == "warn"
}
