package registry

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/git"
	"github.com/mlci-dev/mlci/internal/git/gittest"
)

func TestStageRevision(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	c1 := r.CommitFiles("one", map[string]string{"m": "1"})
	c2 := r.CommitFiles("two", map[string]string{"m": "2"})
	gtoTag(t, r.Dir, "churn@v0.1.0", c1, "Registering artifact churn version v0.1.0", t0)
	gtoTag(t, r.Dir, "churn@v0.2.0", c2, "Registering artifact churn version v0.2.0", t0)
	gtoTag(t, r.Dir, "churn#production#1", c1, "Assigning stage production", t0)
	gtoTag(t, r.Dir, "churn#staging#2", c2, "Assigning stage staging", t0)
	repo := git.Repo{Dir: r.Dir}

	got, err := StageRevision(t.Context(), repo, "churn", "production")
	require.NoError(t, err)
	assert.Equal(t, "churn@v0.1.0", got)

	c3 := r.CommitFiles("three", map[string]string{"m": "3"})
	gtoTag(t, r.Dir, "churn#canary#3", c3, "Assigning stage canary", t0)
	got, err = StageRevision(t.Context(), repo, "churn", "canary")
	require.NoError(t, err)
	assert.Equal(t, c3, got, "a commit assigned without a registration")

	tests := []struct {
		model, stage, want string
		is                 error
	}{
		{"churn", "shadow", `no version in stage "shadow" of churn ` +
			"(stages that hold one: canary, production, staging)", ErrEmptyStage},
		{"fraud", "production", `unknown model "fraud" in the registry (models in it: churn)`,
			ErrUnknownModel},
	}
	for _, tt := range tests {
		_, err := StageRevision(t.Context(), repo, tt.model, tt.stage)
		require.EqualError(t, err, tt.want)
		require.ErrorIs(t, err, tt.is)
		assert.Equal(t, exit.Usage, exit.Code(err))
	}
}
