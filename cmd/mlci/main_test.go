package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExitCodes(t *testing.T) {
	t.Parallel()

	bad := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(bad, "mlci.yaml"),
		[]byte("modles: {}\n"), 0o644))
	empty := t.TempDir()

	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"version", []string{"version"}, 0, ""},
		{"unknown flag", []string{"version", "--nope"}, 2, "unknown flag: --nope"},
		{"unknown command", []string{"nope"}, 2, `unknown command "nope"`},
		{"bad format", []string{"version", "--format", "xml"}, 2, `--format: "xml"`},
		{"bad log level", []string{"version", "--log-level", "loud"}, 2, "--log-level"},
		{"missing repo", []string{"config", "--repo", "/does/not/exist"}, 2, "not a directory"},
		{"unknown key", []string{"config", "--repo", bad}, 2,
			`mlci.yaml:1:1: unknown key "modles"; did you mean "models"?`},
		{"no configuration", []string{"config", "--repo", empty}, 2, "dvc.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, stderr, code := mlci(t, tt.args...)
			assert.Equal(t, tt.code, code, stderr)
			assert.Contains(t, stderr, tt.stderr)
		})
	}
}

func TestVersionJSON(t *testing.T) {
	t.Parallel()

	stdout, _, code := mlci(t, "version", "--format", "json")
	require.Equal(t, 0, code)
	var v versionInfo
	require.NoError(t, json.Unmarshal([]byte(stdout), &v))
	assert.Equal(t, "dev", v.Version)
	assert.NotEmpty(t, v.Go)
}

func TestEveryCommandHasHelpAndExample(t *testing.T) {
	t.Parallel()

	root := newRoot(&globals{})
	for _, c := range root.Commands() {
		if c.Name() == "help" || c.Name() == "completion" {
			continue
		}
		assert.NotEmpty(t, c.Short, c.Name())
		assert.NotEmpty(t, c.Example, "%s has no example", c.Name())
	}
}

func TestActionArgs(t *testing.T) {
	t.Parallel()

	env := map[string]string{
		"GITHUB_ACTIONS": "true", "INPUT_COMMAND": "validate --base main",
		"INPUT_WORKING_DIRECTORY": "ml", "INPUT_LOG_LEVEL": "debug",
	}
	args, err := actionArgs([]string{"ci"}, func(k string) string { return env[k] })
	require.NoError(t, err)
	assert.Equal(t, []string{"--repo", "ml", "--log-level", "debug", "validate", "--base", "main"},
		args)

	args, err = actionArgs([]string{"version"}, func(k string) string { return env[k] })
	require.NoError(t, err)
	assert.Equal(t, []string{"version"}, args, "only the action's own `ci` is rewritten")
}
