package demo

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/flow"
	"github.com/mlci-dev/mlci/internal/pipeline"
	"github.com/mlci-dev/mlci/internal/platform/local"
	"github.com/mlci-dev/mlci/internal/progress"
)

// Options configure a demo run.
type Options struct {
	// Dir is an empty or missing folder the demo works in.
	Dir string
	// Version is mlci's version, shown in the report.
	Version string
	// Report receives the final Markdown report; Printer shows progress.
	Report  io.Writer
	Printer *progress.Printer
	Log     *slog.Logger
}

// Outcome is what the demo produced.
type Outcome struct {
	*flow.Outcome
	// Repo is the demo's repository; ReportDir holds the last report's files.
	Repo      string
	ReportDir string
}

// Run plays a pull request on the example project as CI would see it: the
// baseline is trained and recorded on main, then two pushes of the pull
// request each run `mlci ci` in a fresh clone that shares main's cache, as CI
// runners share a cache. The second push's report is the one printed.
func Run(ctx context.Context, o Options) (*Outcome, error) {
	if o.Printer == nil {
		o.Printer = progress.Discard()
	}
	origin := filepath.Join(o.Dir, "repo")
	cache := filepath.Join(o.Dir, "cache")

	r, err := Create(ctx, origin)
	if err != nil {
		return nil, err
	}
	if err := r.trainBaseline(ctx, o, cache); err != nil {
		return nil, err
	}

	commits, err := Commits()
	if err != nil {
		return nil, err
	}
	if err := r.Branch(ctx, Branch); err != nil {
		return nil, err
	}
	pushes := [][]Commit{commits[:2], commits[2:]}
	var last *Outcome
	for i, push := range pushes {
		if err := r.Checkout(ctx, Branch); err != nil {
			return nil, err
		}
		for _, c := range push {
			if err := r.Apply(ctx, c); err != nil {
				return nil, err
			}
		}
		// origin's HEAD stays on main, as a hosted repository's default branch.
		if err := r.Checkout(ctx, "main"); err != nil {
			return nil, err
		}
		o.Printer.Infof("\n=== push %d of %d to %s", i+1, len(pushes), Branch)
		out := io.Writer(nil)
		if i == len(pushes)-1 {
			out = o.Report
		}
		if last, err = r.ciRun(ctx, o, cache, i+1, out); err != nil {
			return nil, err
		}
	}
	return last, nil
}

// trainBaseline runs the whole pipeline on main and commits its lock file, as
// main's CI would, filling the shared cache.
func (r *Repo) trainBaseline(ctx context.Context, o Options, cache string) error {
	o.Printer.Infof("=== main: train and record the baseline")
	cfg, err := config.Load(r.Dir, "")
	if err != nil {
		return fmt.Errorf("loading the example's configuration: %w", err)
	}
	p, err := pipeline.New(cfg, pipeline.Options{CacheDir: cache, Printer: o.Printer, Log: o.Log})
	if err != nil {
		return err
	}
	if _, err := p.Run(ctx, pipeline.RunOptions{Printer: o.Printer}); err != nil {
		return fmt.Errorf("training the baseline: %w", err)
	}
	return r.CommitAll(ctx, "Record the baseline run")
}

// ciRun clones the repository at the pull request's head into a fresh work
// tree, as a CI checkout is, and runs the flow there.
func (r *Repo) ciRun(ctx context.Context, o Options, cache string, n int,
	report io.Writer) (*Outcome, error) {
	work := filepath.Join(o.Dir, fmt.Sprintf("ci-%d", n))
	if err := clone(ctx, r.Dir, work, Branch); err != nil {
		return nil, err
	}

	reportDir := filepath.Join(o.Dir, fmt.Sprintf("report-%d", n))
	out, err := flow.Run(ctx, flow.Options{
		Root:      work,
		Platform:  local.New(work, report),
		ReportDir: reportDir,
		CacheDir:  cache,
		Version:   o.Version,
		Printer:   o.Printer,
		Log:       o.Log,
	})
	if err != nil {
		return nil, err
	}
	return &Outcome{Outcome: out, Repo: r.Dir, ReportDir: reportDir}, nil
}

// clone makes a clone of src at branch in dst, with origin's HEAD pointing at
// main as a CI checkout has it.
func clone(ctx context.Context, src, dst, branch string) error {
	cmd := exec.CommandContext(ctx, "git", "clone", "-q", "--branch", branch, src, dst)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("cloning the demo repository: %w: %s", err, out)
	}
	return nil
}
