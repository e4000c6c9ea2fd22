package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/platform"
)

// Permission returns the user's permission on the repository: admin,
// maintain, write, triage, read or none. GitHub's role_name tells maintain
// and triage apart, which the older permission field folds into write and
// read; a custom role reads as its base permission.
// GET /repos/{owner}/{repo}/collaborators/{username}/permission.
func (c *Client) Permission(ctx context.Context, user string) (string, error) {
	path := fmt.Sprintf("repos/%s/%s/collaborators/%s/permission", c.owner, c.repo, user)
	req, err := c.api.NewRequest(http.MethodGet, path, nil)
	if err != nil {
		return "", err
	}
	var level struct {
		Permission string `json:"permission"`
		RoleName   string `json:"role_name"`
	}
	_, err = c.api.Do(ctx, req, &level)
	if apiStatus(err) == http.StatusNotFound {
		return "none", nil // not a collaborator
	}
	if err != nil {
		return "", exit.Externalf("reading @%s's permission: %w", user, err)
	}
	switch level.RoleName {
	case "admin", "maintain", "write", "triage", "read":
		return level.RoleName, nil
	}
	return orDefault(level.Permission, "none"), nil
}

// Acknowledge puts an eyes reaction on the comment that gave a command.
// POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions.
func (c *Client) Acknowledge(ctx context.Context, ev *platform.Event) error {
	if ev.Comment == nil {
		return errors.New("acknowledging: the event has no comment")
	}
	// Adding a reaction that exists already answers 200, so trying again
	// is safe.
	err := c.again(ctx, "reacting to the comment", func(ctx context.Context) error {
		_, _, err := c.api.Reactions.CreateIssueCommentReaction(ctx, c.owner, c.repo,
			ev.Comment.ID, "eyes")
		return err
	})
	return exit.With(exit.External, wrap(err, "reacting to comment %d", ev.Comment.ID))
}

// Reply answers a command's comment with a comment on its pull request. It
// carries a hidden marker of the comment it answers, so that a retry, or a
// second answer to the same comment, edits the reply rather than adding one.
// POST /repos/{owner}/{repo}/issues/{issue_number}/comments.
func (c *Client) Reply(ctx context.Context, ev *platform.Event, body string) error {
	if ev.Number == 0 {
		return errors.New("replying: the event has no pull request")
	}
	mark := "<!-- mlci:reply -->"
	if ev.Comment != nil {
		mark = fmt.Sprintf("<!-- mlci:reply comment=%d -->", ev.Comment.ID)
		body = fmt.Sprintf("@%s %s", ev.Comment.Author, body)
	}
	body = commentBody(body, mark)
	err := c.again(ctx, "replying", func(ctx context.Context) error {
		return c.upsert(ctx, ev.Number, mark, body)
	})
	return exit.With(exit.External, wrap(err, "replying on #%d", ev.Number))
}
