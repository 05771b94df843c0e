package compile

import (
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
)

// buildRBAC renders the per-run Role/RoleBinding and ClusterRole/ClusterRoleBinding a pack declares.
// They carry no ownerReferences: the AgentRun's UID is unknown before apply, so the GitOps tool
// prunes them when the run leaves Git.
func buildRBAC(identity api.Identity, pod *Pod, t Toggle) ([]Object, diag.Diagnostics) {
	sc := t.Pack.Spec.Sidecar
	if sc == nil || (len(sc.RBAC) == 0 && len(sc.ClusterRBAC) == 0) {
		return nil, nil
	}
	pack := t.Pack.Metadata.Name
	name := RBACName(pack, pod.Name)
	if len(name) > maxObjectName { // tested first: the field's path is formatted only for the error
		return nil, checkLength(t.Src, t.Field+".skillPackRef", "RBAC object name", name, maxObjectName)
	}
	l := func() map[string]string {
		return labels(runLabelKey(pod), pod.Name, LabelSkill, pack, LabelSympoziumOwner, OwnerSympozium)
	}
	// The roles carry the pack's identity (AnnotationSkillPacks), as the pod does: conftest on a
	// render matches an exception to the pack that was resolved, never to a bare name a tenant's
	// private pack can share with a catalog pack.
	packID := t.Identity()
	roleMeta := func(namespace string) metav1.ObjectMeta {
		m := objectMeta(name, namespace, l())
		m.Annotations = map[string]string{AnnotationSkillPacks: packID}
		return m
	}
	subjects := []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: ServiceAccountName(identity, pod.Name), Namespace: pod.Namespace}}
	var out []Object
	if len(sc.RBAC) > 0 {
		out = append(out,
			&rbacv1.Role{
				TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "Role"},
				ObjectMeta: roleMeta(pod.Namespace),
				Rules:      policyRules(sc.RBAC),
			},
			&rbacv1.RoleBinding{
				TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
				ObjectMeta: objectMeta(name, pod.Namespace, l()),
				Subjects:   subjects,
				RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: name},
			})
	}
	if len(sc.ClusterRBAC) > 0 {
		out = append(out,
			&rbacv1.ClusterRole{
				TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole"},
				ObjectMeta: roleMeta(""),
				Rules:      policyRules(sc.ClusterRBAC),
			},
			&rbacv1.ClusterRoleBinding{
				TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding"},
				ObjectMeta: objectMeta(name, "", l()),
				Subjects:   subjects,
				RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name},
			})
	}
	return out, nil
}

// rbacOrigins records where one of a pack's RBAC objects came from, as one record that
// rbacRecords expands when asked.
func rbacOrigins(pod *Pod, t *Toggle, o Object, rr *recorder) *origins {
	from := rr.begin(pod, "")
	var rules int32 // which of the pack's lists the object's rules are: none, rbac, clusterRBAC
	switch o.(type) {
	case *rbacv1.Role:
		rules = 1
	case *rbacv1.ClusterRole:
		rules = 2
	}
	from.add(rec{src: &t.Src, t: t, fidx: rules, flags: rbacObject})
	return from.done()
}

// rbacRecords expands an RBAC object's record: the object is the toggle's that put the pack in
// the pod, its subject the run's ServiceAccount, and each rule the pack's rule it copies
// (sidecar.rbac for a Role, sidecar.clusterRBAC for a ClusterRole).
func rbacRecords(r *rec, pod *Pod, yield func(rec)) {
	t := r.t
	yield(rec{src: &t.Src, t: t, field: ".skillPackRef", flags: toggleField})
	yield(rec{path: "subjects", src: &pod.Src, field: "metadata.name"})
	sc := t.Pack.Spec.Sidecar
	list, field := sc.RBAC, "spec.sidecar.rbac[#]"
	switch r.fidx {
	case 0:
		return
	case 2:
		list, field = sc.ClusterRBAC, "spec.sidecar.clusterRBAC[#]"
	}
	for i := range list {
		// A rule is copied as declared: a path below it is the same below the pack's rule.
		yield(rec{path: "rules[#]", idx: [2]int32{int32(i)}, src: &t.Pack.Src, field: field, fidx: int32(i), flags: verbatim})
	}
}

// policyRules copies the declared rules in order.
func policyRules(in []api.PolicyRule) []rbacv1.PolicyRule {
	out := make([]rbacv1.PolicyRule, len(in))
	for i, r := range in {
		out[i] = rbacv1.PolicyRule{
			APIGroups:       r.APIGroups,
			Resources:       r.Resources,
			Verbs:           r.Verbs,
			ResourceNames:   r.ResourceNames,
			NonResourceURLs: r.NonResourceURLs,
		}
	}
	return out
}
