package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/mlci-dev/mlci/internal/demo"
	"github.com/mlci-dev/mlci/internal/exit"
)

func init() { register(newDemoCmd) }

func newDemoCmd(g *globals) *cobra.Command {
	var (
		dir   string
		again bool
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole pull-request flow on a bundled example, no tokens needed",
		Long: `demo copies a small churn-prediction project into a new git repository, trains
and records the baseline on main, then opens a pull request in three commits
(new data with a fix, a new feature, a hyper-parameter change) pushed twice.
Each push runs the same flow as ` + "`mlci ci`" + ` in a fresh clone that shares main's
cache, as CI runners do, and the last push's report is printed. Then the pull
request is merged and main's CI registers the new model and promotes it to
staging. With --retrain it plays continuous training instead: new data lands,
a scheduled run retrains the model on a branch and proposes it. It needs git
and python3, and no network.`,
		Example: `  mlci demo
  mlci demo --dir /tmp/mlci-demo   # keep the repository where you want it
  mlci demo --retrain              # continuous training on new data`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dir == "" {
				d, err := os.MkdirTemp("", "mlci-demo-")
				if err != nil {
					return exit.Externalf("creating the demo folder: %w", err)
				}
				dir = d
			}
			opts := demo.Options{
				Dir: dir, Version: version, Report: g.stdout, Printer: g.status, Log: g.log,
			}
			if again {
				out, err := demo.Retrain(cmd.Context(), opts)
				if err != nil {
					return err
				}
				fmt.Fprintf(g.stderr, "\nThe retrained model is on %s in %s; the report "+
					"files are in %s\n", out.Branch, out.Work, out.ReportDir)
				return nil
			}
			out, err := demo.Run(cmd.Context(), opts)
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stderr, "\nThe demo repository is %s; the report files are in %s\n",
				out.Repo, out.ReportDir)
			return nil
		},
	}
	cmd.Flags().BoolVar(&again, "retrain", false, "play continuous training instead: "+
		"new data lands and a scheduled run retrains and proposes the model")
	cmd.Flags().StringVar(&dir, "dir", "", "work in this empty or new `folder` "+
		"(default: a new temporary folder)")
	return cmd
}
