package github

import (
	"context"

	"github.com/google/go-github/v60/github"

	"github.com/mlci-dev/mlci/internal/platform"
)

// publishCheck sets the verdict on the head commit: a check run, or a
// commit status when the token may not create check runs. It reports
// whether a check run carries the annotations.
func (c *Client) publishCheck(ctx context.Context, ev *platform.Event,
	r *platform.Report) (bool, error) {
	err := c.again(ctx, "creating the check run", func(ctx context.Context) error {
		return c.upsertCheck(ctx, ev.Head, r)
	})
	if !forbidden(err) {
		return err == nil, err
	}
	c.log.Info("the token may not create check runs; setting a commit status instead")
	return false, c.again(ctx, "setting the commit status", func(ctx context.Context) error {
		return c.setStatus(ctx, ev.Head, r)
	})
}

// checkName names the check run and the commit status of a report.
func checkName(key string) string {
	if key == "" {
		return "mlci"
	}
	return "mlci: " + key
}

// externalID ties a check run to this workflow run's attempt, so that a
// retry or a second report in the same run updates it, and a new run or
// attempt starts a fresh one (annotations cannot be taken back).
func (c *Client) externalID() string {
	return c.getenv("GITHUB_RUN_ID") + "." + orDefault(c.getenv("GITHUB_RUN_ATTEMPT"), "1")
}

// upsertCheck creates or updates this run's check run on sha and sends
// the annotations GitHub does not hold yet, 50 a request.
// POST /repos/{owner}/{repo}/check-runs,
// PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}.
func (c *Client) upsertCheck(ctx context.Context, sha string, r *platform.Report) error {
	name, id := checkName(r.Key), c.externalID()
	run, err := c.findCheck(ctx, sha, name, id)
	if err != nil {
		return err
	}

	anns := annotations(r.Annotations)
	if run == nil {
		batch := anns[:min(annotationsPerRequest, len(anns))]
		run, _, err = c.api.Checks.CreateCheckRun(
			ctx,
			c.owner,
			c.repo,
			github.CreateCheckRunOptions{
				Name: name, HeadSHA: sha, ExternalID: &id, DetailsURL: nonEmpty(c.runURL()),
				Status: github.String(checkStatus(r.State)), Conclusion: conclusion(r.State),
				Output: checkOutput(r, batch),
			},
		)
		if err != nil {
			return wrap(err, "creating check run %q", name)
		}
		return c.annotate(ctx, run.GetID(), name, r, anns[len(batch):])
	}

	// A try that failed part way has sent some annotations already.
	anns = anns[min(run.GetOutput().GetAnnotationsCount(), len(anns)):]
	batch := anns[:min(annotationsPerRequest, len(anns))]
	update := github.UpdateCheckRunOptions{
		Name: name, DetailsURL: nonEmpty(c.runURL()),
		Status: github.String(checkStatus(r.State)), Conclusion: conclusion(r.State),
		Output: checkOutput(r, batch),
	}
	_, _, err = c.api.Checks.UpdateCheckRun(ctx, c.owner, c.repo, run.GetID(), update)
	if err != nil {
		return wrap(err, "updating check run %q", name)
	}
	return c.annotate(ctx, run.GetID(), name, r, anns[len(batch):])
}

// annotate sends the remaining annotations, 50 an update; GitHub appends
// them to the check run's.
func (c *Client) annotate(ctx context.Context, id int64, name string, r *platform.Report,
	anns []*github.CheckRunAnnotation) error {
	for len(anns) > 0 {
		batch := anns[:min(annotationsPerRequest, len(anns))]
		anns = anns[len(batch):]
		_, _, err := c.api.Checks.UpdateCheckRun(ctx, c.owner, c.repo, id,
			github.UpdateCheckRunOptions{Name: name, Output: checkOutput(r, batch)})
		if err != nil {
			return wrap(err, "annotating check run %q", name)
		}
	}
	return nil
}

// findCheck returns this run's check run of that name on sha, nil when
// there is none.
// GET /repos/{owner}/{repo}/commits/{ref}/check-runs.
func (c *Client) findCheck(ctx context.Context, sha, name, id string) (*github.CheckRun, error) {
	opts := &github.ListCheckRunsOptions{
		CheckName: &name, Filter: github.String("all"),
		ListOptions: github.ListOptions{PerPage: 100},
	}
	for {
		res, resp, err := c.api.Checks.ListCheckRunsForRef(ctx, c.owner, c.repo, sha, opts)
		if err != nil {
			return nil, wrap(err, "listing the check runs of %.7s", sha)
		}
		for _, run := range res.CheckRuns {
			if run.GetExternalID() == id {
				return run, nil
			}
		}
		if resp.NextPage == 0 {
			return nil, nil
		}
		opts.Page = resp.NextPage
	}
}

func checkOutput(r *platform.Report, anns []*github.CheckRunAnnotation) *github.CheckRunOutput {
	summary := r.Summary
	if summary == "" {
		summary = r.Markdown
	}
	summary = truncate(summary, checkLimit,
		"> **Cut to fit.** The whole report is in the job summary.")
	return &github.CheckRunOutput{
		Title:       github.String(cut(orDefault(r.Title, "mlci"), 255)),
		Summary:     &summary,
		Annotations: anns,
	}
}

func annotations(in []platform.Annotation) []*github.CheckRunAnnotation {
	out := make([]*github.CheckRunAnnotation, 0, len(in))
	for _, a := range in {
		line := max(a.Line, 1)
		level := a.Level
		if level != "notice" && level != "warning" {
			level = "failure"
		}
		out = append(out, &github.CheckRunAnnotation{
			Path: github.String(a.Path), StartLine: &line, EndLine: &line,
			AnnotationLevel: &level, Title: nonEmpty(cut(a.Title, 255)),
			Message: github.String(cut(orDefault(a.Message, a.Title), 64<<10)),
		})
	}
	return out
}

func checkStatus(s platform.State) string {
	if s == platform.Pending {
		return "in_progress"
	}
	return "completed"
}

func conclusion(s platform.State) *string {
	switch s {
	case platform.Success, platform.Failure, platform.Neutral:
		return github.String(string(s))
	case platform.Pending:
		return nil
	}
	return github.String("neutral")
}

// setStatus sets the commit status that stands for the check run.
// POST /repos/{owner}/{repo}/statuses/{sha}.
func (c *Client) setStatus(ctx context.Context, sha string, r *platform.Report) error {
	state := map[platform.State]string{
		platform.Success: "success", platform.Failure: "failure",
		platform.Neutral: "success", platform.Pending: "pending",
	}[r.State]
	_, _, err := c.api.Repositories.CreateStatus(ctx, c.owner, c.repo, sha, &github.RepoStatus{
		State:       github.String(orDefault(state, "success")),
		Context:     github.String(checkName(r.Key)),
		Description: github.String(cut(r.Title, 140)),
		TargetURL:   nonEmpty(c.runURL()),
	})
	return wrap(err, "setting the commit status of %.7s", sha)
}

// cut shortens s to at most n characters.
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
