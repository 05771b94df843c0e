//go:build !unix

package render

import "io/fs"

// modeLetsWrite reports whether fi's permission bits let the file be written: Windows keeps only
// the read-only attribute, which Go maps to the owner's write bit.
func modeLetsWrite(fi fs.FileInfo) bool { return fi.Mode().Perm()&0o200 != 0 }
