package permissions

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/grantcheck"
)

// PackNeeds is one pack of the new side: what its skills' commands need next to what it grants
// (docs/least-privilege.md), shown below the changes for the packs whose grants changed.
type PackNeeds struct {
	Pack     string // the name the changes show it under
	Identity string // namespace/name
	Verdict  grantcheck.Verdict
}

// NeedsOf judges the packs of the new side whose permissions changed, once per pack identity,
// sorted; a pack with neither commands nor grants is left out.
func NeedsOf(c Changes, packs map[string]*api.SkillPack) []PackNeeds {
	changed := map[string]bool{}
	for _, rc := range c.Runs {
		for _, pc := range rc.Packs {
			if pc.Pack != "" {
				changed[pc.Pack] = true
			}
		}
	}
	var out []PackNeeds
	for id, p := range packs {
		if !changed[p.Metadata.Name] {
			continue
		}
		// A pack with neither commands nor grants has nothing to show.
		if v := grantcheck.Judge(p); len(v.Commands) > 0 || len(v.Unused) > 0 {
			out = append(out, PackNeeds{Pack: p.Metadata.Name, Identity: id, Verdict: v})
		}
	}
	slices.SortFunc(out, func(a, b PackNeeds) int { return strings.Compare(a.Identity, b.Identity) })
	return out
}

// needLines are a pack's needs as lines: each request with its status, the grants nothing needs,
// the commands not analysed.
func needLines(n PackNeeds) []string {
	v := n.Verdict
	var out []string
	if len(v.Commands) == 0 {
		out = append(out, "its skills run no command")
	}
	if !v.Judged && len(v.Commands) > 0 {
		out = append(out, "not judged against grants: the pack has no sidecar")
	}
	for _, r := range v.Needs {
		status := "needed, granted:"
		switch {
		case !v.Judged:
			status = "needed:"
		case !r.Granted:
			status = "needed, NOT granted:"
		}
		c := r.Commands[0]
		// Lines, not files: a pack is one file, and a --git-base side names it by another path.
		by := fmt.Sprintf("`%s` (line %d)", c.Command.Command, c.Line)
		if len(r.Commands) > 1 {
			by += fmt.Sprintf(" and %d more", len(r.Commands)-1)
		}
		opt := ""
		if r.Optional {
			opt = " (optional)"
		}
		out = append(out, fmt.Sprintf("%s %s%s by %s", status, grantcheck.RequestText(r.Request), opt, by))
	}
	for _, u := range v.Unused {
		out = append(out, fmt.Sprintf("granted, not needed: %s (%s)", grantcheck.GrantsText(u.Grants), u.Field))
	}
	for _, c := range v.Unanalysed {
		out = append(out, fmt.Sprintf("not analysed: `%s` (line %d): %s", c.Command.Command, c.Line, c.Reason))
	}
	return out
}

// WriteNeeds prints the packs' needs after the changes, in the changes' format.
func WriteNeeds(w io.Writer, format string, packs []PackNeeds) error {
	if len(packs) == 0 {
		return nil
	}
	b := bufio.NewWriter(w)
	switch format {
	case "markdown":
		fmt.Fprintln(b, "\n#### What the changed packs' skills need")
		for _, p := range packs {
			fmt.Fprintf(b, "\n`%s`\n\n", p.Identity)
			for _, l := range needLines(p) {
				fmt.Fprintf(b, "- %s\n", l)
			}
		}
	case "text":
		fmt.Fprintln(b, "\nWhat the changed packs' skills need (docs/least-privilege.md)")
		for _, p := range packs {
			fmt.Fprintf(b, "  pack %s\n", p.Identity)
			for _, l := range needLines(p) {
				fmt.Fprintf(b, "    %s\n", l)
			}
		}
	default:
		return fmt.Errorf("unknown output format %q (want one of %s)", format, strings.Join(Formats, ", "))
	}
	return b.Flush()
}
