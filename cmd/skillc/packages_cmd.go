package main

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/export"
	"github.com/skillc-dev/skillc/render"
	"github.com/skillc-dev/skillc/source"
)

// loadPacks reads the SkillPacks (YAML and SKILL.md packages) under paths; the outcome holds the
// warnings (and on bad input the errors, exit 2).
func loadPacks(cmd *cobra.Command, w *walkFlags, paths []string) ([]*api.SkillPack, *outcome) {
	files, diags := w.read(cmd, paths)
	diags = asFlags(diags)
	if !diags.HasErrors() {
		var in *api.Inputs
		var d diag.Diagnostics
		in, d = source.Load(files)
		diags = append(diags, d...)
		if !diags.HasErrors() {
			warnings := w.notes(diags).Filter(diag.SeverityWarning)
			return in.Packs, (&outcome{}).note(w.noted).note(warnings)
		}
	}
	diags.Sort()
	return nil, failed(diags.Filter(diag.SeverityError, diag.SeverityWarning))
}

func newImportCommand() *cobra.Command {
	var w walkFlags
	var outDir string
	var force, keepGoing bool
	cmd := &cobra.Command{
		Use:   "import PATH... -o DIR",
		Short: "Write SkillPack YAML for SKILL.md packages (folders or zips)",
		Long: `Read SKILL.md packages (Agent Skills or Wegent format, folders or zips) and write one SkillPack
manifest per package to DIR/<name>.yaml. The original front matter is kept as an annotation, so
export gives it back. Extra files have no place in a SkillPack: compile the package itself to
mount them.

What breaks the Agent Skills specification but not Kubernetes (a description over 1024
characters, a name that differs from its folder, front-matter keys of other clients such as
Claude Code's argument-hint) is a warning; the front matter's name wins over the folder's.

By default one bad package means nothing is written (exit 2). With --keep-going the valid
packages are written and the others reported (exit 2): fix them and import again, the files
already written are left as they are.

Import only adds files: an identical existing file is left as is, a different one is refused
(nothing is written) unless --force, nothing is removed. DIR may not be a symlink or a file, nor
be, contain or be inside an input PATH.`,
		Example: `  skillc import uploads/ -o skills/imported/
  skillc import vendor/skills/ -o skills/imported/ --keep-going`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if keepGoing {
				return importKeepGoing(cmd, &w, args, outDir, force)
			}
			packs, out := loadPacks(cmd, &w, args)
			if out.code != exitOK {
				return out
			}
			files := map[string][]byte{}
			from := map[string]string{}
			for _, p := range packs {
				src, fromPackage := p.Metadata.Annotations[source.AnnotationPackage]
				if !fromPackage {
					continue
				}
				if prev, dup := from[p.Metadata.Name]; dup {
					return out.notef("%s: package %q is also at %s: import one of them", src, p.Metadata.Name, prev).exit(exitBadInput)
				}
				from[p.Metadata.Name] = src
				y, diags := export.ImportManifest(p)
				out.note(diags)
				if diags.HasErrors() {
					return out.exit(exitBadInput)
				}
				files[p.Metadata.Name+".yaml"] = y
			}
			if len(files) == 0 {
				return out.notef("skillc: no SKILL.md packages found").exit(exitBadInput)
			}
			return out.then(writeOrFail(cmd, outDir, files, args, force))
		},
	}
	cmd.Flags().StringVarP(&outDir, "output-dir", "o", "", "`DIR` to write the SkillPacks into (required)")
	cmd.Flags().BoolVar(&force, "force", false, "replace existing files that differ from what import writes")
	cmd.Flags().BoolVar(&keepGoing, "keep-going", false, "write the valid packages and report the others (exit 2), instead of writing nothing")
	w.addWalkFlags(cmd)
	_ = cmd.MarkFlagRequired("output-dir")
	return cmd
}

// importKeepGoing is import --keep-going: every input is read and judged on its own, as
// kubeconform and conftest report each file; the valid packages are written, the others reported,
// and the exit is 2 if any was refused. Two packages of one name are both refused: picking one
// would depend on the walk order. The write itself stays all-or-nothing (render.Add refuses a
// different existing file before writing anything): it is one stage, not one package.
func importKeepGoing(cmd *cobra.Command, w *walkFlags, args []string, outDir string, force bool) error {
	inputs, diags := w.read(cmd, args)
	diags = asFlags(diags)
	in, d := source.Load(inputs)
	diags = append(diags, d...)
	byName := map[string][]*api.SkillPack{}
	for _, p := range in.Packs {
		if _, ok := p.Metadata.Annotations[source.AnnotationPackage]; ok {
			byName[p.Metadata.Name] = append(byName[p.Metadata.Name], p)
		}
	}
	files := map[string][]byte{}
	for _, name := range slices.Sorted(maps.Keys(byName)) {
		same := byName[name]
		if len(same) > 1 {
			for i, p := range same {
				other := same[(i+1)%len(same)].Metadata.Annotations[source.AnnotationPackage]
				diags = append(diags, diag.Diagnostic{File: p.Src.File, Line: p.Src.Line, Severity: diag.SeverityError,
					Message: fmt.Sprintf("package %q is also at %s: import one of them", name, other)})
			}
			continue
		}
		y, ds := export.ImportManifest(same[0])
		diags = append(diags, ds...)
		if !ds.HasErrors() {
			files[name+".yaml"] = y
		}
	}
	diags.Sort()
	rest := w.notes(diags).Filter(diag.SeverityError, diag.SeverityWarning)
	out := (&outcome{}).note(w.noted).note(rest)
	refused := refusedInputs(inputs, diags)
	if len(files) == 0 {
		if refused == 0 {
			return out.notef("skillc: no SKILL.md packages found").exit(exitBadInput)
		}
		return out.notef("skillc: no package imported, %d input(s) refused", refused).exit(exitBadInput)
	}
	if w := writeOrFail(cmd, outDir, files, args, force); w.code != exitOK {
		return out.then(w)
	}
	if refused > 0 {
		return out.notef("skillc: %d package(s) imported into %s, %d input(s) refused (the errors above): nothing of theirs was written", len(files), outDir, refused).exit(exitBadInput)
	}
	return out
}

// refusedInputs counts the inputs that errors were reported for: a package (folder or zip) once
// however many errors it has, any other file or path once.
func refusedInputs(inputs []source.File, diags diag.Diagnostics) int {
	roots := make([]string, 0, len(inputs))
	for _, f := range inputs {
		roots = append(roots, f.Name)
	}
	seen := map[string]bool{}
	for _, d := range diags {
		if d.Severity != diag.SeverityError {
			continue
		}
		key := d.File
		for _, r := range roots {
			if d.File == r || strings.HasPrefix(d.File, r+"/") {
				key = r
				break
			}
		}
		seen[key] = true
	}
	return len(seen)
}

func newExportCommand() *cobra.Command {
	var w walkFlags
	var outDir string
	var zips, force bool
	cmd := &cobra.Command{
		Use:   "export PATH... -o DIR [--zip]",
		Short: "Write SkillPacks as SKILL.md packages",
		Long: `Write every skill of the SkillPacks under PATH as a SKILL.md package, DIR/<skill>/SKILL.md, or
with --zip as DIR/<skill>.zip instead, laid out for Wegent's upload (<skill>/SKILL.md inside,
bindShells explicit). Either output imports again as it is (skillc import DIR).

Export only adds files: an identical existing file is left as is, a different one is refused
(nothing is written) unless --force, nothing is removed. DIR may not be a symlink or a file, nor
be, contain or be inside an input PATH.`,
		Example: `  skillc export skills/ -o dist/ --zip`,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			packs, out := loadPacks(cmd, &w, args)
			if out.code != exitOK {
				return out
			}
			files, diags := export.Export(packs, zips)
			out.note(diags)
			if diags.HasErrors() {
				return out.exit(exitBadInput)
			}
			return out.then(writeOrFail(cmd, outDir, files, args, force))
		},
	}
	cmd.Flags().StringVarP(&outDir, "output-dir", "o", "", "`DIR` to write the packages into (required)")
	cmd.Flags().BoolVar(&force, "force", false, "replace existing files that differ from what export writes")
	cmd.Flags().BoolVar(&zips, "zip", false, "write <skill>.zip for upload instead of the <skill>/ folder")
	w.addWalkFlags(cmd)
	_ = cmd.MarkFlagRequired("output-dir")
	return cmd
}

// writeOrFail adds files to DIR (render.Add: nothing is removed, a different existing file is
// refused unless force); a refusal or failure is one line "DIR: message" and exit 2, a full disk
// or an I/O error one line and exit 3 (systemFailure).
func writeOrFail(cmd *cobra.Command, dir string, files map[string][]byte, inputs []string, force bool) *outcome {
	err := render.Add(cmd.Context(), dir, files, inputs, force)
	if err == nil {
		return &outcome{}
	}
	note := "nothing was written"
	var pe render.PartialAdd
	if errors.As(err, &pe) && pe.Done > 0 {
		note = fmt.Sprintf("%d of %d file(s) written before %s, each complete; nothing was removed", pe.Done, pe.Total, pe.Rel)
	}
	if o := systemFailure("writing "+dir, err, note); o != nil {
		return o
	}
	return refused("%s: %v", dir, err)
}
