package compile

import (
	"fmt"
	"testing"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/internal/emit"
	"github.com/skillc-dev/skillc/internal/gen"
	"github.com/skillc-dev/skillc/source"
)

// benchSizes: the reference repository (about 13,000 objects) and half of it, so that
// linearity shows in the numbers.
var benchSizes = []gen.Size{{Packs: 50, Instances: 125, Runs: 500}, {Packs: 100, Instances: 250, Runs: 1000}}

func genFiles(s gen.Size) []source.File {
	var files []source.File
	for _, f := range gen.Repo(s) {
		files = append(files, source.File{Name: f.Name, Data: f.Data})
	}
	return files
}

func sizeName(s gen.Size) string { return fmt.Sprintf("P%d-I%d-R%d", s.Packs, s.Instances, s.Runs) }

func BenchmarkLoad(b *testing.B) {
	for _, s := range benchSizes {
		files := genFiles(s)
		b.Run(sizeName(s), func(b *testing.B) {
			for b.Loop() {
				if _, diags := source.Load(files); diags.HasErrors() {
					b.Fatal(diags)
				}
			}
		})
	}
}

func BenchmarkBuild(b *testing.B) {
	for _, s := range benchSizes {
		in, _ := source.Load(genFiles(s))
		b.Run(sizeName(s), func(b *testing.B) {
			for b.Loop() {
				res, ds := Build(in, api.DefaultConfig())
				err := ds.Err()
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(len(res.Objects)), "objects")
			}
		})
	}
}

func BenchmarkSerialize(b *testing.B) {
	for _, s := range benchSizes {
		in, _ := source.Load(genFiles(s))
		res, ds := Build(in, api.DefaultConfig())
		err := ds.Err()
		if err != nil {
			b.Fatal(err)
		}
		b.Run(sizeName(s), func(b *testing.B) {
			for b.Loop() {
				out, err := emit.MarshalStream(res.Objects)
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(len(out)))
			}
		})
	}
}

// BenchmarkCompile is the whole pipeline from bytes to the YAML stream.
func BenchmarkCompile(b *testing.B) {
	for _, s := range benchSizes {
		files := genFiles(s)
		b.Run(sizeName(s), func(b *testing.B) {
			for b.Loop() {
				res, ds := Compile(files, Options{})
				err := ds.Err()
				if err != nil {
					b.Fatal(err)
				}
				if _, err := emit.MarshalStream(res.Objects); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
