package github_test

import (
	"io"
	"testing"
	"time"

	gh "github.com/google/go-github/v60/github"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/flow"
	"github.com/mlci-dev/mlci/internal/platform/github"
	"github.com/mlci-dev/mlci/internal/platform/github/githubtest"
)

// The GitHub platform reports promotions back on pull requests.
var _ flow.PromotionNotifier = (*github.Client)(nil)

const (
	commitPulls   = "GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls"
	createComment = "POST /repos/{owner}/{repo}/issues/{issue_number}/comments"
	editComment   = "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}"
	mergeSHA      = "6113728f27ae82c7b1a177c8d03f9e96e0adf246"
	otherSHA      = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
)

// client is a Client of a workflow run of the webhook examples' repository
// against api, with extra variables.
func client(t *testing.T, api *githubtest.Server, extra ...string) *github.Client {
	t.Helper()
	env := map[string]string{
		"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "Codertocat/Hello-World",
		"GITHUB_API_URL": api.URL(), "GITHUB_TOKEN": githubtest.Token,
	}
	for i := 0; i+1 < len(extra); i += 2 {
		env[extra[i]] = extra[i+1]
	}
	c, err := github.New(t.Context(), func(k string) string { return env[k] },
		github.Options{Out: io.Discard})
	require.NoError(t, err)
	return c
}

// pull is a pull request in state with its head commit and merge commit:
// for an open one, the test merge GitHub makes; for a closed one with a
// merge commit, the merge.
func pull(number int, state, head, mergeCommit string) *gh.PullRequest {
	pr := &gh.PullRequest{
		Number: &number, State: &state,
		Head: &gh.PullRequestBranch{Ref: gh.String("feature"), SHA: &head},
		Base: &gh.PullRequestBranch{Ref: gh.String("main")},
	}
	if mergeCommit != "" {
		pr.MergeCommitSHA = &mergeCommit
	}
	if mergeCommit != "" && state == "closed" {
		pr.MergedAt = &gh.Timestamp{Time: time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC)}
	}
	return pr
}

func TestMergedPullRequests(t *testing.T) {
	t.Parallel()
	api := githubtest.New(t, githubtest.Options{PageSize: 1})
	api.AddPull(pull(2, "closed", otherSHA, mergeSHA))
	// A pull request opened from the default branch after the merge holds
	// the commit too, but merged nothing.
	api.AddPull(pull(3, "open", mergeSHA, ""))
	api.AddPull(pull(4, "closed", mergeSHA, otherSHA))

	prs, err := client(t, api).MergedPullRequests(t.Context(), mergeSHA)
	require.NoError(t, err)
	assert.Equal(t, []int{2, 4}, prs)
	assert.Equal(t, 3, api.Count(commitPulls), "every page, one pull request each")

	pushed := "1111111111111111111111111111111111111111"
	prs, err = client(t, api).MergedPullRequests(t.Context(), pushed)
	require.NoError(t, err)
	assert.Empty(t, prs, "a commit pushed without a pull request")
}

func TestOpenPullRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		pull *gh.PullRequest
		want int
	}{
		{"open with the commit as its head", pull(7, "open", mergeSHA, ""), 7},
		{"closed", pull(7, "closed", mergeSHA, ""), 0},
		{"pushed to since", pull(7, "open", otherSHA, mergeSHA), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api := githubtest.New(t, githubtest.Options{})
			api.AddPull(tt.pull)
			n, err := client(t, api).OpenPullRequest(t.Context(), mergeSHA)
			require.NoError(t, err)
			assert.Equal(t, tt.want, n)
		})
	}
}

func TestCommentOnce(t *testing.T) {
	t.Parallel()
	const mark = "<!-- mlci:promotion model=churn version=v0.2.0 stage=staging -->"
	api := githubtest.New(t, githubtest.Options{Login: "mlci-bot", PageSize: 2})
	// A person quoting the marker does not have their comment taken over.
	api.AddComment(2, "dana", "User", "Nice!\n"+mark)
	api.AddComment(2, "octocat", "User", "Merging.")
	c := client(t, api)

	for range 2 {
		require.NoError(t, c.CommentOnce(t.Context(), 2, mark, "🚀 promoted"))
	}
	comments := api.Comments(2)
	require.Len(t, comments, 3)
	assert.Equal(t, "🚀 promoted\n\n"+mark+"\n", comments[2].GetBody())
	assert.Equal(t, "mlci-bot", comments[2].GetUser().GetLogin())
	assert.Equal(t, 1, api.Count(createComment))
	assert.Equal(t, 0, api.Count(editComment), "the same body is left as it is")

	require.NoError(t, c.CommentOnce(t.Context(), 2, mark, "🚀 promoted, again"))
	comments = api.Comments(2)
	require.Len(t, comments, 3)
	assert.Contains(t, comments[2].GetBody(), "🚀 promoted, again")
	assert.Equal(t, "Nice!\n"+mark, comments[0].GetBody())

	other := "<!-- mlci:promotion model=churn version=v0.2.0 stage=production -->"
	require.NoError(t, c.CommentOnce(t.Context(), 2, other, "🚀 to production"))
	assert.Len(t, api.Comments(2), 4, "another promotion, another comment")
}

func TestCommentOnceCommentInputOff(t *testing.T) {
	t.Parallel()
	api := githubtest.New(t, githubtest.Options{})
	c := client(t, api, "INPUT_COMMENT", "false")
	require.NoError(t, c.CommentOnce(t.Context(), 2, "<!-- m -->", "body"))
	assert.Empty(t, api.Requests())
}
