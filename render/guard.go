package render

import (
	"context"
	"sync"
)

// Guard is one run's record of a write in progress, held by the writers from creating their
// temporary directory until they have removed it or swapped it in (beginWrite/endWrite). Once
// the run's context is cancelled, the caller asks it (Stop) whether it may end the run at once;
// the mutex closes the race between the two: no write can begin once the run has ended.
type Guard struct {
	mu      sync.Mutex
	active  bool
	stopped bool
}

type guardKey struct{}

// WithGuard returns ctx carrying a new Guard, which the writers given that context report to.
func WithGuard(ctx context.Context) (context.Context, *Guard) {
	g := &Guard{}
	return context.WithValue(ctx, guardKey{}, g), g
}

// Stop ends the run unless a write is in progress: then the writer cleans up first.
func (g *Guard) Stop() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.active {
		return false
	}
	g.stopped = true
	return true
}

// beginWrite marks a write in progress; it fails when ctx is already cancelled (a signal).
func beginWrite(ctx context.Context) error {
	g, _ := ctx.Value(guardKey{}).(*Guard)
	if g == nil {
		g = &Guard{} // a caller without a guard (a test): only ctx matters
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := ctx.Err(); err != nil || g.stopped {
		return context.Cause(ctx)
	}
	g.active = true
	return nil
}

func endWrite(ctx context.Context) {
	if g, _ := ctx.Value(guardKey{}).(*Guard); g != nil {
		g.mu.Lock()
		g.active = false
		g.mu.Unlock()
	}
}
