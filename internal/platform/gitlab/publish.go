package gitlab

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/mlci-dev/mlci/internal/platform"
)

// StatusName is the name of mlci's commit status.
const StatusName = "mlci"

// maxNoteBytes keeps a note under GitLab's limit of 1,000,000 characters.
const maxNoteBytes = 999_000

// createAttempts bounds mlci's own attempts to create a note, each after
// looking again for one an earlier attempt may have created.
const createAttempts = 3

// Publish writes the report's artefacts under .mlci/reports and the dotenv
// outputs state and report_url; then, with a token, posts or updates the
// merge request's sticky note for the report's key and sets the commit
// status mlci linked to the job. With only CI_JOB_TOKEN it warns once and
// stops after the files.
func (c *Client) Publish(ctx context.Context, ev *platform.Event, r *platform.Report) error {
	if err := c.copyReportFiles(r.Files); err != nil {
		return err
	}
	outputs := map[string]string{"state": string(r.State)}

	if c.needWrite() != nil {
		return c.SetOutputs(outputs)
	}
	var errs []error
	// TODO: a push to the default branch posts no note on the merge request
	// it merged (GET /projects/:id/repository/commits/:sha/merge_requests
	// finds it); the flow does not yet say which report belongs there.
	if ev.Number > 0 && ev.Kind == platform.PullRequest {
		url, err := c.upsertNote(ctx, ev.Number, r)
		errs = append(errs, err)
		if url != "" {
			outputs["report_url"] = url
		}
	}
	errs = append(errs, c.setStatus(ctx, ev, r))
	errs = append(errs, c.SetOutputs(outputs))
	return errors.Join(errs...)
}

// upsertNote keeps one note per report key on the merge request and returns
// its URL.
func (c *Client) upsertNote(ctx context.Context, iid int, r *platform.Report) (string, error) {
	key := markerKey(r.Key)
	ofKey := func(body string) bool { return findMarker(body) == key }
	url, err := c.upsert(ctx, iid, ofKey, noteBody(r))
	if err != nil {
		return "", fmt.Errorf("posting the report note on merge request !%d: %w", iid, err)
	}
	return url, nil
}

// upsert updates the note of the token's user on merge request iid whose
// body match accepts, or creates one, and returns its URL. After a failed
// create it looks again before retrying, so that a create GitLab carried
// out but answered with an error leaves no twin.
func (c *Client) upsert(ctx context.Context, iid int, match func(string) bool,
	body string) (string, error) {
	ctx, cancel := c.bounded(ctx)
	defer cancel()

	var err error
	for attempt := range createAttempts {
		if attempt > 0 {
			if err := c.wait(ctx, c.opts.RetryWaitMin<<attempt); err != nil {
				return "", err
			}
		}
		var id int64
		id, err = c.findNote(ctx, iid, match)
		if err != nil {
			return "", err
		}
		if id != 0 {
			return c.noteURL(iid, id), c.updateNote(ctx, iid, id, body)
		}
		if id, err = c.createNote(ctx, iid, body); err == nil {
			return c.noteURL(iid, id), nil
		}
		if !transient(err) {
			break
		}
		c.log.Warn("creating the note failed; looking again before retrying",
			"merge_request", iid, "err", err)
	}
	return "", err
}

// findNote returns the ID of the oldest note by the token's user whose body
// match accepts, reading every page of
// GET /projects/:id/merge_requests/:iid/notes; 0 when there is none.
func (c *Client) findNote(ctx context.Context, iid int, match func(string) bool) (int64, error) {
	self := c.username(ctx)
	opt := &gl.ListMergeRequestNotesOptions{
		ListOptions: gl.ListOptions{PerPage: 100, Page: 1},
		OrderBy:     gl.Ptr("created_at"),
		Sort:        gl.Ptr("asc"),
	}
	for {
		notes, resp, err := c.api.Notes.ListMergeRequestNotes(c.mergeRequestProject(),
			int64(iid), opt, gl.WithContext(ctx))
		if err != nil {
			return 0, fmt.Errorf("listing the notes of merge request !%d: %w", iid, err)
		}
		for _, n := range notes {
			if isMine(n, self) && match(n.Body) {
				return n.ID, nil
			}
		}
		if resp.NextPage == 0 {
			return 0, nil
		}
		opt.Page = resp.NextPage
	}
}

// isMine reports whether n may be one of mlci's notes: a note by a person
// (not one of GitLab's system notes), by self when self is known.
func isMine(n *gl.Note, self string) bool {
	return !n.System && (self == "" || n.Author.Username == self)
}

// username returns the token's user (GET /user), or "" when GitLab does
// not say; then notes are matched by their marker alone.
func (c *Client) username(ctx context.Context) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.self != "" {
		return c.self
	}
	u, _, err := c.api.Users.CurrentUser(gl.WithContext(ctx))
	if err != nil {
		c.log.Debug("reading the token's user", "err", err)
		return ""
	}
	c.self = u.Username
	return c.self
}

// createNote posts a note: POST /projects/:id/merge_requests/:iid/notes.
// It is retried below only when GitLab surely did not act on it.
func (c *Client) createNote(ctx context.Context, iid int, body string) (int64, error) {
	n, _, err := c.api.Notes.CreateMergeRequestNote(c.mergeRequestProject(), int64(iid),
		&gl.CreateMergeRequestNoteOptions{Body: gl.Ptr(body)},
		gl.WithContext(ctx), gl.WithRequestRetry(unprocessedOnly))
	if err != nil {
		return 0, fmt.Errorf("creating a note: %w", err)
	}
	return n.ID, nil
}

// updateNote replaces a note's body:
// PUT /projects/:id/merge_requests/:iid/notes/:note_id.
func (c *Client) updateNote(ctx context.Context, iid int, id int64, body string) error {
	_, _, err := c.api.Notes.UpdateMergeRequestNote(c.mergeRequestProject(), int64(iid), id,
		&gl.UpdateMergeRequestNoteOptions{Body: gl.Ptr(body)}, gl.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("updating note %d of merge request !%d: %w", id, iid, err)
	}
	return nil
}

func (c *Client) noteURL(iid int, id int64) string {
	u := c.mergeRequestURL(iid)
	if u == "" {
		return ""
	}
	return u + "#note_" + strconv.FormatInt(id, 10)
}

// transient reports whether an API error may pass on a later attempt.
func transient(err error) bool {
	var e *gl.ErrorResponse
	if !errors.As(err, &e) || e.Response == nil {
		return true // the connection failed: GitLab may or may not have acted
	}
	code := e.Response.StatusCode
	return code == http.StatusTooManyRequests || code >= 500
}

// setStatus sets the commit status mlci on the head commit, in this
// pipeline, linked to the job: POST /projects/:id/statuses/:sha.
func (c *Client) setStatus(ctx context.Context, ev *platform.Event, r *platform.Report) error {
	ctx, cancel := c.bounded(ctx)
	defer cancel()
	sha := firstSet(c.getenv, "CI_COMMIT_SHA")
	if sha == "" {
		sha = ev.Head
	}

	opt := &gl.SetCommitStatusOptions{
		State:       buildState(r.State),
		Name:        gl.Ptr(StatusName),
		TargetURL:   optional(c.getenv("CI_JOB_URL")),
		Description: optional(truncate(oneLine(r.Title), 255)),
	}
	// The pipeline names the ref; a ref beside it could contradict it.
	if id, err := strconv.ParseInt(c.getenv("CI_PIPELINE_ID"), 10, 64); err == nil {
		opt.PipelineID = gl.Ptr(id)
	} else {
		opt.Ref = optional(c.getenv("CI_COMMIT_REF_NAME"))
	}
	_, resp, err := c.api.Commits.SetCommitStatus(c.pipelineProject(), sha, opt,
		gl.WithContext(ctx))
	if sameState(resp, err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("setting the commit status %s on %s: %w", StatusName, short(sha), err)
	}
	return nil
}

// sameState recognises GitLab's refusal to set a status to the state it
// has ("Cannot transition status via :success from :success").
func sameState(resp *gl.Response, err error) bool {
	return err != nil && resp != nil && resp.StatusCode == http.StatusBadRequest &&
		strings.Contains(err.Error(), "Cannot transition status")
}

// buildState maps a verdict to a commit status state: neutral (nothing to
// check) shows as skipped.
func buildState(s platform.State) gl.BuildStateValue {
	switch s {
	case platform.Success:
		return gl.Success
	case platform.Failure:
		return gl.Failed
	case platform.Pending:
		return gl.Running
	default:
		return gl.Skipped
	}
}

// noteBody is the report's Markdown with its marker, cut to GitLab's limit.
func noteBody(r *platform.Report) string {
	body := r.Markdown
	if findMarker(body) != markerKey(r.Key) {
		body = strings.TrimRight(body, "\n") + "\n\n" + marker(r.Key) + "\n"
	}
	return limitBody(body)
}

// limitBody cuts a note that GitLab would refuse, keeping its marker.
func limitBody(body string) string {
	if len(body) <= maxNoteBytes {
		return body
	}
	m := ""
	if key := findMarker(body); key != "" {
		m = "\n" + marker(key) + "\n"
	}
	cut := truncate(body, maxNoteBytes-len(m)-200)
	return cut + "\n\n_The report was cut to fit a GitLab note; the full report is " +
		"in the job's artefacts._\n" + m
}

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func short(sha string) string {
	return sha[:min(len(sha), 8)]
}
