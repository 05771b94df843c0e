package permissions

import (
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/skillc-dev/skillc/source"
)

// FuzzReadRenderedMatchesSigsYAML is the differential fuzz of the Reader's decoder against the
// library it replaced for renders: whenever both accept a document of a permission kind, they
// give the same typed object. (They may disagree on what to accept: the Reader is YAML 1.2 and
// matches field names exactly; sigs.k8s.io/yaml is YAML 1.1 and matches them case-insensitively.)
// Documents with words YAML 1.1 reads as booleans (namespace: n is "false" to sigs.k8s.io/yaml)
// are not compared: there the Reader is right and the library is not.
func FuzzReadRenderedMatchesSigsYAML(f *testing.F) {
	f.Add("Job", "metadata: {name: j, labels: {a: b}}\nspec:\n  backoffLimit: 0\n  template:\n    spec:\n      hostPID: true\n      containers: [{name: c, image: i, resources: {limits: {cpu: 100m, memory: 1Gi}}, ports: [{containerPort: 80}]}]\n")
	f.Add("Role", "metadata: {name: r, namespace: n}\nrules: [{apiGroups: [\"\"], resources: [pods], verbs: [get, list]}]\n")
	f.Add("ClusterRoleBinding", "metadata: {name: b}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}\nsubjects: [{kind: ServiceAccount, name: s, namespace: n}]\n")
	f.Add("CronJob", "metadata: {name: c, creationTimestamp: null}\nspec: {schedule: '* * * * *', jobTemplate: {spec: {activeDeadlineSeconds: 0x10}}}\n")
	f.Fuzz(func(t *testing.T, kind, body string) {
		k, ok := rendered[kind]
		if !ok {
			return
		}
		if yaml11Bool.MatchString(body) {
			return
		}
		doc := "apiVersion: " + k.apiVersion + "\nkind: " + kind + "\n" + body
		objs, sources, diags := ReadRendered([]source.File{{Name: "f.yaml", Data: []byte(doc)}})
		if sources || diags.HasErrors() || len(objs) != 1 {
			return
		}
		want := k.new()
		if err := sigsyaml.UnmarshalStrict([]byte(doc), want); err != nil {
			return
		}
		if diff := cmp.Diff(want, objs[0]); diff != "" {
			t.Errorf("Reader vs sigs.k8s.io/yaml (-want +got):\n%s", diff)
		}
	})
}

var yaml11Bool = regexp.MustCompile(`(?i)(^|[^A-Za-z0-9_.-])(y|n|yes|no|on|off)($|[^A-Za-z0-9_.-])`)
