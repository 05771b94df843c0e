package permissions

import (
	"cmp"
	"maps"
	"slices"
)

// Op is what a change does to a permission.
type Op byte

const (
	Added   Op = '+'
	Removed Op = '-'
	Changed Op = '~' // same key, another value: a container's new image
)

// Change is one permission granted, revoked or changed.
type Change struct {
	Op       Op
	Key      string
	Old, New string // the values (an image); empty for most permissions
}

// Line is the change as printed, without its sign: the key, and the value (old → new for a change).
func (c Change) Line() string {
	switch {
	case c.Op == Changed:
		return c.Key + " " + orNone(c.Old) + " → " + orNone(c.New)
	case c.Op == Added && c.New != "":
		return c.Key + " " + c.New
	case c.Op == Removed && c.Old != "":
		return c.Key + " " + c.Old
	}
	return c.Key
}

func orNone(v string) string {
	if v == "" {
		return `""`
	}
	return v
}

// PackChanges are the changes of one pack (or of the pod, Pack "") of a run.
type PackChanges struct {
	Pack    string
	Changes []Change
}

// RunChanges are the changes of one run, by pack. Status says whether the run itself is new or
// gone ("added", "removed") or is in both sets ("").
type RunChanges struct {
	Run    Run
	Status string
	Packs  []PackChanges
}

// Changes is the difference of two sets: the runs with changes, sorted by namespace, name and
// kind; within a run the pod first, then packs by name; within a pack by line.
type Changes struct {
	Runs                    []RunChanges
	Added, Removed, Changed int
}

// Empty reports whether nothing changed.
func (c Changes) Empty() bool { return len(c.Runs) == 0 }

// Diff compares two permission sets.
func Diff(old, new Set) Changes {
	oldRuns, newRuns := runSet(old), runSet(new)
	groups := map[Group]bool{}
	for g := range old {
		groups[g] = true
	}
	for g := range new {
		groups[g] = true
	}
	var out Changes
	byRun := map[Run]*RunChanges{}
	for _, g := range slices.SortedFunc(maps.Keys(groups), compareGroups) {
		cs := diffGroup(old[g], new[g])
		if len(cs) == 0 {
			continue
		}
		for _, c := range cs {
			switch c.Op {
			case Added:
				out.Added++
			case Removed:
				out.Removed++
			case Changed:
				out.Changed++
			}
		}
		rc := byRun[g.Run]
		if rc == nil {
			status := ""
			switch {
			case !oldRuns[g.Run]:
				status = "added"
			case !newRuns[g.Run]:
				status = "removed"
			}
			out.Runs = append(out.Runs, RunChanges{Run: g.Run, Status: status})
			rc = &out.Runs[len(out.Runs)-1]
			byRun[g.Run] = rc
		}
		rc.Packs = append(rc.Packs, PackChanges{Pack: g.Pack, Changes: cs})
	}
	return out
}

func runSet(s Set) map[Run]bool {
	m := map[Run]bool{}
	for g := range s {
		m[g.Run] = true
	}
	return m
}

// diffGroup compares one group's permissions, sorted by key, a removal before an addition.
func diffGroup(old, new map[string]string) []Change {
	var cs []Change
	for k, ov := range old {
		nv, ok := new[k]
		switch {
		case !ok:
			cs = append(cs, Change{Op: Removed, Key: k, Old: ov})
		case ov != nv:
			cs = append(cs, Change{Op: Changed, Key: k, Old: ov, New: nv})
		}
	}
	for k, nv := range new {
		if _, ok := old[k]; !ok {
			cs = append(cs, Change{Op: Added, Key: k, New: nv})
		}
	}
	slices.SortFunc(cs, func(a, b Change) int {
		return cmp.Or(cmp.Compare(a.Key, b.Key), cmp.Compare(opOrder(a.Op), opOrder(b.Op)))
	})
	return cs
}

func opOrder(o Op) int {
	switch o {
	case Removed:
		return 0
	case Changed:
		return 1
	}
	return 2
}
