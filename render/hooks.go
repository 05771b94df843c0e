//go:build !skillc_testhooks

package render

import "context"

// afterFirstFile runs once the -o writer has written the first file of its temporary directory.
// In skillc as built and shipped it does nothing; the tests that interrupt a real process
// mid-write build it with -tags skillc_testhooks, which compiles in testhooks.go's instead.
func afterFirstFile(context.Context, string) {}
