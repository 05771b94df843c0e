//go:build unix

package render

import (
	"os"
	"syscall"
)

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
