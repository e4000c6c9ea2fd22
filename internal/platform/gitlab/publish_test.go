package gitlab

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/platform"
)

func testReport(body string, state platform.State) *platform.Report {
	return &platform.Report{Key: "pr/churn", Title: "verdict", Markdown: body, State: state}
}

// publish runs Event and Publish with a fresh client, as one CI job does.
func publish(t *testing.T, env map[string]string, r *platform.Report) (string, error) {
	t.Helper()
	c, logs := newTestClient(t, env)
	ev, err := c.Event(t.Context())
	require.NoError(t, err)
	err = c.Publish(t.Context(), ev, r)
	return logs.String(), err
}

// TestPublishRetries shows one note and one status after the API failed
// in each way GitLab fails: 5xx on reads, a create GitLab carried out but
// answered with a 502, a 429 with Retry-After.
func TestPublishRetries(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.seed("7", 5)
	f.fail(routeNotes, failure{status: http.StatusBadGateway})
	f.fail(routeCreateNote, failure{status: http.StatusBadGateway, act: true})
	f.fail(routeStatus, failure{status: http.StatusTooManyRequests, retryAfter: "1"},
		failure{status: http.StatusInternalServerError})
	env := mrEnv(f, t.TempDir())

	logs, err := publish(t, env, testReport("first", platform.Failure))
	require.NoError(t, err)
	f.fail(routeUpdateNote, failure{status: http.StatusServiceUnavailable, retryAfter: "1"})
	logs2, err := publish(t, env, testReport("second", platform.Success))
	require.NoError(t, err)

	notes := f.notesWith(marker("pr/churn"))
	require.Len(t, notes, 1)
	assert.True(t, strings.HasPrefix(notes[0]["body"].(string), "second"))
	assert.Equal(t, 1, f.count(routeCreateNote), "no create after GitLab made the note")
	assert.Equal(t, 3, f.count(routeUpdateNote), "the found note, then run two with a retry")
	require.Len(t, f.statuses, 1)
	assert.Equal(t, "success", f.statuses[headSHA+"/mlci"]["status"])
	assert.Contains(t, logs, "retrying")
	assert.NotContains(t, logs+logs2, testToken)
}

func TestPublishRetriesANoteCreateRefusedAt429(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.fail(routeCreateNote, failure{status: http.StatusTooManyRequests, retryAfter: "1"})

	_, err := publish(t, mrEnv(f, t.TempDir()), testReport("body", platform.Success))
	require.NoError(t, err)

	assert.Len(t, f.notesWith(marker("pr/churn")), 1)
	assert.Equal(t, 2, f.count(routeCreateNote))
}

func TestPublishGivesUp(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	for range createAttempts {
		f.fail(routeCreateNote, failure{status: http.StatusInternalServerError})
	}

	logs, err := publish(t, mrEnv(f, t.TempDir()), testReport("body", platform.Success))
	require.ErrorContains(t, err, "posting the report note on merge request !7")
	require.ErrorContains(t, err, "500")

	assert.Empty(t, f.notesWith(marker("pr/churn")))
	assert.Equal(t, createAttempts, f.count(routeCreateNote), "bounded, one request each")
	assert.Equal(t, createAttempts, f.count(routeNotes), "looked again before each")
	assert.Len(t, f.statuses, 1, "the status is still set")
	assert.NotContains(t, err.Error()+logs, testToken)
}

func TestRetriesAreBounded(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	for range 5 {
		f.fail(routeStatus, failure{status: http.StatusServiceUnavailable})
	}
	env := mrEnv(f, t.TempDir())
	env["CI_PIPELINE_SOURCE"] = "push"

	_, err := publish(t, env, testReport("body", platform.Success))
	require.ErrorContains(t, err, "setting the commit status mlci on 8e0b4504")

	assert.Equal(t, 5, f.count(routeStatus), "RetryMax 4: one request and four retries")
}

func TestRetryAfterBeyondTheTimeout(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.fail(routeStatus, failure{status: http.StatusTooManyRequests, retryAfter: "3600"})
	env := mrEnv(f, t.TempDir())
	env["CI_PIPELINE_SOURCE"] = "push"
	c, err := New(t.Context(), func(k string) string { return env[k] }, Options{
		RetryWaitMax: time.Hour, Timeout: 100 * time.Millisecond,
	})
	require.NoError(t, err)
	ev, err := c.Event(t.Context())
	require.NoError(t, err)

	start := time.Now()
	err = c.Publish(t.Context(), ev, testReport("body", platform.Success))

	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 30*time.Second)
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	c, _ := newTestClient(t, mrEnv(nil, t.TempDir()))
	answer := func(status int, after string) *http.Response {
		r := &http.Response{StatusCode: status, Header: http.Header{},
			Request: &http.Request{URL: &url.URL{Path: "/api/v4/x"}}}
		if after != "" {
			r.Header.Set("Retry-After", after)
		}
		return r
	}
	tests := []struct {
		name     string
		resp     *http.Response
		attempt  int
		min, max time.Duration
	}{
		{"Retry-After on 429", answer(429, "7"), 0, 7 * time.Second, 7 * time.Second},
		{"Retry-After on 503", answer(503, "2"), 3, 2 * time.Second, 2 * time.Second},
		{"Retry-After capped", answer(429, "600"), 0, time.Minute, time.Minute},
		{"Retry-After as a date", answer(503,
			time.Now().Add(20*time.Second).UTC().Format(http.TimeFormat)), 0,
			15 * time.Second, 20 * time.Second},
		{"Retry-After in the past", answer(429,
			time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)), 0, 0, time.Second},
		{"exponential on 502", answer(502, ""), 2, 4 * time.Second, 6 * time.Second},
		{"capped on 500", answer(500, ""), 12, time.Minute, time.Minute},
		{"no answer", nil, 0, time.Second, 1500 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := c.backoff(time.Second, time.Minute, tt.attempt, tt.resp)
			assert.GreaterOrEqual(t, d, tt.min)
			assert.LessOrEqual(t, d, tt.max)
		})
	}
}

// TestJobTokenOnly: no API write is tried, one clear warning, every file.
func TestJobTokenOnly(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	dir := t.TempDir()
	env := mrEnv(f, dir)
	delete(env, "MLCI_GITLAB_TOKEN")
	html := filepath.Join(dir, "out", "report.html")
	require.NoError(t, os.MkdirAll(filepath.Dir(html), 0o755))
	require.NoError(t, os.WriteFile(html, []byte("<p>r</p>"), 0o644))
	c, logs := newTestClient(t, env)
	ev, err := c.Event(t.Context())
	require.NoError(t, err)

	for range 2 {
		r := testReport("body", platform.Success)
		r.Files = map[string]string{"report.html": html}
		require.NoError(t, c.Publish(t.Context(), ev, r))
	}
	require.NoError(t, c.WriteGateReport([]byte("<testsuites/>")))

	assert.False(t, c.CanWrite())
	f.mu.Lock()
	assert.Empty(t, f.calls, "no API request at all")
	f.mu.Unlock()
	assert.Equal(t, 1, strings.Count(logs.String(), "level=WARN"), logs.String())
	assert.Contains(t, logs.String(), "MLCI_GITLAB_TOKEN")
	assert.Contains(t, logs.String(), "project access token")
	assert.Contains(t, logs.String(), "api scope")
	for _, p := range []string{DotenvPath, HTMLPath, JUnitPath} {
		assert.FileExists(t, filepath.Join(dir, p))
	}
	assert.ErrorIs(t, c.Deploy(t.Context(), platform.Deployment{Environment: "staging"}),
		ErrNoToken)
}

func TestNoteBody(t *testing.T) {
	t.Parallel()
	withMarker := "# r\n" + marker("pr/churn") + "\n"
	tests := []struct {
		name, markdown, want string
	}{
		{"marker added", "# r\n", "# r\n\n" + marker("pr/churn") + "\n"},
		{"marker kept", withMarker, withMarker},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(
				t,
				tt.want,
				noteBody(&platform.Report{Key: "pr/churn", Markdown: tt.markdown}),
			)
		})
	}

	long := noteBody(&platform.Report{Key: "k", Markdown: strings.Repeat("é", maxNoteBytes)})
	assert.LessOrEqual(t, len(long), maxNoteBytes)
	assert.Equal(t, "k", findMarker(long))
	assert.Contains(t, long, "job's artefacts")
}
