package api

// Inputs are the decoded source documents, in the order they were read.
type Inputs struct {
	Packs     []*SkillPack
	Instances []*Instance
	Runs      []*AgentRun
	Schedules []*Schedule
	Configs   []*CompilerConfig
	Ensembles []*Ensemble
	Policies  []*SympoziumPolicy
	// Namespaces among the inputs: their Pod Security labels say which runs there would start.
	Namespaces []*Namespace
}

// Namespace is a v1 Namespace among the inputs; skillc reads its labels.
type Namespace struct {
	typeMeta `json:",inline"`
	Spec     Opaque `json:"spec"`
}

// LabelPodSecurityEnforce is the namespace label Pod Security Admission enforces.
const LabelPodSecurityEnforce = "pod-security.kubernetes.io/enforce"
