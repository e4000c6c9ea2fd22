package github

import (
	"context"
	"encoding/json"
	"os"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/platform"
)

// Event reads the workflow's event: GITHUB_EVENT_NAME and the payload at
// GITHUB_EVENT_PATH, with the run's GITHUB_* variables.
//
//   - pull_request and pull_request_target: a PullRequest event with the
//     pull request's base and head; Fork when the head is another repository.
//   - push: a Push event; Base is the commit before the push (empty for a
//     new branch), HeadRef the branch, or refs/tags/… for a tag.
//   - issue_comment: a Comment event; on a pull request it carries the
//     pull request's refs (one GET /repos/{owner}/{repo}/pulls/{pull_number})
//     and, for a new comment, the comment.
//   - schedule and workflow_dispatch: Schedule and Manual at GITHUB_SHA.
//   - workflow_run: the triggering run's kind, head and pull request, for
//     posting what an unprivileged run reported.
//
// An unknown event or an unreadable payload is a usage error.
func (c *Client) Event(ctx context.Context) (*platform.Event, error) {
	ev := &platform.Event{
		Head:       c.getenv("GITHUB_SHA"),
		HeadRef:    c.getenv("GITHUB_REF_NAME"),
		RunURL:     c.runURL(),
		Workflow:   c.getenv("GITHUB_WORKFLOW"),
		Job:        c.getenv("GITHUB_JOB"),
		Actor:      c.getenv("GITHUB_ACTOR"),
		Repository: c.owner + "/" + c.repo,
	}
	payload, err := c.payload()
	if err != nil {
		return nil, err
	}

	switch c.eventName {
	case "pull_request", "pull_request_target":
		err = fromPullRequest(ev, payload)
	case "push":
		err = fromPush(ev, payload)
	case "issue_comment":
		err = c.fromComment(ctx, ev, payload)
	case "workflow_run":
		err = fromWorkflowRun(ev, payload)
	case "schedule":
		ev.Kind = platform.Schedule
		err = fromRepository(ev, payload)
	case "workflow_dispatch":
		ev.Kind = platform.Manual
		err = fromRepository(ev, payload)
	default:
		return nil, exit.Usagef("mlci does not handle the %q event; run it on pull_request, "+
			"push, issue_comment, schedule, workflow_dispatch or workflow_run", c.eventName)
	}
	if err != nil {
		return nil, err
	}
	return ev, nil
}

// payload reads the event's payload; none (a local run) reads as {}.
func (c *Client) payload() ([]byte, error) {
	path := c.getenv("GITHUB_EVENT_PATH")
	if path == "" {
		return []byte("{}"), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, exit.Usagef("reading the event payload: %v", err)
	}
	return data, nil
}

func decode(payload []byte, v any) error {
	if err := json.Unmarshal(payload, v); err != nil {
		return exit.Usagef("reading the event payload (GITHUB_EVENT_PATH): %v", err)
	}
	return nil
}

func fromPullRequest(ev *platform.Event, payload []byte) error {
	var e github.PullRequestEvent
	if err := decode(payload, &e); err != nil {
		return err
	}
	if e.PullRequest == nil {
		return exit.Usagef("the pull_request payload has no pull_request")
	}
	ev.Kind = platform.PullRequest
	setPull(ev, e.PullRequest)
	ev.DefaultBranch = e.GetRepo().GetDefaultBranch()
	return nil
}

// setPull copies a pull request's number, refs and fork status.
func setPull(ev *platform.Event, pr *github.PullRequest) {
	ev.Number = pr.GetNumber()
	ev.Base, ev.BaseRef = pr.GetBase().GetSHA(), pr.GetBase().GetRef()
	ev.Head, ev.HeadRef = pr.GetHead().GetSHA(), pr.GetHead().GetRef()
	// A deleted fork leaves no head repository: that is a fork too.
	ev.Fork = pr.GetHead().GetRepo().GetFullName() != pr.GetBase().GetRepo().GetFullName()
	if ev.DefaultBranch == "" {
		ev.DefaultBranch = pr.GetBase().GetRepo().GetDefaultBranch()
	}
}

func fromPush(ev *platform.Event, payload []byte) error {
	var e github.PushEvent
	if err := decode(payload, &e); err != nil {
		return err
	}
	ev.Kind = platform.Push
	if b := e.GetBefore(); strings.Trim(b, "0") != "" {
		ev.Base = b
	}
	if e.GetAfter() != "" {
		ev.Head = e.GetAfter()
	}
	if e.GetRef() != "" {
		ev.HeadRef = strings.TrimPrefix(e.GetRef(), "refs/heads/")
	}
	ev.DefaultBranch = e.GetRepo().GetDefaultBranch()
	return nil
}

// fromComment reads a comment; on a pull request it asks the API for the
// pull request's refs, which the payload does not hold.
func (c *Client) fromComment(ctx context.Context, ev *platform.Event, payload []byte) error {
	var e github.IssueCommentEvent
	if err := decode(payload, &e); err != nil {
		return err
	}
	ev.Kind = platform.Comment
	ev.Number = e.GetIssue().GetNumber()
	ev.DefaultBranch = e.GetRepo().GetDefaultBranch()
	if e.GetAction() == "created" && e.Comment != nil {
		ev.Comment = &platform.CommentEvent{
			ID:     e.GetComment().GetID(),
			Body:   e.GetComment().GetBody(),
			Author: e.GetComment().GetUser().GetLogin(),
		}
	}
	if e.Issue == nil || !e.Issue.IsPullRequest() {
		// A plain issue: no refs to run on; the flow replies and stops.
		ev.Head, ev.HeadRef = "", ""
		return nil
	}

	pr, _, err := c.api.PullRequests.Get(ctx, c.owner, c.repo, ev.Number)
	if err != nil {
		return exit.Externalf("reading pull request #%d: %w", ev.Number, err)
	}
	setPull(ev, pr)
	return nil
}

// fromWorkflowRun reads the run that triggered a workflow_run workflow.
// GitHub leaves pull_requests empty for a fork's pull request; the report
// file the run uploaded then names the pull request.
func fromWorkflowRun(ev *platform.Event, payload []byte) error {
	var e github.WorkflowRunEvent
	if err := decode(payload, &e); err != nil {
		return err
	}
	run := e.GetWorkflowRun()
	if run == nil {
		return exit.Usagef("the workflow_run payload has no workflow_run")
	}
	ev.Kind = kindOf(run.GetEvent())
	ev.Head, ev.HeadRef = run.GetHeadSHA(), run.GetHeadBranch()
	ev.DefaultBranch = e.GetRepo().GetDefaultBranch()
	ev.Fork = run.GetHeadRepository().GetFullName() != e.GetRepo().GetFullName()
	if len(run.PullRequests) > 0 {
		pr := run.PullRequests[0]
		ev.Number = pr.GetNumber()
		ev.Base, ev.BaseRef = pr.GetBase().GetSHA(), pr.GetBase().GetRef()
	}
	return nil
}

// kindOf maps a GitHub event name to the event kind the flow knows.
func kindOf(name string) string {
	switch name {
	case "pull_request", "pull_request_target":
		return platform.PullRequest
	case "push":
		return platform.Push
	case "issue_comment":
		return platform.Comment
	case "schedule":
		return platform.Schedule
	default:
		return platform.Manual
	}
}

func fromRepository(ev *platform.Event, payload []byte) error {
	var e struct {
		Ref  string             `json:"ref"`
		Repo *github.Repository `json:"repository"`
	}
	if err := decode(payload, &e); err != nil {
		return err
	}
	ev.DefaultBranch = e.Repo.GetDefaultBranch()
	if ev.HeadRef == "" && e.Ref != "" {
		ev.HeadRef = strings.TrimPrefix(e.Ref, "refs/heads/")
	}
	return nil
}
