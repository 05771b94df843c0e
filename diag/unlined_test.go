package diag

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// unlinedRE is how Unlined dropped lines before: one regexp with every file name. dropLines must
// give the same text.
func unlinedRE(msg string, files []string) string {
	var quoted []string
	for _, f := range files {
		quoted = append(quoted, regexp.QuoteMeta(f))
	}
	slices.SortStableFunc(quoted, func(a, b string) int { return len(b) - len(a) })
	return regexp.MustCompile(`(`+strings.Join(quoted, "|")+`):\d+`).ReplaceAllString(msg, "$1")
}

func TestDropLinesSameAsRegexp(t *testing.T) {
	files := []string{"a.yaml", "dir/a.yaml", "b:1.yaml", "x", "xx", "pack-0001.yaml", "tenants/ns-1/pack-0001.yaml"}
	known := map[string]bool{}
	var lengths []int
	for _, f := range files {
		known[f] = true
		if !slices.Contains(lengths, len(f)) {
			lengths = append(lengths, len(f))
		}
	}
	slices.SortFunc(lengths, func(a, b int) int { return b - a })
	msgs := []string{
		"", "no names here", "a.yaml:3", "rename one of a.yaml:3 and dir/a.yaml:12: both name x",
		"xx:1 x:2 xxx:3 x:", "b:1.yaml:7", "a.yaml:3:4", "tenants/ns-1/pack-0001.yaml:40,pack-0001.yaml:2",
		":1 a.yaml::2 a.yaml:x", "a.yamla.yaml:9",
	}
	pieces := []string{"a.yaml", "dir/", ":", "1", "23", "x", " ", "b", ".yaml", "pack-0001.yaml", "tenants/ns-1/"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		var b strings.Builder
		for range r.IntN(12) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		msgs = append(msgs, b.String())
	}
	for _, m := range msgs {
		if got, want := dropLines(m, known, lengths), unlinedRE(m, files); got != want {
			t.Fatalf("dropLines(%q) = %q, the regexp gives %q", m, got, want)
		}
	}
}
