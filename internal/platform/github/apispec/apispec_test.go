package apispec_test

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/platform/github/apispec"
)

const extract = "../testdata/openapi/operations.json"

func TestMatch(t *testing.T) {
	t.Parallel()
	s, err := apispec.Load(extract)
	require.NoError(t, err)
	assert.Equal(t, "@octokit/openapi", s.Source["package"])

	tests := []struct {
		method, path, want string
	}{
		{"GET", "/repos/o/r/pulls/7/files", "/repos/{owner}/{repo}/pulls/{pull_number}/files"},
		{
			"PATCH",
			"/repos/o/r/issues/comments/9",
			"/repos/{owner}/{repo}/issues/comments/{comment_id}",
		},
		{"GET", "/repos/o/r/pulls/comments", "/repos/{owner}/{repo}/pulls/comments"},
		{"GET", "/user", "/user"},
	}
	for _, tt := range tests {
		got, err := s.Match(tt.method, tt.path)
		require.NoError(t, err)
		assert.Equal(t, tt.want, got)
	}

	for _, bad := range [][2]string{
		{"GET", "/repos/o/r/pull/7"},
		{"DELETE", "/user"},
		{"GET", "/api/v3/user"},
		{"GET", "/repos/o/r/issues//comments"},
	} {
		_, err := s.Match(bad[0], bad[1])
		require.ErrorIs(t, err, apispec.ErrUnknown, "%s %s", bad[0], bad[1])
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	s, err := apispec.Load(extract)
	require.NoError(t, err)

	key, err := s.Check("POST", "/repos/o/r/issues/1/comments", nil, []byte(`{"body":"hi"}`))
	require.NoError(t, err)
	assert.Equal(t, "POST /repos/{owner}/{repo}/issues/{issue_number}/comments", key)

	_, err = s.Check("POST", "/repos/o/r/issues/1/comments", nil, []byte(`{"text":"hi"}`))
	require.ErrorContains(t, err, "does not match the description")

	_, err = s.Check("POST", "/repos/o/r/issues/1/comments", nil, nil)
	require.ErrorContains(t, err, "needs a request body")

	_, err = s.Check("POST", "/repos/o/r/check-runs", nil,
		[]byte(`{"name":"mlci","head_sha":"abc","conclusion":"great"}`))
	require.ErrorContains(t, err, "conclusion")

	_, err = s.Check("GET", "/repos/o/r/pulls/1/files", url.Values{"per_page": {"100"}}, nil)
	require.NoError(t, err)
	_, err = s.Check("GET", "/repos/o/r/pulls/1/files", url.Values{"limit": {"100"}}, nil)
	require.ErrorContains(t, err, `query parameter "limit"`)

	_, err = s.Check("GET", "/repos/o/r/releases", nil, nil)
	require.ErrorContains(t, err, "not in the extract")
}

func TestNullable(t *testing.T) {
	t.Parallel()
	s, err := apispec.Load(extract)
	require.NoError(t, err)

	// A status's description is `nullable` in the description.
	path := "/repos/o/r/statuses/abc"
	_, err = s.Check("POST", path, nil, []byte(`{"state":"success","description":null}`))
	require.NoError(t, err)
	_, err = s.Check("POST", path, nil, []byte(`{"state":null}`))
	require.ErrorContains(t, err, "does not match")
}

func TestExample(t *testing.T) {
	t.Parallel()
	s, err := apispec.Load(extract)
	require.NoError(t, err)

	v, ok := s.Example("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", 201)
	require.True(t, ok)
	assert.Contains(t, v, "html_url")

	_, ok = s.Example("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", 299)
	assert.False(t, ok)
}
