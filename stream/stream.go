// Package stream compiles, gates and serializes a plan a unit at a time (compile.Plan): each unit
// of runs is built, judged and rendered to YAML while the next ones are built, and only its
// documents (past DefaultSpoolAbove bytes, in an unlinked temporary file) and findings are kept.
// Peak memory is then an index of the documents and a few units in flight, not every typed
// object at once; the output is byte for byte Build's.
package stream

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/internal/emit"
	"github.com/skillc-dev/skillc/policy"
)

// Doc is one emitted object, rendered: its YAML document is in memory, or in the result's spool.
type Doc struct {
	Key  compile.Key
	data []byte
	off  int64 // in the spool, when data is nil
	n    int
	kind string
	run  string // the run or schedule it was built for, for a duplicate's refusal
}

// Result is a streamed compile: its documents in output order, the gate's report and the compile's
// diagnostics (warnings and notes; with an input error among them there are no documents and no
// report). Close it: its documents may be spooled to a temporary file.
type Result struct {
	Docs   []Doc
	Report *policy.Report
	Diags  diag.Diagnostics
	spool  *spool
}

// Close releases the spool, if any.
func (r *Result) Close() error {
	if r == nil || r.spool == nil {
		return nil
	}
	err := r.spool.close()
	r.spool = nil
	return err
}

// Data is document i's YAML. Safe for concurrent use.
func (r *Result) Data(i int) ([]byte, error) { return r.dataInto(i, nil) }

// dataInto is Data read into buf's storage when it is spooled and buf has room.
func (r *Result) dataInto(i int, buf []byte) ([]byte, error) {
	d := &r.Docs[i]
	if d.data != nil || d.n == 0 {
		return d.data, nil
	}
	if cap(buf) < d.n {
		buf = make([]byte, d.n)
	}
	b := buf[:d.n]
	if _, err := r.spool.f.ReadAt(b, d.off); err != nil {
		return nil, SpoolError{fmt.Errorf("reading the spooled documents: %w", err)}
	}
	return b, nil
}

// SpoolError is a failure of the spool in $TMPDIR: making it, writing or reading it back (not of
// the writer the documents go to).
type SpoolError struct{ Err error }

func (e SpoolError) Error() string { return e.Err.Error() }
func (e SpoolError) Unwrap() error { return e.Err }

// WriteTo writes the documents as one YAML stream, separated by "---" (emit.MarshalStream's bytes).
// Spooled documents are read back by another goroutine, a chunk ahead of the writes: reading
// 133,000 of them one by one took as long as writing the stream.
func (r *Result) WriteTo(w io.Writer) (int64, error) {
	const chunk = 1 << 18
	full := make(chan []byte, 1)
	free := make(chan []byte, 2)
	free <- make([]byte, 0, chunk)
	free <- make([]byte, 0, chunk)
	stop := make(chan struct{})
	var readErr error
	go func() {
		defer close(full)
		buf := <-free
		for i := range r.Docs {
			d := &r.Docs[i]
			if len(buf) > 0 && len(buf)+len("---\n")+d.n > cap(buf) {
				select {
				case full <- buf:
				case <-stop:
					return
				}
				select {
				case buf = <-free:
				case <-stop:
					return
				}
				buf = buf[:0]
			}
			if i > 0 {
				buf = append(buf, "---\n"...)
			}
			if d.data != nil || d.n == 0 {
				buf = append(buf, d.data...)
				continue
			}
			at := len(buf)
			buf = slices.Grow(buf, d.n)[:at+d.n]
			if _, err := r.spool.f.ReadAt(buf[at:], d.off); err != nil {
				readErr = SpoolError{fmt.Errorf("reading the spooled documents: %w", err)}
				return
			}
		}
		if len(buf) > 0 {
			select {
			case full <- buf:
			case <-stop:
			}
		}
	}()
	var n int64
	for buf := range full {
		k, err := w.Write(buf)
		if n += int64(k); err != nil {
			close(stop)
			for range full { // the reader stops at its next send
			}
			return n, err
		}
		free <- buf
	}
	return n, readErr // the reader's, read after it closed full
}

// Path is where -o DIR puts the document (emit.ObjectPath), made when asked: the index holds
// 133,000 of them at ten times the reference repository.
func (d *Doc) Path() string { return emit.Path(d.Key.Namespace, d.kind, d.Key.Name) }

// Paths are the documents' paths in -o DIR, sorted, and readers for render.WriteFrom: each reader
// (one per goroutine that writes) reads a document into a buffer of its own, valid until its next
// read, not into an allocation per document.
func (r *Result) Paths() ([]string, func() func(rel string) ([]byte, error)) {
	type entry struct {
		path string
		i    int
	}
	entries := make([]entry, len(r.Docs))
	for i := range r.Docs {
		entries[i] = entry{r.Docs[i].Path(), i}
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.path, b.path) })
	paths := make([]string, len(entries))
	for i, e := range entries {
		paths[i] = e.path
	}
	return paths, func() func(rel string) ([]byte, error) {
		var buf []byte
		return func(rel string) ([]byte, error) {
			k, ok := slices.BinarySearchFunc(entries, rel, func(e entry, rel string) int { return strings.Compare(e.path, rel) })
			if !ok {
				return nil, fmt.Errorf("no document for %s", rel)
			}
			data, err := r.dataInto(entries[k].i, buf)
			if err == nil && r.Docs[entries[k].i].data == nil {
				buf = data // read from the spool: buf's storage, or a larger one for the next read
			}
			return data, err
		}
	}
}

// Files is the render of -o DIR in memory: one file per document, by relative slash path.
func (r *Result) Files() (map[string][]byte, error) {
	files := make(map[string][]byte, len(r.Docs))
	for i := range r.Docs {
		data, err := r.Data(i)
		if err != nil {
			return nil, err
		}
		files[r.Docs[i].Path()] = data
	}
	return files, nil
}

// Options: Render false judges without rendering (skillc check). SpoolAbove is how many bytes of
// documents are kept in memory before they all go to a temporary file (0: DefaultSpoolAbove;
// negative: never).
type Options struct {
	Render     bool
	SpoolAbove int64
}

// DefaultSpoolAbove keeps a small compile's documents (a tenant's, a pull request's) in memory and
// spools the rest: memory then holds an index of the render, not the render.
const DefaultSpoolAbove = 4 << 20

// built is a unit as a worker leaves it: built, and rendered when it is emitted.
type built struct {
	res   *compile.Result
	keys  [][sha256.Size]byte // the gate's shape keys of its objects
	raws  [][]byte            // the JSON of the objects the gate may evaluate (see buildUnit)
	diags diag.Diagnostics
	docs  []Doc
	buf   *[]byte // the storage of the docs' bytes, back to unitBuffers once they are spooled
	err   error
}

// unitBuffers hold the bytes of a unit's documents, one buffer per unit: a spooled unit's buffer
// serves a later unit, where a slice per document would be garbage as soon as it is spooled.
var unitBuffers = sync.Pool{New: func() any { return new([]byte) }}

// Run builds every unit of p on every core, judges each with gate in the plan's order (its
// evaluations on every core too) and keeps each unit's documents. diags are p's (Prepare's).
// Input errors come back in the result's diagnostics; only internal failures are errors. A nil
// gate (one that could not be made) only builds, for the diagnostics: a result without documents
// or report.
func Run(ctx context.Context, p *compile.Plan, gate *policy.Gate, diags diag.Diagnostics, opts Options) (*Result, error) {
	n := p.Units()
	if gate == nil {
		opts.Render = false // only the diagnostics are wanted
	}
	// Units built ahead of the gate are what memory holds besides the documents' index: a few
	// keep every core busy (the gate, which judges in order, is the slower side); more would only
	// grow the heap on a machine with many cores.
	window := min(2*runtime.GOMAXPROCS(0), 8)
	workers := min(runtime.GOMAXPROCS(0), window)
	slots := make([]chan built, n)
	for i := range slots {
		slots[i] = make(chan built, 1)
	}
	s := &policy.Stream{}
	failed := diags.HasErrors()
	if !failed && gate != nil {
		var err error
		if s, err = gate.Begin(ctx, p.Base); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	go func() {
		defer close(next)
		for i := range n {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	ahead := make(chan struct{}, window)
	tmpls := &templates{}
	for range workers {
		go func() {
			var enc emit.Encoder
			var k *policy.Keyer
			if gate != nil {
				k = gate.NewKeyer()
			}
			for {
				select {
				case ahead <- struct{}{}:
				case <-ctx.Done():
					return
				}
				i, ok := <-next
				if !ok {
					<-ahead
					return
				}
				b := buildUnit(p, k, s, i, &enc, tmpls, opts.Render)
				if b.err == nil && b.keys != nil && !b.diags.HasErrors() {
					// Its new shapes judged here, on this core, before the ordered gate needs them.
					k.Prejudge(s, b.res, b.keys, b.raws)
				}
				slots[i] <- b
			}
		}()
	}

	out := &Result{}
	limit := opts.SpoolAbove
	if limit == 0 {
		limit = DefaultSpoolAbove
	}
	var inMemory int64
	// Each unit's documents stay in the slice the unit made them in: out.Docs is made once, at
	// its size, when they are all in.
	var parts [][]Doc
	total := 0
	keep := func(b *built) error {
		parts, total = append(parts, b.docs), total+len(b.docs)
		if out.spool == nil {
			for _, d := range b.docs {
				inMemory += int64(len(d.data))
			}
			if limit < 0 || inMemory <= limit {
				return nil // b.buf stays with its documents
			}
			sp, err := newSpool()
			if err != nil {
				return err
			}
			out.spool = sp
			for _, docs := range parts {
				for i := range docs {
					if err := sp.put(&docs[i]); err != nil {
						return err
					}
				}
			}
		} else {
			for i := range b.docs {
				if err := out.spool.put(&b.docs[i]); err != nil {
					return err
				}
			}
		}
		if b.buf != nil {
			unitBuffers.Put(b.buf) // its documents are in the spool
		}
		return nil
	}
	for i := range n {
		var b built
		select {
		case b = <-slots[i]:
		case <-ctx.Done():
			return nil, errors.Join(s.Close(ctx.Err()), out.Close())
		}
		<-ahead
		if b.err != nil {
			return nil, errors.Join(s.Close(b.err), out.Close())
		}
		diags = append(diags, b.diags...)
		if d := p.Accept(b.res); d != nil {
			// The ceiling: what Build returns, and nothing else.
			d.Sort()
			return &Result{Diags: d}, errors.Join(s.Close(nil), out.Close())
		}
		if failed = failed || b.diags.HasErrors(); failed {
			continue // built on for the other units' diagnostics; nothing judged or kept
		}
		if gate != nil {
			if err := s.AddKeyed(b.res, b.keys, b.raws); err != nil {
				return nil, errors.Join(s.Close(err), out.Close())
			}
		}
		if err := keep(&b); err != nil {
			return nil, errors.Join(s.Close(err), out.Close())
		}
	}
	if out.spool != nil {
		if err := out.spool.flush(); err != nil {
			return nil, errors.Join(s.Close(err), out.Close())
		}
	}
	if failed {
		diags.Sort()
		return &Result{Diags: diags}, errors.Join(s.Close(nil), out.Close())
	}
	out.Docs, parts = sortedDocs(parts, total), nil
	if d := duplicates(out.Docs, p.Base.Pods); d != nil {
		d.Sort()
		return &Result{Diags: d}, errors.Join(s.Close(nil), out.Close())
	}
	if gate == nil {
		diags.Sort()
		return &Result{Diags: diags}, out.Close()
	}
	rep, err := s.Report()
	if err != nil {
		return nil, errors.Join(err, out.Close())
	}
	diags.Sort()
	out.Report, out.Diags = rep, diags
	return out, nil
}

// buildUnit builds unit i, computes its shape keys and renders its emitted objects (stand-ins are
// judged, never emitted). An object's JSON serves both its YAML and its key.
func buildUnit(p *compile.Plan, k *policy.Keyer, s *policy.Stream, i int, enc *emit.Encoder, tmpls *templates, render bool) (b built) {
	res, diags := p.Unit(i)
	b = built{res: res, diags: diags}
	if diags.HasErrors() {
		return b
	}
	shaped := k != nil && k.Shaped()
	if shaped {
		b.keys = make([][sha256.Size]byte, len(res.Objects)+len(res.StandIns))
	}
	if k != nil && (render || shaped) {
		b.raws = make([][]byte, len(res.Objects))
	}
	b.docs = make([]Doc, 0, len(res.Objects))
	var buf []byte
	if render {
		b.buf = unitBuffers.Get().(*[]byte)
		buf = (*b.buf)[:0]
	}
	// Where each document's bytes end in buf: they are sliced once buf has stopped growing, as
	// the unit is returned.
	ends := make([]int, 0, len(res.Objects))
	defer func() {
		if b.buf == nil {
			return
		}
		*b.buf = buf
		start := 0
		for j, end := range ends {
			b.docs[j].data = buf[start:end:end]
			start = end
		}
	}()
	for j, o := range res.Objects {
		d := Doc{Key: compile.KeyOf(o), kind: compile.KindOf(o),
			run: o.GetLabels()[compile.LabelAgentRun] + o.GetLabels()[compile.LabelSchedule]}
		keyed := false
		// One JSON encoding serves the YAML, the shape key, and the gate where it may evaluate the
		// object: every object with --policy, else one of a shape the stream has not judged yet.
		if render || shaped {
			raw, err := enc.JSON(o)
			if err != nil {
				b.err = fmt.Errorf("rendering unit %d: %w", i, err)
				return b
			}
			var blanked []byte
			var tmplKey [sha256.Size]byte
			switch {
			case shaped && render:
				b.keys[j], tmplKey, blanked, keyed = k.KeyBlanked(o, raw)
			case shaped:
				b.keys[j], keyed = k.KeyJSON(o, raw)
			}
			if k != nil && (!shaped || !keyed || !s.Known(b.keys[j])) {
				b.raws[j] = bytes.Clone(raw)
			}
			if render {
				start, filled := len(buf), false
				if blanked != nil && tmpls != nil {
					buf, filled = tmpls.fill(buf, enc, tmplKey, blanked, k.Unblank(o))
				}
				if !filled {
					if buf, err = enc.AppendFromJSON(buf, o, raw); err != nil {
						b.err = fmt.Errorf("rendering unit %d: %w", i, err)
						return b
					}
				}
				d.n = len(buf) - start
				ends = append(ends, len(buf))
			}
		}
		if shaped && !keyed {
			if b.keys[j], b.err = k.Key(o); b.err != nil {
				return b
			}
		}
		b.docs = append(b.docs, d)
	}
	for j, o := range res.StandIns {
		if shaped {
			if b.keys[len(res.Objects)+j], b.err = k.Key(o); b.err != nil {
				return b
			}
		}
	}
	return b
}

// templates are the documents of the shapes rendered so far (emit.Template), by shape key: the
// objects of one shape (a pack's Role in each of its runs) differ only in the names the key
// blanked, so each after the first is written from its shape's template, not parsed and written
// again. A template depends only on the blanked bytes its key hashes: whichever object made it,
// the documents are the same. Shared by the goroutines that build units.
type templates struct {
	m    sync.Map // shape key → *emit.Template (nil: the shape has none)
	size atomic.Int64
}

// templateBudget bounds the templates kept (a compile's distinct shapes, 15 MiB at ten times the
// reference repository): past it, a new shape's template serves its first object only.
const templateBudget = 32 << 20

// fill appends to dst the document of an object of shape key from its template, made from
// blanked when the shape has none yet; ok is false (dst as it was) when the object must be rendered
// in full.
func (t *templates) fill(dst []byte, enc *emit.Encoder, key [sha256.Size]byte, blanked []byte, unblank func(string) string) (_ []byte, ok bool) {
	v, ok := t.m.Load(key)
	if !ok {
		tmpl := enc.Template(blanked)
		if tmpl != nil && t.size.Add(int64(tmpl.Size())) > templateBudget {
			return tmpl.AppendFill(dst, unblank)
		}
		v, _ = t.m.LoadOrStore(key, tmpl)
	}
	tmpl := v.(*emit.Template)
	if tmpl == nil {
		return dst, false
	}
	return tmpl.AppendFill(dst, unblank)
}

// sortedDocs are the units' documents (total of them) in output order (compile.Order), as
// slices.SortFunc by Key puts them in the order they came.
func sortedDocs(parts [][]Doc, total int) []Doc {
	all := make([]*Doc, 0, total)
	for _, docs := range parts {
		for i := range docs {
			all = append(all, &docs[i])
		}
	}
	out := make([]Doc, len(all))
	for i, j := range compile.Order(len(all), func(i int) compile.Key { return all[i].Key }) {
		out[i] = *all[j]
	}
	return out
}

// duplicates is compile.DuplicateObjects on the sorted documents.
func duplicates(docs []Doc, pods []compile.Pod) diag.Diagnostics {
	var ds diag.Diagnostics
	for i := 1; i < len(docs); i++ {
		a, b := &docs[i-1], &docs[i]
		if a.Key == b.Key && a.kind == b.kind {
			ds = append(ds, compile.DuplicateObject(a.kind, a.Key.Name, a.run, pods))
		}
	}
	return ds
}

// spool holds documents in an unlinked temporary file: written once as units come, read back in
// output order.
type spool struct {
	f    *os.File
	w    *bufio.Writer
	size int64
	name string // removed at close where an open file cannot be removed (not on Unix)
}

func newSpool() (*spool, error) {
	f, err := os.CreateTemp("", "skillc-spool-*")
	if err != nil {
		return nil, SpoolError{fmt.Errorf("spooling the rendered documents: %w", err)}
	}
	sp := &spool{f: f, w: bufio.NewWriterSize(f, 1<<20)}
	// Unlinked at once: nothing is left behind, whatever ends the process.
	if err := os.Remove(f.Name()); err != nil {
		sp.name = f.Name()
	}
	return sp, nil
}

// put moves a document's bytes to the spool.
func (sp *spool) put(d *Doc) error {
	if _, err := sp.w.Write(d.data); err != nil {
		return SpoolError{fmt.Errorf("spooling the rendered documents: %w", err)}
	}
	d.off, d.n, d.data = sp.size, len(d.data), nil
	sp.size += int64(d.n)
	return nil
}

func (sp *spool) flush() error {
	if err := sp.w.Flush(); err != nil {
		return SpoolError{fmt.Errorf("spooling the rendered documents: %w", err)}
	}
	return nil
}

func (sp *spool) close() error {
	err := sp.f.Close()
	if sp.name != "" {
		err = errors.Join(err, os.Remove(sp.name))
	}
	return err
}
