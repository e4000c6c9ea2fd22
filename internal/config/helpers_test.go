package config

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files")

// writeRepo writes files (path → content) into a new temporary directory
// and returns it.
func writeRepo(t testing.TB, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	return root
}

// golden compares got with testdata/<dir>/<name>.golden, rewriting the file
// under -update.
func golden(t *testing.T, dir, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", dir, name+".golden")
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(p)
	require.NoError(t, err, "missing golden file; run go test -update")
	require.Equal(t, string(want), got)
}

// stageNames returns the names of the stages in order.
func stageNames(cfg *Config) []string {
	var out []string
	for _, s := range cfg.Stages {
		out = append(out, s.Name)
	}
	return out
}

// stageByName returns the stage named name.
func stageByName(t *testing.T, cfg *Config, name string) *Stage {
	t.Helper()
	for _, s := range cfg.Stages {
		if s.Name == name {
			return s
		}
	}
	require.Failf(t, "no such stage", "%s not in %v", name, stageNames(cfg))
	return nil
}
