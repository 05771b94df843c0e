package krm

import (
	"fmt"
	"testing"
)

// TestIsRemote: the references kustomize would fetch (its http(s) loader and git URL parser's
// accepted forms), and local paths that only look a little like them.
func TestIsRemote(t *testing.T) {
	for ref, want := range map[string]bool{
		"https://example.com/x.yaml":                     true,
		"HTTP://example.com/x.yaml":                      true,
		"github.com/org/repo//base?ref=v1":               true,
		"GitHub.com:org/repo":                            true,
		"git@github.com:org/repo.git":                    true,
		"git::https://example.com/org/repo":              true,
		"file:///srv/repo.git":                           true,
		"ssh://git@example.com/org/repo":                 true,
		"key=https://example.com/f":                      true,
		"base":                                           false,
		"../base":                                        false,
		"cm.yaml":                                        false,
		"key=files/cm.conf":                              false,
		"user@file.yaml":                                 false,
		"github.com.yaml":                                false,
		fmt.Sprintf("deploy-%s.yaml", "https"):           false,
		"configs/https-proxy.yaml":                       false,
		"example.com/org/repo (no scheme: a local path)": false,
	} {
		if got := isRemote(ref); got != want {
			t.Errorf("isRemote(%q) = %v, want %v", ref, got, want)
		}
	}
}
