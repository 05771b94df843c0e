package policy

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
)

// hostAccessField is the pack field every declared host volume is built from.
const hostAccessField = "spec.sidecar.hostAccess.mounts["

// hostAccessFindings is META-01 for host volumes, decided from compile's origin records: a
// hostPath volume is declared when it was built from a pack's hostAccess.mounts, and only that
// pack's sidecar may mount it. A volume's name decides nothing (a pack's own volume named
// host-<pack>-0 once passed for declared host access).
func hostAccessFindings(o compile.Object, loc *locator) []Finding {
	spec := compile.PodSpecOf(o)
	if spec == nil || !slices.ContainsFunc(spec.Volumes, func(v corev1.Volume) bool { return v.HostPath != nil }) {
		return nil // most pods: their records are never formatted (only a finding reads them)
	}
	prefix := compile.PodSpecPath(o)
	from := loc.originsOf(o)
	pod := loc.podOf(o)
	// packOf names the pack whose source document an origin is in ("" for none of the pod's).
	packOf := func(src *diag.Source) string {
		if pod == nil || src == nil {
			return ""
		}
		for _, t := range pod.Toggles {
			if &t.Pack.Src == src {
				return t.Pack.Metadata.Name
			}
		}
		return ""
	}
	var out []Finding
	declaredBy := map[string]string{} // host volume → the pack that declared it
	for i, v := range spec.Volumes {
		if v.HostPath == nil {
			continue
		}
		field := fmt.Sprintf("%s.volumes[%d]", prefix, i)
		org, ok := from.Lookup(field)
		owner := packOf(org.Source())
		if !ok || !strings.HasPrefix(org.Field, hostAccessField) || owner == "" {
			out = append(out, goFinding(o, "META-01", field+".hostPath", owner, fmt.Sprintf("hostPath volume %q (%s) was not declared in a pack's hostAccess (it came from %s): host access must be declared where the platform can review and allow-list it. Fix: declare it under sidecar.hostAccess.mounts", v.Name, v.HostPath.Path, originText(org, ok))))
			continue
		}
		declaredBy[v.Name] = owner
	}
	for _, l := range []struct {
		name string
		cs   []corev1.Container
	}{{"containers", spec.Containers}, {"initContainers", spec.InitContainers}} {
		for ci, ctr := range l.cs {
			path := fmt.Sprintf("%s.%s[%d]", prefix, l.name, ci)
			org, ok := from.Lookup(path)
			mounter := ""
			if ok && strings.HasPrefix(org.Field, "spec.sidecar") {
				mounter = packOf(org.Source())
			}
			for j, m := range ctr.VolumeMounts {
				owner, host := declaredBy[m.Name]
				if !host || owner == mounter {
					continue
				}
				out = append(out, goFinding(o, "META-01", fmt.Sprintf("%s.volumeMounts[%d]", path, j), owner, fmt.Sprintf("container %s mounts host volume %q of pack %q: host access goes only to the sidecar that declared it. Fix: remove the mount", ctr.Name, m.Name, owner)))
			}
		}
	}
	return out
}

func originText(org compile.Origin, ok bool) string {
	if !ok {
		return "no source skillc recorded"
	}
	return org.Field + " at " + fmt.Sprintf("%s:%d", org.File, org.Line)
}
