package main

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/permissions"
	"github.com/skillc-dev/skillc/source"
)

// diffOptions are the flags of diff: the report format, the git base, and the source flags that
// change what a source tree compiles to (both sides compile with them).
type diffOptions struct {
	sourceFlags
	walkFlags
	format  string
	gitBase string
}

func newDiffCommand() *cobra.Command {
	o := &diffOptions{}
	cmd := &cobra.Command{
		Use:   "diff OLD NEW... | diff --git-base REF [PATH...]",
		Short: "Show the permissions a change grants and revokes, per run and per pack",
		Long: `Compare the permissions of two versions of a platform: RBAC grants (one line per scope, API
group, resource and verb), host access (host namespaces, hostPath mounts, privileged, root),
container images and secrets, per run and per skill pack.

OLD and NEW are each a source tree (compiled here; the policy gate does not run, so a dangerous
change is shown rather than refused) or a render: a YAML stream or an -o DIR tree of skillc output.
OLD is the first argument; every other one is NEW, read together as compile reads its PATHs
(skillc diff rendered/ skills/ tenants/ compares a render with the sources that replace it).
With --git-base REF, OLD is the PATHs (default .) as of the git revision REF and NEW is the working
tree; --config is then read as of REF for OLD. The source flags apply to both sides.

Exit codes: 0 compared (with or without changes), 2 bad input or usage.`,
		Example: `  # What does this pull request grant?
  skillc diff --git-base origin/main skills/ tenants/

  # Two renders, as a pull-request comment
  skillc diff --format markdown rendered-before/ rendered-after/`,
		Args: func(cmd *cobra.Command, args []string) error {
			if o.gitBase == "" && len(args) < 2 {
				return fmt.Errorf("diff takes OLD and NEW... (or --git-base REF [PATH...]), got %d argument(s)", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDiff(cmd, o, args)
		},
	}
	o.addSourceFlags(cmd)
	o.addWalkFlags(cmd)
	addFormatFlag(cmd, &o.format, permissions.Formats)
	f := cmd.Flags()
	f.StringVar(&o.gitBase, "git-base", "", "compare the PATHs as of the git revision `REF` with the working tree")
	f.StringVar(&o.format, "output", "text", "")
	deprecate(cmd, "output", "use --format instead (-o/--output-dir is always a directory)")
	f.String("profile", "", "")
	deprecate(cmd, "profile", "it has no effect: diff never runs the policy gate (use skillc check --profile); remove it")
	return cmd
}

// diffSide is one side of the comparison: its paths, its config file, and how to name its files
// in messages (a git side names them REF:path, not by the temporary folder they were written to).
type diffSide struct {
	paths  []string
	config string
	rename func(string) string
}

func runDiff(cmd *cobra.Command, o *diffOptions, args []string) error {
	if !slices.Contains(permissions.Formats, o.format) {
		return fmt.Errorf("--format: must be one of %v, got %q", permissions.Formats, o.format)
	}
	same := func(s string) string { return s }
	oldSide := diffSide{paths: args[:min(1, len(args))], config: o.configFile, rename: same}
	newSide := diffSide{paths: args[min(1, len(args)):], config: o.configFile, rename: same}
	if o.gitBase != "" {
		if len(args) == 0 {
			args = []string{"."}
		}
		tmp, err := os.MkdirTemp("", "skillc-diff-")
		if err != nil {
			return internalError(err)
		}
		defer os.RemoveAll(tmp)
		oldSide, newSide, err = gitSides(cmd.Context(), o, args, tmp)
		if err != nil {
			return refused("skillc: --git-base %s: %v", o.gitBase, err)
		}
	}
	// The two sides load at once (a large render is mostly sequential YAML parsing); not when one
	// reads stdin, which only one of them may consume.
	var oldSet, newSet permissions.Set
	var oldDiags, newDiags diag.Diagnostics
	var g errgroup.Group
	if slices.Contains(args, "-") {
		g.SetLimit(1)
	}
	g.Go(func() (err error) {
		oldSet, oldDiags, err = loadPermissions(cmd, o, oldSide)
		return err
	})
	g.Go(func() (err error) {
		newSet, newDiags, err = loadPermissions(cmd, o, newSide)
		return err
	})
	if err := g.Wait(); err != nil {
		return err
	}
	if oldDiags.HasErrors() || newDiags.HasErrors() {
		return failed(append(oldDiags.Filter(diag.SeverityError), newDiags.Filter(diag.SeverityError)...))
	}
	var out bytes.Buffer
	if err := permissions.Write(&out, o.format, permissions.Diff(oldSet, newSet)); err != nil {
		return internalError(err)
	}
	_, _ = cmd.OutOrStdout().Write(out.Bytes()) // a failure is kept and reported by run
	// With -v, what the walks skipped (loadPermissions returns no other diagnostics here).
	return (&outcome{}).note(append(oldDiags, newDiags...))
}

// loadPermissions reads one side: a render is decoded, sources are compiled without the gate.
// Warnings are not printed: the diff is about permissions, and check reports the rest. Without
// errors, the diagnostics are the notes -v asks for.
func loadPermissions(cmd *cobra.Command, o *diffOptions, side diffSide) (permissions.Set, diag.Diagnostics, error) {
	if len(side.paths) == 0 {
		return permissions.Set{}, nil, nil // a path that did not exist at the git base
	}
	rename := func(ds diag.Diagnostics) diag.Diagnostics {
		for i := range ds {
			ds[i].File = side.rename(ds[i].File)
		}
		return ds
	}
	files, diags := o.read(cmd, side.paths)
	if diags.HasErrors() {
		return nil, rename(asFlags(diags)), nil
	}
	notes := asFlags(diags)
	objs, sources, diags := permissions.ReadRendered(files)
	if diags.HasErrors() {
		return nil, rename(diags), nil
	}
	if sources {
		// No profile: the gate does not run. The target shapes the objects as compile's do.
		opts := compile.Options{Identity: o.identity, Sidecars: o.sidecars, Target: o.target}
		if side.config != "" {
			cfg, diags := source.LoadConfig(side.config)
			if diags.HasErrors() {
				return nil, rename(asFlags(diags)), nil
			}
			opts.Config = cfg
		}
		res, diags, err := compileFiles(cmd, files, opts)
		if err != nil {
			return nil, nil, err
		}
		if diags.HasErrors() {
			return nil, rename(diags), nil
		}
		objs = res.Objects
		notes = append(notes, diags...)
	}
	if !o.verbose {
		return permissions.FromObjects(objs), nil, nil
	}
	notes = slices.DeleteFunc(notes, func(d diag.Diagnostic) bool { return !d.Detail })
	notes.Sort()
	return permissions.FromObjects(objs), rename(notes), nil
}

// gitSides materializes the PATHs (and --config) as of REF under tmp with git archive, and pairs
// them with the working tree's. A PATH missing on one side is an empty side: the pull request adds
// or deletes it.
func gitSides(ctx context.Context, o *diffOptions, paths []string, tmp string) (diffSide, diffSide, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	top, err := git(ctx, "", "rev-parse", "--show-toplevel")
	if err != nil {
		return diffSide{}, diffSide{}, fmt.Errorf("not in a git repository (or git is not installed): %w", err)
	}
	top = strings.TrimSpace(top)
	if _, err := git(ctx, top, "rev-parse", "--verify", "--quiet", o.gitBase+"^{commit}"); err != nil {
		return diffSide{}, diffSide{}, fmt.Errorf("not a commit in this repository")
	}
	cwd, err := os.Getwd()
	if err != nil {
		return diffSide{}, diffSide{}, fmt.Errorf("working directory: %w", err)
	}
	if real, err := filepath.EvalSymlinks(cwd); err == nil {
		cwd = real // git reports the top level with links resolved
	}
	rel := func(p string) (string, error) {
		if !filepath.IsAbs(p) {
			p = filepath.Join(cwd, p)
		}
		r, err := filepath.Rel(top, p)
		if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
			return "", fmt.Errorf("%s is outside the repository %s", p, top)
		}
		return filepath.ToSlash(r), nil
	}
	atBase := func(r string) bool {
		if r == "." {
			return true
		}
		_, err := git(ctx, top, "cat-file", "-e", o.gitBase+":"+r)
		return err == nil
	}
	oldSide := diffSide{rename: func(name string) string {
		if r, ok := strings.CutPrefix(name, tmp+string(filepath.Separator)); ok {
			return o.gitBase + ":" + filepath.ToSlash(r)
		}
		return name
	}}
	newSide := diffSide{config: o.configFile, rename: func(s string) string { return s }}
	var want []string
	for _, p := range paths {
		r, err := rel(p)
		if err != nil {
			return diffSide{}, diffSide{}, err
		}
		inBase := atBase(r)
		_, statErr := os.Stat(p)
		if !inBase && statErr != nil {
			return diffSide{}, diffSide{}, fmt.Errorf("%s: exists neither at the base nor in the working tree", p)
		}
		if inBase {
			want = append(want, r)
			oldSide.paths = append(oldSide.paths, filepath.Join(tmp, filepath.FromSlash(r)))
		}
		if statErr == nil {
			newSide.paths = append(newSide.paths, p)
		}
	}
	if o.configFile != "" {
		r, err := rel(o.configFile)
		if err != nil {
			return diffSide{}, diffSide{}, err
		}
		if atBase(r) {
			want = append(want, r)
			oldSide.config = filepath.Join(tmp, filepath.FromSlash(r))
		}
	}
	if len(want) > 0 {
		if err := gitArchive(ctx, top, o.gitBase, want, tmp); err != nil {
			return diffSide{}, diffSide{}, err
		}
	}
	return oldSide, newSide, nil
}

// git runs git in dir and returns its stdout; its stderr becomes the error.
func git(ctx context.Context, dir string, args ...string) (string, error) {
	c := exec.CommandContext(ctx, "git", args...)
	c.Dir = dir
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return "", fmt.Errorf("git %s: %s: %w", args[0], msg, err)
		}
		return "", fmt.Errorf("git %s: %w", args[0], err)
	}
	return stdout.String(), nil
}

// gitArchive writes the paths (relative to the top level) as of ref under dir.
func gitArchive(ctx context.Context, top, ref string, paths []string, dir string) error {
	out, err := git(ctx, top, append([]string{"archive", "--format=tar", ref, "--"}, paths...)...)
	if err != nil {
		return err
	}
	tr := tar.NewReader(strings.NewReader(out))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading git archive: %w", err)
		}
		name := filepath.FromSlash(strings.TrimSuffix(h.Name, "/"))
		if !filepath.IsLocal(name) {
			return fmt.Errorf("git archive holds the unsafe path %q", h.Name)
		}
		target := filepath.Join(dir, name)
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(target, 0o755)
		case tar.TypeReg:
			if err = os.MkdirAll(filepath.Dir(target), 0o755); err == nil {
				var data []byte
				if data, err = io.ReadAll(tr); err == nil {
					err = os.WriteFile(target, data, 0o644)
				}
			}
		case tar.TypeSymlink:
			// Kept as a link: the walk refuses it, as it refuses one in the working tree.
			if err = os.MkdirAll(filepath.Dir(target), 0o755); err == nil {
				err = os.Symlink(h.Linkname, target)
			}
		}
		if err != nil {
			return fmt.Errorf("writing %s: %w", h.Name, err)
		}
	}
}
