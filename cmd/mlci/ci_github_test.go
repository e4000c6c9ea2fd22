package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gh "github.com/google/go-github/v60/github"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/demo"
	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/platform/github/githubtest"
	"github.com/mlci-dev/mlci/internal/platform/gitlab/gitlabtest"
	"github.com/mlci-dev/mlci/internal/report"
)

// The API operations these tests count.
const (
	ghCreateComment = "POST /repos/{owner}/{repo}/issues/{issue_number}/comments"
	ghEditComment   = "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}"
	ghCreateCheck   = "POST /repos/{owner}/{repo}/check-runs"
	ghUpdateCheck   = "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}"
	ghCommitPulls   = "GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls"
)

// ghReportMarker is the report comment's marker for the workflow mlci and
// job mlci of ghEnv.
const ghReportMarker = "<!-- mlci:report key=mlci/mlci -->"

// ghRepo makes the example project a git repository as demo.Create
// does, without its serving check (seconds of HTTP load, tested by the demo's
// own tests), and a branch feature that changes evaluate.threshold. It
// returns the folder and main's and feature's commits; feature is checked out.
func ghRepo(t *testing.T) (dir, base, head string) {
	t.Helper()
	ctx := t.Context()
	dir = t.TempDir()
	r, err := demo.Create(ctx, dir)
	require.NoError(t, err)

	cfg := ghRead(t, dir, "mlci.yaml")
	from, to := strings.Index(cfg, "    serve:\n"), strings.Index(cfg, "\ndata:\n")
	require.True(t, from > 0 && to > from, "mlci.yaml has a serve block before data")
	ghWrite(t, dir, "mlci.yaml", cfg[:from]+cfg[to+1:])
	require.NoError(t, r.CommitAll(ctx, "Serve no model in this test"))
	base = ghRev(t, dir, "HEAD")

	require.NoError(t, r.Branch(ctx, "feature"))
	params := ghRead(t, dir, "params.yaml")
	require.Contains(t, params, "threshold: 0.5\n")
	ghWrite(t, dir, "params.yaml", strings.Replace(params, "threshold: 0.5\n",
		"threshold: 0.45\n", 1))
	require.NoError(t, r.CommitAll(ctx, "Lower the decision threshold"))
	return dir, base, ghRev(t, dir, "HEAD")
}

func ghRead(t *testing.T, dir, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name))
	require.NoError(t, err)
	return string(data)
}

func ghWrite(t *testing.T, dir, name, data string) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644))
}

// ghGit runs git in dir as the demo's author and returns its output.
func ghGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=Dana Scientist",
		"-c", "user.email=dana@example.com"}, args...)...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "git %v: %s", args, out)
	return strings.TrimSpace(string(out))
}

func ghRev(t *testing.T, dir, rev string) string { return ghGit(t, dir, "rev-parse", rev) }

// ghEnv is the environment of the mlci action's step in a workflow run
// of Codertocat/Hello-World (the webhook examples' repository) against the
// fake: the runner's GITHUB_* variables and the action's INPUT_* ones with
// their defaults, as action.yml declares them.
func ghEnv(t *testing.T, api *githubtest.Server, event, payload string) map[string]string {
	t.Helper()
	files := t.TempDir()
	return map[string]string{
		"GITHUB_ACTIONS":      "true",
		"GITHUB_EVENT_NAME":   event,
		"GITHUB_EVENT_PATH":   payload,
		"GITHUB_REPOSITORY":   "Codertocat/Hello-World",
		"GITHUB_API_URL":      api.URL(),
		"GITHUB_SERVER_URL":   "https://github.example",
		"GITHUB_STEP_SUMMARY": filepath.Join(files, "step_summary"),
		"GITHUB_OUTPUT":       filepath.Join(files, "output"),
		"GITHUB_TOKEN":        githubtest.Token,
		"GITHUB_RUN_ID":       "4242",
		"GITHUB_RUN_ATTEMPT":  "1",
		"GITHUB_WORKFLOW":     "mlci",
		"GITHUB_JOB":          "mlci",
		"GITHUB_ACTOR":        "Codertocat",

		"INPUT_COMMAND":           "ci",
		"INPUT_TOKEN":             githubtest.Token,
		"INPUT_COMMENT":           "true",
		"INPUT_CHECK":             "true",
		"INPUT_PROMOTE":           "true",
		"INPUT_WORKING_DIRECTORY": ".",
		"INPUT_LOG_LEVEL":         "info",
	}
}

// ghRun runs mlci with env as its environment.
func ghRun(env map[string]string, args ...string) (stdout, stderr string, code int) {
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut, func(k string) string { return env[k] })
	return out.String(), errOut.String(), code
}

// ghOutputs reads the outputs a step wrote to GITHUB_OUTPUT, each as
// name<<DELIMITER, the value's lines, DELIMITER.
func ghOutputs(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	out := map[string]string{}
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		name, delim, ok := strings.Cut(lines[i], "<<")
		if !ok {
			continue
		}
		var value []string
		for i++; i < len(lines) && lines[i] != delim; i++ {
			value = append(value, lines[i])
		}
		out[name] = strings.Join(value, "\n")
	}
	return out
}

// ghNoToken fails the test when the token shows in what mlci printed, wrote
// or sent.
func ghNoToken(t *testing.T, api *githubtest.Server, texts map[string]string, dirs ...string) {
	t.Helper()
	for name, text := range texts {
		assert.NotContains(t, text, githubtest.Token, "the token is in %s", name)
	}
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(path)
			if err == nil {
				assert.NotContains(t, string(data), githubtest.Token, "the token is in %s", path)
			}
			return err
		})
		require.NoError(t, err)
	}
	for _, r := range api.Requests() {
		assert.NotContains(t, string(r.Body), githubtest.Token, "the token is in %s %s",
			r.Method, r.Path)
	}
}

// TestCIOnGitHubPullRequest runs `mlci ci` twice for a pull request, as
// the action does on two runs of one workflow run's job: one comment,
// created and then updated; one check run; the job summary and the step
// outputs; every request as GitHub's description has it; and the token
// nowhere.
func TestCIOnGitHubPullRequest(t *testing.T) {
	t.Parallel()
	dir, base, head := ghRepo(t)
	api := githubtest.New(t, githubtest.Options{})
	payload := githubtest.Payload(t, "pull_request.opened.json", func(m map[string]any) {
		pr := githubtest.Object(m, "pull_request")
		githubtest.Object(pr, "base")["sha"] = base
		githubtest.Object(pr, "base")["ref"] = "main"
		githubtest.Object(pr, "head")["sha"] = head
		githubtest.Object(pr, "head")["ref"] = "feature"
		githubtest.Object(m, "repository")["default_branch"] = "main"
	})
	env := ghEnv(t, api, "pull_request", payload)
	env["GITHUB_SHA"], env["GITHUB_REF_NAME"] = head, "2/merge"

	texts := map[string]string{}
	for i := range 2 {
		stdout, stderr, code := ghRun(env, "ci", "--repo", dir)
		require.Equal(t, exit.OK, code, "run %d: %s", i+1, stderr)
		texts["stdout"] += stdout
		texts["stderr"] += stderr
	}

	comments := api.Comments(2)
	require.Len(t, comments, 1, "one comment however often mlci runs")
	assert.Contains(t, comments[0].GetBody(), ghReportMarker)
	assert.Contains(t, comments[0].GetBody(), "evaluate.threshold")
	assert.Equal(t, githubtest.Bot, comments[0].GetUser().GetLogin())
	assert.Equal(t, 1, api.Count(ghCreateComment), "created once")
	assert.Equal(t, 1, api.Count(ghEditComment), "then updated")

	runs := api.CheckRuns()
	require.Len(t, runs, 1)
	assert.Equal(t, head, runs[0].GetHeadSHA())
	assert.Equal(t, "mlci: mlci/mlci", runs[0].GetName())
	assert.Equal(t, "success", runs[0].GetConclusion())
	assert.Equal(t, 1, api.Count(ghCreateCheck))
	assert.Equal(t, 1, api.Count(ghUpdateCheck))

	summary := ghRead(t, filepath.Dir(env["GITHUB_STEP_SUMMARY"]), "step_summary")
	assert.Equal(t, 2, strings.Count(summary, "## ✅ mlci · churn"), "one summary per run")
	outputs := ghOutputs(t, env["GITHUB_OUTPUT"])
	assert.Equal(t, "true", outputs["passed"])
	reports := outputs["report_path"]
	if !filepath.IsAbs(reports) {
		reports = filepath.Join(dir, reports) // the workspace's, for actions/upload-artifact
	}
	assert.True(t, strings.HasPrefix(reports, filepath.Join(dir, ".mlci", "reports")), reports)
	assert.FileExists(t, filepath.Join(dir, ".mlci", "reports", "report.json"))
	_, err := os.Stat(reports)
	assert.NoError(t, err, "report_path names the report files")
	assert.Equal(t, "true", outputs["params_changed"])
	assert.Equal(t, "false", outputs["code_changed"])
	assert.Equal(t, "false", outputs["data_changed"])
	assert.Equal(t, `["evaluate"]`, outputs["stages"])

	texts["summary"] = summary
	texts["outputs"] = ghRead(t, filepath.Dir(env["GITHUB_OUTPUT"]), "output")
	ghNoToken(t, api, texts, filepath.Join(dir, ".mlci"))
}

// TestCIOnGitHubMergePromotes runs `mlci ci` for the push a merge makes to
// the default branch, twice: the model is promoted to staging once, which
// shows as a deployment and as one comment on the merged pull request. Then
// a maintainer promotes it to production with a command in an issue: the
// reply is in the issue, and the pull request hears of it too.
func TestCIOnGitHubMergePromotes(t *testing.T) {
	t.Parallel()
	dir, base, head := ghRepo(t)
	ghGit(t, dir, "checkout", "-q", "main")
	ghGit(t, dir, "merge", "-q", "--no-ff", "-m", "Merge pull request #2 from Codertocat/feature",
		"feature")
	merge := ghRev(t, dir, "HEAD")

	api := githubtest.New(t, githubtest.Options{
		Permissions: map[string]string{"Codertocat": "maintain"},
	})
	merged := gh.Timestamp{Time: time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC)}
	api.AddPull(&gh.PullRequest{
		Number: gh.Int(2), State: gh.String("closed"), MergedAt: &merged,
		MergeCommitSHA: &merge,
		Head:           &gh.PullRequestBranch{Ref: gh.String("feature"), SHA: &head},
		Base:           &gh.PullRequestBranch{Ref: gh.String("main"), SHA: &base},
	})
	payload := githubtest.Payload(t, "push.json", func(m map[string]any) {
		m["ref"], m["before"], m["after"] = "refs/heads/main", base, merge
		githubtest.Object(m, "repository")["default_branch"] = "main"
	})
	env := ghEnv(t, api, "push", payload)
	env["GITHUB_SHA"], env["GITHUB_REF_NAME"] = merge, "main"

	texts := map[string]string{}
	for i := range 2 {
		stdout, stderr, code := ghRun(env, "ci", "--repo", dir)
		require.Equal(t, exit.OK, code, "run %d: %s", i+1, stderr)
		texts["stdout"] += stdout
		texts["stderr"] += stderr
	}

	comments := api.Comments(2)
	require.Len(t, comments, 1, "one comment per promotion, however often mlci runs")
	body := comments[0].GetBody()
	assert.Contains(t, body, "<!-- mlci:promotion model=churn version=")
	assert.Contains(t, body, " stage=staging -->")
	assert.Contains(t, body, "was promoted to `staging`")
	assert.Contains(t, body, "(https://github.example/Codertocat/Hello-World/actions/runs/4242)")
	assert.Equal(t, 1, api.Count(ghCreateComment))

	deps := api.Deployments()
	require.Len(t, deps, 1)
	assert.Equal(t, "staging", deps[0].GetEnvironment())
	assert.Equal(t, merge, deps[0].GetRef())
	outputs := ghOutputs(t, env["GITHUB_OUTPUT"])
	assert.Equal(t, "churn", outputs["model"])
	assert.Contains(t, body, "`"+outputs["version"]+"`")

	texts["outputs"] = ghRead(t, filepath.Dir(env["GITHUB_OUTPUT"]), "output")

	texts["production"] = promoteFromIssue(t, api, dir, merge)
	comments = api.Comments(2)
	require.Len(t, comments, 2, "one comment per promotion")
	assert.Contains(t, comments[1].GetBody(), "was promoted to `production`")
	assert.Contains(t, comments[1].GetBody(), " stage=production -->")
	assert.Len(t, api.Deployments(), 2)
	ghNoToken(t, api, texts, filepath.Join(dir, ".mlci"))
}

// promoteFromIssue runs `mlci ci` for the comment `/mlci promote churn
// production` in issue #1 of the webhook example, and checks the command's
// acknowledgement and reply there. It returns what mlci printed.
func promoteFromIssue(t *testing.T, api *githubtest.Server, dir, head string) string {
	t.Helper()
	var id int64
	payload := githubtest.Payload(t, "issue_comment.created.json", func(m map[string]any) {
		githubtest.Object(m, "comment")["body"] = "/mlci promote churn production"
		githubtest.Object(m, "repository")["default_branch"] = "main"
		id = int64(githubtest.Object(m, "comment")["id"].(float64))
	})
	env := ghEnv(t, api, "issue_comment", payload)
	env["GITHUB_SHA"], env["GITHUB_REF_NAME"] = head, "main"

	stdout, stderr, code := ghRun(env, "ci", "--repo", dir)
	require.Equal(t, exit.OK, code, stderr)
	assert.Equal(t, []string{"eyes"}, api.Reactions(id))
	replies := api.Comments(1)
	require.Len(t, replies, 1)
	assert.Contains(t, replies[0].GetBody(), "was promoted to production")
	return stdout + stderr
}

// TestReportPostFromWorkflowRun posts, as the fork pattern's workflow_run
// workflow does, a report.json another run wrote: it runs nothing, finds
// the pull request from the payload or the API, and posts one comment and
// one check run on the report's commit.
func TestReportPostFromWorkflowRun(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		payload string
		// number is the pull request's; lookups the commit's pull requests
		// listed, as the payload names none for a fork's pull request.
		number, lookups int
	}{
		{"fork", "workflow_run.completed.json", 7, 1},
		{"same repository", "workflow_run.completed.pull_requests.json", 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var head string
			payload := githubtest.Payload(t, tt.payload, func(m map[string]any) {
				run := githubtest.Object(m, "workflow_run")
				run["event"] = "pull_request"
				head = run["head_sha"].(string)
			})
			api := githubtest.New(t, githubtest.Options{})
			api.AddPull(&gh.PullRequest{
				Number: gh.Int(7), State: gh.String("open"),
				Head: &gh.PullRequestBranch{Ref: gh.String("main"), SHA: &head},
			})
			from := ghReportJSON(t, head)
			work := t.TempDir()

			env := ghEnv(t, api, "workflow_run", payload)
			env["INPUT_COMMAND"] = "report --post --from " + from
			env["INPUT_WORKING_DIRECTORY"] = work
			stdout, stderr, code := ghRun(env, "ci")
			require.Equal(t, exit.OK, code, stderr)
			assert.Contains(t, stderr, "posted the report on pull request #")

			comments := api.Comments(tt.number)
			require.Len(t, comments, 1)
			assert.Contains(t, comments[0].GetBody(), ghReportMarker)
			assert.Contains(t, comments[0].GetBody(), "accuracy dropped 0.0312")
			runs := api.CheckRuns()
			require.Len(t, runs, 1)
			assert.Equal(t, head, runs[0].GetHeadSHA())
			assert.Equal(t, "failure", runs[0].GetConclusion())
			assert.Equal(t, tt.lookups, api.Count(ghCommitPulls))
			assert.Contains(t, ghRead(t, filepath.Dir(env["GITHUB_STEP_SUMMARY"]),
				"step_summary"), "accuracy dropped 0.0312")

			entries, err := os.ReadDir(work)
			require.NoError(t, err)
			assert.Empty(t, entries, "posting runs and writes nothing in the repository")
			ghNoToken(t, api, map[string]string{"stdout": stdout, "stderr": stderr})
		})
	}
}

// TestReportPostRefusesAnotherCommit refuses to post a report of a commit
// other than the one the workflow run was of.
func TestReportPostRefusesAnotherCommit(t *testing.T) {
	t.Parallel()
	payload := githubtest.Payload(t, "workflow_run.completed.json", func(m map[string]any) {
		githubtest.Object(m, "workflow_run")["event"] = "pull_request"
	})
	api := githubtest.New(t, githubtest.Options{})
	env := ghEnv(t, api, "workflow_run", payload)

	_, stderr, code := ghRun(env, "report", "--post", "-C", t.TempDir(),
		"--from", ghReportJSON(t, strings.Repeat("ab", 20)))
	assert.Equal(t, exit.Usage, code)
	assert.Contains(t, stderr, "the report is of commit ababab")
	assert.Empty(t, api.Writes())
}

// TestReportPostOnGitLab posts a report.json as a note on the merge
// request of a GitLab pipeline, and its verdict as the commit's status.
func TestReportPostOnGitLab(t *testing.T) {
	t.Parallel()
	const token, head = "glpat-post-TEST-SECRET-0123", "5779607b49aab1200488439f02372c57b4f75444"
	api := gitlabtest.New(t, gitlabtest.Options{Project: "42", Token: token})
	env := map[string]string{
		"GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "merge_request_event",
		"CI_MERGE_REQUEST_IID": "3", "CI_MERGE_REQUEST_PROJECT_ID": "42",
		"CI_MERGE_REQUEST_SOURCE_PROJECT_ID": "42", "CI_PROJECT_ID": "42",
		"CI_PROJECT_PATH": "ml/churn", "CI_COMMIT_SHA": head, "CI_COMMIT_REF_NAME": "feature",
		"CI_DEFAULT_BRANCH": "main", "CI_API_V4_URL": api.URL(), "MLCI_GITLAB_TOKEN": token,
	}

	stdout, stderr, code := ghRun(env, "report", "--post", "-C", t.TempDir(),
		"--from", ghReportJSON(t, head))
	require.Equal(t, exit.OK, code, stderr)
	notes := api.Notes(3)
	require.Len(t, notes, 1)
	assert.Contains(t, notes[0].Body, ghReportMarker)
	statuses := api.Statuses()
	require.Len(t, statuses, 1)
	assert.Equal(t, head, statuses[0].SHA)
	assert.Equal(t, "failed", statuses[0].Status)
	assert.NotContains(t, stdout+stderr, token)
}

// ghReportJSON writes the report.json of a failed pull-request run of the
// workflow mlci and job mlci on commit, as the fork's run uploads it.
func ghReportJSON(t *testing.T, commit string) string {
	t.Helper()
	acc, base := 0.8319, 0.8631
	d := &report.Data{
		Version: "0.3.0", Key: "mlci/mlci", Project: "churn",
		Candidate: report.Candidate{Commit: commit, Ref: "feature"},
		Baseline:  report.Baseline{Kind: report.BaselineCommit, Ref: "main"},
		Verdict:   report.Verdict{State: report.Failed, Headline: "accuracy dropped 0.0312"},
		Models: []report.Model{{Name: "churn", Metrics: []report.Metric{
			{Key: "accuracy", Base: &base, Head: &acc}}}},
		Gates: []report.Gate{{Model: "churn", Metric: "accuracy", Rule: "no drop over 0.02",
			Base: &base, Head: &acc, Severity: "error"}},
	}
	data, err := report.Render(report.JSON, d, report.Options{})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "mlci-report", "report.json")
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, data, 0o644))
	return path
}
