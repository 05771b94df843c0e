// Package explain answers, from the sources alone, why a run's pod looks as it does: which packs
// it has and where they resolved from, every object emitted for it with the source field that
// caused it, the identity and mounts of each container, the gate's findings, and why something a
// reader may expect is absent. It reads the origin records the builders keep (compile.Origins),
// never the emitted names.
package explain

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/policy"
)

// Loc is a place in the sources.
type Loc struct {
	File  string `json:"file,omitempty"`
	Line  int    `json:"line,omitempty"`
	Field string `json:"field,omitempty"`
}

func (l Loc) String() string {
	if l.File == "" {
		return "skillc default"
	}
	s := fmt.Sprintf("%s:%d", l.File, l.Line)
	if l.Field != "" {
		s += " " + l.Field
	}
	return s
}

func locOf(o compile.Origin, ok bool) Loc {
	if !ok {
		return Loc{}
	}
	return Loc{File: o.File, Line: o.Line, Field: o.Field}
}

// Explanation is the answer for one run or schedule.
type Explanation struct {
	Asked     string          `json:"asked,omitempty"` // the emitted object asked about, KIND/NS/NAME
	Kind      string          `json:"kind"`            // AgentRun or SympoziumSchedule
	Namespace string          `json:"namespace"`
	Name      string          `json:"name"`
	At        Loc             `json:"at"`
	Instance  string          `json:"instance"`
	InstAt    Loc             `json:"instanceAt"`
	SkillsOf  string          `json:"skillsFrom"` // "run" (its own spec.skills) or "instance"
	Packs     []Pack          `json:"packs"`
	Objects   []Object        `json:"objects"`
	Findings  []Finding       `json:"findings"`
	Budget    *compile.Budget `json:"budget,omitempty"`
	Absent    []string        `json:"absent"`
}

// Pack is one toggle of the pod and where its pack resolved from.
type Pack struct {
	Name      string  `json:"name"`
	ToggledAt Loc     `json:"toggledAt"`
	From      string  `json:"from"` // private or catalog
	Namespace string  `json:"namespace"`
	At        Loc     `json:"at"`
	Shadows   *Loc    `json:"shadows,omitempty"`
	ConfigMap string  `json:"configMap"`
	Skills    []Skill `json:"skills"`
	Sidecar   string  `json:"sidecar,omitempty"` // the container, when the pack has one
	Needs     *Needs  `json:"needs"`             // what its skills' commands need, next to its grants
}

// Skill is one file the pack mounts into the agent.
type Skill struct {
	Name      string `json:"name,omitempty"`
	Key       string `json:"key"`
	MountPath string `json:"mountPath"`
}

// Object is one emitted object and what caused it.
type Object struct {
	Kind       string      `json:"kind"`
	Namespace  string      `json:"namespace,omitempty"`
	Name       string      `json:"name"`
	Cause      Loc         `json:"cause"`
	Details    []Detail    `json:"details,omitempty"`
	Containers []Container `json:"containers,omitempty"`
}

// Detail is one line of an object (a rule, a subject) and the source field behind it.
type Detail struct {
	What  string `json:"what"`
	Cause Loc    `json:"cause"`
}

// Container is one container of the pod: its identity and mounts.
type Container struct {
	Name           string `json:"name"`
	Image          string `json:"image"`
	Cause          Loc    `json:"cause"`
	ServiceAccount string `json:"serviceAccount"`
	UID            int64  `json:"uid"`
	UIDCause       *Loc   `json:"uidCause,omitempty"` // when it differs from the pod's
	PodUID         int64  `json:"podUID"`
	// ImageUser: neither the pod nor the container sets runAsUser (a server-mode run's pod, as
	// upstream builds it): the image's USER runs, and UID is meaningless.
	ImageUser bool    `json:"imageUser,omitempty"`
	Token     bool    `json:"apiToken"`
	Mounts    []Mount `json:"mounts"`
}

// Mount is one volume mount and what the volume is.
type Mount struct {
	Path     string `json:"path"`
	Volume   string `json:"volume"`
	Source   string `json:"source"`
	ReadOnly bool   `json:"readOnly"`
	Cause    Loc    `json:"cause"`
}

// Finding is a gate finding on the pod's objects; exceptions that waived one say so.
type Finding struct {
	diag.Diagnostic
	Exception string `json:"exception,omitempty"`
	Owner     string `json:"owner,omitempty"`
	Expires   string `json:"expires,omitempty"`
}

// PodObjects are the objects of res emitted for pod, in output order (the builders' records say
// which), for the gate to be asked about them alone.
func PodObjects(res *compile.Result, pod *compile.Pod) []compile.Object {
	mine := res.ObjectOrigins(pod)
	var out []compile.Object
	for _, o := range res.Objects {
		if _, ok := mine[compile.ObjectKey(o)]; ok {
			out = append(out, o)
		}
	}
	return out
}

// Explain builds the explanation of pod. in are the decoded inputs (for what a private pack
// shadows), rep the gate's report on PodObjects.
func Explain(res *compile.Result, in *api.Inputs, pod *compile.Pod, rep *policy.Report) *Explanation {
	catalog := res.Config.Spec.CatalogNamespace
	origins := res.ObjectOrigins(pod)
	e := &Explanation{Kind: pod.Kind, Namespace: pod.Namespace, Name: pod.Name,
		At:       Loc{File: pod.Src.File, Line: pod.Src.Line},
		Instance: pod.Instance.Metadata.Name, InstAt: Loc{File: pod.Instance.Src.File, Line: pod.Instance.Src.Line},
		SkillsOf: "instance", Packs: []Pack{}, Objects: []Object{}, Findings: []Finding{}, Absent: []string{}}
	if len(pod.Toggles) > 0 && pod.Toggles[0].Src.File == pod.Src.File && pod.Toggles[0].Src.Line == pod.Src.Line {
		e.SkillsOf = "run"
	}
	objs := PodObjects(res, pod)
	configMaps := map[string]*corev1.ConfigMap{}
	var podSpec *corev1.PodSpec
	var podPath string
	podKey := ""
	for _, o := range objs {
		if cm, ok := o.(*corev1.ConfigMap); ok {
			configMaps[cm.Name] = cm
		}
		// The run's workload: its Job, CronJob, Sandbox or (a server run) Deployment; a postRun
		// hooks' Job is not the run's pod.
		if s := compile.PodSpecOf(o); s != nil && o.GetLabels()[compile.LabelComponent] != compile.ComponentPostRun {
			podSpec, podPath, podKey = s, compile.PodSpecPath(o), compile.ObjectKey(o)
		}
	}
	skillsMount := "/skills"
	if podSpec != nil {
		for _, c := range podSpec.Containers {
			for _, m := range c.VolumeMounts {
				if c.Name == compile.AgentContainer && m.Name == compile.VolumeSkills {
					skillsMount = m.MountPath
				}
			}
		}
	}
	// The pack behind each projected source of the skills volume, in toggle order.
	var sources []corev1.VolumeProjection
	if podSpec != nil {
		for _, v := range podSpec.Volumes {
			if v.Name == "skills" && v.Projected != nil {
				sources = v.Projected.Sources
			}
		}
	}
	for i, t := range pod.Toggles {
		p := Pack{Name: t.Pack.Metadata.Name, ToggledAt: Loc{File: t.Src.File, Line: t.Src.LineOf(t.Field + ".skillPackRef"), Field: t.Field},
			Namespace: t.Pack.Metadata.Namespace, At: Loc{File: t.Pack.Src.File, Line: t.Pack.Src.Line}, From: "catalog"}
		if p.Namespace == "" {
			p.Namespace = catalog
		}
		if p.Namespace == pod.Namespace && p.Namespace != catalog {
			p.From = "private"
			for _, q := range in.Packs {
				qns := q.Metadata.Namespace
				if qns == "" {
					qns = catalog
				}
				if qns == catalog && q.Metadata.Name == p.Name {
					p.Shadows = &Loc{File: q.Src.File, Line: q.Src.Line}
				}
			}
		}
		if i < len(sources) && sources[i].ConfigMap != nil {
			p.ConfigMap = sources[i].ConfigMap.Name
			if cm := configMaps[p.ConfigMap]; cm != nil {
				paths := map[string]string{} // a package's keys are projected to <skill>/<path>
				for _, it := range sources[i].ConfigMap.Items {
					paths[it.Key] = it.Path
				}
				for _, k := range sortedKeys(cm.Data, cm.BinaryData) {
					sk := Skill{Key: k, MountPath: skillsMount + "/" + cmp.Or(paths[k], k)}
					for _, s := range t.Pack.Spec.Skills {
						if s.Name+".md" == k {
							sk.Name = s.Name
						}
					}
					p.Skills = append(p.Skills, sk)
				}
			}
		}
		p.Needs = packNeeds(t)
		sc := t.Pack.Spec.Sidecar
		switch {
		case sc == nil:
			e.Absent = append(e.Absent, fmt.Sprintf("no sidecar for pack %s: it declares no spec.sidecar (%s:%d)", p.Name, t.Pack.Src.File, t.Pack.Src.Line))
		case sc.Image == "":
			e.Absent = append(e.Absent, fmt.Sprintf("no sidecar for pack %s: it declares no sidecar.image (%s:%d)", p.Name, t.Pack.Src.File, t.Pack.Src.LineOf("spec.sidecar")))
		default:
			if len(sc.RBAC) == 0 && len(sc.ClusterRBAC) == 0 {
				e.Absent = append(e.Absent, fmt.Sprintf("no Role or ClusterRole for pack %s: it declares no sidecar.rbac or sidecar.clusterRBAC, so its sidecar gets no API permissions (%s:%d)", p.Name, t.Pack.Src.File, t.Pack.Src.LineOf("spec.sidecar")))
			}
			if sc.HostAccess == nil || !sc.HostAccess.Enabled {
				e.Absent = append(e.Absent, fmt.Sprintf("no host access for pack %s: sidecar.hostAccess.enabled is not set", p.Name))
			}
		}
		e.Packs = append(e.Packs, p)
	}
	if len(pod.Toggles) == 0 {
		e.Absent = append(e.Absent, fmt.Sprintf("no skills: neither the %s nor instance %s/%s toggles any pack", strings.ToLower(pod.Kind), pod.Namespace, e.Instance))
	}
	if e.SkillsOf == "run" && len(pod.Instance.Spec.Skills) > 0 {
		var names []string
		for _, s := range pod.Instance.Spec.Skills {
			names = append(names, s.SkillPackRef)
		}
		e.Absent = append(e.Absent, fmt.Sprintf("the instance's toggles (%s) do not apply: the %s has its own spec.skills", strings.Join(names, ", "), strings.ToLower(pod.Kind)))
	}
	for _, o := range objs {
		key := compile.ObjectKey(o)
		from := origins[key]
		ob := Object{Kind: o.GetObjectKind().GroupVersionKind().Kind, Namespace: o.GetNamespace(), Name: o.GetName(), Cause: locOf(from.Lookup(""))}
		switch x := o.(type) {
		case *rbacv1.Role:
			ob.Details = ruleDetails(x.Rules, from)
		case *rbacv1.ClusterRole:
			ob.Details = ruleDetails(x.Rules, from)
		case *rbacv1.RoleBinding:
			ob.Details = bindingDetails(x.RoleRef, x.Subjects, from)
		case *rbacv1.ClusterRoleBinding:
			ob.Details = bindingDetails(x.RoleRef, x.Subjects, from)
		case *corev1.ServiceAccount:
			if len(from) == 0 {
				ob.Details = []Detail{{What: "shared by every run of the namespace (identity: shared)"}}
			}
		}
		if key == podKey && podSpec != nil {
			ob.Containers = containers(podSpec, podPath, from)
		}
		e.Objects = append(e.Objects, ob)
	}
	for _, d := range rep.Findings {
		e.Findings = append(e.Findings, Finding{Diagnostic: d})
	}
	for _, x := range rep.Excepted {
		e.Findings = append(e.Findings, Finding{Diagnostic: x.Diagnostic, Exception: x.Exception, Owner: x.Owner, Expires: x.Expires})
	}
	for i := range res.Budgets {
		b := res.Budgets[i]
		if b.Namespace == pod.Namespace && b.Instance == e.Instance {
			e.Budget = &b
		}
	}
	return e
}

func sortedKeys(a map[string]string, b map[string][]byte) []string {
	var ks []string
	for k := range a {
		ks = append(ks, k)
	}
	for k := range b {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func ruleDetails(rules []rbacv1.PolicyRule, from compile.Origins) []Detail {
	var out []Detail
	for i, r := range rules {
		w := fmt.Sprintf("rule: apiGroups %q resources %q verbs %q", r.APIGroups, r.Resources, r.Verbs)
		if len(r.ResourceNames) > 0 {
			w += fmt.Sprintf(" resourceNames %q", r.ResourceNames)
		}
		if len(r.NonResourceURLs) > 0 {
			w += fmt.Sprintf(" nonResourceURLs %q", r.NonResourceURLs)
		}
		out = append(out, Detail{What: w, Cause: locOf(from.Lookup(fmt.Sprintf("rules[%d]", i)))})
	}
	return out
}

func bindingDetails(ref rbacv1.RoleRef, subjects []rbacv1.Subject, from compile.Origins) []Detail {
	out := []Detail{{What: "grants " + ref.Kind + " " + ref.Name, Cause: locOf(from.Lookup("roleRef"))}}
	for i, s := range subjects {
		out = append(out, Detail{What: fmt.Sprintf("to %s %s/%s", s.Kind, s.Namespace, s.Name), Cause: locOf(from.Lookup(fmt.Sprintf("subjects[%d]", i)))})
	}
	return out
}

func containers(spec *corev1.PodSpec, path string, from compile.Origins) []Container {
	vols := map[string]int{}
	for i, v := range spec.Volumes {
		vols[v.Name] = i
	}
	podUID := int64(0)
	if spec.SecurityContext != nil && spec.SecurityContext.RunAsUser != nil {
		podUID = *spec.SecurityContext.RunAsUser
	}
	automount := spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken
	var out []Container
	add := func(list string, cs []corev1.Container) {
		for i, c := range cs {
			p := fmt.Sprintf("%s.%s[%d]", path, list, i)
			ct := Container{Name: c.Name, Image: c.Image, Cause: locOf(from.Lookup(p)), ServiceAccount: spec.ServiceAccountName, UID: podUID, Token: automount}
			ct.PodUID = podUID
			if c.SecurityContext != nil && c.SecurityContext.RunAsUser != nil {
				ct.UID = *c.SecurityContext.RunAsUser
			} else if spec.SecurityContext == nil || spec.SecurityContext.RunAsUser == nil {
				ct.ImageUser = true
			}
			if ct.UID != podUID {
				l := locOf(from.Lookup(p + ".securityContext"))
				ct.UIDCause = &l
			}
			for j, m := range c.VolumeMounts {
				mt := Mount{Path: m.MountPath, Volume: m.Name, ReadOnly: m.ReadOnly, Cause: locOf(from.Lookup(fmt.Sprintf("%s.volumeMounts[%d]", p, j)))}
				if vi, ok := vols[m.Name]; ok {
					mt.Source = describeVolume(spec.Volumes[vi])
					if l := locOf(from.Lookup(fmt.Sprintf("%s.volumes[%d]", path, vi))); l.Field != "" && l.Field != "metadata.name" {
						mt.Cause = l
					}
				}
				if strings.HasPrefix(m.MountPath, "/var/run/secrets/kubernetes.io") {
					ct.Token = true
				}
				ct.Mounts = append(ct.Mounts, mt)
			}
			out = append(out, ct)
		}
	}
	add("initContainers", spec.InitContainers)
	add("containers", spec.Containers)
	return out
}

func describeVolume(v corev1.Volume) string {
	switch {
	case v.HostPath != nil:
		return "hostPath " + v.HostPath.Path
	case v.Projected != nil:
		var names []string
		for _, s := range v.Projected.Sources {
			switch {
			case s.ConfigMap != nil:
				names = append(names, "configMap "+s.ConfigMap.Name)
			case s.ServiceAccountToken != nil:
				names = append(names, "service account token")
			case s.Secret != nil:
				names = append(names, "secret "+s.Secret.Name)
			}
		}
		return "projected: " + strings.Join(names, ", ")
	case v.Secret != nil:
		return "secret " + v.Secret.SecretName
	case v.ConfigMap != nil:
		return "configMap " + v.ConfigMap.Name
	case v.EmptyDir != nil:
		s := "emptyDir"
		if v.EmptyDir.Medium != "" {
			s += " " + string(v.EmptyDir.Medium)
		}
		return s
	}
	return "volume"
}
