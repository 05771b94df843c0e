// Package skills holds skillc's built-in SkillPacks. This test keeps each sidecar pack's image in
// step with its Dockerfile, the Makefile's IMAGES and the image matrix of both workflows.
package skills

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/source"
)

func loadPacks(t *testing.T) []*api.SkillPack {
	t.Helper()
	files, diags := source.ReadPaths([]string{"."}, nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	in, diags := source.Load(files)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if len(in.Packs) < 5 {
		t.Fatalf("%d built-in packs, want at least 5", len(in.Packs))
	}
	return in.Packs
}

// imageMatrix reads jobs.*.strategy.matrix.image from a workflow.
func imageMatrix(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			Strategy struct {
				Matrix struct {
					Image []string `json:"image"`
				} `json:"matrix"`
			} `json:"strategy"`
		} `json:"jobs"`
	}
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []string
	for _, j := range wf.Jobs {
		out = append(out, j.Strategy.Matrix.Image...)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no jobs.<job>.strategy.matrix.image", path)
	}
	return out
}

func makefileImages(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile("../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^IMAGES\s*:?=\s*(.*)$`).FindSubmatch(data)
	if m == nil {
		t.Fatal("Makefile has no IMAGES variable")
	}
	return strings.Fields(string(m[1]))
}

var (
	userRE = regexp.MustCompile(`(?mi)^\s*USER\s+(\S+)`)
	fromRE = regexp.MustCompile(`(?mi)^\s*FROM\s+(\S+)`)
)

// dockerfileProblems lists what is wrong with a sidecar Dockerfile.
func dockerfileProblems(path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		return []string{fmt.Sprintf("missing %s: %v", path, err)}
	}
	var problems []string
	users := userRE.FindAllSubmatch(data, -1)
	if len(users) == 0 {
		problems = append(problems, fmt.Sprintf("%s: no USER line: the image would run as root", path))
	} else if u := string(users[len(users)-1][1]); u != "1000" && u != "1000:1000" {
		problems = append(problems, fmt.Sprintf("%s: final USER is %s, want 1000 (pods run as UID 1000 with runAsNonRoot)", path, u))
	}
	stages := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?mi)^\s*FROM\s+\S+\s+AS\s+(\S+)`).FindAllSubmatch(data, -1) {
		stages[strings.ToLower(string(m[1]))] = true
	}
	for _, m := range fromRE.FindAllSubmatch(data, -1) {
		base := string(m[1])
		if stages[strings.ToLower(base)] {
			continue
		}
		last := base[strings.LastIndex(base, "/")+1:]
		if !strings.Contains(last, ":") && !strings.Contains(base, "@sha256:") || strings.HasSuffix(base, ":latest") {
			problems = append(problems, fmt.Sprintf("%s: base image %s is not pinned to a version", path, base))
		}
	}
	return problems
}

func checkDockerfile(t *testing.T, path string) {
	t.Helper()
	for _, p := range dockerfileProblems(path) {
		t.Error(p)
	}
}

func TestSidecarImagesAreBuilt(t *testing.T) {
	makeImgs := makefileImages(t)
	build := imageMatrix(t, "../.github/workflows/build.yaml")
	release := imageMatrix(t, "../.github/workflows/release.yaml")
	sidecars := 0
	for _, p := range loadPacks(t) {
		sc := p.Spec.Sidecar
		if sc == nil || sc.Image == "" {
			continue
		}
		sidecars++
		name := "skill-" + p.Metadata.Name
		if !strings.Contains(sc.Image, "/"+name+":") {
			t.Errorf("pack %s: image %s is not named %s", p.Metadata.Name, sc.Image, name)
		}
		for where, list := range map[string][]string{"Makefile IMAGES": makeImgs, "build.yaml matrix": build, "release.yaml matrix": release} {
			if !slices.Contains(list, name) {
				t.Errorf("pack %s: image %s missing from %s", p.Metadata.Name, name, where)
			}
		}
		checkDockerfile(t, filepath.Join("..", "images", name, "Dockerfile"))
	}
	if sidecars < 3 {
		t.Errorf("%d built-in packs with a sidecar, want at least 3", sidecars)
	}
	// And the other way round: everything built has a Dockerfile and is built everywhere.
	for _, img := range makeImgs {
		checkDockerfile(t, filepath.Join("..", "images", img, "Dockerfile"))
		if !slices.Contains(build, img) || !slices.Contains(release, img) {
			t.Errorf("Makefile image %s is not in both workflow matrices", img)
		}
	}
}

// TestCheckDockerfileCatchesRoot proves the Dockerfile check can fail.
func TestCheckDockerfileCatchesRoot(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"root":     "FROM alpine:3.20.3\nUSER 1000\nUSER root\n",
		"no-user":  "FROM alpine:3.20.3\n",
		"floating": "FROM alpine:latest\nUSER 1000\n",
		"untagged": "FROM alpine\nUSER 1000\n",
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if len(dockerfileProblems(path)) == 0 {
			t.Errorf("%s: Dockerfile check passed a bad Dockerfile", name)
		}
	}
}
