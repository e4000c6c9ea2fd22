package gitlab

import (
	"context"
	"fmt"
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
