package main

import (
	"context"
	"fmt"

	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/platform"
	"github.com/mlci-dev/mlci/internal/report"
)

func init() { postReport = post }

// commentLimits are the most characters a platform's comment takes.
var commentLimits = map[string]int{
	"github": report.GitHubLimit,
	"gitlab": report.GitLabLimit,
}

// summaryLimit bounds the job summary, under GitHub's 1 MiB a step.
const summaryLimit = 1<<20 - 1024

// pullFinder is a platform that finds the open pull request whose head is a
// commit, for an event that does not name it: GitHub leaves a fork's pull
// request out of the workflow_run payload.
type pullFinder interface {
	OpenPullRequest(ctx context.Context, commit string) (int, error)
}

// post publishes a report made elsewhere on the CI platform at hand: the
// sticky comment, the check run or commit status, and the job summary. It
// runs nothing of the repository, which is what makes it safe in a
// workflow_run workflow posting what a fork's pull request run reported.
func post(ctx context.Context, g *globals, d *report.Data, opts report.Options) error {
	root, err := g.root()
	if err != nil {
		return err
	}
	p, err := detectPlatform(ctx, g, root)
	if err != nil {
		return err
	}
	if p.Name() == "local" {
		return exit.Usagef("posting needs a CI platform (GitHub or GitLab), and neither " +
			"was detected: --post works in a CI job; render with --format or --out instead")
	}

	ev, err := p.Event(ctx)
	if err != nil {
		return fmt.Errorf("reading the %s event: %w", p.Name(), err)
	}
	if err := target(ctx, g, p, ev, d); err != nil {
		return err
	}
	r, err := platformReport(p.Name(), d, opts)
	if err != nil {
		return err
	}
	if err := p.Publish(ctx, ev, r); err != nil {
		return err
	}

	where := fmt.Sprintf("commit %.7s", ev.Head)
	if ev.Number > 0 {
		where = fmt.Sprintf("pull request #%d (%s)", ev.Number, where)
	}
	g.status.Infof("posted the report on %s", where)
	return nil
}

// target points the event at the report's commit and pull request. The
// event's head, when it has one, must be the commit the report is of: a
// workflow_run event names the run that wrote the report, and a report of
// another commit posted there would tell of the wrong code. The pull
// request comes from the event, else from the platform.
func target(ctx context.Context, g *globals, p platform.Platform, ev *platform.Event,
	d *report.Data) error {
	commit := d.Candidate.Commit
	switch {
	case ev.Head == "":
		ev.Head = commit
	case commit != "" && commit != ev.Head:
		return exit.Usagef("the report is of commit %.7s, but the event is of %.7s: post a "+
			"report from the run that made it, or from the workflow_run that run triggered",
			commit, ev.Head)
	}
	if ev.Number > 0 || ev.Kind != platform.PullRequest || ev.Head == "" {
		return nil
	}

	f, ok := p.(pullFinder)
	if !ok {
		return nil
	}
	n, err := f.OpenPullRequest(ctx, ev.Head)
	if err != nil {
		return err
	}
	if n == 0 {
		g.log.Warn("no open pull request has this commit as its head; posting the check "+
			"and the job summary only", "commit", ev.Head)
	}
	ev.Number = n
	return nil
}

// platformReport renders what a platform publishes: the comment within the
// platform's limit (and --limit), the job summary and the verdict.
func platformReport(name string, d *report.Data, opts report.Options) (*platform.Report, error) {
	comment := opts
	if limit := commentLimits[name]; comment.Limit == 0 || comment.Limit > limit {
		comment.Limit = limit
	}
	md, err := report.Render(report.MD, d, comment)
	if err != nil {
		return nil, templateExit(err)
	}
	summary := opts
	summary.Limit = summaryLimit
	sum, err := report.Render(report.Summary, d, summary)
	if err != nil {
		return nil, templateExit(err)
	}

	return &platform.Report{
		Key:      d.Key,
		Title:    report.Title(d),
		Markdown: string(md),
		Summary:  string(sum),
		State:    report.PlatformState(d.Verdict.State),
	}, nil
}
