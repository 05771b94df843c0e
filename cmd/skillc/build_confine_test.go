package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// loopbackCounter listens on loopback and counts the connections it accepts. It never answers:
// each connection is closed at once, so that a build that does connect fails instead of hanging.
func loopbackCounter(t *testing.T) (addr string, accepted *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted = &atomic.Int64{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return ln.Addr().String(), accepted
}

const remoteRefused = "remote resources are not allowed in skillc build: vendor them"

// TestBuildRefusesRemote: every way a kustomization can name a remote file or repository is
// refused at its line before kustomize fetches anything: the loopback listener accepts no
// connection (kustomize would GET the URL with no timeout, or run git clone).
func TestBuildRefusesRemote(t *testing.T) {
	addr, accepted := loopbackCounter(t)
	url := "http://" + addr
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string // FILE:LINE: field, after DIR/
	}{
		{"http resource", map[string]string{"kustomization.yaml": "resources:\n  - cm.yaml\n  - " + url + "/x.yaml\n", "cm.yaml": cm}, "kustomization.yaml:3: resources[1]: "},
		{"git resource with a ref", map[string]string{"kustomization.yaml": "resources:\n  - " + url + "/org/repo//base?ref=v1\n"}, "kustomization.yaml:2: resources[0]: "},
		{"go-getter git::", map[string]string{"kustomization.yaml": "resources: [\"git::" + url + "/org/repo.git\"]\n"}, "kustomization.yaml:1: resources[0]: "},
		{"ssh", map[string]string{"kustomization.yaml": "resources: [\"ssh://git@" + addr + "/org/repo.git\"]\n"}, "kustomization.yaml:1: resources[0]: "},
		{"deprecated bases", map[string]string{"kustomization.yaml": "bases: [\"" + url + "/org/repo.git\"]\n"}, "kustomization.yaml:1: bases[0]: "},
		{"component", map[string]string{"kustomization.yaml": "components:\n  - " + url + "/org/repo.git//c\n"}, "kustomization.yaml:2: components[0]: "},
		{"configMapGenerator file", map[string]string{"kustomization.yaml": "configMapGenerator:\n  - name: c\n    files:\n      - key=" + url + "/f\n"}, "kustomization.yaml:4: configMapGenerator[0].files: "},
		{"patch path", map[string]string{"kustomization.yaml": "resources: [cm.yaml]\npatches:\n  - path: " + url + "/p.yaml\n", "cm.yaml": cm}, "kustomization.yaml:3: patches[0].path: "},
		{"openapi", map[string]string{"kustomization.yaml": "resources: [cm.yaml]\nopenapi:\n  path: " + url + "/schema.json\n", "cm.yaml": cm}, "kustomization.yaml:3: openapi.path: "},
		{"transformer config", map[string]string{
			"kustomization.yaml": "resources: [cm.yaml]\ntransformers: [patch.yaml]\n", "cm.yaml": cm,
			"patch.yaml": "apiVersion: builtin\nkind: PatchTransformer\nmetadata: {name: p}\npath: " + url + "/p.yaml\ntarget: {kind: ConfigMap}\n",
		}, "patch.yaml:4: PatchTransformer.path: "},
		{"inline replacement transformer", map[string]string{
			"kustomization.yaml": "resources: [cm.yaml]\ntransformers:\n  - |\n    apiVersion: builtin\n    kind: ReplacementTransformer\n    metadata: {name: r}\n    replacements:\n      - path: " + url + "/r.yaml\n", "cm.yaml": cm,
		}, "kustomization.yaml:8: ReplacementTransformer.replacements[0].path: "},
		{"nested kustomization", map[string]string{"kustomization.yaml": "resources: [sub]\n", "sub/kustomization.yaml": "resources:\n  - " + url + "/x.yaml\n"}, "sub/kustomization.yaml:2: resources[0]: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, data := range tc.files {
				writeFile(t, filepath.Join(dir, name), data)
			}
			out, stderr, code := execute(t, "build", dir)
			if code != 2 || out != "" {
				t.Fatalf("exit %d, stdout %q; stderr:\n%s", code, out, stderr)
			}
			if want := filepath.Join(dir, tc.want) + remoteRefused; !strings.Contains(stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr)
			}
			if n := accepted.Load(); n != 0 {
				t.Fatalf("%d connection(s) reached the listener", n)
			}
		})
	}
}

// TestBuildStaysInDir: skillc build reads files only under DIR, as the README says: a base
// outside it, a symlink below it (to a file or a folder) are refused, and what they point to is
// never read; bases inside DIR and a DIR that is itself a link work.
func TestBuildStaysInDir(t *testing.T) {
	const marker = "OUTSIDE_DIR_CONTENT_7c1e"
	outside := t.TempDir()
	writeFile(t, filepath.Join(outside, "kustomization.yaml"), "resources: [cm.yaml]\n")
	writeFile(t, filepath.Join(outside, "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "+marker+"}\n")
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: inside}\n"
	for _, tc := range []struct {
		name     string
		files    map[string]string // "->target" makes a symlink
		app      string            // the DIR built, relative to the temp root ("" for it)
		wantCode int
		want     string
	}{
		{name: "parent base", files: map[string]string{"app/kustomization.yaml": "resources: [../base]\n", "base/kustomization.yaml": "resources: [cm.yaml]\n", "base/cm.yaml": cm}, app: "app", wantCode: 2, want: "outside DIR: skillc build reads files only under "},
		{name: "absolute base", files: map[string]string{"kustomization.yaml": "resources: [" + outside + "]\n"}, wantCode: 2, want: outside + ": outside DIR: skillc build reads files only under "},
		{name: "symlinked file", files: map[string]string{"kustomization.yaml": "resources: [cm.yaml]\n", "cm.yaml": "->" + filepath.Join(outside, "cm.yaml")}, wantCode: 2, want: "cm.yaml: is a symlink: not followed by skillc build"},
		{name: "symlinked folder", files: map[string]string{"kustomization.yaml": "resources: [base]\n", "base": "->" + outside}, wantCode: 2, want: "base: is a symlink: not followed by skillc build"},
		{name: "symlinked kustomization", files: map[string]string{"kustomization.yaml": "->" + filepath.Join(outside, "kustomization.yaml"), "cm.yaml": cm}, wantCode: 2, want: "kustomization.yaml: is a symlink"},
		{name: "overlay outside DIR", files: map[string]string{"overlays/prod/kustomization.yaml": "resources: [../../base]\nnamePrefix: prod-\n", "base/kustomization.yaml": "resources: [cm.yaml]\n", "base/cm.yaml": cm}, app: "overlays/prod", wantCode: 2, want: "base: outside DIR"},
		{name: "base inside DIR", files: map[string]string{"kustomization.yaml": "resources: [overlays/prod]\n", "overlays/prod/kustomization.yaml": "resources: [../../base]\nnamePrefix: prod-\n", "base/kustomization.yaml": "resources: [cm.yaml]\n", "base/cm.yaml": cm}, want: "name: prod-inside"},
		{name: "DIR is a link", files: map[string]string{"real/kustomization.yaml": "resources: [cm.yaml]\n", "real/cm.yaml": cm, "link": "->real"}, app: "link", want: "name: inside"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			for name, data := range tc.files {
				p := filepath.Join(root, name)
				if target, ok := strings.CutPrefix(data, "->"); ok {
					if err := os.Symlink(target, p); err != nil {
						t.Fatal(err)
					}
					continue
				}
				writeFile(t, p, data)
			}
			dir := filepath.Join(root, tc.app)
			out, stderr, code := execute(t, "build", dir)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d; stdout:\n%s\nstderr:\n%s", code, tc.wantCode, out, stderr)
			}
			if !strings.Contains(out+stderr, tc.want) {
				t.Errorf("output lacks %q:\n%s%s", tc.want, out, stderr)
			}
			if strings.Contains(out+stderr, marker) {
				t.Errorf("a file outside DIR was read:\n%s%s", out, stderr)
			}
			if code != 0 && out != "" {
				t.Errorf("a failed build wrote to stdout:\n%s", out)
			}
		})
	}
}
