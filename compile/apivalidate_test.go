package compile

import (
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/internal/testinput"
	"github.com/skillc-dev/skillc/source"
)

const digest64 = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// wantDiag checks that diags hold one error containing want, at in.yaml:line (0: any line).
func wantDiag(t *testing.T, diags diag.Diagnostics, line int, field, want string) {
	t.Helper()
	for _, d := range diags {
		if d.Severity == diag.SeverityError && strings.Contains(d.Message, want) && d.Field == field && (line == 0 || d.Line == line) && d.File == "in.yaml" {
			return
		}
	}
	t.Errorf("no error %q at in.yaml:%d %s among:\n%v", want, line, field, diags)
}

func schedule(expr string) string {
	return `apiVersion: sympozium.ai/v1alpha1
kind: SympoziumSchedule
metadata: {name: nightly, namespace: team}
spec:
  instanceRef: alice
  schedule: "` + expr + `"`
}

// TestScheduleAsKubernetesParsesIt (issue 12 item 8): the per-field regex accepted out-of-range
// values; robfig/cron's ParseStandard, the parser of the API server's CronJob validation, does not.
func TestScheduleAsKubernetesParsesIt(t *testing.T) {
	tests := []struct {
		expr, want string // want "" compiles
	}{
		{"60 * * * *", "end of range (60) above maximum (59)"},
		{"0 25 * * *", "end of range (25) above maximum (23)"},
		{"*/0 * * * *", "step of range should be a positive number"},
		{"0 0 * 13 *", "end of range (13) above maximum (12)"},
		{"0 0 31 2 *", ""}, // parses (never fires): the API server accepts it too
		{"0 6 * *", "expected exactly 5 fields, found 4"},
		{"TZ=UTC 0 6 * * *", "a time zone is not allowed"},
		{"CRON_TZ=Europe/Paris 0 6 * * *", "a time zone is not allowed"},
		{"@hourly", ""},
		{"@every 90m", ""},
		{"0 0 ? * MON-FRI", ""},
		{"*/15 9-17 * JAN,FEB sun", ""},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			res, diags := compileYAML(t, Options{}, pack(""), testInstance, schedule(tt.expr))
			if tt.want == "" {
				if diags != nil {
					t.Fatalf("refused: %v", diags)
				}
				if cj := find[*batchv1.CronJob](t, res, "CronJob", "nightly"); cj.Spec.Schedule != tt.expr {
					t.Errorf("schedule = %q", cj.Spec.Schedule)
				}
				return
			}
			wantDiag(t, diags, 19, "spec.schedule", tt.want)
		})
	}
}

// TestQuantitiesNegativeOrOverflowing (issue 12 item 10): cpu -1 was emitted and
// 99999999999999999999Ei silently clamped to 2^63-1.
func TestQuantitiesNegativeOrOverflowing(t *testing.T) {
	tests := []struct {
		cpu, memory string
		field, want string
	}{
		{"-1", "128Mi", "spec.sidecar.resources.cpu", "must not be negative"},
		{"100m", "-1Gi", "spec.sidecar.resources.memory", "must not be negative"},
		{"100m", "99999999999999999999Ei", "spec.sidecar.resources.memory", "is too large"},
		{"100m", "8Ei", "spec.sidecar.resources.memory", "is too large"}, // 2^63: clamped by ParseQuantity
		{"100m", "1e100", "spec.sidecar.resources.memory", "is too large"},
		{"9223372036854776", "128Mi", "spec.sidecar.resources.cpu", "is too large"}, // overflows in millicores
		{"9223372036854", "7Ei", "", ""},
		{"0", "0", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.cpu+"/"+tt.memory, func(t *testing.T) {
			res, diags := compileYAML(t, Options{}, pack("image: reg/x:1\nresources: {cpu: \""+tt.cpu+"\", memory: \""+tt.memory+"\"}"), testInstance, testRun)
			if tt.want == "" {
				if diags != nil {
					t.Fatalf("refused: %v", diags)
				}
				c := findContainer(t, find[*batchv1.Job](t, res, "Job", "r1").Spec.Template.Spec, "skill-p")
				if got := c.Resources.Limits[corev1.ResourceCPU]; got.Cmp(resource.MustParse(tt.cpu)) != 0 {
					t.Errorf("cpu = %s", got.String())
				}
				return
			}
			wantDiag(t, diags, 0, tt.field, tt.want)
		})
	}
}

// TestImageReferencesParsedAsRuntimesDo (issue 12 item 11): references with "..", "//", upper case
// or a short digest were accepted, and "@sha256:abc" counted as pinned.
func TestImageReferencesParsedAsRuntimesDo(t *testing.T) {
	tests := []struct {
		image, want string
	}{
		{"ghcr.io/a..b/tool:1", "invalid reference format"},
		{"ghcr.io//tool:1", "invalid reference format"},
		{"ghcr.io/Example/tool:1", "must be lowercase"},
		{"ghcr.io/example/tool@sha256:abc", "a sha256 digest is 64 hex characters"},
		{"ghcr.io/example/tool:1@sha256:abc", "a sha256 digest is 64 hex characters"},
		{" ghcr.io/example/tool:1", "leading or trailing whitespace"},
		{"ghcr.io/example/tool:1", ""},
		{"ghcr.io/example/tool@" + digest64, ""},
		{"registry:5000/app", ""},
		{"busybox", ""},
	}
	for _, tt := range tests {
		t.Run(tt.image, func(t *testing.T) {
			_, diags := compileYAML(t, Options{}, pack("image: \""+tt.image+"\""), testInstance, testRun)
			if tt.want == "" {
				if diags != nil {
					t.Fatalf("refused: %v", diags)
				}
				return
			}
			wantDiag(t, diags, 0, "spec.sidecar.image", tt.want)
		})
	}
	t.Run("platform images", func(t *testing.T) {
		cfg := `apiVersion: skillc.dev/v1alpha1
kind: CompilerConfig
metadata: {name: platform}
spec:
  images: {agentRunner: "ghcr.io/x/agent@sha256:abc", ipcBridge: "ghcr.io/X/bridge:1"}`
		_, diags := compileYAML(t, Options{}, cfg, testInstance)
		wantDiag(t, diags, 5, "spec.images.agentRunner", "a sha256 digest is 64 hex characters")
		wantDiag(t, diags, 5, "spec.images.ipcBridge", "must be lowercase")
	})
}

// TestVolumeMounts (issue 12 item 9): mounts the API server or the kubelet refuses, each reported
// at the pack's line; a mount of a volume the pod does not have is found on the assembled pod and
// reported at the mount's source line.
func TestVolumeMounts(t *testing.T) {
	tests := []struct {
		name, sidecar, field, want string
	}{
		{"undeclared volume", "volumeMounts: [{name: data, mountPath: /data}]",
			"spec.sidecar.volumeMounts[0]", `would be refused by the API server: spec.template.spec.initContainers[0].volumeMounts[4].name: Not found: "data"`},
		{"subPath leaves the volume", "volumes: [{name: data, emptyDir: {}}]\nvolumeMounts: [{name: data, mountPath: /data, subPath: ../../etc}]",
			"spec.sidecar.volumeMounts[0].subPath", `must not contain ".."`},
		{"absolute subPath", "volumes: [{name: data, emptyDir: {}}]\nvolumeMounts: [{name: data, mountPath: /data, subPath: /etc}]",
			"spec.sidecar.volumeMounts[0].subPath", "must be a relative path"},
		{"relative mountPath", "volumes: [{name: data, emptyDir: {}}]\nvolumeMounts: [{name: data, mountPath: data}]",
			"spec.sidecar.volumeMounts[0].mountPath", "must be absolute"},
		{"Bidirectional without privileged", "volumes: [{name: data, emptyDir: {}}]\nvolumeMounts: [{name: data, mountPath: /data, mountPropagation: Bidirectional}]",
			"spec.sidecar.volumeMounts[0].mountPropagation", "available only to privileged containers"},
		{"unknown propagation", "volumes: [{name: data, emptyDir: {}}]\nvolumeMounts: [{name: data, mountPath: /data, mountPropagation: Sideways}]",
			"spec.sidecar.volumeMounts[0].mountPropagation", "must be None, HostToContainer or Bidirectional"},
		{"recursiveReadOnly on a writable mount", "volumes: [{name: data, emptyDir: {}}]\nvolumeMounts: [{name: data, mountPath: /data, recursiveReadOnly: Enabled}]",
			"spec.sidecar.volumeMounts[0].recursiveReadOnly", "only be set when readOnly is true"},
		{"volume with two sources", "volumes: [{name: data, emptyDir: {}, secret: {secretName: s}}]\nvolumeMounts: [{name: data, mountPath: /data}]",
			"spec.sidecar.volumes[0]", "may not specify more than 1 volume type"},
		{"volume with no source", "volumes: [{name: data}]\nvolumeMounts: [{name: data, mountPath: /data}]",
			"spec.sidecar.volumes[0]", "must specify a volume type"},
		{"hostPath with ..", "volumes: [{name: data, hostPath: {path: /var/../etc}}]",
			"spec.sidecar.volumes[0]", "must not contain '..'"},
		{"Bidirectional when privileged", "hostAccess: {enabled: true, privileged: true}\nvolumes: [{name: data, emptyDir: {}}]\nvolumeMounts: [{name: data, mountPath: /data, mountPropagation: Bidirectional}]", "", ""},
		{"mount of the shared workspace", "mountWorkspace: false\nvolumeMounts: [{name: workspace, mountPath: /work, subPath: sub/dir}]", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := compileYAML(t, Options{}, pack("image: reg/x:1\n"+tt.sidecar), testInstance, testRun)
			if tt.want == "" {
				if diags != nil {
					t.Fatalf("refused: %v", diags)
				}
				return
			}
			wantDiag(t, diags, 0, tt.field, tt.want)
		})
	}
}

// TestEmittedObjectsPassAPIValidation: every object of every valid fixture passes the checks, so
// the checks refuse nothing the API server accepts in what skillc emits today.
func TestEmittedObjectsPassAPIValidation(t *testing.T) {
	dirs, err := filepath.Glob("../fixtures/*")
	if err != nil {
		t.Fatal(err)
	}
	objects := 0
	for _, dir := range dirs {
		if b := filepath.Base(dir); b == "invalid" || b == "denied" || b == "diff" {
			continue
		}
		files, diags := source.ReadPaths([]string{dir}, nil)
		if diags.HasErrors() {
			t.Fatalf("%s: %v", dir, diags)
		}
		for _, opts := range []Options{{}, {Identity: "per-run", Sidecars: "containers", Target: "argocd"}} {
			res, ds := Compile(files, opts)
			err := ds.Err()
			if err != nil {
				continue // a fixture for another config (e.g. a CompilerConfig that conflicts with flags)
			}
			for _, o := range res.Objects {
				objects++
				if errs := validateObject(o); len(errs) > 0 {
					t.Errorf("%s: %s %s: %v", dir, kindOf(o), o.GetName(), errs)
				}
				if limit, form := oversize(o); limit > 0 {
					t.Errorf("%s: %s %s: %s", dir, kindOf(o), o.GetName(), form)
				}
			}
		}
	}
	if objects < 100 {
		t.Fatalf("only %d objects checked", objects)
	}
	t.Logf("%d objects pass", objects)
}

// TestAPIValidationCatches: each check refuses what the API server refuses, on a Job skillc built
// and then broke, at the field path the API server would name.
func TestAPIValidationCatches(t *testing.T) {
	tests := []struct {
		name  string
		mut   func(s *corev1.PodSpec)
		field string
		want  string
	}{
		{"duplicate container name", func(s *corev1.PodSpec) { s.InitContainers[0].Name = "agent" }, "spec.template.spec.containers[0].name", "Duplicate value"},
		{"env name", func(s *corev1.PodSpec) { s.Containers[0].Env[0].Name = "1BAD" }, "spec.template.spec.containers[0].env[0].name", "valid environment variable name"},
		{"value and valueFrom", func(s *corev1.PodSpec) {
			s.Containers[0].Env[0].ValueFrom = &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "s"}, Key: "k"}}
		}, "spec.template.spec.containers[0].env[0].valueFrom", "may not be specified when `value` is not empty"},
		{"negative quantity", func(s *corev1.PodSpec) {
			s.InitContainers[0].Resources.Limits[corev1.ResourceCPU] = resource.MustParse("-1")
		}, "spec.template.spec.initContainers[0].resources.limits[cpu]", "must not be negative"},
		{"requests over limits", func(s *corev1.PodSpec) {
			s.InitContainers[0].Resources.Requests[corev1.ResourceMemory] = resource.MustParse("1Gi")
		}, "spec.template.spec.initContainers[0].resources.requests[memory]", "must be less than or equal to memory limit"},
		{"mount of a missing volume", func(s *corev1.PodSpec) { s.Volumes = s.Volumes[1:] }, "spec.template.spec.containers[0].volumeMounts[1].name", "Not found"},
		{"mountPath twice", func(s *corev1.PodSpec) { s.Containers[0].VolumeMounts[1].MountPath = "/skills" }, "spec.template.spec.containers[0].volumeMounts[1].mountPath", "must be unique"},
		{"duplicate volume", func(s *corev1.PodSpec) { s.Volumes[1].Name = "workspace" }, "spec.template.spec.volumes[1].name", "Duplicate value"},
		{"privileged without escalation", func(s *corev1.PodSpec) { s.InitContainers[0].SecurityContext.Privileged = ptr(true) }, "spec.template.spec.initContainers[0].securityContext", "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"},
		{"restartPolicy on a container", func(s *corev1.PodSpec) { s.Containers[0].RestartPolicy = ptr(corev1.ContainerRestartPolicyAlways) }, "spec.template.spec.containers[0].restartPolicy", "Unsupported value"},
		{"pod restartPolicy", func(s *corev1.PodSpec) { s.RestartPolicy = corev1.RestartPolicyAlways }, "spec.template.spec.restartPolicy", "Unsupported value"},
		{"projected path twice", func(s *corev1.PodSpec) {
			p := s.Volumes[len(s.Volumes)-1].Projected
			p.Sources[1].ConfigMap.Items[0].Path = "token"
		}, "spec.template.spec.volumes[5].projected", "conflicting duplicate paths"},
		{"short token", func(s *corev1.PodSpec) {
			s.Volumes[len(s.Volumes)-1].Projected.Sources[0].ServiceAccountToken.ExpirationSeconds = ptr(int64(60))
		}, "spec.template.spec.volumes[5].projected.sources[0].serviceAccountToken.expirationSeconds", "at least 10 minutes"},
		{"image whitespace", func(s *corev1.PodSpec) { s.Containers[1].Image += " " }, "spec.template.spec.containers[1].image", "whitespace"},
		{"service account name", func(s *corev1.PodSpec) { s.ServiceAccountName = "Bad_Name" }, "spec.template.spec.serviceAccountName", "RFC 1123"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, diags := compileYAML(t, Options{Identity: "per-run"}, pack("image: reg/x:1\nrbac: [{apiGroups: [\"\"], resources: [pods], verbs: [get]}]"), testInstance, testRun)
			if diags != nil {
				t.Fatal(diags)
			}
			job := find[*batchv1.Job](t, res, "Job", "r1").DeepCopy()
			if errs := validateObject(job); len(errs) > 0 {
				t.Fatalf("valid before the change: %v", errs)
			}
			tt.mut(&job.Spec.Template.Spec)
			errs := validateObject(job)
			sameWithMemo(t, job, errs)
			if !slices.ContainsFunc([]*field.Error(errs), func(e *field.Error) bool {
				return strings.HasPrefix(e.Error(), tt.field+": ") && strings.Contains(e.Error(), tt.want)
			}) {
				t.Errorf("want %s: ...%s..., got %v", tt.field, tt.want, errs)
			}
		})
	}
}

// TestOversizedObjectRefused (issue 11 item 6): a Job over what etcd stores is an input error at
// the field that made it large. The task is literal text (aliases are bounded by the Reader long
// before this size; fixtures/invalid/apivalid-oversized-job reaches it with aliases in two documents).
func TestOversizedObjectRefused(t *testing.T) {
	run := `apiVersion: sympozium.ai/v1alpha1
kind: AgentRun
metadata: {name: r1, namespace: team}
spec:
  instanceRef: alice
  task: "` + strings.Repeat("x", 2<<20) + `"`
	_, diags := compileYAML(t, Options{}, pack(""), testInstance, run)
	wantDiag(t, diags, 19, "spec.task", "emitted Job team/r1 is too large: ")
	wantDiag(t, diags, 19, "spec.task", "over etcd's limit of 1572864; the largest part is spec.template.spec.containers[0].env[4] (")
	if len(diags) != 1 {
		t.Errorf("want one error, got %v", diags)
	}
}

// TestPackageHiddenFilesSameRule (issue 12 item 5): a zip and a folder with the same files give
// the same package, without hidden files or folders; a zip used to carry .env and .git/config
// into the ConfigMap.
func TestPackageHiddenFilesSameRule(t *testing.T) {
	files := map[string]string{
		"SKILL.md":            goodSkill,
		"tool.py":             "print(1)\n",
		"lib/helper.sh":       "echo\n",
		".env":                "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
		".git/config":         "[remote \"origin\"]\n\turl = https://user:ghp_token@github.com/x/y\n",
		"lib/.npmrc":          "//registry.npmjs.org/:_authToken=npm_x\n",
		".aws/credentials":    "[default]\n",
		".DS_Store":           "\x00\x01",
		"__MACOSX/._tool.py":  "\x00",
		"docs/.hidden/a.md":   "a\n",
		"docs/readme.md":      "hi\n",
		"docs/not.hidden.txt": "dots inside a name are fine\n",
	}
	want := []string{"docs/not.hidden.txt", "docs/readme.md", "lib/helper.sh", "tool.py"}

	dir := filepath.Join(t.TempDir(), "pkg")
	var entries []testinput.ZipEntry
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		entries = append(entries, testinput.ZipEntry{Name: "pkg/" + name, Body: []byte(body)})
	}
	slices.SortFunc(entries, func(a, b testinput.ZipEntry) int { return strings.Compare(a.Name, b.Name) })
	zipPath := filepath.Join(t.TempDir(), "pkg.zip")
	if err := os.WriteFile(zipPath, buildZip(t, entries...), 0o644); err != nil {
		t.Fatal(err)
	}

	for _, path := range []string{dir, zipPath} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			in, diags := source.ReadPaths([]string{path}, nil)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			loaded, diags := source.Load(in)
			if diags.HasErrors() || len(loaded.Packs) != 1 {
				t.Fatalf("%v, %d packs", diags, len(loaded.Packs))
			}
			if got := slices.Sorted(maps.Keys(loaded.Packs[0].Files)); !slices.Equal(got, want) {
				t.Errorf("files = %v, want %v", got, want)
			}
			cm, _, d := buildConfigMap("team", loaded.Packs[0], &recorder{})
			if d != nil {
				t.Fatal(d)
			}
			for k, v := range cm.Data {
				if strings.Contains(k, "env") || strings.Contains(k, "git") || strings.Contains(v, "ghp_") || strings.Contains(v, "AWS_SECRET") {
					t.Errorf("ConfigMap carries %s: %q", k, v)
				}
			}
		})
	}

	// A package handed in by a caller (skillc fn, a test) follows the same rule.
	p, diags := source.PackFromPackage(source.Package{Source: "x", Dir: "pkg", Files: map[string][]byte{"SKILL.md": []byte(goodSkill), ".env": []byte("X=1"), "a.txt": []byte("a")}}, "")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if got := slices.Sorted(maps.Keys(p.Files)); !slices.Equal(got, []string{"a.txt"}) {
		t.Errorf("files = %v", got)
	}
}

// TestAPIValidationCatchesObjects: the metadata, RBAC, ConfigMap and CronJob checks, each on an
// object skillc built and then broke.
func TestAPIValidationCatchesObjects(t *testing.T) {
	res, diags := compileYAML(t, Options{Identity: "per-run"},
		pack("image: reg/x:1\nrbac: [{apiGroups: [\"\"], resources: [pods], verbs: [get]}]\nclusterRBAC: [{apiGroups: [\"\"], resources: [nodes], verbs: [list]}]"),
		testInstance, testRun, schedule("@daily"))
	if diags != nil {
		t.Fatal(diags)
	}
	long := strings.Repeat("a", 64)
	tests := []struct {
		name, kind, object string
		mut                func(o Object)
		field, want        string
	}{
		{"label value", "Job", "r1", func(o Object) { o.GetLabels()[LabelInstance] = long }, "metadata.labels[sympozium.ai/instance]", "must be no more than 63"},
		{"template label value", "Job", "r1", func(o Object) { o.(*batchv1.Job).Spec.Template.Labels[LabelInstance] = "-x" }, "spec.template.metadata.labels[sympozium.ai/instance]", "alphanumeric"},
		{"label key", "ConfigMap", "skillpack-p", func(o Object) { o.GetLabels()["bad key"] = "x" }, "metadata.labels", "name part must consist of"},
		{"Job name over 63", "Job", "r1", func(o Object) { o.SetName(long) }, "metadata.name", "job-name label"},
		{"namespace", "Job", "r1", func(o Object) { o.SetNamespace("Team") }, "metadata.namespace", "RFC 1123"},
		{"namespace on a cluster object", "ClusterRole", "sympozium-skill-p-r1", func(o Object) { o.SetNamespace("team") }, "metadata.namespace", "not allowed on this type"},
		{"RBAC name", "Role", "sympozium-skill-p-r1", func(o Object) { o.SetName("a/b") }, "metadata.name", "may not contain '/'"},
		{"rule without verbs", "Role", "sympozium-skill-p-r1", func(o Object) { o.(*rbacv1.Role).Rules[0].Verbs = nil }, "rules[0].verbs", "at least one value"},
		{"URL in a Role", "Role", "sympozium-skill-p-r1", func(o Object) {
			o.(*rbacv1.Role).Rules[0] = rbacv1.PolicyRule{Verbs: []string{"get"}, NonResourceURLs: []string{"/metrics"}}
		}, "rules[0].nonResourceURLs", "namespaced rules cannot apply to non-resource URLs"},
		{"roleRef kind", "RoleBinding", "sympozium-skill-p-r1", func(o Object) { o.(*rbacv1.RoleBinding).RoleRef.Kind = "Group" }, "roleRef.kind", "Unsupported value"},
		{"subject namespace", "ClusterRoleBinding", "sympozium-skill-p-r1", func(o Object) { o.(*rbacv1.ClusterRoleBinding).Subjects[0].Namespace = "" }, "subjects[0].namespace", "Required"},
		{"ConfigMap key", "ConfigMap", "skillpack-p", func(o Object) { o.(*corev1.ConfigMap).Data["../x"] = "y" }, "data[../x]", "must not start with '..'"},
		{"ConfigMap key twice", "ConfigMap", "skillpack-p", func(o Object) { o.(*corev1.ConfigMap).BinaryData = map[string][]byte{"s.md": {0}} }, "binaryData[s.md]", "duplicate of key present in data"},
		{"ConfigMap over 1 MiB", "ConfigMap", "skillpack-p", func(o Object) { o.(*corev1.ConfigMap).Data["big"] = strings.Repeat("x", 1<<20) }, "data", "may not be more than 1048576 bytes"},
		{"schedule", "CronJob", "nightly", func(o Object) { o.(*batchv1.CronJob).Spec.Schedule = "0 0 * 13 *" }, "spec.schedule", "above maximum (12)"},
		{"schedule with a time zone", "CronJob", "nightly", func(o Object) { o.(*batchv1.CronJob).Spec.Schedule = "CRON_TZ=UTC 0 0 * * *" }, "spec.schedule", "time zone"},
		{"CronJob name over 52", "CronJob", "nightly", func(o Object) { o.SetName(strings.Repeat("a", 53)) }, "metadata.name", "no more than 52 characters"},
		{"CronJob pod", "CronJob", "nightly", func(o Object) {
			o.(*batchv1.CronJob).Spec.JobTemplate.Spec.Template.Spec.Containers[0].Env[0].Name = "A=B"
		}, "spec.jobTemplate.spec.template.spec.containers[0].env[0].name", "valid environment variable name"},
		{"concurrencyPolicy", "CronJob", "nightly", func(o Object) { o.(*batchv1.CronJob).Spec.ConcurrencyPolicy = "Sometimes" }, "spec.concurrencyPolicy", "Unsupported value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var o Object
			for _, x := range res.Objects {
				if kindOf(x) == tt.kind && x.GetName() == tt.object {
					o = x.DeepCopyObject().(Object)
				}
			}
			if o == nil {
				t.Fatalf("no %s %s", tt.kind, tt.object)
			}
			if errs := validateObject(o); len(errs) > 0 {
				t.Fatalf("valid before the change: %v", errs)
			}
			tt.mut(o)
			errs := validateObject(o)
			sameWithMemo(t, o, errs)
			if !slices.ContainsFunc([]*field.Error(errs), func(e *field.Error) bool {
				return strings.HasPrefix(e.Error(), tt.field+": ") && strings.Contains(e.Error(), tt.want)
			}) {
				t.Errorf("want %s: ...%s..., got %v", tt.field, tt.want, errs)
			}
		})
	}
}

// TestCheckEmittedReportsAtRecords: valid objects pass with the records their builders kept, and
// an error on an object is reported where its records say the field came from.
func TestCheckEmittedReportsAtRecords(t *testing.T) {
	res, diags := compileYAML(t, Options{}, pack("image: reg/x:1"), testInstance, testRun)
	if diags != nil {
		t.Fatal(diags)
	}
	for _, o := range res.Objects {
		if res.origins[o] == nil {
			t.Errorf("%s: no records", ObjectKey(o))
		}
		if d := checkEmitted(&cursor{}, o, "plain", res.origins[o]); d != nil {
			t.Errorf("%s: %v", o.GetName(), d)
		}
	}
	job := find[*batchv1.Job](t, res, "Job", "r1").DeepCopy()
	job.Spec.Template.Spec.Containers[0].Env[0].Name = "A B"
	src := diag.Source{File: "run.yaml", Line: 7}
	from := (&recorder{}).begin(nil, "")
	from.set("", &src, "metadata.name")
	d := checkEmitted(&cursor{}, job, "plain", from.done())
	if len(d) != 1 || d[0].File != "run.yaml" || d[0].Line != 7 || d[0].Field != "metadata.name" {
		t.Errorf("diags %v", d)
	}
}

func TestCursorPath(t *testing.T) {
	var c cursor
	c.child("spec")
	c.child("containers")
	c.at(2)
	c.child("env")
	c.mapKey("a.b/c")
	if got := c.path().String(); got != "spec.containers[2].env[a.b/c]" {
		t.Errorf("path = %q", got)
	}
	c.pop()
	c.pop()
	if got := c.to("image").String(); got != "spec.containers[2].image" {
		t.Errorf("to = %q", got)
	}
	var root cursor
	if got := root.to("metadata").String(); got != "metadata" {
		t.Errorf("root to = %q", got)
	}
}

// bigTask is an AgentRun whose task is about chunk*1000 bytes.
func bigTask(chunk int) string {
	return `apiVersion: sympozium.ai/v1alpha1
kind: AgentRun
metadata: {name: r1, namespace: team}
spec:
  instanceRef: alice
  task: "` + strings.Repeat("x", chunk*1000) + `"`
}

// TestClientSideApplyLimit: Argo CD applies a Job client-side (skillc's own sync option), and
// kubectl copies the whole object into an annotation, which the API server limits to 256 KiB.
// Other objects are only warned about: the Application may sync them server-side.
func TestClientSideApplyLimit(t *testing.T) {
	_, diags := compileYAML(t, Options{Target: "argocd"}, pack(""), testInstance, bigTask(300))
	wantDiag(t, diags, 19, "spec.task", "bytes of annotations once kubectl's client-side apply adds kubectl.kubernetes.io/last-applied-configuration, over the API server's 262144")
	if _, diags := compileYAML(t, Options{}, pack(""), testInstance, bigTask(300)); diags != nil {
		t.Errorf("plain target: %v", diags) // 300 KB is within what the API server stores
	}

	big := source.Package{Source: "pkgs/big", Dir: "big", Files: map[string][]byte{
		"SKILL.md": []byte(goodSkill), "data.txt": bytes.Repeat([]byte("y"), 300<<10)}}
	inst := strings.ReplaceAll(testInstance, "skillPackRef: p", "skillPackRef: big")
	_, ds := Compile([]source.File{{Name: "pkgs/big", Package: &big}, {Name: "in.yaml", Data: []byte(inst)}}, Options{Target: "argocd"})
	err := ds.Err()
	if err != nil {
		t.Fatal(err)
	}
	warned := slices.ContainsFunc(ds, func(d diag.Diagnostic) bool {
		return d.Severity == diag.SeverityWarning && d.File == "pkgs/big/SKILL.md" && strings.Contains(d.Message, "emitted ConfigMap team/skillpack-big is too large") && strings.Contains(d.Message, "unless the Application syncs with ServerSideApply=true")
	})
	if !warned {
		t.Errorf("no warning for the ConfigMap: %v", ds)
	}
}

// TestJSONRequestLimit: a ConfigMap within 1 MiB of data whose JSON passes the API server's 3 MiB
// request limit (control characters are escaped six-fold) is refused.
func TestJSONRequestLimit(t *testing.T) {
	ctl := source.Package{Source: "pkgs/ctl", Dir: "ctl", Files: map[string][]byte{
		"SKILL.md": []byte(goodSkill), "ctl.txt": bytes.Repeat([]byte{1}, 600<<10)}}
	inst := strings.ReplaceAll(testInstance, "skillPackRef: p", "skillPackRef: ctl")
	_, diags := Compile([]source.File{{Name: "pkgs/ctl", Package: &ctl}, {Name: "in.yaml", Data: []byte(inst)}}, Options{})
	if len(diags) != 1 || diags[0].File != "pkgs/ctl/SKILL.md" || !strings.Contains(diags[0].Message, "as JSON, over the API server's request limit of 3145728; the largest part is data[ctl.txt] (614407 bytes)") {
		t.Errorf("diags = %v", diags)
	}
}

// TestErrorsAtTheirSource: an emitted field's error names the source document and field that
// produced it, whichever document that is.
func TestErrorsAtTheirSource(t *testing.T) {
	inst := testInstance + "\n  imagePullSecrets: [{name: regcred}, {name: Bad_Cred}]"
	run := testRun + "\n  imagePullSecrets: [{name: regcred}, {name: also_bad}]"
	_, diags := compileYAML(t, Options{}, pack("image: reg/x:1\nenv: [{name: TOKEN, valueFrom: {secretKeyRef: {name: Bad_Secret, key: k}}}]"), testInstance, testRun)
	wantDiag(t, diags, 8, "spec.sidecar.env[0]", `spec.template.spec.initContainers[0].env[1].valueFrom.secretKeyRef.name: Invalid value: "Bad_Secret"`)
	_, diags = compileYAML(t, Options{}, pack(""), inst, run)
	wantDiag(t, diags, 13, "spec.imagePullSecrets[1]", `spec.template.spec.imagePullSecrets[1].name: Invalid value: "Bad_Cred"`)
	wantDiag(t, diags, 21, "spec.imagePullSecrets[1]", `spec.template.spec.imagePullSecrets[2].name: Invalid value: "also_bad"`)
}

// memoCursor is shared by the tests so that cached results, valid and not, are reused.
var memoCursor = &cursor{memo: map[memoKey][]string{}}

// sameWithMemo checks that the memo changes no result.
func sameWithMemo(t *testing.T, o Object, want field.ErrorList) {
	t.Helper()
	for range 2 { // the second run answers from the memo
		got := validateObjectAt(o, memoCursor)
		if errStrings(got) != errStrings(want) { // map iteration orders some errors: compare sorted
			t.Errorf("with the memo: %v\nwithout: %v", got, want)
		}
	}
}

func errStrings(errs field.ErrorList) string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Error())
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}
