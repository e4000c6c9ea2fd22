package main

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/mlci-dev/mlci/internal/changes"
	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/git"
	"github.com/mlci-dev/mlci/internal/platform"
	"github.com/mlci-dev/mlci/internal/platform/github"
	"github.com/mlci-dev/mlci/internal/platform/gitlab"
)

func init() { register(newChangesCmd) }

func newChangesCmd(g *globals) *cobra.Command {
	var base, head string
	cmd := &cobra.Command{
		Use:   "changes",
		Short: "Classify what changed and list the pipeline stages it affects",
		Long: `changes diffs two commits, gives every changed path a class (code, data,
params, pipeline, docs, other; globs in mlci.yaml's changes:), compares params
files key by key and DVC-tracked data by hash, and lists the stages the change
affects, in pipeline order, with the reason for each.

Without --base, the commits come from the CI event (a pull request's base and
head, a push's before and after), else HEAD is compared with its merge base
with the default branch. A shallow clone is deepened a few commits at a time
as needed; when it cannot reach the base, the platform's API lists the files.

In GitHub Actions the result also becomes step outputs (code_changed,
data_changed, params_changed, pipeline_changed, docs_changed, other_changed,
stages, changed, tests); in GitLab CI, a dotenv report for later jobs.`,
		Example: `  mlci changes                          # HEAD against its merge base with main
  mlci changes --base main --head feature
  mlci changes --base HEAD~3 --format json`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return exit.Usagef(
					"changes takes no arguments, got %q; use --base and --head", args)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			res, err := runChanges(cmd.Context(), g, base, head)
			if err != nil {
				return err
			}
			if g.json() {
				// The same bytes g.print writes, without re-indenting a
				// change set of thousands of files.
				return res.WriteJSON(g.stdout)
			}
			return g.print(res, res.WriteText)
		},
	}
	cmd.Flags().StringVar(&base, "base", "", "`ref` to compare with (default: from the CI event, "+
		"else the default branch)")
	cmd.Flags().StringVar(&head, "head", "",
		"`ref` to compare (default: from the CI event, else HEAD)")
	return cmd
}

// runChanges detects the changes and hands the outputs to the CI platform.
func runChanges(ctx context.Context, g *globals, base, head string) (*changes.Result, error) {
	// The change set is built once and kept to the end: collecting garbage
	// while it grows costs more time than the memory it would save.
	defer debug.SetGCPercent(debug.SetGCPercent(400))

	root, err := g.root()
	if err != nil {
		return nil, err
	}
	cfg, err := g.load()
	if err != nil {
		return nil, err
	}
	plat, err := changesPlatform(ctx, g)
	if err != nil {
		return nil, err
	}

	opts := changes.Options{Repo: git.Repo{Dir: root}, Config: cfg, Base: base, Head: head,
		Log: g.log}
	if plat != nil && base == "" && head == "" {
		if opts.Event, err = plat.Event(ctx); err != nil {
			return nil, fmt.Errorf("reading the CI event: %w", err)
		}
		opts.Lister, _ = plat.(platform.FileLister)
	}
	res, err := changes.Detect(ctx, opts)
	if err != nil {
		return nil, err
	}

	if out, ok := plat.(platform.Outputs); ok {
		if err := out.SetOutputs(res.Outputs()); err != nil {
			return nil, fmt.Errorf("setting the CI outputs: %w", err)
		}
	}
	return res, nil
}

// changesPlatform returns the CI platform mlci runs in, or nil outside CI.
func changesPlatform(ctx context.Context, g *globals) (platform.Platform, error) {
	switch {
	case github.Detect(g.getenv):
		return github.New(ctx, g.getenv, github.Options{Log: g.log, Out: g.stderr})
	case gitlab.Detect(g.getenv):
		return gitlab.New(ctx, g.getenv, gitlab.Options{Log: g.log})
	default:
		return nil, nil
	}
}
