package compile

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"reflect"
	"slices"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	pathvalidation "k8s.io/apimachinery/pkg/api/validation/path"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Every emitted object is checked, before anything is written, with the checks the API server
// applies on create to the fields skillc sets. k8s.io/kubernetes cannot be imported here, so the
// checks of its pkg/apis/{core,batch,rbac}/validation are mirrored for those fields, each citing the
// upstream function; the building blocks (ValidateObjectMetaAccessor, ValidateLabels, IsDNS1123Label,
// IsConfigMapKey, ...) are apimachinery's own. The source-level checks in validate.go catch most
// problems first, with the source's own words; this pass is the backstop for what only shows on
// the assembled object (a mount of a volume no one declared, a name that collides) and for any
// field a future builder sets without a source-level check.

// Size limits of a stored object.
const (
	// maxStoredBytes is etcd's default --max-request-bytes (1.5 MiB): the API server cannot store a
	// larger object (etcd holds it as protobuf, which Size measures).
	maxStoredBytes = 3 << 19
	// maxRequestBytes is the API server's limit on a request body (3 MiB); kubectl, Argo CD and Flux
	// send JSON, which escapes control characters six-fold.
	maxRequestBytes = 3 << 20
)

// origin is where an emitted field came from: a source document and the field path in it.
type origin struct {
	src   Source
	field string
}

// origins maps an emitted object's field paths ("spec.template.spec.initContainers[0].env[2]") to
// where they came from; the builders record them as they set the fields, so an error on the
// object is reported at the source line that caused it. A path without an entry takes its nearest
// recorded ancestor's ("" is the object's owner).
type origins map[string]origin

func (o origins) set(p string, src Source, field string) { o[p] = origin{src, field} }

// lookup finds the origin of an emitted field path: the longest recorded prefix at a path boundary.
func (o origins) lookup(p string) (origin, bool) {
	for {
		if org, ok := o[p]; ok {
			return org, true
		}
		if p == "" {
			return origin{}, false
		}
		p = parentPath(p)
	}
}

// prefixed copies o with every path under prefix (the pod spec's place in a Job or CronJob).
func (o origins) prefixed(prefix string, into origins) {
	for p, org := range o {
		if p == "" {
			into[strings.TrimSuffix(prefix, ".")] = org
			continue
		}
		into[prefix+p] = org
	}
}

// validateEmitted checks every object and reports each error at its source.
func validateEmitted(objs []Object, from map[Object]origins) Diagnostics {
	var diags Diagnostics
	for _, o := range objs {
		org := from[o]
		if limit, form := oversize(o); limit > 0 {
			diags = append(diags, sizeReport(o, org, form))
		}
		for _, e := range validateObject(o) {
			diags = append(diags, org.Diag(e.Field, "emitted %s %s would be refused by the API server: %s", kindOf(o), objectRef(o), e.Error()))
		}
	}
	return diags
}

// Diag builds an input error located where the emitted field came from.
func (o origins) Diag(emittedField, format string, args ...any) Diagnostic {
	org, ok := o.lookup(emittedField)
	if !ok {
		return Diagnostic{Severity: SeverityError, Field: emittedField, Message: fmt.Sprintf(format, args...)}
	}
	return org.src.Diag(org.field, format, args...)
}

func objectRef(o Object) string {
	if o.GetNamespace() == "" {
		return o.GetName()
	}
	return o.GetNamespace() + "/" + o.GetName()
}

var validatedKinds = []string{"ConfigMap", "ServiceAccount", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "Job", "CronJob"}

// validateObject dispatches to the kind's checks, then checks the size.
func validateObject(o Object) field.ErrorList {
	meta := field.NewPath("metadata")
	var errs field.ErrorList
	switch v := o.(type) {
	case *corev1.ConfigMap:
		// ValidateConfigMap (core): DNS subdomain name, valid keys, 1 MiB of data.
		errs = apivalidation.ValidateObjectMetaAccessor(v, true, apivalidation.NameIsDNSSubdomain, meta)
		errs = append(errs, validateConfigMapData(v)...)
	case *corev1.ServiceAccount:
		// ValidateServiceAccount (core): DNS subdomain name.
		errs = apivalidation.ValidateObjectMetaAccessor(v, true, apivalidation.NameIsDNSSubdomain, meta)
	case *rbacv1.Role:
		// ValidateRole (rbac): path-segment name, rules.
		errs = apivalidation.ValidateObjectMetaAccessor(v, true, pathvalidation.ValidatePathSegmentName, meta)
		errs = append(errs, validateRules(v.Rules, true, field.NewPath("rules"))...)
	case *rbacv1.ClusterRole:
		errs = apivalidation.ValidateObjectMetaAccessor(v, false, pathvalidation.ValidatePathSegmentName, meta)
		errs = append(errs, validateRules(v.Rules, false, field.NewPath("rules"))...)
	case *rbacv1.RoleBinding:
		errs = apivalidation.ValidateObjectMetaAccessor(v, true, pathvalidation.ValidatePathSegmentName, meta)
		errs = append(errs, validateBinding(v.RoleRef, v.Subjects, "Role", true)...)
	case *rbacv1.ClusterRoleBinding:
		errs = apivalidation.ValidateObjectMetaAccessor(v, false, pathvalidation.ValidatePathSegmentName, meta)
		errs = append(errs, validateBinding(v.RoleRef, v.Subjects, "ClusterRole", false)...)
	case *batchv1.Job:
		// ValidateJob (batch): the Job controller labels each pod batch.kubernetes.io/job-name=<name>,
		// so the name must also be a valid label value (63 characters).
		errs = apivalidation.ValidateObjectMetaAccessor(v, true, apivalidation.NameIsDNSSubdomain, meta)
		for _, msg := range validation.IsValidLabelValue(v.Name) {
			errs = append(errs, field.Invalid(meta.Child("name"), v.Name, "the Job controller's job-name label: "+msg))
		}
		errs = append(errs, validateJobSpec(&v.Spec, field.NewPath("spec"))...)
	case *batchv1.CronJob:
		errs = apivalidation.ValidateObjectMetaAccessor(v, true, apivalidation.NameIsDNSSubdomain, meta)
		errs = append(errs, validateCronJobSpec(v)...)
	default:
		// A kind a new builder emits without adding its checks here: refused rather than unchecked.
		errs = append(errs, field.NotSupported(field.NewPath("kind"), kindOf(o), validatedKinds))
	}
	return errs
}

// validateConfigMapData mirrors ValidateConfigMap (core): keys are valid and not in both data and
// binaryData, and keys plus values fit in 1 MiB (MaxSecretSize).
func validateConfigMapData(cm *corev1.ConfigMap) field.ErrorList {
	var errs field.ErrorList
	total := 0
	for _, key := range sortedKeys(cm.Data) {
		for _, msg := range validation.IsConfigMapKey(key) {
			errs = append(errs, field.Invalid(field.NewPath("data").Key(key), key, msg))
		}
		total += len(key) + len(cm.Data[key])
	}
	for _, key := range sortedKeys(cm.BinaryData) {
		for _, msg := range validation.IsConfigMapKey(key) {
			errs = append(errs, field.Invalid(field.NewPath("binaryData").Key(key), key, msg))
		}
		if _, dup := cm.Data[key]; dup {
			errs = append(errs, field.Invalid(field.NewPath("binaryData").Key(key), key, "duplicate of key present in data"))
		}
		total += len(key) + len(cm.BinaryData[key])
	}
	if total > maxConfigMapBytes {
		errs = append(errs, field.TooLong(field.NewPath(""), "", maxConfigMapBytes))
	}
	return errs
}

// validateRules mirrors ValidatePolicyRule (rbac): verbs are required; a Role may not hold
// nonResourceURLs; resource rules need apiGroups and resources.
func validateRules(rules []rbacv1.PolicyRule, namespaced bool, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, r := range rules {
		rp := p.Index(i)
		if len(r.Verbs) == 0 {
			errs = append(errs, field.Required(rp.Child("verbs"), "verbs must contain at least one value"))
		}
		if len(r.NonResourceURLs) > 0 {
			if namespaced {
				errs = append(errs, field.Invalid(rp.Child("nonResourceURLs"), r.NonResourceURLs, "namespaced rules cannot apply to non-resource URLs"))
			}
			if len(r.APIGroups) > 0 || len(r.Resources) > 0 || len(r.ResourceNames) > 0 {
				errs = append(errs, field.Invalid(rp.Child("nonResourceURLs"), r.NonResourceURLs, "rules cannot apply to both regular resources and non-resource URLs"))
			}
			continue
		}
		if len(r.APIGroups) == 0 {
			errs = append(errs, field.Required(rp.Child("apiGroups"), "resource rules must supply at least one api group"))
		}
		if len(r.Resources) == 0 {
			errs = append(errs, field.Required(rp.Child("resources"), "resource rules must supply at least one resource"))
		}
	}
	return errs
}

// validateBinding mirrors ValidateRoleBinding / ValidateClusterRoleBinding (rbac) for the roleRef
// and the ServiceAccount subject skillc writes.
func validateBinding(ref rbacv1.RoleRef, subjects []rbacv1.Subject, kind string, namespaced bool) field.ErrorList {
	var errs field.ErrorList
	rp := field.NewPath("roleRef")
	if ref.APIGroup != rbacv1.GroupName {
		errs = append(errs, field.NotSupported(rp.Child("apiGroup"), ref.APIGroup, []string{rbacv1.GroupName}))
	}
	if ref.Kind != kind && !(namespaced && ref.Kind == "ClusterRole") {
		errs = append(errs, field.NotSupported(rp.Child("kind"), ref.Kind, []string{kind}))
	}
	for _, msg := range pathvalidation.ValidatePathSegmentName(ref.Name, false) {
		errs = append(errs, field.Invalid(rp.Child("name"), ref.Name, msg))
	}
	for i, s := range subjects {
		sp := field.NewPath("subjects").Index(i)
		if s.Kind != rbacv1.ServiceAccountKind || s.APIGroup != "" {
			errs = append(errs, field.NotSupported(sp.Child("kind"), s.Kind, []string{rbacv1.ServiceAccountKind}))
		}
		for _, msg := range apivalidation.NameIsDNSSubdomain(s.Name, false) {
			errs = append(errs, field.Invalid(sp.Child("name"), s.Name, msg))
		}
		if s.Namespace == "" && !namespaced {
			errs = append(errs, field.Required(sp.Child("namespace"), ""))
		}
	}
	return errs
}

// validateJobSpec mirrors validateJobSpec (batch): non-negative counts, a valid pod template whose
// restartPolicy is Never or OnFailure.
func validateJobSpec(spec *batchv1.JobSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	if spec.BackoffLimit != nil {
		errs = append(errs, apivalidation.ValidateNonnegativeField(int64(*spec.BackoffLimit), p.Child("backoffLimit"))...)
	}
	if spec.ActiveDeadlineSeconds != nil && *spec.ActiveDeadlineSeconds <= 0 {
		errs = append(errs, field.Invalid(p.Child("activeDeadlineSeconds"), *spec.ActiveDeadlineSeconds, "must be greater than 0"))
	}
	tp := p.Child("template")
	errs = append(errs, validateLabels(spec.Template.Labels, tp.Child("metadata", "labels"))...)
	errs = append(errs, validatePodSpec(&spec.Template.Spec, tp.Child("spec"))...)
	if rp := spec.Template.Spec.RestartPolicy; rp != corev1.RestartPolicyNever && rp != corev1.RestartPolicyOnFailure {
		errs = append(errs, field.NotSupported(tp.Child("spec", "restartPolicy"), rp, []string{string(corev1.RestartPolicyOnFailure), string(corev1.RestartPolicyNever)}))
	}
	return errs
}

// validateCronJobSpec mirrors ValidateCronJobCreate (batch): a name of at most 52 characters (the
// controller appends 11 to name each Job), a schedule robfig/cron parses without a time zone, a
// known concurrencyPolicy and a valid Job template.
func validateCronJobSpec(cj *batchv1.CronJob) field.ErrorList {
	var errs field.ErrorList
	if len(cj.Name) > maxCronJobName {
		errs = append(errs, field.Invalid(field.NewPath("metadata", "name"), cj.Name, fmt.Sprintf("must be no more than %d characters", maxCronJobName)))
	}
	p := field.NewPath("spec")
	if msg := checkCron(cj.Spec.Schedule); msg != "" {
		errs = append(errs, field.Invalid(p.Child("schedule"), cj.Spec.Schedule, msg))
	}
	switch cj.Spec.ConcurrencyPolicy {
	case batchv1.AllowConcurrent, batchv1.ForbidConcurrent, batchv1.ReplaceConcurrent:
	default:
		errs = append(errs, field.NotSupported(p.Child("concurrencyPolicy"), cj.Spec.ConcurrencyPolicy, []string{"Allow", "Forbid", "Replace"}))
	}
	jp := p.Child("jobTemplate")
	errs = append(errs, validateLabels(cj.Spec.JobTemplate.Labels, jp.Child("metadata", "labels"))...)
	return append(errs, validateJobSpec(&cj.Spec.JobTemplate.Spec, jp.Child("spec"))...)
}

func validateLabels(l map[string]string, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, k := range sortedKeys(l) {
		for _, msg := range validation.IsQualifiedName(k) {
			errs = append(errs, field.Invalid(p, k, msg))
		}
		for _, msg := range validation.IsValidLabelValue(l[k]) {
			errs = append(errs, field.Invalid(p.Key(k), l[k], msg))
		}
	}
	return errs
}

// validatePodSpec mirrors ValidatePodSpec (core) for the fields skillc sets.
func validatePodSpec(spec *corev1.PodSpec, p *field.Path) field.ErrorList {
	vols, errs := validateVolumes(spec.Volumes, p.Child("volumes"))
	names := sets.New[string]()
	errs = append(errs, validateContainers(spec.InitContainers, true, vols, names, p.Child("initContainers"))...)
	errs = append(errs, validateContainers(spec.Containers, false, vols, names, p.Child("containers"))...)
	if len(spec.Containers) == 0 {
		errs = append(errs, field.Required(p.Child("containers"), ""))
	}
	if spec.ServiceAccountName != "" {
		for _, msg := range apivalidation.NameIsDNSSubdomain(spec.ServiceAccountName, false) {
			errs = append(errs, field.Invalid(p.Child("serviceAccountName"), spec.ServiceAccountName, msg))
		}
	}
	switch spec.DNSPolicy {
	case "", corev1.DNSClusterFirst, corev1.DNSClusterFirstWithHostNet, corev1.DNSDefault, corev1.DNSNone:
	default:
		errs = append(errs, field.NotSupported(p.Child("dnsPolicy"), spec.DNSPolicy, []string{"ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"}))
	}
	for i, s := range spec.ImagePullSecrets {
		// validateImagePullSecrets: a reference to a Secret by name.
		for _, msg := range apivalidation.NameIsDNSSubdomain(s.Name, false) {
			errs = append(errs, field.Invalid(p.Child("imagePullSecrets").Index(i).Child("name"), s.Name, msg))
		}
	}
	if sc := spec.SecurityContext; sc != nil {
		for _, id := range []struct {
			name string
			v    *int64
		}{{"runAsUser", sc.RunAsUser}, {"runAsGroup", sc.RunAsGroup}, {"fsGroup", sc.FSGroup}} {
			if id.v != nil {
				for _, msg := range validation.IsValidUserID(*id.v) {
					errs = append(errs, field.Invalid(p.Child("securityContext", id.name), *id.v, msg))
				}
			}
		}
	}
	return errs
}

// validateVolumes mirrors ValidateVolumes (core): unique DNS-label names and exactly one source,
// with the checks of the sources skillc emits (emptyDir, hostPath, secret, projected).
func validateVolumes(vols []corev1.Volume, p *field.Path) (sets.Set[string], field.ErrorList) {
	var errs field.ErrorList
	names := sets.New[string]()
	for i, v := range vols {
		vp := p.Index(i)
		for _, msg := range validation.IsDNS1123Label(v.Name) {
			errs = append(errs, field.Invalid(vp.Child("name"), v.Name, msg))
		}
		if names.Has(v.Name) {
			errs = append(errs, field.Duplicate(vp.Child("name"), v.Name))
		}
		names.Insert(v.Name)
		if n := countSources(v.VolumeSource); n != 1 {
			if n == 0 {
				errs = append(errs, field.Required(vp, "must specify a volume type"))
			} else {
				errs = append(errs, field.Forbidden(vp, "may not specify more than 1 volume type"))
			}
		}
		s := v.VolumeSource
		if s.EmptyDir != nil && s.EmptyDir.SizeLimit != nil && s.EmptyDir.SizeLimit.Sign() < 0 {
			errs = append(errs, field.Invalid(vp.Child("emptyDir", "sizeLimit"), s.EmptyDir.SizeLimit.String(), "must be greater than or equal to 0"))
		}
		if s.HostPath != nil {
			hp := vp.Child("hostPath", "path")
			if s.HostPath.Path == "" {
				errs = append(errs, field.Required(hp, ""))
			}
			errs = append(errs, noBacksteps(s.HostPath.Path, hp)...)
		}
		if s.Secret != nil {
			for _, msg := range apivalidation.NameIsDNSSubdomain(s.Secret.SecretName, false) {
				errs = append(errs, field.Invalid(vp.Child("secret", "secretName"), s.Secret.SecretName, msg))
			}
		}
		if s.Projected != nil {
			errs = append(errs, validateProjection(s.Projected, vp.Child("projected"))...)
		}
	}
	return names, errs
}

// countSources counts the volume sources set: every field of VolumeSource is a pointer to one
// source, so a source added to k8s.io/api later is counted too.
func countSources(s corev1.VolumeSource) int {
	n := 0
	v := reflect.ValueOf(s)
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.Pointer && !f.IsNil() {
			n++
		}
	}
	return n
}

// validateProjection mirrors validateProjectionSources (core): one source per item, relative paths
// without "..", no path twice, token expiry between 10 minutes and 2^32 seconds.
func validateProjection(pr *corev1.ProjectedVolumeSource, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	paths := sets.New[string]()
	addPath := func(file string, fp *field.Path) {
		errs = append(errs, localNonReservedPath(file, fp)...)
		if paths.Has(file) {
			errs = append(errs, field.Invalid(p, file, "conflicting duplicate paths"))
		}
		paths.Insert(file)
	}
	for i, s := range pr.Sources {
		sp := p.Child("sources").Index(i)
		switch {
		case s.ConfigMap != nil:
			cp := sp.Child("configMap")
			for _, msg := range apivalidation.NameIsDNSSubdomain(s.ConfigMap.Name, false) {
				errs = append(errs, field.Invalid(cp.Child("name"), s.ConfigMap.Name, msg))
			}
			for j, it := range s.ConfigMap.Items {
				ip := cp.Child("items").Index(j)
				for _, msg := range validation.IsConfigMapKey(it.Key) {
					errs = append(errs, field.Invalid(ip.Child("key"), it.Key, msg))
				}
				addPath(it.Path, ip.Child("path"))
			}
		case s.ServiceAccountToken != nil:
			tp := sp.Child("serviceAccountToken")
			if e := s.ServiceAccountToken.ExpirationSeconds; e != nil && (*e < 600 || *e > 1<<32) {
				errs = append(errs, field.Invalid(tp.Child("expirationSeconds"), *e, "must be at least 10 minutes and at most 2^32 seconds"))
			}
			addPath(s.ServiceAccountToken.Path, tp.Child("path"))
		case s.DownwardAPI != nil:
			for j, it := range s.DownwardAPI.Items {
				addPath(it.Path, sp.Child("downwardAPI", "items").Index(j).Child("path"))
			}
		case s.Secret != nil:
			for j, it := range s.Secret.Items {
				addPath(it.Path, sp.Child("secret", "items").Index(j).Child("path"))
			}
		}
	}
	return errs
}

// localNonReservedPath mirrors ValidateLocalNonReservedPath (core).
func localNonReservedPath(p string, fp *field.Path) field.ErrorList {
	var errs field.ErrorList
	if path.IsAbs(p) {
		errs = append(errs, field.Invalid(fp, p, "must be a relative path"))
	}
	errs = append(errs, noBacksteps(p, fp)...)
	if strings.HasPrefix(p, "..") && !strings.HasPrefix(p, "../") {
		errs = append(errs, field.Invalid(fp, p, "must not start with '..'"))
	}
	return errs
}

// noBacksteps mirrors validatePathNoBacksteps (core).
func noBacksteps(p string, fp *field.Path) field.ErrorList {
	if slices.Contains(strings.Split(p, "/"), "..") {
		return field.ErrorList{field.Invalid(fp, p, "must not contain '..'")}
	}
	return nil
}

// validateContainers mirrors validateInitContainers / validateContainers (core): names unique
// across both lists, an image, env, resources, mounts of declared volumes and a consistent
// security context.
func validateContainers(cs []corev1.Container, init bool, vols sets.Set[string], names sets.Set[string], p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i := range cs {
		c := &cs[i]
		cp := p.Index(i)
		for _, msg := range validation.IsDNS1123Label(c.Name) {
			errs = append(errs, field.Invalid(cp.Child("name"), c.Name, msg))
		}
		if names.Has(c.Name) {
			errs = append(errs, field.Duplicate(cp.Child("name"), c.Name))
		}
		names.Insert(c.Name)
		switch {
		case c.Image == "":
			errs = append(errs, field.Required(cp.Child("image"), ""))
		case c.Image != strings.TrimSpace(c.Image):
			errs = append(errs, field.Invalid(cp.Child("image"), c.Image, "must not have leading or trailing whitespace"))
		}
		switch c.ImagePullPolicy {
		case "", corev1.PullAlways, corev1.PullIfNotPresent, corev1.PullNever:
		default:
			errs = append(errs, field.NotSupported(cp.Child("imagePullPolicy"), c.ImagePullPolicy, []string{"Always", "IfNotPresent", "Never"}))
		}
		if c.RestartPolicy != nil && (!init || *c.RestartPolicy != corev1.ContainerRestartPolicyAlways) {
			errs = append(errs, field.NotSupported(cp.Child("restartPolicy"), *c.RestartPolicy, []string{string(corev1.ContainerRestartPolicyAlways)}))
		}
		errs = append(errs, validateEnv(c.Env, cp.Child("env"))...)
		errs = append(errs, validateResources(c.Resources, cp.Child("resources"))...)
		errs = append(errs, validateMounts(c, vols, cp.Child("volumeMounts"))...)
		if sc := c.SecurityContext; sc != nil {
			// ValidateSecurityContext: privilege escalation cannot be off for a privileged container.
			if sc.Privileged != nil && *sc.Privileged && sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation {
				errs = append(errs, field.Invalid(cp.Child("securityContext"), sc, "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"))
			}
			if sc.RunAsUser != nil {
				for _, msg := range validation.IsValidUserID(*sc.RunAsUser) {
					errs = append(errs, field.Invalid(cp.Child("securityContext", "runAsUser"), *sc.RunAsUser, msg))
				}
			}
		}
	}
	return errs
}

// validateEnv mirrors ValidateEnv (core): names are C identifiers (the strict rule: what the API
// server accepts and every shell can read), value and valueFrom exclusive, one valueFrom source.
func validateEnv(env []corev1.EnvVar, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, e := range env {
		ep := p.Index(i)
		if e.Name == "" {
			errs = append(errs, field.Required(ep.Child("name"), ""))
		}
		for _, msg := range validation.IsEnvVarName(e.Name) {
			errs = append(errs, field.Invalid(ep.Child("name"), e.Name, msg))
		}
		vf := e.ValueFrom
		if vf == nil {
			continue
		}
		if e.Value != "" {
			errs = append(errs, field.Invalid(ep.Child("valueFrom"), "", "may not be specified when `value` is not empty"))
		}
		n := 0
		if vf.FieldRef != nil {
			n++
			if vf.FieldRef.FieldPath == "" || vf.FieldRef.APIVersion == "" {
				errs = append(errs, field.Required(ep.Child("valueFrom", "fieldRef"), "apiVersion and fieldPath are required"))
			}
		}
		if r := vf.SecretKeyRef; r != nil {
			n++
			sp := ep.Child("valueFrom", "secretKeyRef")
			for _, msg := range apivalidation.NameIsDNSSubdomain(r.Name, false) {
				errs = append(errs, field.Invalid(sp.Child("name"), r.Name, msg))
			}
			for _, msg := range validation.IsConfigMapKey(r.Key) {
				errs = append(errs, field.Invalid(sp.Child("key"), r.Key, msg))
			}
		}
		if vf.ConfigMapKeyRef != nil || vf.ResourceFieldRef != nil || vf.FileKeyRef != nil {
			n++
		}
		if n != 1 {
			errs = append(errs, field.Invalid(ep.Child("valueFrom"), "", "may not have more than one field specified at a time"))
		}
	}
	return errs
}

// validateResources mirrors ValidateContainerResourceRequirements (core): standard names,
// non-negative quantities that fit, requests at most limits.
func validateResources(r corev1.ResourceRequirements, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, l := range []struct {
		name string
		list corev1.ResourceList
	}{{"limits", r.Limits}, {"requests", r.Requests}} {
		for _, name := range slices.Sorted(maps.Keys(l.list)) {
			q := l.list[name]
			fp := p.Child(l.name).Key(string(name))
			if name != corev1.ResourceCPU && name != corev1.ResourceMemory && name != corev1.ResourceEphemeralStorage {
				errs = append(errs, field.Invalid(fp, name, "must be a standard resource for containers"))
			}
			if _, err := parseQuantity(q.String(), name == corev1.ResourceCPU); err != nil {
				errs = append(errs, field.Invalid(fp, q.String(), err.Error()))
			}
		}
	}
	for name, req := range r.Requests {
		if lim, ok := r.Limits[name]; ok && req.Cmp(lim) > 0 {
			errs = append(errs, field.Invalid(p.Child("requests").Key(string(name)), req.String(), fmt.Sprintf("must be less than or equal to %s limit of %s", name, lim.String())))
		}
	}
	return errs
}

// validateMounts mirrors ValidateVolumeMounts (core): every mount names a volume of the pod, at a
// path used once in the container, with a subPath inside the volume and a propagation the
// container may use.
func validateMounts(c *corev1.Container, vols sets.Set[string], p *field.Path) field.ErrorList {
	var errs field.ErrorList
	paths := sets.New[string]()
	privileged := c.SecurityContext != nil && c.SecurityContext.Privileged != nil && *c.SecurityContext.Privileged
	for i, m := range c.VolumeMounts {
		mp := p.Index(i)
		if !vols.Has(m.Name) {
			errs = append(errs, field.NotFound(mp.Child("name"), m.Name))
		}
		if m.MountPath == "" {
			errs = append(errs, field.Required(mp.Child("mountPath"), ""))
		} else if !path.IsAbs(m.MountPath) {
			// Not an API server check: the kubelet refuses the pod when it starts.
			errs = append(errs, field.Invalid(mp.Child("mountPath"), m.MountPath, "must be an absolute path"))
		}
		if paths.Has(m.MountPath) {
			errs = append(errs, field.Invalid(mp.Child("mountPath"), m.MountPath, "must be unique"))
		}
		paths.Insert(m.MountPath)
		for _, sub := range []struct{ name, value string }{{"subPath", m.SubPath}, {"subPathExpr", m.SubPathExpr}} {
			if sub.value == "" {
				continue
			}
			if path.IsAbs(sub.value) {
				errs = append(errs, field.Invalid(mp.Child(sub.name), sub.value, "must be a relative path"))
			}
			errs = append(errs, noBacksteps(sub.value, mp.Child(sub.name))...)
		}
		if m.MountPropagation != nil && *m.MountPropagation == corev1.MountPropagationBidirectional && !privileged {
			errs = append(errs, field.Forbidden(mp.Child("mountPropagation"), "Bidirectional mount propagation is available only to privileged containers"))
		}
	}
	return errs
}

// oversize reports an object the API server could not store (etcd's request limit, on the
// protobuf form it stores) or accept (its request body limit, on the JSON that GitOps tools send):
// the limit it exceeds and the form measured, or 0.
func oversize(o Object) (int, string) {
	s, ok := o.(interface{ Size() int })
	if !ok {
		return 0, ""
	}
	stored := s.Size()
	if stored > maxStoredBytes {
		return maxStoredBytes, fmt.Sprintf("%d bytes as stored (protobuf), over etcd's limit of %d", stored, maxStoredBytes)
	}
	// JSON takes at most six bytes per stored byte (\u00XX) plus field names: only a large object
	// can pass the first limit and fail this one, so only those are marshalled.
	if stored > maxRequestBytes/8 {
		if b, err := json.Marshal(o); err == nil && len(b) > maxRequestBytes {
			return maxRequestBytes, fmt.Sprintf("%d bytes as JSON, over the API server's request limit of %d", len(b), maxRequestBytes)
		}
	}
	return 0, ""
}

// sizeReport explains an object that is too large: its size and its largest field, at that
// field's source, since "the object is too big" alone does not say what to shrink.
func sizeReport(o Object, from origins, form string) Diagnostic {
	type part struct {
		field string
		size  int
	}
	var parts []part
	if spec := PodSpecOf(o); spec != nil {
		prefix := "spec.template.spec."
		if _, ok := o.(*batchv1.CronJob); ok {
			prefix = "spec.jobTemplate.spec.template.spec."
		}
		for _, list := range []struct {
			name string
			cs   []corev1.Container
		}{{"initContainers", spec.InitContainers}, {"containers", spec.Containers}} {
			for i, c := range list.cs {
				for j, e := range c.Env {
					parts = append(parts, part{fmt.Sprintf("%s%s[%d].env[%d]", prefix, list.name, i, j), len(e.Name) + len(e.Value)})
				}
			}
		}
	}
	if cm, ok := o.(*corev1.ConfigMap); ok {
		for _, k := range sortedKeys(cm.Data) {
			parts = append(parts, part{"data[" + k + "]", len(k) + len(cm.Data[k])})
		}
	}
	largest := ""
	if len(parts) > 0 {
		p := slices.MaxFunc(parts, func(a, b part) int { return cmp.Or(cmp.Compare(a.size, b.size), strings.Compare(b.field, a.field)) })
		largest = fmt.Sprintf("; the largest part is %s (%d bytes)", p.field, p.size)
		if _, ok := from.lookup(p.field); ok {
			return from.Diag(p.field, "emitted %s %s is too large: %s%s", kindOf(o), objectRef(o), form, largest)
		}
	}
	return from.Diag("", "emitted %s %s is too large: %s%s", kindOf(o), objectRef(o), form, largest)
}
