# Shared helpers of the skillc policy gate: parameters, the profile → severity table, finding
# construction, the RBAC matcher and pod-spec access. No deny or warn rules here.
package skillc.lib

import data.skillc.names
import rego.v1

default_parameters := {
	"profile": "baseline",
	"allowedRegistries": [],
	"allowedHostPaths": [],
	"hostNamespaceAllow": [],
	"runAsRootAllow": [],
	"privilegedAllow": [],
	"resourceCeilings": {},
	"exceptions": [],
	"catalogNamespace": "sympozium-system",
	# hostAccessFromOrigins: skillc's Go gate decides META-01's host access from compile's origin
	# records, which say where each volume came from; the name-based checks (a host-<pack>-<i> volume
	# is that pack's) are then off. Plain conftest on renders has no records and keeps them.
	"hostAccessFromOrigins": false,
	# rules: the CompilerConfig's spec.policy.rules, severity overrides by rule id (deny, warn, off).
	"rules": {},
	# applyExceptions: the library applies the exceptions itself. skillc params sets it for conftest;
	# skillc's gate applies them in Go (policy/gate.go) and reports what they waived apart.
	"applyExceptions": false,
}

# data.skillc.parameters is set by skillc from the CompilerConfig; under plain conftest it is absent
# and the defaults apply.
default user_parameters := {}

user_parameters := data.skillc.parameters

parameters := object.union(default_parameters, user_parameters)

profile := parameters.profile

today := parameters.today if {
	parameters.today
} else := sprintf("%04d-%02d-%02d", time.date(time.now_ns()))

# Severity per profile: [baseline, restricted]; "" means the rule is off in that profile.
severities := {
	"RBAC-01": ["deny", "deny"], "RBAC-02": ["deny", "deny"], "RBAC-03": ["deny", "deny"],
	"RBAC-04": ["deny", "deny"], "RBAC-05": ["deny", "deny"], "RBAC-06": ["deny", "deny"],
	"RBAC-07": ["deny", "deny"], "RBAC-08": ["deny", "deny"], "RBAC-09": ["deny", "deny"],
	"RBAC-10": ["deny", "deny"], "RBAC-11": ["deny", "deny"], "RBAC-12": ["deny", "deny"],
	"RBAC-13": ["warn", "warn"], "RBAC-14": ["deny", "deny"], "RBAC-15": ["warn", "deny"],
	"RBAC-16": ["deny", "deny"], "RBAC-17": ["deny", "deny"], "RBAC-18": ["deny", "deny"],
	"RBAC-19": ["deny", "deny"], "RBAC-22": ["warn", "deny"],
	# RBAC-20 and RBAC-21 are decided by skillc's Go gate (policy/leastprivilege.go).
	"RBAC-20": ["warn", "deny"], "RBAC-21": ["warn", "warn"],
	"POD-01": ["deny", "deny"], "POD-02": ["deny", "deny"], "POD-03": ["deny", "deny"],
	"POD-04": ["deny", "deny"], "POD-05": ["deny", "deny"], "POD-06": ["deny", "deny"],
	"POD-07": ["deny", "deny"], "POD-08": ["deny", "deny"], "POD-09": ["deny", "deny"],
	"POD-10": ["deny", "deny"], "POD-11": ["deny", "deny"], "POD-12": ["", "warn"],
	"POD-13": ["warn", "deny"],
	"IMG-01": ["warn", "deny"], "IMG-02": ["warn", "deny"], "IMG-03": ["deny", "deny"],
	"RES-01": ["deny", "deny"],
	"SEC-01": ["deny", "deny"], "SEC-02": ["", "warn"],
	"META-01": ["deny", "deny"], "META-02": ["deny", "deny"],
	# The tenant rules are decided by skillc's Go gate (catalogue engine "go"), not by Rego.
	"TEN-01": ["deny", "deny"], "TEN-02": ["deny", "deny"], "TEN-03": ["deny", "deny"],
	# So are the SympoziumPolicy rules (policy/sympoziumpolicy.go).
	"SPOL-01": ["deny", "deny"], "SPOL-02": ["deny", "deny"], "SPOL-03": ["deny", "deny"],
	"SPOL-04": ["deny", "deny"], "SPOL-05": ["deny", "deny"], "SPOL-06": ["deny", "deny"],
	"SPOL-07": ["deny", "deny"], "SPOL-08": ["deny", "deny"], "SPOL-09": ["deny", "deny"],
	"SPOL-10": ["warn", "deny"],
}

# Rules no exception can waive, in every profile.
# TEN-02 is not listed: the Go gate makes it non-waivable for kube-system, kube-public and
# kube-node-lease only, and waivable for the config's protectedNamespaces.
# The SympoziumPolicy rules: the bound policy is what allows, never the CompilerConfig.
nonwaivable := {
	"RBAC-06", "RBAC-09", "RBAC-10", "RBAC-11", "RBAC-16", "RBAC-17", "RBAC-18", "META-01", "TEN-01", "TEN-03",
	"SPOL-01", "SPOL-02", "SPOL-03", "SPOL-04", "SPOL-05", "SPOL-06", "SPOL-07", "SPOL-08", "SPOL-09", "SPOL-10",
}

profile_index := {"baseline": 0, "restricted": 1}[profile]

# profile_severity is the rule's severity in the profile in force: deny, warn or off.
profile_severity(rule) := s if {
	s := severities[rule][profile_index]
	s != ""
} else := "off"

severity_rank := {"off": 0, "warn": 1, "deny": 2}

# setting_applies: spec.policy.rules sets this finding's severity. The platform may raise any
# finding; it may lower only one an exception could waive (skillc refuses a lowering of a
# non-waivable rule in the config; a finding made non-waivable by its case keeps its severity).
setting_applies(rule, waivable, _) if {
	parameters.rules[rule]
	waivable
}

setting_applies(rule, _, sev) if severity_rank[parameters.rules[rule]] > severity_rank[sev]

# effective is the severity of a finding after spec.policy.rules: deny, warn or off.
effective(rule, waivable, sev) := parameters.rules[rule] if setting_applies(rule, waivable, sev)

else := sev

object_ref := sprintf("%s %s/%s", [input.kind, input.metadata.namespace, input.metadata.name]) if {
	input.metadata.namespace
} else := sprintf("%s %s", [input.kind, input.metadata.name])

# make is a finding at severity sev as spec.policy.rules leaves it (undefined when off). Under
# conftest with skillc params' data, a finding an exception waives is a warning that says so.
make(rule, sev, waivable, field, pack, what) := f if {
	s := effective(rule, waivable, sev)
	s != "off"
	excepted := except_suffix(rule, waivable, pack)
	f := {
		"rule": rule,
		"severity": excepted_severity(s, excepted),
		"waivable": waivable,
		"pack": pack,
		"field": field,
		"kind": input.kind,
		"name": input.metadata.name,
		"namespace": object.get(input.metadata, "namespace", ""),
		"detail": concat("", [what, excepted]),
		"msg": sprintf("%s: %s %s: %s%s", [rule, object_ref, field, what, excepted]),
	}
}

excepted_severity(s, "") := s

excepted_severity(_, excepted) := "warn" if excepted != ""

# except_suffix: the exception that waives a finding, as skillc's gate decides it (exceptionFor in
# policy/gate.go), when the library applies them (applyExceptions): well-formed, unexpired, naming
# the rule explicitly and the pack by the identity skillc annotated the object with. One that
# names a version or an image digest is not applied here: a render does not say a pack's version.
except_suffix(rule, waivable, pack) := sprintf(" (excepted by %s, owner %s, expires %s)", [e.id, e.owner, e.expires]) if {
	parameters.applyExceptions == true
	waivable
	es := [e |
		some e in parameters.exceptions
		exception_applies(e, rule, pack)
	]
	count(es) > 0
	e := es[0]
} else := ""

exception_applies(e, rule, pack) if {
	pack_ref(object.get(e, "skillPack", "")) == identity(pack)
	rule in object.get(e, "rules", [])
	not "*" in object.get(e, "rules", [])
	object.get(e, "owner", "") != ""
	object.get(e, "justification", "") != ""
	regex.match(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`, object.get(e, "expires", ""))
	e.expires >= today
	object.get(e, "version", "") == ""
	object.get(e, "imageDigest", "") == ""
}

# finding is a verdict at the rule's severity in the profile in force (undefined when off).
finding(rule, field, pack, what) := make(rule, profile_severity(rule), is_waivable(rule), field, pack, what)

is_waivable(rule) := false if {
	rule in nonwaivable
} else := true

# finding_nw is a verdict that no exception can waive in this instance (conditional NW).
finding_nw(rule, field, pack, what) := make(rule, profile_severity(rule), false, field, pack, what)

# warning is a verdict reported as a warning whenever the rule is on.
warning(rule, field, pack, what) := make(rule, warning_severity(rule), is_waivable(rule), field, pack, what)

warning_severity(rule) := "off" if profile_severity(rule) == "off"

else := "warn"

# --- RBAC matching, as Kubernetes' pkg/apis/rbac/v1/evaluation_helpers.go ---

verb_matches(rule, _) if "*" in rule.verbs

verb_matches(rule, verb) if verb in rule.verbs

group_matches(rule, _) if "*" in object.get(rule, "apiGroups", [])

group_matches(rule, group) if group in object.get(rule, "apiGroups", [])

# resource_matches: "*" covers every resource and subresource; "*/sub" covers any resource's sub;
# "pods/*" is not a wildcard (it matches only a subresource literally named "*").
resource_matches(rule, _) if "*" in object.get(rule, "resources", [])

resource_matches(rule, resource) if resource in object.get(rule, "resources", [])

resource_matches(rule, resource) if {
	parts := split(resource, "/")
	count(parts) == 2
	concat("/", ["*", parts[1]]) in object.get(rule, "resources", [])
}

# grants: the rule allows verb on group/resource (for some names: resourceNames only narrows).
grants(rule, verb, group, resource) if {
	verb_matches(rule, verb)
	group_matches(rule, group)
	resource_matches(rule, resource)
}

# grants_any: the rule allows any of verbs on group/resource.
grants_any(rule, verbs, group, resource) if {
	some verb in verbs
	grants(rule, verb, group, resource)
}

write_verbs := {"create", "update", "patch", "delete", "deletecollection", "*"}

read_verbs := {"get", "list", "watch"}

# --- Pod specs of every pod-bearing kind ---

# pod_prefixes: where each kind that makes pods keeps its pod spec. skillc emits Jobs, CronJobs,
# Deployments (channel gateways), and agent-sandbox Sandboxes and SandboxWarmPools (compile.PodSpecPath
# says the same); anything else that passes through skillc build or skillc fn untouched is gated the
# same way.
pod_prefixes := {
	"Pod": "spec",
	"Deployment": "spec.template.spec",
	"StatefulSet": "spec.template.spec",
	"DaemonSet": "spec.template.spec",
	"ReplicaSet": "spec.template.spec",
	"ReplicationController": "spec.template.spec",
	"Job": "spec.template.spec",
	"CronJob": "spec.jobTemplate.spec.template.spec",
	"PodTemplate": "template.spec",
	"Sandbox": "spec.podTemplate.spec",
	"SandboxWarmPool": "spec.podTemplate.spec",
}

pod_prefix := pod_prefixes[input.kind]

pod_spec := s if {
	s := object.get(input, split(pod_prefix, "."), null)
	is_object(s)
}

# pod_metadata_prefix: the pod's own metadata (a Pod's is the object's; a template's is beside its spec).
pod_metadata_prefix := "metadata" if input.kind == "Pod"

pod_metadata_prefix := concat("", [trim_suffix(pod_prefix, ".spec"), ".metadata"]) if {
	pod_prefix
	input.kind != "Pod"
}

pod_annotations := object.get(input, array.concat(split(pod_metadata_prefix, "."), ["annotations"]), {})

# containers: every container with its field path, whether main, (native sidecar) init or ephemeral
# (Pod Security Standards judge all three).
containers contains c if some c in pod_containers

# pod_containers: the same entries as an array, in the pod spec's order. The rules iterate it: a
# set of containers is hashed and sorted whole, which costs more than the visit.
pod_containers := [c |
	some list in ["containers", "initContainers", "ephemeralContainers"]
	some i, ctr in object.get(pod_spec, list, [])
	c := {"c": ctr, "path": sprintf("%s.%s[%d]", [pod_prefix, list, i])}
]

# containers_text and volumes_text: the pod's containers (every list) and its volumes as text (as
# sprintf's %v prints them), for the rules' screens. A rule that needs a field most pods lack
# (privileged, hostPort, a hostPath volume, a credential-like value) first looks for the field's
# key, or the value's text, in one of them: one string test instead of a visit of every container.
# A key is in the text quoted, "key", and a string value's printable characters other than quotes
# and backslashes are in it as they are, so a screen may pass a pod that has no finding (the rule's
# own test then decides), never fail one that has. Both are defined wherever pod_spec is.
containers_text := sprintf("%v", [[object.get(pod_spec, list, []) | some list in ["containers", "initContainers", "ephemeralContainers"]]])

volumes_text := sprintf("%v", [object.get(pod_spec, "volumes", [])])

# pack_of: the SkillPack a container or volume belongs to, by skillc's naming (data.skillc.names,
# generated from compile's; "" for agent, ipc-bridge and anything else). The gate itself locates
# findings from compile's records; these serve the rules, and conftest users, who judge renders.
pack_of_container(name) := trim_prefix(name, names.container_prefix) if startswith(name, names.container_prefix)

pack_of_container(name) := "" if not startswith(name, names.container_prefix)

host_volume_pack(name) := p if {
	startswith(name, names.host_volume_prefix)
	parts := split(name, "-")
	regex.match(`^[0-9]+$`, parts[count(parts) - 1])
	p := concat("-", array.slice(parts, 1, count(parts) - 1))
}

skill_packs contains pack_of_container(c.c.name) if {
	some c in pod_containers
	startswith(c.c.name, names.container_prefix)
}

container_names := [c.c.name | some c in containers]

# --- Pack identity, for allow-lists ---

# A container names its pack bare (skill-<pack>), and a tenant's private pack may carry a catalog
# pack's name: the bare name must not choose an allow-list. skillc annotates each Job, CronJob,
# Sandbox, and pack Role and ClusterRole it
# compiles with its sidecars' packs as namespace/name, one per skill sidecar in container order
# (names.annotation_skill_packs); allow-list entries are compared with that identity. An object skillc
# did not compile carries no annotation and gets no allow-list.

catalog_namespace := parameters.catalogNamespace

# pack_ref normalises an allow-list entry: namespace/name as given; a bare name is the catalog's pack.
pack_ref(s) := s if contains(s, "/")

pack_ref(s) := concat("/", [catalog_namespace, s]) if not contains(s, "/")

pack_identities := [trim_space(e) |
	input.kind in {"Job", "CronJob", "Sandbox", "Role", "ClusterRole"}
	some e in split(input.metadata.annotations[names.annotation_skill_packs], ",")
	trim_space(e) != ""
]

# identity: the annotation's entry for a container's bare pack name; undefined when the object has no
# annotation, does not list the pack, or lists it twice (then no allow-list applies).
identity(pack) := ids[0] if {
	ids := [id | some id in pack_identities; parts := split(id, "/"); count(parts) == 2; parts[1] == pack]
	count(ids) == 1
}

# allowed: an entry of an allow-list of pack names (privilegedAllow, runAsRootAllow) is the pack.
allowed(entries, pack) if {
	some e in entries
	is_string(e)
	pack_ref(e) == identity(pack)
}

# allow_hint: how to allow-list pack in list, for a finding's "Fix:".
allow_hint(list, pack) := sprintf("allow-list %q in %s (entries are namespace/name; a bare name is the catalog namespace %s's pack)", [identity(pack), list, catalog_namespace]) if {
	identity(pack)
} else := sprintf("allow-list the pack in %s (entries are namespace/name; a bare name is the catalog namespace %s's pack; an object without the %s annotation, which skillc sets, gets no allow-list)", [list, catalog_namespace, names.annotation_skill_packs])

# --- Paths ---

# path_segments: the path normalised as the kernel reads it: "/var//./log/" → ["var", "log"]. Every
# comparison goes through it, so a trailing slash, "//" or "." cannot slip past a prefix match. ".."
# is kept (and refused by POD-04): resolving it would need the node's symlinks.
path_segments(p) := [s | some s in split(p, "/"); not s in {"", "."}]

# clean_path: the normalised path as text, for messages: "/proc/./1//root/" → "/proc/1/root".
clean_path(p) := concat("", ["/", concat("/", path_segments(p))])

# under(p, prefix): p is prefix or below it, compared by whole segments.
under(p, prefix) if {
	ps := path_segments(p)
	pre := path_segments(prefix)
	count(ps) >= count(pre)
	array.slice(ps, 0, count(pre)) == pre
}

has_dotdot(p) if ".." in path_segments(p)

# mounting_packs: the packs whose containers mount a volume, comma-separated.
mounting_packs(volume) := concat(",", sort({pack_of_container(c.c.name) |
	some c in pod_containers
	some m in object.get(c.c, "volumeMounts", [])
	m.name == volume
}))
