package krm

import (
	"cmp"
	"path/filepath"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/api/filters/annotations"
	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/provider"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/resid"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// kustomize's resource map checks every object it adds against every object it holds
// (resmap.resWrangler.Append, a linear scan that recomputes each held object's id), and rebuilds
// the map that way three times in a build (accumulating the resources, the customized map, the
// legacy sort): quadratic in the number of objects. At the reference size (1,350 sources) that
// was most of skillc build's time, and it grows 4x per doubling. When kustomize would do nothing
// to the sources but read them (plainKustomization), they are read here instead, exactly as its
// resource factory reads them, and kustomize builds only the other objects. The result is the
// same list kustomize returns: same nodes, same origin annotations, same (legacy) order.

// plainKeys are the only fields a root kustomization may have for its sources to be read
// directly: nothing in it transforms, generates, patches, validates or reorders.
var plainKeys = []string{"apiVersion", "kind", "resources", "buildMetadata"}

// extractSources reads the files the root kustomization lists, if it is plain and they are files
// in DIR or folders whose kustomization is plain too, and keeps aside (f.extracted) the objects
// of each file made of source kinds only; such a file is then empty to kustomize (f.stripped). A
// file with any other object, a List, a CompilerConfig or something kustomize would refuse is
// left to kustomize whole. Any doubt: nothing is kept aside, and kustomize reads everything.
func (f *buildFS) extractSources() {
	was := f.refused
	defer func() { f.refused = was }() // kustomize reads them again and reports what is wrong
	x := &extraction{fs: f, rf: provider.NewDefaultDepProvider().GetResourceFactory(), stripped: map[string]bool{}}
	k := x.plainKustomization(f.root)
	if k == nil {
		return
	}
	// Only the root's buildMetadata counts (kustomize gives every folder the root's).
	for _, e := range k.Field("buildMetadata").Value.YNode().Content {
		x.buildMetadata = append(x.buildMetadata, e.Value)
	}
	if !x.resources(f.root, k, &resource.Origin{}) {
		return
	}
	f.stripped, f.extracted = x.stripped, x.extracted
}

type extraction struct {
	fs            *buildFS
	rf            *resource.Factory
	buildMetadata []string
	stripped      map[string]bool
	extracted     []*kyaml.RNode
}

// plainKustomization is the kustomization of dir, read as kustomize reads it, if it has nothing
// but resources (and buildMetadata: [originAnnotations]); else nil.
func (x *extraction) plainKustomization(dir string) *kyaml.RNode {
	f := x.fs
	kpath := ""
	for _, name := range konfig.RecognizedKustomizationFileNames() {
		p := filepath.Join(dir, name)
		if info, ok := f.probe(p); ok && info != nil && info.Mode().IsRegular() {
			if kpath != "" {
				return nil // kustomize refuses two
			}
			kpath = p
		}
	}
	if kpath == "" {
		return nil
	}
	data, err := f.ReadFile(kpath)
	if err != nil {
		return nil
	}
	k, err := kyaml.Parse(string(data))
	if err != nil || k.YNode().Kind != kyaml.MappingNode {
		return nil
	}
	fields, err := k.Fields()
	if err != nil {
		return nil
	}
	for _, name := range fields {
		if !slices.Contains(plainKeys, name) {
			return nil
		}
	}
	if kind := k.GetKind(); kind != "" && kind != types.KustomizationKind {
		return nil // a Component: kustomize refuses it here
	}
	if bm := k.Field("buildMetadata"); bm != nil {
		if bm.Value.YNode().Kind != kyaml.SequenceNode {
			return nil
		}
		for _, e := range bm.Value.YNode().Content {
			if e.Value != types.OriginAnnotations {
				return nil
			}
		}
	} else if err := k.PipeE(kyaml.SetField("buildMetadata", kyaml.NewListRNode())); err != nil {
		return nil
	}
	if list := k.Field("resources"); list == nil || list.Value.YNode().Kind != kyaml.SequenceNode {
		return nil
	}
	return k
}

// resources reads the resources of the plain kustomization k of dir, in kustomize's order, whose
// objects get the origin origin.Append(entry). false: leave everything to kustomize.
func (x *extraction) resources(dir string, k *kyaml.RNode, origin *resource.Origin) bool {
	f := x.fs
	for _, e := range k.Field("resources").Value.YNode().Content {
		if e.Kind != kyaml.ScalarNode || !filepath.IsLocal(filepath.FromSlash(e.Value)) || isRemote(e.Value) {
			return false
		}
		p := filepath.Join(dir, filepath.FromSlash(e.Value))
		info, ok := f.probe(p)
		if !ok || info == nil {
			return false
		}
		if info.IsDir() {
			sub := x.plainKustomization(p)
			if sub == nil || !x.resources(p, sub, origin.Append(e.Value)) {
				return false
			}
			continue
		}
		if !info.Mode().IsRegular() || !isYAMLName(e.Value) || x.stripped[p] {
			return false // listed twice: kustomize reports the duplicates
		}
		data, err := f.ReadFile(p)
		if err != nil {
			return false
		}
		// What kustomize does to a plain kustomization's file, in its order: read it with its
		// resource factory, annotate the origin (KustTarget.accumulateFile), then finish
		// (krusty.Kustomizer.Run: build annotations removed, origin and transformer annotations
		// removed unless buildMetadata asks for them).
		res, err := x.rf.SliceFromBytes(data)
		if err != nil || len(res) == 0 {
			continue
		}
		nodes := make([]*kyaml.RNode, len(res))
		for i, r := range res {
			nodes[i] = &r.RNode
		}
		if !allPlainSources(nodes) {
			continue
		}
		anno, err := origin.Append(e.Value).String()
		if err != nil {
			return false
		}
		if _, err = (annotations.Filter{
			Annotations: map[string]string{AnnotationOrigin: anno},
			FsSlice:     []types.FieldSpec{{Path: "metadata/annotations", CreateIfNotPresent: true}},
		}).Filter(nodes); err != nil {
			return false
		}
		for _, r := range res {
			r.RemoveBuildAnnotations()
			if !slices.Contains(x.buildMetadata, types.OriginAnnotations) {
				if err := r.SetOrigin(nil); err != nil {
					return false
				}
			}
			if !slices.Contains(x.buildMetadata, types.TransformerAnnotations) {
				if err := r.ClearTransformations(); err != nil {
					return false
				}
			}
		}
		x.stripped[p] = true
		x.extracted = append(x.extracted, nodes...)
	}
	return true
}

// allPlainSources: every object is a source kind other than the config (which may be local
// config, dropped by kustomize), none came from a List.
func allPlainSources(nodes []*kyaml.RNode) bool {
	for _, n := range nodes {
		kind := n.GetKind()
		if !IsSourceKind(n.GetApiVersion(), kind) || kind == "CompilerConfig" || strings.HasSuffix(kind, "List") {
			return false
		}
		if _, ok := n.GetAnnotations()[AnnotationLocalConfig]; ok {
			return false
		}
	}
	return true
}

// withExtracted merges the objects kept aside into kustomize's output, in kustomize's legacy order
// (api/internal/builtins/SortOrderTransformer.go, which skillc build uses: no sortOptions). ok is
// false when an object's id is already taken (kustomize refuses that: let it say so).
func withExtracted(items, extracted []*kyaml.RNode) (out []*kyaml.RNode, ok bool) {
	ids := map[*kyaml.RNode]resid.ResId{}
	seen := map[string]bool{}
	for _, list := range [][]*kyaml.RNode{items, extracted} {
		for _, n := range list {
			id := resid.FromRNode(n)
			ids[n] = id
			key := id.Gvk.String() + "|" + id.EffectiveNamespace() + "|" + id.Name // resid.ResId.Equals
			if seen[key] {
				return nil, false
			}
			seen[key] = true
		}
	}
	out = slices.Concat(items, extracted)
	slices.SortStableFunc(out, func(a, b *kyaml.RNode) int { return legacyCompare(ids[a], ids[b]) })
	return out, true
}

// legacyOrderFirst and legacyOrderLast are kustomize's defaultOrderFirst and defaultOrderLast
// ("DO NOT CHANGE!" there); TestExtractedSourcesSameAsKustomize checks the order against
// kustomize's own.
var (
	legacyOrderFirst = []string{"Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "ServiceAccount", "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap", "Secret", "Endpoints", "Service", "LimitRange", "PriorityClass", "PersistentVolume", "PersistentVolumeClaim", "Deployment", "StatefulSet", "CronJob", "PodDisruptionBudget"}
	legacyOrderLast  = []string{"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"}
)

func legacyTypeOrder(kind string) int {
	if i := slices.Index(legacyOrderFirst, kind); i >= 0 {
		return -len(legacyOrderFirst) + i
	}
	if i := slices.Index(legacyOrderLast, kind); i >= 0 {
		return 1 + i
	}
	return 0
}

// legacyCompare is kustomize's legacyIDSorter.Less as a comparison.
func legacyCompare(a, b resid.ResId) int {
	if !a.Gvk.Equals(b.Gvk) {
		if c := cmp.Compare(legacyTypeOrder(a.Gvk.Kind), legacyTypeOrder(b.Gvk.Kind)); c != 0 {
			return c
		}
		ga, gb := legacyGVK(a.Gvk), legacyGVK(b.Gvk)
		if a.Gvk.Kind == "Namespace" && b.Gvk.Kind == "Namespace" && (a.Gvk.Group == "" || b.Gvk.Group == "") {
			return strings.Compare(gb, ga)
		}
		return strings.Compare(ga, gb)
	}
	return strings.Compare(legacyID(a), legacyID(b))
}

func legacyGVK(x resid.Gvk) string {
	return cmp.Or(x.Group, "~G") + "_" + cmp.Or(x.Version, "~V") + "_" + cmp.Or(x.Kind, "~K")
}

func legacyID(id resid.ResId) string {
	return id.Gvk.String() + "|" + cmp.Or(id.Namespace, "~X") + "|" + cmp.Or(id.Name, "~N")
}
