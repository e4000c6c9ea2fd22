package retrain

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci"
	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/git"
	"github.com/mlci-dev/mlci/internal/pipeline"
	"github.com/mlci-dev/mlci/internal/platform"
	"github.com/mlci-dev/mlci/internal/registry"
)

// seed is the example project with a trained baseline registered as
// churn v1.0.0 in production, pushed to a bare origin: built once, copied
// by each test.
var (
	seedOnce sync.Once
	seedDir  string
	seedErr  error
)

// triggers are the retraining triggers the tests add to the example.
const triggers = `
triggers:
  data: {refresh: "cp ../feed/customers.csv data/raw/customers.csv"}
  drift: {threshold: 0.1}
  max_age: 30d
`

func TestMain(m *testing.M) {
	code := m.Run()
	if seedDir != "" {
		_ = os.RemoveAll(seedDir)
	}
	os.Exit(code)
}

// world is one test's copy of the seed: origin (bare), the shared stage
// cache and the data feed the refresh command copies from.
type world struct {
	dir    string
	origin string
	cache  string
	feed   string
	runs   int
}

// newWorld copies the seed for one test.
func newWorld(t testing.TB) *world {
	t.Helper()
	seedOnce.Do(func() { seedDir, seedErr = buildSeed(context.Background()) })
	require.NoError(t, seedErr)
	dir := t.TempDir()
	out, err := exec.Command("cp", "-a", seedDir+"/.", dir).CombinedOutput()
	require.NoError(t, err, string(out))
	return &world{dir: dir, origin: filepath.Join(dir, "origin.git"),
		cache: filepath.Join(dir, "cache"), feed: filepath.Join(dir, "feed", "customers.csv")}
}

// buildSeed makes the seed folder: repo (the maintainer's clone), origin.git,
// cache and feed.
func buildSeed(ctx context.Context) (string, error) {
	dir, err := os.MkdirTemp("", "mlci-retrain-seed-")
	if err != nil {
		return "", err
	}
	repo := filepath.Join(dir, "repo")
	if err := copyExample(repo); err != nil {
		return "", err
	}
	f, err := os.OpenFile(filepath.Join(repo, "mlci.yaml"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return "", err
	}
	_, err = f.WriteString(triggers)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	if err := trainBaseline(ctx, repo, filepath.Join(dir, "cache")); err != nil {
		return "", err
	}
	gr := git.Repo{Dir: repo, Env: identity}
	if _, err := gr.Run(ctx, "init", "-q", "-b", "main"); err != nil {
		return "", err
	}
	if _, err := gr.Run(ctx, "add", "-A"); err != nil {
		return "", err
	}
	if _, err := gr.Commit(ctx, "Train the baseline with retraining triggers"); err != nil {
		return "", err
	}
	if _, err := registry.Register(ctx, gr, "churn", "v1.0.0", "HEAD", ""); err != nil {
		return "", err
	}
	if _, err := registry.Assign(ctx, gr, "churn", "production", "v1.0.0", ""); err != nil {
		return "", err
	}

	origin := filepath.Join(dir, "origin.git")
	for _, args := range [][]string{
		{"init", "-q", "--bare", "-b", "main", origin},
		{"-C", origin, "config", "receive.advertisePushOptions", "true"},
		{"-C", repo, "remote", "add", "origin", origin},
		{"-C", repo, "push", "-q", "origin", "main", "--tags"},
	} {
		if out, err := exec.CommandContext(ctx, "git", args...).CombinedOutput(); err != nil {
			return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, out)
		}
	}
	feed := filepath.Join(dir, "feed", "customers.csv")
	if err := os.MkdirAll(filepath.Dir(feed), 0o755); err != nil {
		return "", err
	}
	data, err := os.ReadFile(filepath.Join(repo, "data", "raw", "customers.csv"))
	if err != nil {
		return "", err
	}
	return dir, os.WriteFile(feed, data, 0o644)
}

// identity is the author of the seed's commits and tags.
var identity = []string{
	"GIT_AUTHOR_NAME=Dana", "GIT_AUTHOR_EMAIL=dana@example.com",
	"GIT_COMMITTER_NAME=Dana", "GIT_COMMITTER_EMAIL=dana@example.com",
}

// copyExample copies the bundled example project into dir.
func copyExample(dir string) error {
	src, err := fs.Sub(mlci.Example, "testdata/example")
	if err != nil {
		return err
	}
	return fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(src, p)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
}

func trainBaseline(ctx context.Context, root, cache string) error {
	cfg, err := config.Load(root, "")
	if err != nil {
		return err
	}
	p, err := pipeline.New(cfg, pipeline.Options{CacheDir: cache})
	if err != nil {
		return err
	}
	_, err = p.Run(ctx, pipeline.RunOptions{})
	return err
}

// setFeed puts the demo's new data (or data made by edit from it) in the feed.
func (w *world) setFeed(t testing.TB, edit func(lines []string) []string) {
	t.Helper()
	data, err := fs.ReadFile(mlci.Example, "testdata/demo/pr/2-data/data/raw/customers.csv")
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if edit != nil {
		lines = edit(lines)
	}
	require.NoError(t, os.WriteFile(w.feed, []byte(strings.Join(lines, "\n")+"\n"), 0o644))
}

// clone makes a fresh CI checkout of origin's main beside the feed.
func (w *world) clone(t testing.TB) string {
	t.Helper()
	w.runs++
	dir := filepath.Join(w.dir, fmt.Sprintf("ci-%d", w.runs))
	w.git(t, "", "clone", "-q", w.origin, dir)
	return dir
}

func (w *world) git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	if dir != "" {
		args = append([]string{"-C", dir}, args...)
	}
	out, err := exec.Command("git", args...).CombinedOutput()
	require.NoError(t, err, "git %s: %s", strings.Join(args, " "), out)
	return strings.TrimSpace(string(out))
}

// retrain runs Run in a fresh clone with p as the platform.
func (w *world) retrain(t testing.TB, p platform.Platform, edit func(*Options)) (*Outcome,
	string) {
	t.Helper()
	root := w.clone(t)
	cfg, err := config.Load(root, "")
	require.NoError(t, err)
	o := Options{
		Root: root, Config: cfg, Platform: p, CacheDir: w.cache,
		Event: w.event(), Log: slog.New(slog.DiscardHandler),
	}
	if edit != nil {
		edit(&o)
	}
	out, err := Run(t.Context(), o)
	require.NoError(t, err)
	return out, root
}

// event is a scheduled run's event.
func (w *world) event() *platform.Event {
	return &platform.Event{Kind: platform.Schedule, DefaultBranch: "main",
		RunURL: "https://ci.example/runs/" + fmt.Sprint(w.runs)}
}

// remoteBranch returns the commit origin's retraining branch is at, or "".
func (w *world) remoteBranch(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("git", "-C", w.origin, "rev-parse", "--verify", "--quiet",
		"refs/heads/mlci/retrain/churn").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// testPlatform is a CI platform that keeps what it was asked to publish
// and opens pull requests in memory, one per branch, as GitHub does.
type testPlatform struct {
	name string

	mu        sync.Mutex
	published []*platform.Report
	events    []platform.Event
	proposals []platform.Proposal
	open      map[string]int // pull request number by branch
	outputs   map[string]string
}

var (
	_ platform.Platform = (*testPlatform)(nil)
	_ platform.Proposer = (*testPlatform)(nil)
	_ platform.Outputs  = (*testPlatform)(nil)
)

func newTestPlatform(name string) *testPlatform {
	return &testPlatform{name: name, open: map[string]int{}, outputs: map[string]string{}}
}

func (p *testPlatform) Name() string { return p.name }

func (p *testPlatform) Event(context.Context) (*platform.Event, error) {
	return &platform.Event{Kind: platform.Schedule, DefaultBranch: "main"}, nil
}

func (p *testPlatform) Publish(_ context.Context, ev *platform.Event, r *platform.Report) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.published = append(p.published, r)
	p.events = append(p.events, *ev)
	return nil
}

func (p *testPlatform) Propose(_ context.Context, pr platform.Proposal) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.proposals = append(p.proposals, pr)
	n, ok := p.open[pr.Branch]
	if !ok {
		n = len(p.open) + 1
		p.open[pr.Branch] = n
	}
	return fmt.Sprintf("https://ci.example/pull/%d", n), nil
}

func (p *testPlatform) SetOutputs(values map[string]string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, v := range values {
		p.outputs[k] = v
	}
	return nil
}

func loadConfig(t testing.TB, root string) *config.Config {
	t.Helper()
	cfg, err := config.Load(root, "")
	require.NoError(t, err)
	return cfg
}
