package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	sigsyaml "sigs.k8s.io/yaml"
)

// releaseTag is the form of a release: release.yaml runs on tags v*, and every version we point
// users at (image tags, the action's default, the Application's revision) is one of them.
var releaseTag = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+$`)

// finalStage returns the lines of a Dockerfile's last stage (from its last FROM), continuation
// lines joined.
func finalStage(t *testing.T, path string) []string {
	t.Helper()
	data := strings.ReplaceAll(mustRead(t, path), "\\\n", " ")
	var stage []string
	for _, line := range strings.Split(data, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(strings.ToUpper(line), "FROM ") {
			stage = nil
		}
		stage = append(stage, line)
	}
	return stage
}

// instruction returns the arguments of the last instruction named name in lines, and whether it
// is there. An exec-form argument (a JSON array) is decoded; a shell form fails the test, since a
// shell-form ENTRYPOINT runs /bin/sh -c and ignores the container's args.
func instruction(t *testing.T, lines []string, name string) ([]string, bool) {
	t.Helper()
	var args []string
	var found bool
	for _, line := range lines {
		word, rest, _ := strings.Cut(line, " ")
		if !strings.EqualFold(word, name) {
			continue
		}
		found = true
		args = nil
		if err := json.Unmarshal([]byte(strings.TrimSpace(rest)), &args); err != nil {
			t.Fatalf("%s %s: not the exec form (a JSON array): %v", name, rest, err)
		}
	}
	return args, found
}

// TestImageEntrypoints: the KRM function image runs `skillc fn` (the function spec: a function
// MUST be runnable as a container reading a ResourceList on stdin), the CLI image runs skillc;
// both at the path the binary is copied to, and fn is a real subcommand. Read from the
// Dockerfiles: no Docker engine runs here.
func TestImageEntrypoints(t *testing.T) {
	for _, tc := range []struct {
		image string
		want  []string
	}{
		{"skillc-fn", []string{"/usr/local/bin/skillc", "fn"}},
		{"skillc", []string{"/usr/local/bin/skillc"}},
	} {
		t.Run(tc.image, func(t *testing.T) {
			stage := finalStage(t, filepath.Join("images", tc.image, "Dockerfile"))
			got, ok := instruction(t, stage, "ENTRYPOINT")
			if !ok || !slices.Equal(got, tc.want) {
				t.Fatalf("ENTRYPOINT %q, want %q", got, tc.want)
			}
			// A CMD would be appended to the entrypoint's arguments.
			if cmd, ok := instruction(t, stage, "CMD"); ok {
				t.Errorf("final stage has CMD %q: it would be appended to %q", cmd, tc.want)
			}
			if !slices.ContainsFunc(stage, func(l string) bool {
				return strings.HasPrefix(l, "COPY ") && strings.HasSuffix(l, " "+tc.want[0])
			}) {
				t.Errorf("final stage copies no binary to %s", tc.want[0])
			}
			if len(tc.want) > 1 {
				root := newRootCommand()
				if cmd, _, err := root.Find(tc.want[1:]); err != nil || cmd == root {
					t.Errorf("skillc %s: no such subcommand (%v)", strings.Join(tc.want[1:], " "), err)
				}
			}
		})
	}
}

// TestInstructionCatchesShellForm proves the entrypoint check can fail.
func TestInstructionCatchesShellForm(t *testing.T) {
	lines := []string{"FROM scratch", "ENTRYPOINT [\"/usr/local/bin/skillc\"]", "ENTRYPOINT [\"/usr/local/bin/skillc\", \"fn\"]"}
	if got, _ := instruction(t, lines, "ENTRYPOINT"); !slices.Equal(got, []string{"/usr/local/bin/skillc", "fn"}) {
		t.Errorf("the last ENTRYPOINT wins, got %q", got)
	}
	if _, ok := instruction(t, lines, "CMD"); ok {
		t.Error("found a CMD that is not there")
	}
}

// imageRef is an image of ours named anywhere in text: ghcr.io/skillc-dev/NAME[:TAG][@DIGEST].
var imageRef = regexp.MustCompile(`ghcr\.io/skillc-dev/([a-z0-9][a-z0-9._-]*)(?::([A-Za-z0-9._-]+))?(?:@(sha256:[0-9a-f]{64}))?`)

// imageRefProblems checks every image reference of ours in text against what the release
// pushes: a name in images (the Makefile's IMAGES) and a release tag vX.Y.Z. It returns the
// problems and the tags seen.
func imageRefProblems(file, text string, images []string) (problems []string, tags []string) {
	for i, line := range strings.Split(text, "\n") {
		for _, m := range imageRef.FindAllStringSubmatch(line, -1) {
			ref, name, tag := m[0], m[1], m[2]
			where := file + ":" + strconv.Itoa(i+1) + ": " + ref
			if !slices.Contains(images, name) {
				problems = append(problems, where+": no image "+name+" is built (Makefile IMAGES)")
				continue
			}
			if tag == "" && m[3] == "" && regexp.MustCompile(`^\s*(?:-\s+)?name:\s*`+regexp.QuoteMeta(ref)+`\s*(?:#.*)?$`).MatchString(line) {
				continue // the name a kustomize images entry matches, not an image to pull
			}
			if !releaseTag.MatchString(tag) {
				problems = append(problems, where+": tag "+strconv.Quote(tag)+" is not a release tag vX.Y.Z (release.yaml pushes <image>:<tag>)")
				continue
			}
			tags = append(tags, tag)
		}
	}
	return problems, tags
}

// imageRefFiles lists the files users copy image references from: the built-in packs, the
// kustomize examples, the docs and the README, the action.
func imageRefFiles(t *testing.T) []string {
	t.Helper()
	files := []string{"README.md", "action.yml"}
	for _, root := range []string{"skills", "kustomize", "docs"} {
		err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if os.IsNotExist(err) && path == root {
				return filepath.SkipDir
			}
			if err != nil {
				return err
			}
			if !d.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml") || strings.HasSuffix(path, ".md")) {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return files
}

// TestImageReferences: every reference to an image of ours in skills/, kustomize/, docs/, the
// README and the action names an image the release builds, with a tag the release pushes
// (release.yaml: ghcr.io/skillc-dev/<image>:<the git tag>, on tags v*), and all of them name
// the same release, which is also the action's default, the Argo CD example's revision and the
// Flux example's skillc version.
func TestImageReferences(t *testing.T) {
	images := makefileImagesOf(t)

	// What release.yaml pushes.
	var release struct {
		On struct {
			Push struct {
				Tags []string `yaml:"tags"`
			} `yaml:"push"`
		} `yaml:"on"`
		Jobs map[string]struct {
			Steps []struct {
				Uses string            `yaml:"uses"`
				With map[string]string `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal([]byte(mustRead(t, ".github/workflows/release.yaml")), &release); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(release.On.Push.Tags, []string{"v*"}) {
		t.Errorf("release.yaml runs on tags %q, want [v*]", release.On.Push.Tags)
	}
	var pushes []string
	for _, job := range release.Jobs {
		for _, s := range job.Steps {
			if strings.HasPrefix(s.Uses, "docker/build-push-action@") {
				pushes = append(pushes, s.With["tags"])
				if s.With["push"] != "true" || s.With["platforms"] != "linux/amd64,linux/arm64" {
					t.Errorf("release.yaml build-push: push=%q platforms=%q, want true and linux/amd64,linux/arm64", s.With["push"], s.With["platforms"])
				}
			}
		}
	}
	if want := []string{"ghcr.io/skillc-dev/${{ matrix.image }}:${{ github.ref_name }}"}; !slices.Equal(pushes, want) {
		t.Errorf("release.yaml pushes %q, want %q", pushes, want)
	}

	versions := map[string][]string{}
	for _, file := range imageRefFiles(t) {
		problems, tags := imageRefProblems(file, mustRead(t, file), images)
		for _, p := range problems {
			t.Error(p)
		}
		for _, tag := range tags {
			versions[tag] = append(versions[tag], file)
		}
	}
	if len(versions) == 0 {
		t.Fatal("no image reference found: the scan is broken")
	}

	// The other places that name a release.
	var action struct {
		Inputs map[string]struct {
			Default string `yaml:"default"`
		} `yaml:"inputs"`
	}
	if err := yaml.Unmarshal([]byte(mustRead(t, "action.yml")), &action); err != nil {
		t.Fatal(err)
	}
	versions[action.Inputs["version"].Default] = append(versions[action.Inputs["version"].Default], "action.yml inputs.version")
	var app argoApplication
	if err := sigsyaml.Unmarshal([]byte(mustRead(t, "kustomize/argocd/application.yaml")), &app); err == nil {
		versions[app.Spec.Source.TargetRevision] = append(versions[app.Spec.Source.TargetRevision], "kustomize/argocd/application.yaml")
	}
	wf, _ := skillcCalls(t, "kustomize/flux/render.yaml")
	versions[wf.Env["SKILLC_VERSION"]] = append(versions[wf.Env["SKILLC_VERSION"]], "kustomize/flux/render.yaml SKILLC_VERSION")
	if len(versions) != 1 {
		for v, files := range versions {
			slices.Sort(files)
			t.Errorf("release %q named by %s", v, strings.Join(slices.Compact(files), ", "))
		}
		t.Error("want one release everywhere")
	}
}

// TestImageRefProblems proves the image reference check can fail.
func TestImageRefProblems(t *testing.T) {
	images := []string{"skillc", "skill-node-probe"}
	for _, tc := range []struct {
		line string
		bad  bool
	}{
		{"image: ghcr.io/skillc-dev/skillc:latest", true},
		{"image: ghcr.io/skillc-dev/skill-node-probe:0.1.0", true},
		{"image: ghcr.io/skillc-dev/skill-node-probe", true},
		{"image: ghcr.io/skillc-dev/skill-gone:v0.1.0", true},
		{"image: ghcr.io/skillc-dev/skill-node-probe:v0.1.0@sha256:" + strings.Repeat("ab", 32), false},
		{"go install github.com/skillc-dev/skillc/cmd/skillc@v0.1.0", false},
		{"allowedRegistries: [ghcr.io/skillc-dev, ghcr.io/sympozium-ai]", false},
		{"  - name: ghcr.io/skillc-dev/skill-node-probe", false},
		{"  - name: ghcr.io/skillc-dev/skill-gone", true},
		{"    image: ghcr.io/skillc-dev/skill-node-probe # name: x", true},
	} {
		problems, _ := imageRefProblems("f", tc.line, images)
		if (len(problems) > 0) != tc.bad {
			t.Errorf("%q: problems %q, want bad=%v", tc.line, problems, tc.bad)
		}
	}
}

func makefileImagesOf(t *testing.T) []string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^IMAGES\s*:?=\s*(.*)$`).FindStringSubmatch(mustRead(t, "Makefile"))
	if m == nil {
		t.Fatal("Makefile has no IMAGES variable")
	}
	return strings.Fields(m[1])
}

// pinnedUses is a pinned action: owner/repo[/path]@<40 hex> # vX.Y.Z.
var pinnedUses = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40} # v[0-9]+\.[0-9]+\.[0-9]+$`)

// TestActionsPinned: every action a workflow we ship or the action uses is pinned by full commit
// SHA with the tag it was in a comment (a tag can be moved; a commit cannot).
func TestActionsPinned(t *testing.T) {
	files, err := filepath.Glob(".github/workflows/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, "action.yml", "kustomize/flux/render.yaml")
	uses := regexp.MustCompile(`(?m)^\s*(?:-\s+)?uses:\s*(.*)$`)
	var n int
	for _, file := range files {
		for _, m := range uses.FindAllStringSubmatch(mustRead(t, file), -1) {
			n++
			if u := strings.TrimSpace(m[1]); !strings.HasPrefix(u, "./") && !pinnedUses.MatchString(u) {
				t.Errorf("%s: uses: %s: pin it by commit: owner/repo@<40-hex sha> # vX.Y.Z", file, u)
			}
		}
	}
	if n < 10 {
		t.Errorf("%d uses: lines found, want at least 10: the scan is broken", n)
	}
}

// actionScripts returns the run scripts of a composite action's steps.
func actionScripts(t *testing.T, file string) map[string]string {
	t.Helper()
	var action struct {
		Runs struct {
			Using string `yaml:"using"`
			Steps []struct {
				Name  string `yaml:"name"`
				Shell string `yaml:"shell"`
				Run   string `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal([]byte(mustRead(t, file)), &action); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if action.Runs.Using != "composite" {
		t.Fatalf("%s: runs.using = %q, want composite", file, action.Runs.Using)
	}
	scripts := map[string]string{}
	for _, s := range action.Runs.Steps {
		if s.Run == "" {
			continue
		}
		if s.Shell != "bash" {
			t.Errorf("%s: step %q: shell %q, want bash (the scripts use bash arrays)", file, s.Name, s.Shell)
		}
		scripts[s.Name] = s.Run
	}
	if len(scripts) == 0 {
		t.Fatalf("%s: no run steps", file)
	}
	return scripts
}

// TestActionScriptsShellcheck runs shellcheck over action.yml's scripts (actionlint checks only
// workflows). make lint sets SKILLC_SHELLCHECK=required; elsewhere a missing shellcheck skips.
func TestActionScriptsShellcheck(t *testing.T) {
	bin, err := exec.LookPath("shellcheck")
	if err != nil {
		if os.Getenv("SKILLC_SHELLCHECK") == "required" || os.Getenv("CI") == "true" {
			t.Fatal("shellcheck not found (make tools installs it as root; else apt-get install shellcheck)")
		}
		t.Skip("shellcheck not found: action.yml's scripts are checked by make lint")
	}
	for name, script := range actionScripts(t, "action.yml") {
		// ${{ }} expressions never appear in the scripts (inputs come through env:), so the
		// script is plain bash; GitHub runs it with bash -e {0}.
		if strings.Contains(script, "${{") {
			t.Errorf("action.yml step %q splices an expression into its script: pass it through env:", name)
		}
		cmd := exec.Command(bin, "--shell=bash", "--severity=style", "-")
		cmd.Stdin = strings.NewReader(script)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			t.Errorf("shellcheck action.yml step %q: %v\n%s", name, err, out.String())
		}
	}
}

// docSection returns the text of a Markdown file from the heading to the next heading of any level.
func docSection(t *testing.T, file, heading string) string {
	t.Helper()
	doc := mustRead(t, file)
	i := strings.Index(doc, "\n"+heading+"\n")
	if i < 0 {
		t.Fatalf("%s has no %q", file, heading)
	}
	var out []string
	fenced := false
	for _, line := range strings.Split(doc[i+len(heading)+2:], "\n") {
		if strings.HasPrefix(line, "```") {
			fenced = !fenced
		}
		if !fenced && regexp.MustCompile(`^#{1,6} `).MatchString(line) {
			break
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// TestPinBuiltinPacksByDigest builds docs/releases.md's recipe (its kustomization.yaml and
// skillpack-images.yaml, digests filled in) over skills/ with kustomize, offline: every built-in
// sidecar image comes out pinned by digest, which is what --profile restricted (IMG-02) needs.
func TestPinBuiltinPacksByDigest(t *testing.T) {
	section := docSection(t, "docs/releases.md", "## Pinning the built-in packs by digest")
	blocks := regexp.MustCompile("(?s)```yaml\n# (\\S+)(.*?)```").FindAllStringSubmatch(section, -1)
	if len(blocks) != 2 {
		t.Fatalf("%d yaml blocks named by a first-line comment, want kustomization.yaml and skillpack-images.yaml", len(blocks))
	}
	dir := t.TempDir()
	digest := "sha256:" + strings.Repeat("0123456789abcdef", 4)
	for _, b := range blocks {
		body := strings.ReplaceAll("# "+b[1]+b[2], "sha256:<from digests.txt>", digest)
		writeFile(t, filepath.Join(dir, strings.TrimSuffix(b[1], ":")), body)
	}
	packs, err := filepath.Glob("skills/*.yaml")
	if err != nil || len(packs) == 0 {
		t.Fatalf("skills/*.yaml: %v", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "skills"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range packs {
		writeFile(t, filepath.Join(dir, p), mustRead(t, p))
	}
	out, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build of docs/releases.md's recipe: %v", err)
	}
	var pinned int
	for _, r := range out.Resources() {
		if r.GetKind() != "SkillPack" {
			continue
		}
		image, err := r.GetString("spec.sidecar.image")
		if err != nil {
			continue // a pack without a sidecar
		}
		if !strings.HasPrefix(image, "ghcr.io/skillc-dev/skill-") || !strings.HasSuffix(image, "@"+digest) || strings.Contains(strings.TrimPrefix(image, "ghcr.io"), ":v") {
			t.Errorf("SkillPack %s: image %s, want <name>@%s", r.GetName(), image, digest)
			continue
		}
		pinned++
	}
	if pinned < 3 {
		t.Errorf("%d built-in sidecar images pinned, want every one (at least 3)", pinned)
	}
}

// TestPullRequestWorkflow: the sticky comment is found by its hidden marker (never the bot's last
// comment, which may be another workflow's), and the SARIF the workflow uploads to code scanning
// is SARIF 2.1.0 whose locations are files of the repository (code scanning drops others).
func TestPullRequestWorkflow(t *testing.T) {
	var wf struct {
		Permissions map[string]string `yaml:"permissions"`
		Jobs        map[string]struct {
			Steps []struct {
				Name string            `yaml:"name"`
				Uses string            `yaml:"uses"`
				Env  map[string]string `yaml:"env"`
				Run  string            `yaml:"run"`
				With map[string]string `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal([]byte(mustRead(t, ".github/workflows/skillc-pr.yaml")), &wf); err != nil {
		t.Fatal(err)
	}
	if wf.Permissions["security-events"] != "write" || wf.Permissions["pull-requests"] != "write" {
		t.Errorf("permissions %v: want security-events: write (SARIF) and pull-requests: write (comment)", wf.Permissions)
	}
	var comment, upload bool
	var sarifArgs []string
	for _, job := range wf.Jobs {
		for _, s := range job.Steps {
			switch {
			case strings.Contains(s.Run, "gh pr comment"):
				comment = true
				if s.Env["MARKER"] != "<!-- skillc-pr -->" {
					t.Errorf("step %q: MARKER = %q, want <!-- skillc-pr -->", s.Name, s.Env["MARKER"])
				}
				if strings.Contains(s.Run, "--edit-last") {
					t.Errorf("step %q: --edit-last edits the bot's last comment, whichever workflow wrote it", s.Name)
				}
				if !strings.Contains(s.Run, `echo "$MARKER"; cat`) || !strings.Contains(s.Run, "startswith(env.MARKER)") {
					t.Errorf("step %q: the body must start with the marker and only a comment starting with it may be edited", s.Name)
				}
			case strings.HasPrefix(s.Uses, "github/codeql-action/upload-sarif@"):
				upload = true
			case strings.Contains(s.Run, "--format sarif"):
				m := skillcCommand.FindStringSubmatch(s.Run)
				if m == nil {
					t.Fatalf("step %q: no skillc command", s.Name)
				}
				sarifArgs = strings.Fields(m[1])
			}
		}
	}
	if !comment || !upload || sarifArgs == nil {
		t.Fatalf("skillc-pr.yaml: comment step %v, SARIF upload %v, SARIF command %q", comment, upload, sarifArgs)
	}

	stdout, stderr, code := execute(t, sarifArgs...)
	if code > 1 {
		t.Fatalf("skillc %s: exit %d\n%s", strings.Join(sarifArgs, " "), code, stderr)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []struct {
				RuleID    string `json:"ruleId"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(stdout), &log); err != nil {
		t.Fatalf("SARIF output: %v", err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 || len(log.Runs[0].Results) == 0 {
		t.Fatalf("SARIF version %q, %d runs: want 2.1.0 and one run with results (the example has warnings)", log.Version, len(log.Runs))
	}
	for _, r := range log.Runs[0].Results {
		for _, l := range r.Locations {
			uri := l.PhysicalLocation.ArtifactLocation.URI
			if filepath.IsAbs(uri) || strings.Contains(uri, "://") {
				t.Errorf("%s: location %q is not repository-relative", r.RuleID, uri)
			} else if _, err := os.Stat(uri); err != nil {
				t.Errorf("%s: location %q is not a file of the repository: %v", r.RuleID, uri, err)
			}
		}
	}
}
