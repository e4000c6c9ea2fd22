package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/plan"
)

func init() { register(newPlanCmd) }

// planOptions are mlci plan's flags.
type planOptions struct {
	base, head string
	all        bool
	runsOn     []string
	image      string
	output     string
	maxLevels  int
}

func newPlanCmd(g *globals) *cobra.Command {
	var o planOptions
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Turn the affected stages into CI jobs that mirror the pipeline's DAG",
		Long: `plan spreads a pipeline over the CI system's own runners. It detects what
changed (as mlci changes does), takes the stages that change affects, and groups
them in levels of jobs that can run at once; each job runs one stage with
mlci run --stage NAME on the runner its runs_on labels in dvc.yaml or mlci.yaml
name, sharing outputs through the remote cache. Stages the change does not
affect are not planned: their outputs come from the cache.

--format github-matrix prints one line of JSON for a job output: levels[i] is
the strategy.matrix of the workflow's i-th level job, depth the number of
levels. --format gitlab-pipeline writes a child pipeline for
trigger: include: artifact: (one job per stage, needs: from the DAG, tags:
from runs_on). docs/scaling.md has both workflows.`,
		Example: `  mlci plan                                    # the levels, for people
  echo "plan=$(mlci plan --format github-matrix --max-levels 4)" >> "$GITHUB_OUTPUT"
  mlci plan --format gitlab-pipeline --output mlci-child.yml
  mlci plan --all --format json                # every stage, as JSON`,
		Annotations: map[string]string{"formats": "text, json, github-matrix, gitlab-pipeline"},
		Args:        cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runPlan(cmd, g, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.base, "base", "", "`ref` to compare with (default: from the CI event, "+
		"else the default branch)")
	f.StringVar(&o.head, "head", "", "`ref` to compare (default: from the CI event, else HEAD)")
	f.BoolVar(&o.all, "all", false, "plan every stage, whatever changed")
	f.StringSliceVar(&o.runsOn, "runs-on", []string{"ubuntu-latest"},
		"GitHub runner `labels` of stages without runs_on")
	f.StringVar(&o.image, "image", plan.DefaultImage, "`image` of the GitLab jobs")
	f.StringVarP(&o.output, "output", "o", "", "write the plan to `file` instead of stdout")
	f.IntVar(&o.maxLevels, "max-levels", 0, "fail when the plan has more than `n` levels "+
		"(the level jobs the workflow defines); 0 for no bound")
	return cmd
}

func runPlan(cmd *cobra.Command, g *globals, o planOptions) error {
	format := g.format
	switch format {
	case "", "text", "json", "github-matrix", "gitlab-pipeline":
	default:
		return exit.Usagef("--format: %q is not one of text, json, github-matrix, "+
			"gitlab-pipeline", format)
	}
	p, err := makePlan(cmd, g, o)
	if err != nil {
		return err
	}
	if o.maxLevels > 0 && len(p.Levels) > o.maxLevels {
		return exit.Usagef("the plan has %d levels, more than --max-levels %d: add level "+
			"jobs to the workflow", len(p.Levels), o.maxLevels)
	}

	var buf bytes.Buffer
	switch format {
	case "github-matrix":
		err = p.WriteGitHubMatrix(&buf, o.runsOn)
	case "gitlab-pipeline":
		err = p.WriteGitLab(&buf, plan.GitLabOptions{Image: o.image, Args: globalArgs(g)})
	case "json":
		err = writeJSON(&buf, p)
	default:
		err = p.WriteText(&buf)
	}
	if err != nil {
		return err
	}
	return writeOutput(g.stdout, o.output, buf.Bytes())
}

// makePlan plans every stage with --all, else the stages the change affects.
func makePlan(cmd *cobra.Command, g *globals, o planOptions) (*plan.Plan, error) {
	cfg, err := g.load()
	if err != nil {
		return nil, err
	}
	if o.all {
		names := make([]string, len(cfg.Stages))
		for i, s := range cfg.Stages {
			names[i] = s.Name
		}
		return plan.New(cfg, names)
	}
	res, err := runChanges(cmd.Context(), g, o.base, o.head)
	if err != nil {
		return nil, err
	}
	return plan.New(cfg, res.Stages)
}

// globalArgs are the global flags the planned jobs must pass on.
func globalArgs(g *globals) []string {
	var args []string
	if g.config != "" {
		args = append(args, "--config", g.config)
	}
	if g.logLevel != "" && g.logLevel != "info" {
		args = append(args, "--log-level", g.logLevel)
	}
	return args
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("writing JSON: %w", err)
	}
	return nil
}

// writeOutput writes data to stdout, or to file through a temporary file
// renamed into place, so that a failed write leaves no half plan.
func writeOutput(stdout io.Writer, file string, data []byte) error {
	if file == "" || file == "-" {
		_, err := stdout.Write(data)
		return err
	}
	dir := filepath.Dir(file)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return exit.Usagef("--output %s: %v", file, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(file)+".tmp-*")
	if err != nil {
		return exit.Usagef("--output %s: %v", file, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", file, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", file, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", file, err)
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return fmt.Errorf("writing %s: %w", file, err)
	}
	return nil
}
