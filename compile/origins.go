package compile

import (
	"fmt"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
)

// Origin is where an emitted field came from: a source file, its line and the field path there.
type Origin struct {
	File  string `json:"file"`
	Line  int    `json:"line"`
	Field string `json:"field"`
}

// String is FILE:LINE field.
func (o Origin) String() string { return fmt.Sprintf("%s:%d %s", o.File, o.Line, o.Field) }

// Origins maps an emitted object's field paths to their origins, as the builders record them.
type Origins map[string]Origin

// Lookup is the origin of an emitted field path: its own, or its nearest recorded ancestor's.
func (o Origins) Lookup(path string) (Origin, bool) {
	for {
		if org, ok := o[path]; ok {
			return org, true
		}
		if path == "" {
			return Origin{}, false
		}
		path = diag.ParentPath(path)
	}
}

// ObjectKey names an emitted object as KIND/NAMESPACE/NAME (NAMESPACE empty when cluster-scoped).
func ObjectKey(o Object) string { return kindOf(o) + "/" + o.GetNamespace() + "/" + o.GetName() }

// ObjectOrigins returns, for every object emitted for pod (a Pods entry of r), the origins its
// builder records, keyed by ObjectKey: the same records API validation reports errors with. The
// builders record only when asked, so they run again here.
func (r *Result) ObjectOrigins(pod *Pod) map[string]Origins {
	spec := &r.Config.Spec
	out := map[string]Origins{}
	put := func(o Object, from origins) {
		if o == nil {
			return
		}
		m := Origins{}
		for p, org := range from {
			m[p] = Origin{File: org.src.File, Line: org.src.LineOf(org.field), Field: org.field}
		}
		out[ObjectKey(o)] = m
	}
	for _, t := range pod.Toggles {
		cm, _ := buildConfigMap(pod.Namespace, t.Pack)
		if cm != nil {
			put(cm, origins{"": {t.Pack.Src, ""}})
		}
	}
	if spec.Identity == api.IdentityPerRun {
		sa := buildServiceAccount(serviceAccountName(spec.Identity, pod.Name), pod.Namespace, nil)
		put(sa, origins{"": {pod.Src, "metadata.name"}, "metadata.labels": {pod.Instance.Src, "metadata.name"}})
	} else {
		put(buildServiceAccount(sharedServiceAccount, pod.Namespace, nil), origins{}) // a platform default: no source
	}
	if pod.Scheduled() {
		cj, o, _ := buildCronJob(spec, pod, true)
		if cj != nil {
			put(cj, o)
		}
	} else {
		job, o, _ := buildJob(spec, pod, true)
		if job != nil {
			put(job, o)
		}
	}
	for _, t := range pod.Toggles {
		objs, _ := buildRBAC(spec.Identity, pod, t)
		for _, o := range objs {
			put(o, rbacOrigins(pod, t, o))
		}
	}
	return out
}
