package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
)

// Pass-through objects: what skillc build and skillc fn emit beside the compiled objects without
// compiling them (a kustomization's Deployments, bindings, ConfigMaps). Everything skillc emits
// passed the gate: the RBAC objects and the workloads among them are judged by the library's rules
// that hold for any object (RBAC-*, POD-*, IMG-*, SEC-*) and by the user's policies. They belong to
// no SkillPack, so no exception waives their findings and no allow-list applies to them.

// PassThrough is an object emitted untouched, and where it came from.
type PassThrough struct {
	Object map[string]any // its JSON form; CheckPassThrough judges a copy
	File   string         // its file in the user's kustomization or package, as messages name it
	Line   int            // its line in File; 0 when unknown
}

const groupRBAC = "rbac.authorization.k8s.io"

// gatedKinds are, per API group, the kinds judged when they pass through: RBAC objects, and every
// kind that carries a pod template (or is a pod).
var gatedKinds = map[string][]string{
	groupRBAC:    {"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"},
	"":           {"Pod", "ReplicationController", "PodTemplate"},
	"batch":      {"Job", "CronJob"},
	"apps":       {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"},
	"extensions": {"Deployment", "DaemonSet", "ReplicaSet"},
	// agent-sandbox: what skillc emits for a sandbox-backed run, and an Agent's warm pool.
	"agents.x-k8s.io": {"Sandbox", "SandboxWarmPool"},
}

// apiGroup is the group of an apiVersion ("" for the core group's "v1").
func apiGroup(apiVersion string) string {
	group, _, ok := strings.Cut(apiVersion, "/")
	if !ok {
		return ""
	}
	return group
}

// Gated reports whether a pass-through object of apiVersion and kind is judged by the gate: an
// RBAC object or a pod-bearing kind of its Kubernetes API group (any version).
func Gated(apiVersion, kind string) bool {
	return slices.Contains(gatedKinds[apiGroup(apiVersion)], kind)
}

// passThroughRule reports whether a finding of the built-in library holds for an object skillc
// did not compile. META-* and RES-* judge a compile's own output; RBAC-16 and RBAC-17 compare a
// binding to skillc's naming, and are decided in Go for pass-through bindings (bindingFindings).
func passThroughRule(rule string) bool {
	if rule == "RBAC-16" || rule == "RBAC-17" {
		return false
	}
	for _, p := range []string{"RBAC-", "POD-", "IMG-", "SEC-"} {
		if strings.HasPrefix(rule, p) {
			return true
		}
	}
	return false
}

// CheckPassThrough judges the gated objects among objs (see Gated; the others are not looked at)
// and adds their findings to rep, located at each object's file and line with the object's field
// path. compiled are the objects emitted beside them: a pass-through binding may refer only to a
// role among compiled or objs. It returns the findings per object, indexed like objs.
//
// Each object is judged without the annotation skillc.dev/skillpacks (the pack identities skillc
// writes on the Jobs it compiles; the library's allow-lists match them): a forged one gives
// nothing. The library is run without the CompilerConfig's allow-lists, and no exception applies.
func (g *Gate) CheckPassThrough(ctx context.Context, rep *Report, compiled []compile.Object, objs []PassThrough) (_ []diag.Diagnostics, err error) {
	ctx, end := g.withBudget(ctx)
	defer func() { err = end(err) }()
	out := make([]diag.Diagnostics, len(objs))
	roles := emittedRoles(compiled, objs)
	var eng *Engine
	for i, p := range objs {
		apiVersion, _ := p.Object["apiVersion"].(string)
		kind, _ := p.Object["kind"].(string)
		if !Gated(apiVersion, kind) {
			continue
		}
		if eng == nil {
			var err error
			if eng, err = g.passThroughEngine(ctx); err != nil {
				return nil, err
			}
		}
		m, err := withoutIdentity(p.Object)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", kind, mapRef(m), err)
		}
		findings, builtin, err := eng.evalSplit(ctx, m)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", mapRef(m), err)
		}
		rep.Stats.Objects++
		rep.Stats.Evaluations++
		for j, f := range findings {
			if builtin[j] && !passThroughRule(f.Rule) {
				continue
			}
			msg := f.Message // a user policy's own text
			if builtin[j] {
				msg = mapRef(m) + ": " + f.Detail
				if f.Detail == "" {
					msg = strings.TrimPrefix(f.Message, f.Rule+": ")
				}
			}
			sev := diag.SeverityDeny
			if f.Severity == "warn" {
				sev = diag.SeverityWarning
			}
			out[i] = append(out[i], diag.Diagnostic{File: p.File, Line: p.Line, Field: f.Field, Rule: f.Rule, Severity: sev, Message: msg})
		}
		if name := mapName(m); apiGroup(apiVersion) == groupRBAC && (kind == "ClusterRole" || kind == "ClusterRoleBinding") && builtInRole(name) {
			// The API server reconciles these at start; one emitted under their name replaces (or
			// adds rules to) what every binding of cluster-admin, admin, edit or view grants.
			out[i] = append(out[i], diag.Diagnostic{File: p.File, Line: p.Line, Field: "metadata.name", Rule: "RBAC-16", Severity: diag.SeverityDeny,
				Message: fmt.Sprintf("%s: is named like a role the API server creates and reconciles (cluster-admin, admin, edit, view, system:*): applying it changes what every binding of that name grants. Fix: give it a name of its own; this cannot be waived", mapRef(m))})
		}
		if apiGroup(apiVersion) == groupRBAC && (kind == "RoleBinding" || kind == "ClusterRoleBinding") {
			for _, f := range bindingFindings(m, roles) {
				f.File, f.Line = p.File, p.Line
				out[i] = append(out[i], f)
			}
		}
		out[i].Sort()
		rep.Findings = append(rep.Findings, out[i]...)
	}
	rep.Findings.Sort()
	return out, nil
}

// passThroughEngine is the gate's engine when the CompilerConfig has no allow-lists, else one
// built without them: an allow-list names a pack, and a pass-through object has none.
func (g *Gate) passThroughEngine(ctx context.Context) (*Engine, error) {
	pol := g.cfg.Spec.Policy
	if len(pol.AllowedHostPaths)+len(pol.HostNamespaceAllow)+len(pol.RunAsRootAllow)+len(pol.PrivilegedAllow)+len(pol.Exceptions) == 0 {
		return g.engine, nil
	}
	if g.passEngine != nil {
		return g.passEngine, nil
	}
	spec := g.cfg.Spec
	spec.Policy.AllowedHostPaths, spec.Policy.HostNamespaceAllow = nil, nil
	spec.Policy.RunAsRootAllow, spec.Policy.PrivilegedAllow, spec.Policy.Exceptions = nil, nil, nil
	eng, err := NewFolders(ctx, Params(&spec, g.today), g.dirs...)
	if err != nil {
		return nil, fmt.Errorf("preparing the policies for pass-through objects: %w", err)
	}
	g.passEngine = eng
	return eng, nil
}

// withoutIdentity is a JSON copy of an object without the annotation skillc.dev/skillpacks, in its
// own metadata and in its pod templates'.
func withoutIdentity(obj map[string]any) (map[string]any, error) {
	raw, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	for _, meta := range []map[string]any{
		dig(m, "metadata"),
		dig(m, "spec", "template", "metadata"),
		dig(m, "spec", "jobTemplate", "metadata"),
		dig(m, "spec", "jobTemplate", "spec", "template", "metadata"),
		dig(m, "template", "metadata"), // PodTemplate
	} {
		if annos, ok := meta["annotations"].(map[string]any); ok {
			delete(annos, compile.AnnotationSkillPacks)
		}
	}
	return m, nil
}

// mapRef names an object as the library's messages do: "Kind ns/name", or "Kind name".
func mapRef(m map[string]any) string {
	kind, _ := m["kind"].(string)
	name, _ := dig(m, "metadata")["name"].(string)
	if ns, _ := dig(m, "metadata")["namespace"].(string); ns != "" {
		return kind + " " + ns + "/" + name
	}
	return kind + " " + name
}

// roleKey names a role a binding can refer to: kind, namespace (a Role's) and name.
type roleKey struct{ kind, namespace, name string }

// emittedRoles are the Roles and ClusterRoles skillc emits, compiled or passed through: the roles
// the gate judged.
func emittedRoles(compiled []compile.Object, objs []PassThrough) map[roleKey]bool {
	roles := map[roleKey]bool{}
	add := func(kind, ns, name string) {
		switch kind {
		case "Role":
			roles[roleKey{kind, ns, name}] = true
		case "ClusterRole":
			roles[roleKey{kind, "", name}] = true
		}
	}
	for _, o := range compiled {
		add(compile.KindOf(o), o.GetNamespace(), o.GetName())
	}
	for _, p := range objs {
		if apiVersion, _ := p.Object["apiVersion"].(string); apiGroup(apiVersion) != groupRBAC {
			continue
		}
		kind, _ := p.Object["kind"].(string)
		meta := dig(p.Object, "metadata")
		ns, _ := meta["namespace"].(string)
		name, _ := meta["name"].(string)
		add(kind, ns, name)
	}
	return roles
}

// builtInRole reports whether a role name is one the API server creates and reconciles at every
// start (cluster-admin, admin, edit, view, system:*): an emitted object of that name does not say
// what it grants.
func builtInRole(name string) bool {
	return slices.Contains([]string{"cluster-admin", "admin", "edit", "view"}, name) || strings.HasPrefix(name, "system:")
}

// mapName is an object's metadata.name.
func mapName(m map[string]any) string {
	n, _ := dig(m, "metadata")["name"].(string)
	return n
}

// bindingFindings decide RBAC-16 and RBAC-17 for a pass-through binding. RBAC-16: its roleRef
// names a Role or ClusterRole among the emitted objects (so the gate judged what it grants), never
// a built-in role. RBAC-17: no subject is a system group or user, or a kube-system ServiceAccount.
// Neither can be waived.
func bindingFindings(m map[string]any, roles map[roleKey]bool) diag.Diagnostics {
	var out diag.Diagnostics
	ref := mapRef(m)
	kind, _ := m["kind"].(string)
	ns, _ := dig(m, "metadata")["namespace"].(string)
	deny := func(rule, field, format string, args ...any) {
		out = append(out, diag.Diagnostic{Rule: rule, Field: field, Severity: diag.SeverityDeny, Message: ref + ": " + fmt.Sprintf(format, args...)})
	}
	roleRef := dig(m, "roleRef")
	rk, _ := roleRef["kind"].(string)
	rn, _ := roleRef["name"].(string)
	rg, _ := roleRef["apiGroup"].(string)
	const notGenerated = "Fix: bind a Role or ClusterRole emitted beside it (listed in the kustomization or package), which the gate judges; this cannot be waived"
	switch {
	case rg != groupRBAC:
		deny("RBAC-16", "roleRef.apiGroup", "refers to a role of API group %q: a binding refers to a Role or ClusterRole of %s. %s", rg, groupRBAC, notGenerated)
	case rk != "Role" && rk != "ClusterRole" || kind == "ClusterRoleBinding" && rk == "Role":
		deny("RBAC-16", "roleRef.kind", "refers to a %q: a %s refers to a ClusterRole%s. %s", rk, kind, map[bool]string{true: " or a Role of its namespace", false: ""}[kind == "RoleBinding"], notGenerated)
	case builtInRole(rn):
		deny("RBAC-16", "roleRef.name", "refers to %s %q, a role the API server creates and reconciles itself: the gate cannot judge what it grants (cluster-admin, admin, edit, view and system:* roles grant the cluster or the namespace). %s", rk, rn, notGenerated)
	case rk == "Role" && !roles[roleKey{"Role", ns, rn}]:
		deny("RBAC-16", "roleRef.name", "refers to Role %q in namespace %q, which is not among the objects skillc emits: the gate cannot see what it grants. %s", rn, ns, notGenerated)
	case rk == "ClusterRole" && !roles[roleKey{"ClusterRole", "", rn}]:
		deny("RBAC-16", "roleRef.name", "refers to ClusterRole %q, which is not among the objects skillc emits: the gate cannot see what it grants. %s", rn, notGenerated)
	}
	subjects, _ := m["subjects"].([]any)
	for i, s := range subjects {
		sm, _ := s.(map[string]any)
		sk, _ := sm["kind"].(string)
		sn, _ := sm["name"].(string)
		sns, _ := sm["namespace"].(string)
		if sk == "ServiceAccount" && sns == "" && kind == "RoleBinding" {
			sns = ns // a RoleBinding's ServiceAccount without a namespace is in the binding's
		}
		field := fmt.Sprintf("subjects[%d]", i)
		switch {
		case (sk == "Group" || sk == "User") && strings.HasPrefix(sn, "system:"):
			deny("RBAC-17", field, "binds %s %q, a Kubernetes system identity (system:masters, system:authenticated, system:unauthenticated, system:anonymous, system:serviceaccounts...): the grant reaches the control plane or every client. Fix: bind a ServiceAccount of a tenant namespace; this cannot be waived", sk, sn)
		case sk == "ServiceAccount" && sns == "kube-system":
			deny("RBAC-17", field, "binds ServiceAccount kube-system/%s: the control plane's own identities are not a tenant's to grant. Fix: bind a ServiceAccount of a tenant namespace; this cannot be waived", sn)
		}
	}
	return out
}
