package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/pipeline"
	"github.com/mlci-dev/mlci/internal/remote"
)

func init() {
	register(newPushCmd)
	register(newPullCmd)
}

// openRemote returns the remote cache mlci.yaml configures, or nil.
func openRemote(g *globals, cfg *config.Config) (*remote.Remote, error) {
	if cfg.Remote.URL == "" {
		return nil, nil
	}
	return remote.Open(cfg.Remote, remote.Options{Getenv: g.getenv, Log: g.log})
}

// withRemote adds the configured remote cache to a pipeline's options.
func withRemote(g *globals, cfg *config.Config, opts pipeline.Options) (pipeline.Options, error) {
	rem, err := openRemote(g, cfg)
	if err != nil || rem == nil {
		return opts, err
	}
	opts.Remote = rem
	return opts, nil
}

// transferCmd is what push and pull share.
type transferCmd struct {
	use, short, long, example, verb string
	// do moves the named stages' outputs.
	do func(p *pipeline.Pipeline, cmd *cobra.Command, stages []string) error
}

func newPushCmd(g *globals) *cobra.Command {
	return newTransferCmd(g, transferCmd{
		use:   "push [STAGE...]",
		short: "Upload the recorded outputs and run-cache entries to the remote cache",
		long: `push uploads the outputs dvc.lock records for the named stages (all when none)
to the remote cache (remote: in mlci.yaml), with the run-cache entries of the
stages that are up to date, so that other machines and CI jobs restore them
instead of running the stages. Objects the remote holds are not sent again.
mlci run pushes what it runs by itself when a remote is configured; push is
for what ran without one, or after a failed upload.

Credentials come from the environment as the AWS tools read them
(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_PROFILE);
the endpoint and region from mlci.yaml, else AWS_ENDPOINT_URL_S3,
AWS_ENDPOINT_URL and AWS_REGION.`,
		example: `  mlci push                  # every recorded output
  mlci push train            # train's outputs and run-cache entry`,
		verb: "pushed",
		do: func(p *pipeline.Pipeline, cmd *cobra.Command, stages []string) error {
			return p.Push(cmd.Context(), stages)
		},
	})
}

func newPullCmd(g *globals) *cobra.Command {
	return newTransferCmd(g, transferCmd{
		use:   "pull [STAGE...]",
		short: "Download the recorded outputs from the remote cache into the work tree",
		long: `pull downloads the outputs dvc.lock records for the named stages (all when
none) from the remote cache, checks each object against its md5, and writes the
outputs that are missing or differ into the work tree, as dvc pull does.`,
		example: `  mlci pull                  # every recorded output
  mlci pull evaluate         # evaluate's outputs only`,
		verb: "pulled",
		do: func(p *pipeline.Pipeline, cmd *cobra.Command, stages []string) error {
			return p.Pull(cmd.Context(), stages)
		},
	})
}

func newTransferCmd(g *globals, t transferCmd) *cobra.Command {
	return &cobra.Command{
		Use:     t.use,
		Short:   t.short,
		Long:    t.long,
		Example: t.example,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := g.load()
			if err != nil {
				return err
			}
			rem, err := openRemote(g, cfg)
			if err != nil {
				return err
			}
			if rem == nil {
				return exit.Usagef("%v", pipeline.ErrNoRemote)
			}
			p, err := pipeline.New(cfg, pipeline.Options{Printer: g.status, Log: g.log,
				Remote: rem})
			if err != nil {
				return err
			}

			grp := g.status.Start(t.verb, fmt.Sprintf("%s %s", t.verb, rem))
			if err := t.do(p, cmd, args); err != nil {
				grp.End("failed")
				return exit.With(exit.External, err)
			}
			grp.End("done")
			st := rem.Stats()
			return g.print(st, func(w io.Writer) error { return writeStats(w, t.verb, st) })
		},
	}
}

// writeStats says what a transfer moved.
func writeStats(w io.Writer, verb string, st remote.Stats) error {
	if verb == "pulled" {
		_, err := fmt.Fprintf(w, "pulled %d object(s), %s\n", st.Downloaded,
			bytesText(st.BytesDown))
		return err
	}
	_, err := fmt.Fprintf(w, "pushed %d object(s), %s; %d already there\n", st.Uploaded,
		bytesText(st.BytesUp), st.Present)
	return err
}

func bytesText(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
