package github

import (
	"context"

	"github.com/google/go-github/v60/github"

	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/platform"
)

// filesLimit is how many files GitHub lists for a pull request at most.
const filesLimit = 3000

// ChangedFiles lists the files the event's pull request changes, every
// page, for when a shallow clone cannot reach the merge base.
// GET /repos/{owner}/{repo}/pulls/{pull_number}/files.
func (c *Client) ChangedFiles(ctx context.Context,
	ev *platform.Event) ([]platform.ChangedFile, error) {
	if ev.Number == 0 {
		return nil, exit.Usagef("listing changed files: the event has no pull request")
	}
	var files []platform.ChangedFile
	opts := &github.ListOptions{PerPage: 100}
	for {
		page, resp, err := c.api.PullRequests.ListFiles(ctx, c.owner, c.repo, ev.Number, opts)
		if err != nil {
			return nil, exit.Externalf("listing the files of pull request #%d: %w", ev.Number, err)
		}
		for _, f := range page {
			files = append(files, platform.ChangedFile{
				Path:    f.GetFilename(),
				OldPath: f.GetPreviousFilename(),
				Status:  fileStatus(f.GetStatus()),
			})
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	if len(files) >= filesLimit {
		// TODO: list the rest through the compare API or a deeper fetch;
		// GitHub stops this list at 3000 files.
		c.log.Warn("GitHub lists 3000 files of a pull request at most; later ones are missing",
			"pull_request", ev.Number)
	}
	return files, nil
}

// fileStatus maps GitHub's file statuses to platform.ChangedFile's.
func fileStatus(s string) string {
	switch s {
	case "added", "copied":
		return "added"
	case "removed":
		return "deleted"
	case "renamed":
		return "renamed"
	default: // modified, changed, unchanged
		return "modified"
	}
}
