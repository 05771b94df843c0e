# Pod rules: what a run's pod may do on its node (Pod Security Standards and host access).
package skillc.pod

import data.skillc.lib
import data.skillc.names
import rego.v1

params := lib.parameters

sc(c) := object.get(c.c, "securityContext", {})

pod_sc := object.get(lib.pod_spec, "securityContext", {})

# Screens. The rules that need a field most pods lack (privileged, hostPort, a hostPath volume) are
# grouped by it: screened[name] holds them, and pod_candidates evaluates a group only when the pod's
# text (lib.containers_text) holds the group's screen, the field's key quoted or a value's text.
# OPA finds a group by its name and never evaluates the others: a common pod skips most rules,
# instead of visiting every container for each. Each table maps a screen to its group's name.
container_screens := {
	`"privileged"`: "privileged", `"hostPort"`: "hostPort", `"host"`: "host", `"runAsUser"`: "runAsUser",
	`"runAsNonRoot"`: "runAsNonRoot", `"add"`: "add", `"procMount"`: "procMount",
	`"hostProcess"`: "hostProcess", `"Unconfined"`: "Unconfined", `"seLinuxOptions"`: "seLinuxOptions",
}

# The groups that judge every security context, the pod's too.
pod_sc_screens := {`"hostProcess"`: "hostProcess", `"Unconfined"`: "Unconfined", `"seLinuxOptions"`: "seLinuxOptions"}

volume_screens := {`"hostPath"`: "hostPath", `"gitRepo"`: "gitRepo"}

pod_sc_text := sprintf("%v", [pod_sc])

screens contains name if {
	some s, name in container_screens
	contains(lib.containers_text, s)
}

screens contains name if {
	some s, name in pod_sc_screens
	contains(pod_sc_text, s)
}

screens contains name if {
	some s, name in volume_screens
	contains(lib.volumes_text, s)
}

pod_candidates contains f if {
	some name in screens
	some f in screened[name]
}

# The checks of Pod Security restricted alone, as one group: other profiles skip them at once.
pod_candidates contains f if {
	lib.profile == "restricted"
	some f in restricted_candidates
}

# POD-01: privileged containers, unless the platform allow-lists the pack.
screened.privileged contains f if {
	some c in lib.pod_containers
	sc(c).privileged == true
	pack := lib.pack_of_container(c.c.name)
	not lib.allowed(params.privilegedAllow, pack)
	f := lib.finding("POD-01", sprintf("%s.securityContext.privileged", [c.path]), pack, sprintf("container %s is privileged: it has every capability and all host devices, which is root on the node. Fix: drop hostAccess.privileged, or %s", [c.c.name, lib.allow_hint("privilegedAllow", pack)]))
}

# A Windows HostProcess container is the Windows spelling of privileged (PSS baseline).
screened.hostProcess contains f if {
	some [s, c] in security_contexts
	s.windowsOptions.hostProcess == true
	h := holder(c)
	f := lib.finding("POD-01", sprintf("%s.windowsOptions.hostProcess", [h.path]), h.pack, "runs as a Windows HostProcess container: it is a process on the node with the node's privileges. Fix: remove windowsOptions.hostProcess")
}

privileged_allowed(c) if {
	sc(c).privileged == true
	lib.allowed(params.privilegedAllow, lib.pack_of_container(c.c.name))
}

# POD-02: host namespaces. They are pod-wide: every co-resident container shares them.
namespace_allowed(field) if {
	some pack in lib.skill_packs
	some a in params.hostNamespaceAllow
	lib.pack_ref(a.skillPack) == lib.identity(pack)
	object.get(a, field, false) == true
}

# namespace_hint: the pod's packs, by identity where the object carries it.
namespace_hint := lib.allow_hint("hostNamespaceAllow", pack) if {
	count(lib.skill_packs) == 1
	some pack in lib.skill_packs
} else := sprintf("allow-list the pack in hostNamespaceAllow (skillPack is namespace/name; a bare name is the catalog namespace %s's pack)", [lib.catalog_namespace])

pod_candidates contains f if {
	some field in ["hostPID", "hostNetwork"]
	lib.pod_spec[field] == true
	not namespace_allowed(field)
	f := lib.finding("POD-02", sprintf("%s.%s", [lib.pod_prefix, field]), concat(",", lib.skill_packs), sprintf("%s is pod-wide: containers %v all share the node's %s namespace. Fix: drop hostAccess.%s, or %s", [field, lib.container_names, trim_prefix(field, "host"), field, namespace_hint]))
}

pod_candidates contains f if {
	lib.pod_spec.hostIPC == true
	f := lib.finding_nw("POD-02", sprintf("%s.hostIPC", [lib.pod_prefix]), concat(",", lib.skill_packs), sprintf("hostIPC is pod-wide: containers %v all share the node's IPC namespace and its shared memory. Fix: remove hostIPC; it cannot be allow-listed", [lib.container_names]))
}

# POD-03: host ports.
screened.hostPort contains f if {
	some c in lib.pod_containers
	some i, p in object.get(c.c, "ports", [])
	object.get(p, "hostPort", 0) != 0
	f := lib.finding("POD-03", sprintf("%s.ports[%d].hostPort", [c.path, i]), lib.pack_of_container(c.c.name), sprintf("container %s binds host port %d: it listens on the node's address, past network policies. Fix: use a Service", [c.c.name, p.hostPort]))
}

# A probe or lifecycle hook with a host makes the kubelet, from the node's network, call any address
# (PSS baseline "host probes / lifecycle hooks").
screened.host contains f if {
	some c in lib.pod_containers
	some hook in ["livenessProbe", "readinessProbe", "startupProbe"]
	probe := c.c[hook] # most containers have none: skip the handlers
	some handler in ["httpGet", "tcpSocket"]
	host := probe[handler].host
	host != ""
	f := lib.finding("POD-03", sprintf("%s.%s.%s.host", [c.path, hook, handler]), lib.pack_of_container(c.c.name), sprintf("container %s has a %s that makes the kubelet call host %q from the node's network. Fix: remove the host field (the pod's own IP is used)", [c.c.name, hook, host]))
}

screened.host contains f if {
	some c in lib.pod_containers
	lifecycle := c.c.lifecycle
	some hook in ["postStart", "preStop"]
	some handler in ["httpGet", "tcpSocket"]
	host := lifecycle[hook][handler].host
	host != ""
	f := lib.finding("POD-03", sprintf("%s.lifecycle.%s.%s.host", [c.path, hook, handler]), lib.pack_of_container(c.c.name), sprintf("container %s has a %s hook that makes the kubelet call host %q from the node's network. Fix: remove the host field", [c.c.name, hook, host]))
}

# Host path volumes, with the pack that owns each (by skillc's host-<pack>-<i> naming).
host_volumes contains v if {
	contains(lib.volumes_text, `"hostPath"`)
	some i, vol in object.get(lib.pod_spec, "volumes", [])
	vol.hostPath
	v := {"name": vol.name, "path": vol.hostPath.path, "field": sprintf("%s.volumes[%d].hostPath.path", [lib.pod_prefix, i]), "pack": volume_pack(vol.name)}
}

# reached: every host path the pod reaches: each host volume's path, and for a mount with a subPath
# the volume's path joined with it (a /proc volume mounted with subPath "1/root" is /proc/1/root).
# The non-waivable checks judge them all.
reached contains v if some v in host_volumes

reached contains r if {
	some v in host_volumes
	some c in lib.pod_containers
	some j, m in object.get(c.c, "volumeMounts", [])
	m.name == v.name
	sub := object.get(m, "subPath", "")
	sub != ""
	r := {"name": v.name, "path": concat("/", [v.path, sub]), "field": sprintf("%s.volumeMounts[%d].subPath", [c.path, j]), "pack": v.pack}
}

# A subPathExpr is expanded from the container's environment when the pod starts: the host path it
# reaches cannot be judged here.
screened.hostPath contains f if {
	some v in host_volumes
	some c in lib.pod_containers
	some j, m in object.get(c.c, "volumeMounts", [])
	m.name == v.name
	object.get(m, "subPathExpr", "") != ""
	f := lib.finding_nw("POD-04", sprintf("%s.volumeMounts[%d].subPathExpr", [c.path, j]), v.pack, sprintf("container %s mounts host volume %q with subPathExpr %q: the host path is only known when the pod starts, so no allow-list can judge it. Fix: use a fixed hostPath; this cannot be waived", [c.c.name, v.name, m.subPathExpr]))
}

# volume_pack: the pack a host volume belongs to; for one that did not come from hostAccess, the packs
# whose containers mount it.
volume_pack(name) := p if {
	p := lib.host_volume_pack(name)
} else := lib.mounting_packs(name)

# ref_hint: the pack as an allow-list entry would name it: its identity, or <namespace>/<pack>.
ref_hint(pack) := lib.identity(pack) if {
	lib.identity(pack)
} else := concat("/", ["<namespace>", pack])

# An allow-list prefix is absolute: "" or a relative prefix would match every path.
allowed_prefix(pack, path) := a if {
	some a in params.allowedHostPaths
	lib.pack_ref(a.skillPack) == lib.identity(pack)
	startswith(a.pathPrefix, "/")
	lib.under(path, a.pathPrefix)
}

# POD-04: a host path outside the pack's allow-listed prefixes, or with "..".
screened.hostPath contains f if {
	some v in reached
	lib.has_dotdot(v.path)
	f := lib.finding_nw("POD-04", v.field, v.pack, sprintf("host path %q contains \"..\": it may resolve anywhere on the node, past every prefix check. Fix: use a clean absolute path; this cannot be waived", [v.path]))
}

screened.hostPath contains f if {
	some v in host_volumes
	not lib.has_dotdot(v.path)
	not allowed_prefix(v.pack, v.path)
	f := lib.finding("POD-04", v.field, v.pack, sprintf("host path %q is not under any allowedHostPaths prefix for pack %q. Fix: add {skillPack: %s, pathPrefix: <prefix>, readOnly: true} to the CompilerConfig (skillPack is namespace/name; a bare name is the catalog namespace %s's pack), or drop the mount", [v.path, v.pack, ref_hint(v.pack), lib.catalog_namespace]))
}

# POD-05: writable host path mounts, unless allow-listed with readOnly: false.
screened.hostPath contains f if {
	some v in host_volumes
	some c in lib.pod_containers
	some j, m in object.get(c.c, "volumeMounts", [])
	m.name == v.name
	not object.get(m, "readOnly", false)
	not writable_allowed(v)
	f := lib.finding("POD-05", sprintf("%s.volumeMounts[%d].readOnly", [c.path, j]), v.pack, sprintf("container %s mounts host path %q writable: a write there changes the node. Fix: set readOnly: true on the mount, or allow-list it with readOnly: false", [c.c.name, v.path]))
}

writable_allowed(v) if {
	a := allowed_prefix(v.pack, v.path)
	a.readOnly == false
}

# POD-06: sensitive host paths. The first tier is never allowed; the second only read-only and only
# when allow-listed for that pack.
forbidden_paths := [
	"/etc", "/root", "/var/lib/kubelet", "/etc/kubernetes", "/var/lib/docker", "/var/lib/containerd",
	"/var/run/docker.sock", "/run/docker.sock", "/var/run/containerd/containerd.sock",
	"/run/containerd/containerd.sock", "/var/run/cri-dockerd.sock", "/run/cri-dockerd.sock",
	# etcd's data (every Secret of the cluster, on control-plane nodes), k3s/RKE2 state and
	# sockets, CRI-O and Podman container storage.
	"/var/lib/etcd", "/var/lib/rancher", "/run/k3s", "/var/run/k3s", "/var/lib/containers",
	# The other daemons that start containers or processes as root on request: Podman's API and the
	# D-Bus system bus (systemd, logind, NetworkManager, ... as root); systemd's own sockets are in
	# daemon_paths. /var/run is a symlink to /run on every current distribution, but the kubelet
	# mounts the spelling it is given, so both are listed.
	"/run/podman/podman.sock", "/var/run/podman/podman.sock",
	"/run/dbus/system_bus_socket", "/var/run/dbus/system_bus_socket",
	# containerd's runtime state: every running container's root filesystem is mounted below it
	# (io.containerd.runtime.v2.task/k8s.io/<id>/rootfs), next to the sockets.
	"/run/containerd", "/var/run/containerd",
]

# daemon_paths: daemons' socket directories and sockets under /run, whole, by segment: Docker's
# and CRI-O's state and sockets, snapd's API sockets (installs snaps, as root), every user's
# session bus and user manager (/run/user/<uid>), and all of systemd's sockets (private: systemctl
# as root, start any unit; journal; notify). Both spellings, /run and /var/run (/run/k3s is in
# forbidden_paths). A path that also reaches a forbidden_paths entry is reported once, as that.
daemon_paths := [
	"/run/docker", "/var/run/docker", "/run/crio", "/var/run/crio",
	"/run/snapd.socket", "/var/run/snapd.socket", "/run/snapd-snap.socket", "/var/run/snapd-snap.socket",
	"/run/user", "/var/run/user", "/run/systemd", "/var/run/systemd",
]

guarded_paths := ["/proc", "/sys", "/dev", "/boot", "/var/log"]

# escape_paths: below the guarded /proc and /sys, the kernel interfaces that reach past read-only
# node facts: kernel memory and symbols, the kernel log and keyrings, debug, tracing, LSM and
# firmware interfaces, pinned BPF objects. Equal or under only: their ancestors (/proc, /sys) are the
# second tier's decision.
escape_paths := [
	"/proc/kcore", "/proc/kmsg", "/proc/kallsyms", "/proc/keys", "/proc/key-users", "/proc/sysrq-trigger",
	"/proc/kpagecount", "/proc/kpageflags", "/proc/kpagecgroup", "/proc/timer_list",
	"/sys/kernel/debug", "/sys/kernel/tracing", "/sys/kernel/security", "/sys/kernel/config",
	"/sys/firmware", "/sys/fs/bpf",
]

# process_dir: a /proc entry of a process: a pid, or self and thread-self (which resolve to the
# mounting process, i.e. a node process once /proc is the node's).
process_dir(s) if regex.match(`^[0-9]+$`, s)

process_dir(s) if s in {"self", "thread-self"}

# touches: p equals, is under, or is an ancestor of s.
touches(p, s) if lib.under(p, s)

touches(p, s) if lib.under(s, p)

screened.hostPath contains f if {
	some v in host_volumes
	count(lib.path_segments(v.path)) == 0
	f := lib.finding_nw("POD-06", v.field, v.pack, "mounts the node's root filesystem \"/\": every file of the node, its credentials included. Fix: mount the one directory the skill needs; this cannot be allow-listed")
}

screened.hostPath contains f if {
	some v in reached
	some s in forbidden_paths
	touches(v.path, s)
	f := lib.finding_nw("POD-06", v.field, v.pack, sprintf("host path %q reaches %s: node credentials or the container runtime, i.e. every container on the node. Fix: remove the mount; this cannot be allow-listed", [v.path, s]))
}

screened.hostPath contains f if {
	some v in reached
	some s in daemon_paths
	touches(v.path, s)
	not forbidden_path(v.path)
	f := lib.finding_nw("POD-06", v.field, v.pack, sprintf("host path %q reaches %s, a node daemon's sockets and state: an API to a daemon that starts containers, units, snaps or processes on request (as root, or as a user of the node). Fix: remove the mount; this cannot be allow-listed", [v.path, s]))
}

# Any socket by its conventional name: a path whose last segment ends in ".sock" (the runtimes', the
# kubelet's pod-resources and device-plugin sockets, a CSI driver's, an agent's) is an API to a node
# daemon, usually root's. Never allowed, even under an allow-listed parent such as /run.
screened.hostPath contains f if {
	some v in reached
	segs := lib.path_segments(v.path)
	count(segs) > 0
	endswith(lower(segs[count(segs) - 1]), ".sock")
	not forbidden(v.path)
	f := lib.finding_nw("POD-06", v.field, v.pack, sprintf("host path %q is a socket (its name ends in .sock): an API to a node daemon, usually running as root, i.e. the node. Fix: remove the mount; this cannot be allow-listed", [v.path]))
}

forbidden(p) if forbidden_path(p)

forbidden(p) if {
	some s in daemon_paths
	touches(p, s)
}

forbidden_path(p) if {
	some s in forbidden_paths
	touches(p, s)
}

# /proc/<pid>/... (root, cwd, fd, environ, mem, task/<tid>/root, ...) is another process's root
# filesystem, open files, environment and memory: /proc/1/root is the node's "/". Never allowed,
# whatever allowedHostPaths says (a /proc prefix must not let it through).
screened.hostPath contains f if {
	some v in reached
	segs := lib.path_segments(v.path)
	count(segs) >= 2
	segs[0] == "proc"
	process_dir(segs[1])
	f := lib.finding_nw("POD-06", v.field, v.pack, sprintf("host path %q (%s) is a process's directory under /proc: its root, cwd, fd, environ and mem entries reach the node's root filesystem and other processes' files, environment and memory. Fix: mount /proc read-only and read only what the skill needs; this cannot be allow-listed", [v.path, lib.clean_path(v.path)]))
}

screened.hostPath contains f if {
	some v in reached
	some s in escape_paths
	lib.under(v.path, s)
	f := lib.finding_nw("POD-06", v.field, v.pack, sprintf("host path %q reaches %s, a kernel interface that exposes kernel memory, keys or control of the node. Fix: remove the mount; this cannot be allow-listed", [v.path, s]))
}

screened.hostPath contains f if {
	some v in host_volumes
	some s in guarded_paths
	touches(v.path, s)
	not guarded_ok(v, s)
	f := lib.finding("POD-06", v.field, v.pack, sprintf("host path %q reaches %s, which exposes the node's processes, devices or logs. Fix: mount it read-only and allow-list it for pack %s in allowedHostPaths with readOnly: true (skillPack is namespace/name; a bare name is the catalog namespace %s's pack)", [v.path, s, ref_hint(v.pack), lib.catalog_namespace]))
}

guarded_ok(v, s) if {
	lib.under(v.path, s)
	a := allowed_prefix(v.pack, v.path)
	object.get(a, "readOnly", true) == true
	not mounted_writable(v)
}

mounted_writable(v) if {
	some c in lib.pod_containers
	some m in object.get(c.c, "volumeMounts", [])
	m.name == v.name
	not object.get(m, "readOnly", false)
}

# POD-07: running as root, unless allow-listed for the pack.
screened.runAsUser contains f if {
	some c in lib.pod_containers
	root_field(c) == "runAsUser"
	pack := lib.pack_of_container(c.c.name)
	not lib.allowed(params.runAsRootAllow, pack)
	f := lib.finding("POD-07", sprintf("%s.securityContext.runAsUser", [c.path]), pack, sprintf("container %s runs as root: with any host access that is root on the node. Fix: drop hostAccess.runAsRoot, or %s", [c.c.name, lib.allow_hint("runAsRootAllow", pack)]))
}

screened.runAsNonRoot contains f if {
	some c in lib.pod_containers
	root_field(c) == "runAsNonRoot"
	pack := lib.pack_of_container(c.c.name)
	not lib.allowed(params.runAsRootAllow, pack)
	f := lib.finding("POD-07", sprintf("%s.securityContext.runAsNonRoot", [c.path]), pack, sprintf("container %s runs as root: with any host access that is root on the node. Fix: drop hostAccess.runAsRoot, or %s", [c.c.name, lib.allow_hint("runAsRootAllow", pack)]))
}

root_field(c) := "runAsUser" if sc(c).runAsUser == 0

root_field(c) := "runAsNonRoot" if {
	not sc(c).runAsUser == 0
	sc(c).runAsNonRoot == false
}

pod_candidates contains f if {
	pod_sc.runAsUser == 0
	f := lib.finding("POD-07", sprintf("%s.securityContext.runAsUser", [lib.pod_prefix]), "", "the pod runs as root by default. Fix: runAsUser 1000")
}

# Restricted, as PSS: runAsNonRoot true on the pod, or on every container that does not inherit it.
restricted_candidates contains f if {
	not pod_sc.runAsNonRoot == true
	some c in lib.pod_containers
	not has_key(sc(c), "runAsNonRoot")
	f := lib.finding("POD-07", sprintf("%s.securityContext.runAsNonRoot", [c.path]), lib.pack_of_container(c.c.name), sprintf("container %s does not set runAsNonRoot, nor does the pod: an image whose user is root runs as root. Fix: runAsNonRoot: true on the pod", [c.c.name]))
}

# POD-08: privilege escalation (setuid binaries, no_new_privs off).
pod_candidates contains f if {
	regex.match(`"allowPrivilegeEscalation"\s*:\s*true`, lib.containers_text)
	some c in lib.pod_containers
	sc(c).allowPrivilegeEscalation == true
	f := lib.finding("POD-08", sprintf("%s.securityContext.allowPrivilegeEscalation", [c.path]), lib.pack_of_container(c.c.name), sprintf("container %s allows privilege escalation. Fix: allowPrivilegeEscalation: false", [c.c.name]))
}

# Unset: it defaults to true. A warning in baseline; restricted denies it as PSS does, except on a
# privileged container the platform allow-listed (Kubernetes refuses false beside privileged).
pod_candidates contains f if {
	some c in lib.pod_containers
	not set_ape(c.c)
	f := pod08_unset(c, sprintf("container %s does not set allowPrivilegeEscalation (it defaults to true). Fix: set it to false", [c.c.name]))
}

pod08_unset(c, what) := lib.finding("POD-08", sprintf("%s.securityContext.allowPrivilegeEscalation", [c.path]), lib.pack_of_container(c.c.name), what) if {
	lib.profile == "restricted"
	not privileged_allowed(c)
} else := lib.warning("POD-08", sprintf("%s.securityContext.allowPrivilegeEscalation", [c.path]), lib.pack_of_container(c.c.name), what)

has_key(obj, k) if _ = obj[k]

# set_ape: the container's security context has the key allowPrivilegeEscalation, whatever its
# value (has_key(sc(c), ...) in one call).
set_ape(ctr) if _ = ctr.securityContext.allowPrivilegeEscalation

# POD-09: added capabilities beyond NET_BIND_SERVICE.
screened.add contains f if {
	some c in lib.pod_containers
	some j, cap in object.get(sc(c), ["capabilities", "add"], [])
	cap != "NET_BIND_SERVICE"
	f := lib.finding("POD-09", sprintf("%s.securityContext.capabilities.add[%d]", [c.path, j]), lib.pack_of_container(c.c.name), sprintf("container %s adds capability %s. Fix: drop it; only NET_BIND_SERVICE may be added", [c.c.name, cap]))
}

# Restricted, as PSS: every container drops ALL, but an allow-listed privileged one (which has
# every capability anyway).
restricted_candidates contains f if {
	some c in lib.pod_containers
	not "ALL" in object.get(sc(c), ["capabilities", "drop"], [])
	not privileged_allowed(c)
	f := lib.finding("POD-09", sprintf("%s.securityContext.capabilities.drop", [c.path]), lib.pack_of_container(c.c.name), sprintf("container %s does not drop ALL capabilities: it keeps the runtime's defaults (CHOWN, DAC_OVERRIDE, SETUID, NET_RAW, ...). Fix: capabilities.drop: [ALL]", [c.c.name]))
}

# POD-10: Unconfined seccomp or AppArmor, SELinux overrides, procMount, unsafe sysctls.
# security_contexts: the pod's security context and each container's, as [context, container] (null
# for the pod's). The checks read the context; holder says where it is and whose only for one that
# fails (working that out for every container was most of these checks' cost).
security_contexts := array.concat([[pod_sc, null] | pod_sc], [[sc(c), c] | some c in lib.pod_containers])

holder(null) := {"path": sprintf("%s.securityContext", [lib.pod_prefix]), "pack": ""}

holder(c) := {"path": sprintf("%s.securityContext", [c.path]), "pack": lib.pack_of_container(c.c.name)} if c != null

screened.Unconfined contains f if {
	some [s, c] in security_contexts
	some p in ["seccompProfile", "appArmorProfile"]
	object.get(s, [p, "type"], "") == "Unconfined"
	h := holder(c)
	f := lib.finding("POD-10", sprintf("%s.%s.type", [h.path, p]), h.pack, sprintf("%s is Unconfined: the container may make any system call. Fix: RuntimeDefault", [p]))
}

# Restricted, as PSS: RuntimeDefault or Localhost on the pod, or on every container.
confined(s) if object.get(s, ["seccompProfile", "type"], "") in {"RuntimeDefault", "Localhost"}

restricted_candidates contains f if {
	not confined(pod_sc)
	some c in lib.pod_containers
	not confined(sc(c))
	not object.get(sc(c), ["seccompProfile", "type"], "") == "Unconfined"
	f := lib.finding("POD-10", sprintf("%s.securityContext.seccompProfile", [c.path]), lib.pack_of_container(c.c.name), sprintf("container %s has no seccomp profile, nor does the pod: it may make any system call. Fix: seccompProfile RuntimeDefault on the pod", [c.c.name]))
}

# The AppArmor annotations older clusters still read (PSS baseline judges them too).
pod_candidates contains f if {
	some k, v in lib.pod_annotations
	startswith(k, "container.apparmor.security.beta.kubernetes.io/")
	not v == "runtime/default"
	not startswith(v, "localhost/")
	f := lib.finding("POD-10", sprintf("%s.annotations[%q]", [lib.pod_metadata_prefix, k]), "", sprintf("AppArmor profile %q leaves the container unconfined. Fix: runtime/default", [v]))
}

selinux_types := {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}

screened.seLinuxOptions contains f if {
	some [s, c] in security_contexts
	opts := s.seLinuxOptions
	bad_selinux(opts)
	h := holder(c)
	f := lib.finding("POD-10", sprintf("%s.seLinuxOptions", [h.path]), h.pack, "overrides the SELinux user, role or type. Fix: remove seLinuxOptions")
}

bad_selinux(opts) if object.get(opts, "user", "") != ""

bad_selinux(opts) if object.get(opts, "role", "") != ""

bad_selinux(opts) if not object.get(opts, "type", "") in selinux_types

screened.procMount contains f if {
	some c in lib.pod_containers
	pm := sc(c).procMount
	pm != "Default"
	f := lib.finding("POD-10", sprintf("%s.securityContext.procMount", [c.path]), lib.pack_of_container(c.c.name), sprintf("procMount %s unmasks /proc. Fix: remove procMount", [pm]))
}

safe_sysctls := {
	"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
	"net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
	"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
	"net.ipv4.tcp_keepalive_probes",
}

pod_candidates contains f if {
	some i, s in object.get(pod_sc, "sysctls", [])
	not s.name in safe_sysctls
	f := lib.finding("POD-10", sprintf("%s.securityContext.sysctls[%d]", [lib.pod_prefix, i]), "", sprintf("sysctl %s is not namespaced safely: it changes the node. Fix: remove it", [s.name]))
}

# POD-11: the default service account; an API token in a pod with host access.
pod_candidates contains f if {
	object.get(lib.pod_spec, "serviceAccountName", "") in {"", "default"}
	f := lib.finding("POD-11", sprintf("%s.serviceAccountName", [lib.pod_prefix]), "", "the pod uses the namespace's default service account, shared by every workload there. Fix: a dedicated service account")
}

host_access if lib.pod_spec.hostPID == true

host_access if lib.pod_spec.hostNetwork == true

host_access if lib.pod_spec.hostIPC == true

host_access if count(host_volumes) > 0

token_mounted if object.get(lib.pod_spec, "automountServiceAccountToken", true) != false

token_mounted if {
	some v in object.get(lib.pod_spec, "volumes", [])
	some s in object.get(v, ["projected", "sources"], [])
	s.serviceAccountToken
}

pod_candidates contains f if {
	host_access
	token_mounted
	f := lib.warning("POD-11", sprintf("%s.automountServiceAccountToken", [lib.pod_prefix]), concat(",", lib.skill_packs), pod11_token_message)
}

# With the shared identity every container holds the token; per run, only the containers that
# mount it (the sidecars whose packs declared RBAC), so only separating them from host access helps.
pod11_token_message := "an API token is mounted into every container of a pod with host access: code that escapes to the node also holds the token. Fix: identity: per-run in the CompilerConfig (only the sidecars of packs that declare RBAC then get a token), and run packs that declare RBAC apart from packs with host access" if {
	object.get(lib.pod_spec, "automountServiceAccountToken", true) != false
}

pod11_token_message := msg if {
	object.get(lib.pod_spec, "automountServiceAccountToken", true) == false
	holders := sort({c.c.name |
		some c in lib.pod_containers
		some m in object.get(c.c, "volumeMounts", [])
		m.name == names.token_volume
	})
	msg := sprintf("an API token is mounted into %s in a pod with host access: code that escapes to the node can read it there. Fix: run the packs that declare RBAC apart from the packs with host access (another Agent, or a run whose skills leave one of them out)", [pod11_holders(holders)])
}

pod11_holders(holders) := "the pod" if count(holders) == 0

pod11_holders(holders) := concat(", ", holders) if count(holders) > 0

# POD-13: volume types beyond Pod Security restricted's list. Host paths have their own rules
# (POD-04/05/06, META-01); gitRepo is refused in every profile.
restricted_volume_types := {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"}

# pod13_types: a volume's types beyond the list (its keys but name and the types judged elsewhere:
# restricted_volume_types, and name, hostPath and gitRepo).
pod13_types(vol) := object.keys(object.remove(vol, pod13_skip)) if is_object(vol)

pod13_skip := {
	"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret",
	"name", "hostPath", "gitRepo",
}

# pod13_screen: some volume may have such a type (the volumes' keys together, less the skipped
# ones); true where the volumes cannot be merged (one is not an object).
pod13_screen := s if {
	s := count(object.remove(object.union_n(object.get(lib.pod_spec, "volumes", [])), pod13_skip)) > 0
} else := true

pod_candidates contains f if {
	pod13_screen
	some i, vol in object.get(lib.pod_spec, "volumes", [])
	some t in pod13_types(vol)
	f := lib.finding("POD-13", sprintf("%s.volumes[%d].%s", [lib.pod_prefix, i, t]), lib.mounting_packs(vol.name), sprintf("volume %q is of type %s, which Pod Security restricted does not allow (only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected and secret): the node attaches storage from outside the cluster's control with its own credentials. Fix: use a persistentVolumeClaim or a csi volume", [vol.name, t]))
}

screened.gitRepo contains f if {
	some i, vol in object.get(lib.pod_spec, "volumes", [])
	vol.gitRepo
	f := lib.make("POD-13", "deny", true, sprintf("%s.volumes[%d].gitRepo", [lib.pod_prefix, i]), lib.mounting_packs(vol.name), sprintf("volume %q is a gitRepo volume: deprecated, and the kubelet runs git for it on the node as root (CVE-2024-10220). Fix: clone in an init container into an emptyDir", [vol.name]))
}

# POD-12: writable root filesystem (restricted only). skillc gives a pack's sidecar a read-only
# root unless the pack opts out with spec.sidecar.readOnlyRootFilesystem: false, so for a sidecar
# the fix names that field.
pod_candidates contains f if {
	pod12_on
	some c in lib.pod_containers
	not sc(c).readOnlyRootFilesystem == true
	pack := lib.pack_of_container(c.c.name)
	f := lib.finding("POD-12", sprintf("%s.securityContext.readOnlyRootFilesystem", [c.path]), pack, sprintf("container %s has a writable root filesystem: a compromise can persist binaries in it. Fix: %s", [c.c.name, pod12_fix(pack)]))
}

# pod12_on: POD-12 may report: it is on in restricted, and spec.policy.rules may turn it on.
pod12_on if lib.profile == "restricted"

pod12_on if lib.parameters.rules["POD-12"]

pod12_fix(pack) := "readOnlyRootFilesystem: true, writing to /tmp or /workspace" if pack == ""

pod12_fix(pack) := sprintf("remove spec.sidecar.readOnlyRootFilesystem: false from SkillPack %s (skillc then mounts the sidecar's root read-only, with /tmp and HOME writable), once its image writes only there", [pack]) if pack != ""

# The pod rules judge only the kinds that carry a pod spec, the keys of lib.pod_prefixes (a literal
# set here: OPA's rule index then skips this clause, and every rule above, for any other kind).
candidates contains f if {
	input.kind in {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob", "PodTemplate", "Sandbox", "SandboxWarmPool"}
	some f in pod_candidates
}

deny contains f if {
	some f in candidates
	f.severity == "deny"
}

warn contains f if {
	some f in candidates
	f.severity == "warn"
}
