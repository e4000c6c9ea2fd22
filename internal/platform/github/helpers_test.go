package github

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// testNow is the clock of the tests that measure rate-limit waits.
var testNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// run is a Client under test with what it wrote and waited.
type run struct {
	c      *Client
	env    map[string]string
	out    *bytes.Buffer // workflow commands
	log    *bytes.Buffer // diagnostics
	dir    string
	mu     sync.Mutex
	sleeps []time.Duration
	clock  time.Time // testNow plus the waits
}

// now is the run's clock, which only waits move.
func (r *run) now() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.clock
}

// waits returns the waits the client asked for, in order.
func (r *run) waits() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.sleeps...)
}

// summary returns the job summary the run wrote.
func (r *run) summary(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(r.env["GITHUB_STEP_SUMMARY"])
	if os.IsNotExist(err) {
		return ""
	}
	require.NoError(t, err)
	return string(data)
}

// workflowEnv is a pull_request run's environment pointing at the fake.
func workflowEnv(t testing.TB, f *fakeGitHub, event, payload string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	env := map[string]string{
		"GITHUB_ACTIONS":      "true",
		"GITHUB_REPOSITORY":   "Codertocat/Hello-World",
		"GITHUB_SERVER_URL":   "https://github.example",
		"GITHUB_RUN_ID":       "4242",
		"GITHUB_RUN_ATTEMPT":  "1",
		"GITHUB_WORKFLOW":     "mlci",
		"GITHUB_JOB":          "report",
		"GITHUB_ACTOR":        "Codertocat",
		"GITHUB_SHA":          "1111111111111111111111111111111111111111",
		"GITHUB_REF_NAME":     "2/merge",
		"GITHUB_EVENT_NAME":   event,
		"GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary.md"),
		"GITHUB_OUTPUT":       filepath.Join(dir, "output"),
		"INPUT_TOKEN":         fakeToken,
	}
	if f != nil {
		env["GITHUB_API_URL"] = f.apiURL()
	}
	if payload != "" {
		env["GITHUB_EVENT_PATH"] = filepath.Join("testdata", "webhooks", payload)
	}
	return env
}

// newRun returns a Client for env with a recording sleep and the fake's
// HTTP client; tries time out after 300ms.
func newRun(t testing.TB, env map[string]string, opts ...func(*Options)) *run {
	t.Helper()
	r := &run{
		env:   env,
		out:   &bytes.Buffer{},
		log:   &bytes.Buffer{},
		dir:   t.TempDir(),
		clock: testNow,
	}
	o := Options{
		Log: slog.New(slog.NewTextHandler(r.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Out: r.out,
		Sleep: func(d time.Duration) {
			r.mu.Lock()
			r.sleeps = append(r.sleeps, d)
			r.clock = r.clock.Add(d)
			r.mu.Unlock()
		},
		Now:            r.now,
		RequestTimeout: time.Second, // short for the hanging cases, long for a loaded runner
	}
	for _, opt := range opts {
		opt(&o)
	}
	c, err := New(t.Context(), func(k string) string { return env[k] }, o)
	require.NoError(t, err)
	r.c = c
	return r
}

// modified writes a copy of a webhook payload changed by edit, for the
// events the examples package has no payload of (a comment on a pull
// request, a fork's pull request). The change is the test's, in plain view.
func modified(t *testing.T, payload string, edit func(map[string]any)) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "webhooks", payload))
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(data, &m))
	edit(m)
	out, err := json.Marshal(m)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), payload)
	require.NoError(t, os.WriteFile(path, out, 0o644))
	abs, err := filepath.Abs(path)
	require.NoError(t, err)
	return abs
}

// obj walks nested maps of a decoded payload.
func obj(m map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		m = m[k].(map[string]any)
	}
	return m
}
