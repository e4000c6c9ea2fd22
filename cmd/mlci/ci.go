package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/flow"
	"github.com/mlci-dev/mlci/internal/platform"
	"github.com/mlci-dev/mlci/internal/platform/github"
	"github.com/mlci-dev/mlci/internal/platform/gitlab"
	"github.com/mlci-dev/mlci/internal/platform/local"
)

func init() { register(newCICmd) }

type ciOptions struct {
	base      string
	reportDir string
	jobs      int
	collect   bool
}

func newCICmd(g *globals) *cobra.Command {
	var o ciOptions
	cmd := &cobra.Command{
		Use:   "ci",
		Short: "Run the whole flow for the CI event at hand",
		Long: `ci is the entry point of the GitHub Action and the GitLab job. It detects the
platform (GitHub Actions, GitLab CI, or local when neither) and the event, then
for a pull request: detects what changed, runs the pipeline tests and the
affected stages, checks the data and the model gates against the baseline, and
publishes one report (a sticky comment, a check or commit status, the job
summary). On a laptop it compares HEAD with the default branch and prints the
report. It exits 1 when a test, a stage, a data check or a gate failed.`,
		Example: `  mlci ci                       # on a laptop: HEAD against the default branch
  mlci ci --base origin/main    # against another base`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCI(cmd.Context(), g, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.base, "base", "", "compare with this `ref` instead of the event's base")
	f.StringVar(&o.reportDir, "report-dir", "", "write the report files to `dir` "+
		"(default .mlci/reports)")
	f.IntVar(&o.jobs, "jobs", 0, "run at most `n` stages at once (default: the CPUs)")
	f.BoolVar(&o.collect, "collect", false, "gather the stages other CI jobs ran "+
		"(mlci plan) from the remote cache instead of running them")
	return cmd
}

func runCI(ctx context.Context, g *globals, o ciOptions) error {
	root, err := g.root()
	if err != nil {
		return err
	}
	p, err := detectPlatform(ctx, g, root)
	if err != nil {
		return err
	}
	g.log.Debug("platform detected", "platform", p.Name())

	out, err := flow.Run(ctx, flow.Options{
		Root:       root,
		ConfigFile: g.config,
		Platform:   p,
		Base:       o.base,
		ReportDir:  o.reportDir,
		Jobs:       o.jobs,
		Collect:    o.collect,
		Getenv:     g.getenv,
		Version:    version,
		Printer:    g.status,
		Log:        g.log,
	})
	if err != nil {
		return err
	}
	return verdict(g, out)
}

// detectPlatform returns GitHub's or GitLab's platform in their CI, else the
// local one, which prints the report.
func detectPlatform(ctx context.Context, g *globals, root string) (platform.Platform, error) {
	switch {
	case github.Detect(g.getenv):
		return github.New(ctx, g.getenv, github.Options{Log: g.log})
	case gitlab.Detect(g.getenv):
		return gitlab.New(ctx, g.getenv, gitlab.Options{Log: g.log, Dir: root})
	default:
		out := g.stdout
		if g.json() {
			out = nil
		}
		return local.New(root, out), nil
	}
}

// verdict prints the outcome as JSON when asked and turns a failed one into
// exit code 1.
func verdict(g *globals, out *flow.Outcome) error {
	if g.json() {
		if err := g.print(out.Report, nil); err != nil {
			return err
		}
	}
	for _, name := range []string{"report.md", "report.html"} {
		if path, ok := out.Files[name]; ok {
			fmt.Fprintf(g.stderr, "%s: %s\n", name, path)
		}
	}
	if !out.Passed {
		return exit.With(exit.Failed, errReported)
	}
	return nil
}
