package main

import (
	"context"
	"io"
	"sync"

	"github.com/spf13/cobra"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/git"
	"github.com/mlci-dev/mlci/internal/metrics"
	"github.com/mlci-dev/mlci/internal/registry"
	"github.com/mlci-dev/mlci/internal/remote"
)

func init() { register(newDiffCmd) }

// baselineFlags choose the baseline, for diff and validate.
type baselineFlags struct {
	base  string
	stage string
}

func (b *baselineFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&b.base, "base", "", "`ref` to compare with (default: the merge "+
		"base of HEAD and the default branch)")
	cmd.Flags().StringVar(&b.stage, "baseline", "", "compare with the version a registry "+
		"`stage` holds (production)")
}

// options returns the baseline options for cfg; model names the model whose
// registry stage is asked for.
//
// TODO: with --baseline STAGE and several models, each model's version in
// the stage may be a different commit; the baseline is then one per model,
// which metrics.Lookup does not give yet, so the lone or named model's is used.
func (b *baselineFlags) options(g *globals, cfg *config.Config, model string) metrics.Options {
	if model == "" && len(cfg.Models) == 1 {
		model = cfg.Models[0].Name
	}
	return metrics.Options{Ref: b.base, Stage: b.stage, Model: model, LockFile: cfg.LockFile,
		Registry: func(ctx context.Context, model, stage string) (string, error) {
			return registry.StageRevision(ctx, git.Repo{Dir: cfg.Root}, model, stage)
		},
		Fetch: fetcher(g, cfg)}
}

// fetcher fetches baseline outputs from the remote cache mlci.yaml
// configures; nil without one.
func fetcher(g *globals, cfg *config.Config) metrics.FetchFunc {
	if cfg.Remote.URL == "" {
		return nil
	}
	return remote.Fetcher(sync.OnceValues(func() (*remote.Remote, error) {
		return openRemote(g, cfg)
	}))
}

func newDiffCmd(g *globals) *cobra.Command {
	var (
		flags baselineFlags
		all   bool
	)
	cmd := &cobra.Command{
		Use:   "diff",
		Short: "Compare metrics and params with the baseline",
		Long: `diff reads the metrics files (of the stages and the models) and the params the
stages read, in the work tree and at the baseline, and shows every metric that
changed with its baseline and candidate values, the absolute change and the
relative change ((candidate − baseline) / |baseline|), and every param that
differs.

The baseline is the merge base of HEAD and the default branch unless --base
names another revision. Metrics kept in the cache rather than in git are read
from the cache entry the baseline's lock file names.

With --format json the result is {"baseline": {...}, "metrics": [{"file", "key",
"base", "head", "change", "relative"}], "params": [{"file", "key", "base",
"head", "status"}]}; NaN and infinities are written as strings.`,
		Example: `  mlci diff                     # changed metrics and params against main
  mlci diff --base HEAD~1 --all # everything, changed or not, against the last commit
  mlci diff --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.load()
			if err != nil {
				return err
			}
			c, err := runDiff(cmd, g, cfg, flags)
			if err != nil {
				return err
			}
			if !all {
				c = c.Changed()
			}
			return g.print(
				c,
				func(w io.Writer) error { return c.WriteText(w, cfg.Report.Precision) },
			)
		},
	}
	flags.add(cmd)
	cmd.Flags().BoolVar(&all, "all", false, "show unchanged metrics and params too")
	return cmd
}

// runDiff reads both sides and compares them.
func runDiff(cmd *cobra.Command, g *globals, cfg *config.Config,
	flags baselineFlags) (*metrics.Comparison, error) {
	ctx := cmd.Context()
	b, err := metrics.Lookup(ctx, cfg.Root, flags.options(g, cfg, ""))
	if err != nil {
		return nil, err
	}
	files := metrics.FilesOf(cfg)
	head, err := metrics.ReadSide(ctx, metrics.WorkTree(cfg.Root), files)
	if err != nil {
		return nil, err
	}
	for _, f := range head.Missing {
		g.log.Warn("missing in the work tree", "file", f)
	}

	var base *metrics.Side
	if b.Exists() {
		if base, err = metrics.ReadSide(ctx, b, files); err != nil {
			return nil, err
		}
		for _, f := range base.Missing {
			g.log.Info("not in the baseline", "file", f, "baseline", b.String())
		}
	}
	return metrics.Compare(base, head, files, b), nil
}
