package policy

import (
	"strings"
	"testing"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
)

// The holes of issue 21 (the tenant boundary): each test compiles real sources and runs the whole
// gate, and each failed before the fix.

// TestHoleAdmissionPoliciesAndAPIServices: writes on admission policies, their bindings and
// aggregated API services are RBAC-11, which no exception can waive (before, a ClusterRole write
// was only the waivable RBAC-12, and a Role's was not reported at all).
func TestHoleAdmissionPoliciesAndAPIServices(t *testing.T) {
	for _, rule := range []string{
		`{apiGroups: [admissionregistration.k8s.io], resources: [mutatingadmissionpolicies], verbs: [create]}`,
		`{apiGroups: [admissionregistration.k8s.io], resources: [validatingadmissionpolicies], verbs: [patch]}`,
		`{apiGroups: [admissionregistration.k8s.io], resources: [mutatingadmissionpolicybindings], verbs: [update]}`,
		`{apiGroups: [admissionregistration.k8s.io], resources: [validatingadmissionpolicybindings], verbs: [delete]}`,
		`{apiGroups: [apiregistration.k8s.io], resources: [apiservices], verbs: [create, update]}`,
	} {
		for _, field := range []string{"rbac", "clusterRBAC"} {
			rep := gateYAML(t, pack("    "+field+": ["+rule+"]\n"), compile.Options{})
			if len(findingsOf(rep, "RBAC-11", diag.SeverityDeny)) == 0 {
				t.Errorf("%s %s: no RBAC-11 in %v", field, rule, rep.Findings)
			}
		}
	}
}

// TestHoleDaemonSockets: the other daemons that run anything as root on request (Podman, systemd,
// the D-Bus system bus) and any *.sock are non-waivable POD-06, even with the exception for POD-04
// and POD-06 the node probe carries (before, they passed under /run).
func TestHoleDaemonSockets(t *testing.T) {
	for _, path := range []string{
		"/run/podman/podman.sock", "/var/run/podman/podman.sock", "/run/systemd/private", "/var/run/systemd/private",
		"/run/dbus/system_bus_socket", "/var/run/dbus/system_bus_socket", "/run/nvidia/driver.sock", "/run/user/1000/podman/podman.sock",
	} {
		t.Run(path, func(t *testing.T) {
			rep := gateYAML(t, probe(path), compile.Options{})
			deny := findingsOf(rep, "POD-06", diag.SeverityDeny)
			if len(deny) == 0 {
				t.Fatalf("%s passed POD-06: findings %v, excepted %v", path, rep.Findings, rep.Excepted)
			}
			if !strings.Contains(deny[0].Message, "cannot be allow-listed") {
				t.Errorf("message %q does not say it cannot be allow-listed", deny[0].Message)
			}
		})
	}
}

// TestHoleDeletePods: delete and deletecollection on pods and workloads are RBAC-15, a warning in
// baseline and a denial in restricted, naming the verbs granted (before, not even a warning).
func TestHoleDeletePods(t *testing.T) {
	src := pack("    rbac: [{apiGroups: [\"\"], resources: [pods], verbs: [get, delete, deletecollection]}]\n")
	rep := gateYAML(t, src, compile.Options{})
	w := findingsOf(rep, "RBAC-15", diag.SeverityWarning)
	if len(w) != 1 || !strings.Contains(w[0].Message, "grants delete/deletecollection on pods") {
		t.Errorf("baseline: RBAC-15 warnings %v in %v", w, rep.Findings)
	}
	rep = gateYAML(t, src, compile.Options{Profile: "restricted"})
	if len(findingsOf(rep, "RBAC-15", diag.SeverityDeny)) != 1 {
		t.Errorf("restricted: no RBAC-15 denial in %v", rep.Findings)
	}
}

// TestHoleConfigMapWrites: a pack that may write ConfigMaps can rewrite other packs' skills (they
// are ConfigMaps in the run namespace): RBAC-22, unless resourceNames names only its own.
func TestHoleConfigMapWrites(t *testing.T) {
	for _, tt := range []struct {
		rule string
		want bool
	}{
		{`{apiGroups: [""], resources: [configmaps], verbs: [get, update]}`, true},
		{`{apiGroups: [""], resources: [configmaps], verbs: [patch], resourceNames: [skillpack-other]}`, true},
		{`{apiGroups: [""], resources: [configmaps], verbs: [get, patch, update], resourceNames: [skillpack-p]}`, false},
		{`{apiGroups: [""], resources: [configmaps], verbs: [create], resourceNames: [skillpack-other]}`, false},
	} {
		rep := gateYAML(t, pack("    rbac: ["+tt.rule+"]\n"), compile.Options{Profile: "restricted"})
		if got := len(findingsOf(rep, "RBAC-22", diag.SeverityDeny)) > 0; got != tt.want {
			t.Errorf("%s: RBAC-22 denied %v, want %v: %v", tt.rule, got, tt.want, rep.Findings)
		}
	}
}

// TestHolePrivatePackInheritsCatalogAllowLists: a tenant's private pack named like a catalog pack
// does not get the catalog pack's allow-lists (before, a container's bare pack name chose them).
func TestHolePrivatePackInheritsCatalogAllowLists(t *testing.T) {
	src := probe("/proc")
	private := strings.Replace(src, "metadata: {name: p, namespace: sympozium-system}", "metadata: {name: p, namespace: team}", 1)
	if private == src {
		t.Fatal("the probe's pack is no longer in sympozium-system: update the test")
	}
	rep := gateYAML(t, private, compile.Options{})
	for _, rule := range []string{"POD-02", "POD-07"} {
		if len(findingsOf(rep, rule, diag.SeverityDeny)) == 0 {
			t.Errorf("private pack team/p passed %s with the catalog p allow-listed: %v", rule, rep.Findings)
		}
	}
}

// TestParamsCarryTheCatalogNamespace: a bare allow-list entry names a pack of the config's catalog
// namespace, so the rules must know it (before, they assumed sympozium-system).
func TestParamsCarryTheCatalogNamespace(t *testing.T) {
	spec := api.DefaultConfig().Spec
	spec.CatalogNamespace = "platform"
	if got := Params(&spec, "2026-01-01")["catalogNamespace"]; got != "platform" {
		t.Errorf("catalogNamespace %v, want platform", got)
	}
}
