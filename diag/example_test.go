package diag_test

import (
	"fmt"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/source"
)

func ExampleDiagnostics() {
	src := "apiVersion: sympozium.ai/v1alpha1\nkind: SkillPack\nmetadata: {name: p}\nspec:\n  skils: []\n"
	var ds diag.Diagnostics // every layer reports through this one type
	_, ds = compile.Compile([]source.File{{Name: "pack.yaml", Data: []byte(src)}}, compile.Options{})
	fmt.Println(ds.ExitCode())
	fmt.Println(ds)
	// Output:
	// 2
	// pack.yaml:5: spec.skils: unknown field "skils" (did you mean "skills"?)
}
