package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/mlci-dev/mlci/internal/exit"
)

// FuzzLoad feeds arbitrary mlci.yaml, dvc.yaml and params.yaml to Load,
// which must never panic and must fail only with a configuration error.
//
//	go test -run '^$' -fuzz FuzzLoad -fuzztime 5m ./internal/config
func FuzzLoad(f *testing.F) {
	for _, name := range []string{"mlci.yaml", "dvc.yaml", "params.yaml"} {
		if _, err := os.Stat(filepath.Join(example, name)); err != nil {
			f.Fatalf("seed %s: %v", name, err)
		}
	}
	read := func(name string) string {
		data, _ := os.ReadFile(filepath.Join(example, name))
		return string(data)
	}
	f.Add(read("mlci.yaml"), read("dvc.yaml"), read("params.yaml"))
	f.Add("", okStage, "")
	f.Add("stages:\n  a:\n    matrix: {x: [1, 2], y: [{a: 1}]}\n    cmd: echo ${item.x} ${key}\n",
		"", "")
	f.Add("", "stages:\n  b:\n    foreach: ${m}\n    do: {cmd: 'b ${item} ${m}', outs: [o]}\n",
		"m: {k: v, j: [1, 2]}\n")
	f.Add("", "vars: [p.yaml:a, {b: 1}]\n"+
		"stages:\n  c: {cmd: '${b} ${a.x}', deps: [x], outs: [x/y]}\n", "a: {x: 1}\n")
	f.Add("models: {m: {path: m, gates: [{metric: a, min: 1, max: 0}]}}\n", "", "")
	f.Add("", "a: &a [*a]\nstages: *a\n", "")

	f.Fuzz(func(t *testing.T, mlci, dvc, params string) {
		files := map[string]string{}
		for name, content := range map[string]string{
			"mlci.yaml": mlci, "dvc.yaml": dvc, "params.yaml": params, "p.yaml": params,
		} {
			if content != "" {
				files[name] = content
			}
		}
		root := writeRepo(t, files)

		_, err := Load(root, "")

		if err != nil && exit.Code(err) != exit.Usage {
			t.Fatalf("error with exit code %d: %v", exit.Code(err), err)
		}
		var cerr *Error
		if err != nil && !errors.As(err, &cerr) && !errors.Is(err, ErrNoConfig) {
			t.Fatalf("error without a place: %v", err)
		}
	})
}
