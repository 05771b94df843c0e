package schema

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// Layout is the -schema-location template of the schemas in this repository, as kubeconform
// documents it for custom resources (the CRDs-catalog layout).
const Layout = "schemas/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json"

type kubeconformReport struct {
	Resources []struct {
		Filename, Kind, Name, Status, Msg string
	}
	Summary struct{ Valid, Invalid, Errors, Skipped int }
}

// kubeconform runs the real kubeconform (make tools installs it into bin/) from the repository
// root, as users run it: -schema-location default, then ours. The default location is GitHub,
// which tests may not reach: a loopback server that knows no schema stands in for it, so that
// kubeconform falls through to ours exactly as it does when GitHub answers 404 for our kinds.
func kubeconform(t *testing.T, files ...string) (kubeconformReport, int) {
	t.Helper()
	bin, err := filepath.Abs(filepath.Join(root, "bin", "kubeconform"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("bin/kubeconform is absent (make tools installs it): %v", err)
	}
	var asked atomic.Int64
	defaultRegistry := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		http.NotFound(w, r)
	}))
	defer defaultRegistry.Close()
	args := []string{"-strict", "-summary", "-output", "json", "-ignore-missing-schemas",
		"-schema-location", defaultRegistry.URL + "/{{.NormalizedKubernetesVersion}}-standalone{{.StrictSuffix}}/{{.ResourceKind}}{{.KindSuffix}}.json",
		"-schema-location", Layout}
	cmd := exec.Command(bin, append(args, files...)...)
	cmd.Dir = root
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	var rep kubeconformReport
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("kubeconform output: %v\n%s\n%s", err, out, stderr.String())
	}
	if asked.Load() == 0 {
		t.Errorf("kubeconform never asked the default location: the test does not show the fall-through")
	}
	return rep, code
}

// TestKubeconformValidSources: kubeconform, with our layout after the default location, finds a
// schema for every skillc document of the valid sources and finds each valid.
func TestKubeconformValidSources(t *testing.T) {
	var files []string
	ours := 0
	for _, path := range sourceFiles(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(documents(t, path, data)); n > 0 {
			ours += n
			rel, _ := filepath.Rel(root, path)
			files = append(files, rel)
		}
	}
	rep, code := kubeconform(t, files...)
	for _, r := range rep.Resources {
		if r.Status != "statusValid" && r.Status != "statusSkipped" {
			t.Errorf("%s: %s %s: %s: %s", r.Filename, r.Kind, r.Name, r.Status, r.Msg)
		}
	}
	if code != 0 || rep.Summary.Valid != ours || rep.Summary.Invalid+rep.Summary.Errors != 0 {
		t.Errorf("kubeconform exit %d, summary %+v; want all %d skillc documents valid", code, rep.Summary, ours)
	}
	t.Logf("kubeconform over %d files: %+v", len(files), rep.Summary)
}

// TestKubeconformInvalid: kubeconform refuses bad input with our schemas, naming the field.
func TestKubeconformInvalid(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"fixtures/invalid/unknown-field/input.yaml", "mountWorkspcae"},
		{"fixtures/invalid/wrong-type/input.yaml", "/spec/version"},
		{"fixtures/invalid/config-bad-values/input.yaml", "/spec/identity"},
		{"fixtures/invalid/task-wrong-type/input.yaml", "/spec/task"},
		{"fixtures/invalid/bad-quantity/input.yaml", "/spec/sidecar/resources/cpu"},
		{"fixtures/invalid/run-no-instance/input.yaml", "instanceRef"},
	} {
		t.Run(filepath.Base(filepath.Dir(tc.file)), func(t *testing.T) {
			rep, code := kubeconform(t, tc.file)
			var msgs []string
			for _, r := range rep.Resources {
				if r.Status == "statusInvalid" {
					msgs = append(msgs, r.Msg)
				}
			}
			if code != 1 || !strings.Contains(strings.Join(msgs, "\n"), tc.want) {
				t.Errorf("kubeconform exit %d, invalid: %q; want exit 1 and %q", code, msgs, tc.want)
			}
		})
	}
}
