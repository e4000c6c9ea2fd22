package github

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/mlci-dev/mlci/internal/platform"
)

// identity is the account the token acts as, for telling mlci's own
// comments from people's.
type identity struct {
	// login is the account's login; empty when GitHub would not say, as for
	// the workflow's GITHUB_TOKEN and other GitHub App tokens.
	login string
}

// wrote reports whether u is the account. When the login is unknown, any
// bot account counts: the workflow token posts as github-actions[bot] and
// an app's token as its own bot, and no person can post as a bot, so a
// person who pastes a marker into a comment does not capture the report.
func (id identity) wrote(u *github.User) bool {
	if id.login != "" {
		return strings.EqualFold(u.GetLogin(), id.login)
	}
	return u.GetType() == "Bot"
}

// whoAmI returns the token's account: GET /user, which answers for a
// personal token; an app's token is refused and reads as a bot.
func (c *Client) whoAmI(ctx context.Context) (identity, error) {
	c.mu.Lock()
	me := c.me
	c.mu.Unlock()
	if me != nil {
		return *me, nil
	}

	u, _, err := c.api.Users.Get(ctx, "")
	var id identity
	switch s := apiStatus(err); {
	case err == nil:
		id.login = u.GetLogin()
	case s == http.StatusForbidden || s == http.StatusUnauthorized || s == http.StatusNotFound:
		c.log.Debug("the token's account is not readable; taking bot accounts' comments as mlci's")
	default:
		return identity{}, fmt.Errorf("reading the token's account: %w", err)
	}

	c.mu.Lock()
	c.me = &id
	c.mu.Unlock()
	return id, nil
}

// upsertComment updates the pull request's comment that carries the
// report's marker, or creates it. Run again after a failure, it finds a
// comment an earlier try created, so that the pull request keeps one.
func (c *Client) upsertComment(ctx context.Context, number int, r *platform.Report) error {
	mark := markerOf(r)
	body := commentBody(r.Markdown, mark)
	return c.upsert(ctx, number, mark, body)
}

// upsert edits the comment of ours that holds mark, or creates one.
func (c *Client) upsert(ctx context.Context, number int, mark, body string) error {
	found, err := c.findComment(ctx, number, mark)
	if err != nil {
		return err
	}
	if found != nil && found.GetBody() == body {
		return nil
	}
	if found != nil {
		_, _, err = c.api.Issues.EditComment(ctx, c.owner, c.repo, found.GetID(),
			&github.IssueComment{Body: &body})
		if apiStatus(err) != http.StatusNotFound {
			return wrap(err, "updating comment %d", found.GetID())
		}
		// Deleted since it was listed: post it anew.
	}
	_, _, err = c.api.Issues.CreateComment(ctx, c.owner, c.repo, number,
		&github.IssueComment{Body: &body})
	return wrap(err, "commenting on #%d", number)
}

// findComment returns the oldest of our comments on the pull request that
// holds mark, reading every page; nil when there is none.
func (c *Client) findComment(ctx context.Context, number int,
	mark string) (*github.IssueComment, error) {
	me, err := c.whoAmI(ctx)
	if err != nil {
		return nil, err
	}
	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	for {
		page, resp, err := c.api.Issues.ListComments(ctx, c.owner, c.repo, number, opts)
		if err != nil {
			return nil, fmt.Errorf("listing the comments of #%d: %w", number, err)
		}
		for _, cm := range page {
			if strings.Contains(cm.GetBody(), mark) && me.wrote(cm.GetUser()) {
				return cm, nil
			}
		}
		if resp.NextPage == 0 {
			return nil, nil
		}
		opts.Page = resp.NextPage
	}
}

// commentBody is the report's Markdown cut to a comment's limit, ending
// with its marker.
func commentBody(md, mark string) string {
	if i := strings.LastIndex(md, mark); i >= 0 {
		md = md[:i] + md[i+len(mark):]
	}
	md = strings.TrimRight(md, "\n")
	note := "> **Cut to fit a comment.** The whole report is in the job summary."
	return truncate(md, commentLimit-len(mark)-2, note) + "\n\n" + mark + "\n"
}

func wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}
