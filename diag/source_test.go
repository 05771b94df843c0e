package diag

import "testing"

func TestGeneratedSource(t *testing.T) {
	written := NewSource("ens.yaml", 1, map[string]int{
		"spec":                             4,
		"spec.agentConfigs[0]":             6,
		"spec.agentConfigs[0].skills":      8,
		"spec.agentConfigs[0].skills[1]":   10,
		"spec.volumes":                     12,
		"spec.volumes[0].hostPath.path":    14,
		"spec.agentConfigs[0].memory":      16,
		"spec.agentConfigs[0].memory.seed": 17,
	})
	gen := NewGeneratedSource(written, 6, map[string]string{
		"spec.skills[0].skillPackRef": "spec.agentConfigs[0].skills[1]",
		"spec.volumes":                "spec.volumes",
		"spec.memory":                 "spec.agentConfigs[0].memory",
	})
	for _, c := range []struct {
		path, field string
		line        int
		written     bool
	}{
		{"spec.skills[0].skillPackRef", "spec.agentConfigs[0].skills[1]", 10, true},
		{"spec.volumes[0].hostPath.path", "spec.volumes[0].hostPath.path", 14, true},
		{"spec.volumes[0].name", "spec.volumes[0].name", 12, false}, // the nearest written ancestor's line
		{"spec.memory.enabled", "spec.agentConfigs[0].memory.enabled", 16, false},
		{"spec.observability", "spec.observability", 6, false}, // made from nothing written: the document's line
	} {
		if f, l, w := gen.FieldOf(c.path), gen.LineOf(c.path), gen.Written(c.path); f != c.field || l != c.line || w != c.written {
			t.Errorf("%s: field %s line %d written %v; want %s %d %v", c.path, f, l, w, c.field, c.line, c.written)
		}
	}
	if d := gen.Diag("spec.skills[0].skillPackRef", "x"); d.File != "ens.yaml" || d.Line != 10 || d.Field != "spec.agentConfigs[0].skills[1]" {
		t.Errorf("Diag = %+v", d)
	}
	// A written document's fields are its own.
	if written.FieldOf("spec.volumes[0]") != "spec.volumes[0]" || !written.Written("spec.volumes") || written.Written("spec.nothing") {
		t.Error("a written Source renames or misses its own fields")
	}
}
