package github

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/google/go-github/v60/github"

	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/platform"
)

// Propose opens a pull request from p.Branch into p.Base (the repository's
// default branch when empty), or updates the title and body of the one
// open for that branch, adds p.Labels and returns its URL. The branch must
// have been pushed.
// GET and POST /repos/{owner}/{repo}/pulls, PATCH /repos/{owner}/{repo}/pulls/{pull_number},
// POST /repos/{owner}/{repo}/issues/{issue_number}/labels.
func (c *Client) Propose(ctx context.Context, p platform.Proposal) (string, error) {
	if p.Branch == "" {
		return "", exit.Usagef("proposing: no branch")
	}
	var pr *github.PullRequest
	err := c.again(ctx, "opening the pull request", func(ctx context.Context) error {
		var err error
		pr, err = c.openOrUpdate(ctx, p)
		return err
	})
	if err != nil {
		return "", exit.Externalf("proposing %s: %w", p.Branch, err)
	}

	if len(p.Labels) > 0 {
		err = c.again(ctx, "labelling the pull request", func(ctx context.Context) error {
			return c.addLabels(ctx, pr.GetNumber(), p.Labels)
		})
		if err != nil {
			return "", exit.Externalf("labelling pull request #%d: %w", pr.GetNumber(), err)
		}
	}
	return pr.GetHTMLURL(), nil
}

func (c *Client) openOrUpdate(ctx context.Context,
	p platform.Proposal) (*github.PullRequest, error) {
	open, _, err := c.api.PullRequests.List(ctx, c.owner, c.repo, &github.PullRequestListOptions{
		State: "open", Head: c.owner + ":" + p.Branch,
	})
	if err != nil {
		return nil, wrap(err, "finding the pull request of %s", p.Branch)
	}
	if len(open) > 0 {
		pr, _, err := c.api.PullRequests.Edit(ctx, c.owner, c.repo, open[0].GetNumber(),
			&github.PullRequest{Title: &p.Title, Body: &p.Body})
		return pr, wrap(err, "updating pull request #%d", open[0].GetNumber())
	}

	base := p.Base
	if base == "" {
		if base, err = c.defaultBranch(ctx); err != nil {
			return nil, err
		}
	}
	pr, _, err := c.api.PullRequests.Create(ctx, c.owner, c.repo, &github.NewPullRequest{
		Title: &p.Title, Head: &p.Branch, Base: &base, Body: &p.Body,
		MaintainerCanModify: github.Bool(true),
	})
	return pr, wrap(err, "opening a pull request from %s", p.Branch)
}

// defaultBranch returns the repository's default branch, from the event's
// payload when it names it, else from GET /repos/{owner}/{repo}.
func (c *Client) defaultBranch(ctx context.Context) (string, error) {
	if data, err := c.payload(); err == nil {
		var e struct {
			Repo struct {
				DefaultBranch string `json:"default_branch"`
			} `json:"repository"`
		}
		if json.Unmarshal(data, &e) == nil && e.Repo.DefaultBranch != "" {
			return e.Repo.DefaultBranch, nil
		}
	}
	repo, _, err := c.api.Repositories.Get(ctx, c.owner, c.repo)
	if err != nil {
		return "", wrap(err, "reading the default branch")
	}
	return repo.GetDefaultBranch(), nil
}

// addLabels adds labels to an issue or pull request. It sends the
// {"labels": [...]} object the API description asks for; go-github's
// AddLabelsToIssue sends a bare array, which the description does not allow.
// POST /repos/{owner}/{repo}/issues/{issue_number}/labels.
func (c *Client) addLabels(ctx context.Context, number int, labels []string) error {
	path := fmt.Sprintf("repos/%s/%s/issues/%d/labels", c.owner, c.repo, number)
	req, err := c.api.NewRequest(http.MethodPost, path, struct {
		Labels []string `json:"labels"`
	}{labels})
	if err != nil {
		return err
	}
	_, err = c.api.Do(ctx, req, nil)
	return err
}
