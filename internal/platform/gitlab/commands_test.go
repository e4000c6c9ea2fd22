package gitlab

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/command"
	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/platform"
)

// triggerEnv is a trigger pipeline of the default branch started by the
// note webhook, with payload (testdata/note_webhook.json changed by edit)
// in the TRIGGER_PAYLOAD file.
func triggerEnv(t *testing.T, f *fake, edit func(p map[string]any)) map[string]string {
	t.Helper()
	p := fixture(t, "note_webhook.json").(map[string]any)
	if edit != nil {
		edit(p)
	}
	data, err := json.Marshal(p)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "TRIGGER_PAYLOAD")
	require.NoError(t, os.WriteFile(path, data, 0o600))

	env := mrEnv(f, t.TempDir())
	for _, k := range []string{"CI_MERGE_REQUEST_IID", "CI_MERGE_REQUEST_PROJECT_ID",
		"CI_MERGE_REQUEST_SOURCE_PROJECT_ID", "CI_MERGE_REQUEST_DIFF_BASE_SHA"} {
		delete(env, k)
	}
	env["CI_PIPELINE_SOURCE"] = "trigger"
	env["CI_COMMIT_BRANCH"] = "main"
	env["TRIGGER_PAYLOAD"] = path
	return env
}

func setNote(body string) func(map[string]any) {
	return func(p map[string]any) {
		p["object_attributes"].(map[string]any)["note"] = body
	}
}

// TestCommentEvent: the command is read back from the API; the payload's
// claims about the body and the author are not trusted.
func TestCommentEvent(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.mu.Lock()
	note := f.addNote("1", "/mlci promote churn production", "maintainer", false)
	f.mu.Unlock()
	env := triggerEnv(t, f, func(p map[string]any) {
		p["object_attributes"].(map[string]any)["id"] = note["id"]
		p["object_attributes"].(map[string]any)["note"] = "/mlci promote churn staging"
		p["user"].(map[string]any)["username"] = "someone-else"
	})
	c, _ := newTestClient(t, env)

	ev, err := c.Event(t.Context())
	require.NoError(t, err)

	assert.Equal(t, platform.Comment, ev.Kind)
	assert.Equal(t, 1, ev.Number)
	assert.Equal(t, &platform.CommentEvent{ID: note["id"].(int64),
		Body: "/mlci promote churn production", Author: "maintainer"}, ev.Comment)
	assert.Equal(t, headSHA, ev.Head)
	assert.Equal(t, baseSHA, ev.Base)
	assert.Equal(t, "delete-designs-v2", ev.HeadRef)
	assert.Equal(t, "master", ev.BaseRef)
	assert.Equal(t, 1, f.count(routeNote))
	assert.Equal(t, 1, f.count(routeMR))
}

func TestCommentEventWithoutCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		edit     func(map[string]any)
		wantBody string
	}{
		{"plain note", setNote("nice work"), "nice work"},
		{"note on an issue", func(p map[string]any) {
			setNote("/mlci promote churn production")(p)
			p["object_attributes"].(map[string]any)["noteable_type"] = "Issue"
			delete(p, "merge_request")
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			c, _ := newTestClient(t, triggerEnv(t, f, tt.edit))

			ev, err := c.Event(t.Context())
			require.NoError(t, err)

			assert.Equal(t, platform.Comment, ev.Kind)
			assert.Equal(t, tt.wantBody, ev.Comment.Body)
			_, err = command.Parse(ev.Comment.Body)
			require.ErrorIs(t, err, command.ErrNoCommand)
			f.mu.Lock()
			assert.Empty(t, f.calls, "no API request for a note without a command")
			f.mu.Unlock()
		})
	}
}

func TestCommentEventBadPayload(t *testing.T) {
	t.Parallel()
	env := triggerEnv(t, nil, func(p map[string]any) { p["object_kind"] = "push" })
	c, _ := newTestClient(t, env)

	_, err := c.Event(t.Context())

	require.ErrorContains(t, err, `TRIGGER_PAYLOAD is a "push" webhook`)
	assert.Equal(t, exit.Usage, exit.Code(err))
}

func TestPermission(t *testing.T) {
	t.Parallel()
	tests := []struct {
		user  string
		level int
		want  string
	}{
		{"example_user1", 50, "admin"},
		{"example_user1", 40, "maintain"},
		{"example_user1", 30, "write"},
		{"example_user1", 20, "triage"},
		{"example_user1", 10, "read"},
		{"example_user1", 5, "none"},
		{"example_user1", -1, "none"}, // not a member
		{"nobody", 0, "none"},         // no such user
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			if tt.level >= 0 {
				f.levels["1"] = tt.level
			}
			c, _ := newTestClient(t, mrEnv(f, t.TempDir()))

			got, err := c.Permission(t.Context(), tt.user)

			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestAcknowledgeAndReply(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	c, _ := newTestClient(t, mrEnv(f, t.TempDir()))
	ev := &platform.Event{Kind: platform.Comment, Number: 7,
		Comment: &platform.CommentEvent{ID: 1244, Body: "/mlci help", Author: "ada"}}

	require.NoError(t, c.Acknowledge(t.Context(), ev))
	require.NoError(t, c.Reply(t.Context(), ev, command.HelpText))

	assert.Equal(t, []string{"1244:eyes"}, f.awards)
	assert.Len(t, f.notesWith("**mlci commands**"), 1)
}
