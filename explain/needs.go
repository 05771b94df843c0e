package explain

import (
	"fmt"
	"strings"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/grantcheck"
)

// Needs is what a pack's skills' commands need next to what it grants (docs/least-privilege.md).
type Needs struct {
	Commands int `json:"commands"`
	Analysed int `json:"analysed"`
	// Judged is false for a pack without a sidecar: its grants (none) are not held against its
	// commands.
	Judged     bool         `json:"judged"`
	Requests   []NeedLine   `json:"requests"`
	Unneeded   []GrantLine  `json:"unneeded"`
	Unanalysed []CommandRef `json:"unanalysed"`
}

// NeedLine is one API request the commands make, whether the grants allow it, and who makes it.
type NeedLine struct {
	Request  string       `json:"request"` // as a grant: "pods/log get", "nodes list (clusterRBAC)"
	Optional bool         `json:"optional,omitempty"`
	Granted  bool         `json:"granted"`
	Commands []CommandRef `json:"commands"`
}

// GrantLine is a part of a grant rule that no command needs.
type GrantLine struct {
	Grants string `json:"grants"`
	At     Loc    `json:"at"`
}

// CommandRef is a command in a skill, with the reason it is not analysed when it is not.
type CommandRef struct {
	Command string `json:"command"`
	At      Loc    `json:"at"`
	Reason  string `json:"reason,omitempty"`
}

// packNeeds judges a toggled pack's grants against its commands.
func packNeeds(t compile.Toggle) *Needs {
	v := grantcheck.Judge(t.Pack)
	n := &Needs{Commands: len(v.Commands), Analysed: len(v.Commands) - len(v.Unanalysed), Judged: v.Judged,
		Requests: []NeedLine{}, Unneeded: []GrantLine{}, Unanalysed: []CommandRef{}}
	ref := func(c grantcheck.SkillCommand) CommandRef {
		return CommandRef{Command: c.Command.Command, At: Loc{File: c.File, Line: c.Line, Field: c.Field()}, Reason: c.Reason}
	}
	for _, r := range v.Needs {
		l := NeedLine{Request: grantcheck.RequestText(r.Request), Optional: r.Optional, Granted: r.Granted}
		for _, c := range r.Commands {
			l.Commands = append(l.Commands, ref(c))
		}
		n.Requests = append(n.Requests, l)
	}
	for _, u := range v.Unused {
		n.Unneeded = append(n.Unneeded, GrantLine{Grants: grantcheck.GrantsText(u.Grants), At: Loc{File: t.Pack.Src.File, Line: t.Pack.Src.LineOf(u.Field), Field: u.Field}})
	}
	for _, c := range v.Unanalysed {
		n.Unanalysed = append(n.Unanalysed, ref(c))
	}
	return n
}

// writeNeeds prints a pack's needs under its entry in the Packs section.
func writeNeeds(b *strings.Builder, n *Needs) {
	if n == nil {
		return
	}
	if n.Commands == 0 {
		b.WriteString("    needs: its skills run no command\n")
	} else {
		fmt.Fprintf(b, "    needs: %d command(s) in its skills, %d analysed\n", n.Commands, n.Analysed)
	}
	if !n.Judged && n.Commands > 0 {
		b.WriteString("      not judged against grants: the pack has no sidecar\n")
	}
	for _, r := range n.Requests {
		status := "granted"
		switch {
		case !n.Judged:
			status = "-"
		case !r.Granted:
			status = "NOT GRANTED"
		}
		opt := ""
		if r.Optional {
			opt = " (optional)"
		}
		var by []string
		for _, c := range r.Commands {
			by = append(by, fmt.Sprintf("%s:%d", c.At.File, c.At.Line))
		}
		fmt.Fprintf(b, "      %-11s %s%s  [%s]\n", status, r.Request, opt, strings.Join(by, ", "))
	}
	for _, u := range n.Unneeded {
		fmt.Fprintf(b, "      unneeded    %s  [%s]\n", u.Grants, u.At)
	}
	for _, c := range n.Unanalysed {
		fmt.Fprintf(b, "      not analysed `%s`: %s  [%s:%d]\n", c.Command, c.Reason, c.At.File, c.At.Line)
	}
}
