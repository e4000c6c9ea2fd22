package command_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/command"
	"github.com/mlci-dev/mlci/internal/platform"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want *command.Command
	}{
		{"promote", "/mlci promote churn production",
			&command.Command{Name: "promote", Model: "churn", Stage: "production"}},
		{
			"promote with version",
			"LGTM.\n\n  /mlci promote churn staging --version v1.2.0  \nthanks",
			&command.Command{Name: "promote", Model: "churn", Stage: "staging", Version: "v1.2.0"},
		},
		{"promote version with equals", "/mlci promote --version=v3 churn staging",
			&command.Command{Name: "promote", Model: "churn", Stage: "staging", Version: "v3"}},
		{"upper-case name", "/MLCI Retrain", &command.Command{Name: "retrain"}},
		{"report", "/mlci report\r\n", &command.Command{Name: "report"}},
		{"help", "/mlci help", &command.Command{Name: "help"}},
		{"first command wins", "/mlci report\n/mlci retrain", &command.Command{Name: "report"}},
		{
			"after a fenced block",
			"```\n/mlci retrain\n```\n/mlci help",
			&command.Command{Name: "help"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := command.Parse(tt.body)
			require.NoError(t, err)
			got.Line = ""
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseNoCommand(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		"",
		"Looks good to me",
		"> /mlci promote churn production\nagreed",
		"```sh\n/mlci retrain\n```",
		"please run /mlci retrain",
		"/mlcix retrain",
	} {
		_, err := command.Parse(body)
		assert.ErrorIs(t, err, command.ErrNoCommand, "body %q", body)
	}
}

func TestParseUsageError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body string
		want string
	}{
		{"/mlci", "no command"},
		{"/mlci deploy churn", `unknown command "deploy"`},
		{"/mlci promote churn", "promote MODEL STAGE"},
		{"/mlci promote a b c", "promote MODEL STAGE"},
		{"/mlci promote churn production --version", "--version needs a value"},
		{"/mlci promote churn production --force", "unknown flag --force"},
		{"/mlci retrain now", "retrain takes no arguments"},
	}
	for _, tt := range tests {
		_, err := command.Parse(tt.body)
		var ue *command.UsageError
		require.ErrorAs(t, err, &ue, "body %q", tt.body)
		assert.Contains(t, ue.Error(), tt.want)
	}
}

func TestCommandString(t *testing.T) {
	t.Parallel()
	c, err := command.Parse("/mlci promote churn production --version=v2")
	require.NoError(t, err)
	assert.Equal(t, "/mlci promote churn production --version v2", c.String())
	assert.Equal(t, "/mlci promote churn production --version=v2", c.Line)
}

func TestAllowed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		perm    string
		allowed []string
		want    bool
	}{
		{"admin", nil, true},
		{"maintain", nil, true},
		{"write", nil, true},
		{"triage", nil, false},
		{"read", nil, false},
		{"none", nil, false},
		{"", nil, false},
		{"admin", []string{"maintain"}, false},
		{"triage", []string{"Triage ", "write"}, true},
		{"maintain", []string{"maintainer", "owner"}, true},
		{"admin", []string{"maintainer", "owner"}, true},
		{"write", []string{"maintainer", "owner"}, false},
		{"write", []string{"developer"}, true},
	}
	for _, tt := range tests {
		assert.Equal(
			t,
			tt.want,
			command.Allowed(tt.perm, tt.allowed),
			"%s in %v",
			tt.perm,
			tt.allowed,
		)
	}
}

// commander is a platform.Commander that knows fixed permissions; the
// GitHub and GitLab packages test their own against their APIs.
type commander struct {
	perms map[string]string
	err   error
}

func (c commander) Permission(_ context.Context, user string) (string, error) {
	return c.perms[user], c.err
}
func (commander) Acknowledge(context.Context, *platform.Event) error   { return nil }
func (commander) Reply(context.Context, *platform.Event, string) error { return nil }

func TestAuthorize(t *testing.T) {
	t.Parallel()
	p := commander{perms: map[string]string{"ada": "maintain", "bob": "read"}}

	perm, err := command.Authorize(t.Context(), p, "ada", nil)
	require.NoError(t, err)
	assert.Equal(t, "maintain", perm)

	perm, err = command.Authorize(t.Context(), p, "bob", nil)
	var denied *command.DeniedError
	require.ErrorAs(t, err, &denied)
	assert.Equal(t, "read", perm)
	assert.Equal(t, "@bob has read permission; commands need one of: write, maintain, admin",
		err.Error())

	failing := commander{err: errors.New("boom")}
	_, err = command.Authorize(t.Context(), failing, "ada", nil)
	require.ErrorContains(t, err, "reading @ada's permission: boom")
}

func TestValidatePermissions(t *testing.T) {
	t.Parallel()
	require.NoError(t, command.ValidatePermissions([]string{"admin", "Maintain", "write", "owner"}))
	require.EqualError(t, command.ValidatePermissions([]string{"write", "root"}),
		`unknown permission "root"; expected one of read, triage, write, maintain, admin, `+
			`or GitLab's guest, reporter, developer, maintainer, owner`)
}
