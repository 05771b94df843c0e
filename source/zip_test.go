package source

import "testing"

func TestSkippedInPackage(t *testing.T) {
	for rel, want := range map[string]bool{
		".env": true, ".git/config": true, "a/.npmrc": true, "a/.b/c": true, ".DS_Store": true,
		"__MACOSX/._x": true, "__MACOSX": true,
		"a.env": false, "x/y.z": false, "SKILL.md": false, "a/__MACOSX/x": false, "a/b..c": false,
	} {
		if got := skippedInPackage(rel); got != want {
			t.Errorf("skippedInPackage(%q) = %v, want %v", rel, got, want)
		}
	}
}
