package explain

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Formats are the output formats of Write.
var Formats = []string{"text", "json"}

// Write renders e as text (for people) or json (for tools); an unknown format is an error.
func Write(w io.Writer, format string, e *Explanation) error {
	switch format {
	case "json":
		b, err := json.MarshalIndent(e, "", "  ")
		if err != nil {
			return fmt.Errorf("encoding the explanation: %w", err)
		}
		_, err = w.Write(append(b, '\n'))
		return err
	case "text":
		return Text(w, e)
	}
	return fmt.Errorf("unknown format %q: want one of %v", format, Formats)
}

// Text renders e for people: the subject, its packs, its objects with their causes, the gate's
// findings, the token budget and what is absent, in that order.
func Text(w io.Writer, e *Explanation) error {
	var b strings.Builder
	if e.Asked != "" {
		fmt.Fprintf(&b, "%s is emitted for:\n", e.Asked)
	}
	fmt.Fprintf(&b, "%s %s/%s (%s)\n", e.Kind, e.Namespace, e.Name, e.At)
	fmt.Fprintf(&b, "  instance %s/%s (%s); skills from the %s's spec.skills\n", e.Namespace, e.Instance, e.InstAt, e.SkillsOf)
	b.WriteString("\nPacks\n")
	if len(e.Packs) == 0 {
		b.WriteString("  none\n")
	}
	for _, p := range e.Packs {
		fmt.Fprintf(&b, "  %s: %s pack %s/%s (%s), toggled at %s\n", p.Name, p.From, p.Namespace, p.Name, p.At, p.ToggledAt)
		if p.Shadows != nil {
			fmt.Fprintf(&b, "    shadows the catalog pack of the same name (%s)\n", p.Shadows)
		}
		fmt.Fprintf(&b, "    ConfigMap %s\n", p.ConfigMap)
		for _, s := range p.Skills {
			fmt.Fprintf(&b, "      key %s mounted at %s\n", s.Key, s.MountPath)
		}
		writeNeeds(&b, p.Needs)
	}
	b.WriteString("\nObjects\n")
	for _, o := range e.Objects {
		name := o.Name
		if o.Namespace != "" {
			name = o.Namespace + "/" + o.Name
		}
		fmt.Fprintf(&b, "  %s %s\n    from %s\n", o.Kind, name, o.Cause)
		for _, d := range o.Details {
			if d.Cause.File != "" {
				fmt.Fprintf(&b, "    %s  [%s]\n", d.What, d.Cause)
			} else {
				fmt.Fprintf(&b, "    %s\n", d.What)
			}
		}
		for _, c := range o.Containers {
			token := "no API token"
			if c.Token {
				token = "API token mounted"
			}
			fmt.Fprintf(&b, "    container %s  image %s  [%s]\n", c.Name, c.Image, c.Cause)
			uid := fmt.Sprintf("UID %d", c.UID)
			if c.ImageUser {
				uid = "the image's user"
			} else if c.UIDCause != nil {
				uid += fmt.Sprintf(" (not the pod's %d: %s)", c.PodUID, c.UIDCause)
			}
			fmt.Fprintf(&b, "      runs as %s, ServiceAccount %s, %s\n", uid, c.ServiceAccount, token)
			for _, m := range c.Mounts {
				ro := "read-write"
				if m.ReadOnly {
					ro = "read-only"
				}
				fmt.Fprintf(&b, "      mount %s <- %s (%s, %s)  [%s]\n", m.Path, m.Volume, m.Source, ro, m.Cause)
			}
		}
	}
	b.WriteString("\nGate\n")
	if len(e.Findings) == 0 {
		b.WriteString("  no findings\n")
	}
	for _, f := range e.Findings {
		if f.Exception != "" {
			fmt.Fprintf(&b, "  %s (excepted by %s, owner %s, expires %s)\n", f.Diagnostic.String(), f.Exception, f.Owner, f.Expires)
			continue
		}
		fmt.Fprintf(&b, "  %s\n", f.Diagnostic.String())
	}
	b.WriteString("\nToken budget\n")
	if e.Budget == nil {
		b.WriteString("  none recorded\n")
	} else {
		fmt.Fprintf(&b, "  instance %s/%s: %d skill(s), about %d tokens in full, %d for the index", e.Budget.Namespace, e.Budget.Instance, e.Budget.Skills, e.Budget.Tokens, e.Budget.IndexTokens)
		if e.Budget.Limit > 0 {
			fmt.Fprintf(&b, ", limit %d", e.Budget.Limit)
		}
		b.WriteString("\n")
	}
	b.WriteString("\nAbsent\n")
	if len(e.Absent) == 0 {
		b.WriteString("  nothing to note\n")
	}
	for _, a := range e.Absent {
		fmt.Fprintf(&b, "  %s\n", a)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
