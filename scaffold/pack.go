// Package scaffold writes new sources from templates: skillc new pack's SkillPack and, in a
// repository that builds sidecar images, its Dockerfile and the one-line edits that register it in
// the Makefile and the workflows. It returns errors and warnings; it never prints.
package scaffold

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/skillc-dev/skillc/render"
)

// planned is one file new pack writes: created (must not exist) or replaced (a registration).
type planned struct {
	path    string
	data    []byte
	old     []byte // the file as read, for a replacement
	replace bool
}

// linkOnTheWay refuses a symlink at base or at any existing folder between base and path: skillc
// never writes through a link (a committed `skills -> /etc` would otherwise take the new file).
func linkOnTheWay(base, path string) error {
	rel, err := filepath.Rel(base, filepath.Dir(path))
	if err != nil {
		return err
	}
	dir := base
	for _, part := range append([]string{"."}, strings.Split(rel, string(filepath.Separator))...) {
		dir = filepath.Join(dir, part)
		fi, err := os.Lstat(dir)
		if errors.Is(err, fs.ErrNotExist) {
			return nil // created by createFile, as a real folder
		}
		if err != nil {
			return fmt.Errorf("%s: %w", dir, err)
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%s is a symlink: skillc never writes through a link; give the folder's real path", dir)
		}
	}
	return nil
}

// createFile writes a new file; an existing one (also a symlink, dangling or not) is an error.
func createFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("%s: %w", filepath.Dir(path), err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path) // created above by this call
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

var imagesLineRE = regexp.MustCompile(`(?m)^IMAGES\s*:?=.*$`)

// imageRepository finds, from dir upwards to the repository's top (a folder with .git), the
// folder that builds sidecar images: it has images/ and a Makefile with an IMAGES list.
func imageRepository(dir string) (string, bool, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", false, fmt.Errorf("%s: %w", dir, err)
	}
	for d := abs; ; d = filepath.Dir(d) {
		mk, err := os.ReadFile(filepath.Join(d, "Makefile"))
		if fi, serr := os.Stat(filepath.Join(d, "images")); err == nil && serr == nil && fi.IsDir() && imagesLineRE.Match(mk) {
			return d, true, nil
		}
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil || filepath.Dir(d) == d {
			return "", false, nil
		}
	}
}

var matrixLineRE = regexp.MustCompile(`^(\s*image:\s*\[)([^\]]*)(\]\s*(#.*)?)$`)

// registrations adds img to the Makefile's IMAGES and to each workflow's image matrix, one line
// each, as the repository's own test (skills/skills_test.go) requires.
func registrations(root, img string) ([]planned, error) {
	var out []planned
	mkPath := filepath.Join(root, "Makefile")
	mk, err := os.ReadFile(mkPath)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", mkPath, err)
	}
	loc := imagesLineRE.FindIndex(mk)
	line := string(mk[loc[0]:loc[1]])
	if strings.HasSuffix(line, "\\") {
		return nil, fmt.Errorf("%s: IMAGES continues over several lines: add %s by hand", mkPath, img)
	}
	if !slices.Contains(strings.Fields(line[strings.Index(line, "=")+1:]), img) {
		trimmed := strings.TrimRight(line, " \t\r")
		edited := append(append(append([]byte{}, mk[:loc[0]]...), trimmed+" "+img+line[len(trimmed):]...), mk[loc[1]:]...)
		out = append(out, planned{path: mkPath, data: edited, old: mk, replace: true})
	}
	wfs, _ := filepath.Glob(filepath.Join(root, ".github", "workflows", "*.y*ml"))
	slices.Sort(wfs)
	for _, wf := range wfs {
		data, err := os.ReadFile(wf)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", wf, err)
		}
		lines := strings.SplitAfter(string(data), "\n")
		changed := false
		for i, l := range lines {
			body := strings.TrimRight(l, "\r\n")
			m := matrixLineRE.FindStringSubmatch(body)
			if m == nil {
				continue
			}
			items := strings.Split(m[2], ",")
			for j := range items {
				items[j] = strings.TrimSpace(items[j])
			}
			if slices.Contains(items, img) {
				continue
			}
			inner := strings.TrimRight(m[2], " ")
			sep := ", "
			if strings.TrimSpace(inner) == "" {
				sep = ""
			}
			lines[i] = m[1] + inner + sep + img + m[3] + l[len(body):]
			changed = true
		}
		if changed {
			out = append(out, planned{path: wf, data: []byte(strings.Join(lines, "")), old: data, replace: true})
		}
	}
	return out, nil
}

func packTemplate(name, image string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `# %[1]s: written by skillc new pack. It compiles clean under --profile restricted as written;
# replace each TODO, then check it with: skillc check --profile restricted <this file> <an instance>
apiVersion: sympozium.ai/v1alpha1
kind: SkillPack
metadata:
  name: %[2]s
  namespace: sympozium-system
spec:
  category: custom
  version: "0.1.0"
  source: custom
  skills:
    - name: %[2]s
      description: TODO one line saying what the skill does and when the agent should use it
`, name, yamlString(name))
	if image == "" {
		fmt.Fprintf(&b, `      content: |
        # %[1]s

        Use this skill when TODO (the question it answers).

        ## Steps (run exactly these, in order)
        1. `+"`ls -la /workspace`"+` — list what the run was given.
        2. `+"`grep -rn \"ERROR\" /workspace --include=*.log`"+` — find the errors.

        ## Output
        Answer with this table, one row per finding, nothing before it:

        | File | Line | Finding | Next step |
        |------|------|---------|-----------|

        ## Errors
        - A command fails: quote its error line in the table with "failed" as the finding; do not retry it.
        - No files in /workspace: say "no input" and stop.
`, name)
		return b.String()
	}
	fmt.Fprintf(&b, `      content: |
        # %[1]s

        Use this skill when TODO (the question it answers).

        ## Steps (run exactly these, in order)
        1. `+"`kubectl get configmap %[1]s-config -n <namespace> -o yaml`"+` — read the settings.
        2. `+"`kubectl get events -n <namespace> --sort-by=.lastTimestamp`"+` — the recent events.

        ## Output
        Answer with this table, one row per finding, nothing before it:

        | Object | Reason | Since | Next step |
        |--------|--------|-------|-----------|

        ## Errors
        - `+"`Forbidden`"+`: the skill may read only what its RBAC lists; report the denied request and stop,
          do not retry with other verbs or resources.
        - `+"`NotFound`"+`: report the missing object by name and continue with the next step.
        - A command hangs for more than 30 seconds: stop it and report a timeout.
      requires:
        bins: [kubectl]
  sidecar:
    # TODO pin by digest before production (IMAGE@sha256:...): a re-pushed tag runs new code.
    image: %[2]s
    command: ["sleep", "infinity"]
    resources:
      cpu: 100m
      memory: 128Mi
    # The root filesystem is read-only; /tmp and $HOME (/home/skill) are writable. Only if the
    # image must write elsewhere: readOnlyRootFilesystem: false (restricted then warns, POD-12).
    # Least privilege: read-only verbs on the named objects the steps above read.
    rbac:
      - apiGroups: [""]
        resources: ["configmaps"]
        resourceNames: ["%[1]s-config"]
        verbs: ["get"]
      - apiGroups: [""]
        resources: ["events"]
        verbs: ["list"]
`, name, image)
	return b.String()
}

func dockerfileTemplate(name string) string {
	return fmt.Sprintf(`# skill-%[1]s: the sidecar of the %[1]s SkillPack, written by skillc new pack. Only the kubectl
# binary is taken from its image; the final stage runs as UID 1000, as the pod does.
FROM registry.k8s.io/kubectl:v1.34.2 AS kubectl

FROM alpine:3.22.2
RUN apk add --no-cache bash jq \
 && adduser -D -u 1000 agent
COPY --from=kubectl /bin/kubectl /usr/local/bin/kubectl
# Pods run as UID 1000 with runAsNonRoot: the image must not need root.
USER 1000
WORKDIR /workspace
CMD ["sleep", "infinity"]
`, name)
}

// CheckName refuses a pack name that is not a DNS label, or too long to leave room for the run's
// name in the names the pack's objects get.
func CheckName(name string) error {
	if errs := validation.IsDNS1123Label(name); len(errs) > 0 {
		return fmt.Errorf("pack name %q: %s", name, strings.Join(errs, "; "))
	}
	// skill-NAME is a container name, and sympozium-skill-NAME-RUN an RBAC name: leave room.
	if len(name) > 40 {
		return fmt.Errorf("pack name %q: longer than 40 characters leaves no room for the run's name in sympozium-skill-%s-<run>", name, name)
	}
	return nil
}

// Plan is what Pack writes: the files, in order, and the warnings found while planning.
type Plan struct {
	files    []planned
	Warnings []string
}

// Pack plans DIR/NAME.yaml, a SkillPack with one skill (and, with image, a least-privilege
// sidecar running it; image is a reference already checked to carry a version tag or a digest).
// When DIR lies in a repository that builds its sidecar images (images/ and a Makefile IMAGES
// list, from DIR upwards to the repository's top), it also plans images/skill-NAME/Dockerfile and
// the one-line registrations of skill-NAME in the Makefile and each workflow's image matrix.
// Everything is checked before anything is written: an existing file, a symlink on the way or a
// registration that is not a regular file is an error, and nothing is planned.
func Pack(name, image, dir string) (*Plan, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	p := &Plan{}
	plan := []planned{{path: filepath.Join(dir, name+".yaml"), data: []byte(packTemplate(name, image))}}
	if image != "" {
		root, ok, err := imageRepository(dir)
		if err != nil {
			return nil, err
		}
		if ok {
			img := "skill-" + name
			if !strings.Contains(image, "/"+img+":") && !strings.Contains(image, "/"+img+"@") {
				p.Warnings = append(p.Warnings, fmt.Sprintf("this repository builds images/%s, but the pack runs %s: name the image .../%s:VERSION to run what it builds", img, image, img))
			}
			regs, err := registrations(root, img)
			if err != nil {
				return nil, err
			}
			plan = append(plan, planned{path: filepath.Join(root, "images", img, "Dockerfile"), data: []byte(dockerfileTemplate(name))})
			plan = append(plan, regs...)
		}
	}
	// Everything is checked before anything is written: no half-made pack.
	repoRoot := dir
	if len(plan) > 1 {
		repoRoot, _, _ = imageRepository(dir)
	}
	if err := checkPlan(plan, dir, repoRoot); err != nil {
		return nil, err
	}
	p.files = plan
	return p, nil
}

// checkPlan refuses, before anything is written, an existing file where a new one goes, a
// registration that is not a regular file, and a symlink on the way to any of them: the first
// file lies under dir, the others under repoRoot.
func checkPlan(plan []planned, dir, repoRoot string) error {
	for i, f := range plan {
		base := repoRoot
		if i == 0 {
			base = dir
		}
		if err := linkOnTheWay(base, f.path); err != nil {
			return err
		}
		fi, err := os.Lstat(f.path)
		switch {
		case !f.replace && err == nil:
			return fmt.Errorf("%s exists: refusing to overwrite it", f.path)
		case !f.replace && !errors.Is(err, fs.ErrNotExist):
			return fmt.Errorf("%s: %w", f.path, err)
		case f.replace && (err != nil || !fi.Mode().IsRegular()):
			return fmt.Errorf("%s: not a regular file (a symlink?): refusing to edit it", f.path)
		}
	}
	return nil
}

// newFile plans one new file, DIR/name, checked as Pack checks its files.
func newFile(dir, name string, data []byte) (*Plan, error) {
	plan := []planned{{path: filepath.Join(dir, name), data: data}}
	if err := checkPlan(plan, dir, dir); err != nil {
		return nil, err
	}
	return &Plan{files: plan}, nil
}

// Apply writes the plan in order: new files created (never over an existing one), registrations
// replaced atomically and only if unchanged since they were read. done is told of each file once
// it is written; the first error stops the run.
func (p *Plan) Apply(done func(path string, replaced bool)) error {
	for _, f := range p.files {
		if f.replace {
			if err := render.ReplaceFile(f.path, f.old, f.data); err != nil {
				return err
			}
		} else if err := createFile(f.path, f.data); err != nil {
			return err
		}
		done(f.path, f.replace)
	}
	return nil
}
