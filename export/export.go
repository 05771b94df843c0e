// Package export writes SkillPacks as SKILL.md packages (folders, and zips as Wegent uploads
// expect): the reverse of source's SKILL.md reader.
package export

import (
	"archive/zip"
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	apivalidation "k8s.io/apimachinery/pkg/api/validation"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/internal/emit"
	"github.com/skillc-dev/skillc/source"
)

// Export turns SkillPacks into SKILL.md packages: one folder <skill>/SKILL.md per skill, with a
// package's extra files beside it, or with zips instead one <skill>.zip per skill laid out as
// Wegent's upload expects (<skill>/SKILL.md inside). The result maps relative paths to contents.
func Export(packs []*api.SkillPack, zips bool) (map[string][]byte, diag.Diagnostics) {
	out := map[string][]byte{}
	var diags diag.Diagnostics
	for _, p := range packs {
		for i, s := range p.Spec.Skills {
			files := map[string][]byte{"SKILL.md": skillMarkdown(p, s)}
			if len(p.Spec.Skills) == 1 {
				for path, data := range p.Files {
					files[path] = data
				}
			}
			_, dupDir := out[s.Name+"/SKILL.md"]
			if _, dupZip := out[s.Name+".zip"]; dupDir || dupZip {
				diags = append(diags, p.Src.Diag(fmt.Sprintf("spec.skills[%d].name", i), "skill %q is exported twice (two packs define it)", s.Name))
				continue
			}
			// A zip or a folder, never both: import refuses two packages of one name, so an export
			// with both could not be imported again.
			if !zips {
				for path, data := range files {
					out[s.Name+"/"+path] = data
				}
				continue
			}
			z, err := zipPackage(s.Name, files)
			if err != nil {
				diags = append(diags, p.Src.Diag("", "zipping %s: %v", s.Name, err))
				continue
			}
			out[s.Name+".zip"] = z
		}
	}
	return out, diags
}

// skillMarkdown writes SKILL.md: the package's original front matter when it came from one (so
// export of an import is faithful), otherwise one made from the pack; always with bindShells, no
// BOM, and the front matter closed by a newline.
func skillMarkdown(p *api.SkillPack, s api.Skill) []byte {
	var b bytes.Buffer
	b.WriteString("---\n")
	if fm, ok := p.Metadata.Annotations[source.AnnotationFrontMatter]; ok && len(p.Spec.Skills) == 1 {
		b.WriteString(fm)
		if !strings.HasSuffix(fm, "\n") {
			b.WriteString("\n")
		}
		if !strings.Contains("\n"+fm, "\nbindShells:") {
			b.WriteString(defaultBindShells)
		}
	} else {
		meta := map[string]any{"name": s.Name, "description": s.Description}
		if p.Spec.Version != "" {
			meta["version"] = p.Spec.Version
		}
		y, _ := emit.Marshal(meta) // strings only: cannot fail
		b.Write(y)
		b.WriteString(defaultBindShells)
	}
	b.WriteString("---\n")
	b.WriteString(s.Content)
	return b.Bytes()
}

// defaultBindShells is explicit because Wegent's upload treats a missing list as "no shell".
const defaultBindShells = "bindShells:\n- Chat\n- ClaudeCode\n"

// zipPackage zips files under <name>/ with fixed timestamps, so the same package zips the same.
func zipPackage(name string, files map[string][]byte) ([]byte, error) {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, path := range slices.Sorted(maps.Keys(files)) {
		h := &zip.FileHeader{Name: name + "/" + path, Method: zip.Deflate, Modified: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)}
		h.SetMode(0o644)
		w, err := zw.CreateHeader(h)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(files[path]); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// ImportManifest renders a SkillPack read from a SKILL.md package as SkillPack YAML. Extra files
// have no field in a SkillPack: they are reported, and stay mounted when the package itself is the
// source.
func ImportManifest(p *api.SkillPack) ([]byte, diag.Diagnostics) {
	var diags diag.Diagnostics
	if len(p.Files) > 0 {
		diags = append(diags, diag.Diagnostic{File: p.Src.File, Line: 1, Severity: diag.SeverityWarning,
			Message: fmt.Sprintf("%d extra file(s) (%s) cannot be written into a SkillPack; compile the package itself to mount them",
				len(p.Files), strings.Join(slices.Sorted(maps.Keys(p.Files)), ", "))})
	}
	// The front matter rides along as an annotation, so export gives it back. The API server
	// refuses an object whose annotations pass 256 KiB: say so here, not at apply.
	if err := apivalidation.ValidateAnnotationsSize(p.Metadata.Annotations); err != nil {
		return nil, append(diags, diag.Diagnostic{File: p.Src.File, Line: 1, Severity: diag.SeverityError,
			Message: fmt.Sprintf("the front matter (%d bytes), kept as the annotation %s so that export gives it back, takes the SkillPack over Kubernetes' %d KiB limit on annotations: shorten it",
				len(p.Metadata.Annotations[source.AnnotationFrontMatter]), source.AnnotationFrontMatter, apivalidation.TotalAnnotationSizeLimitB>>10)})
	}
	doc := map[string]any{
		"apiVersion": api.GroupSympozium + "/v1alpha1",
		"kind":       "SkillPack",
		"metadata":   map[string]any{"name": p.Metadata.Name, "annotations": p.Metadata.Annotations},
		"spec":       p.Spec,
	}
	if p.Metadata.Namespace != "" {
		doc["metadata"].(map[string]any)["namespace"] = p.Metadata.Namespace
	}
	out, err := emit.Marshal(doc)
	if err != nil {
		return nil, diag.Diagnostics{p.Src.Diag("", "encoding: %v", err)}
	}
	return out, diags
}
