package compile

import (
	"fmt"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
)

// validatePolicies checks each SympoziumPolicy (its name, and what api's Validate refuses) and
// refuses two with one namespace and name: an Agent's policyRef must bind one policy, as the
// webhook's lookup finds one. An Agent whose policyRef names no policy among the inputs is a
// warning: the gate cannot check its runs against it (the SPOL rules), and upstream's admission
// refuses them if the policy does not exist when they are applied.
func validatePolicies(in *api.Inputs) diag.Diagnostics {
	var diags diag.Diagnostics
	seen := map[nsName]*api.SympoziumPolicy{}
	for _, p := range in.Policies {
		diags = append(diags, checkMeta(p.Src, p.Metadata, "SympoziumPolicy")...)
		diags = append(diags, p.Validate()...)
		k := nsName{NamespaceOf(p.Metadata, DefaultNamespace), p.Metadata.Name}
		if prev, dup := seen[k]; dup {
			diags = append(diags, p.Src.Diag("metadata.name", "SympoziumPolicy %s/%s is defined twice (also %s:%d)", k.ns, k.name, prev.Src.File, prev.Src.Line))
			continue
		}
		seen[k] = p
	}
	for _, inst := range in.Instances {
		ref := inst.Spec.PolicyRef
		if ref == "" {
			continue
		}
		// upstream looks the policy up in the run's namespace, which is the Agent's.
		ns := NamespaceOf(inst.Metadata, DefaultNamespace)
		if seen[nsName{ns, ref}] != nil {
			continue
		}
		diags = append(diags, diag.Diagnostic{File: inst.Src.File, Line: inst.Src.LineOf("spec.policyRef"), Field: "spec.policyRef", Severity: diag.SeverityWarning,
			Message: fmt.Sprintf("%s %s/%s binds SympoziumPolicy %q, which is not among the inputs in namespace %s: its runs are not checked against it (add the policy to the inputs); upstream's admission refuses every run of it if the policy does not exist there when they are applied",
				inst.Kind, ns, inst.Metadata.Name, ref, ns)})
	}
	return diags
}
