package render

import "github.com/skillc-dev/skillc/internal/testinput"

// The shared helpers for files and folders (internal/testinput), under the names these tests use.
var (
	writeFile       = testinput.WriteFile
	symlink         = testinput.Symlink
	tree            = testinput.Tree
	appendToFile    = testinput.AppendToFile
	snapshot        = testinput.Snapshot
	assertOnlyEntry = testinput.AssertOnlyEntry
)
