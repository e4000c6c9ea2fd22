package retrain

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/platform/github"
	"github.com/mlci-dev/mlci/internal/platform/github/apispec"
)

// ghToken is the fake's only accepted token; it must never be printed.
const ghToken = "ghs_retrainTestTokenNeverPrinted0123456"

// fakeGitHub answers the pull-request, label and check-run requests that
// retraining makes, keeping pull requests and check runs as state. Every
// request is checked against GitHub's API description; a request outside
// the API base path, or one no route serves, fails the test.
type fakeGitHub struct {
	t    *testing.T
	spec *apispec.Spec
	srv  *httptest.Server

	mu     sync.Mutex
	ops    []string
	pulls  []map[string]any
	labels map[int][]string
	checks []map[string]any
}

func newFakeGitHub(t *testing.T) *fakeGitHub {
	t.Helper()
	spec, err := apispec.Load("../platform/github/testdata/openapi/operations.json")
	require.NoError(t, err)
	f := &fakeGitHub{t: t, spec: spec, labels: map[int][]string{}}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeGitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path, ok := strings.CutPrefix(r.URL.Path, "/api/v3")
	if !ok || r.Header.Get("Authorization") != "Bearer "+ghToken {
		f.t.Errorf("request outside the API or without the token: %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	op, err := f.spec.Check(r.Method, path, r.URL.Query(), body)
	if err != nil {
		f.t.Errorf("%v", err)
		http.NotFound(w, r)
		return
	}
	var in map[string]any
	_ = json.Unmarshal(body, &in)

	f.mu.Lock()
	defer f.mu.Unlock()
	f.ops = append(f.ops, op)
	status, out := f.route(op, path, r, in)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(out)
}

// route answers one operation.
func (f *fakeGitHub) route(op, path string, r *http.Request, in map[string]any) (int, any) {
	parts := strings.Split(path, "/")
	switch op {
	case "GET /repos/{owner}/{repo}/pulls":
		var open []map[string]any
		for _, pr := range f.pulls {
			if pr["state"] == "open" &&
				pr["head"].(map[string]any)["label"] == r.URL.Query().Get("head") {
				open = append(open, pr)
			}
		}
		return 200, orEmpty(open)
	case "POST /repos/{owner}/{repo}/pulls":
		n := len(f.pulls) + 1
		pr := map[string]any{"number": n, "state": "open", "title": in["title"], "body": in["body"],
			"html_url": fmt.Sprintf("https://github.example/o/r/pull/%d", n),
			"head":     map[string]any{"ref": in["head"], "label": "o:" + fmt.Sprint(in["head"])},
			"base":     map[string]any{"ref": in["base"]}}
		f.pulls = append(f.pulls, pr)
		return 201, pr
	case "PATCH /repos/{owner}/{repo}/pulls/{pull_number}":
		pr := f.pulls[atoi(parts[5])-1]
		pr["title"], pr["body"] = in["title"], in["body"]
		return 200, pr
	case "POST /repos/{owner}/{repo}/issues/{issue_number}/labels":
		n := atoi(parts[5])
		for _, l := range in["labels"].([]any) {
			f.labels[n] = append(f.labels[n], l.(string))
		}
		return 200, []any{}
	case "GET /repos/{owner}/{repo}/commits/{ref}/check-runs":
		return 200, map[string]any{"total_count": 0, "check_runs": []any{}}
	case "POST /repos/{owner}/{repo}/check-runs":
		in["id"] = len(f.checks) + 1
		f.checks = append(f.checks, in)
		return 201, in
	}
	f.t.Errorf("no route serves %s", op)
	return 404, map[string]any{"message": "Not Found"}
}

func orEmpty(list []map[string]any) []map[string]any {
	if list == nil {
		return []map[string]any{}
	}
	return list
}

func atoi(s string) int {
	var n int
	_, _ = fmt.Sscan(s, &n)
	return n
}

// count returns how many requests an operation received.
func (f *fakeGitHub) count(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, o := range f.ops {
		if o == op {
			n++
		}
	}
	return n
}

func TestGitHubOpensOnePullRequestAndUpdatesIt(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.setFeed(t, nil)
	f := newFakeGitHub(t)
	env := map[string]string{
		"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "o/r", "GITHUB_EVENT_NAME": "schedule",
		"GITHUB_API_URL": f.srv.URL + "/api/v3", "GITHUB_SERVER_URL": "https://github.example",
		"GITHUB_RUN_ID": "77", "INPUT_TOKEN": ghToken,
		"GITHUB_STEP_SUMMARY": filepath.Join(w.dir, "summary.md"),
		"GITHUB_OUTPUT":       filepath.Join(w.dir, "output"),
	}
	var workflow strings.Builder
	gh, err := github.New(t.Context(), func(k string) string { return env[k] },
		github.Options{Out: &workflow})
	require.NoError(t, err)

	first, _ := w.retrain(t, gh, nil)
	second, _ := w.retrain(t, gh, nil)

	require.True(t, first.Passed, first.Summary)
	assert.Equal(t, "https://github.example/o/r/pull/1", first.ProposalURL)
	assert.Equal(t, first.ProposalURL, second.ProposalURL)
	assert.Equal(t, 1, f.count("POST /repos/{owner}/{repo}/pulls"), "exactly one pull request")
	assert.Equal(t, 1, f.count("PATCH /repos/{owner}/{repo}/pulls/{pull_number}"))
	require.Len(t, f.pulls, 1)
	pr := f.pulls[0]
	assert.Equal(t, "Retrain churn: new data, data drift", pr["title"])
	assert.Equal(t, "main", pr["base"].(map[string]any)["ref"])
	assert.Contains(t, pr["body"], "retrained churn may be promoted")
	assert.Contains(t, f.labels[1], "retrain")
	assert.Equal(t, second.Commit, w.remoteBranch(t))

	require.Len(t, f.checks, 2, "a check run on each proposal head")
	assert.Equal(t, second.Commit, f.checks[1]["head_sha"])
	assert.Equal(t, "success", f.checks[1]["conclusion"])
	summary, err := os.ReadFile(env["GITHUB_STEP_SUMMARY"])
	require.NoError(t, err)
	assert.Contains(t, string(summary), "retrained churn may be promoted")
	outputs, err := os.ReadFile(env["GITHUB_OUTPUT"])
	require.NoError(t, err)
	assert.Contains(t, string(outputs), "https://github.example/o/r/pull/1")
	// The runner masks the token from the log once told, and only then.
	log := strings.Replace(workflow.String(), "::add-mask::"+ghToken+"\n", "", 1)
	assert.NotContains(t, log+string(summary)+string(outputs), ghToken)
}
