package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/mlci-dev/mlci/internal/pipeline"
	"github.com/mlci-dev/mlci/internal/progress"
)

func init() { register(newTestCmd) }

func newTestCmd(g *globals) *cobra.Command {
	var junit string
	cmd := &cobra.Command{
		Use:   "test",
		Short: "Run the pipeline tests and keep their results as JUnit XML",
		Long: `test runs the tests: of mlci.yaml (unit tests of the feature code, a training
smoke test …) one after the other in the repository, and writes their results as
JUnit XML for the CI to show. mlci ci runs them before any stage whenever code
changed. A failing test makes mlci exit 1, naming it.`,
		Example: `  mlci test
  mlci test --junit reports/tests.xml --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.load()
			if err != nil {
				return err
			}
			p, err := pipeline.New(cfg, pipeline.Options{Printer: g.status, Log: g.log})
			if err != nil {
				return err
			}
			res, testErr := p.Test(cmd.Context(), cfg.Tests, junit)
			if res == nil {
				return testErr
			}
			write := func(w io.Writer) error { return printTests(w, res) }
			if err := g.print(res, write); err != nil {
				return err
			}
			return testErr
		},
	}
	cmd.Flags().StringVar(&junit, "junit", pipeline.DefaultJUnit,
		"`file` the JUnit XML report is written to")
	return cmd
}

func printTests(w io.Writer, res *pipeline.TestResult) error {
	if len(res.Tests) == 0 {
		_, err := fmt.Fprintln(w, "no pipeline tests (tests: in mlci.yaml)")
		return err
	}
	for _, tc := range res.Tests {
		verdict := "passed"
		if !tc.Passed {
			verdict = "FAILED: " + tc.Message
		}
		fmt.Fprintf(w, "%s  %s  %s\n", tc.Name, progress.Duration(secs(tc.Seconds)), verdict)
	}
	_, err := fmt.Fprintf(w, "%d passed, %d failed; JUnit report %s\n", res.Passed, res.Failed,
		res.JUnit)
	return err
}
