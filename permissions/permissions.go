// Package permissions reduces compiled or rendered objects to what each run may do — RBAC grants,
// host access, container images and secrets, per run and per skill pack — and compares two such
// sets, so that a reviewer sees exactly which permissions a change grants or revokes.
package permissions

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/skillc-dev/skillc/compile"
)

// Run identifies a run: a Job or a Sandbox (an AgentRun), a Deployment (a server-mode AgentRun)
// or a CronJob (a SympoziumSchedule); or one of an Agent's own pods: a channel gateway
// (Deployment) or a SandboxWarmPool.
type Run struct {
	Kind string // Job, CronJob, Sandbox, Deployment or SandboxWarmPool
	// Name is the object's name; a Sandbox's is its run's (the object is sb-<run>), so that the
	// run's grants, labelled with the run, land beside its pod.
	Namespace string
	Name      string
}

func (r Run) String() string {
	ns := r.Namespace
	if ns == "" {
		ns = "?" // a ClusterRole whose run could not be placed in a namespace
	}
	return r.Kind + " " + ns + "/" + r.Name
}

func compareRuns(a, b Run) int {
	return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Kind, b.Kind))
}

// Group is one run's permissions of one pack; Pack "" holds the pod-wide ones (host namespaces,
// the service account, the agent's and ipc-bridge's containers).
type Group struct {
	Run  Run
	Pack string
}

func compareGroups(a, b Group) int {
	return cmp.Or(compareRuns(a.Run, b.Run), cmp.Compare(a.Pack, b.Pack))
}

// Set is every permission of every run: per group, a permission's key and its value. Most
// permissions are only a key (the value is empty); a container's image is keyed by the container,
// so that a new image shows as a change of that one line rather than as a removal and an addition.
type Set map[Group]map[string]string

func (s Set) add(g Group, key, value string) {
	m := s[g]
	if m == nil {
		m = map[string]string{}
		s[g] = m
	}
	m[key] = value
}

// Runs returns the runs of the set, sorted.
func (s Set) Runs() []Run {
	seen := map[Run]bool{}
	var runs []Run
	for g := range s {
		if !seen[g.Run] {
			seen[g.Run] = true
			runs = append(runs, g.Run)
		}
	}
	slices.SortFunc(runs, compareRuns)
	return runs
}

// FromObjects builds the permission set of compiled or rendered objects. Jobs, CronJobs and Deployments give
// their pods' host access, images, secrets and service account; Roles and ClusterRoles labelled
// with a run and a skill give that run's grants from that pack. Other objects are ignored.
func FromObjects(objs []compile.Object) Set {
	s := Set{}
	// A ClusterRole names its run but not the run's namespace: its binding's subject does.
	bindingNS := map[string]string{}
	workloadNS := map[Run][]string{} // kind+name (Namespace empty) → namespaces
	servers := map[Run]string{}      // a server run (as its RBAC names it, a Job) → its Deployment
	sandboxed := map[string]bool{}   // namespace/run of the sandbox-backed runs
	for _, o := range objs {
		switch w := o.(type) {
		case *rbacv1.ClusterRoleBinding:
			for _, sub := range w.Subjects {
				if sub.Kind == rbacv1.ServiceAccountKind && w.RoleRef.Kind == "ClusterRole" {
					bindingNS[w.RoleRef.Name] = sub.Namespace
				}
			}
		case *batchv1.Job:
			k := Run{Kind: "Job", Name: w.Name}
			workloadNS[k] = append(workloadNS[k], w.Namespace)
		case *batchv1.CronJob:
			k := Run{Kind: "CronJob", Name: w.Name}
			workloadNS[k] = append(workloadNS[k], w.Namespace)
		case *appsv1.Deployment:
			if run := w.Labels[compile.LabelAgentRun]; run != "" {
				servers[Run{Kind: "Job", Namespace: w.Namespace, Name: run}] = w.Name
			}
		case *compile.Sandbox:
			k := Run{Kind: "Sandbox", Name: w.Labels[compile.LabelAgentRun]}
			workloadNS[k] = append(workloadNS[k], w.Namespace)
			sandboxed[w.Namespace+"/"+k.Name] = true
		}
	}
	// A server run's RBAC names the run; its pod is the Deployment's.
	serverOf := func(r Run) Run {
		if name, ok := servers[r]; ok {
			return Run{Kind: "Deployment", Namespace: r.Namespace, Name: name}
		}
		return r
	}
	// A sandbox-backed run's grants are the Sandbox's: rbacOwner says Job by its run label alone.
	owner := func(l map[string]string, ns string) (Run, string, bool) {
		run, pack, ok := rbacOwner(l)
		if ok && run.Kind == "Job" && (sandboxed[ns+"/"+run.Name] || ns == "" && len(workloadNS[Run{Kind: "Sandbox", Name: run.Name}]) > 0) {
			run.Kind = "Sandbox"
		}
		return run, pack, ok
	}
	for _, o := range objs {
		switch w := o.(type) {
		case *batchv1.Job:
			addPod(s, Run{Kind: "Job", Namespace: w.Namespace, Name: w.Name}, &w.Spec.Template.Spec)
		case *batchv1.CronJob:
			addPod(s, Run{Kind: "CronJob", Namespace: w.Namespace, Name: w.Name}, &w.Spec.JobTemplate.Spec.Template.Spec)
		case *compile.Sandbox:
			addPod(s, Run{Kind: "Sandbox", Namespace: w.Namespace, Name: w.Labels[compile.LabelAgentRun]}, &w.Spec.PodTemplate.Spec)
		case *compile.SandboxWarmPool:
			addPod(s, Run{Kind: "SandboxWarmPool", Namespace: w.Namespace, Name: w.Name}, &w.Spec.PodTemplate.Spec)
		case *appsv1.Deployment:
			addPod(s, Run{Kind: "Deployment", Namespace: w.Namespace, Name: w.Name}, &w.Spec.Template.Spec)
		case *rbacv1.Role:
			if run, pack, ok := owner(w.Labels, w.Namespace); ok {
				run.Namespace = w.Namespace
				addRules(s, Group{serverOf(run), pack}, "Role "+w.Namespace, w.Rules)
			}
		case *rbacv1.ClusterRole:
			if run, pack, ok := owner(w.Labels, bindingNS[w.Name]); ok {
				if ns, ok := bindingNS[w.Name]; ok {
					run.Namespace = ns
				} else if nss := workloadNS[run]; len(nss) == 1 {
					run.Namespace = nss[0]
				}
				addRules(s, Group{serverOf(run), pack}, "ClusterRole", w.Rules)
			}
		}
	}
	return s
}

// rbacOwner reads the run and pack of a generated Role or ClusterRole from its labels. A run's
// lifecycle Role (its hooks' grants, no pack's) counts with the pod's permissions (pack "").
func rbacOwner(l map[string]string) (Run, string, bool) {
	pack, ok := l[compile.LabelSkill]
	if !ok && l[compile.LabelComponent] != compile.ComponentLifecycle {
		return Run{}, "", false
	}
	if name, ok := l[compile.LabelAgentRun]; ok {
		return Run{Kind: "Job", Name: name}, pack, true
	}
	if name, ok := l[compile.LabelSchedule]; ok {
		return Run{Kind: "CronJob", Name: name}, pack, true
	}
	return Run{}, "", false
}

// addRules expands rules into one permission per (role, group, resource, verb[, name]): a rule
// that gains one verb then shows as exactly one added line. role is what grants it, "Role NS" or
// "ClusterRole"; the group is written as a path before the resource, "core" for the core group
// (Role team-a core/secrets get, ClusterRole apps/deployments list).
func addRules(s Set, g Group, role string, rules []rbacv1.PolicyRule) {
	for _, r := range rules {
		for _, verb := range r.Verbs {
			for _, group := range r.APIGroups {
				for _, res := range r.Resources {
					line := fmt.Sprintf("%s %s/%s %s", role, groupName(group), res, verb)
					wild := verb == "*" || group == "*" || res == "*" || strings.HasPrefix(res, "*/") || strings.HasSuffix(res, "/*")
					if len(r.ResourceNames) == 0 {
						s.add(g, withWildcard(line, wild), "")
					}
					for _, n := range r.ResourceNames {
						s.add(g, withWildcard(line+" name="+n, wild), "")
					}
				}
			}
			for _, url := range r.NonResourceURLs {
				s.add(g, withWildcard(fmt.Sprintf("%s url %s %s", role, url, verb), verb == "*" || strings.Contains(url, "*")), "")
			}
		}
	}
}

// groupName is an API group as the diff writes it: the core group ("") is "core", as the API
// reference names it.
func groupName(group string) string {
	if group == "" {
		return "core"
	}
	return group
}

func withWildcard(line string, wild bool) string {
	if wild {
		return line + " (wildcard)"
	}
	return line
}

// addPod records what a run's pod may do: pod-wide host namespaces and identity, and per container
// its image, host mounts, privilege, root, capabilities, host ports and secrets.
func addPod(s Set, run Run, spec *corev1.PodSpec) {
	pod := Group{Run: run}
	if spec.HostPID {
		s.add(pod, "host hostPID", "")
	}
	if spec.HostNetwork {
		s.add(pod, "host hostNetwork", "")
	}
	if spec.HostIPC {
		s.add(pod, "host hostIPC", "")
	}
	sa := spec.ServiceAccountName
	if sa == "" {
		sa = "default"
	}
	s.add(pod, "serviceAccount "+sa, "")
	vols := map[string]corev1.Volume{}
	mounted := map[string]bool{}
	for _, v := range spec.Volumes {
		vols[v.Name] = v
	}
	var podUser *int64
	podNonRoot := false
	if sc := spec.SecurityContext; sc != nil {
		podUser = sc.RunAsUser
		podNonRoot = sc.RunAsNonRoot != nil && *sc.RunAsNonRoot
	}
	containers := slices.Concat(spec.InitContainers, spec.Containers)
	for _, c := range containers {
		g := pod
		if pack, ok := strings.CutPrefix(c.Name, compile.ContainerPrefix); ok {
			g.Pack = pack
		}
		in := " in " + c.Name
		s.add(g, "image "+c.Name, c.Image)
		user, nonRoot := podUser, podNonRoot
		if sc := c.SecurityContext; sc != nil {
			if sc.RunAsUser != nil {
				user = sc.RunAsUser
			}
			if sc.RunAsNonRoot != nil {
				nonRoot = *sc.RunAsNonRoot
			}
			if sc.Privileged != nil && *sc.Privileged {
				s.add(g, "host privileged"+in, "")
			}
			if sc.Capabilities != nil {
				for _, capability := range sc.Capabilities.Add {
					s.add(g, "host capability "+string(capability)+in, "")
				}
			}
		}
		// Losing the hardening skillc gives every container is a grant too: the runtime's default
		// capabilities (NET_RAW, CHOWN, ...) and setuid escalation.
		if sc := c.SecurityContext; sc == nil || sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
			s.add(g, "host default capabilities (ALL not dropped)"+in, "")
		}
		if sc := c.SecurityContext; sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			s.add(g, "host privilege escalation allowed"+in, "")
		}
		switch {
		case user != nil && *user == 0:
			s.add(g, "host root (runAsUser 0)"+in, "")
		case user == nil && !nonRoot:
			s.add(g, "host root possible (no runAsUser, runAsNonRoot unset)"+in, "")
		}
		for _, p := range c.Ports {
			if p.HostPort != 0 {
				proto := p.Protocol
				if proto == "" {
					proto = corev1.ProtocolTCP
				}
				s.add(g, "host hostPort "+strconv.Itoa(int(p.HostPort))+"/"+string(proto)+in, "")
			}
		}
		for _, m := range c.VolumeMounts {
			mounted[m.Name] = true
			v, ok := vols[m.Name]
			if !ok {
				continue
			}
			mode := "writable"
			if m.ReadOnly {
				mode = "read-only"
			}
			if hp := v.HostPath; hp != nil {
				s.add(g, "host hostPath "+hp.Path+" "+mode+" at "+m.MountPath+in, "")
			}
			for _, name := range secretsOf(v) {
				s.add(g, "secret "+name+" mounted at "+m.MountPath+in, "")
			}
		}
		for _, e := range c.Env {
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
				ref := e.ValueFrom.SecretKeyRef
				s.add(g, "secret "+ref.Name+" key "+ref.Key+" as env "+e.Name+in, "")
			}
		}
		for _, e := range c.EnvFrom {
			if e.SecretRef != nil {
				s.add(g, "secret "+e.SecretRef.Name+" as env (envFrom)"+in, "")
			}
		}
	}
	// A host path or secret in the pod that no container mounts is still in the pod's spec.
	for _, v := range spec.Volumes {
		if mounted[v.Name] {
			continue
		}
		if v.HostPath != nil {
			s.add(pod, "host hostPath "+v.HostPath.Path+" (volume "+v.Name+", not mounted)", "")
		}
		for _, name := range secretsOf(v) {
			s.add(pod, "secret "+name+" (volume "+v.Name+", not mounted)", "")
		}
	}
}

// secretsOf names the secrets a volume exposes, directly or projected.
func secretsOf(v corev1.Volume) []string {
	var out []string
	if v.Secret != nil {
		out = append(out, v.Secret.SecretName)
	}
	if v.Projected != nil {
		for _, src := range v.Projected.Sources {
			if src.Secret != nil {
				out = append(out, src.Secret.Name)
			}
		}
	}
	return out
}
