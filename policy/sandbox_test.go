package policy

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/source"
)

// A pack whose sidecar asks for everything dangerous: privilege, the host's PID namespace, a
// writable container runtime socket, root, and RBAC that reads Secrets.
const dangerousPack = `apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata:
  name: node-shell
  namespace: sympozium-system
spec:
  skills:
    - name: node-shell
      content: Run commands on the node.
  sidecar:
    image: ghcr.io/example/node-shell:latest
    rbac:
      - apiGroups: [""]
        resources: [secrets]
        verbs: [get, list]
    hostAccess:
      enabled: true
      hostPID: true
      privileged: true
      runAsRoot: true
      mounts:
        - hostPath: /var/run/docker.sock
          mountPath: /var/run/docker.sock
          readOnly: false
---
apiVersion: sympozium.ai/v1alpha1
kind: Agent
metadata:
  name: ops
  namespace: ops
spec:
  skills:
    - skillPackRef: node-shell
---
apiVersion: sympozium.ai/v1alpha1
kind: AgentRun
metadata:
  name: ops-run
  namespace: ops
spec:
  agentRef: ops
  task: Check the node.
`

// TestSandboxGatedAsJob: a sandbox-backed run's pod is the Job's pod, so the gate must deny a
// dangerous sidecar in it with the same findings at the same source lines, in every profile.
func TestSandboxGatedAsJob(t *testing.T) {
	sandboxed := dangerousPack + "  agentSandbox:\n    enabled: true\n    runtimeClass: gvisor\n"
	for _, profile := range []string{"baseline", "restricted"} {
		t.Run(profile, func(t *testing.T) {
			job := gateFindings(t, dangerousPack, profile, "Job ops/ops-run spec.template.spec")
			sb := gateFindings(t, sandboxed, profile, "Sandbox ops/sb-ops-run spec.podTemplate.spec")
			if diff := cmp.Diff(job, sb); diff != "" {
				t.Errorf("the Sandbox is gated unlike the Job (-job +sandbox):\n%s", diff)
			}
			var denied []string
			for _, f := range sb {
				if f.Severity == diag.SeverityDeny {
					denied = append(denied, f.Rule)
				}
			}
			for _, rule := range []string{"POD-01", "POD-02", "POD-04", "POD-05", "POD-06", "POD-07", "RBAC-04"} {
				if !slices.Contains(denied, rule) {
					t.Errorf("%s not denied in the Sandbox; denied: %v", rule, denied)
				}
			}
		})
	}
}

// gateFindings compiles one input and gates it, returning the findings with the workload's
// kind, name and pod path written as "<pod>" (a Job's and a Sandbox's differ only there).
func gateFindings(t *testing.T, input, profile, pod string) diag.Diagnostics {
	t.Helper()
	res, ds := compile.Compile([]source.File{{Name: "input.yaml", Data: []byte(input)}}, compile.Options{Profile: profile})
	if err := ds.Err(); err != nil {
		t.Fatal(err)
	}
	rep := gateResult(t, res, nil)
	var out diag.Diagnostics
	seen := false
	for _, f := range rep.Findings {
		if strings.Contains(f.Message, pod) {
			seen = true
		}
		f.Message = strings.ReplaceAll(f.Message, pod, "<pod>")
		out = append(out, f)
	}
	if !seen {
		t.Fatalf("no finding names %s: %v", pod, rep.Findings)
	}
	return out
}

// TestPassThroughSandbox: a Sandbox that passes through skillc build or fn untouched (a
// kustomization's own) is gated like any pod-bearing kind; a claim carries no pod.
func TestPassThroughSandbox(t *testing.T) {
	sandbox := `apiVersion: agents.x-k8s.io/v1alpha1
kind: Sandbox
metadata: {name: shell, namespace: tenant-a}
spec:
  podTemplate:
    spec:
      hostPID: true
      containers: [{name: sh, image: busybox, securityContext: {privileged: true}}]
`
	if !Gated("agents.x-k8s.io/v1alpha1", "Sandbox") || !Gated("agents.x-k8s.io/v1alpha1", "SandboxWarmPool") || Gated("agents.x-k8s.io/v1alpha1", "SandboxClaim") {
		t.Error("agents.x-k8s.io's pod-bearing kinds are the gated ones")
	}
	g, err := NewGate(context.Background(), api.DefaultConfig(), nil, today)
	if err != nil {
		t.Fatal(err)
	}
	per, err := g.CheckPassThrough(context.Background(), &Report{}, nil, []PassThrough{passThroughOf(t, sandbox)})
	if err != nil {
		t.Fatal(err)
	}
	rules := map[string]bool{}
	for _, d := range per[0].Filter(diag.SeverityDeny) {
		rules[d.Rule] = true
	}
	if !rules["POD-01"] || !rules["POD-02"] {
		t.Errorf("the privileged hostPID Sandbox is not denied POD-01 and POD-02: %v", per[0])
	}
}
