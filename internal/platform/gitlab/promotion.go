package gitlab

import (
	"context"
	"fmt"
	neturl "net/url"
	"strings"

	gl "gitlab.com/gitlab-org/api/client-go"
)

// This file tells a merge request what became of the model it brought in:
// after a promotion on the default branch, the flow finds the merge
// requests of the promoted commit and leaves one note on each.

// MergedPullRequests returns the IIDs of the merged merge requests that
// brought commit into the project, as GitLab relates them to it (the merge
// commit, the squash commit or a commit of the merge request):
// GET /projects/:id/repository/commits/:sha/merge_requests.
func (c *Client) MergedPullRequests(ctx context.Context, commit string) ([]int, error) {
	if err := c.needWrite(); err != nil {
		return nil, fmt.Errorf("listing the merge requests of %s: %w", short(commit), err)
	}
	ctx, cancel := c.bounded(ctx)
	defer cancel()

	mrs, _, err := c.api.Commits.ListMergeRequestsByCommit(c.pipelineProject(), commit,
		gl.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("listing the merge requests of %s: %w", short(commit), err)
	}
	var out []int
	for _, mr := range mrs {
		if mr.State == "merged" {
			out = append(out, int(mr.IID))
		}
	}
	return out, nil
}

// CommentOnce posts body on merge request iid with mark, a hidden line that
// finds the note again: when one of mlci's notes there holds mark already,
// it is updated instead, so that a rerun adds nothing.
func (c *Client) CommentOnce(ctx context.Context, iid int, mark, body string) error {
	if err := c.needWrite(); err != nil {
		return fmt.Errorf("commenting on merge request !%d: %w", iid, err)
	}
	body = strings.TrimRight(body, "\n") + "\n\n" + mark + "\n"
	if len(body) > maxNoteBytes {
		return fmt.Errorf("commenting on merge request !%d: the note is %d bytes, more "+
			"than GitLab takes", iid, len(body))
	}
	has := func(b string) bool { return strings.Contains(b, mark) }
	if _, err := c.upsert(ctx, iid, has, body); err != nil {
		return fmt.Errorf("commenting on merge request !%d: %w", iid, err)
	}
	return nil
}

// gitTokenVar is the variable that hands the API token to git's credential
// helper: in the environment of git alone, never on a command line.
const gitTokenVar = "MLCI_GIT_TOKEN"

// PushAccess returns the project's URL and what git needs to push there with
// the API token, as the job token the checkout was cloned with may not push
// (registry tags, run records, a retraining branch). The URL is the clone
// URL without its credentials; a credential helper passed through git's
// GIT_CONFIG_* variables, in place of any configured one, answers with the
// token. ok is false without a token, or when the job does not say where
// the project is.
func (c *Client) PushAccess() (url string, env []string, ok bool) {
	token := firstSet(c.getenv, "MLCI_GITLAB_TOKEN", "GITLAB_TOKEN")
	url = projectURL(c.getenv)
	if token == "" || url == "" {
		return "", nil, false
	}
	helper := `!f() { test "$1" = get && ` +
		`printf 'username=oauth2\npassword=%s\n' "$` + gitTokenVar + `"; }; f`
	return url, []string{
		"GIT_CONFIG_COUNT=2",
		"GIT_CONFIG_KEY_0=credential.helper", "GIT_CONFIG_VALUE_0=",
		"GIT_CONFIG_KEY_1=credential.helper", "GIT_CONFIG_VALUE_1=" + helper,
		gitTokenVar + "=" + token,
	}, true
}

// projectURL is the project's HTTP(S) clone URL without credentials: the
// job's CI_REPOSITORY_URL with its user and password removed, else
// CI_SERVER_URL/CI_PROJECT_PATH.git; "" when neither is known.
func projectURL(getenv func(string) string) string {
	if u, err := neturl.Parse(getenv("CI_REPOSITORY_URL")); err == nil && u.Host != "" &&
		(u.Scheme == "https" || u.Scheme == "http") {
		u.User = nil
		return u.String()
	}
	server, path := getenv("CI_SERVER_URL"), getenv("CI_PROJECT_PATH")
	if server == "" || path == "" {
		return ""
	}
	return strings.TrimSuffix(server, "/") + "/" + path + ".git"
}
