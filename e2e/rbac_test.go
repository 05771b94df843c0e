package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/skillc-dev/skillc/policy"
)

// escalationRules are skillc's RBAC rules that grant something the documented deployer
// (testdata/deployer-rbac.yaml) does not hold, so the API server's escalation check must refuse
// the apply too. Not here: RBAC-07 (writing Roles and bindings: the deployer must hold that to
// deploy at all, so only skillc's gate stops a pack from granting it), RBAC-15 (workload writes
// the deployer holds in the namespace), RBAC-22 (ConfigMap writes: the deployer writes the skills'
// ConfigMaps), and the binding rules (RBAC-16..19, checked on bindings skillc generates itself).
// RBAC-11 includes the admission policies, their bindings and apiservices (issue 21).
var escalationRules = []string{"RBAC-01", "RBAC-02", "RBAC-03", "RBAC-04", "RBAC-05", "RBAC-06", "RBAC-08",
	"RBAC-09", "RBAC-10", "RBAC-11", "RBAC-12", "RBAC-14"}

const deployerNS, deployerName = "skillc-system", "skillc-deployer"

// deployerConfig installs testdata/deployer-rbac.yaml as the admin and returns a client config
// authenticated as that ServiceAccount with a real token (TokenRequest), no admin rights.
func deployerConfig(t *testing.T, ctx context.Context, cs kubernetes.Interface) *rest.Config {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "deployer-rbac.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ensureNamespace(t, ctx, cs, deployerNS, "restricted")
	a := newApplier(t, cp.admin, "skillc-e2e-admin")
	for _, o := range readYAMLObjects(t, b, "deployer-rbac.yaml") {
		if _, err := a.apply(ctx, o, false); err != nil {
			t.Fatalf("%s: %v", describe(o), err)
		}
	}
	tok, err := cs.CoreV1().ServiceAccounts(deployerNS).CreateToken(ctx, deployerName,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr(int64(3600))}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := rest.CopyConfig(cp.admin)
	cfg.BearerToken = tok.Status.Token
	// Prove the identity: the deployer is not an admin.
	dcs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dcs.CoreV1().Secrets(deployerNS).List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Fatalf("the deployer can list Secrets (%v): it is not the least-privileged identity under test", err)
	}
	return cfg
}

// bindDeployer gives the deployer its per-namespace role in ns (what a platform does per tenant).
func bindDeployer(t *testing.T, ctx context.Context, cs, deployer kubernetes.Interface, ns string) {
	t.Helper()
	rb := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: deployerName, Namespace: ns},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: deployerName},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: deployerName, Namespace: deployerNS}},
	}
	if _, err := cs.RbacV1().RoleBindings(ns).Create(ctx, rb, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	// The RBAC authorizer reads bindings from an informer: wait until the deployer's own access
	// review says the binding is in force.
	err := wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		r, err := deployer.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, &authorizationv1.SelfSubjectAccessReview{
			Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &authorizationv1.ResourceAttributes{
				Namespace: ns, Verb: "patch", Resource: "serviceaccounts"}}}, metav1.CreateOptions{})
		return err == nil && r.Status.Allowed, nil
	})
	if err != nil {
		t.Fatalf("the deployer's RoleBinding in %s never took effect: %v", ns, err)
	}
}

func isEscalation(err error) bool {
	return apierrors.IsForbidden(err) && strings.Contains(err.Error(), "attempting to grant RBAC permissions not currently held")
}

// TestDeployerRBAC (item 4): every golden render is applied, whole, by the least-privileged
// deployer (not cluster-admin), and the API server's escalation check passes for all of it; the
// Roles and ClusterRoles of the denied fixtures, and Roles changed one rule at a time, are judged
// by skillc's gate and applied by the same deployer: each one skillc denies for a permission the
// deployer does not hold is refused by the API server as an escalation, and each one skillc
// passes is accepted.
func TestDeployerRBAC(t *testing.T) {
	ctx := testContext(t)
	cs := clientset(t, nil)
	dcfg := deployerConfig(t, ctx, cs)
	dep := newApplier(t, dcfg, "skillc-deployer")
	dcs, err := kubernetes.NewForConfig(dcfg)
	if err != nil {
		t.Fatal(err)
	}
	// Rules an allowed render grants (through a platform exception, e.g. one named Secret) the
	// deployer must hold; the same rule in a denied render cannot then be refused by the API
	// server: only skillc's gate (an expired exception) refuses it.
	held := map[string]bool{}
	for _, c := range fixtureCases(t, "") {
		for _, o := range goldenRender(t, c.name) {
			if o.GetKind() == "Role" || o.GetKind() == "ClusterRole" {
				rules, _, _ := unstructured.NestedSlice(o.Object, "rules")
				for _, r := range rules {
					for _, a := range ruleAtoms(r) {
						held[o.GetKind()+a] = true
					}
				}
			}
		}
	}

	t.Run("allowed renders", func(t *testing.T) {
		for _, c := range fixtureCases(t, "") {
			compileUngated(t, &c)
			objs := goldenRender(t, c.name)
			renamespace(objs, "r-"+c.name)
			for ns, level := range levelFor(t, objs, c.profile) {
				ensureNamespace(t, ctx, cs, ns, level)
				bindDeployer(t, ctx, cs, dcs, ns)
			}
			for _, o := range objs {
				if _, err := dep.apply(ctx, o, false); err != nil {
					t.Errorf("%s: %s: the deployer cannot apply it: %v", c.dir, describe(o), err)
				}
			}
		}
	})

	ctxNS := "r-escalation"
	ensureNamespace(t, ctx, cs, ctxNS, "restricted")
	bindDeployer(t, ctx, cs, dcs, ctxNS)
	// Each fixture's roles are judged in its own profile (a denied fixture may be denied only under
	// restricted, as least-privilege's pods delete is); the mutations under baseline.
	engines := map[string]*policy.Engine{}
	for _, profile := range []string{"baseline", "restricted"} {
		if engines[profile], err = policy.New(ctx, map[string]any{"profile": profile, "today": time.Now().UTC().Format(time.DateOnly)}); err != nil {
			t.Fatal(err)
		}
	}
	var roles []*unstructured.Unstructured
	profileOf := map[*unstructured.Unstructured]string{}
	for _, c := range fixtureCases(t, "denied") {
		for _, o := range compileUngated(t, &c) {
			if o.GetKind() == "Role" || o.GetKind() == "ClusterRole" {
				roles = append(roles, o)
				profileOf[o] = c.profile
			}
		}
	}
	for i, rules := range roleMutations {
		kind := "Role"
		if rules.cluster {
			kind = "ClusterRole"
		}
		o := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind}}
		o.SetName(fmt.Sprintf("sympozium-skill-mutation-%02d-%s", i, rules.name))
		o.SetLabels(map[string]string{"app.kubernetes.io/managed-by": "skillc"})
		m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&rbacv1.Role{Rules: []rbacv1.PolicyRule{rules.rule}})
		if err != nil {
			t.Fatal(err)
		}
		o.Object["rules"] = m["rules"]
		roles = append(roles, o)
	}
	var refused, denied, agreed int
	for _, o := range roles {
		if o.GetKind() == "Role" {
			o.SetNamespace(ctxNS)
		}
		engine := engines["baseline"]
		if profileOf[o] == "restricted" {
			engine = engines["restricted"]
		}
		findings, err := engine.Eval(ctx, o.Object)
		if err != nil {
			t.Fatal(err)
		}
		var denies, escalations []string
		for _, f := range findings {
			if f.Severity != "deny" {
				continue
			}
			denies = append(denies, f.Rule+": "+f.Message)
			if slices.Contains(escalationRules, f.Rule) {
				escalations = append(escalations, f.Rule)
			}
		}
		rules, _, _ := unstructured.NestedSlice(o.Object, "rules")
		allHeld := len(rules) > 0
		for _, r := range rules {
			for _, a := range ruleAtoms(r) {
				// A grant of every name covers a grant of one.
				allHeld = allHeld && (held[o.GetKind()+a] || held[o.GetKind()+a[:strings.LastIndex(a, "|")+1]])
			}
		}
		if allHeld && len(escalations) > 0 {
			t.Logf("%s: every rule of it is granted by an allowed render (under a platform exception), so the deployer holds it: skillc alone denies %v here", describe(o), escalations)
			escalations = nil
		}
		_, err = dep.apply(ctx, o, false)
		if err != nil && !isEscalation(err) {
			t.Errorf("%s: refused for another reason than escalation: %v", describe(o), err)
			continue
		}
		api := "accepted"
		if err != nil {
			api = "refused: " + err.Error()
			refused++
		}
		if len(denies) > 0 {
			denied++
		}
		verdicts := fmt.Sprintf("skillc: %s\nAPI server (as %s): %s", verdict(denies), deployerName, api)
		switch {
		case len(escalations) > 0 && err == nil:
			t.Errorf("%s: skillc denies %v (a permission the deployer does not hold), but the API server let the deployer grant it\n%s", describe(o), escalations, verdicts)
		case len(denies) == 0 && err != nil:
			t.Errorf("%s: skillc passes it, but the API server refuses the deployer\n%s", describe(o), verdicts)
		case len(denies) > 0 && err == nil:
			t.Logf("%s: skillc is stricter than the escalation check here (by design)\n%s", describe(o), verdicts)
		default:
			agreed++
		}
	}
	t.Logf("%d Roles/ClusterRoles judged: skillc denied %d, the API server refused the deployer %d, %d agreed", len(roles), denied, refused, agreed)
	if len(roles) < len(roleMutations)+2 {
		t.Fatalf("only %d roles judged: the denied fixtures were not found", len(roles))
	}
}

type roleMutation struct {
	name    string
	cluster bool
	rule    rbacv1.PolicyRule
}

func rule(groups, resources, verbs []string) rbacv1.PolicyRule {
	return rbacv1.PolicyRule{APIGroups: groups, Resources: resources, Verbs: verbs}
}

var core = []string{""}

// roleMutations are one-rule Roles: one per escalation skillc names, and controls that both allow.
var roleMutations = []roleMutation{
	{"read-pods", false, rule(core, []string{"pods", "pods/log"}, []string{"get", "list", "watch"})},
	{"read-nodes", true, rule(core, []string{"nodes"}, []string{"get", "list", "watch"})},
	{"wildcard-verbs", false, rule(core, []string{"pods"}, []string{"*"})},
	{"wildcard-resources", false, rule([]string{"apps"}, []string{"*"}, []string{"get"})},
	{"wildcard-groups", false, rule([]string{"*"}, []string{"pods"}, []string{"get"})},
	{"read-secrets", false, rule(core, []string{"secrets"}, []string{"get", "list"})},
	{"write-secrets", false, rule(core, []string{"secrets"}, []string{"create"})},
	{"escalate-roles", false, rule([]string{"rbac.authorization.k8s.io"}, []string{"roles"}, []string{"escalate"})},
	{"bind-clusterroles", true, rule([]string{"rbac.authorization.k8s.io"}, []string{"clusterroles"}, []string{"bind"})},
	{"impersonate", true, rule(core, []string{"users", "groups", "serviceaccounts"}, []string{"impersonate"})},
	{"pods-exec", false, rule(core, []string{"pods/exec"}, []string{"create", "get"})},
	{"pods-attach", false, rule(core, []string{"pods/attach"}, []string{"get"})},
	{"nodes-proxy", true, rule(core, []string{"nodes/proxy"}, []string{"get"})},
	{"token-request", false, rule(core, []string{"serviceaccounts/token"}, []string{"create"})},
	{"csr-approve", true, rule([]string{"certificates.k8s.io"}, []string{"certificatesigningrequests/approval"}, []string{"update"})},
	{"webhooks", true, rule([]string{"admissionregistration.k8s.io"}, []string{"validatingwebhookconfigurations"}, []string{"create"})},
	{"mutating-admission-policies", true, rule([]string{"admissionregistration.k8s.io"}, []string{"mutatingadmissionpolicies"}, []string{"create"})},
	{"validating-admission-policies", true, rule([]string{"admissionregistration.k8s.io"}, []string{"validatingadmissionpolicies"}, []string{"patch"})},
	{"mutating-admission-policy-bindings", true, rule([]string{"admissionregistration.k8s.io"}, []string{"mutatingadmissionpolicybindings"}, []string{"update"})},
	{"validating-admission-policy-bindings", true, rule([]string{"admissionregistration.k8s.io"}, []string{"validatingadmissionpolicybindings"}, []string{"create", "delete"})},
	{"apiservices", true, rule([]string{"apiregistration.k8s.io"}, []string{"apiservices"}, []string{"create", "update"})},
	// The same kinds written from a namespaced Role: they are cluster-scoped, so the grant is
	// useless, but skillc and the escalation check both refuse it.
	{"admission-policies-in-a-role", false, rule([]string{"admissionregistration.k8s.io"}, []string{"validatingadmissionpolicies", "validatingadmissionpolicybindings"}, []string{"create"})},
	{"apiservices-in-a-role", false, rule([]string{"apiregistration.k8s.io"}, []string{"apiservices"}, []string{"patch"})},
	{"cluster-wide-write", true, rule(core, []string{"configmaps"}, []string{"create", "update"})},
	{"namespace-update", false, rule(core, []string{"namespaces"}, []string{"update", "patch"})},
	// Held by the deployer (it must manage Roles): skillc alone refuses it (RBAC-07).
	{"write-roles", false, rule([]string{"rbac.authorization.k8s.io"}, []string{"roles"}, []string{"create"})},
	// Held by the deployer (it writes the skills' ConfigMaps): skillc alone warns on it in baseline
	// and refuses it in restricted (RBAC-22).
	{"write-configmaps", false, rule(core, []string{"configmaps"}, []string{"update", "patch"})},
}

// ruleAtoms expands an RBAC rule into the single permissions it grants, group|resource|verb|name
// (name empty: every name), so that a rule is held when each of its permissions is held by some
// rule of an allowed render, however the rules are split.
func ruleAtoms(r any) []string {
	m, _ := r.(map[string]any)
	list := func(k string) []string {
		v, _, _ := unstructured.NestedStringSlice(m, k)
		return v
	}
	names := list("resourceNames")
	if len(names) == 0 {
		names = []string{""}
	}
	var out []string
	for _, g := range list("apiGroups") {
		for _, res := range list("resources") {
			for _, v := range list("verbs") {
				for _, n := range names {
					out = append(out, g+"|"+res+"|"+v+"|"+n)
				}
			}
		}
	}
	for _, u := range list("nonResourceURLs") {
		for _, v := range list("verbs") {
			out = append(out, "url|"+u+"|"+v+"|")
		}
	}
	return out
}
