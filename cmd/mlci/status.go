package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/mlci-dev/mlci/internal/pipeline"
)

func init() { register(newStatusCmd) }

// statusResult is mlci status's result.
type statusResult struct {
	Stages []pipeline.StageStatus `json:"stages"`
}

func newStatusCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Say which pipeline stages are up to date, and why the others are not",
		Long: `status compares every stage with dvc.lock, as dvc status does: its command,
the hashes of its dependencies, its params values and its outputs. A stage is
up-to-date, changed (an input changed, or a stage above it is not up to date),
missing (only its outputs are missing; mlci run restores them from the cache)
or never-run. Files whose size and times have not changed are not read again.`,
		Example: `  mlci status
  mlci status --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := newPipeline(g)
			if err != nil {
				return err
			}
			st, err := p.Status(cmd.Context())
			if err != nil {
				return err
			}
			res := statusResult{Stages: st}
			return g.print(res, func(w io.Writer) error { return writeStatus(w, st) })
		},
	}
}

func writeStatus(w io.Writer, st []pipeline.StageStatus) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, s := range st {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Name, s.State, oneLine(strings.Join(s.Reasons, "; ")))
	}
	return tw.Flush()
}

// oneLine keeps a table cell on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// secs turns seconds into a duration.
func secs(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
