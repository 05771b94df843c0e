package policy

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/internal/gen"
	"github.com/skillc-dev/skillc/source"
)

// TestKeyJSONIsKey: the key made from the YAML writer's JSON is the key made from the object, for
// every object (a workload's with its agent's TASK cut out of the bytes).
func TestKeyJSONIsKey(t *testing.T) {
	var files []source.File
	for _, f := range gen.Repo(gen.Size{Packs: 5, Instances: 10, Runs: 20}) {
		files = append(files, source.File{Name: f.Name, Data: f.Data})
	}
	res, ds := compile.Compile(files, compile.Options{})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	g, err := NewGate(context.Background(), res.Config, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	k := g.NewKeyer()
	declined, blankedSeen := 0, 0
	for _, o := range res.Objects {
		var raw bytes.Buffer
		if err := json.NewEncoder(&raw).Encode(o); err != nil {
			t.Fatal(err)
		}
		got, ok := k.KeyJSON(o, raw.Bytes())
		if !ok {
			declined++
			if compile.PodSpecOf(o) == nil {
				t.Errorf("%s: declined, and it has no pod", compile.ObjectKey(o))
			}
			continue
		}
		want, err := k.Key(o)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s: KeyJSON differs from Key", compile.ObjectKey(o))
		}
		// The bytes a template is made from: the same key, and the JSON back when unblanked.
		key, tmplKey, blanked, ok := k.KeyBlanked(o, raw.Bytes())
		if !ok || key != want || blanked == nil || tmplKey != sha256.Sum256(blanked) {
			t.Errorf("%s: KeyBlanked %v, %d bytes, or its keys differ", compile.ObjectKey(o), ok, len(blanked))
			continue
		}
		if compile.PodSpecOf(o) == nil && tmplKey != key {
			t.Errorf("%s: the template's key is not the shape's", compile.ObjectKey(o))
		}
		if back := k.Unblank(o)(string(blanked)); back != raw.String() {
			t.Errorf("%s: unblanked\n%s\nwant\n%s", compile.ObjectKey(o), back, raw.String())
		}
		if bytes.IndexByte(blanked, 0) >= 0 {
			blankedSeen++
		}
	}
	if blankedSeen == 0 {
		t.Error("no object had a name blanked")
	}
	if declined != 0 {
		t.Errorf("%d of %d objects declined: every generated workload has one TASK, in its agent", declined, len(res.Objects))
	}
}

// TestKeyJSONTaskCut: a workload's key from its bytes is its key (the agent's TASK cut out)
// whatever the TASK holds, and where the bytes cannot be cut for sure, KeyJSON declines. A tenant's
// sidecar carrying the agent's TASK text must not have its own TASK cut too: its env would then
// share the verdict of a pod without it.
func TestKeyJSONTaskCut(t *testing.T) {
	g, err := NewGate(context.Background(), &api.CompilerConfig{}, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	k := g.NewKeyer()
	job := func(agent []corev1.EnvVar, sidecar []corev1.EnvVar) *batchv1.Job {
		j := &batchv1.Job{TypeMeta: metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"}, ObjectMeta: metav1.ObjectMeta{Name: "run-1", Namespace: "ns"}}
		j.Spec.Template.Spec.Containers = []corev1.Container{
			{Name: compile.AgentContainer, Image: "agent:1", Env: agent},
			{Name: "skill-x", Image: "x:1", Env: sidecar},
		}
		return j
	}
	task := func(v string) corev1.EnvVar { return corev1.EnvVar{Name: "TASK", Value: v} }
	ofRun := func(j *batchv1.Job, run string) *batchv1.Job {
		j.Labels = map[string]string{compile.LabelAgentRun: run}
		return j
	}
	for _, c := range []struct {
		name      string
		j         *batchv1.Job
		declines  bool
		templated bool // KeyBlanked gives a template's bytes
	}{
		{"plain", job([]corev1.EnvVar{task("summarise the logs")}, nil), false, true},
		{"escapes", job([]corev1.EnvVar{task("a <b> & \"c\"\n\u2028 é")}, nil), false, true},
		{"empty", job([]corev1.EnvVar{task("")}, nil), false, true},
		{"two", job([]corev1.EnvVar{task("x"), {Name: "A", Value: "1"}, task("y")}, nil), false, false},
		{"valueFrom", job([]corev1.EnvVar{{Name: "TASK", Value: "x", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}}}, nil), false, true},
		{"sidecar same text", job([]corev1.EnvVar{task("x")}, []corev1.EnvVar{task("x")}), true, false},
		{"sidecar other text", job([]corev1.EnvVar{task("x")}, []corev1.EnvVar{task("AKIAABCDEFGHIJKLMNOP")}), true, false},
		{"text names taskEnv", job([]corev1.EnvVar{task(taskEnv + `"x"}`)}, nil), false, true},
		{"task holds the run's name", job([]corev1.EnvVar{task("run-1")}, []corev1.EnvVar{{Name: "RUN", Value: "run-1"}}), false, true},
		{"invalid UTF-8", job([]corev1.EnvVar{task("a\xffb")}, nil), false, false},
		// KeyBlanked finds the TASK's member by its key, "value", which this run's name blanks.
		{"run named value", ofRun(job([]corev1.EnvVar{task("x")}, []corev1.EnvVar{{Name: "value", Value: "value"}}), "value"), false, false},
		{"run named TASK's text", ofRun(job([]corev1.EnvVar{task("run-2")}, []corev1.EnvVar{{Name: "RUN", Value: "run-2"}}), "run-2"), false, true},
	} {
		var raw bytes.Buffer
		if err := json.NewEncoder(&raw).Encode(c.j); err != nil {
			t.Fatal(err)
		}
		got, ok := k.KeyJSON(c.j, raw.Bytes())
		if ok == c.declines {
			t.Errorf("%s: ok = %v, want %v", c.name, ok, !c.declines)
			continue
		}
		if !ok {
			continue
		}
		want, err := k.Key(c.j)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s: KeyJSON differs from Key", c.name)
		}
		// A template's bytes: the one TASK a token, and all of the JSON back when unblanked; the
		// shape's key the same whichever way it was made.
		key, tmplKey, blanked, ok := k.KeyBlanked(c.j, raw.Bytes())
		if !ok || key != want || blanked != nil && tmplKey != sha256.Sum256(blanked) {
			t.Errorf("%s: KeyBlanked %v, or its keys differ", c.name, ok)
		}
		if (blanked != nil) != c.templated {
			t.Errorf("%s: template bytes %v, want %v", c.name, blanked != nil, c.templated)
		}
		// Unblank puts back the TASK's text, which the template's writer sees decoded: in the
		// bytes it is the JSON string's inside.
		esc, _ := json.Marshal(c.j.Spec.Template.Spec.Containers[0].Env[0].Value)
		inner := strings.ReplaceAll(string(blanked), "\x00T", string(esc[1:len(esc)-1]))
		if back := k.Unblank(c.j)(inner); blanked != nil && back != raw.String() {
			t.Errorf("%s: unblanked\n%s\nwant\n%s", c.name, back, raw.String())
		}
	}
}
