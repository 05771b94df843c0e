package api

// SympoziumPolicy is upstream's admission policy, bound to Agents by spec.policyRef: skillc
// refuses at the source line what its webhook would refuse.
type SympoziumPolicy struct {
	typeMeta `json:",inline"`
	Spec     Opaque `json:"spec"` // typed by the SympoziumPolicy work (issue 22)
}
