package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/changes"
	"github.com/mlci-dev/mlci/internal/exit"
)

// exampleBranch copies the example project into a git repository with the
// project on main and a feature branch checked out that changes train.lr,
// src/train.py and README.md.
func exampleBranch(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, os.DirFS(filepath.Join("..", "..", "testdata", "example"))))
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=T",
			"-c", "user.email=t@example.com"}, args...)...)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "git %v: %s", args, out)
	}
	git("init", "--quiet", "--initial-branch=main")
	git("add", "--all")
	git("commit", "--quiet", "-m", "example")
	git("checkout", "--quiet", "-b", "feature")

	edit := func(name, from, to string) {
		path := filepath.Join(dir, name)
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		require.Contains(t, string(data), from)
		edited := strings.Replace(string(data), from, to, 1)
		require.NoError(t, os.WriteFile(path, []byte(edited), 0o644))
	}
	edit("params.yaml", "lr: 0.1\n", "lr: 0.05\n")
	edit("README.md", "\n", "\n\nA note.\n")
	edit("src/train.py", "\n", "\n# tuned\n")
	git("commit", "--quiet", "--all", "-m", "tune")
	return dir
}

func runChangesCmd(t *testing.T, env map[string]string, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	getenv := func(k string) string { return env[k] }
	code := run(append([]string{"changes"}, args...), &out, &errOut, getenv)
	return out.String(), errOut.String(), code
}

func TestChangesCommand(t *testing.T) {
	t.Parallel()
	dir := exampleBranch(t)

	stdout, stderr, code := runChangesCmd(t, nil, "-C", dir)
	require.Equal(t, exit.OK, code, stderr)
	assert.Contains(t, stdout, "params.yaml train.lr: 0.1 → 0.05")
	assert.Contains(t, stdout, "train     dep src/train.py changed; param train.lr changed")
	assert.Contains(t, stdout, "evaluate  upstream train affected")
	assert.Contains(t, stdout, "Pipeline tests affected")
	assert.Contains(t, stderr, "source=git")

	stdout, stderr, code = runChangesCmd(t, nil, "-C", dir, "--base", "main", "--format", "json")
	require.Equal(t, exit.OK, code, stderr)
	var res changes.Result
	require.NoError(t, json.Unmarshal([]byte(stdout), &res))
	assert.Equal(t, []string{"code", "docs", "params"}, res.Changed)
	assert.Equal(t, []string{"train", "evaluate"}, res.Stages)
	require.Len(t, res.Params, 1)
	assert.Equal(t, "train.lr", res.Params[0].Key)
}

func TestChangesCommandSetsGitHubOutputs(t *testing.T) {
	t.Parallel()
	dir := exampleBranch(t)
	outputs := filepath.Join(t.TempDir(), "outputs")
	require.NoError(t, os.WriteFile(outputs, nil, 0o644))
	env := map[string]string{
		"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": outputs, "GITHUB_REPOSITORY": "o/r",
		"GITHUB_EVENT_NAME": "push",
	}

	_, stderr, code := runChangesCmd(t, env, "-C", dir, "--base", "main", "--head", "HEAD")
	require.Equal(t, exit.OK, code, stderr)

	data, err := os.ReadFile(outputs)
	require.NoError(t, err)
	for _, want := range []string{"code_changed", "params_changed", "data_changed", "stages"} {
		assert.Contains(t, string(data), want)
	}
	assert.Contains(t, string(data), `["train","evaluate"]`)
}

func TestChangesCommandErrors(t *testing.T) {
	t.Parallel()
	dir := exampleBranch(t)

	_, stderr, code := runChangesCmd(t, nil, "-C", dir, "--base", "no-such-ref")
	assert.Equal(t, exit.Usage, code)
	assert.Contains(t, stderr, `base: unknown revision "no-such-ref"`)

	_, _, code = runChangesCmd(t, nil, "-C", dir, "extra")
	assert.Equal(t, exit.Usage, code)
}
