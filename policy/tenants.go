package policy

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	psapi "k8s.io/pod-security-admission/api"
	pss "k8s.io/pod-security-admission/policy"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
)

// The tenant rules judge who wrote a source and where its objects land, which no object shows:
// they are Go, beside the library, and listed in its catalogue with engine "go".
//
//   - TEN-01: with spec.tenants, an instance, run, schedule or private pack must come from a file
//     under exactly one tenant's paths and live in one of that tenant's namespaces; a catalog pack
//     must come from outside every tenant's paths.
//   - TEN-02: nothing is emitted for an instance, run or schedule in kube-system, kube-public,
//     kube-node-lease (no exception) or a protected namespace.
//   - TEN-03: a run's pod must pass its namespace's Pod Security level, or the Job is accepted and
//     its Pods are Forbidden: the run never starts.

// sourceFinding is a finding on a source document (not an emitted object), located at field.
func sourceFinding(rule string, waivable bool, kind, ns, name string, src diag.Source, field, detail string) located {
	ref := kind + " " + name
	if ns != "" {
		ref = kind + " " + ns + "/" + name
	}
	f := Finding{Rule: rule, Severity: "deny", Waivable: waivable, Field: field, Kind: kind, Name: name, Namespace: ns, Detail: detail}
	f.Message = libraryMessage(rule, ref, field, detail)
	return located{f: f, pos: at(src, field)}
}

// tenantSource is one source document the tenant rules judge.
type tenantSource struct {
	kind, ns, name string
	src            diag.Source
	catalog        bool // a pack in the catalog namespace
}

func tenantSources(in *api.Inputs, spec *api.ConfigSpec) []tenantSource {
	var out []tenantSource
	for _, p := range in.Packs {
		ns := compile.NamespaceOf(p.Metadata, spec.CatalogNamespace)
		out = append(out, tenantSource{"SkillPack", ns, p.Metadata.Name, p.Src, ns == spec.CatalogNamespace})
	}
	source := func(kind string, m api.ObjectMeta, src diag.Source) tenantSource {
		return tenantSource{kind, compile.NamespaceOf(m, compile.DefaultNamespace), m.Name, src, false}
	}
	for _, i := range in.Instances {
		out = append(out, source(i.Kind, i.Metadata, i.Src))
	}
	for _, r := range in.Runs {
		out = append(out, source("AgentRun", r.Metadata, r.Src))
	}
	for _, s := range in.Schedules {
		out = append(out, source("SympoziumSchedule", s.Metadata, s.Src))
	}
	for _, n := range in.Namespaces {
		out = append(out, tenantSource{"Namespace", "", n.Metadata.Name, n.Src, false})
	}
	return out
}

// tenantBase is the folder tenant paths are relative to: the CompilerConfig's (as a KRM
// functionConfig it has no file: the package root, which source files are named from).
func tenantBase(cfg *api.CompilerConfig) string {
	if cfg.Src.File == "" {
		return "."
	}
	return filepath.Dir(cfg.Src.File)
}

// tenantFindings are TEN-01 and TEN-02 for the inputs of a compile.
func tenantFindings(res *compile.Result) []located {
	cfg := res.Config
	if cfg == nil || res.Inputs == nil {
		return nil
	}
	spec := &cfg.Spec
	sources := tenantSources(res.Inputs, spec)
	var out []located
	if len(spec.Tenants) > 0 {
		base := tenantBase(cfg)
		for _, s := range sources {
			ts := spec.TenantOfFile(base, s.src.File)
			names := make([]string, len(ts))
			for i, t := range ts {
				names[i] = t.Name
			}
			switch {
			case s.catalog && len(ts) > 0:
				out = append(out, sourceFinding("TEN-01", false, s.kind, s.ns, s.name, s.src, "metadata.namespace",
					fmt.Sprintf("a catalog pack (namespace %s) from %s, which is tenant %q's: a tenant cannot publish to the catalog that every tenant's runs resolve to. Fix: give the pack one of the tenant's namespaces, or move it out of the tenant's folders", s.ns, s.src.File, ts[0].Name)))
			case s.catalog, s.kind == "Namespace" && len(ts) == 0:
			case len(ts) == 0:
				out = append(out, sourceFinding("TEN-01", false, s.kind, s.ns, s.name, s.src, "metadata.name",
					fmt.Sprintf("%s is under no tenant's paths (spec.tenants): with tenants set, instances, runs, schedules and private packs belong to a tenant. Fix: move it under a tenant's folder, or add its folder to a tenant's paths", s.src.File)))
			case len(ts) > 1:
				out = append(out, sourceFinding("TEN-01", false, s.kind, s.ns, s.name, s.src, "metadata.name",
					fmt.Sprintf("%s is under the paths of tenants %s: a file belongs to one tenant. Fix: make the tenants' paths disjoint", s.src.File, strings.Join(names, " and "))))
			case s.kind == "Namespace":
				out = append(out, sourceFinding("TEN-01", false, s.kind, "", s.name, s.src, "metadata.name",
					fmt.Sprintf("a Namespace from %s, which is tenant %q's: namespaces and their Pod Security labels are the platform's (as an AppProject keeps cluster-scoped kinds off a project's whitelist). Fix: move it to the platform's folders", s.src.File, ts[0].Name)))
			case !ts[0].OwnsNamespace(s.ns):
				out = append(out, sourceFinding("TEN-01", false, s.kind, s.ns, s.name, s.src, "metadata.namespace",
					fmt.Sprintf("tenant %q (%s) may target only namespaces %v, not %q. Fix: use one of the tenant's namespaces, or ask the platform team to give it this one", ts[0].Name, s.src.File, ts[0].Namespaces, s.ns)))
			}
		}
	}
	// TEN-02: where a run, schedule or instance's objects would land.
	protected := func(ns string) (bool, bool) { // protected, system
		if slices.Contains(api.SystemNamespaces, ns) {
			return true, true
		}
		return slices.Contains(spec.ProtectedNamespaces, ns), false
	}
	for _, s := range sources {
		if s.kind == "SkillPack" || s.kind == "Namespace" {
			continue
		}
		prot, system := protected(s.ns)
		if !prot {
			continue
		}
		why := "a platform namespace (spec.protectedNamespaces): its secrets and service accounts are the platform's"
		if system {
			why = "the control plane's own namespace: grants and pods there reach its service accounts and secrets"
		}
		out = append(out, sourceFinding("TEN-02", !system, s.kind, s.ns, s.name, s.src, "metadata.namespace",
			fmt.Sprintf("lands in %s, %s. Fix: run agents in a tenant namespace", s.ns, why)))
	}
	return out
}

// podSecurityLevels is the Pod Security level each namespace enforces, as far as the inputs say:
// a tenant's podSecurity for its namespaces, and the enforce label of a Namespace among the
// inputs; where both speak, the stricter (a run must start under either).
type podSecurityLevels struct {
	spec       *api.ConfigSpec
	namespaces map[string]psapi.LevelVersion
}

func newPodSecurityLevels(res *compile.Result) *podSecurityLevels {
	l := &podSecurityLevels{spec: &res.Config.Spec, namespaces: map[string]psapi.LevelVersion{}}
	if res.Inputs == nil {
		return l
	}
	for _, ns := range res.Inputs.Namespaces {
		lv := psapi.LevelVersion{Level: psapi.LevelPrivileged, Version: psapi.LatestVersion()}
		if v, ok := ns.Metadata.Labels[api.LabelPodSecurityEnforce]; ok {
			if level, err := psapi.ParseLevel(v); err == nil {
				lv.Level = level
			}
		}
		if v, ok := ns.Metadata.Labels[psapi.EnforceVersionLabel]; ok {
			if ver, err := psapi.ParseVersion(v); err == nil {
				lv.Version = ver
			}
		}
		l.namespaces[ns.Metadata.Name] = lv
	}
	return l
}

// of is the level ns enforces, and where that was said; false when the inputs do not say.
func (l *podSecurityLevels) of(ns string) (psapi.LevelVersion, string, bool) {
	lv, fromNS := l.namespaces[ns]
	where := ""
	if fromNS {
		where = "its Namespace's " + api.LabelPodSecurityEnforce + " label"
	}
	for _, t := range l.spec.Tenants {
		if t.PodSecurity == "" || !t.OwnsNamespace(ns) {
			continue
		}
		level, err := psapi.ParseLevel(t.PodSecurity)
		if err != nil {
			continue
		}
		if !fromNS || stricter(level, lv.Level) {
			lv = psapi.LevelVersion{Level: level, Version: psapi.LatestVersion()}
			where = fmt.Sprintf("tenant %q's podSecurity", t.Name)
		}
		fromNS = true
	}
	return lv, where, fromNS && lv.Level != psapi.LevelPrivileged
}

// levelRank orders the Pod Security levels from the most to the least permissive.
var levelRank = map[psapi.Level]int{psapi.LevelPrivileged: 0, psapi.LevelBaseline: 1, psapi.LevelRestricted: 2}

func stricter(a, b psapi.Level) bool { return levelRank[a] > levelRank[b] }

var podSecurityEvaluator = func() pss.Evaluator {
	e, err := pss.NewEvaluator(pss.DefaultChecks(), nil)
	if err != nil {
		panic(fmt.Sprintf("pod security checks: %v", err)) // the library's own checks: cannot fail
	}
	return e
}()

// PodSecurityVerdict is TEN-03's verdict on a pod template at a Pod Security level (privileged,
// baseline, restricted; the latest version): whether admission would allow its Pods, and if not
// why. e2e holds it equal to the API server's own admission.
func PodSecurityVerdict(level string, tmpl *corev1.PodTemplateSpec) (bool, string, error) {
	l, err := psapi.ParseLevel(level)
	if err != nil {
		return false, "", err
	}
	ok, why := podSecurityVerdict(psapi.LevelVersion{Level: l, Version: psapi.LatestVersion()}, tmpl)
	return ok, why, nil
}

func podSecurityVerdict(lv psapi.LevelVersion, tmpl *corev1.PodTemplateSpec) (bool, string) {
	verdict := pss.AggregateCheckResults(podSecurityEvaluator.EvaluatePod(lv, &tmpl.ObjectMeta, &tmpl.Spec))
	return verdict.Allowed, verdict.ForbiddenDetail()
}

// podSecurityFindings is TEN-03: each workload (emitted or stand-in) whose pod its namespace's
// Pod Security level would refuse, with the evaluator the API server's admission runs.
func podSecurityFindings(levels *podSecurityLevels, loc *locator, objs []compile.Object, standIn bool) []located {
	var out []located
	for _, o := range objs {
		tmpl := compile.PodTemplateOf(o)
		if tmpl == nil {
			continue
		}
		lv, where, ok := levels.of(o.GetNamespace())
		if !ok {
			continue
		}
		allowed, why := podSecurityVerdict(lv, tmpl)
		if allowed {
			continue
		}
		pod := loc.podOf(o)
		detail := fmt.Sprintf("namespace %s enforces Pod Security %q (%s), which forbids this pod: %s. The API server accepts the %s and then refuses every Pod it makes: the run never starts. Fix: drop what the level forbids, or run it in a namespace whose level allows it",
			o.GetNamespace(), lv.Level, where, why, compile.KindOf(o))
		f := goFinding(o, "TEN-03", "metadata.namespace", "", detail)
		pos := diag.Diagnostic{Field: f.Field}
		if pod != nil {
			pos = at(pod.Src, "metadata.namespace")
			if standIn {
				pos = at(pod.Src, "metadata.name")
			}
		}
		out = append(out, located{f: f, pos: pos, o: o})
	}
	return out
}
