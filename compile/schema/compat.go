package schema

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/skillc-dev/skillc/api"
)

// Upstream compatibility: every spec field of the upstream Sympozium CRDs, classified against the
// input types. The types are the truth: api.Unsupported refuses a field (its tag says why),
// api.Opaque accepts one that changes nothing the controller emits, and any other type is read by
// compile. compatNotes says, for modelled and opaque fields, what skillc does with them (a note on a
// field covers the fields under it). docs/compatibility.md is generated from this
// (TestCompatibilityDoc).

// Status is how skillc treats an upstream field.
type Status string

const (
	Modelled Status = "modelled"  // read, emitted as the controller emits it, gated
	NoEffect Status = "no effect" // accepted: the controller emits nothing from it
	Refused  Status = "refused"   // an input error that names the field and the reason
	Unknown  Status = "unknown"   // not in skillc's types: "unknown field" (a bug in this table)
)

// ExtensionPrefix starts what the schemas and docs/compatibility.md say of a skillc extension.
const ExtensionPrefix = "skillc extension, not an upstream Sympozium field: "

// Extension is a field of an upstream kind that only skillc reads (api.ExtensionTag).
type Extension struct {
	Kind, Path, Note string
}

// Extensions lists the skillc extensions of the upstream kinds, in the order of
// CompatibilityDoc's sections and of the fields in the types.
func Extensions() []Extension {
	var out []Extension
	for _, k := range compatKinds {
		var walk func(t reflect.Type, path string, seen map[reflect.Type]bool)
		walk = func(t reflect.Type, path string, seen map[reflect.Type]bool) {
			t = elem(t)
			if t.Kind() != reflect.Struct || seen[t] || !strings.HasPrefix(t.PkgPath(), "github.com/skillc-dev/") {
				return
			}
			seen[t] = true
			defer delete(seen, t)
			for i := range t.NumField() {
				f := t.Field(i)
				jname, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
				if jname == "" && (f.Anonymous || strings.Contains(opts, "inline")) {
					walk(f.Type, path, seen)
					continue
				}
				if jname == "" || jname == "-" {
					continue
				}
				if note := api.ExtensionNote(f.Tag); note != "" {
					out = append(out, Extension{k, path + "." + jname, note})
				}
				walk(f.Type, path+"."+jname, seen)
			}
		}
		walk(UpstreamKinds[k], "spec", map[reflect.Type]bool{})
	}
	return out
}

// compatKinds are the upstream kinds in the order docs/compatibility.md lists them.
var compatKinds = []string{"SkillPack", "Agent", "AgentRun", "SympoziumSchedule", "Ensemble", "SympoziumPolicy"}

// Field is one upstream field and skillc's treatment of it.
type Field struct {
	Kind, Path string
	Status     Status
	Note       string
}

// UpstreamKinds maps each upstream kind skillc reads to the type of its spec.
var UpstreamKinds = map[string]reflect.Type{
	"SkillPack":         reflect.TypeFor[api.SkillPackSpec](),
	"Agent":             reflect.TypeFor[api.InstanceSpec](),
	"AgentRun":          reflect.TypeFor[api.AgentRunSpec](),
	"SympoziumSchedule": reflect.TypeFor[api.ScheduleSpec](),
	"Ensemble":          specType[api.Ensemble](),
	"SympoziumPolicy":   specType[api.SympoziumPolicy](),
}

func specType[T any]() reflect.Type {
	f, _ := reflect.TypeFor[T]().FieldByName("Spec")
	return f.Type
}

// Classify finds path ("spec.a.b") of kind in skillc's types. Lists, maps and pointers are looked
// through; a field of a Kubernetes type (corev1.Volume) is modelled with its parent's note.
func Classify(kind, path string) Field {
	f := Field{Kind: kind, Path: path, Status: Unknown}
	t, ok := UpstreamKinds[kind]
	if !ok {
		return f
	}
	segs := strings.Split(strings.TrimPrefix(path, "spec."), ".")
	note := compatNotes[kind+" spec"]
	status := Modelled
	for i, seg := range segs {
		t = elem(t)
		switch {
		case t == opaqueType:
			return Field{kind, path, NoEffect, note}
		case t.PkgPath() != "" && !strings.HasPrefix(t.PkgPath(), "github.com/skillc-dev/"):
			return Field{kind, path, status, note} // a Kubernetes type: the API server's schema
		case t.Kind() != reflect.Struct:
			return f
		}
		sf, found := fieldByJSON(t, seg)
		if !found {
			return f
		}
		if n, ok := compatNotes[kind+" spec."+strings.Join(segs[:i+1], ".")]; ok {
			note = n
		}
		if sf.Type == unsupportedType {
			return Field{kind, path, Refused, sf.Tag.Get("unsupported")}
		}
		t = sf.Type
	}
	if elem(t) == opaqueType {
		status = NoEffect
	}
	return Field{kind, path, status, note}
}

// elem looks through pointers, slices and maps to the type of what they hold.
func elem(t reflect.Type) reflect.Type {
	for {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map:
			t = t.Elem()
		default:
			return t
		}
	}
}

// fieldByJSON finds a struct field by its JSON name, inline structs included.
func fieldByJSON(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		jname, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if jname == "" && (f.Anonymous || strings.Contains(opts, "inline")) && f.Type.Kind() == reflect.Struct {
			if sf, ok := fieldByJSON(f.Type, name); ok {
				return sf, true
			}
			continue
		}
		if jname == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// CompatibilityDoc renders docs/compatibility.md from the upstream field list (one "Kind path"
// per line).
func CompatibilityDoc(upstreamFields []string, version string) (string, []Field, error) {
	var fields []Field
	for _, line := range upstreamFields {
		kind, path, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok {
			continue
		}
		fields = append(fields, Classify(kind, path))
	}
	var b strings.Builder
	counts := map[Status]int{}
	for _, f := range fields {
		counts[f.Status]++
	}
	fmt.Fprintf(&b, "# Compatibility with upstream Sympozium %s\n\n", version)
	b.WriteString("<!-- Generated by `go test ./compile/schema -run TestCompatibilityDoc -update` from the input\n" +
		"types (api/) and compile/schema/compat.go; do not edit. -->\n\n")
	b.WriteString("Every spec field of the upstream CRDs (`config/crd/bases/` at " + version + ") that skillc reads: the\n" +
		"kinds below, every field at every depth, except inside Kubernetes' own types (volumes, volume mounts,\n" +
		"pull secrets), which the API server's schema covers. Each field is one of:\n\n" +
		"- **modelled**: read, and emitted as the upstream controller emits it, and gated;\n" +
		"- **no effect**: accepted; the upstream controller emits nothing from it (it steers the controller at run time);\n" +
		"- **refused**: an input error that names the field as upstream's and says why skillc does not support it.\n\n" +
		"A field no upstream CRD defines is an `unknown field` error, except skillc's own extensions, listed\n" +
		"[at the end](#skillc-extensions).\n\n")
	fmt.Fprintf(&b, "| | fields |\n|---|---|\n| modelled | %d |\n| no effect | %d |\n| refused | %d |\n| total | %d |\n",
		counts[Modelled], counts[NoEffect], counts[Refused], len(fields))
	if counts[Unknown] > 0 {
		fmt.Fprintf(&b, "| **unknown (a bug)** | %d |\n", counts[Unknown])
	}
	for _, k := range compatKinds {
		fmt.Fprintf(&b, "\n## %s\n\n| field | status | what skillc does |\n|---|---|---|\n", k)
		last := "" // reset per kind: a table's first row always says its note
		for _, f := range fields {
			if f.Kind != k {
				continue
			}
			note := f.Note
			if note != "" && note == last && f.Status != Refused {
				note = "as above"
			} else {
				last = note
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", f.Path, f.Status, strings.ReplaceAll(note, "|", `\|`))
		}
	}
	b.WriteString("\n## skillc extensions\n\n" +
		"Fields of the kinds above that no upstream CRD has: only skillc reads them, and each is a\n" +
		"deliberate difference from the upstream controller. Where the upstream CRD is installed, the API\n" +
		"server drops them, and `kubectl apply` (strict field validation, its default) refuses a source\n" +
		"that sets one: keep such sources out of what is applied (`keepSources: false`, the default).\n\n" +
		"| kind | field | what skillc does |\n|---|---|---|\n")
	for _, e := range Extensions() {
		fmt.Fprintf(&b, "| %s | `%s` | %s |\n", e.Kind, e.Path, strings.ReplaceAll(e.Note, "|", `\|`))
	}
	slices.SortStableFunc(fields, func(a, b Field) int { return strings.Compare(string(a.Status), string(b.Status)) })
	return b.String(), fields, nil
}
