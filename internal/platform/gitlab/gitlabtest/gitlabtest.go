// Package gitlabtest is a fake GitLab REST API (v4) for tests that drive the
// gitlab platform from outside its package, such as `mlci ci` in a GitLab
// merge-request pipeline. It keeps the state the platform writes (merge-request
// notes over several pages, commit statuses, deployments) and the merge
// requests a test adds, answers in the API's documented
// shapes through client-go's own types, refuses what GitLab refuses (a wrong
// token, a job token on these endpoints, a missing note body, an unknown
// status state, a status set to the state it has) and fails the test on any
// route it does not serve.
//
// It holds no client code and no failure injection; the gitlab package's own
// tests keep a fuller fake for retries, deployments and comment commands.
package gitlabtest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gl "gitlab.com/gitlab-org/api/client-go"
)

// Username is the user the fake's token belongs to (GET /user).
const Username = "mlci-bot"

// maxNoteChars is GitLab's limit on a note's body.
const maxNoteChars = 1_000_000

var sha = regexp.MustCompile(`^[0-9a-f]{40}$`)

// Options describe the fake's project.
type Options struct {
	// Project is the project ID every path must name.
	Project string
	// Token is the PRIVATE-TOKEN every request must carry; a request
	// without it is answered 401, as GitLab does.
	Token string
	// PageSize bounds a page of notes whatever per_page asks, so that a few
	// notes span pages; 20 when zero.
	PageSize int
}

// Server is a fake GitLab API for one project.
type Server struct {
	t    testing.TB
	opts Options
	srv  *httptest.Server
	mux  *http.ServeMux

	mu       sync.Mutex
	notes    []*gl.Note
	statuses map[string]*gl.CommitStatus // by sha and name
	mrs      []*gl.BasicMergeRequest
	deploys  []*gl.Deployment
	requests []Request
	nextID   int64
	clock    time.Time
}

// New starts a fake API for t; it stops when t ends.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.PageSize == 0 {
		opts.PageSize = 20
	}
	s := &Server{
		t: t, opts: opts, mux: http.NewServeMux(),
		statuses: map[string]*gl.CommitStatus{}, nextID: 1000,
		clock: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC),
	}
	s.routes()
	s.srv = httptest.NewServer(s.mux)
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the API's root, as CI_API_V4_URL gives it.
func (s *Server) URL() string { return s.srv.URL + "/api/v4" }

// Request is a request the fake served.
type Request struct {
	Method string
	Path   string
}

// String is "METHOD path".
func (r Request) String() string { return r.Method + " " + r.Path }

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
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			out = append(out, r)
		}
	}
	return out
}

// AddNote adds a note by someone else to merge request iid, as reviewers
// and GitLab's system notes fill a merge request before mlci runs.
func (s *Server) AddNote(iid int64, author, body string, system bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addNote(iid, author, body, system)
}

// Notes returns copies of merge request iid's notes, oldest first.
func (s *Server) Notes(iid int64) []gl.Note {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []gl.Note
	for _, n := range s.notes {
		if n.NoteableIID == iid {
			out = append(out, *n)
		}
	}
	return out
}

// AddMergeRequest adds merge request iid in state ("opened", "merged" …)
// whose head is sha and, once merged, whose merge commit is merge.
func (s *Server) AddMergeRequest(iid int64, state, sha, merge string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	s.mrs = append(s.mrs, &gl.BasicMergeRequest{
		ID: s.nextID, IID: iid, State: state, SHA: sha, MergeCommitSHA: merge,
		TargetBranch: "main", SourceBranch: fmt.Sprintf("feature-%d", iid),
	})
}

// Deployments returns copies of the deployments created, oldest first.
func (s *Server) Deployments() []gl.Deployment {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]gl.Deployment, 0, len(s.deploys))
	for _, d := range s.deploys {
		out = append(out, *d)
	}
	return out
}

// Statuses returns copies of the commit statuses, by sha and then name.
func (s *Server) Statuses() []gl.CommitStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]gl.CommitStatus, 0, len(s.statuses))
	for _, k := range slices.Sorted(maps.Keys(s.statuses)) {
		out = append(out, *s.statuses[k])
	}
	return out
}

func (s *Server) routes() {
	const project = "/api/v4/projects/{pid}"
	s.handle("GET /api/v4/user", s.currentUser)
	s.handle("GET "+project+"/merge_requests/{iid}/notes", s.listNotes)
	s.handle("POST "+project+"/merge_requests/{iid}/notes", s.createNote)
	s.handle("PUT "+project+"/merge_requests/{iid}/notes/{id}", s.updateNote)
	s.handle("POST "+project+"/statuses/{sha}", s.setStatus)
	s.handle("GET "+project+"/repository/commits/{sha}/merge_requests", s.commitMRs)
	s.handle("POST "+project+"/deployments", s.createDeployment)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.record(r)
		s.t.Errorf("gitlabtest: unhandled %s %s", r.Method, r.URL.Path)
		s.reply(w, http.StatusNotFound, message("404 Not Found"))
	})
}

// handle serves a route after recording the request and checking its token
// and project, as GitLab checks them before anything else.
func (s *Server) handle(pattern string, h http.HandlerFunc) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		s.record(r)
		s.mu.Lock()
		defer s.mu.Unlock()

		switch {
		case r.Header.Get("JOB-TOKEN") != "":
			// A job token reaches none of these endpoints.
			s.reply(w, http.StatusForbidden, message("403 Forbidden"))
		case s.opts.Token == "" || r.Header.Get("PRIVATE-TOKEN") != s.opts.Token:
			s.reply(w, http.StatusUnauthorized, message("401 Unauthorized"))
		case r.PathValue("pid") != "" && r.PathValue("pid") != s.opts.Project:
			s.reply(w, http.StatusNotFound, message("404 Project Not Found"))
		default:
			h(w, r)
		}
	})
}

func (s *Server) record(r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path})
}

func (s *Server) reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		s.t.Errorf("gitlabtest: encoding an answer: %v", err)
	}
}

func message(m string) map[string]any { return map[string]any{"message": m} }

// decode reads a request body into one of client-go's option types; a body
// that does not decode is a 400, as GitLab answers it.
func decode[T any](s *Server, w http.ResponseWriter, r *http.Request) (T, bool) {
	var v T
	if err := json.NewDecoder(r.Body).Decode(&v); err != nil {
		s.t.Errorf("gitlabtest: %s %s: decoding the body: %v", r.Method, r.URL.Path, err)
		s.reply(w, http.StatusBadRequest, message("400 Bad request - "+err.Error()))
		return v, false
	}
	return v, true
}

// now is the fake's clock, a second further at each call.
func (s *Server) now() *time.Time {
	s.clock = s.clock.Add(time.Second)
	t := s.clock
	return &t
}

// currentUser answers GET /user.
func (s *Server) currentUser(w http.ResponseWriter, _ *http.Request) {
	s.reply(w, http.StatusOK, gl.User{ID: 1, Username: Username, Name: "mlci", State: "active"})
}

func (s *Server) addNote(iid int64, author, body string, system bool) *gl.Note {
	s.nextID++
	n := &gl.Note{
		ID: s.nextID, Body: body, System: system, NoteableIID: iid,
		NoteableType: "MergeRequest", Author: gl.NoteAuthor{Username: author},
		CreatedAt: s.now(),
	}
	n.UpdatedAt = n.CreatedAt
	s.notes = append(s.notes, n)
	return n
}

// listNotes answers GET /projects/:id/merge_requests/:iid/notes, a page at a
// time with GitLab's pagination headers.
func (s *Server) listNotes(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if !validParam(q.Get("order_by"), "created_at", "updated_at") ||
		!validParam(q.Get("sort"), "asc", "desc") {
		s.reply(w, http.StatusBadRequest, message("400 Bad request - order_by or sort"))
		return
	}
	iid, _ := strconv.ParseInt(r.PathValue("iid"), 10, 64)
	var mine []*gl.Note
	for _, n := range s.notes {
		if n.NoteableIID == iid {
			mine = append(mine, n)
		}
	}
	if q.Get("sort") != "asc" {
		slices.Reverse(mine) // GitLab's default is the newest first
	}

	size := s.opts.PageSize
	if per, err := strconv.Atoi(q.Get("per_page")); err == nil && per > 0 {
		size = min(size, per)
	}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	pages := max((len(mine)+size-1)/size, 1)
	paginate(w.Header(), page, pages, size, len(mine))
	lo, hi := min((page-1)*size, len(mine)), min(page*size, len(mine))
	s.reply(w, http.StatusOK, append([]*gl.Note{}, mine[lo:hi]...))
}

func validParam(v string, allowed ...string) bool {
	return v == "" || slices.Contains(allowed, v)
}

func paginate(h http.Header, page, pages, size, total int) {
	h.Set("X-Page", strconv.Itoa(page))
	h.Set("X-Per-Page", strconv.Itoa(size))
	h.Set("X-Total", strconv.Itoa(total))
	h.Set("X-Total-Pages", strconv.Itoa(pages))
	h.Set("X-Next-Page", "")
	if page < pages {
		h.Set("X-Next-Page", strconv.Itoa(page+1))
	}
	h.Set("X-Prev-Page", "")
	if page > 1 {
		h.Set("X-Prev-Page", strconv.Itoa(page-1))
	}
}

// createNote answers POST /projects/:id/merge_requests/:iid/notes.
func (s *Server) createNote(w http.ResponseWriter, r *http.Request) {
	opt, ok := decode[gl.CreateMergeRequestNoteOptions](s, w, r)
	if !ok || !s.validBody(w, opt.Body) {
		return
	}
	iid, err := strconv.ParseInt(r.PathValue("iid"), 10, 64)
	if err != nil {
		s.reply(w, http.StatusNotFound, message("404 Not found"))
		return
	}
	s.reply(w, http.StatusCreated, s.addNote(iid, Username, *opt.Body, false))
}

// updateNote answers PUT /projects/:id/merge_requests/:iid/notes/:note_id;
// only the note's author may change it.
func (s *Server) updateNote(w http.ResponseWriter, r *http.Request) {
	opt, ok := decode[gl.UpdateMergeRequestNoteOptions](s, w, r)
	if !ok || !s.validBody(w, opt.Body) {
		return
	}
	var n *gl.Note
	for _, x := range s.notes {
		if strconv.FormatInt(x.ID, 10) == r.PathValue("id") &&
			strconv.FormatInt(x.NoteableIID, 10) == r.PathValue("iid") {
			n = x
		}
	}
	switch {
	case n == nil:
		s.reply(w, http.StatusNotFound, message("404 Not found"))
	case n.Author.Username != Username:
		s.reply(w, http.StatusForbidden, message("403 Forbidden"))
	default:
		n.Body, n.UpdatedAt = *opt.Body, s.now()
		s.reply(w, http.StatusOK, n)
	}
}

func (s *Server) validBody(w http.ResponseWriter, body *string) bool {
	switch {
	case body == nil || *body == "":
		s.reply(w, http.StatusBadRequest, message("400 Bad request - body is missing"))
		return false
	case len([]rune(*body)) > maxNoteChars:
		s.reply(w, http.StatusBadRequest, message(fmt.Sprintf(
			"Note is too long (maximum is %d characters)", maxNoteChars)))
		return false
	}
	return true
}

// setStatus answers POST /projects/:id/statuses/:sha, keeping one status per
// commit and name, and refusing to set the state a status already has.
func (s *Server) setStatus(w http.ResponseWriter, r *http.Request) {
	opt, ok := decode[gl.SetCommitStatusOptions](s, w, r)
	if !ok {
		return
	}
	commit := r.PathValue("sha")
	switch opt.State {
	case gl.Pending, gl.Running, gl.Success, gl.Failed, gl.Canceled, gl.Skipped:
	default:
		s.reply(w, http.StatusBadRequest, message("400 Bad request - state does not have "+
			"a valid value"))
		return
	}
	if !sha.MatchString(commit) {
		s.reply(w, http.StatusNotFound, message("404 Commit Not Found"))
		return
	}

	name := "default"
	if opt.Name != nil {
		name = *opt.Name
	}
	key := commit + "/" + name
	if old, ok := s.statuses[key]; ok && old.Status == string(opt.State) {
		s.reply(w, http.StatusBadRequest, message(fmt.Sprintf(
			"Cannot transition status via :%s from :%s", opt.State, opt.State)))
		return
	}
	s.nextID++
	st := &gl.CommitStatus{
		ID: s.nextID, SHA: commit, Name: name, Status: string(opt.State),
		TargetURL: deref(opt.TargetURL), Description: deref(opt.Description),
		Ref: deref(opt.Ref), CreatedAt: s.now(),
	}
	if opt.PipelineID != nil {
		st.PipelineID = *opt.PipelineID
	}
	s.statuses[key] = st
	s.reply(w, http.StatusCreated, st)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// commitMRs answers GET /projects/:id/repository/commits/:sha/merge_requests
// with the merge requests whose head or merge commit is sha.
func (s *Server) commitMRs(w http.ResponseWriter, r *http.Request) {
	commit := r.PathValue("sha")
	if !sha.MatchString(commit) {
		s.reply(w, http.StatusNotFound, message("404 Commit Not Found"))
		return
	}
	out := []*gl.BasicMergeRequest{}
	for _, mr := range s.mrs {
		if mr.SHA == commit || mr.MergeCommitSHA == commit {
			out = append(out, mr)
		}
	}
	s.reply(w, http.StatusOK, out)
}

// createDeployment answers POST /projects/:id/deployments; environment,
// ref, sha, tag and status are required, as GitLab requires them.
func (s *Server) createDeployment(w http.ResponseWriter, r *http.Request) {
	opt, ok := decode[gl.CreateProjectDeploymentOptions](s, w, r)
	if !ok {
		return
	}
	switch {
	case opt.Environment == nil || *opt.Environment == "", opt.Ref == nil || *opt.Ref == "",
		opt.SHA == nil || !sha.MatchString(*opt.SHA), opt.Tag == nil, opt.Status == nil:
		s.reply(w, http.StatusBadRequest, message("400 Bad request - environment, ref, "+
			"sha, tag and status are required"))
		return
	}
	s.nextID++
	d := &gl.Deployment{
		ID: s.nextID, IID: int64(len(s.deploys) + 1), Ref: *opt.Ref, SHA: *opt.SHA,
		Status: string(*opt.Status), CreatedAt: s.now(),
		Environment: &gl.Environment{Name: *opt.Environment},
	}
	s.deploys = append(s.deploys, d)
	s.reply(w, http.StatusCreated, d)
}

// GitServer serves the bare repositories under root over git's smart HTTP
// protocol (git http-backend, pushes included) to requests whose basic
// authentication carries password, as a project access token; others get
// GitLab's 401. It returns the server's URL; it stops when t ends.
func GitServer(t testing.TB, root, password string) string {
	t.Helper()
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Fatalf("gitlabtest: finding git's programs: %v", err)
	}
	backend := &cgi.Handler{
		Path: filepath.Join(strings.TrimSpace(string(out)), "git-http-backend"),
		Env:  []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || user == "" || pass != password {
			w.Header().Set("WWW-Authenticate", `Basic realm="GitLab"`)
			http.Error(w, "HTTP Basic: Access denied", http.StatusUnauthorized)
			return
		}
		backend.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
