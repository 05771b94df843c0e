// Command skillc compiles agent SkillPacks into reviewable, policy-gated Kubernetes objects.
package main

import (
	"fmt"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

// run executes the CLI and maps its outcome to the exit code; only main exits. A panic is a bug,
// never the user's fault: it becomes exit 3 with a short message instead of a stack trace.
func run(args []string) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "skillc: internal error, please report: %v (inputs: %v)\n", r, args)
			code = 3
		}
	}()
	cmd := newRootCommand()
	cmd.SetArgs(args)
	return exitCode(cmd.Execute(), os.Stderr)
}
