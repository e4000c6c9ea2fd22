package gitlab

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/platform"
)

func TestDeploy(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	env := mrEnv(f, t.TempDir())
	env["CI_ENVIRONMENT_NAME"] = "production"
	c, _ := newTestClient(t, env)

	require.NoError(t, c.Deploy(t.Context(), platform.Deployment{
		Model: "churn", Version: "v1.2.0", Environment: "staging"}))
	require.NoError(t, c.Deploy(t.Context(), platform.Deployment{
		Model: "churn", Version: "v1.2.0", Environment: "production"}))

	require.Len(t, f.deployments, 1, "the job's own environment is GitLab's to record")
	d := f.deployments[0]
	assert.Equal(t, "staging", *d.Environment)
	assert.Equal(t, headSHA, *d.SHA)
	assert.Equal(t, "tune-lr", *d.Ref)
	assert.False(t, *d.Tag)
	assert.Equal(t, "success", string(*d.Status))
}

func TestPropose(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	c, _ := newTestClient(t, mrEnv(f, t.TempDir()))
	p := platform.Proposal{Branch: "mlci/retrain", Base: "main", Title: "Retrain churn",
		Body: "first", Labels: []string{"mlci"}}

	first, err := c.Propose(t.Context(), p)
	require.NoError(t, err)
	p.Body = "second"
	second, err := c.Propose(t.Context(), p)
	require.NoError(t, err)

	assert.Equal(t, "https://gitlab.example.com/g/p/-/merge_requests/100", first)
	assert.Equal(t, first, second)
	require.Len(t, f.mrs, 1)
	assert.Equal(t, "second", f.mrs[0]["description"])
	assert.Equal(t, 1, f.count(routeCreateMR))
	assert.Equal(t, 1, f.count(routeUpdateMR))
}

func TestChangedFiles(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	c, _ := newTestClient(t, mrEnv(f, t.TempDir()))

	files, err := c.ChangedFiles(t.Context(), &platform.Event{Number: 7})

	require.NoError(t, err)
	assert.Equal(t, []platform.ChangedFile{
		{Path: "README", Status: "modified"},
		{Path: "VERSION", Status: "modified"},
		{Path: "params.yaml", Status: "added"},
		{Path: "data/old.csv", Status: "deleted"},
		{Path: "src/features.py", OldPath: "src/feat.py", Status: "renamed"},
	}, files)
	assert.Equal(t, 2, f.count(routeDiffs))
}
