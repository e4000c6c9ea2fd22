package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/mlci-dev/mlci/internal/pipeline/cache"
	"github.com/mlci-dev/mlci/internal/pipeline/digest"
	"github.com/mlci-dev/mlci/internal/pipeline/lock"
)

// Remote is a cache shared between machines, beside the local one: object
// storage that CI jobs on different runners push outputs to and pull them
// from. A run pulls a stage's run-cache entry and its outputs before
// deciding to run the stage, and pushes what a stage produced after it ran.
//
// Objects are named by md5 as in the local cache; a ".dir" hash stands for
// the directory's manifest and all its files. Package remote implements it
// on S3-compatible storage.
type Remote interface {
	// Push uploads the named objects the remote lacks from c.
	Push(ctx context.Context, c *cache.Cache, md5s []string) error
	// Pull downloads the named objects c lacks, verifying each.
	Pull(ctx context.Context, c *cache.Cache, md5s []string) error
	// PushRun uploads c's run-cache entry under key.
	PushRun(ctx context.Context, c *cache.Cache, key string) error
	// PullRun downloads the run-cache entry under key into c; it is not an
	// error when the remote has none.
	PullRun(ctx context.Context, c *cache.Cache, key string) error
}

// mayRun reports whether the run may execute the stage's commands; the
// others are only restored from the cache.
func (r *runner) mayRun(n *node) bool {
	if r.opts.RestoreOnly {
		return false
	}
	return !r.opts.Only || slices.Contains(r.opts.Stages, n.stage.Name)
}

// pullRun fetches the run-cache entry under key, and the outputs it names,
// from the remote when the local cache cannot restore them.
func (r *runner) pullRun(ctx context.Context, key string) error {
	rem := r.p.opts.Remote
	if rem == nil {
		return nil
	}
	if run, _ := r.p.cache.LookupRun(key); run != nil {
		return nil
	}
	if err := rem.PullRun(ctx, r.p.cache, key); err != nil {
		return fmt.Errorf("pulling the run cache: %w", err)
	}
	run, err := r.p.cache.ReadRun(key)
	if err != nil || run == nil {
		return err
	}
	md5s := make([]string, len(run.Outs))
	for i, o := range run.Outs {
		md5s[i] = o.MD5
	}
	if err := rem.Pull(ctx, r.p.cache, md5s); err != nil {
		return fmt.Errorf("pulling the outputs of a cached run: %w", err)
	}
	return nil
}

// pullRecord fetches the outputs the lock record names from the remote.
func (r *runner) pullRecord(ctx context.Context, rec *lock.Stage) error {
	if r.p.opts.Remote == nil || rec == nil {
		return nil
	}
	if err := r.p.opts.Remote.Pull(ctx, r.p.cache, entryMD5s(rec.Outs)); err != nil {
		return fmt.Errorf("pulling the recorded outputs: %w", err)
	}
	return nil
}

// push sends the outputs a stage produced, and its run-cache entry when it
// has one, to the remote.
func (r *runner) push(ctx context.Context, out *stageOut, key string, outs []lock.Entry,
	withRun bool) error {
	rem := r.p.opts.Remote
	if rem == nil {
		return nil
	}
	out.Linef("pushing %d output(s) to the remote cache", len(outs))
	if err := rem.Push(ctx, r.p.cache, entryMD5s(outs)); err != nil {
		return fmt.Errorf("pushing the outputs to the remote cache: %w", err)
	}
	if !withRun {
		return nil
	}
	if err := rem.PushRun(ctx, r.p.cache, key); err != nil {
		return fmt.Errorf("pushing the run-cache entry to the remote cache: %w", err)
	}
	return nil
}

// restoreOnly brings a stage that may not run here up to date: from the
// outputs its lock record names when only those are missing; else it fails,
// since no cached run has its inputs either.
//
// TODO: a stage with persist outputs or always_changed has no run-cache
// entry, so another job can restore it only through a lock record that this
// checkout does not have; such stages must run in one job with their
// downstream stages.
func (r *runner) restoreOnly(ctx context.Context, n *node, c *check, key string) StageResult {
	name := n.stage.Name
	rec := r.record(name)
	if c.state != Missing || rec == nil {
		return r.failed(name, fmt.Sprintf("it does not run here, and no cached run has its "+
			"inputs (%s; run key %s): the job that runs it must succeed first",
			strings.Join(c.reasons, "; "), key[:12]), nil)
	}
	if err := r.pullRecord(ctx, rec); err != nil {
		return r.failed(name, err.Error(), nil)
	}
	res := r.restoreRecord(n, rec, "restoring the outputs dvc.lock records")
	if res.Result != Failed {
		res.Reason = "outputs restored as dvc.lock records them"
	}
	return res
}

func entryMD5s(es []lock.Entry) []string {
	md5s := make([]string, 0, len(es))
	for _, e := range es {
		if e.MD5 != "" && !e.Legacy {
			md5s = append(md5s, e.MD5)
		}
	}
	return md5s
}

// Push sends the outputs dvc.lock records for the named stages (all when
// none) to the remote, with the run-cache entries of those that are up to
// date, so that other machines can restore them.
func (p *Pipeline) Push(ctx context.Context, stages []string) error {
	if p.opts.Remote == nil {
		return ErrNoRemote
	}
	nodes, lf, err := p.recorded(stages)
	if err != nil {
		return err
	}
	h := p.openHasher()
	defer h.close(p)

	var md5s []string
	for _, n := range nodes {
		rec := lf.Stage(n.stage.Name)
		md5s = append(md5s, entryMD5s(rec.Outs)...)
	}
	if err := p.opts.Remote.Push(ctx, p.cache, md5s); err != nil {
		return fmt.Errorf("pushing outputs: %w", err)
	}
	return p.pushRuns(ctx, nodes, lf, h)
}

// pushRuns pushes the run-cache entries of the stages that are up to date
// and whose entry is in the local cache.
func (p *Pipeline) pushRuns(ctx context.Context, nodes []*node, lf *lock.File, h *hasher) error {
	for _, n := range nodes {
		c, err := p.check(n, lf.Stage(n.stage.Name), h)
		if err != nil {
			return err
		}
		key := runKey(n, c)
		if run, _ := p.cache.ReadRun(key); c.state != UpToDate || run == nil {
			continue
		}
		if err := p.opts.Remote.PushRun(ctx, p.cache, key); err != nil {
			return fmt.Errorf("pushing the run-cache entry of %s: %w", n.stage.Name, err)
		}
	}
	return nil
}

// Pull fetches the outputs dvc.lock records for the named stages (all when
// none) from the remote and writes those that are missing or differ into
// the work tree, as dvc pull does.
func (p *Pipeline) Pull(ctx context.Context, stages []string) error {
	if p.opts.Remote == nil {
		return ErrNoRemote
	}
	nodes, lf, err := p.recorded(stages)
	if err != nil {
		return err
	}
	var md5s []string
	for _, n := range nodes {
		md5s = append(md5s, entryMD5s(lf.Stage(n.stage.Name).Outs)...)
	}
	if err := p.opts.Remote.Pull(ctx, p.cache, md5s); err != nil {
		return fmt.Errorf("pulling outputs: %w", err)
	}

	for _, n := range nodes {
		for _, e := range lf.Stage(n.stage.Name).Outs {
			if err := p.checkout(n, e); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkout writes a recorded output into the work tree unless it is there.
func (p *Pipeline) checkout(n *node, e lock.Entry) error {
	if e.MD5 == "" || e.Legacy {
		return nil
	}
	path := ""
	for _, o := range n.outs {
		if lockPath(n.stage, o.path) == e.Path {
			path = p.abs(o.path)
		}
	}
	if path == "" {
		return nil
	}
	info := digest.Info{MD5: e.MD5, Size: e.Size, NFiles: e.NFiles, IsExec: e.IsExec}
	h := &digest.Hasher{Ignore: p.ignore}
	if now, _, err := h.Path(path, digest.MD5); err == nil && now.MD5 == e.MD5 {
		return nil
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("hashing %s: %w", e.Path, err)
	}
	return p.cache.Restore(path, info)
}

// recorded returns the selected stages that dvc.lock records, and the lock.
func (p *Pipeline) recorded(stages []string) ([]*node, *lock.File, error) {
	nodes, err := p.selectStages(stages)
	if err != nil {
		return nil, nil, err
	}
	lf, err := p.readLock()
	if err != nil {
		return nil, nil, err
	}
	unrecorded := func(n *node) bool { return lf.Stage(n.stage.Name) == nil }
	return slices.DeleteFunc(slices.Clone(nodes), unrecorded), lf, nil
}

// ErrNoRemote is returned by Push and Pull when the pipeline has no remote.
var ErrNoRemote = errors.New("no remote cache is configured (remote: in mlci.yaml)")
