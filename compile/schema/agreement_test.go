package schema

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/source"
)

// TestSchemaAgreesWithSkillc is a differential test of the schemas against skillc itself. Every
// value of every source document of a few fixtures is mutated (another type, null, empty, an
// unknown field added, a field removed, a null list item), the fixture compiled with the mutant,
// and the mutant validated against its schema:
//   - what skillc's decoder refuses (source.Load) the schema must refuse: unknown fields and
//     wrong types are never waved through;
//   - what the schema refuses skillc must refuse too (compile.Compile): a schema stricter than
//     skillc would be a false alarm in every editor.
//
// Between the two, the schema may accept what skillc's later checks refuse (a cron expression, an
// image reference, a missing SkillPack).
func TestSchemaAgreesWithSkillc(t *testing.T) {
	schemas := validators(t)
	fixtures := []string{"seed-full", "upstream-fields", "agent-kind", "schedule", "host-network", "secrets", "run-level-skills", "per-run-identity", "params", "seed-host-access", "denied/expired-exception", "denied/hostpath-via-volumes", "skillpack-prefix", "multi-pack"}
	if testing.Short() {
		fixtures = fixtures[:2]
	}
	var mutants, refusedByDecoder, refusedBySchema, refusedBySkillc int
	for _, fx := range fixtures {
		dir := filepath.Join(root, "fixtures", fx)
		files, diags := source.ReadPaths([]string{dir}, nil)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		if _, ds := compile.Compile(files, compile.Options{}); ds.HasErrors() {
			t.Fatalf("%s does not compile unmutated: %v", fx, ds)
		}
		for fi, f := range files {
			if f.Package != nil {
				continue
			}
			roots := documentsAll(t, f.Name, f.Data)
			for _, doc := range documents(t, f.Name, f.Data) {
				// documents parsed the file anew: find the same document among roots by line.
				var target *yaml.Node
				for _, r := range roots {
					if r.Content[0].Line == doc.line {
						target = r.Content[0]
					}
				}
				schema := schemas[doc.key]
				mutate(target, func(what string) {
					mutants++
					data := encode(t, roots)
					mutated := append([]source.File(nil), files...)
					mutated[fi] = source.File{Name: f.Name, Data: data}
					_, loadDiags := source.Load(mutated)
					decoderRefuses := loadDiags.HasErrors()
					_, compileDiags := compile.Compile(mutated, compile.Options{})
					compileErr := compileDiags.Err()
					schemaErr := schema.Validate(instance(t, target))
					if decoderRefuses {
						refusedByDecoder++
					}
					if schemaErr != nil {
						refusedBySchema++
					}
					if compileErr != nil {
						refusedBySkillc++
					}
					switch {
					case decoderRefuses && schemaErr == nil:
						t.Errorf("%s:%d %s: skillc's decoder refuses, the schema accepts: %v", f.Name, doc.line, what, loadDiags)
					case schemaErr != nil && compileErr == nil:
						t.Errorf("%s:%d %s: the schema refuses, skillc compiles it: %v", f.Name, doc.line, what, schemaErr)
					}
				})
			}
		}
	}
	t.Logf("%d mutants: %d refused by the decoder, %d by the schema, %d by skillc", mutants, refusedByDecoder, refusedBySchema, refusedBySkillc)
	if mutants < 100 {
		t.Errorf("only %d mutants", mutants)
	}
}

// documentsAll parses every document of a file, as document nodes.
func documentsAll(t testing.TB, path string, data []byte) []*yaml.Node {
	t.Helper()
	var out []*yaml.Node
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	for {
		n := &yaml.Node{}
		if err := dec.Decode(n); err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("%s: %v", path, err)
			}
			return out
		}
		if len(n.Content) > 0 {
			out = append(out, n)
		}
	}
}

func encode(t testing.TB, docs []*yaml.Node) []byte {
	t.Helper()
	var b strings.Builder
	for i, d := range docs {
		if i > 0 {
			b.WriteString("---\n")
		}
		out, err := yaml.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(out)
	}
	return []byte(b.String())
}

// mutate calls try once per mutation of the tree under doc (a document's root mapping), with the
// mutation applied, and undoes it afterwards. apiVersion and kind are left alone: they choose the
// schema.
func mutate(doc *yaml.Node, try func(what string)) {
	var visit func(n *yaml.Node, path string)
	replacements := []yaml.Node{
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: "x"},
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: ""},
		{Kind: yaml.ScalarNode, Tag: "!!int", Value: "7"},
		{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"},
		{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"},
		{Kind: yaml.MappingNode, Tag: "!!map", Style: yaml.FlowStyle},
		{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle},
	}
	visit = func(n *yaml.Node, path string) {
		if n.Kind == yaml.AliasNode {
			return
		}
		if path != "" {
			for _, r := range replacements {
				old := *n
				*n = r
				try(fmt.Sprintf("%s = %s %q", path, r.Tag, r.Value))
				*n = old
			}
		}
		switch n.Kind {
		case yaml.MappingNode:
			k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "zzUnknown"}
			v := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "x"}
			n.Content = append(n.Content, k, v)
			try(path + ": unknown field added")
			n.Content = n.Content[:len(n.Content)-2]
			for i := 0; i+1 < len(n.Content); i += 2 {
				key := n.Content[i].Value
				if path == "" && (key == "apiVersion" || key == "kind") {
					continue
				}
				content := n.Content
				n.Content = append(append([]*yaml.Node(nil), content[:i]...), content[i+2:]...)
				try(path + "." + key + " removed")
				n.Content = content
				visit(n.Content[i+1], strings.TrimPrefix(path+"."+key, "."))
			}
		case yaml.SequenceNode:
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"})
			try(path + ": null item added")
			n.Content = n.Content[:len(n.Content)-1]
			for i, c := range n.Content {
				visit(c, fmt.Sprintf("%s[%d]", path, i))
			}
		}
	}
	visit(doc, "")
}
