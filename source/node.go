package source

import (
	"regexp"

	yaml "go.yaml.in/yaml/v3"
)

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
// as a number, a bool, null or an error) in YAML 1.2 and in YAML 1.1 alike: kubectl and
// sigs.k8s.io/yaml (go-yaml v2), PyYAML and Ruby read 1.1, where on, off, yes, no, y and n are
// booleans and 0o17, 1_000 and 1:20 numbers.
func ReadsAsString(s string) bool {
	var v any
	return yaml.Unmarshal([]byte(s), &v) == nil && v == s && !yaml11NonString.MatchString(s)
}

// yaml11NonString matches the plain scalars YAML 1.1's types resolve to something else than a
// string (yaml.org/type: bool, null, int, float, timestamp, merge, value), in any letter case:
// quoting a string too many costs nothing, one too few changes its type for some reader.
var yaml11NonString = regexp.MustCompile(`(?i)^(?:` +
	`y|yes|n|no|true|false|on|off|` + // bool
	`~|null|` + // null
	`[-+]?(?:0b[01_]+|0x[0-9a-f_]+|0o?[0-7_]+|[0-9][0-9_]*(?::[0-5]?[0-9])*)|` + // int, base 60 too
	`[-+]?[0-9_]*\.[0-9_.]*(?:e[-+]?[0-9]+)?|` + // float
	`[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|` + // base 60 float
	`[-+]?\.inf|\.nan|` +
	`[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[t \t].*)?|` + // timestamp
	`<<|=` + // merge, value
	`)$`)
