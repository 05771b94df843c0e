package policy

import (
	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
)

// locator maps a finding inside a generated object back to the source that caused it: the pack's
// rule for a Role, the pack's hostAccess for a host volume, the toggle for a SKILL_ variable, the
// run for the agent's task. Reviewers fix sources, not renders. It looks the finding's field up in
// the origins the builders recorded as they created each field (compile.Result.OriginsOf): it
// never works a source out of a container's, volume's or variable's name.
type locator struct {
	res     *compile.Result         // the compile: its config, pods and stand-ins
	unit    *compile.Result         // the objects being judged, with their origins (res, or a unit of it)
	pods    map[string]*compile.Pod // namespace/run
	runs    map[string]*compile.Pod // run name → pod (cluster objects carry only the run label)
	origins map[compile.Object]compile.Origins
}

func newLocator(res *compile.Result) *locator {
	l := &locator{res: res, unit: res, pods: map[string]*compile.Pod{}, runs: map[string]*compile.Pod{}, origins: map[compile.Object]compile.Origins{}}
	for i := range res.Pods {
		p := &res.Pods[i]
		l.pods[p.Namespace+"/"+p.Name] = p
		l.runs[p.Name] = p
	}
	return l
}

// forUnit is the locator of a unit of the compile (compile.Plan.Unit): its objects' origins are
// the unit's, its pods the compile's.
func (l *locator) forUnit(unit *compile.Result) *locator {
	if unit == l.unit {
		return l
	}
	u := *l
	u.unit, u.origins = unit, map[compile.Object]compile.Origins{}
	return &u
}

func at(src diag.Source, field string) diag.Diagnostic {
	return diag.Diagnostic{File: src.File, Line: src.LineOf(field), Field: field}
}

// config locates a finding on the CompilerConfig (its field is already a spec path).
func (l *locator) config(field string) diag.Diagnostic {
	if l.res.Config == nil || l.res.Config.Src.File == "" {
		return diag.Diagnostic{Field: field}
	}
	return at(l.res.Config.Src, field)
}

// podOf finds the run an object belongs to: as its builder recorded it, else by its labels.
func (l *locator) podOf(o compile.Object) *compile.Pod {
	if p := l.unit.PodOf(o); p != nil {
		return p
	}
	run := ownerName(o)
	if p, ok := l.pods[o.GetNamespace()+"/"+run]; ok {
		return p
	}
	return l.runs[run]
}

// pack finds the SkillPack named name as resolved for pods in namespace ns ("" = any).
func (l *locator) pack(ns, name string) *api.SkillPack {
	for _, p := range l.res.Pods {
		if ns != "" && p.Namespace != ns {
			continue
		}
		for _, t := range p.Toggles {
			if t.Pack.Metadata.Name == name {
				return t.Pack
			}
		}
	}
	return nil
}

// packToggle is the toggle that brought pack into object o: in o's run, or for a ConfigMap (which
// serves its namespace) in any run or stand-in there.
func (l *locator) packToggle(o compile.Object, pack string) *compile.Toggle {
	if t := l.toggle(l.podOf(o), pack); t != nil {
		return t
	}
	for _, pods := range [][]compile.Pod{l.res.Pods, l.res.StandInPods} {
		for i := range pods {
			if pods[i].Namespace != o.GetNamespace() {
				continue
			}
			if t := l.toggle(&pods[i], pack); t != nil {
				return t
			}
		}
	}
	return nil
}

func (l *locator) toggle(pod *compile.Pod, pack string) *compile.Toggle {
	if pod == nil {
		return nil
	}
	for i := range pod.Toggles {
		if pod.Toggles[i].Pack.Metadata.Name == pack {
			return &pod.Toggles[i]
		}
	}
	return nil
}

// originsOf formats an object's records once, for all of its findings.
func (l *locator) originsOf(o compile.Object) compile.Origins {
	from, ok := l.origins[o]
	if !ok {
		from = l.unit.OriginsOf(o)
		l.origins[o] = from
	}
	return from
}

// find is originsOf(o).Find(field), from the formatted origins when an earlier finding made
// them, else from the records themselves: most objects are located once, for their run's task.
func (l *locator) find(o compile.Object, field string) (string, compile.Origin, bool) {
	if from, ok := l.origins[o]; ok {
		return from.Find(field)
	}
	return l.unit.FindOrigin(o, field)
}

// object locates a finding on a generated object: at the origin recorded for its field (or the
// field's nearest recorded ancestor); a field with none below the object as a whole is the
// object's owner's: a pack's rules for its Role, the pack for its ConfigMap and bindings, else the
// run.
func (l *locator) object(o compile.Object, f Finding) diag.Diagnostic {
	if path, org, ok := l.find(o, f.Field); ok && path != "" {
		org = org.Below(f.Field[len(path):])
		return diag.Diagnostic{File: org.File, Line: org.Line, Field: org.Field}
	}
	pod := l.podOf(o)
	packName := f.Pack
	if packName == "" {
		packName = o.GetLabels()[compile.LabelSkill]
	}
	t := l.toggle(pod, packName)
	switch compile.KindOf(o) {
	case "Role":
		if t != nil {
			return at(t.Pack.Src, "spec.sidecar.rbac")
		}
	case "ClusterRole":
		if t != nil {
			return at(t.Pack.Src, "spec.sidecar.clusterRBAC")
		}
	case "ConfigMap":
		// A ConfigMap serves every run of its namespace: find its pack by the label.
		if p := l.pack(o.GetNamespace(), o.GetLabels()[compile.LabelSkillPack]); p != nil {
			return at(p.Src, "metadata.name")
		}
	}
	if t != nil {
		return at(t.Pack.Src, "metadata.name")
	}
	if pod != nil {
		return at(pod.Src, "metadata.name")
	}
	return diag.Diagnostic{Field: f.Field}
}
