package api_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/source"
)

// decodePolicy decodes one SympoziumPolicy with spec (YAML, indented under spec:).
func decodePolicy(t *testing.T, spec string) *api.SympoziumPolicy {
	t.Helper()
	doc := "apiVersion: sympozium.ai/v1alpha1\nkind: SympoziumPolicy\nmetadata: {name: p}\nspec:\n  " + strings.ReplaceAll(spec, "\n", "\n  ") + "\n"
	in, ds := source.Load([]source.File{{Name: "p.yaml", Data: []byte(doc)}})
	if err := ds.Err(); err != nil {
		t.Fatal(err)
	}
	if len(in.Policies) != 1 {
		t.Fatalf("decoded %d policies", len(in.Policies))
	}
	return in.Policies[0]
}

func TestSympoziumPolicyValidate(t *testing.T) {
	tests := []struct {
		name string
		spec string
		want []string // "severity field: part of the message"
	}{
		{"upstream's restrictive preset", `sandboxPolicy: {required: true, maxCPU: "2", maxMemory: 4Gi, allowHostMounts: false}
toolGating: {defaultAction: deny, rules: [{tool: read_file, action: allow}, {tool: write_file, action: deny}]}
subagentPolicy: {maxDepth: 2, maxConcurrent: 3}
featureGates: {code-execution: true, sub-agents: true}
imagePolicy: {allowedRegistries: [ghcr.io/sympozium-ai/]}
lifecyclePolicy: {deniedResources: [secrets]}`, nil},
		{"required fields of the CRD", `sandboxPolicy: {maxCPU: "1", seccompProfile: {}, agentSandboxPolicy: {}}
toolGating: {rules: [{tool: x}, {action: deny}]}
networkPolicy: {allowedEgress: [{port: 443}]}`, []string{
			"error spec.networkPolicy.allowedEgress[0].host: required by the upstream SympoziumPolicy CRD",
			"error spec.sandboxPolicy.agentSandboxPolicy.required: required by the upstream SympoziumPolicy CRD",
			"error spec.sandboxPolicy.required: required by the upstream SympoziumPolicy CRD",
			"error spec.sandboxPolicy.seccompProfile.type: required by the upstream SympoziumPolicy CRD",
			"error spec.toolGating.rules[0].action: required by the upstream SympoziumPolicy CRD",
			"error spec.toolGating.rules[1].tool: required by the upstream SympoziumPolicy CRD",
			"warning spec.networkPolicy: emits no NetworkPolicy",
			"warning spec.sandboxPolicy.seccompProfile: mutating webhook",
		}},
		{"caps that are no quantity", `sandboxPolicy: {required: false, maxCPU: two, maxMemory: "-1Gi"}`, []string{
			"error spec.sandboxPolicy.maxCPU: refuses every bound run whose sandbox sets resources",
			"error spec.sandboxPolicy.maxMemory: must not be negative",
		}},
		{"what upstream reads nowhere", `sandboxPolicy: {required: false, defaultImage: "ghcr.io/x/sandbox:1", agentSandboxPolicy: {required: false, defaultRuntimeClass: gvisor}}
featureGates: {file-access: false, code-execution: true}
modelPolicy: {allowedNamespaces: [models]}
toolGating: {defaultAction: Deny, rules: [{tool: execute_command, action: ask}, {tool: fetch_url, action: block}]}
imagePolicy: {allowedRegistries: ["ghcr.io/sympozium-ai/", ""]}`, []string{
			"warning spec.featureGates.file-access: changes nothing",
			"warning spec.imagePolicy.allowedRegistries[1]: allows any registry",
			"warning spec.modelPolicy.allowedNamespaces: nothing here is checked",
			"warning spec.sandboxPolicy.agentSandboxPolicy.defaultRuntimeClass: cluster's default runtime",
			"warning spec.sandboxPolicy.defaultImage: controller's default sandbox image",
			"warning spec.toolGating.defaultAction: treats it as allow",
			"warning spec.toolGating.rules[0].action: implements no approval",
			"warning spec.toolGating.rules[1].action: is not denied",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := decodePolicy(t, tt.spec)
			ds := p.Validate()
			var got []string
			for _, d := range ds {
				got = append(got, fmt.Sprintf("%s %s: %s", d.Severity, d.Field, d.Message))
				if d.File != "p.yaml" || d.Line < 4 {
					t.Errorf("%s: located at %s:%d, want a line of the spec in p.yaml", d.Field, d.File, d.Line)
				}
			}
			slices.Sort(got)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d diagnostics, want %d:\n%s", len(got), len(tt.want), strings.Join(got, "\n"))
			}
			for i, w := range tt.want {
				sev, rest, _ := strings.Cut(w, " ")
				field, part, _ := strings.Cut(rest, ": ")
				if !strings.HasPrefix(got[i], sev+" "+field+": ") || !strings.Contains(got[i], part) {
					t.Errorf("diagnostic %d: got %q, want %q", i, got[i], w)
				}
			}
		})
	}
}

// The required bools are told apart from false: false is written, and valid.
func TestSympoziumPolicyRequiredFalse(t *testing.T) {
	p := decodePolicy(t, "sandboxPolicy: {required: false, agentSandboxPolicy: {required: false}}")
	if ds := p.Validate().Filter(diag.SeverityError); len(ds) != 0 {
		t.Errorf("required: false refused: %v", ds)
	}
}

// Allows is upstream's isImageAllowed: a plain prefix; an empty list allows every image.
func TestImagePolicyAllows(t *testing.T) {
	ip := &api.ImagePolicy{AllowedRegistries: []string{"ghcr.io/sympozium-ai/", "docker.io/library"}}
	for image, want := range map[string]bool{
		"ghcr.io/sympozium-ai/sandbox:v1": true,
		"ghcr.io/sympozium-ai":            false, // the prefix has a slash
		"docker.io/library-evil/x:1":      true,  // upstream compares no path boundary
		"quay.io/x/y:1":                   false,
		"busybox":                         false, // not normalised to docker.io/library/busybox
	} {
		if got := ip.Allows(image); got != want {
			t.Errorf("Allows(%q) = %v, want %v", image, got, want)
		}
	}
	if !(&api.ImagePolicy{}).Allows("anything") || !(*api.ImagePolicy)(nil).Allows("anything") {
		t.Error("an empty or absent image policy refuses an image")
	}
}

func TestToolGating(t *testing.T) {
	tg := &api.ToolGating{DefaultAction: "deny", Rules: []api.ToolGatingRule{
		{Tool: "read_file", Action: "allow"}, {Tool: "fetch_url", Action: "deny"}, {Tool: "fetch_url", Action: "allow"}, {Tool: "write_file", Action: "deny"},
	}}
	if got := tg.Denied(); !slices.Equal(got, []string{"fetch_url", "write_file"}) {
		t.Errorf("Denied() = %v", got)
	}
	if !tg.DefaultDeny() || (&api.ToolGating{}).DefaultDeny() {
		t.Error("DefaultDeny: deny is deny, the CRD's default (allow) is not")
	}
	if tg.RuleFor("fetch_url") != "deny" || tg.RuleFor("execute_command") != "" {
		t.Error("RuleFor: the first rule naming the tool, or none")
	}
	var s api.SubagentPolicy
	if s.Concurrent() != api.DefaultMaxConcurrent {
		t.Errorf("absent maxConcurrent is %d, want the CRD's default %d", s.Concurrent(), api.DefaultMaxConcurrent)
	}
	zero := 0
	s.MaxConcurrent = &zero
	if s.Concurrent() != 0 {
		t.Error("a written 0 is 0")
	}
}
