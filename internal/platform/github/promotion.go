package github

import (
	"context"
	"fmt"

	"github.com/google/go-github/v60/github"

	"github.com/mlci-dev/mlci/internal/exit"
)

// This file finds the pull requests a commit belongs to: the one a merge
// came from, to tell it what became of its model, and the one a report made
// by another workflow run is about.

// MergedPullRequests returns the numbers of the merged pull requests that
// brought commit into the repository; for a merge commit on the default
// branch, the pull request it merged. A commit pushed without a pull
// request has none.
// GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls.
func (c *Client) MergedPullRequests(ctx context.Context, commit string) ([]int, error) {
	prs, err := c.pullsOf(ctx, commit)
	if err != nil {
		return nil, err
	}
	var out []int
	for _, pr := range prs {
		if pr.MergedAt != nil {
			out = append(out, pr.GetNumber())
		}
	}
	return out, nil
}

// OpenPullRequest returns the number of the open pull request whose head is
// commit; 0 when there is none, as when the pull request was pushed to
// since the commit was reported on, or closed.
// GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls.
func (c *Client) OpenPullRequest(ctx context.Context, commit string) (int, error) {
	prs, err := c.pullsOf(ctx, commit)
	if err != nil {
		return 0, err
	}
	for _, pr := range prs {
		if pr.GetState() == "open" && pr.GetHead().GetSHA() == commit {
			return pr.GetNumber(), nil
		}
	}
	return 0, nil
}

// pullsOf lists the pull requests GitHub associates with commit, every page.
func (c *Client) pullsOf(ctx context.Context, commit string) ([]*github.PullRequest, error) {
	var all []*github.PullRequest
	opts := &github.ListOptions{PerPage: 100}
	for {
		var (
			page []*github.PullRequest
			resp *github.Response
		)
		err := c.again(ctx, "listing the commit's pull requests", func(ctx context.Context) error {
			var err error
			page, resp, err = c.api.PullRequests.ListPullRequestsWithCommit(ctx, c.owner, c.repo,
				commit, opts)
			return err
		})
		if err != nil {
			return nil, exit.Externalf("listing the pull requests of %.7s: %w", commit, err)
		}
		all = append(all, page...)
		if resp.NextPage == 0 {
			return all, nil
		}
		opts.Page = resp.NextPage
	}
}

// CommentOnce posts body on pull request number with mark, a hidden line
// that finds the comment again: when one of mlci's comments there holds
// mark already, it is updated instead, so that a rerun adds nothing. It
// does nothing when the comment input is false.
// POST /repos/{owner}/{repo}/issues/{issue_number}/comments.
func (c *Client) CommentOnce(ctx context.Context, number int, mark, body string) error {
	if !c.in.Comment {
		c.log.Debug("the comment input is false; not commenting", "pull_request", number)
		return nil
	}
	body = commentBody(body, mark)
	err := c.again(ctx, fmt.Sprintf("commenting on #%d", number), func(ctx context.Context) error {
		return c.upsert(ctx, number, mark, body)
	})
	return exit.With(exit.External, wrap(err, "commenting on #%d", number))
}
