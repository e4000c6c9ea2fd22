package gitlab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"

	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/mlci-dev/mlci/internal/command"
	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/platform"
)

// GitLab starts no pipeline on a merge-request note. mlci's note commands
// ride on a project webhook for comments whose URL is the pipeline trigger
// endpoint (…/api/v4/projects/ID/ref/main/trigger/pipeline?token=T): GitLab
// then runs the default branch's pipeline with CI_PIPELINE_SOURCE=trigger
// and the webhook's JSON in the file variable TRIGGER_PAYLOAD.

// TODO: every note in the project starts such a pipeline; a relay that
// forwards only notes starting with /mlci would spare the runners, but
// GitLab's webhooks cannot filter on a note's text.

// notePayload is the part of GitLab's note webhook payload mlci reads.
type notePayload struct {
	ObjectKind string `json:"object_kind"`
	User       struct {
		Username string `json:"username"`
	} `json:"user"`
	ProjectID        int64 `json:"project_id"`
	ObjectAttributes struct {
		ID           int64  `json:"id"`
		Note         string `json:"note"`
		NoteableType string `json:"noteable_type"`
	} `json:"object_attributes"`
	MergeRequest *struct {
		IID int64 `json:"iid"`
	} `json:"merge_request"`
}

// commentEvent reads a note webhook's payload. A note that holds a command
// is read again from the API, with its merge request, so that nothing the
// payload claims is trusted.
func (c *Client) commentEvent(ctx context.Context, ev *platform.Event) (*platform.Event, error) {
	p, err := readPayload(c.getenv("TRIGGER_PAYLOAD"))
	if err != nil {
		return nil, err
	}

	ev.Kind = platform.Comment
	ev.Comment = &platform.CommentEvent{
		ID: p.ObjectAttributes.ID, Body: p.ObjectAttributes.Note, Author: p.User.Username,
	}
	if p.MergeRequest == nil || p.ObjectAttributes.NoteableType != "MergeRequest" {
		ev.Comment.Body = "" // a note on an issue or a commit is no command for mlci
		return ev, nil
	}
	ev.Number = int(p.MergeRequest.IID)
	if _, err := command.Parse(ev.Comment.Body); errors.Is(err, command.ErrNoCommand) {
		return ev, nil
	}

	if err := c.needWrite(); err != nil {
		return nil, fmt.Errorf("reading the note with a command: %w", err)
	}
	return ev, c.readNoteEvent(ctx, ev)
}

// readPayload reads TRIGGER_PAYLOAD: a file variable, so its value is the
// path of a file holding the JSON.
func readPayload(v string) (*notePayload, error) {
	data := []byte(v)
	if !strings.HasPrefix(strings.TrimSpace(v), "{") {
		b, err := os.ReadFile(v)
		if err != nil {
			return nil, fmt.Errorf("reading TRIGGER_PAYLOAD: %w", err)
		}
		data = b
	}
	var p notePayload
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, exit.Usagef("reading TRIGGER_PAYLOAD: %v; expected a GitLab note "+
			"webhook's JSON", err)
	}
	if p.ObjectKind != "note" {
		return nil, exit.Usagef("TRIGGER_PAYLOAD is a %q webhook; mlci's trigger "+
			"webhook must send comments (note events) only", p.ObjectKind)
	}
	return &p, nil
}

// readNoteEvent fills the comment and its merge request from the API:
// GET /projects/:id/merge_requests/:iid/notes/:note_id and
// GET /projects/:id/merge_requests/:iid.
func (c *Client) readNoteEvent(ctx context.Context, ev *platform.Event) error {
	ctx, cancel := c.bounded(ctx)
	defer cancel()
	pid, iid := c.mergeRequestProject(), int64(ev.Number)

	note, _, err := c.api.Notes.GetMergeRequestNote(pid, iid, ev.Comment.ID, gl.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("reading note %d of merge request !%d: %w", ev.Comment.ID, iid, err)
	}
	ev.Comment.Body, ev.Comment.Author = note.Body, note.Author.Username

	mr, _, err := c.api.MergeRequests.GetMergeRequest(pid, iid, nil, gl.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("reading merge request !%d: %w", iid, err)
	}
	ev.Head, ev.HeadRef, ev.BaseRef = mr.SHA, mr.SourceBranch, mr.TargetBranch
	ev.Base = mr.DiffRefs.BaseSha
	ev.Fork = mr.SourceProjectID != mr.TargetProjectID
	return nil
}

// Permission returns the user's role on the project in the platform's
// words: Owner is admin, Maintainer maintain, Developer write, Reporter
// triage, Planner and Guest read, anyone else none. It reads
// GET /users?username=:user and GET /projects/:id/members/all/:user_id.
func (c *Client) Permission(ctx context.Context, user string) (string, error) {
	if err := c.needWrite(); err != nil {
		return "", err
	}
	ctx, cancel := c.bounded(ctx)
	defer cancel()

	users, _, err := c.api.Users.ListUsers(&gl.ListUsersOptions{Username: gl.Ptr(user)},
		gl.WithContext(ctx))
	if err != nil {
		return "", fmt.Errorf("looking up user %s: %w", user, err)
	}
	if len(users) == 0 {
		return "none", nil
	}

	m, resp, err := c.api.ProjectMembers.GetInheritedProjectMember(c.mergeRequestProject(),
		users[0].ID, gl.WithContext(ctx))
	if resp != nil && resp.StatusCode == http.StatusNotFound {
		return "none", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading %s's role on the project: %w", user, err)
	}
	return permission(m.AccessLevel), nil
}

// permission maps a GitLab access level to the platform's permission names.
func permission(level gl.AccessLevelValue) string {
	switch {
	case level >= gl.OwnerPermissions:
		return "admin"
	case level >= gl.MaintainerPermissions:
		return "maintain"
	case level >= gl.DeveloperPermissions:
		return "write"
	case level >= gl.ReporterPermissions:
		return "triage"
	case level >= gl.GuestPermissions:
		return "read"
	default:
		return "none"
	}
}

// Acknowledge awards the note an eyes emoji:
// POST /projects/:id/merge_requests/:iid/notes/:note_id/award_emoji.
func (c *Client) Acknowledge(ctx context.Context, ev *platform.Event) error {
	if ev.Comment == nil || ev.Number == 0 {
		return nil
	}
	if err := c.needWrite(); err != nil {
		return err
	}
	ctx, cancel := c.bounded(ctx)
	defer cancel()

	_, resp, err := c.api.AwardEmoji.CreateMergeRequestAwardEmojiOnNote(c.mergeRequestProject(),
		int64(ev.Number), ev.Comment.ID, &gl.CreateAwardEmojiOptions{Name: "eyes"},
		gl.WithContext(ctx), gl.WithRequestRetry(unprocessedOnly))
	if resp != nil && resp.StatusCode == http.StatusBadRequest {
		return nil // GitLab refuses a second identical award: it is there already
	}
	if err != nil {
		return fmt.Errorf("acknowledging note %d: %w", ev.Comment.ID, err)
	}
	return nil
}

// Reply posts body as a new note on the comment's merge request:
// POST /projects/:id/merge_requests/:iid/notes.
func (c *Client) Reply(ctx context.Context, ev *platform.Event, body string) error {
	if ev.Number == 0 {
		return fmt.Errorf("replying: the event has no merge request")
	}
	if err := c.needWrite(); err != nil {
		return err
	}
	ctx, cancel := c.bounded(ctx)
	defer cancel()

	_, _, err := c.api.Notes.CreateMergeRequestNote(c.mergeRequestProject(), int64(ev.Number),
		&gl.CreateMergeRequestNoteOptions{Body: gl.Ptr(limitBody(body))},
		gl.WithContext(ctx), gl.WithRequestRetry(unprocessedOnly))
	if err != nil {
		return fmt.Errorf("replying on merge request !%d: %w", ev.Number, err)
	}
	return nil
}
