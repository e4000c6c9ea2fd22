package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/params"
	"github.com/mlci-dev/mlci/internal/pipeline/digest"
	"github.com/mlci-dev/mlci/internal/pipeline/lock"
	"github.com/mlci-dev/mlci/internal/pipeline/statcache"
)

// The states of a stage.
const (
	UpToDate = "up-to-date"
	Changed  = "changed"
	Missing  = "missing"
	NeverRun = "never-run"
)

// StageStatus says whether a stage is up to date and, if not, why.
type StageStatus struct {
	Name string `json:"name"`
	// State is UpToDate, Changed, Missing (only outputs are missing) or NeverRun.
	State   string   `json:"state"`
	Reasons []string `json:"reasons"`
}

// Status compares every stage with dvc.lock. A stage downstream of one that
// is not up to date is reported changed, with the upstream stage as reason.
func (p *Pipeline) Status(ctx context.Context) ([]StageStatus, error) {
	lf, err := p.readLock()
	if err != nil {
		return nil, err
	}
	h := p.openHasher()
	defer h.close(p)

	var out []StageStatus
	stale := map[*node]bool{}
	for _, n := range p.nodes {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c, err := p.check(n, lf.Stage(n.stage.Name), h)
		if err != nil {
			return nil, err
		}
		c.propagate(n, stale)
		stale[n] = c.state != UpToDate
		out = append(out, StageStatus{Name: n.stage.Name, State: c.state,
			Reasons: c.reasons})
	}
	return out, nil
}

// propagate marks c changed when an upstream stage is not up to date.
func (c *check) propagate(n *node, stale map[*node]bool) {
	for _, u := range n.up {
		if stale[u] {
			c.reasons = append(c.reasons, "upstream "+u.stage.Name+" is not up to date")
			if c.state == UpToDate || c.state == Missing {
				c.state = Changed
			}
		}
	}
}

func (p *Pipeline) readLock() (*lock.File, error) {
	lf, err := lock.Read(p.lockFile())
	var se *lock.SchemaError
	var fe *lock.FormatError
	if errors.As(err, &se) || errors.As(err, &fe) {
		return nil, exit.With(exit.Usage, err)
	}
	return lf, err
}

// hasher is a digest.Hasher with the stat cache it may hold open.
type hasher struct {
	*digest.Hasher
	store *statcache.Store
}

// openHasher opens the stat cache; without it, hashing just reads more.
func (p *Pipeline) openHasher() *hasher {
	h := &hasher{Hasher: &digest.Hasher{Ignore: p.ignore}}
	store, err := statcache.Open(filepath.Join(p.opts.StateDir, "stat.db"))
	if err != nil {
		p.opts.Log.Debug("going without the stat cache", "err", err)
		return h
	}
	writeIgnore(p.opts.StateDir)
	h.Cache, h.store = store, store
	return h
}

func (h *hasher) close(p *Pipeline) {
	if h.store == nil {
		return
	}
	if err := h.store.Close(); err != nil {
		p.opts.Log.Warn("could not save the stat cache", "err", err)
	}
}

// writeIgnore keeps mlci's working directories out of git.
func writeIgnore(dir string) {
	path := filepath.Join(dir, ".gitignore")
	if _, err := os.Stat(path); err == nil {
		return
	}
	_ = os.WriteFile(path, []byte("*\n"), 0o644)
}

// check is what comparing a stage with its lock record found, with the
// current hashes of its inputs.
type check struct {
	state   string
	reasons []string
	// missingDeps are dependencies that do not exist.
	missingDeps []string
	// deps are the dependencies' md5 hashes; legacy holds the legacy hash of
	// those whose lock entry is legacy, by path.
	deps   []lock.Entry
	legacy map[string]string
	params []lock.Params
}

func (c *check) because(state, format string, args ...any) {
	c.reasons = append(c.reasons, fmt.Sprintf(format, args...))
	if rank(state) > rank(c.state) {
		c.state = state
	}
}

func rank(state string) int {
	return slices.Index([]string{UpToDate, Missing, Changed, NeverRun}, state)
}

// check hashes the stage's inputs and outputs and compares them with rec,
// its record in the lock file (nil when there is none).
func (p *Pipeline) check(n *node, rec *lock.Stage, h *hasher) (*check, error) {
	st := n.stage
	c := &check{state: UpToDate, reasons: []string{}}
	var err error
	if c.params, err = p.paramValues(n); err != nil {
		return nil, err
	}
	if err := p.hashDeps(n, rec, h, c); err != nil {
		return nil, err
	}
	for _, d := range c.missingDeps {
		c.because(Changed, "dependency %s does not exist", d)
	}

	switch {
	case rec == nil:
		c.because(NeverRun, "never run")
		return c, nil
	case st.Frozen:
		c.reasons = append(c.reasons, "frozen")
	default:
		if st.AlwaysChanged {
			c.because(Changed, "always changed")
		}
		compareCmd(st.Cmd, rec, c)
		c.compareDeps(rec)
		compareParams(c.params, rec, c)
	}
	return c, p.compareOuts(n, rec, h, c)
}

// hashDeps hashes the dependencies in parallel. Where the lock holds a
// legacy entry for a path, the legacy hash is computed too, for comparing.
func (p *Pipeline) hashDeps(n *node, rec *lock.Stage, h *hasher, c *check) error {
	deps := n.stage.Deps
	entries := make([]lock.Entry, len(deps))
	legacy := make([]string, len(deps))
	errs := make([]error, len(deps))
	var wg sync.WaitGroup
	for i, d := range deps {
		wg.Go(func() {
			path := lockPath(n.stage, d)
			info, _, err := h.Path(p.abs(d), digest.MD5)
			entries[i], errs[i] = entry(path, info), err
			if e := findEntry(recDeps(rec), path); err == nil && e != nil && e.Legacy {
				info, _, errs[i] = h.Path(p.abs(d), digest.LegacyMD5)
				legacy[i] = info.MD5
			}
		})
	}
	wg.Wait()

	c.legacy = map[string]string{}
	for i, err := range errs {
		switch {
		case errors.Is(err, os.ErrNotExist):
			c.missingDeps = append(c.missingDeps, deps[i])
			entries[i].MD5 = ""
		case err != nil:
			return fmt.Errorf("stage %s: hashing %s: %w", n.stage.Name, deps[i], err)
		case legacy[i] != "":
			c.legacy[entries[i].Path] = legacy[i]
		}
	}
	c.deps = entries
	return nil
}

func recDeps(rec *lock.Stage) []lock.Entry {
	if rec == nil {
		return nil
	}
	return rec.Deps
}

func findEntry(es []lock.Entry, path string) *lock.Entry {
	for i := range es {
		if es[i].Path == path {
			return &es[i]
		}
	}
	return nil
}

func entry(path string, info digest.Info) lock.Entry {
	return lock.Entry{Path: path, MD5: info.MD5, Size: info.Size, NFiles: info.NFiles,
		IsExec: info.IsExec}
}

// paramValues reads the values of the stage's params.
func (p *Pipeline) paramValues(n *node) ([]lock.Params, error) {
	var out []lock.Params
	for _, ref := range n.stage.Params {
		file := ref.File
		if file == "" {
			file = params.DefaultFile
		}
		m, err := params.Load(p.abs(file))
		if err != nil {
			return nil, exit.Usagef("stage %s: %v", n.stage.Name, err)
		}
		vals := map[string]any{}
		if len(ref.Keys) == 0 {
			vals = m
		}
		for _, k := range ref.Keys {
			v, ok := params.Lookup(m, k)
			if !ok {
				return nil, exit.Usagef("stage %s: %s has no param %s", n.stage.Name, file, k)
			}
			vals[k] = v
		}
		out = append(out, lock.Params{Path: lockPath(n.stage, file), Values: vals})
	}
	return out, nil
}

func compareCmd(cmd []string, rec *lock.Stage, c *check) {
	if !slices.Equal(cmd, rec.Cmd) {
		c.because(Changed, "cmd changed")
	}
}

func (c *check) compareDeps(rec *lock.Stage) {
	for _, d := range c.deps {
		old := findEntry(rec.Deps, d.Path)
		now := d.MD5
		if old != nil && old.Legacy {
			now = c.legacy[d.Path]
		}
		switch {
		case d.MD5 == "":
		case old == nil:
			c.because(Changed, "new dependency %s", d.Path)
		case old.MD5 != now:
			c.because(Changed, "%s changed", d.Path)
		}
	}
	for _, old := range rec.Deps {
		if findEntry(c.deps, old.Path) == nil {
			c.because(Changed, "dependency %s removed", old.Path)
		}
	}
}

func compareParams(now []lock.Params, rec *lock.Stage, c *check) {
	was := map[string]map[string]any{}
	for _, ps := range rec.Params {
		was[ps.Path] = ps.Values
	}
	for _, ps := range now {
		old := was[ps.Path]
		for _, k := range sortedKeys(ps.Values) {
			ov, ok := old[k]
			switch {
			case !ok:
				c.because(Changed, "new param %s", k)
			case !equalValue(ov, ps.Values[k]):
				c.because(Changed, "param %s changed (%s → %s)", k,
					params.Format(ov), params.Format(ps.Values[k]))
			}
		}
		for _, k := range sortedKeys(old) {
			if _, ok := ps.Values[k]; !ok {
				c.because(Changed, "param %s removed", k)
			}
		}
		delete(was, ps.Path)
	}
	for path := range was {
		c.because(Changed, "params of %s removed", path)
	}
}

// compareOuts checks each output exists and matches its lock record.
func (p *Pipeline) compareOuts(n *node, rec *lock.Stage, h *hasher, c *check) error {
	for _, o := range n.outs {
		path := lockPath(n.stage, o.path)
		old := findEntry(rec.Outs, path)
		if old == nil {
			c.because(Changed, "new output %s", path)
			continue
		}
		algo := digest.MD5
		if old.Legacy {
			algo = digest.LegacyMD5
		}
		info, _, err := h.Path(p.abs(o.path), algo)
		switch {
		case errors.Is(err, os.ErrNotExist):
			c.because(Missing, "output %s is missing", path)
		case err != nil:
			return fmt.Errorf("stage %s: hashing %s: %w", n.stage.Name, path, err)
		case info.MD5 != old.MD5:
			c.because(Changed, "output %s was modified", path)
		}
	}
	if len(rec.Outs) != len(n.outs) {
		c.because(Changed, "outputs changed")
	}
	return nil
}
