package gitlab

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/platform"
)

const (
	headSHA = "8e0b45049b6253b8984cde9241830d2851168142"
	baseSHA = "dd692733bb84bc3e9e862e66c099daec2fa00c83"
)

// mrEnv is the environment of a merge-request pipeline of project 5 whose
// API is the fake.
func mrEnv(f *fake, dir string) map[string]string {
	env := map[string]string{
		"GITLAB_CI":                           "true",
		"CI_PIPELINE_SOURCE":                  "merge_request_event",
		"CI_MERGE_REQUEST_IID":                "7",
		"CI_MERGE_REQUEST_DIFF_BASE_SHA":      baseSHA,
		"CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
		"CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "tune-lr",
		"CI_MERGE_REQUEST_PROJECT_ID":         "5",
		"CI_MERGE_REQUEST_SOURCE_PROJECT_ID":  "5",
		"CI_MERGE_REQUEST_PROJECT_URL":        "https://gitlab.example.com/ml/churn",
		"CI_COMMIT_SHA":                       headSHA,
		"CI_COMMIT_BEFORE_SHA":                zeroSHA,
		"CI_COMMIT_REF_NAME":                  "tune-lr",
		"CI_DEFAULT_BRANCH":                   "main",
		"CI_PROJECT_ID":                       "5",
		"CI_PROJECT_PATH":                     "ml/churn",
		"CI_PROJECT_DIR":                      dir,
		"CI_PIPELINE_ID":                      "77",
		"CI_PIPELINE_URL":                     "https://gitlab.example.com/ml/churn/-/pipelines/77",
		"CI_JOB_URL":                          "https://gitlab.example.com/ml/churn/-/jobs/9",
		"CI_JOB_NAME":                         "mlci",
		"GITLAB_USER_LOGIN":                   "ada",
		"CI_JOB_TOKEN":                        "job-token-not-for-writes",
		"MLCI_GITLAB_TOKEN":                   testToken,
	}
	if f != nil {
		env["CI_API_V4_URL"] = f.url()
	}
	return env
}

// syncBuffer is a log destination safe for the client's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newTestClient returns a client for env with short waits and a debug log.
func newTestClient(t testing.TB, env map[string]string) (*Client, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	c, err := New(t.Context(), func(k string) string { return env[k] }, Options{
		Log: slog.New(
			slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}),
		),
		Sleep:        func(time.Duration) {},
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 5 * time.Millisecond,
	})
	require.NoError(t, err)
	return c, logs
}

func TestDetect(t *testing.T) {
	t.Parallel()
	assert.True(
		t,
		Detect(func(k string) string { return map[string]string{"GITLAB_CI": "true"}[k] }),
	)
	assert.False(t, Detect(func(string) string { return "" }))
}

func TestEvent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		set  map[string]string
		want platform.Event
	}{{
		name: "merge request",
		want: platform.Event{Kind: platform.PullRequest, Base: baseSHA, Head: headSHA,
			BaseRef: "main", HeadRef: "tune-lr", Number: 7},
	}, {
		name: "merge request from a fork",
		set:  map[string]string{"CI_MERGE_REQUEST_SOURCE_PROJECT_ID": "6"},
		want: platform.Event{Kind: platform.PullRequest, Base: baseSHA, Head: headSHA,
			BaseRef: "main", HeadRef: "tune-lr", Number: 7, Fork: true},
	}, {
		name: "push",
		set: map[string]string{"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main",
			"CI_COMMIT_BEFORE_SHA": baseSHA},
		want: platform.Event{Kind: platform.Push, Base: baseSHA, Head: headSHA,
			BaseRef: "main", HeadRef: "main"},
	}, {
		name: "first push of a branch",
		set:  map[string]string{"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "new"},
		want: platform.Event{Kind: platform.Push, Head: headSHA, BaseRef: "new", HeadRef: "new"},
	}, {
		name: "tag",
		set:  map[string]string{"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_TAG": "v1.0.0"},
		want: platform.Event{Kind: platform.Push, Head: headSHA, BaseRef: "v1.0.0",
			HeadRef: "v1.0.0"},
	}, {
		name: "schedule",
		set:  map[string]string{"CI_PIPELINE_SOURCE": "schedule", "CI_COMMIT_BRANCH": "main"},
		want: platform.Event{Kind: platform.Schedule, Head: headSHA, HeadRef: "main"},
	}, {
		name: "web",
		set:  map[string]string{"CI_PIPELINE_SOURCE": "web", "CI_COMMIT_BRANCH": "main"},
		want: platform.Event{Kind: platform.Manual, Head: headSHA, HeadRef: "main"},
	}, {
		name: "api",
		set:  map[string]string{"CI_PIPELINE_SOURCE": "api", "CI_COMMIT_BRANCH": "main"},
		want: platform.Event{Kind: platform.Manual, Head: headSHA, HeadRef: "main"},
	}, {
		name: "trigger without a payload",
		set:  map[string]string{"CI_PIPELINE_SOURCE": "trigger", "CI_COMMIT_BRANCH": "main"},
		want: platform.Event{Kind: platform.Manual, Head: headSHA, HeadRef: "main"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := mrEnv(nil, t.TempDir())
			if tt.set["CI_PIPELINE_SOURCE"] != "" {
				delete(env, "CI_MERGE_REQUEST_IID")
				env["CI_COMMIT_REF_NAME"] = ""
			}
			for k, v := range tt.set {
				env[k] = v
			}
			c, _ := newTestClient(t, env)

			ev, err := c.Event(t.Context())
			require.NoError(t, err)

			want := tt.want
			want.DefaultBranch, want.Repository, want.Actor = "main", "ml/churn", "ada"
			want.RunURL, want.Job = env["CI_PIPELINE_URL"], "mlci"
			assert.Equal(t, want, *ev)
		})
	}
}

func TestEventErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, key, value, want string
	}{
		{"no commit", "CI_COMMIT_SHA", "", "CI_COMMIT_SHA is not set"},
		{"no merge request number", "CI_MERGE_REQUEST_IID", "", "CI_MERGE_REQUEST_IID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := mrEnv(nil, t.TempDir())
			env[tt.key] = tt.value
			c, _ := newTestClient(t, env)

			_, err := c.Event(t.Context())
			require.ErrorContains(t, err, tt.want)
			assert.Equal(t, exit.Usage, exit.Code(err))
		})
	}
}

// TestPublishTwice is the whole merge-request flow run three times: one
// note posted and then updated, one commit status, and the report files.
func TestPublishTwice(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.seed("7", 4)
	f.mu.Lock()
	f.addNote("7", "quoting "+marker("pr/churn"), "reviewer", false) // not ours
	f.mu.Unlock()
	f.seed("7", 3)
	dir := t.TempDir()
	html := filepath.Join(t.TempDir(), "report.html")
	require.NoError(t, os.WriteFile(html, []byte("<h1>report</h1>"), 0o644))
	env := mrEnv(f, dir)

	for run, state := range []platform.State{platform.Failure, platform.Success, platform.Success} {
		c, logs := newTestClient(t, env)
		ev, err := c.Event(t.Context())
		require.NoError(t, err)
		r := &platform.Report{
			Key: "pr/churn", Title: "mlci: churn may be promoted", State: state,
			Markdown: "### run " + string(rune('0'+run)) + "\n",
			Files:    map[string]string{"report.html": html},
		}
		require.NoError(t, c.Publish(t.Context(), ev, r))
		require.NoError(t, c.WriteMetricsReport([]Metric{
			{Name: "roc_auc", Labels: map[string]string{"model": "churn"}, Value: 0.91},
		}))
		assert.NotContains(t, logs.String(), testToken)
	}

	ours := f.notesWith(marker("pr/churn"))
	require.Len(t, ours, 2, "our note and the reviewer's quote")
	assert.Equal(t, "quoting "+marker("pr/churn"), ours[0]["body"])
	assert.Equal(t, "### run 2\n\n"+marker("pr/churn")+"\n", ours[1]["body"])
	assert.Equal(t, 1, f.count(routeCreateNote))
	assert.Equal(t, 2, f.count(routeUpdateNote))
	assert.Equal(t, 9, f.count(routeNotes), "three pages of notes, three runs")
	assert.Equal(t, 3, f.count(routeUser))

	require.Len(t, f.statuses, 1)
	s := f.statuses[headSHA+"/mlci"]
	assert.Equal(t, "success", s["status"])
	assert.Equal(t, env["CI_JOB_URL"], s["target_url"])
	assert.EqualValues(t, 77, s["pipeline_id"])
	assert.Equal(t, 3, f.count(routeStatus))

	dotenv, err := os.ReadFile(filepath.Join(dir, DotenvPath))
	require.NoError(t, err)
	assert.Equal(t, "MLCI_REPORT_URL=https://gitlab.example.com/ml/churn/-/merge_requests/7"+
		"#note_"+idOf(ours[1])+"\nMLCI_STATE=success\n", string(dotenv))
	metrics, err := os.ReadFile(filepath.Join(dir, MetricsPath))
	require.NoError(t, err)
	assert.Equal(t, "roc_auc{model=\"churn\"} 0.91\n", string(metrics))
	copied, err := os.ReadFile(filepath.Join(dir, HTMLPath))
	require.NoError(t, err)
	assert.Equal(t, "<h1>report</h1>", string(copied))
}

func idOf(note map[string]any) string {
	return strconv.FormatInt(note["id"].(int64), 10)
}
