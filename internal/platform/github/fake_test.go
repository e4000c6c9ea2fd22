package github

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/platform/github/apispec"
)

// apiBase is the path the fake serves the API under, as GitHub Enterprise
// Server does; a request that drops it fails the test.
const apiBase = "/api/v3"

// fakeToken is the token the tests run with; the fake refuses any other.
const fakeToken = "ghs_fakeTokenThatMustNeverBePrinted0123"

var (
	specOnce sync.Once
	spec     *apispec.Spec
	specErr  error
)

func loadSpec(t testing.TB) *apispec.Spec {
	t.Helper()
	specOnce.Do(func() { spec, specErr = apispec.Load("testdata/openapi/operations.json") })
	require.NoError(t, specErr)
	return spec
}

// fakeGitHub stands for GitHub's REST API. It keeps state (comments over
// pages, check runs, statuses, deployments, reactions, pull requests),
// checks every request against the API description, answers with the
// description's examples filled in, fails the test on a request that no
// route handles or that leaves the base path, and fails requests on demand.
type fakeGitHub struct {
	t    testing.TB
	srv  *httptest.Server
	spec *apispec.Spec
	// fail reports a broken request; t.Errorf unless a test watches it.
	fail func(format string, args ...any)

	mu          sync.Mutex
	requests    []fakeRequest
	nextID      int64
	comments    []map[string]any
	checkRuns   []map[string]any
	statuses    []map[string]any
	deployments []map[string]any
	depStatuses []map[string]any
	reactions   []map[string]any
	pulls       []map[string]any
	labels      map[int][]string
	files       map[int][]map[string]any
	perms       map[string][2]string // login: permission, role_name
	faults      []*fault

	// login answers GET /user; empty answers 403, as for an app's token.
	login string
	// readOnly answers writes 403, as for a fork's pull request's token.
	readOnly bool
	// noChecks answers check-run writes 403, as for a job without checks: write.
	noChecks bool
	// pageSize caps the items of a page, to make pages with few items.
	pageSize int
	// spendLimit makes the next successful answer the last one of the
	// primary rate limit until rateReset.
	spendLimit bool
	rateReset  time.Time
}

// fakeRequest is a request as the fake received it.
type fakeRequest struct {
	Method, Path, Op string
	Query            url.Values
	Body             []byte
}

// fault fails the next n requests of an operation.
type fault struct {
	op   string // "METHOD /template"
	kind string // 500, 502, hang, hang-after, secondary, primary
	n    int
	// retryAfter is the secondary limit's retry-after, in seconds.
	retryAfter int
}

func newFake(t testing.TB) *fakeGitHub {
	t.Helper()
	f := &fakeGitHub{
		t: t, spec: loadSpec(t), nextID: 1000,
		labels: map[int][]string{}, files: map[int][]map[string]any{},
		perms: map[string][2]string{}, pageSize: 100,
	}
	f.fail = t.Errorf
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

// apiURL is the GITHUB_API_URL that points at the fake.
func (f *fakeGitHub) apiURL() string { return f.srv.URL + apiBase }

func (f *fakeGitHub) failOn(op, kind string, n int) *fault {
	fl := &fault{op: op, kind: kind, n: n, retryAfter: 7}
	f.mu.Lock()
	f.faults = append(f.faults, fl)
	f.mu.Unlock()
	return fl
}

// ServeHTTP checks, records and answers one request.
func (f *fakeGitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, apiBase+"/") {
		f.fail("request outside the API base path %s: %s %s", apiBase, r.Method, r.URL.Path)
		http.NotFound(w, r)
		return
	}
	if r.URL.IsAbs() || r.Header.Get("Authorization") != "Bearer "+fakeToken {
		writeJSON(w, http.StatusUnauthorized, apiError("Bad credentials"))
		return
	}
	path := strings.TrimPrefix(r.URL.Path, apiBase)
	body, _ := io.ReadAll(r.Body)
	op, err := f.spec.Check(r.Method, path, r.URL.Query(), body)
	if err != nil {
		f.fail("%v", err)
		writeJSON(w, http.StatusNotFound, apiError("Not Found"))
		return
	}

	f.mu.Lock()
	f.requests = append(f.requests, fakeRequest{r.Method, path, op, r.URL.Query(), body})
	fl := f.takeFault(op)
	f.mu.Unlock()
	if fl != nil && fl.kind != "hang-after" {
		fl.serve(w, r)
		return
	}

	status, v := f.route(r, op, path, body)
	if fl != nil {
		<-r.Context().Done() // done, but the answer is lost
		return
	}
	if status < 300 {
		f.rateHeaders(w)
	}
	if pg, ok := v.(pageOf); ok {
		if pg.next != "" {
			w.Header().Set("Link", fmt.Sprintf("<%s>; rel=\"next\"", pg.next))
		}
		v = pg.items
		if pg.items == nil {
			v = []any{}
		}
	}
	writeJSON(w, status, v)
}

func (f *fakeGitHub) takeFault(op string) *fault {
	for _, fl := range f.faults {
		if fl.op == op && fl.n > 0 {
			fl.n--
			return fl
		}
	}
	return nil
}

func (fl *fault) serve(w http.ResponseWriter, r *http.Request) {
	switch fl.kind {
	case "500", "502":
		code, _ := strconv.Atoi(fl.kind)
		writeJSON(w, code, apiError("Server Error"))
	case "hang":
		<-r.Context().Done()
	case "secondary":
		w.Header().Set("Retry-After", strconv.Itoa(fl.retryAfter))
		writeJSON(w, http.StatusForbidden, map[string]any{
			"message": "You have exceeded a secondary rate limit. Please wait a few minutes " +
				"before you try again.",
			"documentation_url": "https://docs.github.com/rest/overview/" +
				"rate-limits-for-the-rest-api#about-secondary-rate-limits",
		})
	case "primary":
		w.Header().Set("X-Ratelimit-Limit", "5000")
		w.Header().Set("X-Ratelimit-Remaining", "0")
		w.Header().
			Set("X-Ratelimit-Reset", strconv.FormatInt(testNow.Add(90*time.Second).Unix(), 10))
		writeJSON(w, http.StatusForbidden, apiError("API rate limit exceeded for installation."))
	}
}

func (f *fakeGitHub) rateHeaders(w http.ResponseWriter) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.spendLimit {
		return
	}
	f.spendLimit = false
	w.Header().Set("X-Ratelimit-Limit", "5000")
	w.Header().Set("X-Ratelimit-Remaining", "0")
	w.Header().Set("X-Ratelimit-Reset", strconv.FormatInt(f.rateReset.Unix(), 10))
}

func apiError(msg string) map[string]any {
	return map[string]any{"message": msg, "documentation_url": "https://docs.github.com/rest"}
}

var notAccessible = apiError("Resource not accessible by integration")

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// route answers an operation from the fake's state.
func (f *fakeGitHub) route(r *http.Request, op, path string, body []byte) (int, any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Method != http.MethodGet && f.readOnly {
		return http.StatusForbidden, notAccessible
	}
	var in map[string]any
	_ = json.Unmarshal(body, &in)
	p := params(op, path)
	q := r.URL.Query()

	switch op {
	case "GET /user":
		if f.login == "" {
			return http.StatusForbidden, notAccessible
		}
		return 200, f.example(op, 200, map[string]any{"login": f.login, "type": "User"})
	case "GET /repos/{owner}/{repo}":
		return 200, f.example(op, 200, map[string]any{"default_branch": "master"})
	case "GET /repos/{owner}/{repo}/issues/{issue_number}/comments":
		return f.page(r, filter(f.comments, "issue", atoi(p["issue_number"])))
	case "POST /repos/{owner}/{repo}/issues/{issue_number}/comments":
		c := f.example(op, 201, map[string]any{
			"id": f.id(), "body": in["body"], "user": f.poster(), "issue": atoi(p["issue_number"]),
		})
		f.comments = append(f.comments, c)
		return 201, c
	case "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}":
		c := find(f.comments, atoi(p["comment_id"]))
		if c == nil {
			return 404, apiError("Not Found")
		}
		c["body"] = in["body"]
		return 200, c
	case "POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions":
		rc := f.example(op, 201, map[string]any{"id": f.id(), "content": in["content"],
			"comment": atoi(p["comment_id"])})
		f.reactions = append(f.reactions, rc)
		return 201, rc
	case "GET /repos/{owner}/{repo}/commits/{ref}/check-runs":
		runs := filter(f.checkRuns, "head_sha", p["ref"])
		if name := q.Get("check_name"); name != "" {
			runs = filter(runs, "name", name)
		}
		return 200, map[string]any{"total_count": len(runs), "check_runs": runs}
	case "POST /repos/{owner}/{repo}/check-runs":
		if f.noChecks {
			return http.StatusForbidden, notAccessible
		}
		cr := f.example(op, 201, map[string]any{"id": f.id()})
		for _, k := range []string{
			"name", "head_sha", "external_id", "status", "conclusion", "details_url",
		} {
			cr[k] = in[k]
		}
		cr["output"] = map[string]any{"annotations_count": 0}
		updateCheck(cr, in)
		f.checkRuns = append(f.checkRuns, cr)
		return 201, cr
	case "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}":
		if f.noChecks {
			return http.StatusForbidden, notAccessible
		}
		cr := find(f.checkRuns, atoi(p["check_run_id"]))
		if cr == nil {
			return 404, apiError("Not Found")
		}
		updateCheck(cr, in)
		return 200, cr
	case "POST /repos/{owner}/{repo}/statuses/{sha}":
		st := f.example(op, 201, map[string]any{"id": f.id(), "sha": p["sha"]})
		for _, k := range []string{"state", "context", "description", "target_url"} {
			st[k] = in[k]
		}
		f.statuses = append(f.statuses, st)
		return 201, st
	case "GET /repos/{owner}/{repo}/deployments":
		deps := f.deployments
		for _, k := range []string{"sha", "ref", "task", "environment"} {
			if v := q.Get(k); v != "" {
				deps = filter(deps, k, v)
			}
		}
		return f.page(r, deps)
	case "POST /repos/{owner}/{repo}/deployments":
		d := f.example(op, 201, map[string]any{"id": f.id(), "sha": in["ref"]})
		for _, k := range []string{"ref", "task", "environment", "description", "payload",
			"production_environment"} {
			d[k] = in[k]
		}
		f.deployments = append(f.deployments, d)
		return 201, d
	case "POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses":
		if find(f.deployments, atoi(p["deployment_id"])) == nil {
			return 404, apiError("Not Found")
		}
		s := f.example(op, 201, map[string]any{"id": f.id(), "state": in["state"],
			"environment": in["environment"], "deployment": atoi(p["deployment_id"])})
		f.depStatuses = append(f.depStatuses, s)
		return 201, s
	case "GET /repos/{owner}/{repo}/collaborators/{username}/permission":
		perm, ok := f.perms[p["username"]]
		if !ok {
			return 404, apiError("Not Found")
		}
		return 200, f.example(op, 200, map[string]any{"permission": perm[0], "role_name": perm[1],
			"user": map[string]any{"login": p["username"]}})
	case "GET /repos/{owner}/{repo}/pulls/{pull_number}":
		pr := find(f.pulls, 0, "number", atoi(p["pull_number"]))
		if pr == nil {
			return 404, apiError("Not Found")
		}
		return 200, pr
	case "GET /repos/{owner}/{repo}/pulls":
		var open []map[string]any
		for _, pr := range filter(f.pulls, "state", "open") {
			head := pr["head"].(map[string]any)
			if q.Get("head") == "" || q.Get("head") == head["label"] {
				open = append(open, pr)
			}
		}
		return f.page(r, open)
	case "POST /repos/{owner}/{repo}/pulls":
		owner := p["owner"]
		pr := f.example(op, 201, map[string]any{
			"id": f.id(), "number": len(f.pulls) + 100, "state": "open",
			"title": in["title"], "body": in["body"],
			"html_url": fmt.Sprintf("https://github.example/%s/%s/pull/%d",
				owner, p["repo"], len(f.pulls)+100),
			"head": map[string]any{
				"ref":   in["head"],
				"label": owner + ":" + fmt.Sprint(in["head"]),
			},
			"base": map[string]any{"ref": in["base"]},
		})
		f.pulls = append(f.pulls, pr)
		return 201, pr
	case "PATCH /repos/{owner}/{repo}/pulls/{pull_number}":
		pr := find(f.pulls, 0, "number", atoi(p["pull_number"]))
		if pr == nil {
			return 404, apiError("Not Found")
		}
		pr["title"], pr["body"] = in["title"], in["body"]
		return 200, pr
	case "POST /repos/{owner}/{repo}/issues/{issue_number}/labels":
		n := atoi(p["issue_number"])
		for _, l := range in["labels"].([]any) {
			f.labels[n] = append(f.labels[n], l.(string))
		}
		return 200, f.example(op, 200, nil)
	case "GET /repos/{owner}/{repo}/pulls/{pull_number}/files":
		return f.page(r, f.files[atoi(p["pull_number"])])
	}
	f.fail("no route handles %s", op)
	return 404, apiError("Not Found")
}

// updateCheck applies a check-run request's fields and appends its
// annotations, as GitHub does.
func updateCheck(cr, in map[string]any) {
	for _, k := range []string{"status", "conclusion", "details_url"} {
		if v, ok := in[k]; ok {
			cr[k] = v
		}
	}
	if c, ok := in["conclusion"]; ok && c != nil {
		cr["status"] = "completed"
	}
	out, _ := in["output"].(map[string]any)
	if out == nil {
		return
	}
	have := cr["output"].(map[string]any)
	have["title"], have["summary"] = out["title"], out["summary"]
	anns, _ := out["annotations"].([]any)
	have["annotations_count"] = have["annotations_count"].(int) + len(anns)
}

// example returns the description's example answer with fields set.
func (f *fakeGitHub) example(op string, status int, set map[string]any) map[string]any {
	v, ok := f.spec.Example(op, status)
	m, isMap := v.(map[string]any)
	if !ok || !isMap {
		m = map[string]any{}
	}
	for k, x := range set {
		m[k] = x
	}
	return m
}

// page answers a list with GitHub's pagination: per_page and page in, a
// Link header to the next page out.
func (f *fakeGitHub) page(r *http.Request, items []map[string]any) (int, any) {
	per := min(atoi(orDefault(r.URL.Query().Get("per_page"), "30")), f.pageSize)
	page := max(atoi(orDefault(r.URL.Query().Get("page"), "1")), 1)
	from, to := min((page-1)*per, len(items)), min(page*per, len(items))
	out := pageOf{items: items[from:to]}
	if to < len(items) {
		next := *r.URL
		q := next.Query()
		q.Set("page", strconv.Itoa(page+1))
		next.RawQuery = q.Encode()
		out.next = f.srv.URL + next.String()
	}
	return 200, out
}

// pageOf is a page of a list and the link to the next one.
type pageOf struct {
	items []map[string]any
	next  string
}

func (f *fakeGitHub) id() int64 {
	f.nextID++
	return f.nextID
}

// poster is the account the token posts as: the login when GET /user
// answers, else the workflow's bot.
func (f *fakeGitHub) poster() map[string]any {
	if f.login != "" {
		return map[string]any{"login": f.login, "type": "User"}
	}
	return map[string]any{"login": "github-actions[bot]", "type": "Bot"}
}

// seedComment adds a comment by someone else.
func (f *fakeGitHub) seedComment(issue int, login, typ, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.comments = append(f.comments, map[string]any{
		"id": f.id(), "issue": issue, "body": body,
		"user": map[string]any{"login": login, "type": typ},
	})
}

// commentsOn returns the bodies of the comments on an issue.
func (f *fakeGitHub) commentsOn(issue int) []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return filter(f.comments, "issue", issue)
}

// writes returns the requests that were not GETs.
func (f *fakeGitHub) writes() []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeRequest
	for _, r := range f.requests {
		if r.Method != http.MethodGet {
			out = append(out, r)
		}
	}
	return out
}

// count returns how many requests of an operation the fake received.
func (f *fakeGitHub) count(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, r := range f.requests {
		if r.Op == op {
			n++
		}
	}
	return n
}

func params(op, path string) map[string]string {
	_, tmpl, _ := strings.Cut(op, " ")
	out := map[string]string{}
	tp, pp := strings.Split(tmpl, "/"), strings.Split(path, "/")
	for i, t := range tp {
		if strings.HasPrefix(t, "{") && i < len(pp) {
			out[strings.Trim(t, "{}")] = pp[i]
		}
	}
	return out
}

func filter(items []map[string]any, key string, want any) []map[string]any {
	var out []map[string]any
	for _, it := range items {
		if fmt.Sprint(it[key]) == fmt.Sprint(want) {
			out = append(out, it)
		}
	}
	return out
}

// find returns the item with the id, or with key equal to want.
func find(items []map[string]any, id int, kv ...any) map[string]any {
	key, want := "id", any(id)
	if len(kv) == 2 {
		key, want = kv[0].(string), kv[1]
	}
	if r := filter(items, key, want); len(r) > 0 {
		return r[0]
	}
	return nil
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
