package policy

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
)

// locator maps a finding inside a generated object back to the source that caused it: the pack's
// rule for a Role, the pack's hostAccess for a host volume, the toggle for a SKILL_ variable, the
// run for the agent's task. Reviewers fix sources, not renders.
type locator struct {
	res  *compile.Result
	pods map[string]*compile.Pod // namespace/run
	runs map[string]*compile.Pod // run name → pod (cluster objects carry only the run label)
}

func newLocator(res *compile.Result) *locator {
	l := &locator{res: res, pods: map[string]*compile.Pod{}, runs: map[string]*compile.Pod{}}
	for i := range res.Pods {
		p := &res.Pods[i]
		l.pods[p.Namespace+"/"+p.Name] = p
		l.runs[p.Name] = p
	}
	return l
}

func at(src diag.Source, field string) diag.Diagnostic {
	return diag.Diagnostic{File: src.File, Line: src.LineOf(field), Field: field}
}

// config locates a finding on the CompilerConfig (its field is already a spec path).
func (l *locator) config(field string) diag.Diagnostic {
	if l.res.Config == nil || l.res.Config.Src.File == "" {
		return diag.Diagnostic{Field: field}
	}
	return at(l.res.Config.Src, field)
}

// podOf finds the run an object belongs to.
func (l *locator) podOf(o compile.Object) *compile.Pod {
	run := ownerName(o)
	if p, ok := l.pods[o.GetNamespace()+"/"+run]; ok {
		return p
	}
	return l.runs[run]
}

// pack finds the SkillPack named name as resolved for pods in namespace ns ("" = any).
func (l *locator) pack(ns, name string) *api.SkillPack {
	for _, p := range l.res.Pods {
		if ns != "" && p.Namespace != ns {
			continue
		}
		for _, t := range p.Toggles {
			if t.Pack.Metadata.Name == name {
				return t.Pack
			}
		}
	}
	return nil
}

func (l *locator) toggle(pod *compile.Pod, pack string) *compile.Toggle {
	if pod == nil {
		return nil
	}
	for i := range pod.Toggles {
		if pod.Toggles[i].Pack.Metadata.Name == pack {
			return &pod.Toggles[i]
		}
	}
	return nil
}

var (
	rulesRE     = regexp.MustCompile(`^rules\[(\d+)\](.*)$`)
	containerRE = regexp.MustCompile(`^(?:spec\.jobTemplate\.spec\.template|spec\.template)\.spec\.(containers|initContainers)\[(\d+)\](.*)$`)
	podFieldRE  = regexp.MustCompile(`^(?:spec\.jobTemplate\.spec\.template|spec\.template)\.spec\.(.*)$`)
	indexRE     = regexp.MustCompile(`^\.?([A-Za-z]+)\[(\d+)\](.*)$`)
	dataKeyRE   = regexp.MustCompile(`^data\["(.*)"\]$`)
)

// object locates a finding on a generated object.
func (l *locator) object(o compile.Object, f Finding) diag.Diagnostic {
	pod := l.podOf(o)
	packName := f.Pack
	if packName == "" {
		packName = o.GetLabels()[skillLabel]
	}
	t := l.toggle(pod, packName)
	switch compile.KindOf(o) {
	case "Role", "ClusterRole":
		if t != nil {
			list := "spec.sidecar.rbac"
			if compile.KindOf(o) == "ClusterRole" {
				list = "spec.sidecar.clusterRBAC"
			}
			if m := rulesRE.FindStringSubmatch(f.Field); m != nil {
				return at(t.Pack.Src, list+"["+m[1]+"]"+m[2])
			}
			return at(t.Pack.Src, list)
		}
	case "ConfigMap":
		// A ConfigMap serves every run of its namespace: find its pack by the label, and a
		// skill's key back to that skill's content.
		if p := l.pack(o.GetNamespace(), o.GetLabels()[skillPackLabel]); p != nil {
			if m := dataKeyRE.FindStringSubmatch(f.Field); m != nil {
				for i, s := range p.Spec.Skills {
					if s.Name+".md" == m[1] {
						return at(p.Src, fmt.Sprintf("spec.skills[%d].content", i))
					}
				}
			}
			return at(p.Src, "metadata.name")
		}
	case "RoleBinding", "ClusterRoleBinding":
		if t != nil {
			return at(t.Pack.Src, "metadata.name")
		}
	case "Job", "CronJob":
		if d, ok := l.podField(o, pod, f); ok {
			return d
		}
	}
	if t != nil {
		return at(t.Pack.Src, "metadata.name")
	}
	if pod != nil {
		return at(pod.Src, "metadata.name")
	}
	return diag.Diagnostic{Field: f.Field}
}

// podField maps a field of a Job's (or CronJob's) pod to its source.
func (l *locator) podField(o compile.Object, pod *compile.Pod, f Finding) (diag.Diagnostic, bool) {
	if pod == nil {
		return diag.Diagnostic{}, false
	}
	if m := containerRE.FindStringSubmatch(f.Field); m != nil {
		i, _ := strconv.Atoi(m[2])
		name := containerName(o, m[1], i)
		if pack, ok := strings.CutPrefix(name, "skill-"); ok {
			if t := l.toggle(pod, pack); t != nil {
				if k := declaredMount(o, m[1], i, m[3], t); k >= 0 {
					return at(t.Pack.Src, fmt.Sprintf("spec.sidecar.volumeMounts[%d]", k)), true
				}
				return sidecarField(t, m[3]), true
			}
		}
		// agent and ipc-bridge come from the run and the platform config.
		switch {
		case strings.HasPrefix(m[3], ".image") && l.res.Config != nil && l.res.Config.Src.File != "":
			field := "spec.images.agentRunner"
			if name == "ipc-bridge" {
				field = "spec.images.ipcBridge"
			}
			return at(l.res.Config.Src, field), true
		case strings.HasPrefix(m[3], ".env["):
			return at(pod.Src, agentEnvField(o, m[1], i, m[3])), true
		}
		return at(pod.Src, "metadata.name"), true
	}
	m := podFieldRE.FindStringSubmatch(f.Field)
	if m == nil {
		return diag.Diagnostic{}, false
	}
	rest := m[1]
	switch {
	case strings.HasPrefix(rest, "hostPID"), strings.HasPrefix(rest, "hostNetwork"), strings.HasPrefix(rest, "hostIPC"):
		key := strings.SplitN(rest, ".", 2)[0]
		for _, t := range pod.Toggles {
			if ha := sidecarOf(t).HostAccess; ha != nil && ha.Enabled && ((key == "hostPID" && ha.HostPID) || (key == "hostNetwork" && ha.HostNetwork)) {
				return at(t.Pack.Src, "spec.sidecar.hostAccess."+key), true
			}
		}
	case strings.HasPrefix(rest, "volumes["):
		if vm := indexRE.FindStringSubmatch(rest); vm != nil {
			i, _ := strconv.Atoi(vm[2])
			return l.volumeSource(o, pod, i, vm[3])
		}
	}
	return at(pod.Src, "metadata.name"), true
}

func sidecarOf(t compile.Toggle) *api.Sidecar {
	if t.Pack.Spec.Sidecar == nil {
		return &api.Sidecar{}
	}
	return t.Pack.Spec.Sidecar
}

// declaredMount: the index in the pack's sidecar.volumeMounts of the mount a ".volumeMounts[j]"
// field names (-1 when skillc added that mount itself).
func declaredMount(o compile.Object, list string, ci int, rest string, t *compile.Toggle) int {
	var j int
	if _, err := fmt.Sscanf(rest, ".volumeMounts[%d]", &j); err != nil {
		return -1
	}
	spec := compile.PodSpecOf(o)
	cs := spec.Containers
	if list == "initContainers" {
		cs = spec.InitContainers
	}
	if ci >= len(cs) || j >= len(cs[ci].VolumeMounts) {
		return -1
	}
	m := cs[ci].VolumeMounts[j]
	for k, d := range sidecarOf(*t).VolumeMounts {
		if d.Name == m.Name && d.MountPath == m.MountPath {
			return k
		}
	}
	return -1
}

// sidecarField maps a field of a skill-<pack> container to the pack's sidecar spec.
func sidecarField(t *compile.Toggle, rest string) diag.Diagnostic {
	sc := sidecarOf(*t)
	src := t.Pack.Src
	rest = strings.TrimPrefix(rest, ".")
	switch {
	case strings.HasPrefix(rest, "image"):
		return at(src, "spec.sidecar.image")
	case strings.HasPrefix(rest, "resources"):
		for _, r := range []string{"cpu", "memory"} {
			if strings.HasSuffix(rest, "."+r) {
				return at(src, "spec.sidecar.resources."+r)
			}
		}
		return at(src, "spec.sidecar.resources")
	case strings.HasPrefix(rest, "securityContext.privileged"):
		return at(src, "spec.sidecar.hostAccess.privileged")
	case strings.HasPrefix(rest, "securityContext.runAs"):
		return at(src, "spec.sidecar.hostAccess.runAsRoot")
	case strings.HasPrefix(rest, "securityContext") && sc.HostAccess != nil && sc.HostAccess.Enabled:
		return at(src, "spec.sidecar.hostAccess")
	case strings.HasPrefix(rest, "securityContext"):
		// Without host access the sidecar's securityContext is skillc's own hardening: no pack
		// field set it, so the finding is about the sidecar as a whole.
		return at(src, "spec.sidecar")
	case strings.HasPrefix(rest, "command["):
		return at(src, "spec.sidecar."+rest)
	case strings.HasPrefix(rest, "env["):
		m := indexRE.FindStringSubmatch(rest)
		i, _ := strconv.Atoi(m[2])
		switch {
		case i == 0:
			return at(src, "metadata.name")
		case i <= len(sc.Env):
			return at(src, fmt.Sprintf("spec.sidecar.env[%d]%s", i-1, m[3]))
		default:
			return at(t.Src, t.Field+".params")
		}
	case strings.HasPrefix(rest, "volumeMounts["):
		return at(src, "spec.sidecar")
	}
	return at(src, "spec.sidecar")
}

// volumeSource maps a pod volume to the declaration that put it there.
func (l *locator) volumeSource(o compile.Object, pod *compile.Pod, i int, rest string) (diag.Diagnostic, bool) {
	name := volumeName(o, i)
	for _, t := range pod.Toggles {
		sc := sidecarOf(t)
		prefix := "host-" + t.Pack.Metadata.Name + "-"
		if n, ok := strings.CutPrefix(name, prefix); ok {
			if k, err := strconv.Atoi(n); err == nil {
				return at(t.Pack.Src, fmt.Sprintf("spec.sidecar.hostAccess.mounts[%d].hostPath", k)), true
			}
		}
		for j, v := range sc.Volumes {
			if v.Name == name {
				return at(t.Pack.Src, fmt.Sprintf("spec.sidecar.volumes[%d]%s", j, rest)), true
			}
		}
	}
	return at(pod.Src, "metadata.name"), true
}

// containerName and volumeName read names back from the typed object.
func containerName(o compile.Object, list string, i int) string {
	spec := compile.PodSpecOf(o)
	if spec == nil {
		return ""
	}
	cs := spec.Containers
	if list == "initContainers" {
		cs = spec.InitContainers
	}
	if i < len(cs) {
		return cs[i].Name
	}
	return ""
}

func volumeName(o compile.Object, i int) string {
	spec := compile.PodSpecOf(o)
	if spec == nil || i >= len(spec.Volumes) {
		return ""
	}
	return spec.Volumes[i].Name
}

// agentEnvField maps one of the agent's variables to the run field it comes from.
func agentEnvField(o compile.Object, list string, ci int, rest string) string {
	var k int
	if _, err := fmt.Sscanf(rest, ".env[%d]", &k); err != nil {
		return "spec"
	}
	spec := compile.PodSpecOf(o)
	cs := spec.Containers
	if list == "initContainers" {
		cs = spec.InitContainers
	}
	if ci >= len(cs) || k >= len(cs[ci].Env) {
		return "spec"
	}
	switch name := cs[ci].Env[k].Name; name {
	case "TASK":
		return "spec.task"
	case "MODEL_NAME":
		return "spec.model"
	case "AGENT_RUN_ID", "INSTANCE_NAME", "AGENT_NAMESPACE":
		return "metadata.name"
	default:
		return "spec.env." + name
	}
}
