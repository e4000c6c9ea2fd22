package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/gate"
	"github.com/mlci-dev/mlci/internal/git"
	"github.com/mlci-dev/mlci/internal/pipeline"
	"github.com/mlci-dev/mlci/internal/pipeline/atomicfile"
	"github.com/mlci-dev/mlci/internal/progress"
	"github.com/mlci-dev/mlci/internal/serve"
)

func init() { register(newServeCheckCmd) }

// serveFlags override the load of a model's serve: block.
type serveFlags struct {
	rows, requests, concurrency int
	duration                    time.Duration
	base, baseDir               string
	out, junit                  string
}

func newServeCheckCmd(g *globals) *cobra.Command {
	var flags serveFlags
	cmd := &cobra.Command{
		Use:   "serve-check [MODEL]",
		Short: "Start a model's prediction service and check its answers, speed and memory",
		Long: `serve-check starts the prediction service of MODEL as its serve: block in
mlci.yaml says, on a free loopback port (PORT in its environment, $PORT in the
command), and checks it:

  startup  it answers its ready check within ready_timeout;
  answers  its answer for each row of the rows file equals the model's offline
           prediction (predictions:) within tolerance; mismatches are listed;
  process  it runs until stopped, then exits on SIGTERM with every process it
           started (what lingers is killed and reported).

It then puts a bounded load on it (requests or duration, at concurrency) and
measures latency_p50_ms, latency_p95_ms, latency_p99_ms, rps, errors,
load_seconds and peak_rss_mb. With --base or --base-dir the baseline model is
served by the same command from its own work tree and loaded in alternating
rounds, and the serving gates compare the two (max_rise_pct, say).

MODEL may be left out when only one model has a serve: block. The result is
written as JSON and the checks and gates as JUnit XML.

Exit codes: 0 every check and error gate passed, 1 one failed, 2 the serve:
block is misconfigured, 3 the service or git could not be run.`,
		Example: `  mlci serve-check churn
  mlci serve-check churn --base main --requests 2000 --concurrency 8
  mlci serve-check --rows 100 --duration 20s --format json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := g.load()
			if err != nil {
				return err
			}
			m, err := serveModel(cfg, args)
			if err != nil {
				return err
			}
			return runServeCheck(cmd.Context(), g, cfg, flags.apply(m), flags)
		},
	}
	f := cmd.Flags()
	f.IntVar(&flags.rows, "rows", 0, "compare the answers for the first `n` rows (default all)")
	f.IntVar(&flags.requests, "requests", 0, "send `n` requests of load (default: serve.requests)")
	f.DurationVar(&flags.duration, "duration", 0, "send load for this `long` instead of a "+
		"number of requests")
	f.IntVar(&flags.concurrency, "concurrency", 0, "send load from `n` workers "+
		"(default: serve.concurrency)")
	f.StringVar(&flags.base, "base", "", "serve the baseline model from a worktree of `ref` too")
	f.StringVar(&flags.baseDir, "base-dir", "", "serve the baseline model from the work tree "+
		"in `dir` too")
	f.StringVar(&flags.out, "out", filepath.Join(".mlci", "reports", "serving.json"),
		"write the result as JSON to `file` (relative to the repository; empty: none)")
	f.StringVar(&flags.junit, "junit", filepath.Join(".mlci", "reports", "serving.xml"),
		"write the checks and gates as JUnit XML to `file` (relative to the repository; "+
			"empty: none)")
	cmd.MarkFlagsMutuallyExclusive("base", "base-dir")
	cmd.MarkFlagsMutuallyExclusive("requests", "duration")
	return cmd
}

// serveModel picks the model named by args, or the only one with a serve: block.
func serveModel(cfg *config.Config, args []string) (*config.Model, error) {
	var served []string
	for _, m := range cfg.Models {
		if len(args) == 1 && m.Name == args[0] {
			if m.Serve == nil {
				return nil, exit.Usagef("model %s has no serve: block in %s", m.Name, cfg.File)
			}
			return m, nil
		}
		if m.Serve != nil {
			served = append(served, m.Name)
		}
	}
	switch {
	case len(args) == 1:
		return nil, exit.Usagef("no model %q in %s", args[0], cfg.File)
	case len(served) == 0:
		return nil, exit.Usagef("no model has a serve: block in %s", cfg.File)
	case len(served) > 1:
		return nil, exit.Usagef("name the model to check: %s", strings.Join(served, ", "))
	}
	for _, m := range cfg.Models {
		if m.Name == served[0] {
			return m, nil
		}
	}
	return nil, nil
}

// apply returns m with the flags' overrides of its serve: block.
func (f serveFlags) apply(m *config.Model) *config.Model {
	s := *m.Serve
	if f.requests > 0 {
		s.Requests, s.Duration = f.requests, 0
	}
	if f.duration > 0 {
		s.Requests, s.Duration = 0, f.duration
	}
	if f.concurrency > 0 {
		s.Concurrency = f.concurrency
	}
	out := *m
	out.Serve = &s
	return &out
}

func runServeCheck(ctx context.Context, g *globals, cfg *config.Config, m *config.Model,
	flags serveFlags) error {
	baseRoot, cleanup, err := baseTree(ctx, g, cfg.Root, flags)
	if err != nil {
		return err
	}
	defer cleanup()

	res, err := serve.Check(ctx, serve.Options{Root: cfg.Root, BaseRoot: baseRoot, Model: m,
		Rows: flags.rows, Log: g.log, Printer: g.status})
	if err != nil {
		return err
	}
	out, junit := under(cfg.Root, flags.out), under(cfg.Root, flags.junit)
	if err := writeServing(res, out, junit); err != nil {
		return err
	}
	if err := g.print(res, res.WriteText); err != nil {
		return err
	}
	if !res.Passed {
		return exit.With(exit.Failed, errReported)
	}
	return nil
}

// baseTree returns the baseline's work tree: --base-dir as given, or a
// temporary git worktree of --base that cleanup removes, with the stage
// outputs its lock file records (the model, say) restored from the local
// cache; an output the cache lacks stays missing, and the baseline's
// service may then not start, which the result notes.
func baseTree(ctx context.Context, g *globals, root string, f serveFlags) (string, func(), error) {
	nothing := func() {}
	switch {
	case f.baseDir != "":
		dir, err := filepath.Abs(f.baseDir)
		if err != nil {
			return "", nothing, exit.Usagef("--base-dir %s: %v", f.baseDir, err)
		}
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return "", nothing, exit.Usagef("--base-dir %s: not a directory", f.baseDir)
		}
		return dir, nothing, nil
	case f.base == "":
		return "", nothing, nil
	}

	repo := git.Repo{Dir: root}
	rev, err := repo.RevParse(ctx, f.base)
	if err != nil {
		return "", nothing, err
	}
	prefix, err := repo.Prefix(ctx)
	if err != nil {
		return "", nothing, err
	}
	dir, remove, err := repo.TempWorktree(ctx, rev)
	if err != nil {
		return "", nothing, fmt.Errorf("making the baseline's worktree: %w", err)
	}
	cleanup := func() {
		if err := remove(); err != nil {
			g.log.Warn("removing the baseline's worktree", "dir", dir, "err", err)
		}
	}

	baseRoot := filepath.Join(dir, prefix)
	_, err = pipeline.RunAt(ctx, baseRoot, g.config, filepath.Join(root, ".mlci", "cache"),
		g.log, pipeline.RunOptions{RestoreOnly: true, Printer: progress.Discard()})
	if err != nil {
		g.log.Warn("the baseline's outputs are not all in the cache", "err", err)
	}
	return baseRoot, cleanup, nil
}

// writeServing writes the result as JSON and its gates as JUnit XML; an
// empty path is skipped.
func writeServing(res *serve.Result, jsonPath, junitPath string) error {
	if jsonPath != "" {
		data, err := json.MarshalIndent(res, "", "  ")
		if err != nil {
			return fmt.Errorf("encoding the serving result: %w", err)
		}
		if err := atomicfile.Write(jsonPath, append(data, '\n'), 0o644); err != nil {
			return err
		}
	}
	if junitPath == "" {
		return nil
	}
	return gate.NewVerdict(nil, res.Gates).Write("", junitPath)
}
