package compile

import (
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
)

func TestResolve(t *testing.T) {
	private := strings.Replace(pack(""), "namespace: sympozium-system", "namespace: team", 1)
	tests := []struct {
		name     string
		docs     []string
		wantErr  string
		wantWarn string
		wantCM   string // a ConfigMap the skills volume must project
	}{
		{"public pack", []string{pack(""), testInstance, testRun}, "", "", "skillpack-p"},
		{"skillpack- prefix stripped", []string{pack(""), strings.Replace(testInstance, "skillPackRef: p", "skillPackRef: skillpack-p", 1), testRun}, "", "", "skillpack-p"},
		{"private shadows public with a warning", []string{pack(""), private, testInstance, testRun}, "", "private SkillPack team/p", "skillpack-p"},
		{"private only, no warning", []string{private, testInstance, testRun}, "", "", "skillpack-p"},
		{"pack in another tenant's namespace is not visible", []string{strings.Replace(private, "namespace: team", "namespace: other", 1), testInstance, testRun},
			`SympoziumInstance team/alice: skillPackRef "p" resolves to no SkillPack`, "", ""},
		{"missing instance", []string{pack(""), testRun}, `AgentRun team/r1: instance "alice" not found in namespace "team"`, "", ""},
		{"instance in another namespace does not count", []string{pack(""), strings.Replace(testInstance, "namespace: team", "namespace: x", 1), testRun},
			`instance "alice" not found in namespace "team"`, "", ""},
		{"pack toggled twice", []string{pack(""), strings.Replace(testInstance, "[{skillPackRef: p}]", "[{skillPackRef: p}, {skillPackRef: skillpack-p}]", 1)},
			`SkillPack "p" is toggled twice`, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, diags := compileYAML(t, Options{}, tt.docs...)
			if tt.wantErr != "" {
				if diags == nil || !strings.Contains(diags.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", diags, tt.wantErr)
				}
				if diags.ExitCode() != 2 {
					t.Errorf("exit code %d, want 2", diags.ExitCode())
				}
				return
			}
			if diags != nil {
				t.Fatal(diags)
			}
			warns := compileWarnings(t, Options{}, tt.docs...).Error()
			if (tt.wantWarn == "") != (warns == "") || !strings.Contains(warns, tt.wantWarn) {
				t.Errorf("warnings = %q, want %q", warns, tt.wantWarn)
			}
			job := find[*batchv1.Job](t, res, "Job", "r1")
			var projected []string
			for _, v := range job.Spec.Template.Spec.Volumes {
				if v.Name == "skills" {
					for _, s := range v.Projected.Sources {
						projected = append(projected, s.ConfigMap.Name)
					}
				}
			}
			if len(projected) != 1 || projected[0] != tt.wantCM {
				t.Errorf("projected = %v, want [%s]", projected, tt.wantCM)
			}
		})
	}
}

// TestRunSkillsOverrideInstance: a run's own skills replace the instance's, with the run's params.
func TestRunSkillsOverrideInstance(t *testing.T) {
	other := strings.NewReplacer("name: p,", "name: q,", "name: s,", "name: s2,").Replace(pack("image: r/q:1"))
	run := testRun + "\n  skills: [{skillPackRef: q, params: {mode: fast}}]"
	res, diags := compileYAML(t, Options{}, pack("image: r/p:1"), other, testInstance, run)
	if diags != nil {
		t.Fatal(diags)
	}
	spec := find[*batchv1.Job](t, res, "Job", "r1").Spec.Template.Spec
	if got := containerNames(spec.InitContainers); len(got) != 1 || got[0] != "skill-q" {
		t.Fatalf("sidecars = %v, want [skill-q]", got)
	}
	env := spec.InitContainers[0].Env // ..., the params' variables, then HOME (read-only root)
	if last := env[len(env)-2]; last.Name != "SKILL_MODE" || last.Value != "fast" {
		t.Errorf("env = %v", env)
	}
}
