//go:build skillc_testhooks

package render

import (
	"context"
	"os"
	"time"
)

// pauseEnv is the test hook of a binary built with -tags skillc_testhooks (never a release: a
// test checks that a plain build lacks it). Set to a file path, it makes the writer write its
// temporary directory's path there after the first file and then wait for a signal, so that a
// test can interrupt a real process mid-write without racing it.
const pauseEnv = "SKILLC_TEST_PAUSE_WRITE"

func afterFirstFile(ctx context.Context, tmp string) {
	hook := os.Getenv(pauseEnv)
	if hook == "" {
		return
	}
	if err := os.WriteFile(hook, []byte(tmp), 0o644); err != nil {
		return
	}
	select {
	case <-ctx.Done():
	case <-time.After(time.Minute): // never hang a forgotten test
	}
}
