package source

import yaml "go.yaml.in/yaml/v3"

// The syntax tree the Reader hands out. go.yaml.in/yaml/v3 is imported by this package alone: the
// packages that work on documents as written (edit keeps every byte it does not change, permissions
// reads renders, krm reads ResourceLists, schema maps the API types) use its nodes through these
// aliases, as kyaml does, so the choice of parser lives in one place.
type (
	Node  = yaml.Node
	Kind  = yaml.Kind
	Style = yaml.Style
)

// Node kinds and styles.
const (
	DocumentNode = yaml.DocumentNode
	SequenceNode = yaml.SequenceNode
	MappingNode  = yaml.MappingNode
	ScalarNode   = yaml.ScalarNode
	AliasNode    = yaml.AliasNode

	FlowStyle = yaml.FlowStyle
)

// ReadsAsString reports whether s, written as a plain scalar, reads back as the string s (and not
// as a number, a bool, null or an error).
func ReadsAsString(s string) bool {
	var v any
	return yaml.Unmarshal([]byte(s), &v) == nil && v == s
}
