package policy

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	psapi "k8s.io/pod-security-admission/api"
	pss "k8s.io/pod-security-admission/policy"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/internal/emit"
)

// The gate is anchored to Pod Security Standards: for every pod template skillc emits (every
// fixture, with its own config and flags) and a generated set of variations, wherever the library
// the API server's PodSecurity admission runs rejects the pod at level X and no CompilerConfig
// allow-list covers it, skillc's profile X denies it, with a finding on the same field. Where
// skillc denies what PSS allows, the rule must be one docs/policy.md lists as stricter than PSS.

// pssMap: for each PSS check, the skillc rules that must deny and the field the finding names.
var pssMap = map[pss.CheckID]struct {
	rules []string
	field *regexp.Regexp
}{
	"privileged":                 {[]string{"POD-01"}, regexp.MustCompile(`securityContext\.privileged$`)},
	"windowsHostProcess":         {[]string{"POD-01"}, regexp.MustCompile(`windowsOptions\.hostProcess$`)},
	"hostNamespaces":             {[]string{"POD-02"}, regexp.MustCompile(`\.(hostPID|hostNetwork|hostIPC)$`)},
	"hostPorts":                  {[]string{"POD-03"}, regexp.MustCompile(`\.hostPort$`)},
	"hostProbesAndHostLifecycle": {[]string{"POD-03"}, regexp.MustCompile(`\.(httpGet|tcpSocket)\.host$`)},
	"hostPathVolumes":            {[]string{"POD-04", "POD-06", "META-01"}, regexp.MustCompile(`\.volumes\[\d+\]\.hostPath`)},
	"restrictedVolumes":          {[]string{"POD-13", "POD-04", "POD-06", "META-01"}, regexp.MustCompile(`\.volumes\[\d+\]\.`)},
	"capabilities_baseline":      {[]string{"POD-09"}, regexp.MustCompile(`\.capabilities\.add\[\d+\]$`)},
	"capabilities_restricted":    {[]string{"POD-09"}, regexp.MustCompile(`\.capabilities\.(add\[\d+\]|drop)$`)},
	"allowPrivilegeEscalation":   {[]string{"POD-08"}, regexp.MustCompile(`\.allowPrivilegeEscalation$`)},
	"runAsNonRoot":               {[]string{"POD-07"}, regexp.MustCompile(`\.(runAsNonRoot|runAsUser)$`)},
	"runAsUser":                  {[]string{"POD-07"}, regexp.MustCompile(`\.runAsUser$`)},
	"seccompProfile_baseline":    {[]string{"POD-10"}, regexp.MustCompile(`\.seccompProfile(\.type)?$`)},
	"seccompProfile_restricted":  {[]string{"POD-10"}, regexp.MustCompile(`\.seccompProfile(\.type)?$`)},
	"appArmorProfile":            {[]string{"POD-10"}, regexp.MustCompile(`(appArmorProfile\.type|annotations\["container\.apparmor\.security\.beta\.kubernetes\.io/[^"]+"\])$`)},
	"seLinuxOptions":             {[]string{"POD-10"}, regexp.MustCompile(`\.seLinuxOptions$`)},
	"procMount":                  {[]string{"POD-10"}, regexp.MustCompile(`\.procMount$`)},
	"procMount_restricted":       {[]string{"POD-10"}, regexp.MustCompile(`\.procMount$`)},
	"sysctls":                    {[]string{"POD-10"}, regexp.MustCompile(`\.sysctls\[\d+\]$`)},
}

// stricterThanPSS: the rules that may deny a pod PSS admits at the same level, each listed in
// docs/policy.md with its reason (the test reads that page, so the list stays true).
var stricterThanPSS = []string{
	"POD-04", "POD-06", "POD-07", "POD-08", "POD-09", "POD-10", "POD-11", "POD-13", "IMG-01", "IMG-02", "IMG-03",
	"RES-01", "SEC-01", "META-01",
}

type pssCase struct {
	name string
	cfg  *api.CompilerConfig
	obj  compile.Object
}

func TestPodSecurityStandards(t *testing.T) {
	cases := append(fixturePods(t), generatedPods(t)...)
	if len(cases) < 100 {
		t.Fatalf("%d pod templates: too few for the comparison to mean anything", len(cases))
	}
	checks := pss.DefaultChecks()
	for _, c := range checks {
		if _, ok := pssMap[c.ID]; !ok {
			t.Errorf("PSS check %q has no skillc rule mapped to it: add it to pssMap and the gate", c.ID)
		}
	}
	eval, err := pss.NewEvaluator(checks, nil)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../docs/policy.md")
	if err != nil {
		t.Fatal(err)
	}
	section := stricterSection(t, doc)
	for _, r := range stricterThanPSS {
		if !regexp.MustCompile(`(?m)^\| ` + r + ` \|.*\|`).Match(section) {
			t.Errorf("docs/policy.md's list of where skillc is stricter than PSS lacks %s", r)
		}
	}
	engines := map[string]*Engine{}
	var rejected, agreed, covered, stricter int
	for _, tc := range cases {
		tmpl := podTemplateOf(tc.obj)
		for _, level := range []psapi.Level{psapi.LevelBaseline, psapi.LevelRestricted} {
			lv := psapi.LevelVersion{Level: level, Version: psapi.LatestVersion()}
			verdict := pss.AggregateCheckResults(eval.EvaluatePod(lv, &tmpl.ObjectMeta, &tmpl.Spec))
			failing := failingChecks(checks, level, &tmpl.ObjectMeta, &tmpl.Spec)
			if verdict.Allowed != (len(failing) == 0) {
				t.Fatalf("%s: the evaluator and the checks one by one disagree", tc.name)
			}
			denies := gateDenies(t, engines, tc, string(level))
			show := func() string {
				return fmt.Sprintf("PSS %s: allowed=%v %s %v\nskillc %s: %s", level, verdict.Allowed, verdict.ForbiddenReason(), verdict.ForbiddenDetail(), level, strings.Join(denyStrings(denies), "\n  "))
			}
			for _, id := range failing {
				rejected++
				if allowListed(id, tc.cfg, &tmpl.Spec) {
					covered++
					continue
				}
				want := pssMap[id]
				if !slices.ContainsFunc(denies, func(f Finding) bool {
					return slices.Contains(want.rules, f.Rule) && want.field.MatchString(f.Field)
				}) {
					t.Errorf("%s: PSS %s rejects it (%s) and no allow-list covers it, but skillc's %s profile does not deny %v on the same field\n%s", tc.name, level, id, level, want.rules, show())
					continue
				}
				agreed++
			}
			if len(failing) == 0 {
				for _, f := range denies {
					stricter++
					if !slices.Contains(stricterThanPSS, f.Rule) {
						t.Errorf("%s: skillc's %s profile denies %s where PSS %s admits the pod, and docs/policy.md does not list %s as stricter than PSS\n%s", tc.name, level, f.Rule, level, f.Rule, show())
					}
				}
			}
		}
	}
	t.Logf("%d pod templates x 2 levels: %d PSS rejections, %d matched by a skillc denial on the same field, %d covered by an allow-list; %d skillc denials of pods PSS admits", len(cases), rejected, agreed, covered, stricter)
	if agreed == 0 || covered == 0 {
		t.Error("the comparison never exercised a rejection or an allow-list")
	}
}

// stricterSection is docs/policy.md's table of where the gate is stricter than PSS.
func stricterSection(t *testing.T, doc []byte) []byte {
	t.Helper()
	_, after, ok := strings.Cut(string(doc), "\n## Stricter than Pod Security Standards\n")
	if !ok {
		t.Fatal(`docs/policy.md has no "## Stricter than Pod Security Standards" section`)
	}
	section, _, _ := strings.Cut(after, "\n#")
	return []byte(section)
}

// failingChecks runs each check's latest version as the evaluator would at level (a restricted
// check replaces the baseline checks it overrides), and returns the ids that reject the pod.
func failingChecks(checks []pss.Check, level psapi.Level, meta *metav1.ObjectMeta, spec *corev1.PodSpec) []pss.CheckID {
	overridden := map[pss.CheckID]bool{}
	if level == psapi.LevelRestricted {
		for _, c := range checks {
			if c.Level == psapi.LevelRestricted {
				for _, id := range c.Versions[len(c.Versions)-1].OverrideCheckIDs {
					overridden[id] = true
				}
			}
		}
	}
	var out []pss.CheckID
	for _, c := range checks {
		if overridden[c.ID] || (level == psapi.LevelBaseline && c.Level == psapi.LevelRestricted) {
			continue
		}
		if !c.Versions[len(c.Versions)-1].CheckPod(meta, spec).Allowed {
			out = append(out, c.ID)
		}
	}
	return out
}

// gateDenies evaluates the object with the built-in library under the case's config at profile.
func gateDenies(t *testing.T, engines map[string]*Engine, tc pssCase, profile string) []Finding {
	t.Helper()
	spec := tc.cfg.Spec
	spec.Policy.Profile = api.Profile(profile)
	params := Params(&spec, "2026-11-22")
	key, _ := json.Marshal(params)
	eng := engines[string(key)]
	if eng == nil {
		var err error
		if eng, err = New(context.Background(), params); err != nil {
			t.Fatal(err)
		}
		engines[string(key)] = eng
	}
	m, err := emit.ToMap(tc.obj)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := eng.Eval(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	var out []Finding
	for _, f := range fs {
		if f.Severity == "deny" {
			out = append(out, f)
		}
	}
	return out
}

func denyStrings(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule+" "+f.Field)
	}
	sort.Strings(out)
	return out
}

// allowListed: the CompilerConfig allow-list that answers this PSS check names a pack of the pod.
func allowListed(id pss.CheckID, cfg *api.CompilerConfig, spec *corev1.PodSpec) bool {
	p := cfg.Spec.Policy
	packs := map[string]bool{}
	for _, c := range append(slices.Clone(spec.Containers), spec.InitContainers...) {
		if pack, ok := strings.CutPrefix(c.Name, "skill-"); ok {
			packs[pack] = true
		}
	}
	// Entries name packs as namespace/name or a bare (catalog) name; the cases here never hold
	// two packs of one name, so the name decides.
	name := func(ref string) string {
		_, n, ok := strings.Cut(ref, "/")
		if !ok {
			return ref
		}
		return n
	}
	listed := func(names []string) bool {
		return slices.ContainsFunc(names, func(n string) bool { return packs[name(n)] })
	}
	hostPaths := func() bool {
		return slices.ContainsFunc(p.AllowedHostPaths, func(a api.AllowedHostPath) bool { return packs[name(a.SkillPack)] })
	}
	switch id {
	case "hostNamespaces":
		if spec.HostIPC {
			return false // never allow-listable
		}
		return (!spec.HostPID || slices.ContainsFunc(p.HostNamespaceAllow, func(a api.HostNamespaceOK) bool { return packs[name(a.SkillPack)] && a.HostPID })) &&
			(!spec.HostNetwork || slices.ContainsFunc(p.HostNamespaceAllow, func(a api.HostNamespaceOK) bool { return packs[name(a.SkillPack)] && a.HostNetwork }))
	case "hostPathVolumes":
		return hostPaths()
	case "restrictedVolumes":
		for _, v := range spec.Volumes {
			src := v.VolumeSource
			src.HostPath = nil
			if src != (corev1.VolumeSource{}) && !restrictedType(v) {
				return false
			}
		}
		return hostPaths()
	case "runAsNonRoot", "runAsUser":
		return listed(p.RunAsRootAllow)
	case "privileged", "allowPrivilegeEscalation", "capabilities_restricted":
		// A privileged container cannot set allowPrivilegeEscalation false, and has every
		// capability: privilegedAllow answers all three for it.
		return listed(p.PrivilegedAllow) && hasPrivileged(spec)
	}
	return false
}

func restrictedType(v corev1.Volume) bool {
	s := v.VolumeSource
	return s.ConfigMap != nil || s.CSI != nil || s.DownwardAPI != nil || s.EmptyDir != nil || s.Ephemeral != nil ||
		s.PersistentVolumeClaim != nil || s.Projected != nil || s.Secret != nil
}

func hasPrivileged(spec *corev1.PodSpec) bool {
	for _, c := range append(slices.Clone(spec.Containers), spec.InitContainers...) {
		if c.SecurityContext != nil && c.SecurityContext.Privileged != nil && *c.SecurityContext.Privileged {
			return true
		}
	}
	return false
}

// --- The pods: every fixture's, and generated variations ---

// fixturePods: the pods of every fixture folder, compiled with its own config and flags
// (fixtureResults).
func fixturePods(t *testing.T) []pssCase {
	t.Helper()
	results := fixtureResults(t)
	var out []pssCase
	for _, name := range slices.Sorted(maps.Keys(results)) {
		out = append(out, podsOf(name, results[name])...)
	}
	if len(out) == 0 {
		t.Fatal("no fixture pods")
	}
	return out
}

func podsOf(name string, res *compile.Result) []pssCase {
	var out []pssCase
	for _, o := range res.Objects {
		if podTemplateOf(o) != nil {
			out = append(out, pssCase{name: name + ": " + compile.KindOf(o) + " " + o.GetNamespace() + "/" + o.GetName(), cfg: res.Config, obj: o})
		}
	}
	return out
}

// generatedPods: SkillPacks generated here (each host access flag, host mounts, each volume type,
// with and without the allow-lists that answer them), then variations of a compiled pod for what
// a SkillPack cannot express (capabilities, seccomp, users, escalation, ports, sysctls, ...).
func generatedPods(t *testing.T) []pssCase {
	t.Helper()
	compileSrc := func(name, sidecar, config string, opts compile.Options) []pssCase {
		src := pack(sidecar)
		if config != "" {
			src += "---\napiVersion: skillc.dev/v1alpha1\nkind: CompilerConfig\nmetadata: {name: platform}\nspec:\n  policy:\n" + config
		}
		res, ds := compile.Compile(splitConfig(name+".yaml", src), opts)
		err := ds.Err()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return podsOf(name, res)
	}
	var out []pssCase
	allowAll := `    allowedHostPaths: [{skillPack: p, pathPrefix: /proc, readOnly: true}, {skillPack: p, pathPrefix: /var/log, readOnly: true}, {skillPack: p, pathPrefix: /data, readOnly: false}]
    hostNamespaceAllow: [{skillPack: p, hostPID: true, hostNetwork: true}]
    runAsRootAllow: [p]
    privilegedAllow: [p]
`
	hostVariants := map[string]string{
		"hostPID":         "hostPID: true",
		"hostNetwork":     "hostNetwork: true",
		"runAsRoot":       "runAsRoot: true",
		"privileged":      "privileged: true",
		"mount-proc":      "mounts: [{hostPath: /proc, mountPath: /host/proc}]",
		"mount-proc-root": "mounts: [{hostPath: /proc/1/root, mountPath: /host/root}]",
		"mount-var-log":   "mounts: [{hostPath: /var/log, mountPath: /host/log}]",
		"mount-data-rw":   "mounts: [{hostPath: /data, mountPath: /data, readOnly: false}]",
		"mount-etc":       "mounts: [{hostPath: /etc, mountPath: /host/etc}]",
		"everything":      "hostPID: true, hostNetwork: true, runAsRoot: true, privileged: true, mounts: [{hostPath: /proc, mountPath: /host/proc}]",
		"enabled-only":    "",
	}
	for name, v := range hostVariants {
		sidecar := "    hostAccess: {enabled: true"
		if v != "" {
			sidecar += ", " + v
		}
		sidecar += "}\n"
		for _, identity := range []string{"shared", "per-run"} {
			opts := compile.Options{Identity: identity}
			out = append(out, compileSrc("host-"+name+"-"+identity, sidecar, "", opts)...)
			out = append(out, compileSrc("host-"+name+"-"+identity+"-allow-listed", sidecar, allowAll, opts)...)
		}
	}
	volumes := map[string]string{
		"configMap":             "{configMap: {name: c}}",
		"secret":                "{secret: {secretName: s}}",
		"emptyDir":              "{emptyDir: {}}",
		"projected":             "{projected: {sources: [{configMap: {name: c}}]}}",
		"projected-token":       "{projected: {sources: [{serviceAccountToken: {path: t}}]}}",
		"downwardAPI":           "{downwardAPI: {items: [{path: n, fieldRef: {fieldPath: metadata.name}}]}}",
		"csi":                   "{csi: {driver: csi.example.com}}",
		"persistentVolumeClaim": "{persistentVolumeClaim: {claimName: c}}",
		"ephemeral":             "{ephemeral: {volumeClaimTemplate: {spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}}}",
		"hostPath":              "{hostPath: {path: /var/log}}",
		"nfs":                   "{nfs: {server: nfs.example.com, path: /export}}",
		"iscsi":                 `{iscsi: {targetPortal: "10.0.0.1:3260", iqn: "iqn.2001-04.com.example:storage", lun: 0}}`,
		"flexVolume":            "{flexVolume: {driver: example.com/lvm}}",
		"cephfs":                `{cephfs: {monitors: ["10.0.0.1:6789"]}}`,
		"rbd":                   `{rbd: {monitors: ["10.0.0.1:6789"], image: foo}}`,
		"glusterfs":             "{glusterfs: {endpoints: g, path: v}}",
		"fc":                    `{fc: {wwids: ["3600508b400105e210000900000490000"]}}`,
		"azureFile":             "{azureFile: {secretName: s, shareName: x}}",
		"azureDisk":             "{azureDisk: {diskName: d, diskURI: u}}",
		"awsElasticBlockStore":  "{awsElasticBlockStore: {volumeID: v}}",
		"gcePersistentDisk":     "{gcePersistentDisk: {pdName: d}}",
		"cinder":                "{cinder: {volumeID: v}}",
		"flocker":               "{flocker: {datasetName: d}}",
		"quobyte":               "{quobyte: {registry: r, volume: v}}",
		"portworxVolume":        "{portworxVolume: {volumeID: v}}",
		"scaleIO":               "{scaleIO: {gateway: g, system: s, secretRef: {name: s}}}",
		"storageos":             "{storageos: {volumeName: v}}",
		"photonPersistentDisk":  "{photonPersistentDisk: {pdID: p}}",
		"vsphereVolume":         "{vsphereVolume: {volumePath: p}}",
		"gitRepo":               "{gitRepo: {repository: https://example.com/r.git}}",
		"image":                 "{image: {reference: ghcr.io/example/data:1.0}}",
	}
	for name, v := range volumes {
		sidecar := "    volumes: [{name: v, " + strings.TrimPrefix(v, "{") + "]\n    volumeMounts: [{name: v, mountPath: /v}]\n"
		out = append(out, compileSrc("volume-"+name, sidecar, "", compile.Options{})...)
	}

	// Variations of a clean compiled pod.
	base := compileSrc("base", "", "", compile.Options{})[0]
	mutate := func(name string, f func(spec *corev1.PodTemplateSpec)) {
		o := base.obj.DeepCopyObject().(compile.Object)
		f(podTemplateOf(o))
		out = append(out, pssCase{name: "variation " + name, cfg: base.cfg, obj: o})
	}
	sidecar := func(tmpl *corev1.PodTemplateSpec) *corev1.Container { return &tmpl.Spec.InitContainers[0] }
	for _, c := range []corev1.Capability{"NET_BIND_SERVICE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "SETUID", "KILL", "MKNOD", "NET_RAW", "SYS_ADMIN", "SYS_PTRACE", "NET_ADMIN", "SYS_MODULE", "BPF", "ALL"} {
		mutate("add "+string(c), func(p *corev1.PodTemplateSpec) { sidecar(p).SecurityContext.Capabilities.Add = []corev1.Capability{c} })
	}
	mutate("drop nothing", func(p *corev1.PodTemplateSpec) { sidecar(p).SecurityContext.Capabilities = nil })
	mutate("drop NET_RAW only", func(p *corev1.PodTemplateSpec) {
		sidecar(p).SecurityContext.Capabilities.Drop = []corev1.Capability{"NET_RAW"}
	})
	for _, st := range []corev1.SeccompProfileType{"Unconfined", "Localhost", "RuntimeDefault"} {
		prof := &corev1.SeccompProfile{Type: st}
		if st == "Localhost" {
			prof.LocalhostProfile = ptrTo("p.json")
		}
		mutate("pod seccomp "+string(st), func(p *corev1.PodTemplateSpec) { p.Spec.SecurityContext.SeccompProfile = prof })
		mutate("container seccomp "+string(st)+" (pod unset)", func(p *corev1.PodTemplateSpec) {
			p.Spec.SecurityContext.SeccompProfile = nil
			sidecar(p).SecurityContext.SeccompProfile = prof
		})
	}
	mutate("seccomp unset", func(p *corev1.PodTemplateSpec) { p.Spec.SecurityContext.SeccompProfile = nil })
	mutate("pod runAsUser 0", func(p *corev1.PodTemplateSpec) { p.Spec.SecurityContext.RunAsUser = ptrTo(int64(0)) })
	mutate("container runAsUser 0", func(p *corev1.PodTemplateSpec) { sidecar(p).SecurityContext.RunAsUser = ptrTo(int64(0)) })
	mutate("container runAsNonRoot false", func(p *corev1.PodTemplateSpec) { sidecar(p).SecurityContext.RunAsNonRoot = ptrTo(false) })
	mutate("runAsNonRoot unset", func(p *corev1.PodTemplateSpec) { p.Spec.SecurityContext.RunAsNonRoot = nil })
	mutate("runAsNonRoot on containers only", func(p *corev1.PodTemplateSpec) {
		p.Spec.SecurityContext.RunAsNonRoot = nil
		for _, cs := range [][]corev1.Container{p.Spec.Containers, p.Spec.InitContainers} {
			for i := range cs {
				cs[i].SecurityContext.RunAsNonRoot = ptrTo(true)
			}
		}
	})
	mutate("allowPrivilegeEscalation true", func(p *corev1.PodTemplateSpec) {
		sidecar(p).SecurityContext.AllowPrivilegeEscalation = ptrTo(true)
	})
	mutate("allowPrivilegeEscalation unset", func(p *corev1.PodTemplateSpec) { sidecar(p).SecurityContext.AllowPrivilegeEscalation = nil })
	mutate("privileged", func(p *corev1.PodTemplateSpec) {
		sidecar(p).SecurityContext.Privileged = ptrTo(true)
		sidecar(p).SecurityContext.AllowPrivilegeEscalation = nil
	})
	mutate("agent privileged", func(p *corev1.PodTemplateSpec) { p.Spec.Containers[0].SecurityContext.Privileged = ptrTo(true) })
	mutate("hostPort", func(p *corev1.PodTemplateSpec) {
		sidecar(p).Ports = []corev1.ContainerPort{{ContainerPort: 80, HostPort: 8080}}
	})
	mutate("containerPort only", func(p *corev1.PodTemplateSpec) { sidecar(p).Ports = []corev1.ContainerPort{{ContainerPort: 80}} })
	mutate("hostIPC", func(p *corev1.PodTemplateSpec) { p.Spec.HostIPC = true })
	mutate("hostPID", func(p *corev1.PodTemplateSpec) { p.Spec.HostPID = true })
	mutate("hostNetwork", func(p *corev1.PodTemplateSpec) { p.Spec.HostNetwork = true })
	mutate("procMount Unmasked", func(p *corev1.PodTemplateSpec) {
		pm := corev1.UnmaskedProcMount
		sidecar(p).SecurityContext.ProcMount = &pm
	})
	mutate("procMount Default", func(p *corev1.PodTemplateSpec) {
		pm := corev1.DefaultProcMount
		sidecar(p).SecurityContext.ProcMount = &pm
	})
	for _, s := range []string{"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_keepalive_time", "kernel.msgmax", "net.core.somaxconn", "vm.overcommit_memory"} {
		mutate("sysctl "+s, func(p *corev1.PodTemplateSpec) {
			p.Spec.SecurityContext.Sysctls = []corev1.Sysctl{{Name: s, Value: "1"}}
		})
	}
	for _, o := range []corev1.SELinuxOptions{{Type: "spc_t"}, {Type: "container_t"}, {User: "system_u"}, {Role: "sysadm_r"}, {Level: "s0:c1,c2"}} {
		mutate(fmt.Sprintf("seLinux %+v", o), func(p *corev1.PodTemplateSpec) { sidecar(p).SecurityContext.SELinuxOptions = &o })
	}
	mutate("pod seLinux spc_t", func(p *corev1.PodTemplateSpec) {
		p.Spec.SecurityContext.SELinuxOptions = &corev1.SELinuxOptions{Type: "spc_t"}
	})
	mutate("appArmor Unconfined", func(p *corev1.PodTemplateSpec) {
		sidecar(p).SecurityContext.AppArmorProfile = &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeUnconfined}
	})
	mutate("appArmor RuntimeDefault", func(p *corev1.PodTemplateSpec) {
		sidecar(p).SecurityContext.AppArmorProfile = &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeRuntimeDefault}
	})
	mutate("appArmor annotation unconfined", func(p *corev1.PodTemplateSpec) {
		p.Annotations = map[string]string{"container.apparmor.security.beta.kubernetes.io/skill-p": "unconfined"}
	})
	mutate("appArmor annotation runtime/default", func(p *corev1.PodTemplateSpec) {
		p.Annotations = map[string]string{"container.apparmor.security.beta.kubernetes.io/skill-p": "runtime/default"}
	})
	mutate("windows hostProcess", func(p *corev1.PodTemplateSpec) {
		sidecar(p).SecurityContext.WindowsOptions = &corev1.WindowsSecurityContextOptions{HostProcess: ptrTo(true)}
	})
	mutate("probe host", func(p *corev1.PodTemplateSpec) {
		sidecar(p).LivenessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Host: "10.0.0.1"}}}
	})
	mutate("lifecycle host", func(p *corev1.PodTemplateSpec) {
		sidecar(p).Lifecycle = &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{TCPSocket: &corev1.TCPSocketAction{Host: "10.0.0.1"}}}
	})
	mutate("probe without host", func(p *corev1.PodTemplateSpec) {
		sidecar(p).ReadinessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz"}}}
	})
	return out
}

// podTemplateOf is the pod template of every kind skillc emits with one (Job, CronJob, Sandbox,
// SandboxWarmPool, a channel's Deployment), nil for other kinds.
func podTemplateOf(o compile.Object) *corev1.PodTemplateSpec { return compile.PodTemplateOf(o) }

func ptrTo[T any](v T) *T { return &v }
