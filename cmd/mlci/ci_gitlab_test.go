package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/mlci-dev/mlci/internal/demo"
	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/platform/gitlab"
	"github.com/mlci-dev/mlci/internal/platform/gitlab/gitlabtest"
	"github.com/mlci-dev/mlci/internal/report"
)

const (
	glProject  = "42"
	glMR       = 3
	glToken    = "glpat-CI-TEST-SECRET-9876543210"
	glJobToken = "glcbt-JOB-TEST-SECRET-0123456789"
	glURL      = "https://gitlab.example.com/ml/churn"
	glJobURL   = glURL + "/-/jobs/901"
)

// TestCIGitLabMergeRequest runs `mlci ci` twice in a merge-request
// pipeline of the example project whose params changed: the first run posts
// the report note and the commit status, the second updates the same note,
// and both write GitLab's JUnit, dotenv and metrics reports.
func TestCIGitLabMergeRequest(t *testing.T) {
	t.Parallel()
	api := gitlabtest.New(t, gitlabtest.Options{Project: glProject, Token: glToken, PageSize: 2})
	api.AddNote(glMR, "reviewer", "Could we try a lower threshold?", false)
	api.AddNote(glMR, "reviewer", "added 1 commit", true)
	api.AddNote(glMR, "maintainer", "Let's see what the gates say.", false)
	dir, base, head := mergeRequestRepo(t, "params.yaml",
		"threshold: 0.5", "threshold: 0.45")
	env := gitLabEnv(api, base, head)
	env["MLCI_GITLAB_TOKEN"] = glToken

	var notes []string
	for run := 1; run <= 2; run++ {
		stdout, stderr, code := mlciEnv(t, env, "ci", "--repo", dir)
		require.Equal(t, exit.OK, code, "run %d:\n%s", run, stderr)
		assert.NotContains(t, stdout+stderr, glToken, "the token is never printed")

		ours := reportNotes(t, api)
		require.Len(t, ours, 1, "run %d: one report note", run)
		notes = append(notes, ours[0].Body)
		assert.Contains(t, ours[0].Body, "churn may be promoted")
		assertGitLabReports(t, dir, "success", ours[0].ID)
	}
	assert.Equal(t, 1, countWrites(api, "POST", "/notes"), "created once")
	assert.Equal(t, 1, countWrites(api, "PUT", "/notes/"), "then updated")
	assert.Len(t, api.Notes(glMR), 4, "the others' notes are left alone")
	key1, _ := report.FindMarker(notes[0])
	key2, _ := report.FindMarker(notes[1])
	assert.NotEmpty(t, key1)
	assert.Equal(t, key1, key2, "both runs carry the same report marker")

	statuses := api.Statuses()
	require.Len(t, statuses, 1, "one commit status")
	assert.Equal(t, gitlab.StatusName, statuses[0].Name)
	assert.Equal(t, head, statuses[0].SHA)
	assert.Equal(t, "success", statuses[0].Status)
	assert.Equal(t, glJobURL, statuses[0].TargetURL)
	assert.EqualValues(t, 5501, statuses[0].PipelineID)
	assert.Equal(t, 2, countWrites(api, "POST", "/statuses/"),
		"set, then found already in its state")
}

// TestCIGitLabJobTokenOnly runs `mlci ci` in a merge-request pipeline that
// has only CI_JOB_TOKEN: no request reaches the API, one warning says which
// token to create, and the report files are written all the same.
func TestCIGitLabJobTokenOnly(t *testing.T) {
	t.Parallel()
	api := gitlabtest.New(t, gitlabtest.Options{Project: glProject, Token: glToken})
	dir, base, head := mergeRequestRepo(t, "README.md",
		"# Customer churn: example ML project", "# Customer churn: an example ML project")
	env := gitLabEnv(api, base, head)
	env["CI_JOB_TOKEN"] = glJobToken

	stdout, stderr, code := mlciEnv(t, env, "ci", "--repo", dir)

	require.Equal(t, exit.OK, code, stderr)
	assert.Empty(t, api.Requests(), "no API request with only the job token")
	assert.Equal(t, 1, strings.Count(stderr, "CI_JOB_TOKEN cannot write"), stderr)
	assert.Contains(t, stderr, "MLCI_GITLAB_TOKEN")
	assert.NotContains(t, stdout+stderr, glJobToken, "the job token is never printed")
	assertGitLabReports(t, dir, "neutral", 0)
}

// TestCIGitLabMergePromotes runs `mlci ci` twice in the branch pipeline a
// merge starts on the default branch: the model is promoted to staging
// once, which shows as one deployment and as one note on the merged merge
// request, however often the pipeline runs. Then the manual production job
// promotes it further. Tags and run records reach the project's repository
// with the API token, as the job token may not push.
func TestCIGitLabMergePromotes(t *testing.T) {
	t.Parallel()
	dir, base, head := mergeRequestRepo(t, "params.yaml",
		"threshold: 0.5", "threshold: 0.45")
	for _, args := range [][]string{
		{"checkout", "-q", "main"},
		{"merge", "-q", "--no-ff", "-m", "Merge branch 'tune-threshold' into 'main'",
			"tune-threshold"},
	} {
		cmd := exec.CommandContext(t.Context(), "git", args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
	}
	merge := gitRev(t, dir)

	// The project's repository, which the job token may read but not push
	// to; mlci pushes the registry's tags and the run records with the API
	// token.
	root := t.TempDir()
	bare := filepath.Join(root, "ml", "churn.git")
	server := gitlabtest.GitServer(t, root, glToken)
	jobURL := strings.Replace(server, "http://", "http://gitlab-ci-token:"+glJobToken+"@", 1) +
		"/ml/churn.git"
	for _, args := range [][]string{
		{"init", "--quiet", "--bare", bare},
		{"-C", bare, "config", "http.receivepack", "true"},
		{"-C", dir, "push", "--quiet", bare, "main"},
		{"-C", dir, "remote", "add", "origin", jobURL},
	} {
		out, err := exec.CommandContext(t.Context(), "git", args...).CombinedOutput()
		require.NoError(t, err, string(out))
	}

	api := gitlabtest.New(t, gitlabtest.Options{Project: glProject, Token: glToken})
	api.AddMergeRequest(glMR, "merged", head, merge)
	api.AddMergeRequest(glMR+1, "opened", merge, "") // based on main after the merge
	env := gitLabEnv(api, base, merge)
	for _, k := range []string{"CI_MERGE_REQUEST_IID", "CI_MERGE_REQUEST_DIFF_BASE_SHA",
		"CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
		"CI_MERGE_REQUEST_PROJECT_ID", "CI_MERGE_REQUEST_SOURCE_PROJECT_ID",
		"CI_MERGE_REQUEST_PROJECT_URL"} {
		delete(env, k)
	}
	env["CI_PIPELINE_SOURCE"], env["CI_COMMIT_BEFORE_SHA"] = "push", base
	env["CI_COMMIT_REF_NAME"], env["CI_COMMIT_BRANCH"] = "main", "main"
	env["CI_PROJECT_URL"], env["MLCI_GITLAB_TOKEN"] = glURL, glToken
	env["CI_REPOSITORY_URL"], env["CI_JOB_TOKEN"] = jobURL, glJobToken

	for run := 1; run <= 2; run++ {
		stdout, stderr, code := mlciEnv(t, env, "ci", "--repo", dir)
		require.Equal(t, exit.OK, code, "run %d:\n%s", run, stderr)
		assert.NotContains(t, stdout+stderr, glToken, "the token is never printed")
		assert.NotContains(t, stdout+stderr, glJobToken, "the job token is never printed")
	}

	// The manual production job: `mlci promote --push` with the job's
	// approver, pushing with the API token too.
	env["MLCI_APPROVED_BY"] = "ada"
	stdout, stderr, code := mlciEnv(t, env, "promote", "--push", "--repo", dir, "churn",
		"production")
	require.Equal(t, exit.OK, code, stdout+stderr)
	assert.NotContains(t, stdout+stderr, glToken, "the token is never printed")

	out, err := exec.CommandContext(t.Context(), "git", "-C", bare, "for-each-ref",
		"--format=%(refname)", "refs/tags", "refs/notes").Output()
	require.NoError(t, err)
	assert.Equal(t, "refs/notes/mlci\nrefs/tags/churn#production#2\nrefs/tags/churn#staging#1\n"+
		"refs/tags/churn@v0.1.0\n", string(out),
		"the registry and the run records reached the project")

	notes := api.Notes(glMR)
	require.Len(t, notes, 1, "one note per promotion, however often mlci runs")
	assert.Equal(t, gitlabtest.Username, notes[0].Author.Username)
	assert.Contains(t, notes[0].Body, "<!-- mlci:promotion model=churn version=")
	assert.Contains(t, notes[0].Body, " stage=staging -->")
	assert.Contains(t, notes[0].Body, "was promoted to `staging`")
	assert.Contains(t, notes[0].Body, "("+glURL+"/-/pipelines/5501)")
	assert.Empty(t, api.Notes(glMR+1), "the open merge request is not told")
	assert.Equal(t, 1, countWrites(api, "POST", "/notes"), "created once")

	deployments := api.Deployments()
	require.Len(t, deployments, 1, "staging, once")
	assert.Equal(t, "staging", deployments[0].Environment.Name)
	assert.Equal(t, merge, deployments[0].SHA)
	assert.Equal(t, "main", deployments[0].Ref)

	statuses := api.Statuses()
	require.Len(t, statuses, 1)
	assert.Equal(t, merge, statuses[0].SHA)

	vars := readDotenv(t, filepath.Join(dir, gitlab.DotenvPath))
	assert.LessOrEqual(t, len(vars), gitlab.MaxDotenvVars)
	assert.Equal(t, "unchanged", vars["MLCI_OUTCOME"], "the second run finds it in staging")
	assert.Equal(t, "churn", vars["MLCI_MODEL"])
	assert.Regexp(t, `^v\d+\.\d+\.\d+$`, vars["MLCI_VERSION"])
	assert.Contains(t, notes[0].Body, "`"+vars["MLCI_VERSION"]+"`")
	assert.Equal(t, `["params"]`, vars["MLCI_CHANGED"])
	assert.Equal(t, "success", vars["MLCI_STATE"])
}

// mergeRequestRepo makes the example project's repository with a branch
// that changes one line of file, and returns it with the merge base and the
// branch's head.
func mergeRequestRepo(t *testing.T, file, old, new string) (dir, base, head string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "repo")
	r, err := demo.Create(t.Context(), dir)
	require.NoError(t, err)
	base = gitRev(t, dir)

	require.NoError(t, r.Branch(t.Context(), "tune-threshold"))
	path := filepath.Join(dir, file)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(data), old)
	changed := strings.Replace(string(data), old, new, 1)
	require.NoError(t, os.WriteFile(path, []byte(changed), 0o644))
	require.NoError(t, r.CommitAll(t.Context(), "Change "+file))
	return dir, base, gitRev(t, dir)
}

func gitRev(t *testing.T, dir string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "git", "rev-parse", "HEAD")
	cmd.Dir = dir
	out, err := cmd.Output()
	require.NoError(t, err)
	return strings.TrimSpace(string(out))
}

// gitLabEnv is a merge-request pipeline's predefined variables, with the
// API at api and no token yet.
func gitLabEnv(api *gitlabtest.Server, base, head string) map[string]string {
	return map[string]string{
		"GITLAB_CI":                           "true",
		"CI_PIPELINE_SOURCE":                  "merge_request_event",
		"CI_MERGE_REQUEST_IID":                strconv.Itoa(glMR),
		"CI_MERGE_REQUEST_DIFF_BASE_SHA":      base,
		"CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
		"CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "tune-threshold",
		"CI_MERGE_REQUEST_PROJECT_ID":         glProject,
		"CI_MERGE_REQUEST_SOURCE_PROJECT_ID":  glProject,
		"CI_MERGE_REQUEST_PROJECT_URL":        glURL,
		"CI_COMMIT_SHA":                       head,
		"CI_COMMIT_REF_NAME":                  "tune-threshold",
		"CI_DEFAULT_BRANCH":                   "main",
		"CI_PROJECT_ID":                       glProject,
		"CI_PROJECT_PATH":                     "ml/churn",
		"CI_PIPELINE_ID":                      "5501",
		"CI_PIPELINE_URL":                     glURL + "/-/pipelines/5501",
		"CI_JOB_URL":                          glJobURL,
		"CI_JOB_NAME":                         "mlci-merge-request",
		"CI_API_V4_URL":                       api.URL(),
	}
}

// mlciEnv runs mlci with env as its whole environment.
func mlciEnv(t *testing.T, env map[string]string, args ...string) (stdout, stderr string,
	code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut, func(k string) string { return env[k] })
	return out.String(), errOut.String(), code
}

// reportNotes are the merge request's notes that carry a report marker.
func reportNotes(t *testing.T, api *gitlabtest.Server) []gl.Note {
	t.Helper()
	var out []gl.Note
	for _, n := range api.Notes(glMR) {
		if _, ok := report.FindMarker(n.Body); ok {
			assert.Equal(t, gitlabtest.Username, n.Author.Username)
			out = append(out, n)
		}
	}
	return out
}

// countWrites counts the requests of method whose path holds part.
func countWrites(api *gitlabtest.Server, method, part string) int {
	n := 0
	for _, r := range api.Writes() {
		if r.Method == method && strings.Contains(r.Path, part) {
			n++
		}
	}
	return n
}

// assertGitLabReports checks the three files GitLab reads from the job's
// artefacts: gates.xml (JUnit), mlci.env (dotenv) and metrics.txt
// (OpenMetrics). note is the report note's ID, 0 when none was posted.
func assertGitLabReports(t *testing.T, dir, state string, note int64) {
	t.Helper()
	assertJUnit(t, filepath.Join(dir, gitlab.JUnitPath))

	env := readDotenv(t, filepath.Join(dir, gitlab.DotenvPath))
	assert.Equal(t, state, env["MLCI_STATE"])
	assert.Equal(t, strconv.FormatBool(state != "failure"), env["MLCI_PASSED"])
	if note != 0 {
		assert.Equal(t, glURL+"/-/merge_requests/"+strconv.Itoa(glMR)+
			"#note_"+strconv.FormatInt(note, 10), env["MLCI_REPORT_URL"])
	} else {
		assert.NotContains(t, env, "MLCI_REPORT_URL")
	}

	assertMetrics(t, dir, state != "neutral")
}

// assertJUnit checks that path is JUnit XML with a suite for the churn
// model whose gates all passed.
func assertJUnit(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var doc struct {
		XMLName  xml.Name `xml:"testsuites"`
		Tests    int      `xml:"tests,attr"`
		Failures int      `xml:"failures,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal(data, &doc), "%s is XML", path)
	require.NotEmpty(t, doc.Suites)
	assert.Equal(t, "model churn", doc.Suites[0].Name)
	assert.Positive(t, doc.Tests)
	assert.Zero(t, doc.Failures)
	var names []string
	for _, c := range doc.Suites[0].Cases {
		names = append(names, c.Name)
		assert.Nil(t, c.Failure, c.Name)
	}
	assert.Contains(t, strings.Join(names, "\n"), "accuracy")
}

// dotenvLine is one variable as GitLab's dotenv report reads it.
var dotenvLine = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)=([^\r\n]*)$`)

// readDotenv reads a dotenv report, checking it against GitLab's limits.
func readDotenv(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.LessOrEqual(t, len(data), gitlab.MaxDotenvBytes)

	vars := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		m := dotenvLine.FindStringSubmatch(sc.Text())
		require.NotNil(t, m, "%s: %q is not KEY=value", path, sc.Text())
		assert.True(t, strings.HasPrefix(m[1], gitlab.OutputPrefix), m[1])
		vars[m[1]] = m[2]
	}
	assert.LessOrEqual(t, len(vars), gitlab.MaxDotenvVars)
	return vars
}

// metricLine is an OpenMetrics sample without a timestamp.
var metricLine = regexp.MustCompile(
	`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"` +
		`(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*")*\})? (\S+)$`)

// assertMetrics checks that metrics.txt holds each number of the work
// tree's eval/metrics.json, labelled with the model and the file, and, when
// the model was served, the serving check's figures.
func assertMetrics(t *testing.T, dir string, served bool) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, gitlab.MetricsPath))
	require.NoError(t, err)
	got := map[string]float64{}
	for line := range strings.Lines(string(data)) {
		m := metricLine.FindStringSubmatch(strings.TrimSuffix(line, "\n"))
		require.NotNil(t, m, "%q is not an OpenMetrics sample", line)
		v, err := strconv.ParseFloat(m[3], 64)
		require.NoError(t, err)
		got[m[1]+m[2]] = v
	}

	raw, err := os.ReadFile(filepath.Join(dir, "eval", "metrics.json"))
	require.NoError(t, err)
	var want map[string]float64
	require.NoError(t, json.Unmarshal(raw, &want))
	require.NotEmpty(t, want)
	for k, v := range want {
		assert.InDelta(t, v, got[k+`{file="eval/metrics.json",model="churn"}`], 1e-12, k)
	}

	// The serving check's figures follow, under names fixed once.
	serving := 0
	for k, v := range got {
		if strings.HasSuffix(k, `{file="serve-check",model="churn"}`) {
			serving++
			assert.True(t, strings.HasPrefix(k, "serve_"), k)
			assert.GreaterOrEqual(t, v, 0.0, k)
		}
	}
	if served {
		assert.Positive(t, got[`serve_latency_p99_ms{file="serve-check",model="churn"}`])
		assert.Positive(t, got[`serve_requests{file="serve-check",model="churn"}`])
	} else {
		assert.Zero(t, serving, "nothing was served")
	}
	assert.Len(t, got, len(want)+serving)
}
