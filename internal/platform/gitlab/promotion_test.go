package gitlab

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const mergeSHA = "4f5e6d7c8b9a0f1e2d3c4b5a6978879605a4b3c2"

func TestMergedPullRequests(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.addMR(7, "merged", headSHA, mergeSHA)
	f.addMR(8, "opened", mergeSHA, "")
	f.addMR(9, "merged", baseSHA, baseSHA)
	c, _ := newTestClient(t, mrEnv(f, t.TempDir()))

	got, err := c.MergedPullRequests(t.Context(), mergeSHA)
	require.NoError(t, err)
	assert.Equal(t, []int{7}, got, "the merged one only")

	got, err = c.MergedPullRequests(t.Context(), "0123456789abcdef0123456789abcdef01234567")
	require.NoError(t, err)
	assert.Empty(t, got, "a commit pushed without a merge request")
}

func TestCommentOnce(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.seed("7", 4)
	const mark = "<!-- mlci:promotion model=churn version=v0.2.0 stage=staging -->"
	f.mu.Lock()
	f.addNote("7", "quoting "+mark, "reviewer", false) // not ours
	f.mu.Unlock()

	for _, body := range []string{"promoted\n", "promoted again\n"} {
		c, logs := newTestClient(t, mrEnv(f, t.TempDir()))
		require.NoError(t, c.CommentOnce(t.Context(), 7, mark, body))
		assert.NotContains(t, logs.String(), testToken)
	}

	notes := f.notesWith(mark)
	require.Len(t, notes, 2, "the reviewer's quote and one note of ours")
	assert.Equal(t, "quoting "+mark, notes[0]["body"])
	assert.Equal(t, "promoted again\n\n"+mark+"\n", notes[1]["body"])
	assert.Equal(t, 1, f.count(routeCreateNote))
	assert.Equal(t, 1, f.count(routeUpdateNote))
}

func TestPromotionFeedbackNeedsAToken(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	env := mrEnv(f, t.TempDir())
	delete(env, "MLCI_GITLAB_TOKEN")
	c, logs := newTestClient(t, env)

	_, err := c.MergedPullRequests(t.Context(), mergeSHA)
	require.ErrorIs(t, err, ErrNoToken)
	require.ErrorIs(t, c.CommentOnce(t.Context(), 7, "<!-- m -->", "body"), ErrNoToken)
	assert.Contains(t, logs.String(), "MLCI_GITLAB_TOKEN")
	assert.Zero(t, f.count(routeCommitMRs)+f.count(routeCreateNote))
}
