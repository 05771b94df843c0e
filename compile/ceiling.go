package compile

import (
	"fmt"

	"github.com/skillc-dev/skillc/diag"
)

// objectCeiling refuses a compile whose objects would pass spec.limits.maxObjects, before any is
// built: a few hundred lines (2,000 runs of an instance that enables 50 packs with RBAC) expand
// to 400,000 objects and gigabytes. It counts a lower bound of what each run emits (its workload,
// a Role and RoleBinding per pack with rbac, a ClusterRole and binding per pack with
// clusterRBAC, each namespace's pack ConfigMaps once), so it never refuses a compile that fits;
// buildObjects checks the exact count as it emits. The finding is at the run whose objects
// crossed the ceiling, in resolve's order.
func objectCeiling(max int, pods []Pod, instToggles map[nsName][]Toggle) diag.Diagnostics {
	if max <= 0 { // a config that was not defaulted (Default sets it)
		return nil
	}
	seen := map[nsName]bool{}
	n := 0
	configMaps := func(ns string, ts []Toggle) {
		for _, t := range ts {
			if k := (nsName{ns, t.Pack.Metadata.Name}); !seen[k] {
				seen[k] = true
				n++
			}
		}
	}
	for k, ts := range instToggles {
		configMaps(k.ns, ts)
	}
	for i := range pods {
		p := &pods[i]
		configMaps(p.Namespace, p.Toggles)
		n++ // the Job, CronJob or server Deployment
		for _, t := range p.Toggles {
			if sc := t.Pack.Spec.Sidecar; sc != nil {
				n += 2*min(len(sc.RBAC), 1) + 2*min(len(sc.ClusterRBAC), 1)
			}
		}
		if n > max {
			return diag.Diagnostics{ceilingDiag(max, n, p)}
		}
	}
	return nil
}

// ceilingDiag is the refusal at a run (or schedule) whose objects bring the compile past max.
func ceilingDiag(max, n int, p *Pod) diag.Diagnostic {
	return diag.Diagnostic{File: p.Src.File, Line: p.Src.Line, Field: "metadata.name", Severity: diag.SeverityError,
		Message: fmt.Sprintf("%s %s/%s brings the compile to at least %d objects, over spec.limits.maxObjects (%d): split the sources into several compiles (docs/performance.md), or raise the limit in the CompilerConfig",
			p.Kind, p.Namespace, p.Name, n, max)}
}
