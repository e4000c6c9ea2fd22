package main

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/retrain"
)

func init() { register(newRetrainCmd) }

type retrainOptions struct {
	check     bool
	force     bool
	remote    string
	reportDir string
	jobs      int
}

func newRetrainCmd(g *globals) *cobra.Command {
	var o retrainOptions
	cmd := &cobra.Command{
		Use:   "retrain",
		Short: "Check the retraining triggers; retrain and propose the model when one fires",
		Long: `retrain is continuous training. It runs the data refresh command of mlci.yaml
(triggers.data.refresh), then checks each trigger against the production
version (the version the model's last promotion stage holds; without one, the
default branch):

  data      a data dependency's hash differs from the production run's
  drift     the share of drifted columns of the new data reaches the threshold
  max_age   the production version was registered longer ago than this
  metric    a monitored metric (a file, or a command's JSON output) is out of bounds

When one fires it retrains on the branch mlci/retrain/<model> from the default
branch, validates the new model against the production version (data checks
and gates), and commits the lock file, metrics, committed outputs and new data
with a message that says why. In CI, a model that passed is pushed (with a
lease) and proposed as a pull or merge request labelled mlci and retrain,
which is updated rather than opened again; on a laptop the branch is left
checked out for you to push.

It needs a clean work tree at the default branch's commit. --check only
checks: the refresh command runs (and may change the data in the work tree),
nothing is trained or committed. It exits 1 when the retrained model failed.`,
		Example: `  mlci retrain --check            # which triggers fire, and why
  mlci retrain                    # retrain when a trigger fires
  mlci retrain --force --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.check && o.force {
				return exit.Usagef("--check and --force contradict each other; give one")
			}
			cfg, err := g.load()
			if err != nil {
				return err
			}
			root, err := g.root()
			if err != nil {
				return err
			}
			p, err := detectPlatform(cmd.Context(), g, root)
			if err != nil {
				return err
			}
			out, err := retrain.Run(cmd.Context(), retrain.Options{
				Root:      root,
				Config:    cfg,
				Platform:  p,
				Printer:   g.status,
				Log:       g.log,
				ReportDir: o.reportDir,
				Version:   version,
				Check:     o.check,
				Force:     o.force,
				Remote:    o.remote,
				Jobs:      o.jobs,
			})
			if err != nil {
				return err
			}
			if err := g.print(out, func(w io.Writer) error {
				return retrain.WriteText(w, out)
			}); err != nil {
				return err
			}
			if !out.Passed {
				return exit.With(exit.Failed, errReported)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.check, "check", false, "only check the triggers; train and commit nothing")
	f.BoolVar(&o.force, "force", false, "retrain whether or not a trigger fires")
	f.StringVar(&o.remote, "remote", "origin", "`remote` the retraining branch is pushed to")
	f.StringVar(&o.reportDir, "report-dir", "", "write the report files to `dir` "+
		"(default .mlci/reports)")
	f.IntVar(&o.jobs, "jobs", 0, "run at most `n` stages at once (default: the CPUs)")
	return cmd
}
