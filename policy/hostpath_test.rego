# Host paths after normalisation, and the /proc and /sys entries no allow-list can open (issue 12).
package skillc.hostpath_test

import data.skillc.lib
import data.skillc.lib_test.findings
import data.skillc.lib_test.full
import data.skillc.lib_test.host_job
import data.skillc.lib_test.rules_of
import rego.v1

allow(prefix, ro) := {"allowedHostPaths": [{"skillPack": "p", "pathPrefix": prefix, "readOnly": ro}]}

proc := allow("/proc", true)

sys := allow("/sys", true)

# nw: a non-waivable denial of rule for a read-only mount of path under params.
nw(path, params, rule) if {
	some f in full(host_job([path], true), params)
	f.rule == rule
	f.severity == "deny"
	not f.waivable
}

clean(path, params) if {
	rs := rules_of(host_job([path], true), params)
	not "POD-04" in rs
	not "POD-06" in rs
	not "POD-05" in rs
}

test_proc_allow_listed_read_only_passes if clean("/proc", proc)

test_proc_cpuinfo_passes if clean("/proc/cpuinfo", proc)

test_proc_meminfo_with_trailing_slash_passes if clean("/proc/meminfo/", proc)

test_proc_sys_read_only_passes if clean("/proc/sys/kernel", proc)

test_proc_pid_root_denied if nw("/proc/1/root", proc, "POD-06")

test_proc_self_root_denied if nw("/proc/self/root", proc, "POD-06")

test_proc_thread_self_root_denied if nw("/proc/thread-self/root", proc, "POD-06")

test_proc_other_pid_cwd_denied if nw("/proc/4242/cwd", proc, "POD-06")

test_proc_pid_fd_denied if nw("/proc/1/fd", proc, "POD-06")

test_proc_pid_environ_denied if nw("/proc/1/environ", proc, "POD-06")

test_proc_self_mem_denied if nw("/proc/self/mem", proc, "POD-06")

test_proc_pid_directory_itself_denied if nw("/proc/1", proc, "POD-06")

test_proc_task_root_denied if nw("/proc/1/task/1/root", proc, "POD-06")

test_proc_trailing_slash_denied if nw("/proc/1/root/", proc, "POD-06")

test_proc_double_slashes_denied if nw("//proc//1//root", proc, "POD-06")

test_proc_dot_segments_denied if nw("/proc/./1/./root", proc, "POD-06")

test_proc_kcore_denied if nw("/proc/kcore", proc, "POD-06")

test_proc_sysrq_trigger_denied if nw("/proc/sysrq-trigger", proc, "POD-06")

test_proc_kallsyms_denied if nw("/proc/kallsyms", proc, "POD-06")

test_proc_keys_denied if nw("/proc/keys", proc, "POD-06")

test_proc_pid_denied_even_allow_listed_writable if {
	some f in full(host_job(["/proc/1/root"], false), allow("/proc", false))
	f.rule == "POD-06"
	not f.waivable
}

test_proc_pid_denied_without_any_allow_list if nw("/proc/1/root", {}, "POD-06")

test_proc_pid_denied_in_restricted if nw("/proc/1/root", object.union(proc, {"profile": "restricted"}), "POD-06")

test_proc_lookalike_names_are_not_processes if clean("/proc/1x", proc)

test_sys_kernel_debug_denied if nw("/sys/kernel/debug", sys, "POD-06")

test_sys_kernel_security_denied if nw("/sys/kernel/security/apparmor", sys, "POD-06")

test_sys_firmware_denied if nw("/sys/firmware/efi/efivars", sys, "POD-06")

test_sys_fs_bpf_denied if nw("/sys/fs/bpf", sys, "POD-06")

test_sys_kernel_tracing_with_slashes_denied if nw("/sys//kernel/tracing/", sys, "POD-06")

test_sys_class_net_passes if clean("/sys/class/net", sys)

test_sys_itself_passes_as_an_ancestor if clean("/sys", sys)

test_dotdot_is_not_waivable if nw("/data/../etc", allow("/data", true), "POD-04")

test_dotdot_out_of_proc_self if nw("/proc/self/../../etc", proc, "POD-06")

test_normalised_prefix_allows if clean("/data/./cache//x/", allow("/data", true))

test_normalised_prefix_still_by_segment if {
	"POD-04" in rules_of(host_job(["/database/."], true), allow("/data/", true))
}

test_etc_with_trailing_slash_denied if nw("/etc/", {}, "POD-06")

test_etc_with_dot_segment_denied if nw("/./etc/kubernetes", {}, "POD-06")

test_root_spelt_with_slashes_denied if nw("//", {}, "POD-06")

test_root_spelt_with_dot_denied if nw("/.", {}, "POD-06")

test_path_segments_normalise if {
	lib.path_segments("/var//./log/") == ["var", "log"]
	lib.path_segments("/a/../b") == ["a", "..", "b"]
	lib.clean_path("/proc/./1//root/") == "/proc/1/root"
	lib.clean_path("//") == "/"
}

test_proc_message_names_the_normalised_path if {
	some f in full(host_job(["/proc//1/root/"], true), proc)
	f.rule == "POD-06"
	contains(f.msg, "(/proc/1/root)")
	contains(f.msg, "cannot be allow-listed")
}

test_guarded_writable_proc_still_denied if {
	["POD-06", "deny"] in findings(host_job(["/proc"], false), proc)
}

# sub: pack p mounts its /proc host volume a second time with a subPath.
sub(path, mount) := json.patch(host_job([path], true), [{"op": "add", "path": "/spec/template/spec/initContainers/0/volumeMounts/-", "value": object.union({"name": "host-p-0", "mountPath": "/host/x", "readOnly": true}, mount)}])

test_subpath_into_proc_pid_root_denied if {
	some f in full(sub("/proc", {"subPath": "1/root"}), proc)
	f.rule == "POD-06"
	not f.waivable
	endswith(f.field, ".volumeMounts[1].subPath")
}

test_subpath_into_proc_self_denied if {
	["POD-06", "deny"] in findings(sub("/proc", {"subPath": "self/environ"}), proc)
}

test_subpath_into_kernel_interface_denied if {
	["POD-06", "deny"] in findings(sub("/sys", {"subPath": "kernel/debug"}), sys)
}

test_subpath_into_proc_facts_passes if clean_obj(sub("/proc", {"subPath": "cpuinfo"}), proc)

test_subpath_with_dotdot_denied if {
	some f in full(sub("/var/log", {"subPath": "../../etc"}), allow("/var/log", true))
	f.rule in {"POD-04", "POD-06"}
	not f.waivable
}

test_subpath_expr_on_a_host_volume_denied if {
	some f in full(sub("/proc", {"subPathExpr": "$(POD_NAME)"}), proc)
	f.rule == "POD-04"
	not f.waivable
}

test_subpath_on_an_empty_dir_is_not_a_host_path if {
	obj := json.patch(host_job(["/proc"], true), [{"op": "add", "path": "/spec/template/spec/initContainers/0/volumeMounts/-", "value": {"name": "workspace", "mountPath": "/w", "subPath": "1/root"}}])
	clean_obj(obj, proc)
}

clean_obj(obj, params) if {
	rs := rules_of(obj, params)
	not "POD-04" in rs
	not "POD-06" in rs
}

test_etcd_data_denied if nw("/var/lib/etcd", {}, "POD-06")

test_k3s_state_denied if nw("/var/lib/rancher/k3s/server", {}, "POD-06")

test_k3s_socket_denied if nw("/run/k3s/containerd/containerd.sock", {}, "POD-06")

test_container_storage_denied if nw("/var/lib/containers/storage", {}, "POD-06")

test_empty_prefix_allows_nothing if {
	"POD-04" in rules_of(host_job(["/srv/data"], true), allow("", true))
}

test_relative_prefix_allows_nothing if {
	"POD-04" in rules_of(host_job(["/srv/data"], true), allow("srv", true))
}

test_root_prefix_allows_ordinary_paths if clean("/srv/data", allow("/", true))

# Issue 21: the other root daemons' sockets, in both spellings, and any *.sock, are never allowed,
# not even under an allow-listed /run (read-only or writable).
run := allow("/run", true)

var_run := allow("/var/run", true)

test_daemon_sockets_denied_under_an_allow_listed_run if {
	every path in [
		"/run/podman/podman.sock", "/run/systemd/private", "/run/dbus/system_bus_socket",
		"/run//dbus/./system_bus_socket/", "/run/systemd",
		"/run/containerd/io.containerd.runtime.v2.task/k8s.io/abc/rootfs", "/run/containerd/containerd.sock.ttrpc",
	] {
		nw(path, run, "POD-06")
	}
	every path in ["/var/run/podman/podman.sock", "/var/run/systemd/private", "/var/run/dbus/system_bus_socket"] {
		nw(path, var_run, "POD-06")
	}
}

# The first tier's daemon directories: Docker's and CRI-O's, snapd's sockets, per-user buses, the
# whole of /run/systemd and k3s's runtime, under both spellings, whatever the allow-list says; by
# whole segment, so names that only start alike pass.
test_daemon_directories_denied if {
	every path in [
		"/run/docker", "/run/docker/containerd/containerd.sock", "/run/docker/plugins", "/run/crio",
		"/run/crio/crio.sock", "/run/snapd.socket", "/run/snapd-snap.socket", "/run/user",
		"/run/user/1000/bus", "/run/user/0/systemd/private", "/run/systemd/journal/socket",
		"/run/systemd/notify", "/run/systemd/journal/stdout", "/run/k3s", "/run/k3s/containerd",
		"/run//user/./1000/", "/run/systemd/",
	] {
		nw(path, run, "POD-06")
	}
	every path in [
		"/var/run/docker", "/var/run/docker/netns", "/var/run/crio/crio.sock", "/var/run/snapd.socket",
		"/var/run/snapd-snap.socket", "/var/run/user/1000/bus", "/var/run/systemd/journal/socket",
		"/var/run/systemd", "/var/run/k3s/containerd",
	] {
		nw(path, var_run, "POD-06")
	}
	nw("/run/user/1000/bus", allow("/run/user", true), "POD-06")
	nw("/run/systemd/journal", allow("/run/systemd/journal", true), "POD-06")
}

test_daemon_directories_named_once if {
	fs := [f | some f in full(host_job(["/run/systemd/journal/socket"], true), run); f.rule == "POD-06"]
	count(fs) == 1
	contains(fs[0].msg, `host path "/run/systemd/journal/socket" reaches /run/systemd, a node daemon's sockets and state`)
	not fs[0].waivable
	gs := [g | some g in full(host_job(["/run/crio/crio.sock"], true), run); g.rule == "POD-06"]
	count(gs) == 1
	contains(gs[0].msg, "reaches /run/crio,")
}

test_daemon_directories_lookalikes_pass if {
	clean("/run/dockerd-data", run)
	clean("/run/users", run)
	clean("/run/systemd-resolved", allow("/run/systemd-resolved", true))
	clean("/run/snapd", run)
	clean("/run/crio-data", run)
	clean("/var/run/k3s-data", var_run)
}

test_any_dot_sock_denied if {
	every path in [
		"/run/user/1000/podman/podman.sock", "/run/containerd/s/abc.sock", "/run/nvidia/driver.sock",
		"/var/lib/kubelet/pod-resources/kubelet.sock", "/run/agent.SOCK", "/run/x.sock/",
	] {
		nw(path, run, "POD-06")
	}
	nw("/tmp/app.sock", allow("/tmp", false), "POD-06")
}

test_sock_in_a_subpath_denied if {
	obj := json.patch(host_job(["/run"], true), [{"op": "add", "path": "/spec/template/spec/initContainers/0/volumeMounts/0/subPath", "value": "app/api.sock"}])
	some f in full(obj, run)
	f.rule == "POD-06"
	not f.waivable
	contains(f.msg, "api.sock")
}

# Allowed: a directory under /run that is not a socket, nor an ancestor of one (sockets' parents
# whose name only starts like one are not sockets).
test_non_socket_paths_under_run_pass if {
	clean("/run/netns", run)
	clean("/run/netns/cni-1234", run)
	clean("/run/sockets.d", allow("/run/sockets.d", true))
	clean("/run/x.socked", run)
	clean("/run/dbus-data", run)
}
