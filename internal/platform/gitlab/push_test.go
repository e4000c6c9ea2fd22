package gitlab

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/git"
	"github.com/mlci-dev/mlci/internal/git/gittest"
	"github.com/mlci-dev/mlci/internal/platform"
	"github.com/mlci-dev/mlci/internal/platform/gitlab/gitlabtest"
)

// TestPushAccess pushes a branch the way the retraining and the registry
// do on GitLab: to the project's URL, authenticated with the API token
// through git's credential helper, where the job token's clone URL would be
// refused.
func TestPushAccess(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	bare := filepath.Join(root, "ml", "churn.git")
	for _, args := range [][]string{
		{"init", "--quiet", "--bare", bare},
		{"-C", bare, "config", "http.receivepack", "true"},
	} {
		out, err := exec.Command("git", args...).CombinedOutput()
		require.NoError(t, err, string(out))
	}
	server := gitlabtest.GitServer(t, root, testToken)
	work := gittest.New(t)
	head := work.CommitFiles("model", map[string]string{"model.json": "{}"})

	env := mrEnv(nil, t.TempDir())
	env["CI_REPOSITORY_URL"] = strings.Replace(server, "http://",
		"http://gitlab-ci-token:job-token-not-for-writes@", 1) + "/ml/churn.git"
	c, _ := newTestClient(t, env)
	repo, remote := platform.PushTarget(c, git.Repo{Dir: work.Dir}, "origin")
	assert.Equal(t, server+"/ml/churn.git", remote, "the clone URL without the job token")
	for _, kv := range repo.Env {
		if k, v, _ := strings.Cut(kv, "="); k != gitTokenVar {
			assert.NotContains(t, v, testToken, "the token is in %s alone", gitTokenVar)
		}
	}

	_, err := repo.Run(t.Context(), "push", "--quiet", remote, "HEAD:refs/heads/retrain")
	require.NoError(t, err)
	out, err := exec.Command("git", "-C", bare, "rev-parse", "refs/heads/retrain").Output()
	require.NoError(t, err)
	assert.Equal(t, head, strings.TrimSpace(string(out)))

	plain := git.Repo{Dir: work.Dir}
	_, err = plain.Run(t.Context(), "push", "--quiet", remote, "HEAD:refs/heads/other")
	require.Error(t, err, "without the token the server refuses the push")
	assert.NotContains(t, err.Error(), testToken)
}

func TestPushAccessNeedsATokenAndAProject(t *testing.T) {
	t.Parallel()
	env := mrEnv(nil, t.TempDir())
	delete(env, "MLCI_GITLAB_TOKEN")
	c, _ := newTestClient(t, env)
	_, _, ok := c.PushAccess()
	assert.False(t, ok, "the job token alone gives nothing to push with")

	env = mrEnv(nil, t.TempDir())
	env["CI_SERVER_URL"] = "https://gitlab.example.com/"
	c, _ = newTestClient(t, env)
	url, _, ok := c.PushAccess()
	require.True(t, ok)
	assert.Equal(t, "https://gitlab.example.com/ml/churn.git", url)

	delete(env, "CI_PROJECT_PATH")
	c, _ = newTestClient(t, env)
	_, _, ok = c.PushAccess()
	assert.False(t, ok, "no project to push to")
}
