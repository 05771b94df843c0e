package compile

import (
	"fmt"
	"strconv"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
)

// Origin is where an emitted field came from: a source file, its line and the field path there.
type Origin struct {
	File  string `json:"file"`
	Line  int    `json:"line"`
	Field string `json:"field"`
	// Verbatim: the emitted field is a copy of the source field (a pack's rule, its own volume,
	// one of its env entries), so a path below it names the same path below the source field.
	Verbatim bool `json:"-"`
	src      *diag.Source
}

// Source is the source document the field came from (nil when recorded without one). The gate
// compares it with a pack's Src to learn which pack declared a field: by where it came from,
// never by a name.
func (o Origin) Source() *diag.Source { return o.src }

// String is FILE:LINE field.
func (o Origin) String() string { return fmt.Sprintf("%s:%d %s", o.File, o.Line, o.Field) }

// Below is the origin of the emitted path rest (".verbs[0]") below o's emitted field: o itself,
// or for a verbatim copy the same path below the source field.
func (o Origin) Below(rest string) Origin {
	if !o.Verbatim || rest == "" || o.src == nil {
		return o
	}
	o.Field += rest
	o.Line = o.src.LineOf(o.Field)
	return o
}

// Origins maps an emitted object's field paths to their origins, as the builders record them.
type Origins map[string]Origin

// Lookup is the origin of an emitted field path: its own, or its nearest recorded ancestor's.
func (o Origins) Lookup(path string) (Origin, bool) {
	_, org, ok := o.Find(path)
	return org, ok
}

// Find is Lookup that also returns the recorded path that answered (path itself or an ancestor;
// "" is the object as a whole).
func (o Origins) Find(path string) (string, Origin, bool) {
	for {
		if org, ok := o[path]; ok {
			return path, org, true
		}
		if path == "" {
			return "", Origin{}, false
		}
		path = diag.ParentPath(path)
	}
}

// ObjectKey names an emitted object as KIND/NAMESPACE/NAME (NAMESPACE empty when cluster-scoped).
func ObjectKey(o Object) string { return kindOf(o) + "/" + o.GetNamespace() + "/" + o.GetName() }

// OriginsOf returns the origins the builders recorded for an emitted object of r (nil for an
// object r did not emit): a lookup, nothing is built again.
func (r *Result) OriginsOf(o Object) Origins {
	if from := r.origins[o]; from != nil {
		return from.materialize()
	}
	return nil
}

// FindOrigin is OriginsOf(o).Find(path) without formatting every record into a map: for one
// field of an object (a run's task, located in every run) that was most of the cost.
func (r *Result) FindOrigin(o Object, path string) (string, Origin, bool) {
	if from := r.origins[o]; from != nil {
		return from.find(path)
	}
	return "", Origin{}, false
}

// PodOf is the run, schedule or stand-in an emitted (or stand-in) object was built for, as its
// builder recorded it: nil for ConfigMaps and shared ServiceAccounts, which serve a namespace.
func (r *Result) PodOf(o Object) *Pod {
	if from := r.origins[o]; from != nil {
		return from.pod
	}
	return nil
}

// ObjectOrigins returns, for every object emitted for pod (a Pods entry of r), the origins its
// builder recorded, keyed by ObjectKey: the same records API validation reports errors with and
// the policy gate locates findings with. With the pod's objects come the ConfigMaps of its packs
// and, with a shared identity, its namespace's ServiceAccount.
func (r *Result) ObjectOrigins(pod *Pod) map[string]Origins {
	out := map[string]Origins{}
	for _, o := range r.Objects {
		from := r.origins[o]
		if from == nil || !from.serves(pod, o, r.Config) {
			continue
		}
		out[ObjectKey(o)] = from.materialize()
	}
	return out
}

// serves says whether an object recorded with from is one of pod's.
func (from *origins) serves(pod *Pod, o Object, cfg *api.CompilerConfig) bool {
	if from.pod != nil {
		return from.pod == pod
	}
	if o.GetNamespace() != pod.Namespace {
		return false
	}
	switch kindOf(o) {
	case "ServiceAccount":
		return cfg == nil || cfg.Spec.Identity != api.IdentityPerRun
	case "ConfigMap":
		for _, t := range pod.Toggles {
			if o.GetName() == ConfigMapName(t.Pack.Metadata.Name) {
				return true
			}
		}
	}
	return false
}

// rec is one origin record: an emitted field path and the source field it came from. It is kept
// unformatted, so that recording allocates nothing (every compile records every object, and only
// an error or a finding ever reads a record): in path each '#' is the next of idx, in field '#'
// is fidx, and in both '$' is name. A sidecar container is one record, which sidecarRecords
// expands into its fields when formatted; so is an RBAC object (rbacRecords).
type rec struct {
	path  string
	field string
	name  string
	src   *diag.Source
	t     *Toggle // the toggle of a sidecar container, or whose Field the source field starts with
	idx   [2]int32
	fidx  int32
	flags recFlags
}

type recFlags uint8

const (
	inPod       recFlags = 1 << iota // path is relative to the pod spec (origins.podBase)
	verbatim                         // copied as declared: a path below it is the same below field
	sidecar                          // a pack's sidecar container: expanded by sidecarRecords
	toggleField                      // the source field is t.Field followed by field
	rbacObject                       // a pack's RBAC object as a whole: expanded by rbacRecords
)

// origins are the records of one emitted object.
type origins struct {
	recs    []rec
	podBase string // the pod spec's path in the object ("spec.template.spec"); "" without one
	pod     *Pod   // the run or schedule the object is for; nil for ConfigMaps and shared identities
	rr      *recorder
	// images is the CompilerConfig the pod's images come from (nil when not from a file), for the
	// podParts that add containers of the platform's images.
	images *diag.Source
}

// recorder hands out the records of a whole compile from a few large blocks: objects are built one
// at a time, and each one's records are a slice of the block they were appended to.
type recorder struct {
	buf   []rec // the object being recorded is buf[start:]
	start int
	objs  []origins
}

// newRecorder is a recorder sized for about objects objects (a few records each on average): a
// unit's records then fit the first block, and a unit does not zero a large one it barely uses.
func newRecorder(objects int) *recorder {
	return &recorder{buf: make([]rec, 0, 3*objects), objs: make([]origins, 0, objects)}
}

// begin starts the records of an object, dropping whatever a build that failed left.
func (rr *recorder) begin(pod *Pod, podBase string) *origins {
	rr.buf = rr.buf[:rr.start]
	if len(rr.objs) == cap(rr.objs) {
		rr.objs = make([]origins, 0, max(256, cap(rr.objs)))
	}
	rr.objs = append(rr.objs, origins{podBase: podBase, pod: pod, rr: rr})
	return &rr.objs[len(rr.objs)-1]
}

// done ends an object's records.
func (o *origins) done() *origins {
	rr := o.rr
	o.recs, o.rr = rr.buf[rr.start:len(rr.buf):len(rr.buf)], nil
	rr.start = len(rr.buf)
	return o
}

func (o *origins) add(r rec) {
	rr := o.rr
	if len(rr.buf) == cap(rr.buf) {
		n := len(rr.buf) - rr.start
		b := make([]rec, n, max(256, cap(rr.buf), 2*n))
		copy(b, rr.buf[rr.start:])
		rr.buf, rr.start = b, 0
	}
	rr.buf = append(rr.buf, r)
}

// set records that the emitted path (absolute) came from field of src.
func (o *origins) set(path string, src *diag.Source, field string) {
	o.add(rec{path: path, src: src, field: field})
}

// setPod records a pod-spec path: '#' in path is i, then j; '#' in field is fi.
func (o *origins) setPod(path string, i, j int, src *diag.Source, field string, fi int) {
	o.add(rec{path: path, idx: [2]int32{int32(i), int32(j)}, src: src, field: field, fidx: int32(fi), flags: inPod})
}

// fill replaces each '#' of tmpl with the next of idx and each '$' with name.
func fill(tmpl string, idx []int32, name string) string {
	if indexSpecial(tmpl) < 0 {
		return tmpl
	}
	var buf [128]byte
	return string(appendFill(buf[:0], tmpl, idx, name))
}

// appendFill appends tmpl to b as fill formats it.
func appendFill(b []byte, tmpl string, idx []int32, name string) []byte {
	n := 0
	for {
		i := indexSpecial(tmpl)
		if i < 0 {
			return append(b, tmpl...)
		}
		b = append(b, tmpl[:i]...)
		if tmpl[i] == '#' {
			b = strconv.AppendInt(b, int64(idx[n]), 10)
			n++
		} else {
			b = append(b, name...)
		}
		tmpl = tmpl[i+1:]
	}
}

// indexSpecial is strings.IndexAny(s, "#$") without making the set on every call.
func indexSpecial(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '#' || s[i] == '$' {
			return i
		}
	}
	return -1
}

// emitted is the record's emitted path, formatted in one allocation (none for a fixed path).
func (r *rec) emitted(podBase string) string {
	if r.flags&inPod == 0 {
		return fill(r.path, r.idx[:], r.name)
	}
	if r.path == "" {
		return podBase
	}
	var buf [160]byte
	b := r.appendEmitted(buf[:0], podBase)
	if len(b) == len(podBase) {
		return podBase
	}
	return string(b)
}

// appendEmitted appends the record's emitted path to b, as emitted formats it.
func (r *rec) appendEmitted(b []byte, podBase string) []byte {
	if r.flags&inPod == 0 {
		return appendFill(b, r.path, r.idx[:], r.name)
	}
	if r.path == "" {
		return append(b, podBase...)
	}
	start := len(b)
	b = append(append(b, podBase...), '.')
	b = appendFill(b, r.path, r.idx[:], r.name)
	if len(b) == start+len(podBase)+1 {
		return b[:len(b)-1] // the path formatted to nothing: podBase
	}
	return b
}

func (r *rec) origin() Origin {
	idx := [1]int32{r.fidx}
	var f string
	if r.flags&toggleField != 0 {
		var buf [128]byte
		f = string(appendFill(append(buf[:0], r.t.Field...), r.field, idx[:], r.name))
	} else {
		f = fill(r.field, idx[:], r.name)
	}
	return Origin{File: r.src.File, Line: r.src.LineOf(f), Field: f, Verbatim: r.flags&verbatim != 0, src: r.src}
}

// size is how many origins materialize makes of the records, or a little more: the map is made
// at its size once instead of growing (a sidecar's record expands to a few dozen).
func (o *origins) size() int {
	n := 0
	for i := range o.recs {
		r := &o.recs[i]
		switch {
		case r.flags&sidecar != 0:
			sc := r.t.Pack.Spec.Sidecar
			n += 4 + len(sidecarFields) + len(sc.Env) + len(r.t.Params) + len(sc.VolumeMounts)
		case r.flags&rbacObject != 0:
			sc := r.t.Pack.Spec.Sidecar
			n += 2 + max(len(sc.RBAC), len(sc.ClusterRBAC))
		default:
			n++
		}
	}
	return n
}

// materialize formats the records; a later record of a path replaces an earlier one.
func (o *origins) materialize() Origins {
	m := make(Origins, o.size())
	for i := range o.recs {
		r := &o.recs[i]
		switch {
		case r.flags&sidecar != 0:
			sidecarRecords(r, func(s rec) { m[s.emitted(o.podBase)] = s.origin() })
			continue
		case r.flags&rbacObject != 0:
			rbacRecords(r, o.pod, func(s rec) { m[s.emitted(o.podBase)] = s.origin() })
			continue
		}
		m[r.emitted(o.podBase)] = r.origin()
	}
	return m
}

// find is materialize().Find(path) in one pass over the records: each emitted path is formatted
// into a buffer and compared with path and its ancestors, keeping the deepest that matches (of
// equal ones the last, as materialize keeps); only that one's origin is formatted.
func (o *origins) find(path string) (string, Origin, bool) {
	var chain [12]string
	anc := chain[:0] // path, then its ancestors up to "" (Origins.Find's order)
	for p := path; ; p = diag.ParentPath(p) {
		anc = append(anc, p)
		if p == "" {
			break
		}
	}
	best, found := len(anc), rec{}
	var buf [160]byte
	consider := func(s rec) {
		e := s.appendEmitted(buf[:0], o.podBase)
		for j := range min(best+1, len(anc)) {
			if len(anc[j]) == len(e) && anc[j] == string(e) {
				best, found = j, s
				return
			}
		}
	}
	for i := range o.recs {
		r := &o.recs[i]
		switch {
		case r.flags&sidecar != 0:
			sidecarRecords(r, consider)
		case r.flags&rbacObject != 0:
			rbacRecords(r, o.pod, consider)
		default:
			consider(*r)
		}
	}
	if best == len(anc) {
		return "", Origin{}, false
	}
	return anc[best], found.origin(), true
}

// Diag builds an input error located where the emitted field (or its nearest recorded ancestor)
// came from.
func (o Origins) Diag(emittedField, format string, args ...any) diag.Diagnostic {
	org, ok := o.Lookup(emittedField)
	if !ok {
		return diag.Diagnostic{Severity: diag.SeverityError, Field: emittedField, Message: fmt.Sprintf(format, args...)}
	}
	return diag.Diagnostic{File: org.File, Line: org.Line, Field: org.Field, Severity: diag.SeverityError, Message: fmt.Sprintf(format, args...)}
}
