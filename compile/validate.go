package compile

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/robfig/cron/v3"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
)

// Kubernetes' name limits, named for the messages that cite them.
const (
	maxLabelName  = validation.DNS1123LabelMaxLength     // 63: container, volume, Job names, label values
	maxObjectName = validation.DNS1123SubdomainMaxLength // 253: ConfigMaps, Roles, bindings
)

// skillNameRE is a DNS-1123 label's shape: the name becomes the file /skills/<name>.md and the
// key of a ConfigMap. Consecutive hyphens, which the Agent Skills specification forbids and
// Kubernetes does not, are allowed: a SKILL.md package that has them is warned of when read.
var skillNameRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// checkMeta validates a source object's own name and namespace.
func checkMeta(src diag.Source, m api.ObjectMeta, kind string) diag.Diagnostics {
	var diags diag.Diagnostics
	if m.Name == "" {
		return diag.Diagnostics{src.Diag("metadata.name", "%s has no name", kind)}
	}
	for _, msg := range validation.IsDNS1123Subdomain(m.Name) {
		diags = append(diags, src.Diag("metadata.name", "invalid %s name %q: %s", kind, m.Name, msg))
	}
	if m.Namespace != "" {
		for _, msg := range validation.IsDNS1123Label(m.Namespace) {
			diags = append(diags, src.Diag("metadata.namespace", "invalid namespace %q: %s", m.Namespace, msg))
		}
	}
	return diags
}

// checkLength reports a generated name over a Kubernetes limit, saying which name and which limit:
// we never cut a name, since two long names cut alike would silently become one object.
func checkLength(src diag.Source, field, what, name string, limit int) diag.Diagnostics {
	if len(name) <= limit {
		return nil
	}
	return diag.Diagnostics{src.Diag(field, "%s %q is %d characters, over Kubernetes' %d-character limit for %s; shorten the source name",
		what, name, len(name), limit, limitName(limit))}
}

func limitName(limit int) string {
	switch limit {
	case maxLabelName:
		return "label values, container, volume and Job names"
	case maxCronJobName:
		return "CronJob names (the controller adds 11 characters to name each Job)"
	}
	return "object names"
}

func validatePack(p *api.SkillPack) diag.Diagnostics {
	src := p.Src
	diags := checkMeta(src, p.Metadata, "SkillPack")
	if len(diags) > 0 {
		return diags
	}
	name := p.Metadata.Name
	// The pack name becomes a label value and part of container names: it must be a DNS label.
	for _, msg := range validation.IsDNS1123Label(name) {
		diags = append(diags, src.Diag("metadata.name", "invalid SkillPack name %q: %s", name, msg))
	}
	diags = append(diags, checkLength(src, "metadata.name", "ConfigMap name", "skillpack-"+name, maxObjectName)...)
	if len(p.Spec.Skills) == 0 && p.Spec.Sidecar == nil {
		diags = append(diags, src.Diag("spec.skills", "a SkillPack needs at least one skill"))
	}
	seen := map[string]int{}
	for i, s := range p.Spec.Skills {
		field := fmt.Sprintf("spec.skills[%d]", i)
		switch {
		case s.Name == "":
			diags = append(diags, src.Diag(field+".name", "required"))
		case len(s.Name) > api.MaxSkillName || !skillNameRE.MatchString(s.Name):
			diags = append(diags, src.Diag(field+".name", "invalid skill name %q: use 1-%d lowercase letters, digits and hyphens, starting and ending with a letter or digit (it becomes the file /skills/%s.md)", s.Name, api.MaxSkillName, s.Name))
		}
		if j, dup := seen[s.Name]; dup && s.Name != "" {
			diags = append(diags, src.Diag(field+".name", "duplicate skill name %q (also spec.skills[%d])", s.Name, j))
		}
		seen[s.Name] = i
		if strings.TrimSpace(s.Content) == "" {
			diags = append(diags, src.Diag(field+".content", "skill %q has empty content: the agent would read an empty file", s.Name))
		}
	}
	if sc := p.Spec.Sidecar; sc != nil {
		diags = append(diags, validateSidecar(src, name, sc)...)
	}
	return diags
}

func validateSidecar(src diag.Source, pack string, sc *api.Sidecar) diag.Diagnostics {
	var diags diag.Diagnostics
	if sc.Image == "" {
		diags = append(diags, src.Diag("spec.sidecar.image", "required when a sidecar is declared"))
	} else if err := api.ParseImage(sc.Image); err != nil {
		diags = append(diags, src.Diag("spec.sidecar.image", "invalid image reference %q: %v", sc.Image, err))
	}
	switch corev1.PullPolicy(sc.ImagePullPolicy) {
	case "", corev1.PullAlways, corev1.PullIfNotPresent, corev1.PullNever:
	default:
		diags = append(diags, src.Diag("spec.sidecar.imagePullPolicy", "must be Always, IfNotPresent or Never, got %q", sc.ImagePullPolicy))
	}
	diags = append(diags, checkLength(src, "metadata.name", "container name", ContainerName(pack), maxLabelName)...)
	// A server sidecar runs in its own Deployment, never in a task pod: it gets no HOME volume.
	if privateHome(sc) && !sc.RequiresServer && len(HomeVolumeName(pack)) > maxLabelName && len(ContainerName(pack)) <= maxLabelName {
		diags = append(diags, src.Diag("metadata.name", "volume name %q, which keeps the sidecar's HOME beside its read-only root filesystem, is %d characters, over Kubernetes' %d-character limit for volume names; shorten the pack's name to %d characters, set HOME in sidecar.env, or set sidecar.readOnlyRootFilesystem: false",
			HomeVolumeName(pack), len(HomeVolumeName(pack)), maxLabelName, maxLabelName-len(HomeVolumePrefix)))
	}
	if sc.Resources != nil {
		diags = append(diags, api.CheckQuantities(src, "spec.sidecar.resources", sc.Resources.CPU, sc.Resources.Memory)...)
	}
	for i, e := range sc.Env {
		field := fmt.Sprintf("spec.sidecar.env[%d]", i)
		for _, msg := range validation.IsEnvVarName(e.Name) {
			diags = append(diags, src.Diag(field+".name", "invalid env name %q: %s", e.Name, msg))
		}
		switch {
		case e.Value != nil && e.ValueFrom != nil:
			diags = append(diags, src.Diag(field, "set value or valueFrom, not both"))
		case e.ValueFrom != nil && e.ValueFrom.SecretKeyRef == nil:
			diags = append(diags, src.Diag(field+".valueFrom", "only secretKeyRef is supported"))
		case e.ValueFrom != nil && (e.ValueFrom.SecretKeyRef.Name == "" || e.ValueFrom.SecretKeyRef.Key == ""):
			diags = append(diags, src.Diag(field+".valueFrom.secretKeyRef", "name and key are required"))
		}
		if e.Name == "SYMPOZIUM_SKILL_PACK" || strings.HasPrefix(e.Name, "SKILL_") {
			diags = append(diags, src.Diag(field+".name", "%q is reserved: skillc sets SYMPOZIUM_SKILL_PACK and SKILL_<PARAM> itself", e.Name))
		}
		if why := reservedEnv(e.Name, "the sidecar"); why != "" {
			diags = append(diags, src.Diag(field+".name", "%q is reserved: %s", e.Name, why))
		}
	}
	for i, r := range sc.RBAC {
		diags = append(diags, validateRule(src, fmt.Sprintf("spec.sidecar.rbac[%d]", i), r, false)...)
	}
	for i, r := range sc.ClusterRBAC {
		diags = append(diags, validateRule(src, fmt.Sprintf("spec.sidecar.clusterRBAC[%d]", i), r, true)...)
	}
	if sc.SecretRef != "" {
		for _, msg := range validation.IsDNS1123Subdomain(sc.SecretRef) {
			diags = append(diags, src.Diag("spec.sidecar.secretRef", "invalid Secret name %q: %s", sc.SecretRef, msg))
		}
		diags = append(diags, checkLength(src, "metadata.name", "volume name", SecretVolumeName(pack), maxLabelName)...)
	}
	if sc.SecretMountPath != "" {
		if msg := api.AbsoluteCleanPath(sc.SecretMountPath); msg != "" {
			diags = append(diags, src.Diag("spec.sidecar.secretMountPath", "%s", msg))
		}
	}
	if ha := sc.HostAccess; ha != nil {
		for i, m := range ha.Mounts {
			field := fmt.Sprintf("spec.sidecar.hostAccess.mounts[%d]", i)
			if msg := api.AbsoluteCleanPath(m.HostPath); msg != "" {
				diags = append(diags, src.Diag(field+".hostPath", "%s", msg))
			}
			if msg := api.AbsoluteCleanPath(m.MountPath); msg != "" {
				diags = append(diags, src.Diag(field+".mountPath", "%s", msg))
			}
			diags = append(diags, checkLength(src, "metadata.name", "volume name", HostVolumeName(pack, i), maxLabelName)...)
		}
		if !ha.Enabled && (ha.HostPID || ha.HostNetwork || ha.RunAsRoot || ha.Privileged || len(ha.Mounts) > 0) {
			diags = append(diags, diag.Diagnostic{File: src.File, Line: src.LineOf("spec.sidecar.hostAccess"), Field: "spec.sidecar.hostAccess",
				Severity: diag.SeverityWarning, Message: "hostAccess is not enabled: its settings are ignored"})
		}
	}
	for i, v := range sc.Volumes {
		for _, msg := range validation.IsDNS1123Label(v.Name) {
			diags = append(diags, src.Diag(fmt.Sprintf("spec.sidecar.volumes[%d].name", i), "invalid volume name %q: %s", v.Name, msg))
		}
		if why := reservedVolume(v.Name); why != "" {
			diags = append(diags, src.Diag(fmt.Sprintf("spec.sidecar.volumes[%d].name", i), "volume name %q is reserved: %s", v.Name, why))
		}
	}
	privileged := sc.HostAccess != nil && sc.HostAccess.Enabled && sc.HostAccess.Privileged
	for i, m := range sc.VolumeMounts {
		diags = append(diags, validateVolumeMount(src, fmt.Sprintf("spec.sidecar.volumeMounts[%d]", i), m, privileged)...)
	}
	diags = append(diags, validateServerSidecar(src, sc)...)
	diags = append(diags, validateSidecarTools(src, pack, sc)...)
	return diags
}

// reservedVolume says why a sidecar.volumes name is skillc's ("" when it is not): a pack's volume
// under one of skillc's names would pass for it (the run's token, another pack's secret or host
// mount) or collide with it in every pod. Checked here, on the pack, so that one mistake is one
// error, before the pod is assembled.
func reservedVolume(name string) string {
	switch {
	case strings.HasPrefix(name, HostVolumePrefix):
		return fmt.Sprintf("names starting with %q are skillc's, for the host paths a pack declares in hostAccess.mounts (which the platform reviews and allow-lists); declare host paths there, and name other volumes otherwise", HostVolumePrefix)
	case strings.HasPrefix(name, HomeVolumePrefix):
		return fmt.Sprintf("names starting with %q are skillc's, for the HOME it gives a sidecar with a read-only root filesystem; name the pack's own volumes otherwise", HomeVolumePrefix)
	case strings.HasPrefix(name, SecretVolumePrefix):
		return fmt.Sprintf("names starting with %q are skillc's, for the Secret a pack names in sidecar.secretRef; declare the pack's Secret there, and name other volumes otherwise", SecretVolumePrefix)
	case name == TokenVolume:
		return "the name is skillc's, for the run's service-account token, which skillc mounts only into the sidecars that declared RBAC (spec.identity: per-run); declare sidecar.rbac if the skill needs the API, and name other volumes otherwise"
	case name == MCPConfigVolume || name == SidecarToolsVolume:
		return "the name is upstream's, for the volume of the run's MCP servers config or sidecar tools manifest (upstream's admission refuses it too); name the pack's own volume otherwise"
	case slices.Contains(PodVolumes, name):
		return fmt.Sprintf("the name is skillc's, for one of the volumes every pod has (%s), which a sidecar may mount without declaring it; name the pack's own volume otherwise", strings.Join(PodVolumes, ", "))
	case slices.Contains(UpstreamReservedVolumes, name):
		return fmt.Sprintf("upstream's controller keeps the names %s for its own volumes and drops any other volume or mount so named; name yours otherwise", strings.Join(UpstreamReservedVolumes, ", "))
	}
	return ""
}

// validateVolumeMount applies the API server's checks on a declared volumeMount
// (ValidateVolumeMounts, validateLocalDescendingPath, validateMountPropagation and
// validateMountRecursiveReadOnly in kubernetes pkg/apis/core/validation), plus the kubelet's: a
// relative mountPath passes the API server and then fails every pod start. Whether the named
// volume exists is checked on the assembled pod, where skillc's own volumes are known.
func validateVolumeMount(src diag.Source, field string, m corev1.VolumeMount, privileged bool) diag.Diagnostics {
	var diags diag.Diagnostics
	if m.Name == "" {
		diags = append(diags, src.Diag(field+".name", "required"))
	}
	switch {
	case m.MountPath == "":
		diags = append(diags, src.Diag(field+".mountPath", "required"))
	case !path.IsAbs(m.MountPath):
		diags = append(diags, src.Diag(field+".mountPath", "mount path %q must be absolute: the kubelet refuses a relative one when the pod starts", m.MountPath))
	}
	for _, p := range []struct{ name, value string }{{"subPath", m.SubPath}, {"subPathExpr", m.SubPathExpr}} {
		if p.value == "" {
			continue
		}
		if path.IsAbs(p.value) {
			diags = append(diags, src.Diag(field+"."+p.name, "%q must be a relative path (inside the volume)", p.value))
		}
		if slices.Contains(strings.Split(p.value, "/"), "..") {
			diags = append(diags, src.Diag(field+"."+p.name, "%q must not contain \"..\": it would leave the volume", p.value))
		}
	}
	if m.SubPath != "" && m.SubPathExpr != "" {
		diags = append(diags, src.Diag(field+".subPathExpr", "subPath and subPathExpr are mutually exclusive"))
	}
	if mp := m.MountPropagation; mp != nil {
		switch *mp {
		case corev1.MountPropagationNone, corev1.MountPropagationHostToContainer:
		case corev1.MountPropagationBidirectional:
			if !privileged {
				diags = append(diags, src.Diag(field+".mountPropagation", "Bidirectional mount propagation is available only to privileged containers (hostAccess.enabled and hostAccess.privileged)"))
			}
		default:
			diags = append(diags, src.Diag(field+".mountPropagation", "must be None, HostToContainer or Bidirectional, got %q", *mp))
		}
	}
	if rro := m.RecursiveReadOnly; rro != nil {
		switch *rro {
		case corev1.RecursiveReadOnlyDisabled:
		case corev1.RecursiveReadOnlyEnabled, corev1.RecursiveReadOnlyIfPossible:
			if !m.ReadOnly {
				diags = append(diags, src.Diag(field+".recursiveReadOnly", "may only be set when readOnly is true"))
			}
			if m.MountPropagation != nil && *m.MountPropagation != corev1.MountPropagationNone {
				diags = append(diags, src.Diag(field+".recursiveReadOnly", "may only be set when mountPropagation is None or unset"))
			}
		default:
			diags = append(diags, src.Diag(field+".recursiveReadOnly", "must be Disabled, IfPossible or Enabled, got %q", *rro))
		}
	}
	return diags
}

func validateRule(src diag.Source, field string, r api.PolicyRule, cluster bool) diag.Diagnostics {
	var diags diag.Diagnostics
	if len(r.Verbs) == 0 {
		diags = append(diags, src.Diag(field+".verbs", "a rule needs at least one verb"))
	}
	if len(r.NonResourceURLs) > 0 && !cluster {
		diags = append(diags, src.Diag(field+".nonResourceURLs", "nonResourceURLs are only valid in clusterRBAC"))
	}
	if len(r.Resources) == 0 && len(r.NonResourceURLs) == 0 {
		diags = append(diags, src.Diag(field+".resources", "a rule needs resources (or nonResourceURLs in clusterRBAC)"))
	}
	if len(r.Resources) > 0 && len(r.APIGroups) == 0 {
		diags = append(diags, src.Diag(field+".apiGroups", `a rule with resources needs apiGroups (use [""] for the core group)`))
	}
	return diags
}

func validateInstance(in *api.Instance) diag.Diagnostics {
	diags := checkMeta(in.Src, in.Metadata, in.Kind)
	diags = append(diags, validateRefs(in.Src, "spec.skills", in.Spec.Skills)...)
	if a := in.Spec.Agents; a != nil {
		diags = append(diags, validateLifecycle(in.Src, "spec.agents.default.lifecycle", a.Default.Lifecycle, "spec.agents.default.env", a.Default.Env)...)
	}
	diags = append(diags, validateAgentPod(in)...)
	diags = append(diags, validateWebEndpoint(in)...)
	diags = append(diags, validateMCPServers(in)...)
	if in.Src.Generated() {
		diags = generatedAdvice(in.Src, diags)
	}
	return diags
}

// generatedAdvice keeps, of the warnings and notes on an Agent or schedule an Ensemble generated, those about
// a field its author wrote (named as written): the rest are about defaults the controller fills
// in, which no author can act on. Errors are kept whatever they are about.
func generatedAdvice(src diag.Source, diags diag.Diagnostics) diag.Diagnostics {
	out := diags[:0]
	for _, d := range diags {
		if d.Severity == diag.SeverityError {
			out = append(out, d)
			continue
		}
		if !src.Written(d.Field) {
			continue
		}
		d.Field = src.FieldOf(d.Field)
		out = append(out, d)
	}
	return out
}

func validateRefs(src diag.Source, field string, refs []api.SkillRef) diag.Diagnostics {
	var diags diag.Diagnostics
	for i, r := range refs {
		f := fmt.Sprintf("%s[%d]", field, i)
		if r.SkillPackRef == "" && r.ConfigMapRef == "" {
			diags = append(diags, src.Diag(f+".skillPackRef", "required (or configMapRef)"))
		}
		diags = append(diags, validateConfigMapRef(src, f, r)...)
		envs := map[string]string{}
		for _, k := range sortedKeys(r.Params) {
			if k == "" {
				diags = append(diags, src.Diag(f+".params", "a param needs a name: an empty one would become env %q, which no skill reads", paramEnvName(k)))
				continue
			}
			env := paramEnvName(k)
			for _, msg := range validation.IsEnvVarName(env) {
				diags = append(diags, src.Diag(f+".params."+k, "param %q becomes env %q: %s", k, env, msg))
			}
			if why := reservedEnv(k, "the sidecar"); why != "" {
				diags = append(diags, src.Diag(f+".params."+k, "param %q is reserved: %s", k, why))
			} else if why := reservedEnv(env, "the sidecar"); why != "" {
				diags = append(diags, src.Diag(f+".params."+k, "param %q would become env %q, which is reserved: %s", k, env, why))
			}
			if other, dup := envs[env]; dup {
				diags = append(diags, src.Diag(f+".params."+k, "params %q and %q both become env %s; rename one", other, k, env))
			}
			envs[env] = k
		}
	}
	return diags
}

func validateRun(r *api.AgentRun) diag.Diagnostics {
	src := r.Src
	diags := checkMeta(src, r.Metadata, "AgentRun")
	if len(diags) > 0 {
		return diags
	}
	// The run name is a label value and the Job's name: both are limited to 63 characters.
	diags = append(diags, checkLength(src, "metadata.name", "AgentRun name (used as Job name and label value)", r.Metadata.Name, maxLabelName)...)
	switch {
	case r.Spec.InstanceRef == "" && r.Spec.AgentRef == "":
		diags = append(diags, src.Diag("spec.instanceRef", "required: the instance (or agentRef) this run belongs to"))
	case r.Spec.InstanceRef != "" && r.Spec.AgentRef != "" && r.Spec.InstanceRef != r.Spec.AgentRef:
		diags = append(diags, src.Diag("spec.agentRef", "instanceRef %q and agentRef %q disagree", r.Spec.InstanceRef, r.Spec.AgentRef))
	}
	if r.Spec.Timeout != "" {
		if d, err := time.ParseDuration(r.Spec.Timeout); err != nil || d <= 0 {
			diags = append(diags, src.Diag("spec.timeout", "invalid duration %q (e.g. 5m, 1h30m)", r.Spec.Timeout))
		}
	}
	diags = append(diags, validateAgentEnv(src, "spec.env", r.Spec.Env)...)
	diags = append(diags, validateRefs(src, "spec.skills", r.Spec.Skills)...)
	diags = append(diags, validateLifecycle(src, "spec.lifecycle", r.Spec.Lifecycle, "spec.env", r.Spec.Env)...)
	diags = append(diags, validateRunPod(r)...)
	diags = append(diags, validateServerRun(r)...)
	return diags
}

// reservedEnv says why an environment variable name is refused in a run's env, a sidecar's env or a
// param ("" when it is not): each changes what the process runs, or where its traffic and its
// token go, before any of the skill's own code runs. who names the process ("the agent").
func reservedEnv(name, who string) string {
	upper := strings.ToUpper(name)
	switch {
	case strings.HasPrefix(upper, "LD_"):
		return fmt.Sprintf("LD_* variables steer the dynamic loader: LD_PRELOAD loads code into %s before it starts, LD_LIBRARY_PATH swaps its libraries", who)
	case name == "NODE_OPTIONS":
		return fmt.Sprintf("NODE_OPTIONS makes every Node.js process of %s load code first (--require, --import)", who)
	case strings.HasPrefix(name, "PYTHON"):
		return fmt.Sprintf("PYTHON* variables make every Python process of %s load code first (PYTHONSTARTUP, PYTHONPATH) or change how it runs", who)
	case strings.HasSuffix(upper, "_PROXY"):
		return fmt.Sprintf("*_PROXY variables (any case) send the HTTP traffic of %s, API tokens included, through another host, or (NO_PROXY) around the platform's proxy", who)
	case strings.HasPrefix(name, "KUBERNETES_SERVICE_"), strings.HasPrefix(name, "KUBERNETES_PORT"):
		return fmt.Sprintf("KUBERNETES_SERVICE_* and KUBERNETES_PORT* tell the in-cluster clients of %s where the API server is: its service-account token would go to another host", who)
	}
	if why, ok := reservedEnvNames[name]; ok {
		return fmt.Sprintf(why, who)
	}
	return ""
}

// reservedEnvNames are the exact names (environment names are case-sensitive) reservedEnv refuses
// besides its prefixes and suffixes, each with why: a format with one %s, the process.
var reservedEnvNames = map[string]string{
	"PATH":                "PATH chooses the program every command of %s runs: a directory of the input's choosing, first, runs its code",
	"BASH_ENV":            "BASH_ENV names a script every non-interactive bash of %s runs first: code loaded at start",
	"ENV":                 "ENV names a script every POSIX sh of %s runs first: code loaded at start",
	"PERL5OPT":            "PERL5OPT makes every Perl process of %s load code first (-M)",
	"PERL5LIB":            "PERL5LIB makes every Perl process of %s load its modules from a directory of the input's choosing: code loaded at start",
	"RUBYOPT":             "RUBYOPT makes every Ruby process of %s load code first (-r)",
	"RUBYLIB":             "RUBYLIB makes every Ruby process of %s load its libraries from a directory of the input's choosing: code loaded at start",
	"JAVA_TOOL_OPTIONS":   "JAVA_TOOL_OPTIONS makes every JVM of %s load code first (-javaagent)",
	"_JAVA_OPTIONS":       "_JAVA_OPTIONS makes every JVM of %s load code first (-javaagent)",
	"JDK_JAVA_OPTIONS":    "JDK_JAVA_OPTIONS makes every java launch of %s load code first (-javaagent)",
	"GLIBC_TUNABLES":      "GLIBC_TUNABLES steers glibc in every process of %s before its code starts (CVE-2023-4911 made it root)",
	"GCONV_PATH":          "GCONV_PATH makes glibc in %s load charset modules, i.e. code, from a directory of the input's choosing",
	"NODE_PATH":           "NODE_PATH makes every Node.js process of %s resolve require() from a directory of the input's choosing: code loaded at start",
	"NODE_EXTRA_CA_CERTS": "NODE_EXTRA_CA_CERTS adds trust anchors to every Node.js process of %s: a certificate of the input's choosing intercepts its TLS, API tokens included",
	"SSL_CERT_FILE":       "SSL_CERT_FILE replaces the trust anchors of the TLS clients of %s (OpenSSL, Go): a certificate of the input's choosing intercepts its TLS, API tokens included",
	"SSL_CERT_DIR":        "SSL_CERT_DIR replaces the trust anchors of the TLS clients of %s (OpenSSL, Go): a certificate of the input's choosing intercepts its TLS, API tokens included",
	"REQUESTS_CA_BUNDLE":  "REQUESTS_CA_BUNDLE replaces the trust anchors of Python requests in %s: a certificate of the input's choosing intercepts its TLS, API tokens included",
	"CURL_CA_BUNDLE":      "CURL_CA_BUNDLE replaces the trust anchors of curl in %s: a certificate of the input's choosing intercepts its TLS, API tokens included",
	"GIT_SSH_COMMAND":     "GIT_SSH_COMMAND names the program every git fetch and push of %s runs: code of the input's choosing",
	"GIT_SSH":             "GIT_SSH names the program every git fetch and push of %s runs: code of the input's choosing",
	"KUBECONFIG":          "KUBECONFIG points the Kubernetes clients of %s at another cluster's credentials, or another identity's, instead of the run's own",
}

var agentEnvNames = map[string]struct{}{"AGENT_RUN_ID": {}, "INSTANCE_NAME": {}, "AGENT_NAMESPACE": {}, "TASK": {}, "MODEL_NAME": {}}

// paramEnvName turns a toggle param key into its SKILL_<PARAM> variable: upper case, and every
// character that is not a letter or digit becomes "_".
func paramEnvName(key string) string {
	const prefix = "SKILL_"
	ascii := true
	for i := 0; i < len(key) && ascii; i++ {
		ascii = key[i] < utf8.RuneSelf
	}
	if ascii {
		// One allocation: the upper case of ASCII is byte for byte (strings.ToUpper is not, beyond).
		b := make([]byte, len(prefix)+len(key))
		copy(b, prefix)
		for i := 0; i < len(key); i++ {
			c := key[i]
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
				c = '_'
			}
			b[len(prefix)+i] = c
		}
		return string(b)
	}
	b := []byte(prefix + strings.ToUpper(key))
	for i := len(prefix); i < len(b); i++ {
		c := b[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			b[i] = '_'
		}
	}
	return string(b)
}

// maxCronJobName: the CronJob controller appends an 11-character suffix to name each Job.
const maxCronJobName = 52

func validateSchedule(sc *api.Schedule) diag.Diagnostics {
	diags := validateScheduleSpec(sc)
	if sc.Src.Generated() {
		diags = generatedAdvice(sc.Src, diags)
	}
	return diags
}

func validateScheduleSpec(sc *api.Schedule) diag.Diagnostics {
	src := sc.Src
	diags := checkMeta(src, sc.Metadata, "SympoziumSchedule")
	if len(diags) > 0 {
		return diags
	}
	diags = append(diags, checkLength(src, "metadata.name", "CronJob name", sc.Metadata.Name, maxCronJobName)...)
	switch {
	case sc.Spec.InstanceRef == "" && sc.Spec.AgentRef == "":
		diags = append(diags, src.Diag("spec.agentRef", "required: the Agent this schedule runs"))
	case sc.Spec.InstanceRef != "" && sc.Spec.AgentRef != "" && sc.Spec.InstanceRef != sc.Spec.AgentRef:
		diags = append(diags, src.Diag("spec.agentRef", "instanceRef %q and agentRef %q disagree", sc.Spec.InstanceRef, sc.Spec.AgentRef))
	}
	diags = append(diags, validateScheduleRuns(sc)...)
	if msg := checkCron(sc.Spec.Schedule); msg != "" {
		diags = append(diags, src.Diag("spec.schedule", "%s", msg))
	}
	switch sc.Spec.ConcurrencyPolicy {
	case "", "Allow", "Forbid", "Replace":
	default:
		diags = append(diags, src.Diag("spec.concurrencyPolicy", "must be Allow, Forbid or Replace, got %q", sc.Spec.ConcurrencyPolicy))
	}
	return diags
}

// checkCron accepts what the API server accepts in a CronJob's spec.schedule
// (validateScheduleFormat in kubernetes pkg/apis/batch/validation): whatever robfig/cron's
// ParseStandard parses (five fields, @hourly and the other macros, @every), and no time zone: a new
// CronJob with TZ or CRON_TZ in its schedule is refused (timeZone is its own field).
func checkCron(expr string) string {
	switch {
	case strings.TrimSpace(expr) == "":
		return "required: a cron expression such as \"0 * * * *\""
	case strings.Contains(expr, "TZ"):
		return fmt.Sprintf("invalid schedule %q: a time zone is not allowed in the expression", expr)
	}
	if _, err := cron.ParseStandard(expr); err != nil {
		return fmt.Sprintf("invalid schedule %q: %v (want minute hour day-of-month month day-of-week, or a macro such as @daily)", expr, err)
	}
	return ""
}
