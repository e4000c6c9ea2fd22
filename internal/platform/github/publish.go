package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/google/go-github/v60/github"

	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/platform"
	"github.com/mlci-dev/mlci/internal/report"
)

// Limits GitHub sets on what mlci posts.
const (
	// summaryLimit is the size of one step's job summary, in bytes.
	summaryLimit = 1 << 20
	// commentLimit is the length of a comment's body, in characters; mlci
	// counts bytes, which are never fewer.
	commentLimit = 65536
	// checkLimit is the length of a check run's summary, in characters.
	checkLimit = 65535
	// annotationsPerRequest is how many annotations one check-run request takes.
	annotationsPerRequest = 50
)

// Publish posts the report where people read it on GitHub: the job summary
// (always), the sticky comment on the pull request (unless the comment
// input is false) and a check run on the head commit, or a commit status
// where the token may not create check runs (unless the check input is
// false). A token that may not write, such as a fork's pull request's,
// leaves the job summary and the report files, with one warning that says
// how to post from a workflow_run workflow.
func (c *Client) Publish(ctx context.Context, ev *platform.Event, r *platform.Report) error {
	if err := c.writeSummary(r); err != nil {
		return err
	}
	if c.readOnly(ev) {
		c.logAnnotations(r.Annotations)
		c.warnRefused(r, "the token is read-only")
		return nil
	}

	var refused []string
	if ev.Number > 0 && c.in.Comment {
		err := c.again(ctx, "posting the report comment", func(ctx context.Context) error {
			return c.upsertComment(ctx, ev.Number, r)
		})
		switch {
		case forbidden(err):
			refused = append(refused, "comment on the pull request")
		case err != nil:
			return exit.Externalf("posting the report on pull request #%d: %w", ev.Number, err)
		}
	}
	annotated := false
	if ev.Head != "" && c.in.Check {
		var err error
		annotated, err = c.publishCheck(ctx, ev, r)
		switch {
		case forbidden(err):
			refused = append(refused, "create check runs or commit statuses")
		case err != nil:
			return exit.Externalf("setting the check on %.7s: %w", ev.Head, err)
		}
	}
	if !annotated {
		c.logAnnotations(r.Annotations)
	}
	if len(refused) > 0 {
		c.warnRefused(r, "the token may not "+strings.Join(refused, " or "))
	}
	return nil
}

// logAnnotations shows annotations as workflow commands, for when no check
// run carries them. GitHub shows ten of each level a step; the rest are
// left to the report.
func (c *Client) logAnnotations(anns []platform.Annotation) {
	shown := map[string]int{}
	for _, a := range anns {
		level := a.Level
		if level != "notice" && level != "warning" {
			level = "error"
		}
		if shown[level]++; shown[level] > 10 {
			continue
		}
		log := c.actions.WithFieldsMap(map[string]string{
			"file": a.Path, "line": fmt.Sprint(max(a.Line, 1)), "title": a.Title,
		})
		msg := orDefault(a.Message, a.Title)
		switch level {
		case "notice":
			log.Noticef("%s", msg)
		case "warning":
			log.Warningf("%s", msg)
		default:
			log.Errorf("%s", msg)
		}
	}
}

// forbidden reports whether err is GitHub refusing a write for want of
// permission ("Resource not accessible by integration"), not for a rate limit.
func forbidden(err error) bool {
	var er *github.ErrorResponse
	return errors.As(err, &er) && er.Response != nil &&
		er.Response.StatusCode == http.StatusForbidden &&
		!strings.Contains(strings.ToLower(er.Message), "rate limit")
}

// warnRefused gives, once, the warning that the report was not posted.
func (c *Client) warnRefused(r *platform.Report, why string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.warned {
		return
	}
	c.warned = true

	where := "the job summary"
	if files := reportFiles(r); files != "" {
		where += " and " + files
	}
	c.actions.Warningf("mlci could not post the report to GitHub: %s. The report is in %s. "+
		"For a pull request from a fork, upload report.json with actions/upload-artifact and "+
		"post it from a workflow_run workflow with `mlci report --post --from report.json` "+
		"(docs/github.md, Forks); otherwise give the job the permissions "+
		"pull-requests: write and checks: write.", why, where)
}

func reportFiles(r *platform.Report) string {
	var paths []string
	for _, p := range r.Files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return strings.Join(paths, ", ")
}

// writeSummary appends the report to the job summary, cut to what is left
// of the step's 1 MiB. It does nothing outside a workflow run.
func (c *Client) writeSummary(r *platform.Report) error {
	path := c.getenv("GITHUB_STEP_SUMMARY")
	if path == "" {
		return nil
	}
	md := r.Summary
	if md == "" {
		md = r.Markdown
	}

	room := summaryLimit - 1
	if fi, err := os.Stat(path); err == nil {
		room -= int(fi.Size())
	}
	note := "> **Cut to fit the job summary's 1 MiB.** The whole report is in the run's " +
		"report files."
	if room < len(note)+64 {
		c.log.Warn("the job summary is full; the report is not added to it")
		return nil
	}
	md = truncate(md, room, note)
	err := actionsDo("writing the job summary", func() { c.actions.AddStepSummary(md) })
	return exit.With(exit.External, err)
}

// truncate cuts md to at most limit bytes, at a line end when one is near,
// closes a code block left open and ends with note.
func truncate(md string, limit int, note string) string {
	if len(md) <= limit {
		return md
	}
	cut := max(limit-len(note)-16, 0)
	for cut > 0 && !utf8.RuneStart(md[cut]) {
		cut--
	}
	if nl := strings.LastIndexByte(md[:cut], '\n'); nl > cut/2 {
		cut = nl
	}
	out := md[:cut]
	if strings.Count(out, "```")%2 == 1 {
		out += "\n```"
	}
	return out + "\n\n" + note + "\n"
}

// markerOf returns the report's marker: the last one its Markdown ends
// with, as the report package wrote it, else one made from its key.
func markerOf(r *platform.Report) string {
	if key, ok := report.FindMarker(r.Markdown); ok {
		return report.Marker(key)
	}
	return report.Marker(r.Key)
}
