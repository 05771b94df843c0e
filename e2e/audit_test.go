package e2e

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"mvdan.cc/sh/v3/shell"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/needs"
	"github.com/skillc-dev/skillc/source"
)

// The proof of issue 24 against the API server's audit log (docs/real-cluster.md): for every
// pack whose skills name kubectl commands (the built-in packs of skills/, the packs of every
// golden case with RBAC, and testdata/audit-pack.yaml, which runs each subcommand skillc
// resolves), `skillc rbac --format json` says which requests each command makes and which rules
// allow them. Each analysed command is run for real with bin/kubectl as a ServiceAccount bound
// to exactly the suggested rules, and the audit log, not kubectl's exit code, is the judge:
//
//	(a) no request of those commands is refused by the authorizer with the suggested rules;
//	(b) every resource request the log records for a command (verb, group, resource,
//	    subresource, scope) is one skillc inferred for that command;
//	(c) with each (group, resource, verb) atom of the suggested rules removed in turn, some
//	    command that needs it is refused for it: every atom is needed (an atom that only
//	    optional requests need, which kubectl did not make, is listed apart);
//	(d) with the grants each pack writes itself, every request is refused by the authorizer
//	    exactly when skillc's model (needs.Allows, behind RBAC-20 and RBAC-21) says so.

// auditSubstitutions fills a command's variables and placeholders before it is run. Every
// object in a proof's namespace (and the one Node) is named "web", so one name serves a pod, a
// deployment, a job, a service or a node alike. A command with a variable or placeholder not in
// this table is skipped, and counted as skipped with the name it lacked.
var auditSubstitutions = map[string]string{
	"NAMESPACE": "", "NS": "", "namespace": "", "ns": "", // the proof's (the run's) namespace
	"POD": "web", "pod": "web",
	"NAME": "web", "name": "web",
	"DEPLOYMENT": "web", "deployment": "web",
	"JOB": "web", "job": "web",
	"SERVICE": "web", "service": "web",
	"NODE": "web", "node": "web",
	"CONTAINER": "web", "container": "web",
	"REPLICAS": "1", "replicas": "1", "n": "1",
	"AGENT_RUN_ID": "audit-run", // the env var Sympozium sets in every run's pod
}

// fixtureName is the name of every fixture object; fixtureHash its ReplicaSet's pod-template-hash.
const fixtureName, fixtureHash = "web", "5d9c7b6f8"

// rbacReport is `skillc rbac --format json`.
type rbacReport struct {
	Pack        string              `json:"pack"`
	RBAC        []rbacv1.PolicyRule `json:"rbac"`
	ClusterRBAC []rbacv1.PolicyRule `json:"clusterRBAC"`
	Commands    []rbacCommand       `json:"commands"`
}

type rbacCommand struct {
	File     string        `json:"file"`
	Line     int           `json:"line"`
	Command  string        `json:"command"`
	Analysed bool          `json:"analysed"`
	Reason   string        `json:"reason"`
	Requests []rbacRequest `json:"requests"`
}

// rbacRequest is one request skillc infers. Optional: kubectl goes on without it (describe's
// events, the list kubectl delete's wait falls back to).
type rbacRequest struct {
	Verb        string `json:"verb"`
	Group       string `json:"group"`
	Resource    string `json:"resource"`
	Subresource string `json:"subresource"`
	Scope       string `json:"scope"`
	Optional    bool   `json:"optional"`
}

func (r rbacRequest) String() string {
	res := r.Resource
	if r.Subresource != "" {
		res += "/" + r.Subresource
	}
	if r.Group != "" {
		res += "." + r.Group
	}
	return r.Verb + " " + res + " (" + r.Scope + ")"
}

func (c rbacCommand) String() string {
	return c.File + ":" + strconv.Itoa(c.Line) + ": `" + c.Command + "`"
}

// atom is one (group, resource[/subresource], verb) a rule grants, in the Role (namespace) or
// the ClusterRole (cluster).
type atom struct {
	scope, group, resource, verb string
}

func (a atom) String() string {
	g := a.group
	if g == "" {
		g = "core"
	}
	return fmt.Sprintf("%s %s/%s (%s)", a.verb, g, a.resource, a.scope)
}

func (a atom) matches(r rbacRequest) bool {
	res := r.Resource
	if r.Subresource != "" {
		res += "/" + r.Subresource
	}
	return a.group == r.Group && a.resource == res && a.verb == r.Verb
}

func atomsOf(scope string, rules []rbacv1.PolicyRule) []atom {
	var out []atom
	for _, r := range rules {
		for _, g := range r.APIGroups {
			for _, res := range r.Resources {
				for _, v := range r.Verbs {
					out = append(out, atom{scope, g, res, v})
				}
			}
		}
	}
	return out
}

func rulesOf(atoms []atom, scope string) []rbacv1.PolicyRule {
	var out []rbacv1.PolicyRule
	for _, a := range atoms {
		if a.scope == scope {
			out = append(out, rbacv1.PolicyRule{APIGroups: []string{a.group}, Resources: []string{a.resource}, Verbs: []string{a.verb}})
		}
	}
	return out
}

// auditEvent is the part of an audit.k8s.io/v1 Event the proof reads.
type auditEvent struct {
	AuditID    string `json:"auditID"`
	Stage      string `json:"stage"`
	Verb       string `json:"verb"`
	RequestURI string `json:"requestURI"`
	User       struct {
		Username string `json:"username"`
	} `json:"user"`
	ImpersonatedUser *struct {
		Username string `json:"username"`
	} `json:"impersonatedUser"`
	ObjectRef *struct {
		Resource    string `json:"resource"`
		Namespace   string `json:"namespace"`
		Name        string `json:"name"`
		APIGroup    string `json:"apiGroup"`
		Subresource string `json:"subresource"`
	} `json:"objectRef"`
	ResponseStatus *struct {
		Code int `json:"code"`
	} `json:"responseStatus"`
	RequestReceivedTimestamp metav1.MicroTime  `json:"requestReceivedTimestamp"`
	Annotations              map[string]string `json:"annotations"`
}

// forbidden is a 403 the authorizer decided (not, say, admission refusing a create in a
// namespace being deleted).
func (e auditEvent) forbidden() bool {
	return e.code() == 403 && e.Annotations["authorization.k8s.io/decision"] == "forbid"
}

func (e auditEvent) code() int {
	if e.ResponseStatus == nil {
		return 0
	}
	return e.ResponseStatus.Code
}

// request is the event as skillc's model writes it: scope namespace only in the run's namespace
// (a Role is bound there alone), cluster otherwise (all namespaces, another namespace, a
// cluster-scoped resource).
func (e auditEvent) request(runNS string) rbacRequest {
	scope := "cluster"
	if e.ObjectRef.Namespace == runNS {
		scope = "namespace"
	}
	return rbacRequest{Verb: e.Verb, Group: e.ObjectRef.APIGroup, Resource: e.ObjectRef.Resource, Subresource: e.ObjectRef.Subresource, Scope: scope}
}

func (e auditEvent) String() string {
	return fmt.Sprintf("%s %s -> %d (%s)", e.Verb, e.RequestURI, e.code(), e.Annotations["authorization.k8s.io/decision"])
}

// auditor runs kubectl as an impersonated ServiceAccount and reads what the audit log recorded.
type auditor struct {
	t       *testing.T
	ctx     context.Context
	cs      kubernetes.Interface // as auditUser: its requests are the only ones logged
	home    string               // kubectl's HOME: its discovery cache, shared by all commands
	dir     string
	f       *os.File
	r       *bufio.Reader
	partial []byte
	marker  int
	seen    map[string]bool // audit IDs already given to a command
}

func newAuditor(t *testing.T, ctx context.Context) *auditor {
	t.Helper()
	cfg := rest.CopyConfig(cp.admin)
	cfg.BearerToken = auditToken
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(cp.auditLog)
	if err != nil {
		t.Fatalf("the audit log: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	return &auditor{t: t, ctx: ctx, cs: cs, home: home, dir: dir, f: f, r: bufio.NewReader(f), seen: map[string]bool{}}
}

// kubeconfig writes a kubeconfig for auditUser whose context namespace is ns: the namespace a
// command without -n uses, as the run's in-cluster config does.
func (a *auditor) kubeconfig(ns string) string {
	p := filepath.Join(a.dir, "kubeconfig-"+ns)
	b := kubeconfig(cp.admin.Host, cp.admin.CAData, auditToken)
	b = bytes.Replace(b, []byte("context: {cluster: e2e, user: e2e}"), fmt.Appendf(nil, "context: {cluster: e2e, user: e2e, namespace: %s}", ns), 1)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		a.t.Fatal(err)
	}
	return p
}

// sync makes a request of its own and reads the log up to its event: whatever was logged for the
// requests before it is read by then. It returns the events read.
func (a *auditor) sync() []auditEvent {
	a.t.Helper()
	a.marker++
	name := fmt.Sprintf("skillc-audit-marker-%d", a.marker)
	if _, err := a.cs.CoreV1().Namespaces().Get(a.ctx, name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		a.t.Fatalf("marker %s: %v", name, err)
	}
	var out []auditEvent
	deadline := time.Now().Add(30 * time.Second)
	for {
		line, err := a.r.ReadBytes('\n')
		if len(line) > 0 && line[len(line)-1] != '\n' {
			a.partial = append(a.partial, line...) // the writer is mid-line: finish it next read
		} else if len(line) > 0 {
			line = append(a.partial, line...)
			a.partial = nil
			var e auditEvent
			if err := json.Unmarshal(line, &e); err != nil {
				a.t.Fatalf("audit log line %q: %v", line, err)
			}
			if e.ObjectRef != nil && e.ObjectRef.Resource == "namespaces" && e.ObjectRef.Name == name && e.ImpersonatedUser == nil {
				return out
			}
			out = append(out, e)
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			a.t.Fatal(err)
		}
		if time.Now().After(deadline) {
			a.t.Fatalf("the audit log never recorded marker %s (is the API server started with testdata/audit-policy.yaml?)", name)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// ranCommand is one run of a command: its argv, kubectl's output and the resource requests the
// audit log recorded for it.
type ranCommand struct {
	argv   []string
	out    string
	events []auditEvent
}

// run runs argv (argv[0] is kubectl) as system:serviceaccount:ns:sa and returns its resource
// requests from the audit log. A command that does not end by itself (a watch, rollout status,
// a delete waiting for a pod no kubelet removes) is stopped after a few seconds: its requests are
// logged by then.
func (a *auditor) run(ns, sa, kubeconfig string, argv []string) ranCommand {
	a.t.Helper()
	user := "system:serviceaccount:" + ns + ":" + sa
	ctx, cancel := context.WithTimeout(a.ctx, 3*time.Second)
	defer cancel()
	args := append([]string{"--kubeconfig=" + kubeconfig, "--as=" + user}, argv[1:]...)
	cmd := exec.CommandContext(ctx, binPath("kubectl"), args...)
	cmd.Dir = a.home // what kubectl cp copies out lands there, never in the repository
	cmd.Env = []string{"HOME=" + a.home, "PATH=/usr/bin:/bin", "EDITOR=true", "KUBE_EDITOR=true"}
	cmd.WaitDelay = 2 * time.Second
	began := time.Now()
	out, _ := cmd.CombinedOutput() // judged by the audit log, not the exit code
	if ctx.Err() != nil {
		// Stopped: let the API server finish the requests it was serving (a watch ends when
		// its connection closes) before the marker, so their events are this command's.
		time.Sleep(300 * time.Millisecond)
	}
	var rc ranCommand
	rc.argv, rc.out = argv, string(out)
	for _, e := range a.sync() {
		if e.ImpersonatedUser == nil || e.ImpersonatedUser.Username != user || e.ObjectRef == nil {
			continue // the markers, the setup's requests; discovery (no objectRef)
		}
		if a.seen[e.AuditID] && !slices.ContainsFunc(rc.events, func(o auditEvent) bool { return o.AuditID == e.AuditID }) {
			continue // the end of a watch an earlier command started, and was judged by
		}
		a.seen[e.AuditID] = true
		if e.RequestReceivedTimestamp.Time.Before(began.Add(-time.Millisecond)) {
			a.t.Fatalf("an audit event of an earlier command came after its marker: %s", e)
		}
		// A long-running request (a watch, logs, exec) is logged when its response starts and
		// again when it completes: one request, its last event.
		if i := slices.IndexFunc(rc.events, func(o auditEvent) bool { return o.AuditID == e.AuditID }); i >= 0 {
			rc.events[i] = e
			continue
		}
		rc.events = append(rc.events, e)
	}
	return rc
}

// packProof is one pack to prove: what `skillc rbac` said about it, and where it came from.
type packProof struct {
	key   string   // the suggestion and the commands: identical packs are proved once
	cases []string // the golden cases (or skills/) it stands for
	uses  int      // how many (case, pack) pairs it stands for
	// written are the distinct grants the pack writes (spec.sidecar.rbac, clusterRBAC) in the
	// sources it stands for: (d) judges each the way skillc does (RBAC-21) and as the API server does.
	written []written
	sa      string // the run's ServiceAccount in the render
	report  rbacReport
}

// written is what a pack grants: its rbac (a Role) and clusterRBAC (a ClusterRole).
type written struct{ rbac, clusterRBAC []rbacv1.PolicyRule }

func (p *packProof) addWritten(w written) {
	b, _ := json.Marshal(w.rbac)
	c, _ := json.Marshal(w.clusterRBAC)
	for _, o := range p.written {
		ob, _ := json.Marshal(o.rbac)
		oc, _ := json.Marshal(o.clusterRBAC)
		if bytes.Equal(b, ob) && bytes.Equal(c, oc) {
			return
		}
	}
	p.written = append(p.written, w)
}

// auditPacks lists the packs to prove: every pack of skills/, and every pack a golden case's
// render grants RBAC to (its Roles and ClusterRoles are labelled sympozium.ai/skill: PACK).
func auditPacks(t *testing.T) []*packProof {
	t.Helper()
	type src struct {
		name, sa string
		paths    []string
		packs    []*api.SkillPack
	}
	var srcs []src
	srcs = append(srcs, src{name: "skills/", sa: "sympozium-agent", paths: []string{"skills"}, packs: inputPacks(t, []string{"skills"}, compile.Options{}, nil)})
	// Every subcommand skillc resolves, in a pack of the proof's own.
	srcs = append(srcs, src{name: "e2e/testdata/audit-pack.yaml", sa: "sympozium-agent", paths: []string{"e2e/testdata/audit-pack.yaml"},
		packs: inputPacks(t, []string{"e2e/testdata/audit-pack.yaml"}, compile.Options{}, nil)})
	for _, c := range fixtureCases(t, "") {
		granted := map[string]string{} // pack name → the ServiceAccount its binding names
		for _, o := range goldenRender(t, c.name) {
			if k := o.GetKind(); k != "RoleBinding" && k != "ClusterRoleBinding" {
				continue
			}
			p := o.GetLabels()["sympozium.ai/skill"]
			subs := unstructuredSubjects(o.Object)
			if p == "" || len(subs) == 0 {
				continue
			}
			if _, ok := granted[p]; !ok {
				granted[p] = subs[0]
			}
		}
		if len(granted) == 0 {
			continue // no RBAC in this case's render
		}
		for _, p := range inputPacks(t, c.paths, c.opts, granted) {
			srcs = append(srcs, src{name: c.name, sa: granted[p.Metadata.Name], paths: c.paths, packs: []*api.SkillPack{p}})
		}
	}
	var out []*packProof
	byKey := map[string]*packProof{}
	for _, s := range srcs {
		for _, p := range s.packs {
			rep := skillcRBAC(t, packName(p), s.paths)
			var w written
			if sc := p.Spec.Sidecar; sc != nil {
				w = written{needs.FromAPI(sc.RBAC), needs.FromAPI(sc.ClusterRBAC)}
			}
			b, _ := json.Marshal([]any{rep.RBAC, rep.ClusterRBAC, commandsKey(rep.Commands)})
			h := sha256.Sum256(b)
			key := hex.EncodeToString(h[:6])
			if pp, ok := byKey[key]; ok {
				pp.addWritten(w)
				pp.uses++
				if !slices.Contains(pp.cases, s.name) {
					pp.cases = append(pp.cases, s.name)
				}
				continue
			}
			pp := &packProof{key: key, cases: []string{s.name}, uses: 1, sa: s.sa, report: rep}
			pp.addWritten(w)
			byKey[key] = pp
			out = append(out, pp)
		}
	}
	return out
}

// inputPacks compiles paths in-process and returns its SkillPacks (those named in only, when
// not nil), sorted by NAMESPACE/NAME.
func inputPacks(t *testing.T, paths []string, opts compile.Options, only map[string]string) []*api.SkillPack {
	t.Helper()
	wd, _ := os.Getwd()
	if err := os.Chdir(repoRoot); err != nil {
		t.Fatal(err)
	}
	files, diags := source.ReadPaths(paths, nil)
	if err := os.Chdir(wd); err != nil {
		t.Fatal(err)
	}
	if diags.HasErrors() {
		t.Fatalf("%v: %v", paths, diags)
	}
	res, _ := compile.Compile(files, opts)
	if res == nil || res.Inputs == nil {
		t.Fatalf("%v: no inputs", paths)
	}
	var out []*api.SkillPack
	for _, p := range res.Inputs.Packs {
		if _, ok := only[p.Metadata.Name]; only == nil || ok {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b *api.SkillPack) int { return cmp.Compare(packName(a), packName(b)) })
	return out
}

func packName(p *api.SkillPack) string { return p.Metadata.Namespace + "/" + p.Metadata.Name }

// commandsKey is the commands without where they were written.
func commandsKey(cs []rbacCommand) []rbacCommand {
	out := make([]rbacCommand, len(cs))
	for i, c := range cs {
		c.File, c.Line = "", 0
		out[i] = c
	}
	return out
}

// unstructuredSubjects returns the ServiceAccount names a binding's subjects name.
func unstructuredSubjects(o map[string]any) []string {
	subs, _ := o["subjects"].([]any)
	var out []string
	for _, s := range subs {
		m, _ := s.(map[string]any)
		if m["kind"] == "ServiceAccount" {
			n, _ := m["name"].(string)
			out = append(out, n)
		}
	}
	return out
}

// skillcRBAC runs `bin/skillc rbac PACK PATHS --format json` from the repository root.
func skillcRBAC(t *testing.T, pack string, paths []string) rbacReport {
	t.Helper()
	cmd := exec.Command(binPath("skillc"), append(append([]string{"rbac", pack}, paths...), "--format", "json")...)
	cmd.Dir = repoRoot
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("skillc rbac %s %s: %v\n%s", pack, strings.Join(paths, " "), err, stderr.String())
	}
	var rep rbacReport
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("skillc rbac %s: %v\n%s", pack, err, out)
	}
	return rep
}

var placeholderRE = regexp.MustCompile(`<([A-Za-z][A-Za-z0-9_-]*)>`)

// argv substitutes a command's placeholders and variables (auditSubstitutions, ns for the
// namespace) and splits it into words as the shell would, without running anything: a command
// substitution, a pipe or a name not in the table gives the reason it cannot be run.
func argv(command, ns string) ([]string, string) {
	value := func(name string) (string, bool) {
		v, ok := auditSubstitutions[name]
		if ok && v == "" {
			v = ns
		}
		return v, ok
	}
	var missing []string
	s := placeholderRE.ReplaceAllStringFunc(command, func(m string) string {
		v, ok := value(m[1 : len(m)-1])
		if !ok {
			missing = append(missing, m)
			return m
		}
		return v
	})
	words, err := shell.Fields(s, func(name string) string {
		if name == "IFS" || name == "PWD" || name == "HOME" { // the expander's own lookups
			return ""
		}
		v, ok := value(name)
		if !ok {
			missing = append(missing, "$"+name)
		}
		return v
	})
	if len(missing) > 0 {
		slices.Sort(missing)
		return nil, "no value for " + strings.Join(slices.Compact(missing), ", ")
	}
	if err != nil {
		return nil, "not a simple command: " + err.Error()
	}
	if len(words) == 0 || words[0] != "kubectl" {
		return nil, "not a kubectl command"
	}
	return words, ""
}

// auditCounts are the totals TestAuditProof prints.
type auditCounts struct {
	packs, cases, extracted, analysed, run, requests, atoms, proven int
	refused, missed                                                 int
	judged, predicted                                               int // (d): requests, of which refused as skillc said
	skipped                                                         map[string]int
	optional                                                        []string // atoms only optional requests need, not refused
}

// TestAuditProof is the proof described at the top of this file.
func TestAuditProof(t *testing.T) {
	ctx := testContext(t)
	cs := clientset(t, nil)
	proofs := auditPacks(t)
	a := newAuditor(t, ctx)
	auditNode(t, ctx, cs)
	auditMetricsAPI(t, ctx)
	counts := auditCounts{skipped: map[string]int{}}
	for i, p := range proofs {
		counts.packs++
		counts.cases += p.uses
		t.Run(p.report.Pack, func(t *testing.T) {
			proveAuditPack(t, ctx, cs, a, p, fmt.Sprintf("audit-%d", i), &counts)
		})
	}
	var skipped []string
	for r, n := range counts.skipped {
		skipped = append(skipped, fmt.Sprintf("%d: %s", n, r))
	}
	slices.Sort(skipped)
	if len(skipped) == 0 {
		skipped = []string{"none"}
	}
	if len(counts.optional) == 0 {
		counts.optional = []string{"none"}
	}
	t.Logf("audit proof: %d packs (standing for %d pack uses: skills/, the golden cases with RBAC, testdata/audit-pack.yaml)\n"+
		"  commands extracted %d, analysed %d, run %d; requests checked against the audit log %d\n"+
		"  (a) refused with the suggested rules: %d; (b) requests skillc did not infer: %d\n"+
		"  (c) rule atoms proven necessary: %d of %d; needed only by optional requests kubectl did not make: %s\n"+
		"  (d) requests judged with the packs' own grants: %d, skillc and the authorizer agreeing on all (%d refused, as RBAC-21 says)\n"+
		"  analysed but not run: %s",
		counts.packs, counts.cases, counts.extracted, counts.analysed, counts.run, counts.requests,
		counts.refused, counts.missed, counts.proven, counts.atoms, strings.Join(counts.optional, ", "), counts.judged, counts.predicted, strings.Join(skipped, "; "))
}

// proveAuditPack runs one pack's proof in a namespace of its own.
func proveAuditPack(t *testing.T, ctx context.Context, cs kubernetes.Interface, a *auditor, p *packProof, ns string, counts *auditCounts) {
	rep := p.report
	t.Logf("%s (%s): %d commands; stands for %s", rep.Pack, p.key, len(rep.Commands), strings.Join(p.cases, ", "))
	counts.extracted += len(rep.Commands)
	type runnable struct {
		c        rbacCommand
		argv     []string
		requests int // made in (a): (c) tries those that make fewest first (a count, not a time: deterministic)
	}
	var cmds []runnable
	for _, c := range rep.Commands {
		if !c.Analysed {
			t.Logf("not analysed %s: %s", c, c.Reason)
			continue
		}
		counts.analysed++
		words, why := argv(c.Command, ns)
		if why != "" {
			t.Logf("skipped %s: %s", c, why)
			counts.skipped[why]++
			continue
		}
		cmds = append(cmds, runnable{c: c, argv: words})
	}
	if len(cmds) == 0 && len(rep.RBAC)+len(rep.ClusterRBAC) == 0 {
		return
	}
	auditNamespace(t, ctx, cs, ns, p.sa)
	kc := a.kubeconfig(ns)
	all := append(atomsOf("namespace", rep.RBAC), atomsOf("cluster", rep.ClusterRBAC)...)
	bindAtoms(t, ctx, cs, ns, p.sa, all, nil, nil)

	// (a) and (b): every command with every suggested rule.
	for i, c := range cmds {
		if writes(c.c) {
			restoreFixtures(t, ctx, cs, ns)
		}
		rc := a.run(ns, p.sa, kc, c.argv)
		cmds[i].requests = len(rc.events)
		counts.run++
		if testing.Verbose() {
			var reqs []string
			for _, e := range rc.events {
				reqs = append(reqs, fmt.Sprintf("%s %d", e.request(ns), e.code()))
			}
			t.Logf("ran %s: %s", c.c, strings.Join(reqs, ", "))
		}
		for _, e := range rc.events {
			counts.requests++
			if e.code() == 403 {
				counts.refused++
			}
			if e.forbidden() {
				t.Errorf("(a) %s: refused with the suggested rules: %s\nkubectl said: %s", c.c, e, rc.out)
			} else if e.code() == 403 {
				t.Errorf("(a) %s: refused, not by the authorizer (the proof's fixtures are wrong): %s\nkubectl said: %s", c.c, e, rc.out)
			}
			got := e.request(ns)
			// A request in the run's namespace is allowed by a cluster-scope need too (a
			// ClusterRole covers every namespace: drain evicts pods wherever they are).
			if !slices.ContainsFunc(c.c.Requests, func(r rbacRequest) bool {
				return r.Verb == got.Verb && r.Group == got.Group && r.Resource == got.Resource && r.Subresource == got.Subresource &&
					(r.Scope == got.Scope || r.Scope == "cluster")
			}) {
				counts.missed++
				t.Errorf("(b) %s: kubectl made a request skillc did not infer: %s (audit: %s)\n  inferred: %v", c.c, got, e, c.c.Requests)
			}
		}
	}

	// (c): each atom removed in turn; the commands that need it, run until one is refused.
	counts.atoms += len(all)
	quick := slices.Clone(cmds)
	slices.SortStableFunc(quick, func(a, b runnable) int { return cmp.Compare(a.requests, b.requests) })
	for i, x := range all {
		rest := slices.Delete(slices.Clone(all), i, i+1)
		var restored *atom
		if i > 0 {
			restored = &all[i-1]
		}
		bindAtoms(t, ctx, cs, ns, p.sa, rest, &x, restored)
		var tried []string
		proven, optional := false, true
		for _, c := range quick {
			j := slices.IndexFunc(c.c.Requests, x.matches)
			if j < 0 {
				continue
			}
			optional = optional && c.c.Requests[j].Optional
			if writes(c.c) {
				restoreFixtures(t, ctx, cs, ns)
			}
			rc := a.run(ns, p.sa, kc, c.argv)
			tried = append(tried, fmt.Sprintf("%s made %v", c.c, rc.events))
			for _, e := range rc.events {
				// A 403 on the removed atom itself: one on anything else would be (a)'s failure.
				if e.forbidden() && x.matches(e.request(ns)) {
					proven = true
					t.Logf("(c) %s is needed: without it %s gets %s", x, c.c, e)
					break
				}
			}
			if proven {
				break
			}
		}
		switch {
		case proven:
			counts.proven++
		case optional && len(tried) > 0:
			// Every command needs it only as a fallback (kubectl delete's wait lists only when the
			// watch it starts with is refused or not served): not refused here, and not wrong.
			counts.optional = append(counts.optional, x.String())
			t.Logf("(c) %s: only optional requests need it, and kubectl did not make them here:\n  %s", x, strings.Join(tried, "\n  "))
		default:
			t.Errorf("(c) %s: suggested, but no command was refused without it; tried %d:\n  %s", x, len(tried), strings.Join(tried, "\n  "))
		}
	}

	// (d): with the grants the pack writes, skillc's judgement of each request (needs.Allows:
	// what RBAC-20 and RBAC-21 rest on) is the authorizer's.
	for _, w := range p.written {
		bindRules(t, ctx, cs, ns, p.sa, w)
		for _, c := range cmds {
			if writes(c.c) {
				restoreFixtures(t, ctx, cs, ns)
			}
			rc := a.run(ns, p.sa, kc, c.argv)
			for _, e := range rc.events {
				got := e.request(ns)
				q := needs.Request{Verb: got.Verb, Group: got.Group, Resource: got.Resource, Subresource: got.Subresource, Scope: needs.Scope(got.Scope)}
				counts.judged++
				if allowed := needs.Allows(w.rbac, w.clusterRBAC, q); allowed == e.forbidden() {
					t.Errorf("(d) %s with the pack's own grants: skillc says allowed=%v, the API server: %s\n  rbac: %v\n  clusterRBAC: %v",
						c.c, allowed, e, w.rbac, w.clusterRBAC)
				} else if !allowed {
					counts.predicted++
				}
			}
		}
	}
}

// bindRules makes the ServiceAccount's Role and ClusterRole grant w exactly, and waits until the
// authorizer has both: each carries a sentinel rule (get of a ConfigMap, a Node, by a name nothing
// has) that changes with every call and is checked by access review.
func bindRules(t *testing.T, ctx context.Context, cs kubernetes.Interface, ns, sa string, w written) {
	t.Helper()
	name := "skillc-audit-" + ns // bound by bindAtoms, which ran first
	sentinel := fmt.Sprintf("skillc-audit-sentinel-%d", time.Now().UnixNano())
	role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Rules: append(slices.Clone(w.rbac),
		rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"configmaps"}, ResourceNames: []string{sentinel}, Verbs: []string{"get"}})}
	if _, err := cs.RbacV1().Roles(ns).Update(ctx, role, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	cr := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: append(slices.Clone(w.clusterRBAC),
		rbacv1.PolicyRule{APIGroups: []string{""}, Resources: []string{"nodes"}, ResourceNames: []string{sentinel}, Verbs: []string{"get"}})}
	if _, err := cs.RbacV1().ClusterRoles().Update(ctx, cr, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	user := "system:serviceaccount:" + ns + ":" + sa
	err := wait.PollUntilContextTimeout(ctx, 20*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		for _, attrs := range []*authorizationv1.ResourceAttributes{
			{Namespace: ns, Verb: "get", Resource: "configmaps", Name: sentinel},
			{Verb: "get", Resource: "nodes", Name: sentinel},
		} {
			r, err := cs.AuthorizationV1().SubjectAccessReviews().Create(ctx, &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
				User: user, Groups: []string{"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"}, ResourceAttributes: attrs}}, metav1.CreateOptions{})
			if err != nil || !r.Status.Allowed {
				return false, err
			}
		}
		return true, nil
	})
	if err != nil {
		t.Fatalf("the authorizer never saw the pack's grants bound to %s: %v", user, err)
	}
}

// writes says whether a command changes objects: it is run with the fixtures as they were first.
func writes(c rbacCommand) bool {
	return slices.ContainsFunc(c.Requests, func(r rbacRequest) bool {
		return slices.Contains([]string{"create", "update", "patch", "delete", "deletecollection"}, r.Verb)
	})
}

// scratchFinalizer holds the objects named scratch after their DELETE, as any object with a
// finalizer (or a pod's graceful deletion) outlives it: kubectl delete then waits (get, list,
// watch), and those requests are seen.
const scratchFinalizer = "skillc.dev/audit-proof"

// restoreFixtures puts back what a command that writes may have changed, so that it makes the
// same requests when it runs again: the objects named scratch (there to be deleted) and the
// fixture pod's labels. kubectl skips a write that changes nothing (a label already set) and
// stops at a 404 (a delete of what is gone).
func restoreFixtures(t *testing.T, ctx context.Context, cs kubernetes.Interface, ns string) {
	t.Helper()
	meta := metav1.ObjectMeta{Name: "scratch", Namespace: ns, Finalizers: []string{scratchFinalizer}}
	cms, jobs := cs.CoreV1().ConfigMaps(ns), cs.BatchV1().Jobs(ns)
	restore(t, ctx, "ConfigMap scratch",
		func() (metav1.Object, error) { return cms.Get(ctx, "scratch", metav1.GetOptions{}) },
		func(o metav1.Object) error {
			_, err := cms.Update(ctx, o.(*corev1.ConfigMap), metav1.UpdateOptions{})
			return err
		},
		func() error {
			_, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: meta}, metav1.CreateOptions{})
			return err
		})
	restore(t, ctx, "Job scratch",
		func() (metav1.Object, error) { return jobs.Get(ctx, "scratch", metav1.GetOptions{}) },
		func(o metav1.Object) error {
			_, err := jobs.Update(ctx, o.(*batchv1.Job), metav1.UpdateOptions{})
			return err
		},
		func() error {
			_, err := jobs.Create(ctx, &batchv1.Job{ObjectMeta: meta, Spec: batchv1.JobSpec{Suspend: ptr(true),
				Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever,
					Containers: []corev1.Container{{Name: fixtureName, Image: "registry.k8s.io/pause:3.10"}}}}}}, metav1.CreateOptions{})
			return err
		})
	pod, err := cs.CoreV1().Pods(ns).Get(ctx, fixtureName, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(pod.Labels) != 2 {
		pod.Labels = map[string]string{"app": fixtureName, "pod-template-hash": fixtureHash}
		if _, err := cs.CoreV1().Pods(ns).Update(ctx, pod, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

// restore makes a scratch object exist and not be deleting: one a command deleted (held by its
// finalizer) is released, and once gone made again.
func restore(t *testing.T, ctx context.Context, what string, get func() (metav1.Object, error), update func(metav1.Object) error, create func() error) {
	t.Helper()
	err := wait.PollUntilContextTimeout(ctx, 20*time.Millisecond, 30*time.Second, true, func(context.Context) (bool, error) {
		o, err := get()
		switch {
		case apierrors.IsNotFound(err):
			if err := create(); err != nil && !apierrors.IsAlreadyExists(err) {
				return false, err
			}
			return false, nil // read it back
		case err != nil:
			return false, err
		case o.GetDeletionTimestamp() != nil:
			o.SetFinalizers(nil)
			if err := update(o); err != nil && !apierrors.IsConflict(err) && !apierrors.IsNotFound(err) {
				return false, err
			}
			return false, nil
		}
		return true, nil
	})
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// releaseScratch removes the finalizers of a namespace's scratch objects, so it can be deleted.
func releaseScratch(ctx context.Context, cs kubernetes.Interface, ns string) {
	if cm, err := cs.CoreV1().ConfigMaps(ns).Get(ctx, "scratch", metav1.GetOptions{}); err == nil {
		cm.Finalizers = nil
		_, _ = cs.CoreV1().ConfigMaps(ns).Update(ctx, cm, metav1.UpdateOptions{})
	}
	if j, err := cs.BatchV1().Jobs(ns).Get(ctx, "scratch", metav1.GetOptions{}); err == nil {
		j.Finalizers = nil
		_, _ = cs.BatchV1().Jobs(ns).Update(ctx, j, metav1.UpdateOptions{})
	}
}

// bindAtoms makes the ServiceAccount's Role (in ns) and ClusterRole grant exactly atoms, and
// waits until the authorizer agrees (it reads RBAC through an informer): every atom allowed;
// or, one atom at a time, removed refused and restored (the one removed before) allowed again.
func bindAtoms(t *testing.T, ctx context.Context, cs kubernetes.Interface, ns, sa string, atoms []atom, removed, restored *atom) {
	t.Helper()
	name := "skillc-audit-" + ns
	meta := metav1.ObjectMeta{Name: name, Namespace: ns}
	// Update creates a Role that is not there yet (RBAC allows create on update): the
	// bindings are made once, with the first rules.
	_, err := cs.RbacV1().Roles(ns).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		sub := []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: sa, Namespace: ns}}
		if _, err := cs.RbacV1().RoleBindings(ns).Create(ctx, &rbacv1.RoleBinding{ObjectMeta: meta, Subjects: sub,
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: name}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := cs.RbacV1().ClusterRoleBindings().Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name}, Subjects: sub,
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			bg := context.Background()
			_ = cs.RbacV1().ClusterRoleBindings().Delete(bg, name, metav1.DeleteOptions{})
			_ = cs.RbacV1().ClusterRoles().Delete(bg, name, metav1.DeleteOptions{})
		})
	} else if err != nil {
		t.Fatal(err)
	}
	if _, err := cs.RbacV1().Roles(ns).Update(ctx, &rbacv1.Role{ObjectMeta: meta, Rules: rulesOf(atoms, "namespace")}, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	cr := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: rulesOf(atoms, "cluster")}
	if _, err := cs.RbacV1().ClusterRoles().Update(ctx, cr, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	user := "system:serviceaccount:" + ns + ":" + sa
	allowed := func(x atom) (bool, error) {
		res, sub, _ := strings.Cut(x.resource, "/")
		attrs := &authorizationv1.ResourceAttributes{Verb: x.verb, Group: x.group, Resource: res, Subresource: sub}
		if x.scope == "namespace" {
			attrs.Namespace = ns
		}
		r, err := cs.AuthorizationV1().SubjectAccessReviews().Create(ctx, &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
			User: user, Groups: []string{"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"}, ResourceAttributes: attrs}}, metav1.CreateOptions{})
		if err != nil {
			return false, err
		}
		return r.Status.Allowed, nil
	}
	var disagree string
	err = wait.PollUntilContextTimeout(ctx, 20*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		check := atoms
		if removed != nil {
			// Only the two that changed: the one removed must be refused, the one put back
			// allowed (an update is seen whole, so the rest are as they were).
			check = nil
			if restored != nil {
				check = []atom{*restored}
			}
		}
		for _, x := range check {
			if ok, err := allowed(x); err != nil || !ok {
				disagree = "not allowed: " + x.String()
				return false, err
			}
		}
		if removed != nil {
			ok, err := allowed(*removed)
			disagree = "still allowed: " + removed.String()
			return !ok, err
		}
		return true, nil
	})
	if err != nil {
		t.Fatalf("the authorizer never agreed with the rules bound to %s (%s): %v", user, disagree, err)
	}
}

// auditMetricsAPI serves metrics.k8s.io for kubectl top (testdata/audit-metrics-crds.yaml) while
// the test runs; at its end the CRDs are deleted and it waits until discovery no longer lists
// the group, so the tests after it (and the discovery table's staleness check) see the same API.
func auditMetricsAPI(t *testing.T, ctx context.Context) {
	t.Helper()
	dyn, err := dynamic.NewForConfig(cp.admin)
	if err != nil {
		t.Fatal(err)
	}
	crds, err := readObjects(filepath.Join("testdata", "audit-metrics-crds.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cp.admin)
	if err != nil {
		t.Fatal(err)
	}
	served := func() (bool, error) {
		_, err := dc.ServerResourcesForGroupVersion("metrics.k8s.io/v1beta1")
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return err == nil, err
	}
	t.Cleanup(func() {
		bg := context.Background()
		for _, u := range crds {
			_ = dyn.Resource(crdResource).Delete(bg, u.GetName(), metav1.DeleteOptions{})
		}
		err := wait.PollUntilContextTimeout(bg, 100*time.Millisecond, time.Minute, true, func(context.Context) (bool, error) {
			ok, err := served()
			return !ok, err
		})
		if err != nil {
			t.Errorf("metrics.k8s.io is still served after its CRDs were deleted: %v", err)
		}
	})
	for _, u := range crds {
		if _, err := dyn.Resource(crdResource).Create(ctx, u, metav1.CreateOptions{}); err != nil {
			t.Fatalf("CRD %s: %v", u.GetName(), err)
		}
	}
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true, func(context.Context) (bool, error) {
		l, err := dc.ServerResourcesForGroupVersion("metrics.k8s.io/v1beta1")
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return err == nil && len(l.APIResources) == 2, err
	})
	if err != nil {
		t.Fatalf("metrics.k8s.io never served: %v", err)
	}
	// One NodeMetrics, for the Node: kubectl top node then lists the nodes (for their
	// allocatable) as it does on a real cluster. No PodMetrics: kubectl top pod then lists the
	// pods. Both of kubectl top's ways are seen.
	nm := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "metrics.k8s.io/v1beta1", "kind": "NodeMetrics",
		"metadata": map[string]any{"name": fixtureName}, "timestamp": time.Now().UTC().Format(time.RFC3339), "window": "10s",
		"usage": map[string]any{"cpu": "100m", "memory": "100Mi"}}}
	if _, err := dyn.Resource(schema.GroupVersionResource{Group: "metrics.k8s.io", Version: "v1beta1", Resource: "nodes"}).Create(ctx, nm, metav1.CreateOptions{}); err != nil {
		t.Fatalf("NodeMetrics: %v", err)
	}
}

// auditNode creates the Node every fixture pod is bound to (no kubelet, no scheduler: a pod is
// "on" a node by spec.nodeName alone), and removes it when the test ends.
func auditNode(t *testing.T, ctx context.Context, cs kubernetes.Interface) {
	t.Helper()
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: fixtureName, Labels: map[string]string{"kubernetes.io/hostname": fixtureName}}}
	if _, err := cs.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cs.CoreV1().Nodes().Delete(context.Background(), fixtureName, metav1.DeleteOptions{}) })
}

// auditNamespace creates a proof's namespace, the run's ServiceAccount and the objects skills'
// commands name, all called "web": a Deployment with its ReplicaSet and Pod (owned the way the
// controllers would own them, the Pod running on the Node), a Service, a (suspended) Job and
// CronJob, a ConfigMap, a PersistentVolumeClaim, a StatefulSet, a DaemonSet and Warning events.
// The namespace is deleted when the test ends.
func auditNamespace(t *testing.T, ctx context.Context, cs kubernetes.Interface, ns, sa string) {
	t.Helper()
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// No kubelet confirms a bound pod's graceful deletion: delete them at once, or they
		// stay (and the namespace with them) for the next proofs' drain to find.
		bg := context.Background()
		releaseScratch(bg, cs, ns)
		_ = cs.CoreV1().Pods(ns).DeleteCollection(bg, metav1.DeleteOptions{GracePeriodSeconds: ptr(int64(0))}, metav1.ListOptions{})
		_ = cs.CoreV1().Namespaces().Delete(bg, ns, metav1.DeleteOptions{})
	})
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(cs.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: sa}}, metav1.CreateOptions{}))
	om := func(labels map[string]string) metav1.ObjectMeta {
		return metav1.ObjectMeta{Name: fixtureName, Namespace: ns, Labels: labels}
	}
	app := map[string]string{"app": fixtureName}
	podSpec := corev1.PodSpec{Containers: []corev1.Container{{Name: fixtureName, Image: "registry.k8s.io/pause:3.10"}}}
	tpl := corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: app}, Spec: podSpec}
	dep, err := cs.AppsV1().Deployments(ns).Create(ctx, &appsv1.Deployment{ObjectMeta: om(app),
		Spec: appsv1.DeploymentSpec{Replicas: ptr(int32(1)), Selector: &metav1.LabelSelector{MatchLabels: app}, Template: tpl}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	owner := func(kind string, m metav1.Object) []metav1.OwnerReference {
		return []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: kind, Name: m.GetName(), UID: m.GetUID(), Controller: ptr(true), BlockOwnerDeletion: ptr(true)}}
	}
	hash := fixtureHash
	rsLabels := map[string]string{"app": fixtureName, "pod-template-hash": hash}
	rsTpl := tpl
	rsTpl.Labels = rsLabels
	rs, err := cs.AppsV1().ReplicaSets(ns).Create(ctx, &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Name: fixtureName + "-" + hash, Namespace: ns, Labels: rsLabels, OwnerReferences: owner("Deployment", dep),
			Annotations: map[string]string{"deployment.kubernetes.io/revision": "1"}},
		Spec: appsv1.ReplicaSetSpec{Replicas: ptr(int32(1)), Selector: &metav1.LabelSelector{MatchLabels: rsLabels}, Template: rsTpl}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	spec := podSpec
	spec.NodeName = fixtureName
	podMeta := om(rsLabels)
	podMeta.OwnerReferences = owner("ReplicaSet", rs)
	pod, err := cs.CoreV1().Pods(ns).Create(ctx, &corev1.Pod{ObjectMeta: podMeta, Spec: spec}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pod.Status = corev1.PodStatus{Phase: corev1.PodRunning, ContainerStatuses: []corev1.ContainerStatus{{Name: fixtureName, Image: "registry.k8s.io/pause:3.10", RestartCount: 4,
		State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: metav1.Now()}}}}}
	must(cs.CoreV1().Pods(ns).UpdateStatus(ctx, pod, metav1.UpdateOptions{}))
	must(cs.CoreV1().Services(ns).Create(ctx, &corev1.Service{ObjectMeta: om(app),
		Spec: corev1.ServiceSpec{Selector: app, Ports: []corev1.ServicePort{{Port: 80}}}}, metav1.CreateOptions{}))
	jobTpl := corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: podSpec.Containers, RestartPolicy: corev1.RestartPolicyNever}}
	must(cs.BatchV1().Jobs(ns).Create(ctx, &batchv1.Job{ObjectMeta: om(nil), Spec: batchv1.JobSpec{Suspend: ptr(true), Template: jobTpl}}, metav1.CreateOptions{}))
	must(cs.BatchV1().CronJobs(ns).Create(ctx, &batchv1.CronJob{ObjectMeta: om(nil), Spec: batchv1.CronJobSpec{Schedule: "0 0 1 1 *", Suspend: ptr(true),
		JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{Template: jobTpl}}}}, metav1.CreateOptions{}))
	must(cs.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: om(nil), Data: map[string]string{"k": "v"}}, metav1.CreateOptions{}))
	must(cs.CoreV1().PersistentVolumeClaims(ns).Create(ctx, &corev1.PersistentVolumeClaim{ObjectMeta: om(nil), Spec: corev1.PersistentVolumeClaimSpec{
		AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
		Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")}}}}, metav1.CreateOptions{}))
	for kind, labels := range map[string]map[string]string{"StatefulSet": {"app": "web-sts"}, "DaemonSet": {"app": "web-ds"}} {
		pt := corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: podSpec}
		sel := &metav1.LabelSelector{MatchLabels: labels}
		if kind == "StatefulSet" {
			must(cs.AppsV1().StatefulSets(ns).Create(ctx, &appsv1.StatefulSet{ObjectMeta: om(labels), Spec: appsv1.StatefulSetSpec{Selector: sel, Template: pt}}, metav1.CreateOptions{}))
		} else {
			must(cs.AppsV1().DaemonSets(ns).Create(ctx, &appsv1.DaemonSet{ObjectMeta: om(labels), Spec: appsv1.DaemonSetSpec{Selector: sel, Template: pt}}, metav1.CreateOptions{}))
		}
	}
	now := metav1.Now()
	for i, ref := range []corev1.ObjectReference{
		{Kind: "Pod", Namespace: ns, Name: fixtureName, UID: pod.UID, APIVersion: "v1"},
		{Kind: "Deployment", Namespace: ns, Name: fixtureName, UID: dep.UID, APIVersion: "apps/v1"},
	} {
		must(cs.CoreV1().Events(ns).Create(ctx, &corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: fixtureName + "." + strconv.Itoa(i), Namespace: ns},
			InvolvedObject: ref, Type: corev1.EventTypeWarning, Reason: "BackOff", Message: "Back-off restarting failed container",
			FirstTimestamp: now, LastTimestamp: now, Count: 1, Source: corev1.EventSource{Component: "kubelet", Host: fixtureName}}, metav1.CreateOptions{}))
	}
}
