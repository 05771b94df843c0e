package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// conftestBin is bin/conftest, or a skip (a failure under CI=true).
func conftestBin(t *testing.T) string {
	t.Helper()
	bin, err := filepath.Abs("bin/conftest")
	if err == nil {
		_, err = os.Stat(bin)
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("bin/conftest missing: `make tools` installs it")
		}
		t.Skip("bin/conftest not installed (make tools)")
	}
	return bin
}

// TestParamsUnderConftest: a render skillc passes with an exception (multi-pack: RBAC-04 on one
// named helm secret) also passes under the real conftest with skillc params' data, the finding a
// warning that names its exception; without the data conftest denies it. A rule setting
// (spec.policy.rules) carries over too.
func TestParamsUnderConftest(t *testing.T) {
	conftest := conftestBin(t)
	dir := t.TempDir()
	raiseCfg := filepath.Join(dir, "raise.yaml")
	if err := os.WriteFile(raiseCfg, []byte("apiVersion: skillc.dev/v1alpha1\nkind: CompilerConfig\nmetadata: {name: p}\nspec:\n  policy:\n    rules: {RBAC-13: deny}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, config string
		compileArgs  []string
		withData     func(t *testing.T, code int, out string)
		withoutData  func(t *testing.T, code int, out string)
	}{
		{
			name: "an exception", config: "fixtures/multi-pack/platform.yaml",
			compileArgs: []string{"compile", "fixtures/multi-pack"},
			withData: func(t *testing.T, code int, out string) {
				if code != 0 || !strings.Contains(out, "WARN") || !strings.Contains(out, "RBAC-04") || !strings.Contains(out, "(excepted by exc-helm-release-secret, owner platform-team, expires 2099-12-31)") {
					t.Errorf("with the data: exit %d, want 0 and RBAC-04 as an excepted warning:\n%s", code, out)
				}
			},
			withoutData: func(t *testing.T, code int, out string) {
				if code == 0 || !strings.Contains(out, "FAIL") || !strings.Contains(out, "RBAC-04") {
					t.Errorf("without the data: exit %d, want RBAC-04 denied:\n%s", code, out)
				}
			},
		},
		{
			name: "a rule raised", config: raiseCfg,
			compileArgs: []string{"compile", "fixtures/seed-k8s-ops"},
			withData: func(t *testing.T, code int, out string) {
				if code == 0 || !strings.Contains(out, "FAIL") || !strings.Contains(out, "RBAC-13") {
					t.Errorf("with the data: exit %d, want RBAC-13 denied:\n%s", code, out)
				}
			},
			withoutData: func(t *testing.T, code int, out string) {
				if code != 0 {
					t.Errorf("without the data: exit %d, want 0 (RBAC-13 warns):\n%s", code, out)
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			params, stderr, code := execute(t, "params", "--config", tc.config)
			if code != 0 {
				t.Fatalf("params: exit %d\n%s", code, stderr)
			}
			var doc struct {
				Skillc struct {
					Parameters map[string]any `json:"parameters"`
				} `json:"skillc"`
			}
			if err := json.Unmarshal([]byte(params), &doc); err != nil || doc.Skillc.Parameters["applyExceptions"] != true {
				t.Fatalf("params printed %v:\n%s", err, params)
			}
			render, stderr, code := execute(t, tc.compileArgs...)
			if code != 0 {
				t.Fatalf("compile: exit %d\n%s", code, stderr)
			}
			d := t.TempDir()
			paramsFile, rendered := filepath.Join(d, "params.json"), filepath.Join(d, "rendered.yaml")
			if err := errors.Join(os.WriteFile(paramsFile, []byte(params), 0o644), os.WriteFile(rendered, []byte(render), 0o644)); err != nil {
				t.Fatal(err)
			}
			run := func(args ...string) (int, string) {
				out, err := exec.Command(conftest, append([]string{"test", "--all-namespaces", "--no-color", "-p", "policy"}, args...)...).CombinedOutput()
				var exit *exec.ExitError
				if errors.As(err, &exit) {
					return exit.ExitCode(), string(out)
				}
				if err != nil {
					t.Fatal(err)
				}
				return 0, string(out)
			}
			code, out := run("--data", paramsFile, rendered)
			tc.withData(t, code, out)
			code, out = run(rendered)
			tc.withoutData(t, code, out)
		})
	}
}

// TestParamsRefusals: params validates the config as compile does, and needs one.
func TestParamsRefusals(t *testing.T) {
	if _, stderr, code := execute(t, "params"); code != 2 || !strings.Contains(stderr, "--config FILE") {
		t.Errorf("no --config: exit %d\n%s", code, stderr)
	}
	_, stderr, code := execute(t, "params", "--config", "fixtures/invalid/config-rule-settings/input.yaml")
	if code != 2 || !strings.Contains(stderr, "input.yaml:11: spec.policy.rules.RBAC-06: RBAC-06 cannot be set to warn") {
		t.Errorf("a lowered non-waivable rule: exit %d\n%s", code, stderr)
	}
	if _, stderr, code := execute(t, "params", "--config", "fixtures/multi-pack/platform.yaml", "--profile", "strict"); code != 2 {
		t.Errorf("bad --profile: exit %d\n%s", code, stderr)
	}
}
