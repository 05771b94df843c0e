package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"
	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/skillc-dev/skillc/compile"
)

// buildFailed ends every failure of build: Argo CD applies what a plugin prints, and with
// auto-prune an empty render would delete the live objects.
const buildFailed = "skillc build: failed: nothing was written to stdout (an empty render with auto-prune would delete the live objects)"

func newBuildCommand() *cobra.Command {
	o := &compileOptions{}
	cmd := &cobra.Command{
		Use:   "build DIR",
		Short: "kustomize build DIR, then compile and gate the result (Argo CD plugin)",
		Long: `Run kustomize build on DIR in-process (plugins and exec functions disabled), compile the source
kinds in its output (SkillPack, SympoziumInstance, Agent, AgentRun, SympoziumSchedule; a
CompilerConfig among them is the config and is not emitted) and gate the result, exactly as
skillc fn does inside kustomize: sources are replaced by the compiled objects, every other object
passes through. Prints one YAML stream: the other objects as kustomize prints them, then the
compiled objects as skillc compile prints them.

It is the generate command of an Argo CD Config Management Plugin. On any error (kustomize, bad
input, a policy denial) nothing is written to stdout and the exit code is not 0, so Argo CD keeps
the live objects instead of pruning them. File names in messages come from the kustomization's
files; line numbers are not given (kustomize hands over objects, not files).`,
		Example: `  # What Argo CD runs in the application's folder
  skillc build .

  # Locally, with the platform's settings and extra policies
  skillc build --config platform.yaml --policy policies/ overlays/prod`,
		Args: cobra.ArbitraryArgs, // checked in runBuild, so that the failure line is printed too
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := runBuild(cmd, o, args); err != nil {
				fmt.Fprintln(cmd.ErrOrStderr(), buildFailed)
				return err
			}
			return nil
		},
	}
	o.addFlags(cmd)
	cmd.ValidArgsFunction = func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return nil, cobra.ShellCompDirectiveFilterDirs
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return fmt.Errorf("%w\n%s", err, buildFailed)
	})
	return cmd
}

func runBuild(cmd *cobra.Command, o *compileOptions, args []string) error {
	if len(args) != 1 {
		fmt.Fprintf(cmd.ErrOrStderr(), "skillc build: want exactly one DIR (a kustomization), got %d arguments\n", len(args))
		return exitError{2}
	}
	opts := compile.Options{Identity: o.identity, Sidecars: o.sidecars, Target: o.target, Profile: o.profile}
	if o.configFile != "" {
		cfg, diags := compile.LoadConfig(o.configFile)
		if diags.HasErrors() {
			reportDiagnostics(cmd, diags)
			return exitError{2}
		}
		opts.Config = cfg
	}
	items, userOrigin, err := kustomizeBuild(args[0])
	if err != nil {
		fmt.Fprintf(cmd.ErrOrStderr(), "skillc build: kustomize build %s: %v\n", args[0], err)
		return exitError{2}
	}
	r, err := compileItems(cmd, "build", args[0], items, nil, opts, o.policyDirs)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	for _, n := range r.passthrough {
		if !userOrigin {
			// Turned on for messages only: the render is what kustomize build would print.
			if err := n.PipeE(kyaml.ClearAnnotation(compile.AnnotationOrigin)); err != nil {
				return internalError(cmd, err)
			}
			if err := kyaml.ClearEmptyAnnotations(n); err != nil {
				return internalError(cmd, err)
			}
		}
		// As kustomize build prints: JSON, then sigs.k8s.io/yaml.
		j, err := n.MarshalJSON()
		if err != nil {
			return internalError(cmd, err)
		}
		y, err := sigsyaml.JSONToYAML(j)
		if err != nil {
			return internalError(cmd, err)
		}
		if out.Len() > 0 {
			out.WriteString("---\n")
		}
		out.Write(y)
	}
	compiled, err := compile.MarshalStream(r.objects)
	if err != nil {
		return internalError(cmd, err)
	}
	if out.Len() > 0 && len(compiled) > 0 {
		out.WriteString("---\n")
	}
	out.Write(compiled)
	_, err = cmd.OutOrStdout().Write(out.Bytes())
	return err
}

// kustomizeBuild runs kustomize build on dir, in-process, as `kustomize build` would (plugins
// disabled, files only under dir, kustomize's default order), with origin annotations turned on so
// that messages can name files. userOrigin: the kustomization asked for them itself (else they are
// not to be printed).
func kustomizeBuild(dir string) (items []*kyaml.RNode, userOrigin bool, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, false, err
	}
	fs := &originFS{FileSystem: filesys.MakeFsOnDisk(), root: filepath.Clean(abs)}
	opts := krusty.MakeDefaultOptions()
	opts.Reorder = krusty.ReorderOptionUnspecified // kustomize's default: legacy unless sortOptions
	rm, err := krusty.MakeKustomizer(opts).Run(fs, abs)
	if err != nil {
		return nil, false, err
	}
	return rm.ToRNodeSlice(), fs.userOrigin, nil
}

// originFS reads the disk, but adds `originAnnotations` to the root kustomization's buildMetadata.
type originFS struct {
	filesys.FileSystem
	root       string
	userOrigin bool // the kustomization asked for origin annotations itself
}

func (f *originFS) ReadFile(path string) ([]byte, error) {
	data, err := f.FileSystem.ReadFile(path)
	if err != nil || filepath.Dir(filepath.Clean(path)) != f.root || !slices.Contains(konfig.RecognizedKustomizationFileNames(), filepath.Base(path)) {
		return data, err
	}
	n, perr := kyaml.Parse(string(data))
	if perr != nil || n.YNode().Kind != kyaml.MappingNode {
		return data, nil // kustomize reports it
	}
	bm, perr := n.Pipe(kyaml.LookupCreate(kyaml.SequenceNode, "buildMetadata"))
	if perr != nil || bm == nil || bm.YNode().Kind != kyaml.SequenceNode {
		return data, nil
	}
	for _, e := range bm.Content() {
		if e.Value == types.OriginAnnotations {
			f.userOrigin = true
			return data, nil
		}
	}
	bm.YNode().Content = append(bm.YNode().Content, kyaml.NewStringRNode(types.OriginAnnotations).YNode())
	s, perr := n.String()
	if perr != nil {
		return data, nil
	}
	return []byte(s), nil
}
