package main

import (
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestRBACGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"issue-example", []string{"rbac", "web-ops", "cmd/skillc/testdata/rbac"}, 0},
		{"issue-example-text", []string{"rbac", "ops/web-ops", "--format", "text", "cmd/skillc/testdata/rbac"}, 0},
		{"cluster-triage", []string{"rbac", "sympozium-system/cluster-triage", "skills/"}, 0},
		{"cluster-triage-text", []string{"rbac", "cluster-triage", "--format", "text", "skills/"}, 0},
		{"unknown-pack", []string{"rbac", "web-opps", "cmd/skillc/testdata/rbac"}, 2},
		{"bad-format", []string{"rbac", "web-ops", "--format", "xml", "cmd/skillc/testdata/rbac"}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := execute(t, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr)
			}
			got := "$ skillc " + strings.Join(tc.args, " ") + "\n--- exit " + strconv.Itoa(code) + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr
			checkGolden(t, filepath.Join("golden", "rbac", tc.name+".txt"), got)
		})
	}
}

// TestRBACJSONShape: the e2e proof reads --format json; its fields and their types are a contract.
func TestRBACJSONShape(t *testing.T) {
	stdout, stderr, code := execute(t, "rbac", "web-ops", "--format", "json", "cmd/skillc/testdata/rbac")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct {
		Pack        string `json:"pack"`
		RBAC        []map[string][]string
		ClusterRBAC []map[string][]string `json:"clusterRBAC"`
		Commands    []struct {
			File     string `json:"file"`
			Line     int    `json:"line"`
			Command  string `json:"command"`
			Analysed bool   `json:"analysed"`
			Reason   string `json:"reason"`
			Requests []struct {
				Verb, Group, Resource, Subresource, Scope string
			} `json:"requests"`
		} `json:"commands"`
	}
	dec := json.NewDecoder(strings.NewReader(stdout))
	if err := dec.Decode(&rep); err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	_ = json.Unmarshal([]byte(stdout), &raw)
	for _, k := range []string{"pack", "rbac", "clusterRBAC", "commands"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("no %q key", k)
		}
	}
	if string(raw["clusterRBAC"]) != "[]" {
		t.Errorf("clusterRBAC is %s, want [] (an empty list, never null)", raw["clusterRBAC"])
	}
	if rep.Pack != "ops/web-ops" || len(rep.Commands) != 5 {
		t.Fatalf("pack %q, %d commands; want ops/web-ops, 5", rep.Pack, len(rep.Commands))
	}
	logs := rep.Commands[2]
	if logs.File != "cmd/skillc/testdata/rbac/web-ops.yaml" || logs.Line != 18 || logs.Command != "kubectl logs deploy/web" || !logs.Analysed {
		t.Errorf("third command: %+v", logs)
	}
	helm := rep.Commands[4]
	if helm.Analysed || helm.Reason == "" || helm.Line != 21 || helm.Requests == nil {
		t.Errorf("helm: %+v; want not analysed, with a reason, line 21, requests []", helm)
	}
	var podsLog, patch bool
	for _, r := range rep.RBAC {
		for _, res := range r["resources"] {
			switch {
			case res == "pods/log" && strings.Contains(strings.Join(r["verbs"], ","), "get"):
				podsLog = true
			case res == "deployments" && strings.Contains(strings.Join(r["verbs"], ","), "patch"):
				patch = true
			case res == "configmaps":
				t.Errorf("configmaps suggested: %v", r)
			}
		}
		for _, v := range r["verbs"] {
			if v == "delete" {
				t.Errorf("delete suggested: %v", r)
			}
		}
	}
	if !podsLog || !patch {
		t.Errorf("rbac %v lacks pods/log get or deployments patch", rep.RBAC)
	}
}
