package main

import (
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/gate"
)

func init() { register(newValidateCmd) }

func newValidateCmd(g *globals) *cobra.Command {
	var (
		flags              baselineFlags
		models             []string
		verdictPath, junit string
		eval               gate.Evaluator
	)
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check the candidate model against its gates and write the verdict",
		Long: `validate evaluates every gate of every model in mlci.yaml: absolute bounds (min,
max), allowed change against the baseline (max_drop, max_rise, max_drop_pct,
max_rise_pct, min_improvement), statistical significance of the difference
where both sides' predictions exist (paired bootstrap; McNemar's exact test
for accuracy), and per-slice rules (slice_by). It prints each gate with its
baseline and candidate values, rule and outcome, and writes the verdict as
JSON and as JUnit XML (one test case per gate) for the CI's test report.

Significance and slice gates compute their metric from the predictions file:
accuracy, balanced_accuracy, precision, recall, f1 (of classes 0 and 1, or of
any classes averaged: precision_macro, f1_weighted …), roc_auc, log_loss, rmse
and mae. Classes may be numbers or names (setosa); positive_class: on the
model names the class binary metrics count as 1.

A metric's direction is guessed from its name unless higher_is_better is set:
loss, error, rmse, mae, mse, latency, time, perplexity, fpr, fnr and the like
are lower is better. Without a baseline, rules of change are skipped and the
verdict says so. Warning gates report without failing.

Exit codes: 0 every error gate passed, 1 one failed, 2 a gate is misconfigured.`,
		Example: `  mlci validate                          # against the merge base with main
  mlci validate --base v1.4.0 --model churn
  mlci validate --format json --junit build/gates.xml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.load()
			if err != nil {
				return err
			}
			model := ""
			if len(models) == 1 {
				model = models[0]
			}
			v, err := gate.Validate(cmd.Context(), cfg, gate.Options{
				Baseline: flags.options(g, cfg, model), Models: models, Evaluator: eval})
			if err != nil {
				return err
			}
			if err := v.Write(under(cfg.Root, verdictPath), under(cfg.Root, junit)); err != nil {
				return err
			}
			if err := g.print(v, v.WriteText); err != nil {
				return err
			}
			if !v.Passed {
				return exit.With(exit.Failed, errReported)
			}
			return nil
		},
	}
	flags.add(cmd)
	f := cmd.Flags()
	f.StringSliceVar(&models, "model", nil, "validate only this `model` (repeatable)")
	f.StringVar(&verdictPath, "verdict", filepath.Join(".mlci", "reports", "verdict.json"),
		"write the verdict as JSON to `file` (relative to the repository; empty: none)")
	f.StringVar(&junit, "junit", filepath.Join(".mlci", "reports", "gates.xml"),
		"write the gates as JUnit XML to `file` (relative to the repository; empty: none)")
	f.IntVar(&eval.Resamples, "resamples", 0, "paired bootstrap resamples (default 10000)")
	f.Uint64Var(&eval.Seed, "seed", 0, "seed of the paired bootstrap")
	return cmd
}

// under returns path relative to root unless it is absolute or empty.
func under(root, path string) string {
	if path == "" || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(root, path)
}
