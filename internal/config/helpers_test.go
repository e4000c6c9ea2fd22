package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

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
