package config

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkLoadExample loads the bundled example: mlci.yaml, dvc.yaml and
// params.yaml with 4 stages.
//
//	go test -run '^$' -bench Load -benchmem ./internal/config
func BenchmarkLoadExample(b *testing.B) {
	for b.Loop() {
		if _, err := Load(example, ""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadLarge loads a pipeline of 1,000 written stages, a foreach of
// 1,000 items and a 20×50 matrix: 3,000 stages with ${...} in every one.
func BenchmarkLoadLarge(b *testing.B) {
	root := writeRepo(b, largePipeline(1000, 1000, 20, 50))
	b.ResetTimer()
	for b.Loop() {
		cfg, err := Load(root, "")
		if err != nil {
			b.Fatal(err)
		}
		if len(cfg.Stages) != 3000 {
			b.Fatalf("%d stages", len(cfg.Stages))
		}
	}
}

// largePipeline returns the files of a generated pipeline: a chain of
// written stages, a foreach and a matrix, each reading params.
func largePipeline(chain, items, rows, cols int) map[string]string {
	var dvc, params strings.Builder
	params.WriteString("train:\n  lr: 0.1\n  epochs: 10\nshards:\n")
	for i := range items {
		fmt.Fprintf(&params, "  s%04d: {size: %d, seed: %d}\n", i, i*10, i)
	}
	dvc.WriteString("stages:\n")
	for i := range chain {
		fmt.Fprintf(&dvc, "  step%04d:\n    cmd: python step.py %d --lr ${train.lr}\n", i, i)
		if i > 0 {
			fmt.Fprintf(&dvc, "    deps: [out/step%04d.csv, src/step.py]\n", i-1)
		}
		fmt.Fprintf(&dvc, "    params: [train.epochs]\n    outs: [out/step%04d.csv]\n", i)
	}
	dvc.WriteString("  shard:\n    foreach: ${shards}\n    do:\n" +
		"      cmd: python shard.py ${key} --size ${item.size} --seed ${item.seed}\n" +
		"      deps: [out/step0000.csv]\n      outs:\n        - shards/${key}.parquet\n")
	fmt.Fprintf(&dvc, "  grid:\n    matrix:\n      a: [%s]\n      b: [%s]\n",
		seq("a", rows), seq("b", cols))
	dvc.WriteString("    cmd: python grid.py ${item.a} ${item.b}\n    outs:\n" +
		"      - grid/${item.a}-${item.b}.json:\n          cache: false\n")
	return map[string]string{"dvc.yaml": dvc.String(), "params.yaml": params.String()}
}

func seq(prefix string, n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return strings.Join(parts, ", ")
}
