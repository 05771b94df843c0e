package main

import (
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestExplainGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"run-default", []string{"explain", "run", "sre/checkout-latency-1", "skills/", "fixtures/default/"}, 0},
		{"run-host-access", []string{"explain", "run", "infra/ops-probe-1", "fixtures/seed-host-access"}, 0},
		{"run-private-shadows", []string{"explain", "run", "payments/frank-run-1", "fixtures/private-over-public"}, 0},
		{"run-own-skills", []string{"explain", "run", "docs/erin-overrides", "fixtures/run-level-skills"}, 0},
		{"run-exception", []string{"explain", "run", "platform/grace-plan", "fixtures/multi-pack"}, 0},
		{"run-per-run-identity", []string{"explain", "run", "team-a/carol-run-1", "fixtures/per-run-identity"}, 0},
		{"schedule", []string{"explain", "schedule", "ops/cert-sweep", "fixtures/schedule"}, 0},
		{"object-role", []string{"explain", "Role/sre/sympozium-skill-cluster-triage-checkout-latency-1", "skills/", "fixtures/default/"}, 0},
		{"object-cluster-role", []string{"explain", "ClusterRole//sympozium-skill-cluster-triage-checkout-latency-1", "skills/", "fixtures/default/"}, 0},
		{"json", []string{"explain", "run", "tenant-alice/alice-run-xyz", "--format", "json", "fixtures/seed-k8s-ops"}, 0},
		{"unknown-run", []string{"explain", "run", "sre/checkout-latency-2", "skills/", "fixtures/default/"}, 2},
		{"unknown-object", []string{"explain", "Role/sre/sympozium-skill-nope", "skills/", "fixtures/default/"}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := execute(t, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr)
			}
			got := "$ skillc " + strings.Join(tc.args, " ") + "\n--- exit " + strconv.Itoa(code) + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr
			checkGolden(t, filepath.Join("golden", "explain", tc.name+".txt"), got)
		})
	}
}

// TestExplainTroubleshootingTable: every row of the seed guide's troubleshooting table has its
// answer in explain's output, from the sources alone.
func TestExplainTroubleshootingTable(t *testing.T) {
	host, _, code := execute(t, "explain", "run", "infra/ops-probe-1", "fixtures/seed-host-access")
	if code != 0 {
		t.Fatal("explain failed")
	}
	sre, _, code := execute(t, "explain", "run", "sre/checkout-latency-1", "skills/", "fixtures/default/")
	if code != 0 {
		t.Fatal("explain failed")
	}
	for _, row := range []struct{ issue, out, want string }{
		// Skill content not appearing: the ConfigMap, its keys and where they are mounted.
		{"skill content not appearing", sre, "ConfigMap skillpack-incident-response\n      key incident-timeline.md mounted at /skills/incident-timeline.md"},
		// Sidecar not injected: a pack without sidecar.image says why; toggled ones say where.
		{"sidecar not injected", sre, "no sidecar for pack incident-response: it declares no spec.sidecar"},
		{"sidecar not injected (toggle)", sre, "toggled at fixtures/default/sre.yaml:16 spec.skills[2]"},
		// Permission denied in sidecar: the Role's rules and the source field of each.
		{"permission denied", sre, `rule: apiGroups [""] resources ["pods" "pods/log"] verbs ["get"]  [skills/cluster-triage.yaml:141 spec.sidecar.rbac[1]]`},
		// ... and what the skills' commands need, next to it.
		{"permission denied (needs)", sre, "granted     pods/log get  [skills/cluster-triage.yaml:31, skills/cluster-triage.yaml:32]"},
		{"permission denied (no RBAC)", host, "no Role or ClusterRole for pack hw-probe"},
		// Sidecar crash: the container's name (for kubectl logs -c) and what it runs.
		{"sidecar crash", sre, "container skill-cluster-triage  image ghcr.io/skillc-dev/skill-cluster-triage:v0.1.0"},
		// Image pull error: the image and where it is set.
		{"image pull error", host, "fixtures/seed-host-access/input.yaml:16: warning: IMG-01: spec.sidecar.image"},
		// UID mismatch: the UID each container runs as, and the field that changed it.
		{"UID mismatch", host, "runs as UID 0 (not the pod's 1000: fixtures/seed-host-access/input.yaml:17 spec.sidecar.hostAccess)"},
		{"UID of the others", host, "container agent  image ghcr.io/sympozium-ai/sympozium/agent-runner:v0.10.46"},
	} {
		if !strings.Contains(row.out, row.want) {
			t.Errorf("%s: the explanation lacks %q", row.issue, row.want)
		}
	}
}

func TestExplainJSONParses(t *testing.T) {
	stdout, _, code := execute(t, "explain", "run", "infra/ops-probe-1", "--format", "json", "fixtures/seed-host-access")
	if code != 0 {
		t.Fatal("explain failed")
	}
	var v struct {
		Objects []struct {
			Kind       string `json:"kind"`
			Containers []struct {
				Name string `json:"name"`
				UID  int64  `json:"uid"`
			} `json:"containers"`
		} `json:"objects"`
	}
	if err := json.Unmarshal([]byte(stdout), &v); err != nil {
		t.Fatal(err)
	}
	uids := map[string]int64{}
	for _, o := range v.Objects {
		for _, c := range o.Containers {
			uids[c.Name] = c.UID
		}
	}
	if uids["skill-hw-probe"] != 0 || uids["agent"] != 1000 {
		t.Fatalf("uids %v", uids)
	}
}
