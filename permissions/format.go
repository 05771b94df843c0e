package permissions

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Formats are the output formats of Write.
var Formats = []string{"text", "markdown"}

// Write prints changes in a format of Formats.
func Write(w io.Writer, format string, c Changes) error {
	switch format {
	case "text":
		return Text(w, c)
	case "markdown":
		return Markdown(w, c)
	}
	return fmt.Errorf("unknown output format %q (want one of %s)", format, strings.Join(Formats, ", "))
}

// Summary is the one-line count of changes, or "no permission changes".
func Summary(c Changes) string {
	if c.Empty() {
		return "no permission changes"
	}
	return fmt.Sprintf("%d added, %d removed, %d changed in %s", c.Added, c.Removed, c.Changed, plural(len(c.Runs), "run"))
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func runHeading(rc RunChanges) string {
	switch rc.Status {
	case "added":
		return rc.Run.String() + " (new run)"
	case "removed":
		return rc.Run.String() + " (run removed)"
	}
	return rc.Run.String()
}

func packHeading(pack string) string {
	if pack == "" {
		return "pod"
	}
	return "pack " + pack
}

// Text prints every change, grouped by run and pack, then the summary: for terminals and logs.
func Text(w io.Writer, c Changes) error {
	b := bufio.NewWriter(w)
	for _, rc := range c.Runs {
		fmt.Fprintln(b, runHeading(rc))
		for _, pc := range rc.Packs {
			fmt.Fprintf(b, "  %s\n", packHeading(pc.Pack))
			for _, ch := range pc.Changes {
				fmt.Fprintf(b, "    %c %s\n", ch.Op, ch.Line())
			}
		}
		fmt.Fprintln(b)
	}
	fmt.Fprintln(b, Summary(c))
	return b.Flush()
}

// Limits that keep a pull-request comment readable, and under GitHub's 65,536 characters, when a
// change touches thousands of runs.
const (
	collapseAfterLines = 60     // diff lines in all: beyond, each block is folded in <details>
	maxMarkdownBytes   = 60_000 // sections beyond are left out with a count
	runsListedInline   = 3      // runs named in a section heading before "and N more"
)

// Markdown prints changes for a pull-request comment: a heading, the summary, and a ```diff block
// per section so that GitHub colours additions and removals. Runs with identical changes (one pack
// edit reaches every run that uses the pack) share one section, which names them all.
func Markdown(w io.Writer, c Changes) error {
	b := bufio.NewWriter(w)
	fmt.Fprintln(b, "### skillc diff: permission changes")
	fmt.Fprintln(b)
	if c.Empty() {
		fmt.Fprintln(b, "No permission changes.")
		return b.Flush()
	}
	fmt.Fprintf(b, "**%d added, %d removed, %d changed** in %s.\n", c.Added, c.Removed, c.Changed, plural(len(c.Runs), "run"))

	type section struct {
		runs        []RunChanges
		body        string
		lines       int
		add, rm, ch int
	}
	var sections []*section
	byBody := map[string]*section{}
	total := 0
	for _, rc := range c.Runs {
		var body strings.Builder
		lines, add, rm, ch := 0, 0, 0, 0
		for _, pc := range rc.Packs {
			fmt.Fprintf(&body, "@@ %s @@\n", packHeading(pc.Pack))
			for _, x := range pc.Changes {
				sign := byte(x.Op)
				switch x.Op {
				case Added:
					add++
				case Removed:
					rm++
				case Changed:
					ch++
					sign = '!' // GitHub's diff highlighting marks "!" lines as changed
				}
				fmt.Fprintf(&body, "%c %s\n", sign, x.Line())
				lines++
			}
		}
		key := rc.Status + "\x00" + body.String()
		if s, ok := byBody[key]; ok {
			s.runs = append(s.runs, rc)
			continue
		}
		s := &section{runs: []RunChanges{rc}, body: body.String(), lines: lines, add: add, rm: rm, ch: ch}
		byBody[key] = s
		sections = append(sections, s)
		total += lines
	}
	collapse := total > collapseAfterLines
	written := 0
	for i, s := range sections {
		var sb strings.Builder
		sb.WriteString("\n#### ")
		names := make([]string, len(s.runs))
		for j, rc := range s.runs {
			names[j] = "`" + rc.Run.String() + "`"
		}
		status := ""
		switch s.runs[0].Status {
		case "added":
			status = " (new)"
		case "removed":
			status = " (removed)"
		}
		if len(names) <= runsListedInline {
			sb.WriteString(strings.Join(names, ", ") + status + "\n")
		} else {
			fmt.Fprintf(&sb, "%s and %d more runs%s\n\n<details><summary>all %d runs</summary>\n\n%s\n\n</details>\n",
				strings.Join(names[:runsListedInline], ", "), len(names)-runsListedInline, status, len(names), strings.Join(names, ", "))
		}
		sb.WriteString("\n")
		if collapse {
			fmt.Fprintf(&sb, "<details><summary>%d added, %d removed, %d changed</summary>\n\n", s.add, s.rm, s.ch)
		}
		sb.WriteString("```diff\n" + s.body + "```\n")
		if collapse {
			sb.WriteString("\n</details>\n")
		}
		if written+sb.Len() > maxMarkdownBytes && i > 0 {
			left := 0
			for _, r := range sections[i:] {
				left += len(r.runs)
			}
			fmt.Fprintf(b, "\n… %s (%s) not shown: run `skillc diff` locally for the full list.\n", plural(len(sections)-i, "more section"), plural(left, "run"))
			break
		}
		written += sb.Len()
		b.WriteString(sb.String())
	}
	return b.Flush()
}
