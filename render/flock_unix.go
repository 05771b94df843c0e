//go:build unix

package render

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// lockWriters serialises the writers of renders in one parent directory: an exclusive flock on the
// parent, held until the returned function runs or the process dies. Without it two `compile -o`
// runs into one DIR race: each inspects DIR, then one's stale sweep takes the other's temporary
// directory in the instant before it is locked, or one moves aside a render the other already
// replaced and leaves a full copy behind. The wait polls, so a signal still ends it.
func lockWriters(ctx context.Context, parent string) (func(), error) {
	f, err := os.Open(parent)
	if err != nil {
		return nil, fmt.Errorf("locking %s against concurrent writers: %w", parent, err)
	}
	delay := 2 * time.Millisecond
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("locking %s against concurrent writers: %w", parent, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, context.Cause(ctx)
		case <-time.After(delay):
		}
		delay = min(2*delay, 100*time.Millisecond)
	}
}

// lockDir takes an exclusive advisory lock on a directory we are writing, held until the returned
// function runs or the process dies (the kernel releases flock locks of a killed process).
func lockDir(path string) func() {
	unlock, _ := tryLockDir(path)
	return unlock
}

// tryLockDir locks path without waiting; ok is false when another process holds the lock.
func tryLockDir(path string) (unlock func(), ok bool) {
	f, err := os.Open(path)
	if err != nil {
		return func() {}, false
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return func() {}, false
	}
	return func() { f.Close() }, true
}

// ownedByUs reports whether path belongs to our effective user: we never remove anyone else's.
func ownedByUs(path string) bool {
	info, err := os.Lstat(path)
	if err != nil {
		return false
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Geteuid()
}
