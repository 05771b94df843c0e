package policy

import (
	"fmt"
	"strings"

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
	if spec == nil {
		return nil
	}
	prefix := "spec.template.spec"
	if compile.KindOf(o) == "CronJob" {
		prefix = "spec.jobTemplate.spec.template.spec"
	}
	from := loc.originsOf(o)
	pod := loc.podOf(o)
	finding := func(field, pack, detail string) Finding {
		f := Finding{Rule: "META-01", Severity: "deny", Waivable: false, Pack: pack, Field: field,
			Kind: compile.KindOf(o), Name: o.GetName(), Namespace: o.GetNamespace(), Detail: detail}
		f.Message = libraryMessage(f.Rule, objectRef(o), field, detail)
		return f
	}
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
			pack := owner
			out = append(out, finding(field+".hostPath", pack, fmt.Sprintf("hostPath volume %q (%s) was not declared in a pack's hostAccess (it came from %s): host access must be declared where the platform can review and allow-list it. Fix: declare it under sidecar.hostAccess.mounts", v.Name, v.HostPath.Path, originText(org, ok))))
			continue
		}
		declaredBy[v.Name] = owner
	}
	for _, l := range []struct {
		name string
		n    int
	}{{"containers", len(spec.Containers)}, {"initContainers", len(spec.InitContainers)}} {
		for ci := 0; ci < l.n; ci++ {
			c := &spec.Containers
			if l.name == "initContainers" {
				c = &spec.InitContainers
			}
			ctr := (*c)[ci]
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
				out = append(out, finding(fmt.Sprintf("%s.volumeMounts[%d]", path, j), owner, fmt.Sprintf("container %s mounts host volume %q of pack %q: host access goes only to the sidecar that declared it. Fix: remove the mount", ctr.Name, m.Name, owner)))
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
