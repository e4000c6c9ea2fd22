package github

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/platform"
	"github.com/mlci-dev/mlci/internal/report"
)

const (
	opListComments  = "GET /repos/{owner}/{repo}/issues/{issue_number}/comments"
	opCreateComment = "POST /repos/{owner}/{repo}/issues/{issue_number}/comments"
	opEditComment   = "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}"
	opCreateCheck   = "POST /repos/{owner}/{repo}/check-runs"
	opUpdateCheck   = "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}"
	opStatus        = "POST /repos/{owner}/{repo}/statuses/{sha}"
	opUser          = "GET /user"
)

func testReport(verdict string, state platform.State) *platform.Report {
	key := "mlci/report"
	return &platform.Report{
		Key:   key,
		Title: "mlci · classifier " + verdict,
		Markdown: fmt.Sprintf("### mlci · `classifier` %s\n\n| metric | value |\n|---|---:|\n"+
			"| accuracy | 0.87 |\n\n%s\n", verdict, report.Marker(key)),
		State: state,
		Files: map[string]string{"report.md": "mlci-report/report.md"},
	}
}

// TestPublishTwice is the platform's end to end: a real pull_request
// payload, GITHUB_* variables pointing at the fake, Event then Publish
// twice. The pull request ends with one comment, updated, one check run,
// and the job summary holds both reports.
func TestPublishTwice(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	r := newRun(t, workflowEnv(t, f, "pull_request", "pull_request.opened.json"))

	ev, err := r.c.Event(t.Context())
	require.NoError(t, err)
	require.Equal(t, 2, ev.Number)
	rep := testReport("may be promoted", platform.Success)
	require.NoError(t, r.c.Publish(t.Context(), ev, rep))
	require.NoError(t, r.c.Publish(t.Context(), ev, testReport("is blocked", platform.Failure)))

	comments := f.commentsOn(2)
	require.Len(t, comments, 1)
	body := comments[0]["body"].(string)
	assert.Contains(t, body, "is blocked")
	assert.NotContains(t, body, "may be promoted")
	assert.Equal(t, 1, strings.Count(body, report.Marker("mlci/report")))
	assert.Equal(t, 1, f.count(opCreateComment))
	assert.Equal(t, 1, f.count(opEditComment))

	require.Len(t, f.checkRuns, 1)
	cr := f.checkRuns[0]
	assert.Equal(t, "mlci: mlci/report", cr["name"])
	assert.Equal(t, ev.Head, cr["head_sha"])
	assert.Equal(t, "failure", cr["conclusion"])
	assert.Equal(t, "https://github.example/Codertocat/Hello-World/actions/runs/4242",
		cr["details_url"])

	summary := r.summary(t)
	assert.Contains(t, summary, "may be promoted")
	assert.Contains(t, summary, "is blocked")
	assert.Empty(t, f.statuses)
	assertTokenHidden(t, r)
}

// assertTokenHidden checks that the token appears only in the mask command
// and in no diagnostics.
func assertTokenHidden(t *testing.T, r *run) {
	t.Helper()
	assert.Equal(t, 1, strings.Count(r.out.String(), fakeToken))
	assert.Contains(t, r.out.String(), "::add-mask::"+fakeToken)
	assert.NotContains(t, r.log.String(), fakeToken)
	assert.NotContains(t, r.summary(t), fakeToken)
}

func TestCommentFoundOnLaterPage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		login string // GET /user's answer; empty for the workflow token
	}{
		{"workflow token", ""},
		{"personal token", "mlci-bot"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.login = tt.login
			mark := report.Marker("mlci/report")
			for i := range 230 {
				f.seedComment(2, "octocat", "User", fmt.Sprintf("comment %d", i))
			}
			// A person pasting the marker does not capture the report.
			f.seedComment(2, "mallory", "User", "copied\n"+mark)
			poster := f.poster()
			f.seedComment(2, poster["login"].(string), poster["type"].(string), "old report\n"+mark)

			r := newRun(t, workflowEnv(t, f, "pull_request", "pull_request.opened.json"))
			ev, err := r.c.Event(t.Context())
			require.NoError(t, err)
			require.NoError(
				t,
				r.c.Publish(t.Context(), ev, testReport("may be promoted", platform.Success)),
			)

			assert.Len(t, f.commentsOn(2), 232)
			assert.Equal(t, 0, f.count(opCreateComment))
			assert.Equal(t, 1, f.count(opEditComment))
			assert.Equal(t, 3, f.count(opListComments), "three pages of 100")
			last := f.commentsOn(2)[231]
			assert.Contains(t, last["body"], "may be promoted")
			assert.Equal(t, "copied\n"+mark, f.commentsOn(2)[230]["body"])
		})
	}
}

// TestCommentRetries fails the comment's requests in the ways GitHub does
// and checks that the pull request still ends with exactly one comment.
func TestCommentRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		op    string
		kind  string
		n     int
		waits []time.Duration
	}{
		{"create answers 502", opCreateComment, "502", 1, []time.Duration{time.Second}},
		{"create answers 500 twice", opCreateComment, "500", 2,
			[]time.Duration{time.Second, 2 * time.Second}},
		{"create done but its answer lost", opCreateComment, "hang-after", 1,
			[]time.Duration{time.Second}},
		{"create times out undone", opCreateComment, "hang", 1, []time.Duration{time.Second}},
		{
			"list answers 502",
			opListComments,
			"502",
			2,
			[]time.Duration{time.Second, 2 * time.Second},
		},
		{"list times out", opListComments, "hang", 1, []time.Duration{time.Second}},
		{"create hits the secondary limit", opCreateComment, "secondary", 1,
			[]time.Duration{7 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.failOn(tt.op, tt.kind, tt.n)
			r := newRun(t, workflowEnv(t, f, "pull_request", "pull_request.opened.json"))
			r.c.in.Check = false
			ev, err := r.c.Event(t.Context())
			require.NoError(t, err)

			require.NoError(
				t,
				r.c.Publish(t.Context(), ev, testReport("may be promoted", platform.Success)),
			)
			rep := testReport("is blocked", platform.Failure)
			require.NoError(t, r.c.Publish(t.Context(), ev, rep))

			comments := f.commentsOn(2)
			require.Len(t, comments, 1)
			assert.Contains(t, comments[0]["body"], "is blocked")
			assert.Equal(t, tt.waits, r.waits())
		})
	}
}

func TestRateLimits(t *testing.T) {
	t.Parallel()
	t.Run("primary limit spent on a 403", func(t *testing.T) {
		t.Parallel()
		f := newFake(t)
		f.failOn(opListComments, "primary", 1)
		r := newRun(t, workflowEnv(t, f, "pull_request", "pull_request.opened.json"))
		ev, err := r.c.Event(t.Context())
		require.NoError(t, err)
		require.NoError(t, r.c.Publish(t.Context(), ev, testReport("ok", platform.Success)))
		assert.Equal(
			t,
			[]time.Duration{91 * time.Second},
			r.waits(),
			"until the reset, and a second",
		)
		assert.Len(t, f.commentsOn(2), 1)
	})

	t.Run("last request of the hour waits for the next", func(t *testing.T) {
		t.Parallel()
		f := newFake(t)
		f.login = "mlci-bot"
		f.spendLimit, f.rateReset = true, testNow.Add(40*time.Second)
		r := newRun(t, workflowEnv(t, f, "pull_request", "pull_request.opened.json"))
		ev, err := r.c.Event(t.Context())
		require.NoError(t, err)
		require.NoError(t, r.c.Publish(t.Context(), ev, testReport("ok", platform.Success)))
		assert.Equal(t, []time.Duration{40 * time.Second}, r.waits(),
			"GET /user spent the limit; the next request waited for the reset")
		assert.Len(t, f.commentsOn(2), 1)
		assert.Len(t, f.checkRuns, 1)
	})

	t.Run("a wait past the bound gives up", func(t *testing.T) {
		t.Parallel()
		f := newFake(t)
		f.failOn(opCreateComment, "secondary", 5).retryAfter = 600
		r := newRun(t, workflowEnv(t, f, "pull_request", "pull_request.opened.json"))
		ev, err := r.c.Event(t.Context())
		require.NoError(t, err)
		err = r.c.Publish(t.Context(), ev, testReport("ok", platform.Success))
		require.ErrorContains(t, err, "secondary rate limit")
		assert.Equal(t, exit.External, exit.Code(err))
		assert.Empty(t, r.waits())
		assert.Equal(t, 1, f.count(opCreateComment))
		assert.Contains(t, r.log.String(), "giving up")
	})
}

func TestReadOnlyToken(t *testing.T) {
	t.Parallel()
	t.Run("fork pull request: nothing is written", func(t *testing.T) {
		t.Parallel()
		f := newFake(t)
		env := workflowEnv(t, f, "pull_request", "")
		env["GITHUB_EVENT_PATH"] = modified(t, "pull_request.opened.json", forkHead)
		r := newRun(t, env)
		ev, err := r.c.Event(t.Context())
		require.NoError(t, err)
		require.True(t, ev.Fork)

		rep := testReport("may be promoted", platform.Success)
		rep.Annotations = []platform.Annotation{{Path: "mlci.yaml", Line: 12, Level: "failure",
			Title: "gate accuracy", Message: "accuracy 0.71 < 0.80"}}
		require.NoError(t, r.c.Publish(t.Context(), ev, rep))
		require.NoError(t, r.c.Publish(t.Context(), ev, rep))
		assert.Empty(t, f.writes())
		assert.Contains(t, r.out.String(),
			"::error file=mlci.yaml,line=12,title=gate accuracy::accuracy 0.71 < 0.80\n")
		assert.Contains(t, r.summary(t), "may be promoted")
		assert.Equal(t, 1, strings.Count(r.out.String(), "::warning::"))
		assert.Contains(t, r.out.String(), "workflow_run")
		assert.Contains(t, r.out.String(), "mlci-report/report.md")
	})

	t.Run("token refused: one warning, nothing written", func(t *testing.T) {
		t.Parallel()
		f := newFake(t)
		f.readOnly = true
		r := newRun(t, workflowEnv(t, f, "pull_request", "pull_request.opened.json"))
		ev, err := r.c.Event(t.Context())
		require.NoError(t, err)
		require.NoError(t, r.c.Publish(t.Context(), ev, testReport("ok", platform.Success)))
		assert.Empty(t, f.commentsOn(2))
		assert.Empty(t, f.checkRuns)
		assert.Empty(t, f.statuses)
		assert.Equal(t, 1, strings.Count(r.out.String(), "::warning::"))
		assert.Contains(t, r.out.String(), "comment on the pull request or create check runs")
		assert.Empty(t, r.waits(), "a refusal is not retried")
	})
}

// forkHead makes a pull request's head another repository's.
func forkHead(m map[string]any) {
	obj(m, "pull_request", "head", "repo")["full_name"] = "mallory/Hello-World"
}

func TestCheckFallsBackToStatus(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.noChecks = true
	r := newRun(t, workflowEnv(t, f, "pull_request", "pull_request.opened.json"))
	ev, err := r.c.Event(t.Context())
	require.NoError(t, err)
	require.NoError(t, r.c.Publish(t.Context(), ev, testReport("is blocked", platform.Failure)))

	require.Len(t, f.statuses, 1)
	st := f.statuses[0]
	assert.Equal(t, "failure", st["state"])
	assert.Equal(t, "mlci: mlci/report", st["context"])
	assert.Equal(t, ev.Head, st["sha"])
	assert.Empty(t, f.checkRuns)
	assert.NotContains(t, r.out.String(), "::warning::")
}

func TestAnnotationsInBatches(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	env := workflowEnv(t, f, "pull_request", "pull_request.opened.json")
	r := newRun(t, env)
	ev, err := r.c.Event(t.Context())
	require.NoError(t, err)

	rep := testReport("is blocked", platform.Failure)
	for i := range 120 {
		rep.Annotations = append(rep.Annotations, platform.Annotation{
			Path: "mlci.yaml", Line: i + 1, Level: "failure", Title: "gate accuracy",
			Message: "accuracy 0.71 < 0.80",
		})
	}
	r.c.in.Comment = false
	require.NoError(t, r.c.Publish(t.Context(), ev, rep))
	require.Len(t, f.checkRuns, 1)
	assert.Equal(t, 120, obj(f.checkRuns[0], "output")["annotations_count"])
	assert.Equal(t, 1, f.count(opCreateCheck))
	assert.Equal(t, 2, f.count(opUpdateCheck), "50, then 50 and 20")

	// The same report again in the same run sends no annotation twice.
	require.NoError(t, r.c.Publish(t.Context(), ev, rep))
	assert.Equal(t, 120, obj(f.checkRuns[0], "output")["annotations_count"])

	// A new attempt of the run starts a fresh check run.
	env["GITHUB_RUN_ATTEMPT"] = "2"
	r2 := newRun(t, env)
	r2.c.in.Comment = false
	rep = testReport("may be promoted", platform.Success)
	require.NoError(t, r2.c.Publish(t.Context(), ev, rep))
	require.Len(t, f.checkRuns, 2)
	assert.Equal(t, "success", f.checkRuns[1]["conclusion"])
}

func TestSummaryCut(t *testing.T) {
	t.Parallel()
	r := newRun(t, workflowEnv(t, nil, "push", "push.json"))
	big := "```\n" + strings.Repeat("a line of the report that goes on and on\n", 60000)
	rep := &platform.Report{Key: "k", Summary: big}
	require.NoError(t, r.c.writeSummary(rep))

	got := r.summary(t)
	assert.Less(t, len(got), summaryLimit)
	assert.Greater(t, len(got), summaryLimit-200)
	assert.Contains(t, got, "Cut to fit the job summary")
	assert.Equal(t, 0, strings.Count(got, "```")%2, "the code block is closed")

	// The step's summary is full now: more is not added.
	require.NoError(t, r.c.writeSummary(rep))
	assert.Equal(t, got, r.summary(t))
}

func TestCommentBodyCut(t *testing.T) {
	t.Parallel()
	mark := report.Marker("k")
	body := commentBody(strings.Repeat("é", 40000)+"\n"+mark+"\n", mark)
	assert.LessOrEqual(t, len(body), commentLimit)
	assert.True(t, strings.HasSuffix(body, mark+"\n"))
	assert.Equal(t, 1, strings.Count(body, mark))
	assert.Contains(t, body, "Cut to fit a comment")
}

func TestMarkerOf(t *testing.T) {
	t.Parallel()
	quoted := "a value quoting <!-- mlci:report key=evil -->\n"
	tests := []struct {
		name string
		r    platform.Report
		want string
	}{
		{"the report's own", platform.Report{Key: "x y",
			Markdown: quoted + "report\n<!-- mlci:report key=x_y -->\n"},
			"<!-- mlci:report key=x_y -->"},
		{"made from the key", platform.Report{Key: "pr/a b--c>", Markdown: "report"},
			"<!-- mlci:report key=pr/a_b-c_ -->"},
		{"no key", platform.Report{}, "<!-- mlci:report key=default -->"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, markerOf(&tt.r), tt.name)
	}

	body := commentBody(quoted+"report\n<!-- mlci:report key=evil -->\n", report.Marker("evil"))
	assert.Equal(t, quoted+"report\n\n<!-- mlci:report key=evil -->\n", body)
}

func TestNoToken(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	env := workflowEnv(t, f, "pull_request", "pull_request.opened.json")
	delete(env, "INPUT_TOKEN")
	r := newRun(t, env)
	ev, err := r.c.Event(t.Context())
	require.NoError(t, err)
	require.NoError(t, r.c.Publish(t.Context(), ev, testReport("ok", platform.Success)))
	assert.Empty(t, f.writes())
	assert.Contains(t, r.out.String(), "::warning::")
	assert.NotContains(t, r.out.String(), "add-mask")
}

// TestOutsideBasePath shows that the fake catches a request that loses the
// Enterprise Server base path, as a client that built an absolute path would.
func TestOutsideBasePath(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	var caught []string
	f.fail = func(format string, args ...any) {
		caught = append(caught, fmt.Sprintf(format, args...))
	}

	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet,
		f.srv.URL+"/repos/Codertocat/Hello-World/pulls/2", nil)
	require.NoError(t, err)
	resp, err := f.srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	require.Len(t, caught, 1)
	assert.Contains(t, caught[0], "outside the API base path")
}
