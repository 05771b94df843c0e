package krm

import (
	"fmt"
	"strings"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
)

// The objects skillc build and skillc fn pass through: their content for the gate, and the refusal
// of one that has the id of a compiled object.

// ObjectMap is an object's content as generic values, without the annotations kustomize and kyaml
// put on it (which say nothing about the object): what the gate judges.
func ObjectMap(n *RNode) (map[string]any, error) {
	c := n.Copy()
	annos := c.GetAnnotations()
	for k := range annos {
		if isToolAnnotation(k) {
			delete(annos, k)
		}
	}
	if err := c.SetAnnotations(annos); err != nil {
		return nil, fmt.Errorf("removing kustomize annotations: %w", err)
	}
	return c.Map()
}

// Collisions are the pass-through objects with the id (API group, kind, namespace, name) of a
// compiled object: two objects with one id, of which the cluster keeps one, and not the one the
// gate judged. Each is an input error at the pass-through object (locate gives its file and line)
// naming the compiled object and its source (sourceOf).
func Collisions(passthrough []*RNode, compiled []compile.Object, locate func(*RNode) (string, int), sourceOf func(compile.Object) (string, int)) []ItemDiagnostic {
	byID := map[string]compile.Object{}
	for _, o := range compiled {
		gvk := o.GetObjectKind().GroupVersionKind()
		byID[gvk.Group+"/"+gvk.Kind+"/"+o.GetNamespace()+"/"+o.GetName()] = o
	}
	var out []ItemDiagnostic
	for _, n := range passthrough {
		group, _, ok := strings.Cut(n.GetApiVersion(), "/")
		if !ok {
			group = ""
		}
		o, ok := byID[group+"/"+n.GetKind()+"/"+n.GetNamespace()+"/"+n.GetName()]
		if !ok {
			continue
		}
		file, line := locate(n)
		id := strings.TrimPrefix(n.GetNamespace()+"/"+n.GetName(), "/")
		from := "the sources"
		if f, l := sourceOf(o); f != "" {
			from = f
			if l > 0 {
				from = fmt.Sprintf("%s:%d", f, l)
			}
		}
		out = append(out, ItemDiagnostic{Item: n, Diagnostic: diag.Diagnostic{File: file, Line: line, Severity: diag.SeverityError, Message: fmt.Sprintf(
			"%s %s is also compiled by skillc (from %s): two objects with one id, of which the cluster would keep one. Fix: rename or remove this one", n.GetKind(), id, from)}})
	}
	return out
}

// isToolAnnotation: an annotation of kustomize or kyaml (toolAnnotationPrefixes).
func isToolAnnotation(k string) bool {
	for _, p := range toolAnnotationPrefixes {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}
