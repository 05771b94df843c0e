package main

import (
	"fmt"

	"github.com/distribution/reference"
	"github.com/spf13/cobra"

	"github.com/skillc-dev/skillc/scaffold"
)

type newPackOptions struct {
	sidecar string
	outDir  string
}

func newNewCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "new",
		Short: "Write a new source from a template",
	}
	cmd.AddCommand(newNewPackCommand())
	return cmd
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
			note := &outcome{}
			return note.then(runNewPack(cmd, o, args[0], note))
		},
	}
	cmd.Flags().StringVar(&o.sidecar, "sidecar", "", "give the pack a sidecar running `IMAGE` (a version tag or a digest)")
	cmd.Flags().StringVarP(&o.outDir, "output-dir", "o", ".", "write the pack into `DIR`")
	_ = cmd.MarkFlagDirname("output-dir")
	cmd.Flags().StringVar(&o.outDir, "output", ".", "")
	deprecate(cmd, "output", "use --output-dir (-o) instead")
	return cmd
}

// runNewPack writes the pack; note collects the warnings for stderr.
func runNewPack(cmd *cobra.Command, o *newPackOptions, name string, note *outcome) error {
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
	for _, w := range plan.Warnings {
		note.notef("skillc: warning: %s", w)
	}
	out := cmd.OutOrStdout()
	return plan.Apply(func(path string, replaced bool) {
		if replaced {
			fmt.Fprintf(out, "updated %s\n", path)
		} else {
			fmt.Fprintf(out, "wrote %s\n", path)
		}
	})
}
