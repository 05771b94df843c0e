// Package gen writes synthetic skillc repositories for benchmarks: P packs (3 skills of about
// 1 KiB, a sidecar, Role and ClusterRole rules), I instances toggling 3 packs each with params, and
// R runs over the instances, spread over 20 namespaces. Output depends only on the sizes.
package gen

import (
	"fmt"
	"strings"
)

// Size is the shape of a generated repository.
type Size struct{ Packs, Instances, Runs int }

// Namespaces the instances and runs are spread over.
const Namespaces = 20

// File is one generated manifest.
type File struct {
	Name string
	Data []byte
}

var body = strings.Repeat("Run `kubectl get pods -n <namespace> -o wide` and report a table of Pod, Status, Restarts, Age.\n", 11)

// Repo generates the files of a repository of the given size.
func Repo(s Size) []File {
	var files []File
	for p := range s.Packs {
		files = append(files, File{Name: fmt.Sprintf("packs/pack-%04d.yaml", p), Data: []byte(pack(p))})
	}
	for i := range s.Instances {
		var b strings.Builder
		b.WriteString(instance(i, s.Packs))
		for r := i; r < s.Runs; r += max(s.Instances, 1) {
			b.WriteString("---\n")
			b.WriteString(run(r, i))
		}
		files = append(files, File{Name: fmt.Sprintf("tenants/ns-%02d/instance-%04d.yaml", i%Namespaces, i), Data: []byte(b.String())})
	}
	return files
}

func pack(p int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata:
  name: pack-%04d
  namespace: sympozium-system
spec:
  category: kubernetes
  version: "1.%d.0"
  source: custom
  skills:
`, p, p%10)
	for s := range 3 {
		fmt.Fprintf(&b, "    - name: pack-%04d-skill-%d\n      description: Synthetic skill %d of pack %d\n      content: |\n", p, s, s, p)
		for _, line := range strings.SplitAfter(body, "\n") {
			if line != "" {
				b.WriteString("        " + line)
			}
		}
	}
	fmt.Fprintf(&b, `  sidecar:
    image: ghcr.io/example/skill-%04d:1.%d.0
    command: ["sleep", "infinity"]
    env:
      - name: LOG_LEVEL
        value: info
    resources:
      cpu: 100m
      memory: 128Mi
    rbac:
      - apiGroups: [""]
        resources: ["pods", "pods/log", "services", "events"]
        verbs: ["get", "list", "watch"]
      - apiGroups: ["apps"]
        resources: ["deployments"]
        verbs: ["get", "list"]
    clusterRBAC:
      - apiGroups: [""]
        resources: ["nodes"]
        verbs: ["get", "list", "watch"]
`, p, p%10)
	return b.String()
}

func instance(i, packs int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `apiVersion: sympozium.ai/v1alpha1
kind: SympoziumInstance
metadata:
  name: inst-%04d
  namespace: ns-%02d
spec:
  agents:
    default:
      model: gpt-4o
  skills:
`, i, i%Namespaces)
	for k := range 3 {
		fmt.Fprintf(&b, "    - skillPackRef: pack-%04d\n      params:\n        region: eu-%d\n        tier: t%d\n", (i*3+k)%max(packs, 1), k, i%3)
	}
	return b.String()
}

func run(r, i int) string {
	return fmt.Sprintf(`apiVersion: sympozium.ai/v1alpha1
kind: AgentRun
metadata:
  name: run-%05d
  namespace: ns-%02d
spec:
  instanceRef: inst-%04d
  task: Synthetic task %d.
  timeout: 5m
`, r, i%Namespaces, i, r)
}
