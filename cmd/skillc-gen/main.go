// Command skillc-gen writes a synthetic skillc repository for benchmarks:
//
//	skillc-gen -packs 100 -instances 250 -runs 1000 -o /tmp/repo
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/skillc-dev/skillc/internal/gen"
)

func main() {
	var s gen.Size
	out := flag.String("o", "", "output `DIR` (required)")
	flag.IntVar(&s.Packs, "packs", 100, "number of SkillPacks")
	flag.IntVar(&s.Instances, "instances", 250, "number of instances (3 packs toggled each)")
	flag.IntVar(&s.Runs, "runs", 1000, "number of AgentRuns")
	flag.Parse()
	if *out == "" || s.Packs < 1 || s.Instances < 1 || s.Runs < 0 {
		flag.Usage()
		os.Exit(2)
	}
	for _, f := range gen.Repo(s) {
		path := filepath.Join(*out, f.Name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
