package gitlab

import (
	"context"
	"fmt"
	"regexp"

	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/mlci-dev/mlci/internal/platform"
)

var fullSHA = regexp.MustCompile(`^[0-9a-f]{40}$`)

// Deploy records a promotion as a successful deployment to its environment:
// POST /projects/:id/deployments. A job that names the environment itself
// (CI_ENVIRONMENT_NAME, as the template's promote-production job does) is
// recorded by GitLab already, so Deploy leaves it be.
func (c *Client) Deploy(ctx context.Context, d platform.Deployment) error {
	if d.Environment == c.getenv("CI_ENVIRONMENT_NAME") {
		c.log.Debug("the job deploys to the environment; GitLab records it",
			"environment", d.Environment)
		return nil
	}
	if err := c.needWrite(); err != nil {
		return err
	}
	ctx, cancel := c.bounded(ctx)
	defer cancel()

	sha := c.getenv("CI_COMMIT_SHA")
	if fullSHA.MatchString(d.Ref) {
		sha = d.Ref
	}
	opt := &gl.CreateProjectDeploymentOptions{
		Environment: gl.Ptr(d.Environment),
		Ref:         gl.Ptr(c.getenv("CI_COMMIT_REF_NAME")),
		SHA:         gl.Ptr(sha),
		Tag:         gl.Ptr(c.getenv("CI_COMMIT_TAG") != ""),
		Status:      gl.Ptr(gl.DeploymentStatusSuccess),
	}
	_, _, err := c.api.Deployments.CreateProjectDeployment(c.pipelineProject(), opt,
		gl.WithContext(ctx), gl.WithRequestRetry(unprocessedOnly))
	if err != nil {
		return fmt.Errorf("recording %s %s in environment %s: %w",
			d.Model, d.Version, d.Environment, err)
	}
	return nil
}

// Propose opens a merge request from p.Branch into p.Base, or updates the
// open one, and returns its URL: GET /projects/:id/merge_requests, then
// PUT /projects/:id/merge_requests/:iid or POST /projects/:id/merge_requests.
func (c *Client) Propose(ctx context.Context, p platform.Proposal) (string, error) {
	if err := c.needWrite(); err != nil {
		return "", err
	}
	ctx, cancel := c.bounded(ctx)
	defer cancel()
	pid := c.pipelineProject()

	open, _, err := c.api.MergeRequests.ListProjectMergeRequests(pid,
		&gl.ListProjectMergeRequestsOptions{
			State: gl.Ptr("opened"), SourceBranch: gl.Ptr(p.Branch),
			TargetBranch: gl.Ptr(p.Base),
		}, gl.WithContext(ctx))
	if err != nil {
		return "", fmt.Errorf("looking for an open merge request from %s: %w", p.Branch, err)
	}
	var labels *gl.LabelOptions // nil keeps a merge request's labels
	if len(p.Labels) > 0 {
		labels = gl.Ptr(gl.LabelOptions(p.Labels))
	}
	if len(open) > 0 {
		mr, _, err := c.api.MergeRequests.UpdateMergeRequest(pid, open[0].IID,
			&gl.UpdateMergeRequestOptions{
				Title: gl.Ptr(p.Title), Description: gl.Ptr(limitBody(p.Body)),
				Labels: labels,
			}, gl.WithContext(ctx))
		if err != nil {
			return "", fmt.Errorf("updating merge request !%d: %w", open[0].IID, err)
		}
		return mr.WebURL, nil
	}

	mr, _, err := c.api.MergeRequests.CreateMergeRequest(pid, &gl.CreateMergeRequestOptions{
		Title: gl.Ptr(p.Title), Description: gl.Ptr(limitBody(p.Body)),
		SourceBranch: gl.Ptr(p.Branch), TargetBranch: gl.Ptr(p.Base), Labels: labels,
		RemoveSourceBranch: gl.Ptr(true),
	}, gl.WithContext(ctx), gl.WithRequestRetry(unprocessedOnly))
	if err != nil {
		return "", fmt.Errorf("opening a merge request from %s into %s: %w", p.Branch, p.Base, err)
	}
	return mr.WebURL, nil
}

// ChangedFiles lists the merge request's files from every page of
// GET /projects/:id/merge_requests/:iid/diffs.
func (c *Client) ChangedFiles(ctx context.Context,
	ev *platform.Event) ([]platform.ChangedFile, error) {
	if ev.Number == 0 {
		return nil, fmt.Errorf("listing changed files: the event has no merge request")
	}
	if err := c.needWrite(); err != nil {
		return nil, fmt.Errorf("listing changed files: %w", err) // the job token cannot read diffs
	}
	ctx, cancel := c.bounded(ctx)
	defer cancel()

	opt := &gl.ListMergeRequestDiffsOptions{ListOptions: gl.ListOptions{PerPage: 100, Page: 1}}
	var files []platform.ChangedFile
	for {
		diffs, resp, err := c.api.MergeRequests.ListMergeRequestDiffs(c.mergeRequestProject(),
			int64(ev.Number), opt, gl.WithContext(ctx))
		if err != nil {
			return nil, fmt.Errorf("listing the files of merge request !%d: %w", ev.Number, err)
		}
		for _, d := range diffs {
			files = append(files, changedFile(d))
		}
		if resp.NextPage == 0 {
			return files, nil
		}
		opt.Page = resp.NextPage
	}
}

func changedFile(d *gl.MergeRequestDiff) platform.ChangedFile {
	f := platform.ChangedFile{Path: d.NewPath, Status: "modified"}
	switch {
	case d.NewFile:
		f.Status = "added"
	case d.DeletedFile:
		f.Status, f.Path = "deleted", d.OldPath
	case d.RenamedFile:
		f.Status, f.OldPath = "renamed", d.OldPath
	}
	return f
}
