package source

import (
	"bytes"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
)

// SKILL.md packages (seed 003; the Agent Skills and Wegent formats): a SKILL.md with YAML front
// matter and a Markdown body, plus optional files. One package becomes one SkillPack with one skill.

// FrontMatter holds the keys of both formats. Descriptive keys are kept as annotations on the
// SkillPack; mcpServers is accepted but never compiled (it may hold credentials). Keys of neither
// format (Claude Code's argument-hint, model, hooks, ...) are warnings, not errors: the agent
// reads only the body, so they cannot change a run (see unknownKeys).
type FrontMatter struct {
	// Agent Skills (agentskills.io/specification). metadata and allowed-tools are checked for
	// their shape by hand (checkShapes): a wrong shape breaks the spec, not Kubernetes.
	Name          string     `json:"name"`
	Description   string     `json:"description"`
	License       string     `json:"license"`
	Compatibility string     `json:"compatibility"`
	Metadata      api.Opaque `json:"metadata"`
	AllowedTools  api.Opaque `json:"allowed-tools"`
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

// The Agent Skills specification's limits (agentskills.io/specification). Over them a package
// breaks the spec but not Kubernetes: a warning. The Kubernetes limits on a name are errors.
const (
	maxDescription   = 1024
	maxCompatibility = 500
	specRef          = "Agent Skills specification (agentskills.io/specification)"
)

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
	var diags diag.Diagnostics
	if root != nil {
		diags = append(diags, shift(unknownKeys(skillFile, root), "")...)
		src, errs := r.Decode(skillFile, root, &fm)
		if errs != nil {
			return nil, append(diags, shift(errs, "")...)
		}
		pos = src.Positions()
		diags = append(diags, shift(checkShapes(skillFile, root), "")...)
	}
	lineOf := func(field string) int {
		if l, ok := pos[field]; ok {
			return l + 1 // the front matter starts on line 2
		}
		return 1
	}
	warnAt := func(line int, field, format string, args ...any) diag.Diagnostic {
		d := diagAt(line, field, format, args...)
		d.Severity = diag.SeverityWarning
		return d
	}
	name, nameErr := packageName(fm.Name, pkg.Dir)
	switch {
	case nameErr != "" && fm.Name == "":
		diags = append(diags, diagAt(1, "name", "no name in the front matter, and the folder name %q cannot name a SkillPack: %s", pkg.Dir, nameErr))
	case nameErr != "":
		diags = append(diags, diagAt(lineOf("name"), "name", "invalid name %q: %s", fm.Name, nameErr))
	}
	if nameErr == "" && strings.Contains(name, "--") {
		diags = append(diags, warnAt(lineOf("name"), "name", "%q contains consecutive hyphens, which the %s forbids in a name; Kubernetes accepts it, so it is compiled as written", name, specRef))
	}
	// The front matter's name wins over the folder's: it is the skill's declared identity, the
	// one every Agent Skills client keys the skill by (the spec's client guide says to warn on a
	// mismatch and load the skill anyway), and it survives how the package travelled (a zip
	// saved as "pdf-tools (1).zip", a checkout under another folder). Export writes the package
	// back into a folder of that name, which mends the mismatch.
	if fm.Name != "" && nameErr == "" && fm.Name != pkg.Dir {
		diags = append(diags, warnAt(lineOf("name"), "name", "name %q differs from its folder %q, which the %s requires it to match; the name wins: the SkillPack, its ConfigMap and /skills/%s.md take it, and export writes the folder %s/",
			fm.Name, pkg.Dir, specRef, fm.Name, fm.Name))
	}
	switch desc := strings.TrimSpace(fm.Description); {
	case desc == "":
		// Stays an error, as the spec's client guide has it: without a description the agent
		// cannot decide when to load the skill.
		diags = append(diags, diagAt(lineOf("description"), "description", "required: the agent decides from the description whether to load the skill"))
	case utf8.RuneCountInString(fm.Description) > maxDescription:
		diags = append(diags, warnAt(lineOf("description"), "description", "is %d characters, over the %d the %s allows; compiled whole (Kubernetes sets no such limit), but agents that enforce the spec may cut or refuse it",
			utf8.RuneCountInString(fm.Description), maxDescription, specRef))
	}
	if n := utf8.RuneCountInString(fm.Compatibility); n > maxCompatibility {
		diags = append(diags, warnAt(lineOf("compatibility"), "compatibility", "is %d characters, over the %d the %s allows; not compiled, kept for export", n, maxCompatibility, specRef))
	}
	if strings.TrimSpace(string(body)) == "" {
		diags = append(diags, diagAt(1, "", "SKILL.md has no body: the skill would be empty"))
	}
	if diags.HasErrors() {
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

// packageName is the SkillPack name of a package: the front matter's name, else the folder's,
// lower-cased (Wegent packages carry no name). It is an error only where Kubernetes refuses it:
// it names the SkillPack, its ConfigMap skillpack-<name> and the label sympozium.ai/skillpack,
// so it must be a DNS-1123 label (which also keeps it to 63 characters, one under the spec's 64).
func packageName(declared, dir string) (name, problem string) {
	name = declared
	if name == "" {
		name = strings.ToLower(dir)
	}
	if len(validation.IsDNS1123Label(name)) > 0 {
		return name, "it names the SkillPack, its ConfigMap and the label sympozium.ai/skillpack, so Kubernetes requires a DNS-1123 label " +
			"(1-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit)"
	}
	return name, ""
}

// agentSkillsKeys are the front-matter keys the Agent Skills specification defines, in its order,
// for the messages.
var agentSkillsKeys = []string{"name", "description", "license", "compatibility", "metadata", "allowed-tools"}

// claudeCodeKeys are Claude Code's own front-matter keys, named as such in the warning (a
// suggestion of the nearest known key would mislead: hooks is not a typo of tools).
var claudeCodeKeys = map[string]bool{
	"argument-hint": true, "disable-model-invocation": true, "user-invocable": true,
	"model": true, "context": true, "agent": true, "hooks": true,
}

// unknownKeys warns of each front-matter key neither format defines and removes it from root, so
// that the strict decode reads the rest. A key that is not a plain string (a merge key, a number)
// is left for the decoder to refuse. Lines are the front matter's own.
func unknownKeys(file string, root *yaml.Node) diag.Diagnostics {
	if root.Kind != yaml.MappingNode {
		return nil
	}
	known := fieldsOf(reflect.TypeFor[FrontMatter]())
	var diags diag.Diagnostics
	kept := root.Content[:0:0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := root.Content[i]
		if _, ok := known[k.Value]; ok || k.Kind != yaml.ScalarNode || k.ShortTag() != "!!str" || k.Value == "<<" {
			kept = append(kept, k, root.Content[i+1])
			continue
		}
		what := "not a front-matter key of the Agent Skills specification (" + strings.Join(agentSkillsKeys, ", ") + "; agentskills.io/specification) nor of Wegent"
		hint := suggest(k.Value, known)
		if claudeCodeKeys[k.Value] {
			what, hint = "a Claude Code key, not one of the Agent Skills specification's ("+strings.Join(agentSkillsKeys, ", ")+"; agentskills.io/specification)", ""
		}
		diags = append(diags, diag.Diagnostic{File: file, Line: k.Line, Field: k.Value, Severity: diag.SeverityWarning,
			Message: what + ": not compiled (the agent reads only the body), kept for export" + hint})
	}
	root.Content = kept
	return diags
}

// checkShapes warns where metadata or allowed-tools break the shape the spec gives them: metadata
// a map from string keys to string values, allowed-tools a space-delimited string or a list of
// strings. Neither is compiled, so a wrong shape cannot change a run.
func checkShapes(file string, root *yaml.Node) diag.Diagnostics {
	if root.Kind != yaml.MappingNode {
		return nil
	}
	scalar := func(n *yaml.Node) bool {
		for n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		return n.Kind == yaml.ScalarNode
	}
	var diags diag.Diagnostics
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		for v.Kind == yaml.AliasNode && v.Alias != nil {
			v = v.Alias
		}
		if v.ShortTag() == "!!null" {
			continue
		}
		var want string
		switch k.Value {
		case "metadata":
			if v.Kind == yaml.MappingNode && !slices.ContainsFunc(v.Content, func(n *yaml.Node) bool { return !scalar(n) }) {
				continue
			}
			want = "a map from string keys to string values"
		case "allowed-tools":
			if scalar(v) || v.Kind == yaml.SequenceNode && !slices.ContainsFunc(v.Content, func(n *yaml.Node) bool { return !scalar(n) }) {
				continue
			}
			want = "a space-delimited string or a list of strings"
		default:
			continue
		}
		diags = append(diags, diag.Diagnostic{File: file, Line: v.Line, Field: k.Value, Severity: diag.SeverityWarning,
			Message: fmt.Sprintf("the %s makes it %s; not compiled, kept for export", specRef, want)})
	}
	return diags
}
