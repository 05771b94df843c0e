// Command skillc-gen-rego writes policy/names.rego, the Rego module data.skillc.names, from
// compile's label keys and names (policy.NamesModule), so that the library's rules cannot drift
// from what compile emits. policy's TestNamesModuleUpToDate fails while the committed file
// differs; `make generate` rewrites it.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"github.com/skillc-dev/skillc/policy"
)

func main() {
	out := flag.String("o", "policy/names.rego", "file to write the module into")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "skillc-gen-rego:", err)
		os.Exit(1)
	}
}

// run writes the module to path unless it already holds exactly that.
func run(path string) error {
	want := policy.NamesModule()
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, want) {
		return nil
	}
	if info, err := os.Lstat(path); err == nil && !info.Mode().IsRegular() {
		// A link would carry the write elsewhere: the file is not ours to replace.
		return fmt.Errorf("%s is not a regular file (%v): refused", path, info.Mode().Type())
	}
	if err := os.WriteFile(path, want, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
