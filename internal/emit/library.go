package emit

import sigsyaml "sigs.k8s.io/yaml"

// The generic encoders below are sigs.k8s.io/yaml's, the library Kubernetes tools write YAML
// with; this package is the only one that imports it (and go.yaml.in/yaml/v2, which the fast
// writer matches), so every byte skillc writes comes from here.

// Marshal writes v as YAML through its JSON encoding (json tags and omitempty apply), keys sorted:
// for what is not an emitted object (an exported SkillPack, a SKILL.md front matter).
func Marshal(v any) ([]byte, error) { return sigsyaml.Marshal(v) }

// FromJSON converts a JSON document to YAML as kustomize build prints its output.
func FromJSON(j []byte) ([]byte, error) { return sigsyaml.JSONToYAML(j) }

// RoundTrip decodes a YAML document into generic values and encodes it again, as a Go program
// that rewrites manifests with sigs.k8s.io/yaml would: the reference skillc-bench times us against.
func RoundTrip(doc []byte) ([]byte, error) {
	var obj map[string]any
	if err := sigsyaml.Unmarshal(doc, &obj); err != nil {
		return nil, err
	}
	return sigsyaml.Marshal(obj)
}
