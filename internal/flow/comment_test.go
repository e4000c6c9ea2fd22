package flow_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/command"
	"github.com/mlci-dev/mlci/internal/demo"
	"github.com/mlci-dev/mlci/internal/flow"
	"github.com/mlci-dev/mlci/internal/platform"
)

// commenter is a platform that takes comment commands and remembers replies.
type commenter struct {
	permission string
	acked      int
	replies    []string
}

var (
	_ platform.Platform  = (*commenter)(nil)
	_ platform.Commander = (*commenter)(nil)
)

func (c *commenter) Name() string { return "test" }

func (c *commenter) Event(context.Context) (*platform.Event, error) { return nil, nil }

func (c *commenter) Publish(context.Context, *platform.Event, *platform.Report) error {
	return nil
}

func (c *commenter) Permission(context.Context, string) (string, error) {
	return c.permission, nil
}

func (c *commenter) Acknowledge(context.Context, *platform.Event) error {
	c.acked++
	return nil
}

func (c *commenter) Reply(_ context.Context, _ *platform.Event, body string) error {
	c.replies = append(c.replies, body)
	return nil
}

func TestCommentCommands(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name       string
		body       string
		permission string
		reply      string
	}{
		{"no command", "looks good to me", "admin", ""},
		{"help", "/mlci help", "read", ""},
		{"reader may not promote", "/mlci promote churn production", "read",
			"⛔ @\u200dmallory has read permission"},
		{"unknown model", "/mlci promote nope staging", "write", "⚠️"},
		{"no passing run", "/mlci promote churn staging", "maintain",
			"⛔ churn was not promoted"},
		{"usage", "/mlci promote churn", "admin", "⚠️"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			repo, err := demo.Create(t.Context(), t.TempDir())
			require.NoError(t, err)
			p := &commenter{permission: tt.permission}

			_, err = flow.Run(t.Context(), flow.Options{
				Root: repo.Dir, Platform: p,
				Event: &platform.Event{
					Kind:   platform.Comment,
					Number: 7,
					Comment: &platform.CommentEvent{
						ID: 1, Body: tt.body, Author: "mallory",
					},
				},
			})
			require.NoError(t, err)

			if tt.name == "no command" {
				assert.Empty(t, p.replies)
				assert.Zero(t, p.acked)
				return
			}
			require.Len(t, p.replies, 1)
			assert.Equal(t, 1, p.acked)
			if tt.name == "help" {
				assert.Equal(t, command.HelpText, p.replies[0])
			} else {
				assert.True(t, strings.HasPrefix(p.replies[0], tt.reply), p.replies[0])
			}
			tags, err := exec.Command("git", "-C", repo.Dir, "tag", "--list").Output()
			require.NoError(t, err)
			assert.Empty(t, strings.TrimSpace(string(tags)), "no tag may be written")
		})
	}
}
