package stream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/internal/gen"
	"github.com/skillc-dev/skillc/policy"
	"github.com/skillc-dev/skillc/source"
)

// TestSortedDocsIsSortFunc: sortedDocs puts the units' documents in the order slices.SortFunc by
// Key gives them in arrival order, equal keys (a duplicate the stream refuses, naming the first
// one's run) in the same order too.
func TestSortedDocsIsSortFunc(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 20 {
		var parts [][]Doc
		var flat []Doc
		total := 0
		for range 1 + rng.IntN(40) {
			var docs []Doc
			for range rng.IntN(30) {
				d := Doc{Key: compile.Key{Namespace: fmt.Sprintf("ns-%d", rng.IntN(4)), Kind: rng.IntN(3), Name: fmt.Sprintf("n-%d", rng.IntN(8))},
					run: fmt.Sprintf("run-%d", total)} // which of equal keys this is
				docs = append(docs, d)
				total++
			}
			parts = append(parts, docs)
			flat = append(flat, docs...)
		}
		want := slices.Clone(flat)
		slices.SortFunc(want, func(a, b Doc) int { return a.Key.Compare(b.Key) })
		got := sortedDocs(parts, total)
		if len(got) != len(want) {
			t.Fatalf("round %d: %d documents, want %d", round, len(got), len(want))
		}
		for i := range want {
			if got[i].Key != want[i].Key || got[i].run != want[i].run {
				t.Fatalf("round %d, document %d: %v %s, want %v %s", round, i, got[i].Key, got[i].run, want[i].Key, want[i].run)
			}
		}
	}
}

// failAfter accepts limit bytes, then fails every write.
type failAfter struct {
	limit int
	got   bytes.Buffer
}

var errWriterFull = errors.New("writer full")

func (w *failAfter) Write(p []byte) (int, error) {
	if room := w.limit - w.got.Len(); len(p) > room {
		w.got.Write(p[:max(room, 0)])
		return max(room, 0), errWriterFull
	}
	return w.got.Write(p)
}

// TestWriteToErrors: the spooled documents are written in order whatever chunks carry them; a
// writer's failure ends WriteTo with that error and the count of what it took (the reader ahead
// stopped, not left blocked), and a spool that cannot be read back is a SpoolError.
func TestWriteToErrors(t *testing.T) {
	var files []source.File
	for _, f := range gen.Repo(gen.Size{Packs: 5, Instances: 10, Runs: 40}) {
		files = append(files, source.File{Name: f.Name, Data: f.Data})
	}
	run := func(spool int64) *Result {
		p, diags := compile.PrepareFiles(files, compile.Options{})
		g, err := policy.NewGate(context.Background(), p.Base.Config, nil, today)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Run(context.Background(), p, g, diags, Options{Render: true, SpoolAbove: spool})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { res.Close() })
		return res
	}
	var want bytes.Buffer
	if _, err := run(-1).WriteTo(&want); err != nil {
		t.Fatal(err)
	}
	if want.Len() < 1<<19 {
		t.Fatalf("a %d-byte stream is not several chunks", want.Len())
	}
	res := run(1)
	var got bytes.Buffer
	if n, err := res.WriteTo(&got); err != nil || n != int64(want.Len()) || !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatalf("spooled: %d bytes, %v; want the %d bytes of the stream in memory", n, err, want.Len())
	}
	for _, limit := range []int{0, 100, 1 << 18, want.Len() - 1} {
		w := &failAfter{limit: limit}
		n, err := res.WriteTo(w)
		if !errors.Is(err, errWriterFull) || n != int64(limit) || !bytes.Equal(w.got.Bytes(), want.Bytes()[:limit]) {
			t.Errorf("writer full after %d bytes: %d bytes, %v", limit, n, err)
		}
	}
	res.spool.f.Close() // read back from a closed file: fails
	if _, err := res.WriteTo(io.Discard); !errors.As(err, new(SpoolError)) {
		t.Errorf("spool unreadable: %v, want a SpoolError", err)
	}
}
