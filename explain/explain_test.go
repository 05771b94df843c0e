package explain

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/policy"
	"github.com/skillc-dev/skillc/source"
)

const sources = `apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata: {name: reader, namespace: sympozium-system}
spec:
  skills: [{name: read, description: d, content: "x\n"}]
---
apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata: {name: reader, namespace: team}
spec:
  skills: [{name: read, description: d, content: "x\n"}]
  sidecar:
    image: ghcr.io/x/reader:1.0.0
    rbac:
      - {apiGroups: [""], resources: [pods], verbs: [get]}
      - {apiGroups: [""], resources: [events], verbs: [list]}
    hostAccess:
      enabled: true
      mounts: [{hostPath: /var/log, mountPath: /host/log}]
---
apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata: {name: my-skill, namespace: sympozium-system}
spec:
  skills: [{name: mine, content: "y\n"}]
---
apiVersion: sympozium.ai/v1alpha1
kind: SympoziumInstance
metadata: {name: bot, namespace: team}
spec:
  skills: [{skillPackRef: reader}, {skillPackRef: my-skill}]
---
apiVersion: sympozium.ai/v1alpha1
kind: AgentRun
metadata: {name: run-1, namespace: team}
spec: {instanceRef: bot, task: t}
`

func explainRun(t *testing.T) *Explanation {
	t.Helper()
	files := []source.File{{Name: "in.yaml", Data: []byte(sources)}}
	res, ds := compile.Compile(files, compile.Options{})
	err := ds.Err()
	if err != nil {
		t.Fatal(err)
	}
	in, _ := source.Load(files)
	pod := &res.Pods[0]
	sub := *res
	sub.Objects = PodObjects(res, pod)
	g, err := policy.NewGate(context.Background(), res.Config, nil, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := g.Check(context.Background(), &sub)
	if err != nil {
		t.Fatal(err)
	}
	return Explain(res, in, pod, rep)
}

func TestExplain(t *testing.T) {
	e := explainRun(t)
	var role *Object
	var job *Object
	for i := range e.Objects {
		switch e.Objects[i].Kind {
		case "Role":
			role = &e.Objects[i]
		case "Job":
			job = &e.Objects[i]
		}
	}
	if role == nil || job == nil {
		t.Fatalf("no Role or Job among %+v", e.Objects)
	}
	var sidecar *Container
	for i := range job.Containers {
		if job.Containers[i].Cause.Field == "spec.sidecar" {
			sidecar = &job.Containers[i]
		}
	}
	if sidecar == nil {
		t.Fatal("no container caused by spec.sidecar")
	}
	hostMount := slices.IndexFunc(sidecar.Mounts, func(m Mount) bool { return m.Source == "hostPath /var/log" })
	for _, c := range []struct {
		name      string
		got, want string
	}{
		{"private pack", e.Packs[0].From, "private"},
		{"what it shadows", e.Packs[0].Shadows.String(), "in.yaml:1"},
		{"catalog pack", e.Packs[1].From, "catalog"},
		{"skill mount", e.Packs[0].Skills[0].MountPath, "/skills/read.md"},
		{"second rule's cause", role.Details[1].Cause.Field, "spec.sidecar.rbac[1]"},
		{"host mount's cause", sidecar.Mounts[max(hostMount, 0)].Cause.Field, "spec.sidecar.hostAccess.mounts[0].hostPath"},
		{"why no sidecar", strings.Join(e.Absent, "\n"), "no sidecar for pack my-skill: it declares no spec.sidecar"},
		{"the gate on the pod", rules(e.Findings), "POD-04"},
	} {
		if !strings.Contains(c.got, c.want) {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
	if hostMount < 0 {
		t.Errorf("no hostPath mount in %+v", sidecar.Mounts)
	}
}

func rules(fs []Finding) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	return strings.Join(out, " ")
}

// TestExplainServerRun: a server-mode run's pod is its Deployment's, whose container runs as the
// image's user (no runAsUser anywhere), never as a UID 0 the model would invent.
func TestExplainServerRun(t *testing.T) {
	const srcs = `apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata: {name: srv, namespace: sympozium-system}
spec:
  skills: [{name: srv, content: "x\n"}]
  sidecar: {image: "reg/srv:1", requiresServer: true, ports: [{name: http, containerPort: 8080}]}
---
apiVersion: sympozium.ai/v1alpha1
kind: Agent
metadata: {name: bot, namespace: team}
spec: {skills: [{skillPackRef: srv}]}
---
apiVersion: sympozium.ai/v1alpha1
kind: AgentRun
metadata: {name: serve, namespace: team}
spec: {agentRef: bot, mode: server, task: t}
`
	files := []source.File{{Name: "in.yaml", Data: []byte(srcs)}}
	res, ds := compile.Compile(files, compile.Options{})
	if err := ds.Err(); err != nil {
		t.Fatal(err)
	}
	in, _ := source.Load(files)
	e := Explain(res, in, &res.Pods[0], &policy.Report{})
	i := slices.IndexFunc(e.Objects, func(o Object) bool { return o.Kind == "Deployment" })
	if i < 0 || len(e.Objects[i].Containers) != 1 {
		t.Fatalf("objects %+v: want the Deployment with its one container", e.Objects)
	}
	c := e.Objects[i].Containers[0]
	if c.Name != "web-proxy" || !c.ImageUser || c.Cause.Field != "spec.sidecar" {
		t.Errorf("container %+v", c)
	}
	var b strings.Builder
	if err := Text(&b, e); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); !strings.Contains(got, "runs as the image's user") || strings.Contains(got, "UID 0") {
		t.Errorf("text:\n%s", got)
	}
}
