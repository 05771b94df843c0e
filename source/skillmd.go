package source

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
)

// SKILL.md packages (seed 003; the Agent Skills and Wegent formats): a SKILL.md with YAML front
// matter and a Markdown body, plus optional files. One package becomes one SkillPack with one skill.

// FrontMatter holds the keys of both formats. Descriptive keys are kept as annotations on the
// SkillPack; mcpServers is accepted but never compiled (it may hold credentials).
type FrontMatter struct {
	// Agent Skills
	Name          string                `json:"name"`
	Description   string                `json:"description"`
	License       string                `json:"license"`
	Compatibility string                `json:"compatibility"`
	Metadata      map[string]api.Scalar `json:"metadata"`
	AllowedTools  api.Scalar            `json:"allowed-tools"`
	// Wegent
	DisplayName string     `json:"displayName"`
	Version     string     `json:"version"`
	Author      string     `json:"author"`
	Tags        []string   `json:"tags"`
	BindShells  []string   `json:"bindShells"`
	Provider    api.Opaque `json:"provider"`
	Tools       api.Opaque `json:"tools"`
	MCPServers  api.Opaque `json:"mcpServers"`
}

// Annotation keys of a SkillPack imported from a SKILL.md package.
const (
	annotationPrefix      = "skillc.dev/"
	AnnotationFrontMatter = annotationPrefix + "front-matter" // the original front matter, for export
	AnnotationPackage     = annotationPrefix + "package"      // where the package was read from
)

const maxDescription = 1024

// Package is a SKILL.md package read from a folder or a zip.
type Package struct {
	Source string            // folder or zip path, for messages
	Dir    string            // the folder or zip base name the package name derives from
	Files  map[string][]byte // relative path → content; includes SKILL.md
}

var fmCloseRE = regexp.MustCompile(`(?m)^---[ \t]*\r?$`)

// splitFrontMatter splits SKILL.md into front matter and body. The front matter must open on the
// first line; the body is kept byte for byte (a "---" line inside it is content).
func splitFrontMatter(data []byte) (fm []byte, fmLine int, body []byte, err error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	first, rest, ok := bytes.Cut(data, []byte("\n"))
	if strings.TrimRight(string(first), " \t\r") != "---" || !ok {
		return nil, 0, nil, fmt.Errorf("SKILL.md must open with a --- front matter line on line 1")
	}
	loc := fmCloseRE.FindIndex(rest)
	if loc == nil {
		return nil, 0, nil, fmt.Errorf("front matter opened on line 1 is never closed with ---")
	}
	fm = rest[:loc[0]]
	body = rest[loc[1]:]
	body = bytes.TrimPrefix(body, []byte("\n"))
	return fm, 2, body, nil
}

var packNameRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// PackFromPackage turns a SKILL.md package into a SkillPack in namespace ns.
func PackFromPackage(pkg Package, ns string) (*api.SkillPack, diag.Diagnostics) {
	skillFile := pkg.Source + "/SKILL.md"
	diagAt := func(line int, field, format string, args ...any) diag.Diagnostic {
		return diag.Diagnostic{File: skillFile, Line: line, Field: field, Severity: diag.SeverityError, Message: fmt.Sprintf(format, args...)}
	}
	raw, ok := pkg.Files["SKILL.md"]
	if !ok {
		return nil, diag.Diagnostics{{File: pkg.Source, Severity: diag.SeverityError, Message: "no SKILL.md in the package"}}
	}
	if !utf8.Valid(raw) {
		return nil, diag.Diagnostics{diagAt(InvalidUTF8Line(raw), "", "SKILL.md is not valid UTF-8")}
	}
	fmBytes, _, body, err := splitFrontMatter(raw)
	if err != nil {
		return nil, diag.Diagnostics{diagAt(1, "", "%v", err)}
	}
	// The front matter is read by the Reader, as every other YAML input: the same limits, tags,
	// anchors and messages. Its lines are those of the front matter, which starts on line 2.
	shift := func(ds diag.Diagnostics, prefix string) diag.Diagnostics {
		for i := range ds {
			ds[i].File, ds[i].Line, ds[i].Message = skillFile, ds[i].Line+1, prefix+ds[i].Message
		}
		return ds
	}
	r := NewReader()
	var root *yaml.Node
	if diags := r.Documents(File{Name: skillFile, Data: fmBytes}, func(n *yaml.Node) bool {
		root = n
		return false // the first document, as before: a front matter is one
	}); diags != nil {
		return nil, shift(diags, "front matter: ")
	}
	var fm FrontMatter
	var pos positions
	if root != nil {
		src, diags := r.Decode(skillFile, root, &fm)
		if diags != nil {
			return nil, shift(diags, "")
		}
		pos = src.Positions()
	}
	lineOf := func(field string) int {
		if l, ok := pos[field]; ok {
			return l + 1 // the front matter starts on line 2
		}
		return 1
	}
	var diags diag.Diagnostics
	name := fm.Name
	derived := strings.ToLower(pkg.Dir)
	switch {
	case name == "":
		name = derived
		if !packNameRE.MatchString(name) || len(name) > api.MaxSkillName {
			diags = append(diags, diagAt(1, "name", "no name in the front matter, and the folder name %q is not a valid skill name (1-%d lowercase letters, digits and single hyphens)", pkg.Dir, api.MaxSkillName))
		}
	case !packNameRE.MatchString(name) || len(name) > api.MaxSkillName:
		diags = append(diags, diagAt(lineOf("name"), "name", "invalid name %q: use 1-%d lowercase letters, digits and single hyphens", name, api.MaxSkillName))
	case name != pkg.Dir:
		diags = append(diags, diagAt(lineOf("name"), "name", "name %q does not match its folder %q", name, pkg.Dir))
	}
	switch desc := strings.TrimSpace(fm.Description); {
	case desc == "":
		diags = append(diags, diagAt(lineOf("description"), "description", "required: the agent decides from the description whether to load the skill"))
	case utf8.RuneCountInString(fm.Description) > maxDescription:
		diags = append(diags, diagAt(lineOf("description"), "description", "is %d characters, over the %d allowed", utf8.RuneCountInString(fm.Description), maxDescription))
	}
	if strings.TrimSpace(string(body)) == "" {
		diags = append(diags, diagAt(1, "", "SKILL.md has no body: the skill would be empty"))
	}
	if diags != nil {
		return nil, diags
	}
	if _, ok := pos["mcpServers"]; ok {
		diags = append(diags, diag.Diagnostic{File: skillFile, Line: lineOf("mcpServers"), Field: "mcpServers", Severity: diag.SeverityWarning,
			Message: "mcpServers is not compiled (it may hold credentials); configure MCP servers on the platform instead"})
	}
	p := &api.SkillPack{}
	p.APIVersion, p.Kind = api.GroupSympozium+"/v1alpha1", "SkillPack"
	p.Metadata.Name, p.Metadata.Namespace = name, ns
	p.Metadata.Annotations = map[string]string{
		AnnotationPackage:     pkg.Source,
		AnnotationFrontMatter: string(fmBytes),
	}
	p.Spec = api.SkillPackSpec{Category: "imported", Version: fm.Version, Source: "imported",
		Skills: []api.Skill{{Name: name, Description: strings.TrimSpace(fm.Description), Content: string(body)}}}
	p.Files = map[string][]byte{}
	for path, data := range pkg.Files {
		// Readers skip these already; checked again here so that every way a package arrives
		// (folder, zip, a caller's Package) follows the same rule.
		if path != "SKILL.md" && !skippedInPackage(path) {
			p.Files[path] = data
		}
	}
	p.Src = diag.NewSource(skillFile, 1, nil)
	return p, diags
}
