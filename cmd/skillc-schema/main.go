// Command skillc-schema writes the JSON Schemas of skillc's input kinds (compile/schema) into a
// directory, one file per kind in kubeconform's {{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json
// layout. It writes only those files and removes nothing.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/skillc-dev/skillc/compile/schema"
)

func main() {
	dir := flag.String("o", "schemas", "directory to write the schemas into")
	flag.Parse()
	if err := run(*dir, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "skillc-schema:", err)
		os.Exit(1)
	}
}

// run writes the schemas that differ from what dir holds and names each on w.
func run(dir string, w io.Writer) error {
	files, err := schema.Generate()
	if err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if info, err := os.Lstat(path); err == nil && !info.Mode().IsRegular() {
			// A link would carry the write outside the directory: the file is not ours to replace.
			return fmt.Errorf("%s is not a regular file (%v): refused", path, info.Mode().Type())
		}
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, files[name]) {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			return err
		}
		fmt.Fprintln(w, "wrote", path)
	}
	return nil
}
