package permissions

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var (
	r1 = Run{Kind: "Job", Namespace: "t1", Name: "r1"}
	r2 = Run{Kind: "CronJob", Namespace: "t1", Name: "r2"}
)

func TestDiff(t *testing.T) {
	base := func() Set {
		return Set{
			{r1, ""}:    {"serviceAccount sa": ""},
			{r1, "ops"}: {"image skill-ops": "ops:1", `Role t1 core/pods get`: ""},
		}
	}
	tests := []struct {
		name string
		edit func(Set)
		want string // Text output
	}{
		{"equal sets", func(Set) {}, "no permission changes\n"},
		{
			"a verb added and one removed, sorted by line",
			func(s Set) {
				delete(s[Group{r1, "ops"}], `Role t1 core/pods get`)
				s.add(Group{r1, "ops"}, `Role t1 core/pods delete`, "")
				s.add(Group{r1, "ops"}, `Role t1 core/pods watch`, "")
			},
			"Job t1/r1\n  pack ops\n" +
				"    + Role t1 core/pods delete\n" +
				"    - Role t1 core/pods get\n" +
				"    + Role t1 core/pods watch\n" +
				"\n2 added, 1 removed, 0 changed in 1 run\n",
		},
		{
			"an image bump is one changed line",
			func(s Set) { s.add(Group{r1, "ops"}, "image skill-ops", "ops:2") },
			"Job t1/r1\n  pack ops\n    ~ image skill-ops ops:1 → ops:2\n\n0 added, 0 removed, 1 changed in 1 run\n",
		},
		{
			"a pack removed from a run: all its lines go, the pod's stay",
			func(s Set) { delete(s, Group{r1, "ops"}) },
			"Job t1/r1\n  pack ops\n    - Role t1 core/pods get\n    - image skill-ops ops:1\n\n0 added, 2 removed, 0 changed in 1 run\n",
		},
		{
			"a new run is marked new, a gone one removed, the pod before its packs",
			func(s Set) {
				delete(s, Group{r1, ""})
				delete(s, Group{r1, "ops"})
				s.add(Group{r2, "ops"}, "image skill-ops", "ops:1")
				s.add(Group{r2, ""}, "host hostPID", "")
			},
			"Job t1/r1 (run removed)\n  pod\n    - serviceAccount sa\n  pack ops\n    - Role t1 core/pods get\n    - image skill-ops ops:1\n\n" +
				"CronJob t1/r2 (new run)\n  pod\n    + host hostPID\n  pack ops\n    + image skill-ops ops:1\n\n" +
				"2 added, 3 removed, 0 changed in 2 runs\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next := base()
			tt.edit(next)
			var b bytes.Buffer
			if err := Text(&b, Diff(base(), next)); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, b.String()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// Runs are ordered by namespace then name, whatever the order of the map.
func TestDiffRunOrder(t *testing.T) {
	s := Set{}
	for _, n := range []string{"c", "a", "b"} {
		s.add(Group{Run{Kind: "Job", Namespace: "z", Name: n}, ""}, "host hostPID", "")
		s.add(Group{Run{Kind: "Job", Namespace: "y", Name: n}, ""}, "host hostPID", "")
	}
	var got []string
	for _, rc := range Diff(Set{}, s).Runs {
		got = append(got, rc.Run.Namespace+"/"+rc.Run.Name)
	}
	if diff := cmp.Diff([]string{"y/a", "y/b", "y/c", "z/a", "z/b", "z/c"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestMarkdown(t *testing.T) {
	runs := func(n int, distinct bool) Set {
		s := Set{}
		for i := range n {
			line := `Role t1 core/pods delete`
			if distinct {
				line = fmt.Sprintf(`Role t1 core/pods delete name=pod-%04d`, i)
			}
			s.add(Group{Run{Kind: "Job", Namespace: "t", Name: fmt.Sprintf("run-%04d", i)}, "ops"}, line, "")
		}
		return s
	}
	render := func(c Changes) string {
		var b bytes.Buffer
		if err := Markdown(&b, c); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	t.Run("no changes", func(t *testing.T) {
		if got := render(Diff(Set{}, Set{})); !strings.Contains(got, "No permission changes.") || strings.Contains(got, "```") {
			t.Errorf("got:\n%s", got)
		}
	})
	t.Run("one change: a diff block with a hunk per pack, not folded", func(t *testing.T) {
		old := Set{{r1, "ops"}: {"image skill-ops": "ops:1"}}
		next := Set{{r1, "ops"}: {"image skill-ops": "ops:2", `Role t1 core/pods delete`: ""}}
		want := "### skillc diff: permission changes\n\n**1 added, 0 removed, 1 changed** in 1 run.\n\n" +
			"#### `Job t1/r1`\n\n```diff\n@@ pack ops @@\n+ Role t1 core/pods delete\n! image skill-ops ops:1 → ops:2\n```\n"
		if diff := cmp.Diff(want, render(Diff(old, next))); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("a thousand runs with one change share one section", func(t *testing.T) {
		got := render(Diff(Set{}, runs(1000, false)))
		if n := strings.Count(got, "```diff"); n != 1 {
			t.Errorf("%d diff blocks, want 1:\n%s", n, got)
		}
		for _, want := range []string{"**1000 added, 0 removed, 0 changed** in 1000 runs.", "and 997 more runs (new)", "<details><summary>all 1000 runs</summary>", "`Job t/run-0999`"} {
			if !strings.Contains(got, want) {
				t.Errorf("missing %q", want)
			}
		}
	})
	t.Run("many distinct changes are folded and cut under GitHub's comment limit", func(t *testing.T) {
		got := render(Diff(Set{}, runs(3000, true)))
		if len(got) > 65536 {
			t.Errorf("%d bytes, over GitHub's 65536", len(got))
		}
		if !strings.Contains(got, "<details><summary>1 added, 0 removed, 0 changed</summary>") {
			t.Error("blocks not folded")
		}
		if !strings.Contains(got, "more sections (") || !strings.Contains(got, "not shown: run `skillc diff` locally") {
			t.Errorf("no note of what was left out:\n%s", got[len(got)-300:])
		}
	})
}

func TestWriteUnknownFormat(t *testing.T) {
	if err := Write(&bytes.Buffer{}, "json", Changes{}); err == nil || !strings.Contains(err.Error(), `"json"`) {
		t.Errorf("err = %v, want an unknown format error", err)
	}
}
