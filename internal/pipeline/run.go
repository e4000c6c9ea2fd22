package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/gofrs/flock"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/pipeline/lock"
	"github.com/mlci-dev/mlci/internal/progress"
)

// The results of a stage in a run.
const (
	Ran      = "ran"
	Skipped  = "skipped"
	Restored = "restored"
	Failed   = "failed"
)

// RunOptions say what Run does.
type RunOptions struct {
	// Stages to run with their upstream; empty runs them all.
	Stages []string
	// Force runs the stages even when they are up to date.
	Force bool
	// DryRun says what would run and why, and changes nothing.
	DryRun bool
	// Jobs is how many stages may run at once; 0 means the CPUs.
	Jobs int
	// Printer shows the stages as they run; nil uses Options.Printer.
	Printer *progress.Printer
	// Output, when set, also receives the stages' command output.
	Output io.Writer
	// Only runs just the stages named in Stages: their upstream stages are
	// restored from the cache (local, then remote) and fail when they cannot
	// be, as in a CI job that runs one stage of a plan.
	Only bool
	// RestoreOnly runs no stage: each one that is not up to date is restored
	// from the cache or fails, as in the job that collects a plan's results.
	RestoreOnly bool
}

// RunAt runs the pipeline of the tree at root (a baseline's worktree, say)
// as its own configuration file describes it, with cacheDir for the cache:
// with RunOptions.RestoreOnly it brings the outputs its lock file records
// out of the cache and runs nothing.
func RunAt(ctx context.Context, root, configFile, cacheDir string, log *slog.Logger,
	run RunOptions) (*RunResult, error) {
	cfg, err := config.Load(root, configFile)
	if err != nil {
		return nil, err
	}
	p, err := New(cfg, Options{CacheDir: cacheDir, Log: log})
	if err != nil {
		return nil, err
	}
	return p.Run(ctx, run)
}

// RunResult is what a run did, stage by stage in pipeline order.
type RunResult struct {
	DryRun bool          `json:"dry_run,omitempty"`
	Stages []StageResult `json:"stages"`
}

// StageResult is what happened to one stage.
type StageResult struct {
	Name string `json:"name"`
	// Result is Ran, Skipped, Restored or Failed (in a dry run: what would be).
	Result  string  `json:"result"`
	Seconds float64 `json:"seconds"`
	Reason  string  `json:"reason,omitempty"`
	// ExitCode and LastLines describe a failed command.
	ExitCode  int      `json:"exit_code,omitempty"`
	LastLines []string `json:"last_lines,omitempty"`
	// SavedSeconds is, for a restored or skipped stage, how long its last
	// real run took.
	SavedSeconds float64 `json:"saved_seconds,omitempty"`
}

// Run runs the selected stages that are not up to date, upstream first and
// independent stages in parallel, and records each in dvc.lock as it ends.
// A failing stage stops its downstream stages; the others finish. The error
// names every failed stage (exit code 3).
func (p *Pipeline) Run(ctx context.Context, opts RunOptions) (*RunResult, error) {
	nodes, err := p.selectStages(opts.Stages)
	if err != nil {
		return nil, err
	}
	if err := p.checkSources(nodes); err != nil {
		return nil, err
	}
	lf, err := p.readLock()
	if err != nil {
		return nil, err
	}
	if opts.Printer == nil {
		opts.Printer = p.opts.Printer
	}
	if opts.DryRun {
		return p.dryRun(nodes, lf, opts)
	}

	unlock, err := p.lockRun(ctx, opts.Printer)
	if err != nil {
		return nil, err
	}
	defer unlock()

	r := &runner{p: p, opts: opts, lock: lf, h: p.openHasher(), console: newConsole(opts)}
	defer r.h.close(p)
	results := r.schedule(ctx, nodes)
	return &RunResult{Stages: results}, r.err(ctx, results)
}

// checkSources fails before anything runs when a dependency does not exist
// and no stage writes it, or a param is missing.
func (p *Pipeline) checkSources(nodes []*node) error {
	for _, n := range nodes {
		if _, err := p.paramValues(n); err != nil && !p.producesParams(n) {
			return err
		}
		for _, d := range n.stage.Deps {
			if _, err := os.Stat(p.abs(d)); err == nil || p.produced(d) {
				continue
			}
			return exit.Usagef("stage %s: dependency %s does not exist and no stage writes it",
				n.stage.Name, d)
		}
	}
	return nil
}

// producesParams reports whether a stage writes a params file n reads.
func (p *Pipeline) producesParams(n *node) bool {
	for _, ref := range n.stage.Params {
		if p.produced(ref.File) {
			return true
		}
	}
	return false
}

func (p *Pipeline) produced(dep string) bool {
	d := filepath.Clean(filepath.FromSlash(dep))
	for _, n := range p.nodes {
		if n.writes(d) {
			return true
		}
	}
	return false
}

// lockRun takes the repository's run lock, waiting for another mlci run.
func (p *Pipeline) lockRun(ctx context.Context, pr *progress.Printer) (func(), error) {
	if err := os.MkdirAll(p.opts.StateDir, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", p.opts.StateDir, err)
	}
	writeIgnore(p.opts.StateDir)
	fl := flock.New(filepath.Join(p.opts.StateDir, "run.lock"))
	ok, err := fl.TryLock()
	if err == nil && !ok {
		pr.Infof("waiting for another mlci run in %s to finish…", p.root)
		ok, err = fl.TryLockContext(ctx, 200*time.Millisecond)
	}
	if err != nil || !ok {
		return nil, fmt.Errorf("taking the run lock: %w", errors.Join(err, ctx.Err()))
	}
	return func() { _ = fl.Unlock() }, nil
}

// runner is one Run in progress.
type runner struct {
	p       *Pipeline
	opts    RunOptions
	h       *hasher
	console *console

	mu   sync.Mutex // guards lock and its file
	lock *lock.File
}

// finish is a stage that ended, with its result.
type finish struct {
	n   *node
	res StageResult
}

// schedule runs the nodes with opts.Jobs at once, each once its upstream
// stages have succeeded; a stage whose upstream failed is skipped.
func (r *runner) schedule(ctx context.Context, nodes []*node) []StageResult {
	index := map[*node]int{}
	for i, n := range nodes {
		index[n] = i
	}
	waiting := map[*node]int{}
	for _, n := range nodes {
		for _, u := range n.up {
			if _, ok := index[u]; ok {
				waiting[n]++
			}
		}
	}

	finished := make(chan finish)
	slots := make(chan struct{}, jobs(r.opts.Jobs))
	start := func(n *node, failedUp string) {
		go func() {
			if failedUp != "" {
				finished <- r.skip(n, "upstream stage "+failedUp+" failed")
				return
			}
			slots <- struct{}{}
			res := r.stage(ctx, n)
			<-slots
			finished <- finish{n, res}
		}()
	}
	for _, n := range nodes {
		if waiting[n] == 0 {
			start(n, "")
		}
	}

	results := make([]StageResult, len(nodes))
	failedUp := map[*node]string{}
	for range nodes {
		f := <-finished
		results[index[f.n]] = f.res
		for _, m := range f.n.down {
			if _, ok := index[m]; !ok {
				continue
			}
			if f.res.Result == Failed {
				failedUp[m] = f.n.stage.Name
			} else if failedUp[f.n] != "" {
				failedUp[m] = failedUp[f.n]
			}
			if waiting[m]--; waiting[m] == 0 {
				start(m, failedUp[m])
			}
		}
	}
	return results
}

// skip reports a stage that is not run because of its upstream.
func (r *runner) skip(n *node, reason string) finish {
	r.opts.Printer.Skipped(n.stage.Name, reason)
	return finish{n, StageResult{Name: n.stage.Name, Result: Skipped, Reason: reason}}
}

func jobs(n int) int {
	if n > 0 {
		return n
	}
	return runtime.NumCPU()
}

// err returns the error for a run's results: every failed stage, named.
func (r *runner) err(ctx context.Context, results []StageResult) error {
	var msgs []string
	for _, res := range results {
		if res.Result != Failed {
			continue
		}
		msg := "stage " + res.Name + " failed: " + res.Reason
		if len(res.LastLines) > 0 {
			msg += "\n  last lines of its output:\n    " + strings.Join(res.LastLines, "\n    ")
		}
		msgs = append(msgs, msg)
	}
	if len(msgs) == 0 {
		if ctx.Err() != nil {
			return exit.Externalf("run interrupted")
		}
		return nil
	}
	return exit.Externalf("%s", strings.Join(msgs, "\n"))
}
