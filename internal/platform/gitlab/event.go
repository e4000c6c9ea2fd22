package gitlab

import (
	"context"
	"strconv"
	"strings"

	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/platform"
)

// zeroSHA is CI_COMMIT_BEFORE_SHA on a branch's first push.
const zeroSHA = "0000000000000000000000000000000000000000"

// Event describes the pipeline from GitLab's predefined variables:
// merge-request pipelines are pull_request events, branch and tag pipelines
// push, scheduled pipelines schedule, and pipelines started from the web, the
// API or a trigger manual. A trigger pipeline started by a note webhook (its
// TRIGGER_PAYLOAD a note on a merge request) is a comment event, read back
// from the API so that its body and author are GitLab's, not the payload's.
func (c *Client) Event(ctx context.Context) (*platform.Event, error) {
	env := c.getenv
	head := env("CI_COMMIT_SHA")
	if head == "" {
		return nil, exit.Usagef("GitLab CI variable CI_COMMIT_SHA is not set; " +
			"is mlci running in a GitLab CI job?")
	}

	ev := &platform.Event{
		Head:          head,
		HeadRef:       firstSet(env, "CI_COMMIT_BRANCH", "CI_COMMIT_TAG", "CI_COMMIT_REF_NAME"),
		DefaultBranch: env("CI_DEFAULT_BRANCH"),
		RunURL:        env("CI_PIPELINE_URL"),
		Workflow:      env("CI_PIPELINE_NAME"),
		Job:           env("CI_JOB_NAME"),
		Actor:         env("GITLAB_USER_LOGIN"),
		Repository:    env("CI_PROJECT_PATH"),
	}

	switch source := env("CI_PIPELINE_SOURCE"); source {
	case "merge_request_event":
		return ev, c.mergeRequestEvent(ev)
	case "push":
		pushEvent(ev, env("CI_COMMIT_BEFORE_SHA"))
	case "schedule":
		ev.Kind = platform.Schedule
	case "trigger":
		if env("TRIGGER_PAYLOAD") != "" {
			return c.commentEvent(ctx, ev)
		}
		ev.Kind = platform.Manual
	case "web", "api", "pipeline", "parent_pipeline", "chat", "webide":
		ev.Kind = platform.Manual
	default:
		c.log.Debug("unknown CI_PIPELINE_SOURCE; reading the pipeline as a push",
			"source", source)
		pushEvent(ev, env("CI_COMMIT_BEFORE_SHA"))
	}
	return ev, nil
}

// pushEvent fills a branch or tag pipeline: the base is the commit before
// the push, unknown on a new branch.
func pushEvent(ev *platform.Event, before string) {
	ev.Kind = platform.Push
	ev.BaseRef = ev.HeadRef
	if before != zeroSHA {
		ev.Base = before
	}
}

// mergeRequestEvent fills a merge-request pipeline. The base is the merge
// base GitLab computed, so that only the merge request's own changes count.
func (c *Client) mergeRequestEvent(ev *platform.Event) error {
	env := c.getenv
	iid, err := strconv.Atoi(env("CI_MERGE_REQUEST_IID"))
	if err != nil || iid <= 0 {
		return exit.Usagef("GitLab CI variable CI_MERGE_REQUEST_IID is %q in a "+
			"merge-request pipeline; expected the merge request's number",
			env("CI_MERGE_REQUEST_IID"))
	}

	ev.Kind = platform.PullRequest
	ev.Number = iid
	ev.Base = env("CI_MERGE_REQUEST_DIFF_BASE_SHA")
	ev.BaseRef = env("CI_MERGE_REQUEST_TARGET_BRANCH_NAME")
	ev.HeadRef = env("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME")
	ev.Fork = isFork(env)
	return nil
}

// isFork compares the merge request's source project with its own project.
func isFork(env func(string) string) bool {
	src, dst := env("CI_MERGE_REQUEST_SOURCE_PROJECT_ID"), env("CI_MERGE_REQUEST_PROJECT_ID")
	return src != "" && dst != "" && src != dst
}

// mergeRequestProject is the project a merge request belongs to: the target
// project, which differs from the pipeline's in a fork's own pipeline.
func (c *Client) mergeRequestProject() string {
	return firstSet(c.getenv, "CI_MERGE_REQUEST_PROJECT_ID", "CI_PROJECT_ID")
}

// pipelineProject is the project the pipeline runs in.
func (c *Client) pipelineProject() string {
	return c.getenv("CI_PROJECT_ID")
}

// mergeRequestURL links to a merge request of the merge request's project.
func (c *Client) mergeRequestURL(iid int) string {
	base := firstSet(c.getenv, "CI_MERGE_REQUEST_PROJECT_URL", "CI_PROJECT_URL")
	if base == "" {
		return ""
	}
	return strings.TrimSuffix(base, "/") + "/-/merge_requests/" + strconv.Itoa(iid)
}
