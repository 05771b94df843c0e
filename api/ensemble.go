package api

// Ensemble is upstream's bundle of agent configs; compile expands it into the Agents and
// schedules its controller creates.
type Ensemble struct {
	typeMeta `json:",inline"`
	Spec     Opaque `json:"spec"` // typed by the Ensemble work (issue 22)
}
