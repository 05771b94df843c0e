package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/distribution/reference"
	"github.com/spf13/cobra"

	"github.com/skillc-dev/skillc/scaffold"
)

type newPackOptions struct {
	sidecar string
	outDir  string
}

// newTemplates are new's subcommands, for the message that names them.
const newTemplates = "pack, instance, run or config"

func newNewCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "new TEMPLATE",
		Short: "Write a new source from a template: " + newTemplates,
		Long: `Write a new, commented source that compiles as written: a SkillPack (new pack), an Agent
(new instance), an AgentRun (new run) or the platform's CompilerConfig (new config). Nothing is
overwritten: an existing file is refused, exit 2, before anything is written. An unknown TEMPLATE
is exit 2 too.`,
		Example: `  skillc new config
  skillc new pack hello -o skills/
  skillc new instance bot --namespace team-a --pack hello -o tenants/
  skillc new run bot-first --instance bot --namespace team-a -o tenants/`,
		// Without this, cobra prints help and exits 0 for any word after new.
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return fmt.Errorf("new needs a template: %s", newTemplates)
			}
			return fmt.Errorf("new: unknown template %q: want %s", args[0], newTemplates)
		},
		RunE: func(*cobra.Command, []string) error { return nil },
	}
	cmd.AddCommand(newNewPackCommand(), newNewInstanceCommand(), newNewRunCommand(), newNewConfigCommand())
	return cmd
}

// addNewOutputDir is -o DIR of the new subcommands.
func addNewOutputDir(cmd *cobra.Command, dir *string, what string) {
	cmd.Flags().StringVarP(dir, "output-dir", "o", ".", "write the "+what+" into `DIR`")
	_ = cmd.MarkFlagDirname("output-dir")
}

type newInstanceOptions struct {
	namespace string
	packs     []string
	outDir    string
}

func newNewInstanceCommand() *cobra.Command {
	o := &newInstanceOptions{}
	cmd := &cobra.Command{
		Use:   "instance NAME --namespace NS [--pack PACK]... [-o DIR]",
		Short: "Write an Agent that toggles the given packs",
		Long: `Write DIR/NAME.yaml (DIR defaults to .): an Agent (v0.10's name for a SympoziumInstance) in
namespace NS whose spec.skills toggle each --pack, in order, and a model to replace. A pack resolves
in NS first, then in the catalog namespace; check and compile report a pack that resolves nowhere.
Toggle more later with skillc enable, which shows what the pack grants first.

Nothing is overwritten: an existing file is refused, exit 2.`,
		Example: `  skillc new instance bot --namespace team-a --pack hello --pack cluster-triage -o tenants/`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.namespace == "" {
				return errors.New("--namespace NS is required: the namespace the instance and its runs live in")
			}
			plan, err := scaffold.Instance(args[0], o.namespace, o.packs, o.outDir)
			if err != nil {
				return err
			}
			return applyPlan(cmd, plan, &outcome{})
		},
	}
	cmd.Flags().StringVar(&o.namespace, "namespace", "", "the namespace of the new instance or run, `NS`")
	cmd.Flags().StringArrayVar(&o.packs, "pack", nil, "toggle the SkillPack `PACK`; repeatable, in order")
	addNewOutputDir(cmd, &o.outDir, "instance")
	return cmd
}

type newRunOptions struct {
	instance, namespace, outDir string
}

func newNewRunCommand() *cobra.Command {
	o := &newRunOptions{}
	cmd := &cobra.Command{
		Use:   "run NAME --instance INSTANCE --namespace NS [-o DIR]",
		Short: "Write an AgentRun of an instance",
		Long: `Write DIR/NAME.yaml (DIR defaults to .): an AgentRun of the instance (an Agent or
SympoziumInstance) INSTANCE in namespace NS, with a task to replace. It runs with the instance's
skills; list its own under spec.skills (or use skillc enable --run) to replace them.

Nothing is overwritten: an existing file is refused, exit 2.`,
		Example: `  skillc new run bot-first --instance bot --namespace team-a -o tenants/`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.instance == "" || o.namespace == "" {
				return errors.New("--instance INSTANCE and --namespace NS are required: the instance the run belongs to, and its namespace")
			}
			plan, err := scaffold.Run(args[0], o.instance, o.namespace, o.outDir)
			if err != nil {
				return err
			}
			return applyPlan(cmd, plan, &outcome{})
		},
	}
	cmd.Flags().StringVar(&o.instance, "instance", "", "the instance (Agent) `INSTANCE` the run belongs to, in its namespace")
	cmd.Flags().StringVar(&o.namespace, "namespace", "", "the namespace of the new instance or run, `NS`")
	addNewOutputDir(cmd, &o.outDir, "run")
	return cmd
}

func newNewConfigCommand() *cobra.Command {
	var outDir string
	cmd := &cobra.Command{
		Use:   "config [-o DIR]",
		Short: "Write the platform's CompilerConfig, its defaults written out",
		Long: `Write DIR/` + scaffold.ConfigFile + ` (DIR defaults to .): a CompilerConfig with the default images,
identity, sidecar mode and target written out and commented, and the restricted policy profile.
Pass it to every command with --config.

Nothing is overwritten: an existing file is refused, exit 2.`,
		Example: `  skillc new config -o platform/`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			plan, err := scaffold.Config(outDir)
			if err != nil {
				return err
			}
			return applyPlan(cmd, plan, &outcome{})
		},
	}
	addNewOutputDir(cmd, &outDir, "config")
	return cmd
}

// applyPlan writes a scaffold plan, one line per file on stdout, each path relative to the
// working directory when it lies under it (as the user would type it), else as given.
func applyPlan(cmd *cobra.Command, plan *scaffold.Plan, note *outcome) error {
	for _, w := range plan.Warnings {
		note.notef("skillc: warning: %s", w)
	}
	out := cmd.OutOrStdout()
	wd, _ := os.Getwd()
	return note.then(plan.Apply(func(path string, replaced bool) {
		verb := "wrote"
		if replaced {
			verb = "updated"
		}
		fmt.Fprintf(out, "%s %s\n", verb, displayPath(wd, path))
	}))
}

// displayPath is path relative to wd when it lies under wd, else path as it is.
func displayPath(wd, path string) string {
	abs, err := filepath.Abs(path)
	if wd == "" || err != nil {
		return path
	}
	if rel, err := filepath.Rel(wd, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return rel
	}
	return path
}

func newNewPackCommand() *cobra.Command {
	o := &newPackOptions{}
	cmd := &cobra.Command{
		Use:   "pack NAME [--sidecar IMAGE] [-o DIR]",
		Short: "Write a SkillPack that passes --profile restricted as written",
		Long: `Write DIR/NAME.yaml (DIR defaults to .): a SkillPack with one skill in the prescriptive
structure of the SkillPack guide (exact commands, an output table, error handling). With --sidecar,
the pack gets a least-privilege sidecar: read-only verbs on named resources, resources set, the
image as given (pin it by digest before production).

When DIR lies in a repository that builds its sidecar images (an images/ folder and a Makefile
IMAGES list, looked for from DIR upwards to the repository's top), --sidecar also writes
images/skill-NAME/Dockerfile (multi-stage, running as UID 1000) and adds skill-NAME to the Makefile's
IMAGES and to the image matrix of each .github/workflows file that has one.

Nothing is overwritten: an existing file is refused, exit 2, before anything is written.`,
		Example: `  skillc new pack release-notes -o skills/
  skillc new pack quota-check --sidecar ghcr.io/example/skill-quota-check:0.1.0 -o skills/`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runNewPack(cmd, o, args[0])
		},
	}
	cmd.Flags().StringVar(&o.sidecar, "sidecar", "", "give the pack a sidecar running `IMAGE` (a version tag or a digest)")
	addNewOutputDir(cmd, &o.outDir, "pack")
	cmd.Flags().StringVar(&o.outDir, "output", ".", "")
	deprecate(cmd, "output", "use --output-dir (-o) instead")
	return cmd
}

// runNewPack writes the pack; warnings go to stderr.
func runNewPack(cmd *cobra.Command, o *newPackOptions, name string) error {
	if err := scaffold.CheckName(name); err != nil {
		return err
	}
	if o.sidecar != "" {
		ref, err := reference.ParseNormalizedNamed(o.sidecar)
		if err != nil {
			return fmt.Errorf("--sidecar: invalid image reference %q: %v", o.sidecar, err)
		}
		_, digested := ref.(reference.Digested)
		tagged, hasTag := ref.(reference.Tagged)
		if !digested && (!hasTag || tagged.Tag() == "latest") {
			return fmt.Errorf("--sidecar: image %q has no version tag or digest: --profile restricted denies it (IMG-01); give :VERSION or @sha256:DIGEST", o.sidecar)
		}
	}
	plan, err := scaffold.Pack(name, o.sidecar, o.outDir)
	if err != nil {
		return err
	}
	return applyPlan(cmd, plan, &outcome{})
}
