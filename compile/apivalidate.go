package compile

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"path"
	"reflect"
	"slices"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	pathvalidation "k8s.io/apimachinery/pkg/api/validation/path"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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

// checkEmitted checks an object as the API server would and reports each problem at its source;
// from is asked for the object's origins only when there is something to report.
func checkEmitted(o Object, from func() origins) Diagnostics {
	errs := validateObject(o)
	_, form := oversize(o)
	if len(errs) == 0 && form == "" {
		return nil
	}
	org := from()
	var diags Diagnostics
	if form != "" {
		diags = append(diags, sizeReport(o, org, form))
	}
	for _, e := range errs {
		diags = append(diags, org.Diag(e.Field, "emitted %s %s would be refused by the API server: %s", kindOf(o), objectRef(o), e.Error()))
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

// lpath is a field path built only when an error needs it: checking thousands of valid objects
// must not allocate a field.Path for every field visited. Steps live on the stack of the
// validating functions and point at their parent.
type lpath struct {
	parent *lpath
	name   string // a child field; "" for an index or key step
	key    string // a map key step when keyed
	index  int
	keyed  bool
}

func (p *lpath) child(name string) lpath { return lpath{parent: p, name: name} }
func (p *lpath) at(i int) lpath          { return lpath{parent: p, index: i} }
func (p *lpath) mapKey(k string) lpath   { return lpath{parent: p, key: k, keyed: true} }

// path builds the field.Path, for an error.
func (p *lpath) path() *field.Path {
	if p == nil {
		return nil
	}
	parent := p.parent.path()
	switch {
	case p.name != "" && parent == nil:
		return field.NewPath(p.name)
	case p.name != "":
		return parent.Child(p.name)
	case p.keyed:
		return parent.Key(p.key)
	}
	return parent.Index(p.index)
}

var validatedKinds = []string{"ConfigMap", "ServiceAccount", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "Job", "CronJob"}

// Fixed roots, shared: a field.Path is immutable.
var (
	metaPath = field.NewPath("metadata")
	namePath = metaPath.Child("name")
)

// Paths of metadata fields, shared.
var (
	namespacePath   = metaPath.Child("namespace")
	annotationsPath = metaPath.Child("annotations")
)

// validateMeta mirrors ValidateObjectMetaAccessor (apimachinery api/validation) for the metadata
// skillc sets: name, namespace, labels and annotations. The library function builds a field.Path
// per field of every object; this one only for an error.
func validateMeta(o metav1.Object, namespaced bool, nameFn apivalidation.ValidateNameFunc) field.ErrorList {
	var errs field.ErrorList
	if o.GetName() == "" {
		errs = append(errs, field.Required(namePath, "name or generateName is required"))
	}
	for _, msg := range nameFn(o.GetName(), false) {
		errs = append(errs, field.Invalid(namePath, o.GetName(), msg))
	}
	switch ns := o.GetNamespace(); {
	case namespaced && ns == "":
		errs = append(errs, field.Required(namespacePath, ""))
	case namespaced:
		for _, msg := range apivalidation.ValidateNamespaceName(ns, false) {
			errs = append(errs, field.Invalid(namespacePath, ns, msg))
		}
	case ns != "":
		errs = append(errs, field.Forbidden(namespacePath, "not allowed on this type"))
	}
	mp := lpath{name: "metadata"}
	lp := mp.child("labels")
	errs = validateLabels(errs, o.GetLabels(), &lp)
	if a := o.GetAnnotations(); len(a) > 0 {
		errs = append(errs, apivalidation.ValidateAnnotations(a, annotationsPath)...)
	}
	return errs
}

// validLabelKeys are the label keys skillc writes, checked once: they are constants, and
// IsQualifiedName allocates on every call.
var validLabelKeys = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range []string{labelManagedBy, labelComponent, labelSkillPack, labelAgentRun, labelSchedule, labelInstance, labelSkill, labelSympoziumOwner} {
		m[k] = len(validation.IsQualifiedName(k)) == 0
	}
	return m
}()

// validateObject checks one object with the kind's create validation.
func validateObject(o Object) field.ErrorList {
	var errs field.ErrorList
	switch v := o.(type) {
	case *corev1.ConfigMap:
		// ValidateConfigMap (core): DNS subdomain name, valid keys, 1 MiB of data.
		errs = validateMeta(v, true, apivalidation.NameIsDNSSubdomain)
		errs = append(errs, validateConfigMapData(v)...)
	case *corev1.ServiceAccount:
		// ValidateServiceAccount (core): DNS subdomain name.
		errs = validateMeta(v, true, apivalidation.NameIsDNSSubdomain)
	case *rbacv1.Role:
		// ValidateRole (rbac): path-segment name, rules.
		errs = validateMeta(v, true, pathvalidation.ValidatePathSegmentName)
		errs = append(errs, validateRules(v.Rules, true)...)
	case *rbacv1.ClusterRole:
		errs = validateMeta(v, false, pathvalidation.ValidatePathSegmentName)
		errs = append(errs, validateRules(v.Rules, false)...)
	case *rbacv1.RoleBinding:
		errs = validateMeta(v, true, pathvalidation.ValidatePathSegmentName)
		errs = append(errs, validateBinding(v.RoleRef, v.Subjects, "Role", true)...)
	case *rbacv1.ClusterRoleBinding:
		errs = validateMeta(v, false, pathvalidation.ValidatePathSegmentName)
		errs = append(errs, validateBinding(v.RoleRef, v.Subjects, "ClusterRole", false)...)
	case *batchv1.Job:
		// ValidateJob (batch): the Job controller labels each pod batch.kubernetes.io/job-name=<name>,
		// so the name must also be a valid label value (63 characters).
		errs = validateMeta(v, true, apivalidation.NameIsDNSSubdomain)
		for _, msg := range validation.IsValidLabelValue(v.Name) {
			errs = append(errs, field.Invalid(namePath, v.Name, "the Job controller's job-name label: "+msg))
		}
		spec := lpath{name: "spec"}
		errs = validateJobSpec(errs, &v.Spec, &spec)
	case *batchv1.CronJob:
		errs = validateMeta(v, true, apivalidation.NameIsDNSSubdomain)
		errs = validateCronJob(errs, v)
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
	for key, v := range cm.Data {
		for _, msg := range validation.IsConfigMapKey(key) {
			errs = append(errs, field.Invalid(field.NewPath("data").Key(key), key, msg))
		}
		total += len(key) + len(v)
	}
	for key, v := range cm.BinaryData {
		for _, msg := range validation.IsConfigMapKey(key) {
			errs = append(errs, field.Invalid(field.NewPath("binaryData").Key(key), key, msg))
		}
		if _, dup := cm.Data[key]; dup {
			errs = append(errs, field.Invalid(field.NewPath("binaryData").Key(key), key, "duplicate of key present in data"))
		}
		total += len(key) + len(v)
	}
	if total > maxConfigMapBytes {
		errs = append(errs, field.TooLong(field.NewPath("data"), "", maxConfigMapBytes))
	}
	return errs
}

// validateRules mirrors ValidatePolicyRule (rbac): verbs are required; a Role may not hold
// nonResourceURLs; resource rules need apiGroups and resources.
func validateRules(rules []rbacv1.PolicyRule, namespaced bool) field.ErrorList {
	var errs field.ErrorList
	rp := func(i int, name string) *field.Path { return field.NewPath("rules").Index(i).Child(name) }
	for i, r := range rules {
		if len(r.Verbs) == 0 {
			errs = append(errs, field.Required(rp(i, "verbs"), "verbs must contain at least one value"))
		}
		if len(r.NonResourceURLs) > 0 {
			if namespaced {
				errs = append(errs, field.Invalid(rp(i, "nonResourceURLs"), r.NonResourceURLs, "namespaced rules cannot apply to non-resource URLs"))
			}
			if len(r.APIGroups) > 0 || len(r.Resources) > 0 || len(r.ResourceNames) > 0 {
				errs = append(errs, field.Invalid(rp(i, "nonResourceURLs"), r.NonResourceURLs, "rules cannot apply to both regular resources and non-resource URLs"))
			}
			continue
		}
		if len(r.APIGroups) == 0 {
			errs = append(errs, field.Required(rp(i, "apiGroups"), "resource rules must supply at least one api group"))
		}
		if len(r.Resources) == 0 {
			errs = append(errs, field.Required(rp(i, "resources"), "resource rules must supply at least one resource"))
		}
	}
	return errs
}

// validateBinding mirrors ValidateRoleBinding / ValidateClusterRoleBinding (rbac) for the roleRef
// and the ServiceAccount subject skillc writes.
func validateBinding(ref rbacv1.RoleRef, subjects []rbacv1.Subject, kind string, namespaced bool) field.ErrorList {
	var errs field.ErrorList
	rp := func(name string) *field.Path { return field.NewPath("roleRef", name) }
	if ref.APIGroup != rbacv1.GroupName {
		errs = append(errs, field.NotSupported(rp("apiGroup"), ref.APIGroup, []string{rbacv1.GroupName}))
	}
	if ref.Kind != kind && !(namespaced && ref.Kind == "ClusterRole") {
		errs = append(errs, field.NotSupported(rp("kind"), ref.Kind, []string{kind}))
	}
	for _, msg := range pathvalidation.ValidatePathSegmentName(ref.Name, false) {
		errs = append(errs, field.Invalid(rp("name"), ref.Name, msg))
	}
	for i, s := range subjects {
		sp := func(name string) *field.Path { return field.NewPath("subjects").Index(i).Child(name) }
		if s.Kind != rbacv1.ServiceAccountKind || s.APIGroup != "" {
			errs = append(errs, field.NotSupported(sp("kind"), s.Kind, []string{rbacv1.ServiceAccountKind}))
		}
		for _, msg := range apivalidation.NameIsDNSSubdomain(s.Name, false) {
			errs = append(errs, field.Invalid(sp("name"), s.Name, msg))
		}
		if s.Namespace == "" && !namespaced {
			errs = append(errs, field.Required(sp("namespace"), ""))
		}
	}
	return errs
}

// validateJobSpec mirrors validateJobSpec (batch): non-negative counts, a valid pod template whose
// restartPolicy is Never or OnFailure.
func validateJobSpec(errs field.ErrorList, spec *batchv1.JobSpec, p *lpath) field.ErrorList {
	if spec.BackoffLimit != nil && *spec.BackoffLimit < 0 {
		c := p.child("backoffLimit")
		errs = append(errs, field.Invalid(c.path(), *spec.BackoffLimit, "must be greater than or equal to 0"))
	}
	if spec.ActiveDeadlineSeconds != nil && *spec.ActiveDeadlineSeconds <= 0 {
		c := p.child("activeDeadlineSeconds")
		errs = append(errs, field.Invalid(c.path(), *spec.ActiveDeadlineSeconds, "must be greater than 0"))
	}
	tp := p.child("template")
	meta := tp.child("metadata")
	lp := meta.child("labels")
	errs = validateLabels(errs, spec.Template.Labels, &lp)
	sp := tp.child("spec")
	errs = validatePodSpec(errs, &spec.Template.Spec, &sp)
	if rp := spec.Template.Spec.RestartPolicy; rp != corev1.RestartPolicyNever && rp != corev1.RestartPolicyOnFailure {
		c := sp.child("restartPolicy")
		errs = append(errs, field.NotSupported(c.path(), rp, []string{string(corev1.RestartPolicyOnFailure), string(corev1.RestartPolicyNever)}))
	}
	return errs
}

// validateCronJob mirrors ValidateCronJobCreate (batch): a name of at most 52 characters (the
// controller appends 11 to name each Job), a schedule robfig/cron parses without a time zone, a
// known concurrencyPolicy and a valid Job template.
func validateCronJob(errs field.ErrorList, cj *batchv1.CronJob) field.ErrorList {
	if len(cj.Name) > maxCronJobName {
		errs = append(errs, field.Invalid(namePath, cj.Name, fmt.Sprintf("must be no more than %d characters", maxCronJobName)))
	}
	if msg := checkCron(cj.Spec.Schedule); msg != "" {
		errs = append(errs, field.Invalid(field.NewPath("spec", "schedule"), cj.Spec.Schedule, msg))
	}
	switch cj.Spec.ConcurrencyPolicy {
	case batchv1.AllowConcurrent, batchv1.ForbidConcurrent, batchv1.ReplaceConcurrent:
	default:
		errs = append(errs, field.NotSupported(field.NewPath("spec", "concurrencyPolicy"), cj.Spec.ConcurrencyPolicy, []string{"Allow", "Forbid", "Replace"}))
	}
	p := lpath{name: "spec"}
	jp := p.child("jobTemplate")
	meta := jp.child("metadata")
	lp := meta.child("labels")
	errs = validateLabels(errs, cj.Spec.JobTemplate.Labels, &lp)
	sp := jp.child("spec")
	return validateJobSpec(errs, &cj.Spec.JobTemplate.Spec, &sp)
}

// validateLabels mirrors ValidateLabels (apimachinery apis/meta/v1/validation).
func validateLabels(errs field.ErrorList, l map[string]string, p *lpath) field.ErrorList {
	for k, v := range l {
		if !validLabelKeys[k] {
			for _, msg := range validation.IsQualifiedName(k) {
				errs = append(errs, field.Invalid(p.path(), k, msg))
			}
		}
		for _, msg := range validation.IsValidLabelValue(v) {
			kp := p.mapKey(k)
			errs = append(errs, field.Invalid(kp.path(), v, msg))
		}
	}
	return errs
}

// validatePodSpec mirrors ValidatePodSpec (core) for the fields skillc sets.
func validatePodSpec(errs field.ErrorList, spec *corev1.PodSpec, p *lpath) field.ErrorList {
	vp := p.child("volumes")
	vols, errs := validateVolumes(errs, spec.Volumes, &vp)
	names := make(map[string]bool, len(spec.InitContainers)+len(spec.Containers))
	ip := p.child("initContainers")
	errs = validateContainers(errs, spec.InitContainers, true, vols, names, &ip)
	cp := p.child("containers")
	errs = validateContainers(errs, spec.Containers, false, vols, names, &cp)
	if len(spec.Containers) == 0 {
		errs = append(errs, field.Required(cp.path(), ""))
	}
	if spec.ServiceAccountName != "" {
		for _, msg := range apivalidation.NameIsDNSSubdomain(spec.ServiceAccountName, false) {
			c := p.child("serviceAccountName")
			errs = append(errs, field.Invalid(c.path(), spec.ServiceAccountName, msg))
		}
	}
	switch spec.DNSPolicy {
	case "", corev1.DNSClusterFirst, corev1.DNSClusterFirstWithHostNet, corev1.DNSDefault, corev1.DNSNone:
	default:
		c := p.child("dnsPolicy")
		errs = append(errs, field.NotSupported(c.path(), spec.DNSPolicy, []string{"ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"}))
	}
	for i, s := range spec.ImagePullSecrets {
		// validateImagePullSecrets: a reference to a Secret by name.
		for _, msg := range apivalidation.NameIsDNSSubdomain(s.Name, false) {
			c := p.child("imagePullSecrets")
			e := c.at(i)
			n := e.child("name")
			errs = append(errs, field.Invalid(n.path(), s.Name, msg))
		}
	}
	if sc := spec.SecurityContext; sc != nil {
		for _, id := range [...]struct {
			name string
			v    *int64
		}{{"runAsUser", sc.RunAsUser}, {"runAsGroup", sc.RunAsGroup}, {"fsGroup", sc.FSGroup}} {
			if id.v != nil && (*id.v < 0 || *id.v > math.MaxInt32) {
				c := p.child("securityContext")
				n := c.child(id.name)
				errs = append(errs, field.Invalid(n.path(), *id.v, validation.InclusiveRangeError(0, math.MaxInt32)))
			}
		}
	}
	return errs
}

// validateVolumes mirrors ValidateVolumes (core): unique DNS-label names and exactly one source,
// with the checks of the sources skillc emits (emptyDir, hostPath, secret, projected).
func validateVolumes(errs field.ErrorList, vols []corev1.Volume, p *lpath) (map[string]bool, field.ErrorList) {
	names := make(map[string]bool, len(vols))
	for i := range vols {
		v := &vols[i]
		vp := p.at(i)
		for _, msg := range validation.IsDNS1123Label(v.Name) {
			n := vp.child("name")
			errs = append(errs, field.Invalid(n.path(), v.Name, msg))
		}
		if names[v.Name] {
			n := vp.child("name")
			errs = append(errs, field.Duplicate(n.path(), v.Name))
		}
		names[v.Name] = true
		switch countSources(&v.VolumeSource) {
		case 1:
		case 0:
			errs = append(errs, field.Required(vp.path(), "must specify a volume type"))
		default:
			errs = append(errs, field.Forbidden(vp.path(), "may not specify more than 1 volume type"))
		}
		s := &v.VolumeSource
		if s.EmptyDir != nil && s.EmptyDir.SizeLimit != nil && s.EmptyDir.SizeLimit.Sign() < 0 {
			e := vp.child("emptyDir")
			n := e.child("sizeLimit")
			errs = append(errs, field.Invalid(n.path(), s.EmptyDir.SizeLimit.String(), "must be greater than or equal to 0"))
		}
		if s.HostPath != nil {
			h := vp.child("hostPath")
			hp := h.child("path")
			if s.HostPath.Path == "" {
				errs = append(errs, field.Required(hp.path(), ""))
			}
			errs = noBacksteps(errs, s.HostPath.Path, &hp)
		}
		if s.Secret != nil {
			for _, msg := range apivalidation.NameIsDNSSubdomain(s.Secret.SecretName, false) {
				e := vp.child("secret")
				n := e.child("secretName")
				errs = append(errs, field.Invalid(n.path(), s.Secret.SecretName, msg))
			}
		}
		if s.Projected != nil {
			pp := vp.child("projected")
			errs = validateProjection(errs, s.Projected, &pp)
		}
	}
	return names, errs
}

// countSources counts the volume sources set: every field of VolumeSource is a pointer to one
// source, so a source added to k8s.io/api later is counted too.
func countSources(s *corev1.VolumeSource) int {
	n := 0
	v := reflect.ValueOf(s).Elem()
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.Pointer && !f.IsNil() {
			n++
		}
	}
	return n
}

// validateProjection mirrors validateProjectionSources (core): relative paths without "..", no
// path twice, token expiry between 10 minutes and 2^32 seconds.
func validateProjection(errs field.ErrorList, pr *corev1.ProjectedVolumeSource, p *lpath) field.ErrorList {
	var seen []string // a handful of paths: a slice beats a map
	addPath := func(file string, fp *lpath) {
		errs = localNonReservedPath(errs, file, fp)
		if slices.Contains(seen, file) {
			errs = append(errs, field.Invalid(p.path(), file, "conflicting duplicate paths"))
		}
		seen = append(seen, file)
	}
	sources := p.child("sources")
	for i := range pr.Sources {
		s := &pr.Sources[i]
		sp := sources.at(i)
		switch {
		case s.ConfigMap != nil:
			cp := sp.child("configMap")
			for _, msg := range apivalidation.NameIsDNSSubdomain(s.ConfigMap.Name, false) {
				n := cp.child("name")
				errs = append(errs, field.Invalid(n.path(), s.ConfigMap.Name, msg))
			}
			items := cp.child("items")
			for j, it := range s.ConfigMap.Items {
				ip := items.at(j)
				for _, msg := range validation.IsConfigMapKey(it.Key) {
					k := ip.child("key")
					errs = append(errs, field.Invalid(k.path(), it.Key, msg))
				}
				fp := ip.child("path")
				addPath(it.Path, &fp)
			}
		case s.ServiceAccountToken != nil:
			tp := sp.child("serviceAccountToken")
			if e := s.ServiceAccountToken.ExpirationSeconds; e != nil && (*e < 600 || *e > 1<<32) {
				n := tp.child("expirationSeconds")
				errs = append(errs, field.Invalid(n.path(), *e, "must be at least 10 minutes and at most 2^32 seconds"))
			}
			fp := tp.child("path")
			addPath(s.ServiceAccountToken.Path, &fp)
		case s.DownwardAPI != nil:
			dp := sp.child("downwardAPI")
			items := dp.child("items")
			for j, it := range s.DownwardAPI.Items {
				ip := items.at(j)
				fp := ip.child("path")
				addPath(it.Path, &fp)
			}
		}
	}
	return errs
}

// localNonReservedPath mirrors ValidateLocalNonReservedPath (core).
func localNonReservedPath(errs field.ErrorList, file string, p *lpath) field.ErrorList {
	if path.IsAbs(file) {
		errs = append(errs, field.Invalid(p.path(), file, "must be a relative path"))
	}
	errs = noBacksteps(errs, file, p)
	if strings.HasPrefix(file, "..") && !strings.HasPrefix(file, "../") {
		errs = append(errs, field.Invalid(p.path(), file, "must not start with '..'"))
	}
	return errs
}

// noBacksteps mirrors validatePathNoBacksteps (core).
func noBacksteps(errs field.ErrorList, file string, p *lpath) field.ErrorList {
	for seg := range strings.SplitSeq(file, "/") {
		if seg == ".." {
			return append(errs, field.Invalid(p.path(), file, "must not contain '..'"))
		}
	}
	return errs
}

// validateContainers mirrors validateInitContainers / validateContainers (core): names unique
// across both lists, an image, env, resources, mounts of declared volumes and a consistent
// security context.
func validateContainers(errs field.ErrorList, cs []corev1.Container, init bool, vols, names map[string]bool, p *lpath) field.ErrorList {
	for i := range cs {
		c := &cs[i]
		cp := p.at(i)
		for _, msg := range validation.IsDNS1123Label(c.Name) {
			n := cp.child("name")
			errs = append(errs, field.Invalid(n.path(), c.Name, msg))
		}
		if names[c.Name] {
			n := cp.child("name")
			errs = append(errs, field.Duplicate(n.path(), c.Name))
		}
		names[c.Name] = true
		switch {
		case c.Image == "":
			n := cp.child("image")
			errs = append(errs, field.Required(n.path(), ""))
		case c.Image != strings.TrimSpace(c.Image):
			n := cp.child("image")
			errs = append(errs, field.Invalid(n.path(), c.Image, "must not have leading or trailing whitespace"))
		}
		switch c.ImagePullPolicy {
		case "", corev1.PullAlways, corev1.PullIfNotPresent, corev1.PullNever:
		default:
			n := cp.child("imagePullPolicy")
			errs = append(errs, field.NotSupported(n.path(), c.ImagePullPolicy, []string{"Always", "IfNotPresent", "Never"}))
		}
		if c.RestartPolicy != nil && (!init || *c.RestartPolicy != corev1.ContainerRestartPolicyAlways) {
			n := cp.child("restartPolicy")
			errs = append(errs, field.NotSupported(n.path(), *c.RestartPolicy, []string{string(corev1.ContainerRestartPolicyAlways)}))
		}
		ep := cp.child("env")
		errs = validateEnv(errs, c.Env, &ep)
		rp := cp.child("resources")
		errs = validateResources(errs, &c.Resources, &rp)
		mp := cp.child("volumeMounts")
		errs = validateMounts(errs, c, vols, &mp)
		if sc := c.SecurityContext; sc != nil {
			// ValidateSecurityContext: privilege escalation cannot be off for a privileged container.
			if sc.Privileged != nil && *sc.Privileged && sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation {
				n := cp.child("securityContext")
				errs = append(errs, field.Invalid(n.path(), "", "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"))
			}
			if sc.RunAsUser != nil && (*sc.RunAsUser < 0 || *sc.RunAsUser > math.MaxInt32) {
				n := cp.child("securityContext")
				u := n.child("runAsUser")
				errs = append(errs, field.Invalid(u.path(), *sc.RunAsUser, validation.InclusiveRangeError(0, math.MaxInt32)))
			}
		}
	}
	return errs
}

// validateEnv mirrors ValidateEnv (core): names are C identifiers (the strict rule: what the API
// server accepts and every shell can read), value and valueFrom exclusive, one valueFrom source.
func validateEnv(errs field.ErrorList, env []corev1.EnvVar, p *lpath) field.ErrorList {
	for i := range env {
		e := &env[i]
		ep := p.at(i)
		if e.Name == "" {
			n := ep.child("name")
			errs = append(errs, field.Required(n.path(), ""))
		}
		for _, msg := range validation.IsEnvVarName(e.Name) {
			n := ep.child("name")
			errs = append(errs, field.Invalid(n.path(), e.Name, msg))
		}
		vf := e.ValueFrom
		if vf == nil {
			continue
		}
		vp := ep.child("valueFrom")
		if e.Value != "" {
			errs = append(errs, field.Invalid(vp.path(), "", "may not be specified when `value` is not empty"))
		}
		n := 0
		if vf.FieldRef != nil {
			n++
			if vf.FieldRef.FieldPath == "" || vf.FieldRef.APIVersion == "" {
				f := vp.child("fieldRef")
				errs = append(errs, field.Required(f.path(), "apiVersion and fieldPath are required"))
			}
		}
		if r := vf.SecretKeyRef; r != nil {
			n++
			sp := vp.child("secretKeyRef")
			for _, msg := range apivalidation.NameIsDNSSubdomain(r.Name, false) {
				f := sp.child("name")
				errs = append(errs, field.Invalid(f.path(), r.Name, msg))
			}
			for _, msg := range validation.IsConfigMapKey(r.Key) {
				f := sp.child("key")
				errs = append(errs, field.Invalid(f.path(), r.Key, msg))
			}
		}
		if vf.ConfigMapKeyRef != nil || vf.ResourceFieldRef != nil || vf.FileKeyRef != nil {
			n++
		}
		if n != 1 {
			errs = append(errs, field.Invalid(vp.path(), "", "may not have more than one field specified at a time"))
		}
	}
	return errs
}

// validateResources mirrors ValidateContainerResourceRequirements (core): standard names,
// non-negative quantities that fit, requests at most limits.
func validateResources(errs field.ErrorList, r *corev1.ResourceRequirements, p *lpath) field.ErrorList {
	for _, l := range [...]struct {
		name string
		list corev1.ResourceList
	}{{"limits", r.Limits}, {"requests", r.Requests}} {
		for name, q := range l.list {
			if err := checkQuantity(q, name == corev1.ResourceCPU); err != nil || (name != corev1.ResourceCPU && name != corev1.ResourceMemory && name != corev1.ResourceEphemeralStorage) {
				lp := p.child(l.name)
				kp := lp.mapKey(string(name))
				if err != nil {
					errs = append(errs, field.Invalid(kp.path(), q.String(), err.Error()))
				} else {
					errs = append(errs, field.Invalid(kp.path(), name, "must be a standard resource for containers"))
				}
			}
		}
	}
	for name, req := range r.Requests {
		if lim, ok := r.Limits[name]; ok && req.Cmp(lim) > 0 {
			lp := p.child("requests")
			kp := lp.mapKey(string(name))
			errs = append(errs, field.Invalid(kp.path(), req.String(), fmt.Sprintf("must be less than or equal to %s limit of %s", name, lim.String())))
		}
	}
	return errs
}

// validateMounts mirrors ValidateVolumeMounts (core): every mount names a volume of the pod, at a
// path used once in the container, with a subPath inside the volume and a propagation the
// container may use.
func validateMounts(errs field.ErrorList, c *corev1.Container, vols map[string]bool, p *lpath) field.ErrorList {
	privileged := c.SecurityContext != nil && c.SecurityContext.Privileged != nil && *c.SecurityContext.Privileged
	for i := range c.VolumeMounts {
		m := &c.VolumeMounts[i]
		mp := p.at(i)
		if !vols[m.Name] {
			n := mp.child("name")
			errs = append(errs, field.NotFound(n.path(), m.Name))
		}
		switch {
		case m.MountPath == "":
			n := mp.child("mountPath")
			errs = append(errs, field.Required(n.path(), ""))
		case !path.IsAbs(m.MountPath):
			// Not an API server check: the kubelet refuses the pod when it starts.
			n := mp.child("mountPath")
			errs = append(errs, field.Invalid(n.path(), m.MountPath, "must be an absolute path"))
		}
		for j := range i {
			if c.VolumeMounts[j].MountPath == m.MountPath {
				n := mp.child("mountPath")
				errs = append(errs, field.Invalid(n.path(), m.MountPath, "must be unique"))
				break
			}
		}
		for _, sub := range [...]struct{ name, value string }{{"subPath", m.SubPath}, {"subPathExpr", m.SubPathExpr}} {
			if sub.value == "" {
				continue
			}
			n := mp.child(sub.name)
			if path.IsAbs(sub.value) {
				errs = append(errs, field.Invalid(n.path(), sub.value, "must be a relative path"))
			}
			errs = noBacksteps(errs, sub.value, &n)
		}
		if m.MountPropagation != nil && *m.MountPropagation == corev1.MountPropagationBidirectional && !privileged {
			n := mp.child("mountPropagation")
			errs = append(errs, field.Forbidden(n.path(), "Bidirectional mount propagation is available only to privileged containers"))
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
