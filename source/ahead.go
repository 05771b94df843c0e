package source

import (
	"runtime"
	"sync"
	"sync/atomic"

	yaml "go.yaml.in/yaml/v3"

	"github.com/skillc-dev/skillc/diag"
)

// aheadMax: files up to this size are parsed ahead of their turn. A larger one is parsed in turn,
// one document at a time, as Documents does: its nodes take about ten times its size.
const aheadMax = 64 << 10

// parsed is a file's documents as parse gave them, and what ended the file early.
type parsed struct {
	docs  []yaml.Node
	diags diag.Diagnostics
}

// documentsParsed is Documents over a file parsed ahead: the same documents, counted and checked
// in turn, the same diagnostics.
func (r *Reader) documentsParsed(f File, p *parsed, fn func(root *yaml.Node) bool) diag.Diagnostics {
	var stop diag.Diagnostics
	for i := range p.docs {
		if !r.accept(f, &p.docs[i], fn, &stop) {
			return stop // nil where fn stopped
		}
	}
	return p.diags
}

// ahead parses Load's files on the other cores while Load takes them in order: parsing is most of
// loading, and what counts across files (documents, the alias budget) and what the files hold
// still happens in order, so the result and the diagnostics are the same. At most two files per
// core wait parsed, so memory stays bounded.
type ahead struct {
	files    []File
	eligible []bool
	results  []*parsed
	done     []chan struct{}
	window   chan struct{} // a token per file being parsed or waiting to be taken
	quit     chan struct{}
	next     atomic.Int64
	wg       sync.WaitGroup
}

func parseAhead(files []File, perFile int) *ahead {
	a := &ahead{files: files}
	workers := min(runtime.GOMAXPROCS(0), 8)
	if workers < 2 || len(files) < 2 {
		return a // nothing to overlap: every file is parsed in turn
	}
	a.eligible = make([]bool, len(files))
	a.results = make([]*parsed, len(files))
	a.done = make([]chan struct{}, len(files))
	for i, f := range files {
		a.eligible[i] = f.Package == nil && !isZip(f.Name) && len(f.Data) <= aheadMax
		a.done[i] = make(chan struct{})
	}
	a.window = make(chan struct{}, 2*workers)
	a.quit = make(chan struct{})
	for range workers {
		a.wg.Go(func() {
			for {
				// The token comes before the file is claimed: the lowest file not yet taken then
				// always holds one, so Load never waits on a file that waits on a token.
				select {
				case a.window <- struct{}{}:
				case <-a.quit:
					return
				}
				i := int(a.next.Add(1)) - 1
				if i >= len(files) || !a.eligible[i] {
					<-a.window
					if i >= len(files) {
						return
					}
					continue
				}
				p := &parsed{}
				p.diags = parse(files[i], perFile, func(doc *yaml.Node) bool {
					p.docs = append(p.docs, *doc)
					return true
				})
				a.results[i] = p
				close(a.done[i])
			}
		})
	}
	return a
}

// take is file i parsed, once it is; nil for a file parsed in turn.
func (a *ahead) take(i int) *parsed {
	if a.eligible == nil || !a.eligible[i] {
		return nil
	}
	<-a.done[i]
	p := a.results[i]
	a.results[i] = nil
	<-a.window
	return p
}

// stop ends the parsing (Load returns early when the inputs hold too many documents) and waits
// for the workers.
func (a *ahead) stop() {
	if a.quit == nil {
		return
	}
	close(a.quit)
	a.wg.Wait()
}
