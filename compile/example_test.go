package compile_test

import (
	"fmt"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/internal/emit"
	"github.com/skillc-dev/skillc/source"
)

func ExampleCompile() {
	src := `apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata: {name: hello, namespace: sympozium-system}
spec:
  skills: [{name: greet, content: "Say hello.\n"}]
  sidecar:
    image: ghcr.io/example/hello:1.0.0
    rbac: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: sympozium.ai/v1alpha1
kind: SympoziumInstance
metadata: {name: alice, namespace: team}
spec:
  skills: [{skillPackRef: hello}]
---
apiVersion: sympozium.ai/v1alpha1
kind: AgentRun
metadata: {name: run-1, namespace: team}
spec: {instanceRef: alice, task: Greet the team.}
`
	res, ds := compile.Compile([]source.File{{Name: "in.yaml", Data: []byte(src)}}, compile.Options{})
	err := ds.Err()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, o := range res.Objects {
		fmt.Println(emit.ObjectPath(o))
	}
	// Output:
	// team/serviceaccount-sympozium-agent.yaml
	// team/configmap-skillpack-hello.yaml
	// team/role-sympozium-skill-hello-run-1.yaml
	// team/rolebinding-sympozium-skill-hello-run-1.yaml
	// team/job-run-1.yaml
}
