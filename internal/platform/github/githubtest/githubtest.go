// Package githubtest is a fake GitHub REST API for tests that drive the
// github platform from outside its package, such as `mlci ci` and
// `mlci report --post` in a workflow run. It checks every request against
// GitHub's REST API description (the extract in ../testdata/openapi), keeps
// the state the platform writes (pull-request comments over several pages,
// check runs, commit statuses, deployments), decodes request bodies into
// go-github's types and answers in them, and fails the test on a request the
// description does not hold, that leaves the base path, or that no route
// serves. It also hands out the webhook payloads of ../testdata/webhooks.
//
// It holds no client code and no failure injection; the github package's own
// tests keep a fuller fake for retries, rate limits and comment commands.
package githubtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v60/github"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/platform/github/apispec"
)

// Token is the token the fake accepts unless Options name another; a test
// checks that it never shows in what mlci prints or posts.
const Token = "ghs_githubtestTokenThatMustNeverBePrinted42"

// BasePath is the path the fake serves the API under, as GitHub Enterprise
// Server does, so that a request built without the base URL fails.
const BasePath = "/api/v3"

// Bot is the account that posts for a token GET /user does not describe,
// such as the workflow's GITHUB_TOKEN.
const Bot = "github-actions[bot]"

// commentLimit is the most characters GitHub takes in a comment's body.
const commentLimit = 65536

// Options describe the fake's repository and token.
type Options struct {
	// Owner and Repo name the repository every path must name;
	// Codertocat/Hello-World, the webhook examples' repository, when empty.
	Owner, Repo string
	// Token is the bearer token every request must carry; Token when empty.
	Token string
	// Login is the account GET /user answers with; empty answers 403, as
	// GitHub does for an app's token, and comments are then the bot's.
	Login string
	// PageSize bounds a page whatever per_page asks, so that a few items
	// span pages; 100 when zero.
	PageSize int
	// Permissions are collaborators' permissions by login (admin,
	// maintain, write, triage or read); anyone else is no collaborator.
	Permissions map[string]string
}

// Request is a request the fake served.
type Request struct {
	// Method and Path (below BasePath) are the request's; Op is its
	// operation in the description, "METHOD /template".
	Method, Path, Op string
	Body             []byte
}

// Server is a fake GitHub API for one repository.
type Server struct {
	t    testing.TB
	opts Options
	spec *apispec.Spec
	srv  *httptest.Server
	mux  *http.ServeMux

	mu          sync.Mutex
	requests    []Request
	nextID      int64
	clock       time.Time
	pulls       []*github.PullRequest
	comments    []comment
	checkRuns   []*github.CheckRun
	statuses    []*github.RepoStatus
	deployments []*github.Deployment
	depStatuses []*github.DeploymentStatus
	reactions   map[int64][]string // contents by comment id
}

// comment is a comment with the number of the issue it is on.
type comment struct {
	issue int
	c     *github.IssueComment
}

// New starts a fake API for t; it stops when t ends.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.Owner == "" || opts.Repo == "" {
		opts.Owner, opts.Repo = "Codertocat", "Hello-World"
	}
	if opts.Token == "" {
		opts.Token = Token
	}
	if opts.PageSize == 0 {
		opts.PageSize = 100
	}
	s := &Server{
		t: t, opts: opts, spec: Spec(t), mux: http.NewServeMux(), nextID: 5000,
		clock:     time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC),
		reactions: map[int64][]string{},
	}
	s.routes()
	s.srv = httptest.NewServer(s)
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the API's root, as GITHUB_API_URL gives it.
func (s *Server) URL() string { return s.srv.URL + BasePath }

var (
	specOnce sync.Once
	spec     *apispec.Spec
	specErr  error
)

// Spec returns the extract of GitHub's REST API description the fake
// checks requests against.
func Spec(t testing.TB) *apispec.Spec {
	t.Helper()
	specOnce.Do(func() {
		spec, specErr = apispec.Load(filepath.Join(testdata(), "openapi", "operations.json"))
	})
	require.NoError(t, specErr)
	return spec
}

// testdata is the github package's testdata folder, found from this file
// so that tests in any package read the same copies.
func testdata() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata")
}

// Payload writes a copy of the webhook example name (such as
// "pull_request.opened.json") changed by edit, which may be nil, into a
// temporary folder and returns its path, for GITHUB_EVENT_PATH. The change
// is the test's, in plain view.
func Payload(t testing.TB, name string, edit func(payload map[string]any)) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testdata(), "webhooks", name))
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(data, &m))
	if edit != nil {
		edit(m)
	}
	out, err := json.MarshalIndent(m, "", "  ")
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, out, 0o644))
	return path
}

// Object walks the nested objects of a decoded payload.
func Object(m map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		m = m[k].(map[string]any)
	}
	return m
}

// AddPull adds a pull request, which GET …/pulls/{number} answers and GET
// …/commits/{sha}/pulls lists for its head and merge commits.
func (s *Server) AddPull(pr *github.PullRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pulls = append(s.pulls, pr)
}

// AddComment adds a comment by someone else on issue or pull request
// number; typ is "User" or "Bot".
func (s *Server) AddComment(number int, login, typ, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addComment(number, &github.User{Login: &login, Type: &typ}, body)
}

// Comments returns copies of the comments on issue or pull request number,
// oldest first.
func (s *Server) Comments(number int) []github.IssueComment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []github.IssueComment
	for _, c := range s.comments {
		if c.issue == number {
			out = append(out, *c.c)
		}
	}
	return out
}

// CheckRuns returns copies of the check runs, oldest first.
func (s *Server) CheckRuns() []github.CheckRun {
	return copies(s, func() []*github.CheckRun { return s.checkRuns })
}

// Statuses returns copies of the commit statuses, oldest first.
func (s *Server) Statuses() []github.RepoStatus {
	return copies(s, func() []*github.RepoStatus { return s.statuses })
}

// Deployments returns copies of the deployments, oldest first.
func (s *Server) Deployments() []github.Deployment {
	return copies(s, func() []*github.Deployment { return s.deployments })
}

// DeploymentStatuses returns copies of the deployments' statuses, oldest first.
func (s *Server) DeploymentStatuses() []github.DeploymentStatus {
	return copies(s, func() []*github.DeploymentStatus { return s.depStatuses })
}

// copies copies the items list returns, under the lock.
func copies[T any](s *Server, list func() []*T) []T {
	s.mu.Lock()
	defer s.mu.Unlock()
	items := list()
	out := make([]T, 0, len(items))
	for _, it := range items {
		out = append(out, *it)
	}
	return out
}

// Reactions returns the reactions put on comment id, such as "eyes".
func (s *Server) Reactions(id int64) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.reactions[id])
}

// Requests are the requests served, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Writes are the requests served that were not reads.
func (s *Server) Writes() []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Method != http.MethodGet {
			out = append(out, r)
		}
	}
	return out
}

// Count returns how many requests of an operation ("METHOD /template")
// the fake served.
func (s *Server) Count(op string) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Op == op {
			n++
		}
	}
	return n
}

// ServeHTTP checks a request against the description and the token,
// records it and routes it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, BasePath+"/")
	path := "/" + rest
	if !ok {
		s.t.Errorf("githubtest: request outside %s: %s %s", BasePath, r.Method, r.URL.Path)
		http.NotFound(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s.t.Errorf("githubtest: reading %s %s: %v", r.Method, path, err)
		return
	}
	op, err := s.spec.Check(r.Method, path, r.URL.Query(), body)
	if err != nil {
		s.t.Errorf("githubtest: %v", err)
		s.reply(w, http.StatusNotFound, apiError("Not Found"))
		return
	}
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: path, Op: op, Body: body})
	s.mu.Unlock()

	if r.Header.Get("Authorization") != "Bearer "+s.opts.Token {
		s.reply(w, http.StatusUnauthorized, apiError("Bad credentials"))
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	s.mux.ServeHTTP(w, r)
}

func (s *Server) routes() {
	const repo = BasePath + "/repos/{owner}/{repo}"
	s.handle("GET "+BasePath+"/user", s.user)
	s.handle("GET "+repo+"/issues/{number}/comments", s.listComments)
	s.handle("POST "+repo+"/issues/{number}/comments", s.createComment)
	s.handle("PATCH "+repo+"/issues/comments/{id}", s.editComment)
	s.handle("POST "+repo+"/issues/comments/{id}/reactions", s.react)
	s.handle("GET "+repo+"/collaborators/{login}/permission", s.permission)
	s.handle("GET "+repo+"/commits/{ref}/check-runs", s.listCheckRuns)
	s.handle("POST "+repo+"/check-runs", s.createCheckRun)
	s.handle("PATCH "+repo+"/check-runs/{id}", s.updateCheckRun)
	s.handle("POST "+repo+"/statuses/{sha}", s.createStatus)
	s.handle("GET "+repo+"/deployments", s.listDeployments)
	s.handle("POST "+repo+"/deployments", s.createDeployment)
	s.handle("POST "+repo+"/deployments/{id}/statuses", s.createDeploymentStatus)
	s.handle("GET "+repo+"/pulls/{number}", s.getPull)
	s.handle("GET "+repo+"/commits/{sha}/pulls", s.pullsOfCommit)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.t.Errorf("githubtest: no route serves %s %s", r.Method, r.URL.Path)
		s.reply(w, http.StatusNotFound, apiError("Not Found"))
	})
}

// handle serves a route under the lock, after checking that the path names
// the fake's repository.
func (s *Server) handle(pattern string, h http.HandlerFunc) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		owner, repo := r.PathValue("owner"), r.PathValue("repo")
		if owner != "" && (owner != s.opts.Owner || repo != s.opts.Repo) {
			s.reply(w, http.StatusNotFound, apiError("Not Found"))
			return
		}
		h(w, r)
	})
}

func (s *Server) reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		s.t.Errorf("githubtest: encoding an answer: %v", err)
	}
}

func apiError(msg string) map[string]any {
	return map[string]any{"message": msg, "documentation_url": "https://docs.github.com/rest"}
}

// decode reads a request body into one of go-github's types; one that
// does not decode is a 400, as GitHub answers it.
func decode[T any](s *Server, w http.ResponseWriter, r *http.Request) (T, bool) {
	var v T
	if err := json.NewDecoder(r.Body).Decode(&v); err != nil {
		s.t.Errorf("githubtest: %s %s: decoding the body: %v", r.Method, r.URL.Path, err)
		s.reply(w, http.StatusBadRequest, apiError("Problems parsing JSON"))
		return v, false
	}
	return v, true
}

func (s *Server) id() int64 {
	s.nextID++
	return s.nextID
}

// now is the fake's clock, a second further at each call.
func (s *Server) now() *github.Timestamp {
	s.clock = s.clock.Add(time.Second)
	return &github.Timestamp{Time: s.clock}
}

// page answers one page of items with GitHub's Link header to the next.
func page[T any](s *Server, w http.ResponseWriter, r *http.Request, items []T) {
	q := r.URL.Query()
	per, err := strconv.Atoi(q.Get("per_page"))
	if err != nil || per <= 0 {
		per = 30
	}
	per = min(per, s.opts.PageSize)
	n, _ := strconv.Atoi(q.Get("page"))
	n = max(n, 1)
	from, to := min((n-1)*per, len(items)), min(n*per, len(items))
	if to < len(items) {
		next := url.URL{Path: r.URL.Path}
		q.Set("page", strconv.Itoa(n+1))
		next.RawQuery = q.Encode()
		w.Header().Set("Link", fmt.Sprintf("<%s%s>; rel=\"next\"", s.srv.URL, next.String()))
	}
	s.reply(w, http.StatusOK, append([]T{}, items[from:to]...))
}

func number(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(r.PathValue(name), 10, 64)
	return n
}

// user answers GET /user.
func (s *Server) user(w http.ResponseWriter, _ *http.Request) {
	if s.opts.Login == "" {
		s.reply(w, http.StatusForbidden, apiError("Resource not accessible by integration"))
		return
	}
	s.reply(w, http.StatusOK, s.poster())
}

// poster is the account the token posts as.
func (s *Server) poster() *github.User {
	if s.opts.Login != "" {
		return &github.User{Login: github.String(s.opts.Login), Type: github.String("User")}
	}
	return &github.User{Login: github.String(Bot), Type: github.String("Bot")}
}

func (s *Server) addComment(issue int, user *github.User, body string) *github.IssueComment {
	id := s.id()
	c := &github.IssueComment{
		ID: &id, Body: &body, User: user, CreatedAt: s.now(),
		HTMLURL: github.String(fmt.Sprintf("https://github.example/%s/%s/pull/%d#issuecomment-%d",
			s.opts.Owner, s.opts.Repo, issue, id)),
	}
	c.UpdatedAt = c.CreatedAt
	s.comments = append(s.comments, comment{issue: issue, c: c})
	return c
}

// listComments answers GET /repos/{owner}/{repo}/issues/{issue_number}/comments.
func (s *Server) listComments(w http.ResponseWriter, r *http.Request) {
	var on []*github.IssueComment
	for _, c := range s.comments {
		if int64(c.issue) == number(r, "number") {
			on = append(on, c.c)
		}
	}
	page(s, w, r, on)
}

// createComment answers POST /repos/{owner}/{repo}/issues/{issue_number}/comments.
func (s *Server) createComment(w http.ResponseWriter, r *http.Request) {
	in, ok := decode[github.IssueComment](s, w, r)
	if !ok || !s.validBody(w, in.Body) {
		return
	}
	s.reply(w, http.StatusCreated, s.addComment(int(number(r, "number")), s.poster(), *in.Body))
}

// editComment answers PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}.
func (s *Server) editComment(w http.ResponseWriter, r *http.Request) {
	in, ok := decode[github.IssueComment](s, w, r)
	if !ok || !s.validBody(w, in.Body) {
		return
	}
	for _, c := range s.comments {
		if c.c.GetID() == number(r, "id") {
			c.c.Body, c.c.UpdatedAt = in.Body, s.now()
			s.reply(w, http.StatusOK, c.c)
			return
		}
	}
	s.reply(w, http.StatusNotFound, apiError("Not Found"))
}

func (s *Server) validBody(w http.ResponseWriter, body *string) bool {
	switch {
	case body == nil || *body == "":
		s.reply(w, http.StatusUnprocessableEntity, apiError("Validation Failed: body is missing"))
		return false
	case len([]rune(*body)) > commentLimit:
		s.t.Errorf("githubtest: a comment of %d characters, over GitHub's %d",
			len([]rune(*body)), commentLimit)
		s.reply(w, http.StatusUnprocessableEntity, apiError("Validation Failed: body is too long"))
		return false
	}
	return true
}

// react answers
// POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions; the
// same reaction twice answers 200, as GitHub does, and is kept once.
func (s *Server) react(w http.ResponseWriter, r *http.Request) {
	in, ok := decode[github.Reaction](s, w, r)
	if !ok {
		return
	}
	id := number(r, "id")
	status := http.StatusCreated
	if slices.Contains(s.reactions[id], in.GetContent()) {
		status = http.StatusOK
	} else {
		s.reactions[id] = append(s.reactions[id], in.GetContent())
	}
	s.reply(w, status, &github.Reaction{
		ID: github.Int64(s.id()), Content: in.Content, User: s.poster(),
	})
}

// permission answers
// GET /repos/{owner}/{repo}/collaborators/{username}/permission, with the
// role's name and the older field that folds maintain into write and
// triage into read.
func (s *Server) permission(w http.ResponseWriter, r *http.Request) {
	login := r.PathValue("login")
	role, ok := s.opts.Permissions[login]
	if !ok {
		s.reply(w, http.StatusNotFound, apiError("Not Found"))
		return
	}
	legacy := map[string]string{"maintain": "write", "triage": "read"}[role]
	if legacy == "" {
		legacy = role
	}
	s.reply(w, http.StatusOK, map[string]any{
		"permission": legacy, "role_name": role,
		"user": &github.User{Login: &login, Type: github.String("User")},
	})
}

// listCheckRuns answers GET /repos/{owner}/{repo}/commits/{ref}/check-runs.
func (s *Server) listCheckRuns(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("check_name")
	var runs []*github.CheckRun
	for _, cr := range s.checkRuns {
		if cr.GetHeadSHA() == r.PathValue("ref") && (name == "" || cr.GetName() == name) {
			runs = append(runs, cr)
		}
	}
	s.reply(w, http.StatusOK, github.ListCheckRunsResults{
		Total: github.Int(len(runs)), CheckRuns: append([]*github.CheckRun{}, runs...),
	})
}

// createCheckRun answers POST /repos/{owner}/{repo}/check-runs.
func (s *Server) createCheckRun(w http.ResponseWriter, r *http.Request) {
	in, ok := decode[github.CreateCheckRunOptions](s, w, r)
	if !ok {
		return
	}
	cr := &github.CheckRun{
		ID: github.Int64(s.id()), Name: &in.Name, HeadSHA: &in.HeadSHA,
		ExternalID: in.ExternalID, DetailsURL: in.DetailsURL, StartedAt: s.now(),
		Status: github.String("queued"),
		Output: &github.CheckRunOutput{AnnotationsCount: github.Int(0)},
	}
	updateCheck(cr, in.Status, in.Conclusion, in.Output)
	s.checkRuns = append(s.checkRuns, cr)
	s.reply(w, http.StatusCreated, cr)
}

// updateCheckRun answers PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}.
func (s *Server) updateCheckRun(w http.ResponseWriter, r *http.Request) {
	in, ok := decode[github.UpdateCheckRunOptions](s, w, r)
	if !ok {
		return
	}
	for _, cr := range s.checkRuns {
		if cr.GetID() == number(r, "id") {
			if in.DetailsURL != nil {
				cr.DetailsURL = in.DetailsURL
			}
			updateCheck(cr, in.Status, in.Conclusion, in.Output)
			s.reply(w, http.StatusOK, cr)
			return
		}
	}
	s.reply(w, http.StatusNotFound, apiError("Not Found"))
}

// updateCheck applies a request's status, conclusion and output, appending
// its annotations as GitHub does.
func updateCheck(cr *github.CheckRun, status, conclusion *string, out *github.CheckRunOutput) {
	if status != nil {
		cr.Status = status
	}
	if conclusion != nil {
		cr.Conclusion, cr.Status = conclusion, github.String("completed")
	}
	if out == nil {
		return
	}
	cr.Output.Title, cr.Output.Summary = out.Title, out.Summary
	cr.Output.AnnotationsCount = github.Int(cr.Output.GetAnnotationsCount() + len(out.Annotations))
}

// createStatus answers POST /repos/{owner}/{repo}/statuses/{sha}.
func (s *Server) createStatus(w http.ResponseWriter, r *http.Request) {
	in, ok := decode[github.RepoStatus](s, w, r)
	if !ok {
		return
	}
	in.ID, in.CreatedAt = github.Int64(s.id()), s.now()
	in.URL = github.String(fmt.Sprintf("%s/repos/%s/%s/statuses/%s", s.URL(), s.opts.Owner,
		s.opts.Repo, r.PathValue("sha")))
	s.statuses = append(s.statuses, &in)
	s.reply(w, http.StatusCreated, &in)
}

// listDeployments answers GET /repos/{owner}/{repo}/deployments.
func (s *Server) listDeployments(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var deps []*github.Deployment
	for _, d := range s.deployments {
		if match(q.Get("sha"), d.GetSHA()) && match(q.Get("ref"), d.GetRef()) &&
			match(q.Get("task"), d.GetTask()) && match(q.Get("environment"), d.GetEnvironment()) {
			deps = append(deps, d)
		}
	}
	page(s, w, r, deps)
}

func match(want, have string) bool { return want == "" || want == have }

// createDeployment answers POST /repos/{owner}/{repo}/deployments. The
// fake takes a ref to be the commit it names.
func (s *Server) createDeployment(w http.ResponseWriter, r *http.Request) {
	in, ok := decode[github.DeploymentRequest](s, w, r)
	if !ok {
		return
	}
	payload, err := json.Marshal(in.Payload)
	if err != nil {
		s.t.Errorf("githubtest: a deployment's payload: %v", err)
	}
	d := &github.Deployment{
		ID: github.Int64(s.id()), SHA: in.Ref, Ref: in.Ref, Task: in.Task, Payload: payload,
		Environment: in.Environment, Description: in.Description, CreatedAt: s.now(),
	}
	s.deployments = append(s.deployments, d)
	s.reply(w, http.StatusCreated, d)
}

// createDeploymentStatus answers
// POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses.
func (s *Server) createDeploymentStatus(w http.ResponseWriter, r *http.Request) {
	in, ok := decode[github.DeploymentStatusRequest](s, w, r)
	if !ok {
		return
	}
	if !slices.ContainsFunc(s.deployments, func(d *github.Deployment) bool {
		return d.GetID() == number(r, "id")
	}) {
		s.reply(w, http.StatusNotFound, apiError("Not Found"))
		return
	}
	st := &github.DeploymentStatus{
		ID: github.Int64(s.id()), State: in.State, Description: in.Description,
		Environment: in.Environment, EnvironmentURL: in.EnvironmentURL, LogURL: in.LogURL,
		CreatedAt: s.now(),
		DeploymentURL: github.String(fmt.Sprintf("%s/repos/%s/%s/deployments/%d", s.URL(),
			s.opts.Owner, s.opts.Repo, number(r, "id"))),
	}
	s.depStatuses = append(s.depStatuses, st)
	s.reply(w, http.StatusCreated, st)
}

// getPull answers GET /repos/{owner}/{repo}/pulls/{pull_number}.
func (s *Server) getPull(w http.ResponseWriter, r *http.Request) {
	for _, pr := range s.pulls {
		if int64(pr.GetNumber()) == number(r, "number") {
			s.reply(w, http.StatusOK, pr)
			return
		}
	}
	s.reply(w, http.StatusNotFound, apiError("Not Found"))
}

// pullsOfCommit answers GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls
// with the pull requests whose head or merge commit is the commit: the fake
// knows no history to find one the commit is deeper in.
func (s *Server) pullsOfCommit(w http.ResponseWriter, r *http.Request) {
	sha := r.PathValue("sha")
	var prs []*github.PullRequest
	for _, pr := range s.pulls {
		if pr.GetHead().GetSHA() == sha || pr.GetMergeCommitSHA() == sha {
			prs = append(prs, pr)
		}
	}
	page(s, w, r, prs)
}
