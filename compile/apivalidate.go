package compile

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"path"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/validate/content"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
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

// checkEmitted checks an object as the API server would and reports each problem at its source,
// from the object's origin records (formatted only when there is something to report).
func checkEmitted(c *cursor, o Object, target api.Target, from *origins) diag.Diagnostics {
	errs := validateObjectAt(o, c)
	_, form := oversize(o)
	lastApplied, forced := clientSideApplySize(o, target)
	if len(errs) == 0 && form == "" && lastApplied == 0 {
		return nil
	}
	org := from.materialize()
	var diags diag.Diagnostics
	if form != "" {
		diags = append(diags, sizeReport(o, org, form))
	}
	if lastApplied > 0 {
		msg := fmt.Sprintf("%d bytes of annotations once kubectl's client-side apply adds %s, over the API server's %d", lastApplied, lastAppliedAnnotation, apivalidation.TotalAnnotationSizeLimitB)
		if forced {
			// skillc itself makes Argo CD apply Jobs client-side (argoJobSyncOptions).
			diags = append(diags, sizeReport(o, org, msg))
		} else {
			d := sizeReport(o, org, msg+" (unless the Application syncs with ServerSideApply=true)")
			d.Severity = diag.SeverityWarning
			diags = append(diags, d)
		}
	}
	for _, e := range errs {
		diags = append(diags, org.Diag(e.Field, "emitted %s %s would be refused by the API server: %s", kindOf(o), objectRef(o), e.Error()))
	}
	return diags
}

func objectRef(o Object) string {
	if o.GetNamespace() == "" {
		return o.GetName()
	}
	return o.GetNamespace() + "/" + o.GetName()
}

// cursor is the path of the field being checked, kept as a stack of steps: checking thousands of
// valid objects must not build a field.Path for every field visited, so one is built only for an
// error. (A chain of parent pointers would do, but escape analysis moves every link to the heap.)
type cursor struct {
	steps [maxDepth]step
	n     int
	memo  map[memoKey][]string // results of the string checks, when set: see check
}

// A string check of apimachinery's validation package, by number, for the memo.
type checkFn uint8

const (
	dnsLabel checkFn = iota
	dnsSubdomain
	labelValue
	envVarName
	configMapKey
	annotationKey
)

var checkFns = [...]func(string) []string{
	dnsLabel:     validation.IsDNS1123Label,
	dnsSubdomain: validation.IsDNS1123Subdomain,
	labelValue:   validation.IsValidLabelValue,
	envVarName:   validation.IsEnvVarName,
	configMapKey: validation.IsConfigMapKey,
	// ValidateAnnotations' check of a key: case does not matter.
	annotationKey: func(k string) []string { return validation.IsQualifiedName(strings.ToLower(k)) },
}

type memoKey struct {
	fn checkFn
	s  string
}

// check runs one of apimachinery's string checks (each a regular expression), remembering the
// result when the cursor has a memo: thousands of objects repeat the same container, volume,
// label and variable names, and the regular expressions were most of the cost of validating.
func (c *cursor) check(fn checkFn, s string) []string {
	if fastValid(fn, s) {
		return nil
	}
	if c.memo == nil {
		return checkFns[fn](s)
	}
	k := memoKey{fn, s}
	msgs, ok := c.memo[k]
	if !ok {
		msgs = checkFns[fn](s)
		c.memo[k] = msgs
	}
	return msgs
}

// maxDepth bounds the paths of the fields checked; the deepest is
// spec.jobTemplate.spec.template.spec.volumes[i].projected.sources[j].configMap.items[k].path.
const maxDepth = 20

type step struct {
	name  string // a field; "" for an index or a key
	key   string
	index int
	keyed bool
}

func (c *cursor) child(name string) { c.steps[c.n] = step{name: name}; c.n++ }
func (c *cursor) at(i int)          { c.steps[c.n] = step{index: i}; c.n++ }
func (c *cursor) mapKey(k string)   { c.steps[c.n] = step{key: k, keyed: true}; c.n++ }
func (c *cursor) pop()              { c.n-- }

// path builds the field.Path of the current field, for an error.
func (c *cursor) path() *field.Path {
	var p *field.Path
	for _, s := range c.steps[:c.n] {
		switch {
		case s.name != "" && p == nil:
			p = field.NewPath(s.name)
		case s.name != "":
			p = p.Child(s.name)
		case s.keyed:
			p = p.Key(s.key)
		default:
			p = p.Index(s.index)
		}
	}
	return p
}

// to is the path of a child of the current field, for an error.
func (c *cursor) to(name string) *field.Path {
	if p := c.path(); p != nil {
		return p.Child(name)
	}
	return field.NewPath(name)
}

// validRBACName is ValidateRBACName (rbac): a name that can be a URL path segment.
func validRBACName(name string, _ bool) []string { return content.IsPathSegmentName(name) }

var validatedKinds = []string{"ConfigMap", "ServiceAccount", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "Job", "CronJob",
	"Deployment", "Service", "PersistentVolumeClaim", KindSandbox, KindSandboxWarmPool, KindSandboxClaim}

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
func validateMeta(o metav1.Object, namespaced bool, rbacNamed bool, c *cursor) field.ErrorList {
	var errs field.ErrorList
	if o.GetName() == "" {
		errs = append(errs, field.Required(namePath, "name or generateName is required"))
	}
	nameMsgs := c.check(dnsSubdomain, o.GetName()) // NameIsDNSSubdomain, of most kinds
	if rbacNamed {
		nameMsgs = validRBACName(o.GetName(), false)
	}
	for _, msg := range nameMsgs {
		errs = append(errs, field.Invalid(namePath, o.GetName(), msg))
	}
	switch ns := o.GetNamespace(); {
	case namespaced && ns == "":
		errs = append(errs, field.Required(namespacePath, ""))
	case namespaced:
		for _, msg := range c.check(dnsLabel, ns) { // ValidateNamespaceName is NameIsDNSLabel
			errs = append(errs, field.Invalid(namespacePath, ns, msg))
		}
	case ns != "":
		errs = append(errs, field.Forbidden(namespacePath, "not allowed on this type"))
	}
	c.n = 0
	c.child("metadata")
	c.child("labels")
	errs = validateLabels(errs, o.GetLabels(), c)
	c.n = 0
	if a := o.GetAnnotations(); len(a) > 0 && !validAnnotations(a, c) {
		errs = append(errs, apivalidation.ValidateAnnotations(a, annotationsPath)...)
	}
	return errs
}

// validAnnotations says whether ValidateAnnotations (apimachinery api/validation) passes a: each
// key a qualified name once lowercased, and keys and values within TotalAnnotationSizeLimitB.
// Skillc writes a handful of keys, so their checks are remembered; false means "ask the library",
// which writes the messages.
func validAnnotations(a map[string]string, c *cursor) bool {
	total := 0
	for k, v := range a {
		total += len(k) + len(v)
		if len(c.check(annotationKey, k)) > 0 {
			return false
		}
	}
	return total <= apivalidation.TotalAnnotationSizeLimitB
}

// validLabelKeys are the label keys skillc writes, checked once: they are constants, and
// IsQualifiedName allocates on every call.
var validLabelKeys = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range []string{LabelManagedBy, LabelComponent, LabelSkillPack, LabelAgentRun, LabelSchedule, LabelInstance, LabelSkill, LabelSympoziumOwner} {
		m[k] = len(validation.IsQualifiedName(k)) == 0
	}
	return m
}()

// validateObject checks one object with the kind's create validation.
func validateObject(o Object) field.ErrorList {
	var c cursor
	return validateObjectAt(o, &c)
}

// validateObjectAt is validateObject with a cursor that may carry a memo.
func validateObjectAt(o Object, c *cursor) field.ErrorList {
	var errs field.ErrorList
	switch v := o.(type) {
	case *corev1.ConfigMap:
		// ValidateConfigMap (core): DNS subdomain name, valid keys, 1 MiB of data.
		errs = validateMeta(v, true, false, c)
		errs = append(errs, validateConfigMapData(v, c)...)
	case *corev1.ServiceAccount:
		// ValidateServiceAccount (core): DNS subdomain name.
		errs = validateMeta(v, true, false, c)
	case *rbacv1.Role:
		// ValidateRole (rbac): path-segment name, rules.
		errs = validateMeta(v, true, true, c)
		errs = append(errs, validateRules(v.Rules, true)...)
	case *rbacv1.ClusterRole:
		errs = validateMeta(v, false, true, c)
		errs = append(errs, validateRules(v.Rules, false)...)
	case *rbacv1.RoleBinding:
		errs = validateMeta(v, true, true, c)
		errs = append(errs, validateBinding(v.RoleRef, v.Subjects, "Role", true, c)...)
	case *rbacv1.ClusterRoleBinding:
		errs = validateMeta(v, false, true, c)
		errs = append(errs, validateBinding(v.RoleRef, v.Subjects, "ClusterRole", false, c)...)
	case *batchv1.Job:
		// ValidateJob (batch): the Job controller labels each pod batch.kubernetes.io/job-name=<name>,
		// so the name must also be a valid label value (63 characters).
		errs = validateMeta(v, true, false, c)
		for _, msg := range c.check(labelValue, v.Name) {
			errs = append(errs, field.Invalid(namePath, v.Name, "the Job controller's job-name label: "+msg))
		}
		c.n = 0
		c.child("spec")
		errs = validateJobSpec(errs, &v.Spec, c)
	case *batchv1.CronJob:
		errs = validateMeta(v, true, false, c)
		errs = validateCronJob(errs, v, c)
	case *appsv1.Deployment:
		errs = validateMeta(v, true, false, c)
		errs = validateDeployment(errs, v, c)
	case *corev1.PersistentVolumeClaim:
		// ValidatePersistentVolumeClaim (core): access modes and a storage request.
		errs = validateMeta(v, true, false, c)
		if len(v.Spec.AccessModes) == 0 {
			errs = append(errs, field.Required(field.NewPath("spec", "accessModes"), "at least 1 access mode is required"))
		}
		if q, ok := v.Spec.Resources.Requests[corev1.ResourceStorage]; !ok || q.Sign() <= 0 {
			errs = append(errs, field.Required(field.NewPath("spec", "resources", "requests", "storage"), "a positive storage request is required"))
		}
	case *Sandbox:
		// The CRD's own schema accepts any spec; the pod the agent-sandbox controller creates
		// from it is a Pod's, named after the Sandbox, and so is its Service (a DNS-1035 label).
		errs = validateMeta(v, true, false, c)
		for _, msg := range validation.IsDNS1035Label(v.Name) {
			errs = append(errs, field.Invalid(namePath, v.Name, "the agent-sandbox controller's Service name: "+msg))
		}
		errs = validatePodTemplateAt(errs, &v.Spec.PodTemplate, c, "spec", "podTemplate")
	case *SandboxWarmPool:
		errs = validateMeta(v, true, false, c)
		if v.Spec.Size < 0 {
			errs = append(errs, field.Invalid(field.NewPath("spec", "size"), v.Spec.Size, "must be greater than or equal to 0"))
		}
		if rc := v.Spec.RuntimeClassName; rc != "" {
			for _, msg := range c.check(dnsSubdomain, rc) {
				errs = append(errs, field.Invalid(field.NewPath("spec", "runtimeClassName"), rc, msg))
			}
		}
		errs = validatePodTemplateAt(errs, &v.Spec.PodTemplate, c, "spec", "podTemplate")
	case *SandboxClaim:
		errs = validateMeta(v, true, false, c)
		for _, msg := range c.check(dnsSubdomain, v.Spec.WarmPoolRef.Name) {
			errs = append(errs, field.Invalid(field.NewPath("spec", "warmPoolRef", "name"), v.Spec.WarmPoolRef.Name, msg))
		}
	case *corev1.Service:
		errs = validateMeta(v, true, false, c)
		errs = validateService(errs, v, c)
	default:
		// A kind a new builder emits without adding its checks here: refused rather than unchecked.
		errs = append(errs, field.NotSupported(field.NewPath("kind"), kindOf(o), validatedKinds))
	}
	return errs
}

// validateConfigMapData mirrors ValidateConfigMap (core): keys are valid and not in both data and
// binaryData, and keys plus values fit in 1 MiB (MaxSecretSize).
func validateConfigMapData(cm *corev1.ConfigMap, c *cursor) field.ErrorList {
	var errs field.ErrorList
	total := 0
	for key, v := range cm.Data {
		for _, msg := range c.check(configMapKey, key) {
			errs = append(errs, field.Invalid(field.NewPath("data").Key(key), key, msg))
		}
		total += len(key) + len(v)
	}
	for key, v := range cm.BinaryData {
		for _, msg := range c.check(configMapKey, key) {
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
func validateBinding(ref rbacv1.RoleRef, subjects []rbacv1.Subject, kind string, namespaced bool, c *cursor) field.ErrorList {
	var errs field.ErrorList
	rp := func(name string) *field.Path { return field.NewPath("roleRef", name) }
	if ref.APIGroup != rbacv1.GroupName {
		errs = append(errs, field.NotSupported(rp("apiGroup"), ref.APIGroup, []string{rbacv1.GroupName}))
	}
	if ref.Kind != kind && !(namespaced && ref.Kind == "ClusterRole") {
		errs = append(errs, field.NotSupported(rp("kind"), ref.Kind, []string{kind}))
	}
	for _, msg := range content.IsPathSegmentName(ref.Name) {
		errs = append(errs, field.Invalid(rp("name"), ref.Name, msg))
	}
	for i, s := range subjects {
		sp := func(name string) *field.Path { return field.NewPath("subjects").Index(i).Child(name) }
		if s.Kind != rbacv1.ServiceAccountKind || s.APIGroup != "" {
			errs = append(errs, field.NotSupported(sp("kind"), s.Kind, []string{rbacv1.ServiceAccountKind}))
		}
		for _, msg := range c.check(dnsSubdomain, s.Name) { // NameIsDNSSubdomain
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
func validateJobSpec(errs field.ErrorList, spec *batchv1.JobSpec, c *cursor) field.ErrorList {
	if spec.BackoffLimit != nil && *spec.BackoffLimit < 0 {
		errs = append(errs, field.Invalid(c.to("backoffLimit"), *spec.BackoffLimit, "must be greater than or equal to 0"))
	}
	if spec.ActiveDeadlineSeconds != nil && *spec.ActiveDeadlineSeconds <= 0 {
		errs = append(errs, field.Invalid(c.to("activeDeadlineSeconds"), *spec.ActiveDeadlineSeconds, "must be greater than 0"))
	}
	c.child("template")
	c.child("metadata")
	c.child("labels")
	errs = validateLabels(errs, spec.Template.Labels, c)
	c.pop()
	c.pop()
	c.child("spec")
	errs = validatePodSpec(errs, &spec.Template.Spec, c)
	if rp := spec.Template.Spec.RestartPolicy; rp != corev1.RestartPolicyNever && rp != corev1.RestartPolicyOnFailure {
		errs = append(errs, field.NotSupported(c.to("restartPolicy"), rp, []string{string(corev1.RestartPolicyOnFailure), string(corev1.RestartPolicyNever)}))
	}
	c.pop()
	c.pop()
	return errs
}

// validateCronJob mirrors ValidateCronJobCreate (batch): a name of at most 52 characters (the
// controller appends 11 to name each Job), a schedule robfig/cron parses without a time zone, a
// known concurrencyPolicy and a valid Job template.
func validateCronJob(errs field.ErrorList, cj *batchv1.CronJob, c *cursor) field.ErrorList {
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
	c.n = 0
	c.child("spec")
	c.child("jobTemplate")
	c.child("metadata")
	c.child("labels")
	errs = validateLabels(errs, cj.Spec.JobTemplate.Labels, c)
	c.pop()
	c.pop()
	c.child("spec")
	return validateJobSpec(errs, &cj.Spec.JobTemplate.Spec, c)
}

// validatePodTemplateAt checks a pod template's labels and spec at the path of steps.
func validatePodTemplateAt(errs field.ErrorList, t *corev1.PodTemplateSpec, c *cursor, steps ...string) field.ErrorList {
	c.n = 0
	for _, s := range steps {
		c.child(s)
	}
	c.child("metadata")
	c.child("labels")
	errs = validateLabels(errs, t.Labels, c)
	c.pop()
	c.pop()
	c.child("spec")
	errs = validatePodSpec(errs, &t.Spec, c)
	c.n = 0
	return errs
}

// validateLabels mirrors ValidateLabels (apimachinery apis/meta/v1/validation).
func validateLabels(errs field.ErrorList, l map[string]string, c *cursor) field.ErrorList {
	for k, v := range l {
		if !validLabelKeys[k] {
			for _, msg := range validation.IsQualifiedName(k) {
				errs = append(errs, field.Invalid(c.path(), k, msg))
			}
		}
		for _, msg := range c.check(labelValue, v) {
			errs = append(errs, field.Invalid(c.path().Key(k), v, msg))
		}
	}
	return errs
}

// validatePodSpec mirrors ValidatePodSpec (core) for the fields skillc sets.
func validatePodSpec(errs field.ErrorList, spec *corev1.PodSpec, c *cursor) field.ErrorList {
	c.child("volumes")
	vols, errs := validateVolumes(errs, spec.Volumes, c)
	c.pop()
	names := make(map[string]bool, len(spec.InitContainers)+len(spec.Containers))
	c.child("initContainers")
	errs = validateContainers(errs, spec.InitContainers, true, vols, names, c)
	c.pop()
	c.child("containers")
	errs = validateContainers(errs, spec.Containers, false, vols, names, c)
	if len(spec.Containers) == 0 {
		errs = append(errs, field.Required(c.path(), ""))
	}
	c.pop()
	if spec.ServiceAccountName != "" {
		for _, msg := range c.check(dnsSubdomain, spec.ServiceAccountName) {
			errs = append(errs, field.Invalid(c.to("serviceAccountName"), spec.ServiceAccountName, msg))
		}
	}
	if rc := spec.RuntimeClassName; rc != nil {
		// ValidateRuntimeClassName: a RuntimeClass is named by a DNS subdomain.
		for _, msg := range c.check(dnsSubdomain, *rc) {
			errs = append(errs, field.Invalid(c.to("runtimeClassName"), *rc, msg))
		}
	}
	switch spec.DNSPolicy {
	case "", corev1.DNSClusterFirst, corev1.DNSClusterFirstWithHostNet, corev1.DNSDefault, corev1.DNSNone:
	default:
		errs = append(errs, field.NotSupported(c.to("dnsPolicy"), spec.DNSPolicy, []string{"ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"}))
	}
	for i, s := range spec.ImagePullSecrets {
		// validateImagePullSecrets: a reference to a Secret by name.
		for _, msg := range c.check(dnsSubdomain, s.Name) {
			errs = append(errs, field.Invalid(c.to("imagePullSecrets").Index(i).Child("name"), s.Name, msg))
		}
	}
	if sc := spec.SecurityContext; sc != nil {
		for _, id := range [...]struct {
			name string
			v    *int64
		}{{"runAsUser", sc.RunAsUser}, {"runAsGroup", sc.RunAsGroup}, {"fsGroup", sc.FSGroup}} {
			if id.v != nil && (*id.v < 0 || *id.v > math.MaxInt32) {
				errs = append(errs, field.Invalid(c.to("securityContext").Child(id.name), *id.v, validation.InclusiveRangeError(0, math.MaxInt32)))
			}
		}
	}
	return errs
}

// validateVolumes mirrors ValidateVolumes (core): unique DNS-label names and exactly one source,
// with the checks of the sources skillc emits (emptyDir, hostPath, secret, projected).
func validateVolumes(errs field.ErrorList, vols []corev1.Volume, c *cursor) (map[string]bool, field.ErrorList) {
	names := make(map[string]bool, len(vols))
	for i := range vols {
		v := &vols[i]
		c.at(i)
		for _, msg := range c.check(dnsLabel, v.Name) {
			errs = append(errs, field.Invalid(c.to("name"), v.Name, msg))
		}
		if names[v.Name] {
			errs = append(errs, field.Duplicate(c.to("name"), v.Name))
		}
		names[v.Name] = true
		switch countSources(&v.VolumeSource) {
		case 1:
		case 0:
			errs = append(errs, field.Required(c.path(), "must specify a volume type"))
		default:
			errs = append(errs, field.Forbidden(c.path(), "may not specify more than 1 volume type"))
		}
		s := &v.VolumeSource
		if s.EmptyDir != nil && s.EmptyDir.SizeLimit != nil && s.EmptyDir.SizeLimit.Sign() < 0 {
			errs = append(errs, field.Invalid(c.to("emptyDir").Child("sizeLimit"), s.EmptyDir.SizeLimit.String(), "must be greater than or equal to 0"))
		}
		if s.HostPath != nil {
			c.child("hostPath")
			c.child("path")
			if s.HostPath.Path == "" {
				errs = append(errs, field.Required(c.path(), ""))
			}
			errs = noBacksteps(errs, s.HostPath.Path, c)
			c.pop()
			c.pop()
		}
		if s.Secret != nil {
			for _, msg := range c.check(dnsSubdomain, s.Secret.SecretName) {
				errs = append(errs, field.Invalid(c.to("secret").Child("secretName"), s.Secret.SecretName, msg))
			}
		}
		if s.Projected != nil {
			c.child("projected")
			errs = validateProjection(errs, s.Projected, c)
			c.pop()
		}
		c.pop()
	}
	return names, errs
}

// countSources counts the volume sources set. Every field of VolumeSource is a pointer to one
// source; they are listed here rather than walked by reflection (every volume of every pod is
// counted), and TestCountSourcesKnowsEverySource fails when k8s.io/api adds one.
func countSources(s *corev1.VolumeSource) int {
	n := 0
	for _, set := range [...]bool{
		s.HostPath != nil, s.EmptyDir != nil, s.GCEPersistentDisk != nil, s.AWSElasticBlockStore != nil,
		s.GitRepo != nil, s.Secret != nil, s.NFS != nil, s.ISCSI != nil, s.Glusterfs != nil,
		s.PersistentVolumeClaim != nil, s.RBD != nil, s.FlexVolume != nil, s.Cinder != nil, s.CephFS != nil,
		s.Flocker != nil, s.DownwardAPI != nil, s.FC != nil, s.AzureFile != nil, s.ConfigMap != nil,
		s.VsphereVolume != nil, s.Quobyte != nil, s.AzureDisk != nil, s.PhotonPersistentDisk != nil,
		s.Projected != nil, s.PortworxVolume != nil, s.ScaleIO != nil, s.StorageOS != nil, s.CSI != nil,
		s.Ephemeral != nil, s.Image != nil,
	} {
		if set {
			n++
		}
	}
	return n
}

// validateProjection mirrors validateProjectionSources (core): relative paths without "..", no
// path twice, token expiry between 10 minutes and 2^32 seconds.
func validateProjection(errs field.ErrorList, pr *corev1.ProjectedVolumeSource, c *cursor) field.ErrorList {
	var buf [8]string // a handful of paths: no map
	seen := buf[:0]
	depth := c.n
	addPath := func(file string) {
		errs = localNonReservedPath(errs, file, c)
		if slices.Contains(seen, file) {
			top := c.n
			c.n = depth // the API server names the projection itself
			errs = append(errs, field.Invalid(c.path(), file, "conflicting duplicate paths"))
			c.n = top
		}
		seen = append(seen, file)
	}
	c.child("sources")
	for i := range pr.Sources {
		s := &pr.Sources[i]
		c.at(i)
		source := c.n // each branch below returns the cursor here
		switch {
		case s.ConfigMap != nil:
			c.child("configMap")
			for _, msg := range c.check(dnsSubdomain, s.ConfigMap.Name) {
				errs = append(errs, field.Invalid(c.to("name"), s.ConfigMap.Name, msg))
			}
			c.child("items")
			items := c.n
			for j, it := range s.ConfigMap.Items {
				c.at(j)
				for _, msg := range c.check(configMapKey, it.Key) {
					errs = append(errs, field.Invalid(c.to("key"), it.Key, msg))
				}
				c.child("path")
				addPath(it.Path)
				c.n = items
			}
		case s.ServiceAccountToken != nil:
			c.child("serviceAccountToken")
			if e := s.ServiceAccountToken.ExpirationSeconds; e != nil && (*e < 600 || *e > 1<<32) {
				errs = append(errs, field.Invalid(c.to("expirationSeconds"), *e, "must be at least 10 minutes and at most 2^32 seconds"))
			}
			c.child("path")
			addPath(s.ServiceAccountToken.Path)
		case s.DownwardAPI != nil:
			c.child("downwardAPI")
			c.child("items")
			items := c.n
			for j, it := range s.DownwardAPI.Items {
				c.at(j)
				c.child("path")
				addPath(it.Path)
				c.n = items
			}
		}
		c.n = source - 1
	}
	c.n = depth
	return errs
}

// localNonReservedPath mirrors ValidateLocalNonReservedPath (core).
func localNonReservedPath(errs field.ErrorList, file string, c *cursor) field.ErrorList {
	if path.IsAbs(file) {
		errs = append(errs, field.Invalid(c.path(), file, "must be a relative path"))
	}
	errs = noBacksteps(errs, file, c)
	if strings.HasPrefix(file, "..") && !strings.HasPrefix(file, "../") {
		errs = append(errs, field.Invalid(c.path(), file, "must not start with '..'"))
	}
	return errs
}

// noBacksteps mirrors validatePathNoBacksteps (core).
func noBacksteps(errs field.ErrorList, file string, c *cursor) field.ErrorList {
	for seg := range strings.SplitSeq(file, "/") {
		if seg == ".." {
			return append(errs, field.Invalid(c.path(), file, "must not contain '..'"))
		}
	}
	return errs
}

// validateContainers mirrors validateInitContainers / validateContainers (core): names unique
// across both lists, an image, env, resources, mounts of declared volumes and a consistent
// security context.
func validateContainers(errs field.ErrorList, cs []corev1.Container, init bool, vols, names map[string]bool, cur *cursor) field.ErrorList {
	for i := range cs {
		c := &cs[i]
		cur.at(i)
		for _, msg := range cur.check(dnsLabel, c.Name) {
			errs = append(errs, field.Invalid(cur.to("name"), c.Name, msg))
		}
		if names[c.Name] {
			errs = append(errs, field.Duplicate(cur.to("name"), c.Name))
		}
		names[c.Name] = true
		switch {
		case c.Image == "":
			errs = append(errs, field.Required(cur.to("image"), ""))
		case c.Image != strings.TrimSpace(c.Image):
			errs = append(errs, field.Invalid(cur.to("image"), c.Image, "must not have leading or trailing whitespace"))
		}
		switch c.ImagePullPolicy {
		case "", corev1.PullAlways, corev1.PullIfNotPresent, corev1.PullNever:
		default:
			errs = append(errs, field.NotSupported(cur.to("imagePullPolicy"), c.ImagePullPolicy, []string{"Always", "IfNotPresent", "Never"}))
		}
		if c.RestartPolicy != nil && (!init || *c.RestartPolicy != corev1.ContainerRestartPolicyAlways) {
			errs = append(errs, field.NotSupported(cur.to("restartPolicy"), *c.RestartPolicy, []string{string(corev1.ContainerRestartPolicyAlways)}))
		}
		cur.child("env")
		errs = validateEnv(errs, c.Env, cur)
		cur.pop()
		cur.child("resources")
		errs = validateResources(errs, &c.Resources, cur)
		cur.pop()
		cur.child("volumeMounts")
		errs = validateMounts(errs, c, vols, cur)
		cur.pop()
		cur.child("ports")
		errs = validateContainerPorts(errs, c.Ports, cur)
		cur.pop()
		if sc := c.SecurityContext; sc != nil {
			// ValidateSecurityContext: privilege escalation cannot be off for a privileged container.
			if sc.Privileged != nil && *sc.Privileged && sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation {
				errs = append(errs, field.Invalid(cur.to("securityContext"), "", "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"))
			}
			if sc.RunAsUser != nil && (*sc.RunAsUser < 0 || *sc.RunAsUser > math.MaxInt32) {
				errs = append(errs, field.Invalid(cur.to("securityContext").Child("runAsUser"), *sc.RunAsUser, validation.InclusiveRangeError(0, math.MaxInt32)))
			}
		}
		cur.pop()
	}
	return errs
}

// validateEnv mirrors ValidateEnv (core): names are C identifiers (the strict rule: what the API
// server accepts and every shell can read), value and valueFrom exclusive, one valueFrom source.
func validateEnv(errs field.ErrorList, env []corev1.EnvVar, c *cursor) field.ErrorList {
	for i := range env {
		e := &env[i]
		c.at(i)
		if e.Name == "" {
			errs = append(errs, field.Required(c.to("name"), ""))
		}
		for _, msg := range c.check(envVarName, e.Name) {
			errs = append(errs, field.Invalid(c.to("name"), e.Name, msg))
		}
		if vf := e.ValueFrom; vf != nil {
			errs = validateEnvSource(errs, e, c)
		}
		c.pop()
	}
	return errs
}

func validateEnvSource(errs field.ErrorList, e *corev1.EnvVar, c *cursor) field.ErrorList {
	vf := e.ValueFrom
	c.child("valueFrom")
	defer c.pop()
	if e.Value != "" {
		errs = append(errs, field.Invalid(c.path(), "", "may not be specified when `value` is not empty"))
	}
	n := 0
	if vf.FieldRef != nil {
		n++
		if vf.FieldRef.FieldPath == "" || vf.FieldRef.APIVersion == "" {
			errs = append(errs, field.Required(c.to("fieldRef"), "apiVersion and fieldPath are required"))
		}
	}
	if r := vf.SecretKeyRef; r != nil {
		n++
		for _, msg := range c.check(dnsSubdomain, r.Name) {
			errs = append(errs, field.Invalid(c.to("secretKeyRef").Child("name"), r.Name, msg))
		}
		for _, msg := range c.check(configMapKey, r.Key) {
			errs = append(errs, field.Invalid(c.to("secretKeyRef").Child("key"), r.Key, msg))
		}
	}
	if vf.ConfigMapKeyRef != nil || vf.ResourceFieldRef != nil || vf.FileKeyRef != nil {
		n++
	}
	if n != 1 {
		errs = append(errs, field.Invalid(c.path(), "", "may not have more than one field specified at a time"))
	}
	return errs
}

// validateResources mirrors ValidateContainerResourceRequirements (core): standard names,
// non-negative quantities that fit, requests at most limits.
func validateResources(errs field.ErrorList, r *corev1.ResourceRequirements, c *cursor) field.ErrorList {
	for _, l := range [...]struct {
		name string
		list corev1.ResourceList
	}{{"limits", r.Limits}, {"requests", r.Requests}} {
		for name, q := range l.list {
			err := api.CheckQuantity(q, name == corev1.ResourceCPU)
			switch {
			case err != nil:
				errs = append(errs, field.Invalid(c.to(l.name).Key(string(name)), q.String(), err.Error()))
			case name != corev1.ResourceCPU && name != corev1.ResourceMemory && name != corev1.ResourceEphemeralStorage:
				errs = append(errs, field.Invalid(c.to(l.name).Key(string(name)), name, "must be a standard resource for containers"))
			}
		}
	}
	for name, req := range r.Requests {
		if lim, ok := r.Limits[name]; ok && req.Cmp(lim) > 0 {
			errs = append(errs, field.Invalid(c.to("requests").Key(string(name)), req.String(), fmt.Sprintf("must be less than or equal to %s limit of %s", name, lim.String())))
		}
	}
	return errs
}

// validateMounts mirrors ValidateVolumeMounts (core): every mount names a volume of the pod, at a
// path used once in the container, with a subPath inside the volume and a propagation the
// container may use.
func validateMounts(errs field.ErrorList, ctr *corev1.Container, vols map[string]bool, c *cursor) field.ErrorList {
	privileged := ctr.SecurityContext != nil && ctr.SecurityContext.Privileged != nil && *ctr.SecurityContext.Privileged
	for i := range ctr.VolumeMounts {
		m := &ctr.VolumeMounts[i]
		c.at(i)
		if !vols[m.Name] {
			errs = append(errs, field.NotFound(c.to("name"), m.Name))
		}
		switch {
		case m.MountPath == "":
			errs = append(errs, field.Required(c.to("mountPath"), ""))
		case !path.IsAbs(m.MountPath):
			// Not an API server check: the kubelet refuses the pod when it starts.
			errs = append(errs, field.Invalid(c.to("mountPath"), m.MountPath, "must be an absolute path"))
		}
		for j := range i {
			if ctr.VolumeMounts[j].MountPath == m.MountPath {
				errs = append(errs, field.Invalid(c.to("mountPath"), m.MountPath, "must be unique"))
				break
			}
		}
		for _, sub := range [...]struct{ name, value string }{{"subPath", m.SubPath}, {"subPathExpr", m.SubPathExpr}} {
			if sub.value == "" {
				continue
			}
			c.child(sub.name)
			if path.IsAbs(sub.value) {
				errs = append(errs, field.Invalid(c.path(), sub.value, "must be a relative path"))
			}
			errs = noBacksteps(errs, sub.value, c)
			c.pop()
		}
		if m.MountPropagation != nil && *m.MountPropagation == corev1.MountPropagationBidirectional && !privileged {
			errs = append(errs, field.Forbidden(c.to("mountPropagation"), "Bidirectional mount propagation is available only to privileged containers"))
		}
		c.pop()
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

// lastAppliedAnnotation is where kubectl's client-side apply keeps the object as applied.
const lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

// clientSideApplySize returns, for an object Argo CD applies client-side (kubectl apply, its
// default), the size of its annotations once the whole object, as JSON, is copied into the
// last-applied annotation, when that passes the API server's 256 KiB limit on annotations; and
// whether skillc itself forces the client-side apply (Jobs, see argoJobSyncOptions). Other
// objects are applied server-side when the Application enables ServerSideApply=true, which
// skillc cannot see.
func clientSideApplySize(o Object, target api.Target) (int, bool) {
	if target != api.TargetArgoCD {
		return 0, false
	}
	s, ok := o.(interface{ Size() int })
	// JSON is at most about eight times the protobuf size (see oversize): smaller objects fit.
	if !ok || s.Size() <= apivalidation.TotalAnnotationSizeLimitB/8 {
		return 0, false
	}
	add := targetAnnotations(target, targetKind(o))
	c := o.DeepCopyObject().(Object)
	a := maps.Clone(c.GetAnnotations())
	if a == nil {
		a = map[string]string{}
	}
	maps.Copy(a, add)
	c.SetAnnotations(a)
	b, err := json.Marshal(c)
	if err != nil {
		return 0, false
	}
	total := len(lastAppliedAnnotation) + len(b)
	for k, v := range a {
		total += len(k) + len(v)
	}
	if total <= apivalidation.TotalAnnotationSizeLimitB {
		return 0, false
	}
	return total, add[annotationArgoSyncOptions] == argoJobSyncOptions
}

// sizeReport explains an object that is too large: its size and its largest field, at that
// field's source, since "the object is too big" alone does not say what to shrink.
func sizeReport(o Object, from Origins, form string) diag.Diagnostic {
	type part struct {
		field string
		size  int
	}
	var parts []part
	if spec := PodSpecOf(o); spec != nil {
		prefix := PodSpecPath(o) + "."
		for _, list := range []struct {
			name string
			cs   []corev1.Container
		}{{"initContainers", spec.InitContainers}, {"containers", spec.Containers}} {
			for i, c := range list.cs {
				for _, a := range []struct {
					name string
					list []string
				}{{"command", c.Command}, {"args", c.Args}} {
					n := 0
					for _, s := range a.list {
						n += len(s)
					}
					if n > 0 {
						parts = append(parts, part{fmt.Sprintf("%s%s[%d].%s", prefix, list.name, i, a.name), n})
					}
				}
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
		if _, ok := from.Lookup(p.field); ok {
			return from.Diag(p.field, "emitted %s %s is too large: %s%s", kindOf(o), objectRef(o), form, largest)
		}
	}
	return from.Diag("", "emitted %s %s is too large: %s%s", kindOf(o), objectRef(o), form, largest)
}
