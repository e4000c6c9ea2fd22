package gitlabtest

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	gl "gitlab.com/gitlab-org/api/client-go"
)

const (
	token  = "glpat-FAKE-TEST-TOKEN"
	commit = "8e0b45049b6253b8984cde9241830d2851168142"
)

func client(t *testing.T, s *Server, auth gl.AuthSource) *gl.Client {
	t.Helper()
	c, err := gl.NewAuthSourceClient(auth, gl.WithBaseURL(s.URL()), gl.WithCustomRetryMax(0))
	require.NoError(t, err)
	return c
}

// status returns the HTTP status of a failed call's answer.
func status(t *testing.T, resp *gl.Response, err error) int {
	t.Helper()
	require.Error(t, err)
	require.NotNil(t, resp)
	return resp.StatusCode
}

func TestNotesSpanPages(t *testing.T) {
	t.Parallel()
	s := New(t, Options{Project: "5", Token: token, PageSize: 2})
	for _, body := range []string{"one", "two", "three"} {
		s.AddNote(7, "reviewer", body, false)
	}
	c := client(t, s, gl.AccessTokenAuthSource{Token: token})

	opt := &gl.ListMergeRequestNotesOptions{Sort: gl.Ptr("asc"),
		ListOptions: gl.ListOptions{PerPage: 100, Page: 1}}
	var bodies []string
	for {
		notes, resp, err := c.Notes.ListMergeRequestNotes("5", 7, opt)
		require.NoError(t, err)
		for _, n := range notes {
			bodies = append(bodies, n.Body)
		}
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	assert.Equal(t, []string{"one", "two", "three"}, bodies)
	assert.Len(t, s.Requests(), 2)
	assert.Empty(t, s.Writes())
}

func TestRefusesWhatGitLabRefuses(t *testing.T) {
	t.Parallel()
	s := New(t, Options{Project: "5", Token: token})
	s.AddNote(7, "reviewer", "mine", false)
	c := client(t, s, gl.AccessTokenAuthSource{Token: token})
	theirs := s.Notes(7)[0].ID

	_, resp, err := client(t, s, gl.JobTokenAuthSource{Token: "job"}).Notes.
		CreateMergeRequestNote("5", 7, &gl.CreateMergeRequestNoteOptions{Body: gl.Ptr("x")})
	assert.Equal(t, http.StatusForbidden, status(t, resp, err), "a job token")
	_, resp, err = client(t, s, gl.AccessTokenAuthSource{Token: "wrong"}).Users.CurrentUser()
	assert.Equal(t, http.StatusUnauthorized, status(t, resp, err), "a wrong token")
	_, resp, err = c.Notes.CreateMergeRequestNote("6", 7,
		&gl.CreateMergeRequestNoteOptions{Body: gl.Ptr("x")})
	assert.Equal(t, http.StatusNotFound, status(t, resp, err), "another project")
	_, resp, err = c.Notes.CreateMergeRequestNote("5", 7, &gl.CreateMergeRequestNoteOptions{})
	assert.Equal(t, http.StatusBadRequest, status(t, resp, err), "no body")
	_, resp, err = c.Notes.UpdateMergeRequestNote("5", 7, theirs,
		&gl.UpdateMergeRequestNoteOptions{Body: gl.Ptr("x")})
	assert.Equal(t, http.StatusForbidden, status(t, resp, err), "another user's note")

	set := &gl.SetCommitStatusOptions{State: gl.Success, Name: gl.Ptr("mlci")}
	_, _, err = c.Commits.SetCommitStatus("5", commit, set)
	require.NoError(t, err)
	_, resp, err = c.Commits.SetCommitStatus("5", commit, set)
	assert.Equal(t, http.StatusBadRequest, status(t, resp, err), "the state it has")
	assert.ErrorContains(t, err, "Cannot transition status")
	_, resp, err = c.Commits.SetCommitStatus("5", commit,
		&gl.SetCommitStatusOptions{State: "done"})
	assert.Equal(t, http.StatusBadRequest, status(t, resp, err), "an unknown state")

	assert.Len(t, s.Requests(), 8, "every request is recorded, refused or not")
	assert.Len(t, s.Writes(), 7, "all but GET /user")
	require.Len(t, s.Statuses(), 1)
	assert.Equal(t, "success", s.Statuses()[0].Status)
	assert.Equal(t, "mine", s.Notes(7)[0].Body)
}
