package flow

import (
	"context"

	"github.com/mlci-dev/mlci/internal/retrain"
)

// runRetrain is continuous training, for schedules and manual runs: the
// triggers are checked, and when one fires the model is retrained on its
// branch and proposed as a pull request if it passes.
func runRetrain(ctx context.Context, s *state) (*Outcome, error) {
	if err := (loadConfig{}).run(ctx, s); err != nil {
		return nil, err
	}
	out, err := retrain.Run(ctx, retrain.Options{
		Root:        s.opts.Root,
		Config:      s.cfg,
		Platform:    s.opts.Platform,
		Event:       s.event,
		Printer:     s.opts.Printer,
		Log:         s.opts.Log,
		CacheDir:    s.opts.CacheDir,
		ReportDir:   s.opts.ReportDir,
		Version:     s.opts.Version,
		Jobs:        s.opts.Jobs,
		StageOutput: s.opts.StageOutput,
	})
	if err != nil {
		return nil, err
	}
	s.opts.Printer.Infof("%s", retrain.Summary(out, false))
	return &Outcome{
		Passed:  !out.Fired || out.Passed,
		Report:  out.Report,
		Files:   out.Files,
		Outputs: out.Outputs,
	}, nil
}
