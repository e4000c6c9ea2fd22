package main

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/pipeline"
	"github.com/mlci-dev/mlci/internal/progress"
)

func init() { register(newRunCmd) }

func newRunCmd(g *globals) *cobra.Command {
	var opts pipeline.RunOptions
	var stage string
	cmd := &cobra.Command{
		Use:   "run [STAGE...]",
		Short: "Run the pipeline, skipping stages whose inputs are unchanged",
		Long: `run brings the pipeline up to date, as dvc repro does: a stage runs when its
command, a dependency, a param or an output changed since dvc.lock recorded it.
A stage whose inputs equal a run recorded in the run cache (.mlci/cache) has its
outputs restored instead of running. Named stages run with everything upstream
of them. Independent stages run in parallel (--jobs).

Each stage's output is shown in a log group on GitHub Actions and a collapsible
section on GitLab CI. dvc.lock is written after every stage, so an interrupted
run keeps what finished. A failing stage stops the stages below it; the others
finish, and mlci exits 3 naming the stage, its exit status and its last lines.

With a remote cache (remote: in mlci.yaml), a stage pulls the outputs of a run
with the same inputs from it before running, and pushes what it produced after.
--stage NAME runs that stage alone: the stages above it are restored from the
cache and never run, and fail when no job has produced them.`,
		Example: `  mlci run                    # everything that is not up to date
  mlci run train              # train and what it needs
  mlci run --dry-run          # what would run, and why
  mlci run --force evaluate   # run evaluate and its upstream even if up to date
  mlci run --format json      # stages with result, seconds and reason
  mlci run --stage train      # only train, its inputs restored (a job of mlci plan)`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if stage != "" && len(args) > 0 {
				return exit.Usagef("--stage %s runs one stage; drop %q", stage, args)
			}
			p, err := newPipeline(g)
			if err != nil {
				return err
			}
			opts.Stages, opts.Printer = args, g.status
			if stage != "" {
				opts.Stages, opts.Only = []string{stage}, true
			}
			res, runErr := p.Run(cmd.Context(), opts)
			if res == nil {
				return runErr
			}
			write := func(w io.Writer) error { return writeRun(w, res) }
			if err := g.print(res, write); err != nil {
				return err
			}
			return runErr
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.Force, "force", false, "run the stages even when they are up to date")
	f.BoolVar(&opts.DryRun, "dry-run", false, "say what would run and why; change nothing")
	f.IntVarP(&opts.Jobs, "jobs", "j", runtime.NumCPU(), "stages run at once")
	f.StringVar(&stage, "stage", "", "run only stage `NAME`, restoring the stages above it "+
		"from the cache (local, then remote), as a job of mlci plan does")
	return cmd
}

// newPipeline loads the configuration and builds the pipeline.
func newPipeline(g *globals) (*pipeline.Pipeline, error) {
	cfg, err := g.load()
	if err != nil {
		return nil, err
	}
	opts, err := withRemote(g, cfg, pipeline.Options{Printer: g.status, Log: g.log})
	if err != nil {
		return nil, err
	}
	return pipeline.New(cfg, opts)
}

// writeRun prints a run's results as a table.
func writeRun(w io.Writer, res *pipeline.RunResult) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	verb := ""
	if res.DryRun {
		verb = "would be "
	}
	for _, s := range res.Stages {
		took := progress.Duration(secs(s.Seconds))
		if s.Result == pipeline.Skipped || res.DryRun {
			took = ""
		}
		if s.SavedSeconds > 0 && s.Result != pipeline.Ran {
			took = strings.TrimSpace(took + " (" + progress.Duration(secs(s.SavedSeconds)) +
				" saved)")
		}
		fmt.Fprintf(tw, "%s\t%s%s\t%s\t%s\n", s.Name, verb, s.Result, took, oneLine(s.Reason))
	}
	return tw.Flush()
}
