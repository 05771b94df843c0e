package main

import (
	"os"
	"path/filepath"
	"strings"
)

// reportPaths rewrites the files of the CI report formats (github, sarif, junit) relative to the
// root that GitHub code scanning, workflow annotations and test reporters resolve them against: the
// base directory when given (--base-dir), else the git repository around the working directory,
// else the working directory. A file outside the root (or a name that is no path, <stdin>) is kept
// as given: people write ${{ github.workspace }}/skills, and an absolute path matches no file of
// the repository in a pull request's annotations.
func reportPaths(baseDir string) (func(string) string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	root := baseDir
	switch {
	case root != "":
		if root, err = filepath.Abs(root); err != nil {
			return nil, err
		}
	default:
		root = gitTopLevel(wd)
	}
	return func(file string) string {
		if strings.HasPrefix(file, "<") {
			return file
		}
		abs := file
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(wd, abs)
		}
		rel, err := filepath.Rel(root, abs)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return file
		}
		return filepath.ToSlash(rel)
	}, nil
}

// gitTopLevel is the nearest folder at or above dir with a .git (a folder, or the file of a
// worktree or submodule): git rev-parse --show-toplevel without running git. No repository: dir.
func gitTopLevel(dir string) string {
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil { // existence only: nothing is opened through it
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}
