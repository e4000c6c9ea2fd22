package gitlab

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	gl "gitlab.com/gitlab-org/api/client-go"
)

// fake is a GitLab API that keeps state: a merge request's notes over
// several pages, commit statuses, deployments and merge requests. Its
// answers start from client-go's fixtures and GitLab's documented payloads
// in testdata. It fails on demand, fails the test on a route it does not
// serve, and at the end on a failure it was asked for but never served.
type fake struct {
	t   testing.TB
	srv *httptest.Server
	mux *http.ServeMux

	mu sync.Mutex
	// token is the PRIVATE-TOKEN every request must carry.
	token string
	// pageSize is how many notes a page holds, small to make pages.
	pageSize int
	notes    []map[string]any
	nextID   int64
	// statuses are the commit statuses by sha and name.
	statuses    map[string]map[string]any
	deployments []gl.CreateProjectDeploymentOptions
	mrs         []map[string]any
	awards      []string
	levels      map[string]int // access levels by user ID
	failures    map[string][]failure
	calls       map[string]int
	writes      int
}

// failure is an answer the fake gives instead of the real one. With act,
// it first does what was asked, as a proxy that times out after GitLab
// acted would.
type failure struct {
	status     int
	retryAfter string
	act        bool
}

const testToken = "glpat-TEST-SECRET-0123456789"

func newFake(t testing.TB) *fake {
	t.Helper()
	f := &fake{
		t: t, mux: http.NewServeMux(), token: testToken, pageSize: 3, nextID: 1000,
		statuses: map[string]map[string]any{}, levels: map[string]int{},
		failures: map[string][]failure{}, calls: map[string]int{},
	}
	f.routes()
	f.srv = httptest.NewServer(f.mux)
	t.Cleanup(func() {
		f.srv.Close()
		for route, left := range f.failures {
			if len(left) > 0 {
				t.Errorf("fake: %d failures for %s were never served", len(left), route)
			}
		}
	})
	return f
}

// url is the API root, as CI_API_V4_URL gives it.
func (f *fake) url() string { return f.srv.URL + "/api/v4" }

// fail queues failures for a route pattern.
func (f *fake) fail(pattern string, fs ...failure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures[pattern] = append(f.failures[pattern], fs...)
}

func (f *fake) count(pattern string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[pattern]
}

const (
	routeUser       = "GET /api/v4/user"
	routeUsers      = "GET /api/v4/users"
	routeMember     = "GET /api/v4/projects/{pid}/members/all/{uid}"
	routeNotes      = "GET /api/v4/projects/{pid}/merge_requests/{iid}/notes"
	routeNote       = "GET /api/v4/projects/{pid}/merge_requests/{iid}/notes/{id}"
	routeCreateNote = "POST /api/v4/projects/{pid}/merge_requests/{iid}/notes"
	routeUpdateNote = "PUT /api/v4/projects/{pid}/merge_requests/{iid}/notes/{id}"
	routeAward      = "POST /api/v4/projects/{pid}/merge_requests/{iid}/notes/{id}/award_emoji"
	routeStatus     = "POST /api/v4/projects/{pid}/statuses/{sha}"
	routeDeploy     = "POST /api/v4/projects/{pid}/deployments"
	routeMRs        = "GET /api/v4/projects/{pid}/merge_requests"
	routeMR         = "GET /api/v4/projects/{pid}/merge_requests/{iid}"
	routeCreateMR   = "POST /api/v4/projects/{pid}/merge_requests"
	routeUpdateMR   = "PUT /api/v4/projects/{pid}/merge_requests/{iid}"
	routeDiffs      = "GET /api/v4/projects/{pid}/merge_requests/{iid}/diffs"
	routeCommitMRs  = "GET /api/v4/projects/{pid}/repository/commits/{sha}/merge_requests"
)

func (f *fake) routes() {
	f.handle(routeUser, func(w http.ResponseWriter, _ *http.Request) {
		f.reply(w, http.StatusOK, fixture(f.t, "get_user.json"))
	})
	f.handle(routeUsers, f.listUsers)
	f.handle(routeMember, f.member)
	f.handle(routeNotes, f.listNotes)
	f.handle(routeNote, f.getNote)
	f.handle(routeCreateNote, f.createNote)
	f.handle(routeUpdateNote, f.updateNote)
	f.handle(routeAward, f.award)
	f.handle(routeStatus, f.setStatus)
	f.handle(routeDeploy, f.deploy)
	f.handle(routeMRs, f.listMRs)
	f.handle(routeMR, func(w http.ResponseWriter, _ *http.Request) {
		f.reply(w, http.StatusOK, fixture(f.t, "get_merge_request.json"))
	})
	f.handle(routeCreateMR, f.createMR)
	f.handle(routeUpdateMR, f.updateMR)
	f.handle(routeDiffs, f.diffs)
	f.handle(routeCommitMRs, f.commitMRs)
	f.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		f.t.Errorf("fake: unhandled %s %s", r.Method, r.URL.Path)
		http.Error(w, `{"message":"404 Not Found"}`, http.StatusNotFound)
	})
}

// handle serves a route after checking the token and serving any failure
// queued for it.
func (f *fake) handle(pattern string, h http.HandlerFunc) {
	f.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.calls[pattern]++
		if r.Method != http.MethodGet {
			f.writes++
		}
		if got := r.Header.Get("PRIVATE-TOKEN"); got != f.token {
			f.t.Errorf("fake: %s %s: PRIVATE-TOKEN %q", r.Method, r.URL.Path, got)
		}

		if q := f.failures[pattern]; len(q) > 0 {
			fl := q[0]
			f.failures[pattern] = q[1:]
			if fl.act {
				h(httptest.NewRecorder(), r)
			}
			if fl.retryAfter != "" {
				w.Header().Set("Retry-After", fl.retryAfter)
			}
			f.reply(w, fl.status, map[string]any{"message": http.StatusText(fl.status)})
			return
		}
		h(w, r)
	})
}

func (f *fake) reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		f.t.Errorf("fake: encoding: %v", err)
	}
}

// decode reads a request body into one of client-go's option types.
func decode[T any](f *fake, r *http.Request) T {
	var v T
	if err := json.NewDecoder(r.Body).Decode(&v); err != nil {
		f.t.Errorf("fake: %s %s: decoding the body: %v", r.Method, r.URL.Path, err)
	}
	return v
}

// fixture reads a JSON file of testdata.
func fixture(t testing.TB, name string) any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	var v any
	require.NoError(t, json.Unmarshal(data, &v))
	return v
}

// addNote stores a note in the documented shape of testdata/note.json.
func (f *fake) addNote(iid, body, author string, system bool) map[string]any {
	n := fixture(f.t, "note.json").(map[string]any)
	f.nextID++
	n["id"] = f.nextID
	n["body"] = body
	n["system"] = system
	n["noteable_iid"], _ = strconv.Atoi(iid)
	a := n["author"].(map[string]any)
	a["username"] = author
	f.notes = append(f.notes, n)
	return n
}

// seed adds notes by others before a test runs.
func (f *fake) seed(iid string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range n {
		f.addNote(iid, fmt.Sprintf("looks good %d", i), "reviewer", i%2 == 0)
	}
}

// notesWith returns the notes whose body holds s.
func (f *fake) notesWith(s string) []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []map[string]any
	for _, n := range f.notes {
		if strings.Contains(n["body"].(string), s) {
			out = append(out, maps.Clone(n))
		}
	}
	return out
}

func (f *fake) listNotes(w http.ResponseWriter, r *http.Request) {
	var mine []map[string]any
	for _, n := range f.notes {
		if strconv.Itoa(n["noteable_iid"].(int)) == r.PathValue("iid") {
			mine = append(mine, n)
		}
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	pages := max((len(mine)+f.pageSize-1)/f.pageSize, 1)
	lo, hi := min((page-1)*f.pageSize, len(mine)), min(page*f.pageSize, len(mine))

	h := w.Header()
	h.Set("X-Page", strconv.Itoa(page))
	h.Set("X-Per-Page", strconv.Itoa(f.pageSize))
	h.Set("X-Total", strconv.Itoa(len(mine)))
	h.Set("X-Total-Pages", strconv.Itoa(pages))
	h.Set("X-Next-Page", "")
	if page < pages {
		h.Set("X-Next-Page", strconv.Itoa(page+1))
	}
	h.Set("X-Prev-Page", "")
	if page > 1 {
		h.Set("X-Prev-Page", strconv.Itoa(page-1))
	}
	f.reply(w, http.StatusOK, append([]map[string]any{}, mine[lo:hi]...))
}

func (f *fake) findNote(id string) map[string]any {
	for _, n := range f.notes {
		if strconv.FormatInt(n["id"].(int64), 10) == id {
			return n
		}
	}
	return nil
}

func (f *fake) getNote(w http.ResponseWriter, r *http.Request) {
	if n := f.findNote(r.PathValue("id")); n != nil {
		f.reply(w, http.StatusOK, n)
		return
	}
	f.reply(w, http.StatusNotFound, map[string]any{"message": "404 Not found"})
}

func (f *fake) createNote(w http.ResponseWriter, r *http.Request) {
	opt := decode[gl.CreateMergeRequestNoteOptions](f, r)
	if opt.Body == nil || *opt.Body == "" {
		f.reply(w, http.StatusBadRequest, map[string]any{"message": "body is missing"})
		return
	}
	f.reply(w, http.StatusCreated, f.addNote(r.PathValue("iid"), *opt.Body, "john_smith", false))
}

func (f *fake) updateNote(w http.ResponseWriter, r *http.Request) {
	opt := decode[gl.UpdateMergeRequestNoteOptions](f, r)
	n := f.findNote(r.PathValue("id"))
	switch {
	case n == nil:
		f.reply(w, http.StatusNotFound, map[string]any{"message": "404 Not found"})
	case n["author"].(map[string]any)["username"] != "john_smith":
		f.reply(w, http.StatusForbidden, map[string]any{"message": "403 Forbidden"})
	default:
		n["body"] = *opt.Body
		f.reply(w, http.StatusOK, n)
	}
}

func (f *fake) award(w http.ResponseWriter, r *http.Request) {
	opt := decode[gl.CreateAwardEmojiOptions](f, r)
	f.awards = append(f.awards, r.PathValue("id")+":"+opt.Name)
	f.reply(w, http.StatusCreated, map[string]any{"id": 4, "name": opt.Name})
}

// setStatus keeps one status per sha and name, and refuses to set the
// state a status has, as GitLab does.
func (f *fake) setStatus(w http.ResponseWriter, r *http.Request) {
	opt := decode[gl.SetCommitStatusOptions](f, r)
	key := r.PathValue("sha") + "/" + *opt.Name
	if old, ok := f.statuses[key]; ok && old["status"] == string(opt.State) {
		f.reply(w, http.StatusBadRequest, map[string]any{"message": fmt.Sprintf(
			"Cannot transition status via :%s from :%s", opt.State, opt.State)})
		return
	}
	s := fixture(f.t, "commit_status.json").(map[string]any)
	s["sha"], s["name"], s["status"] = r.PathValue("sha"), *opt.Name, string(opt.State)
	s["target_url"], s["description"] = deref(opt.TargetURL), deref(opt.Description)
	if opt.PipelineID != nil {
		s["pipeline_id"] = *opt.PipelineID
	}
	f.statuses[key] = s
	f.reply(w, http.StatusCreated, s)
}

func (f *fake) deploy(w http.ResponseWriter, r *http.Request) {
	opt := decode[gl.CreateProjectDeploymentOptions](f, r)
	f.deployments = append(f.deployments, opt)
	d := fixture(f.t, "deployment.json").(map[string]any)
	d["sha"], d["ref"] = deref(opt.SHA), deref(opt.Ref)
	f.reply(w, http.StatusCreated, d)
}

func (f *fake) listMRs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var out []map[string]any
	for _, mr := range f.mrs {
		if mr["source_branch"] == q.Get("source_branch") && mr["state"] == q.Get("state") {
			out = append(out, mr)
		}
	}
	f.reply(w, http.StatusOK, append([]map[string]any{}, out...))
}

func (f *fake) createMR(w http.ResponseWriter, r *http.Request) {
	opt := decode[gl.CreateMergeRequestOptions](f, r)
	mr := fixture(f.t, "get_merge_request.json").(map[string]any)
	mr["iid"] = 100 + len(f.mrs)
	mr["state"], mr["title"] = "opened", *opt.Title
	mr["source_branch"], mr["target_branch"] = *opt.SourceBranch, *opt.TargetBranch
	mr["description"] = *opt.Description
	mr["web_url"] = fmt.Sprintf("https://gitlab.example.com/g/p/-/merge_requests/%d", mr["iid"])
	f.mrs = append(f.mrs, mr)
	f.reply(w, http.StatusCreated, mr)
}

// addMR stores a merge request in the shape of client-go's fixture, with
// its state, head commit and merge commit ("" for none).
func (f *fake) addMR(iid int, state, head, merge string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	mr := fixture(f.t, "get_merge_request.json").(map[string]any)
	mr["iid"], mr["state"], mr["sha"] = iid, state, head
	mr["merge_commit_sha"] = nil
	if merge != "" {
		mr["merge_commit_sha"] = merge
	}
	f.mrs = append(f.mrs, mr)
}

// commitMRs answers with the merge requests GitLab relates to a commit:
// those whose head or merge commit it is.
func (f *fake) commitMRs(w http.ResponseWriter, r *http.Request) {
	sha := r.PathValue("sha")
	out := []map[string]any{}
	for _, mr := range f.mrs {
		if mr["sha"] == sha || mr["merge_commit_sha"] == sha {
			out = append(out, mr)
		}
	}
	f.reply(w, http.StatusOK, out)
}

func (f *fake) updateMR(w http.ResponseWriter, r *http.Request) {
	opt := decode[gl.UpdateMergeRequestOptions](f, r)
	for _, mr := range f.mrs {
		if strconv.Itoa(mr["iid"].(int)) == r.PathValue("iid") {
			mr["title"], mr["description"] = *opt.Title, *opt.Description
			f.reply(w, http.StatusOK, mr)
			return
		}
	}
	f.reply(w, http.StatusNotFound, map[string]any{"message": "404 Not found"})
}

// diffs serves client-go's fixture as the first page and testdata's
// diff_page2.json as the second.
func (f *fake) diffs(w http.ResponseWriter, r *http.Request) {
	page := r.URL.Query().Get("page")
	h := w.Header()
	h.Set("X-Total-Pages", "2")
	h.Set("X-Per-Page", "2")
	if page == "" || page == "1" {
		h.Set("X-Page", "1")
		h.Set("X-Next-Page", "2")
		f.reply(w, http.StatusOK, fixture(f.t, "list_merge_request_diff.json"))
		return
	}
	h.Set("X-Page", "2")
	h.Set("X-Next-Page", "")
	f.reply(w, http.StatusOK, fixture(f.t, "diff_page2.json"))
}

func (f *fake) listUsers(w http.ResponseWriter, r *http.Request) {
	var out []any
	for _, u := range fixture(f.t, "list_users.json").([]any) {
		if u.(map[string]any)["username"] == r.URL.Query().Get("username") {
			out = append(out, u)
		}
	}
	f.reply(w, http.StatusOK, append([]any{}, out...))
}

func (f *fake) member(w http.ResponseWriter, r *http.Request) {
	level, ok := f.levels[r.PathValue("uid")]
	if !ok {
		f.reply(w, http.StatusNotFound, map[string]any{"message": "404 Not found"})
		return
	}
	m := fixture(f.t, "project_member.json").(map[string]any)
	m["access_level"] = level
	f.reply(w, http.StatusOK, m)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
