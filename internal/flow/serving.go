package flow

import (
	"context"
	"path/filepath"
	"strings"

	"github.com/mlci-dev/mlci/internal/gate"
	"github.com/mlci-dev/mlci/internal/pipeline"
	"github.com/mlci-dev/mlci/internal/progress"
	"github.com/mlci-dev/mlci/internal/report"
	"github.com/mlci-dev/mlci/internal/serve"
)

type checkServing struct{}

func (checkServing) name() string { return "serving" }

// run serves each model that says how, beside the baseline's, and gates the
// figures before anything is promoted.
func (checkServing) run(ctx context.Context, s *state) error {
	if s.halt != "" {
		return skip("%s", s.halt)
	}
	if s.nothingToDo() {
		return skip("nothing ML-related changed")
	}
	baseRoot, done := s.baseTree(ctx)
	defer done()

	for _, m := range s.cfg.Models {
		if m.Serve == nil {
			continue
		}
		res, err := serve.Check(ctx, serve.Options{
			Root: s.cfg.Root, BaseRoot: baseRoot, Model: m,
			Log: s.opts.Log, Printer: s.opts.Printer,
		})
		if err != nil {
			return err
		}
		s.serving = append(s.serving, res)
		if !res.Passed {
			s.failures = append(s.failures, "a serving check of "+m.Name+" failed")
		}
	}
	return s.joinServing()
}

// baseTree checks the baseline commit out beside the work tree, or returns
// "" when there is no baseline or it cannot be checked out.
func (s *state) baseTree(ctx context.Context) (string, func()) {
	if s.changes.Base == "" {
		return "", func() {}
	}
	prefix, err := s.repo.Prefix(ctx)
	if err != nil {
		s.opts.Log.Warn("serving without the baseline beside", "err", err)
		return "", func() {}
	}
	dir, remove, err := s.repo.TempWorktree(ctx, s.changes.Base)
	if err != nil {
		s.opts.Log.Warn("serving without the baseline beside", "err", err)
		return "", func() {}
	}
	done := func() {
		if err := remove(); err != nil {
			s.opts.Log.Warn("removing the baseline's worktree", "dir", dir, "err", err)
		}
	}
	root := filepath.Join(dir, prefix)
	if err := s.restoreOutputs(ctx, root); err != nil {
		s.opts.Log.Warn("the baseline's outputs could not be restored; serving without it",
			"err", err)
	}
	return root, done
}

// restoreOutputs brings the baseline's stage outputs (its model, say) into
// its worktree from the cache, as its lock file records them; a stage whose
// outputs the cache lacks runs again.
func (s *state) restoreOutputs(ctx context.Context, root string) error {
	cache := s.opts.CacheDir
	if cache == "" {
		cache = filepath.Join(s.cfg.Root, ".mlci", "cache")
	}
	g := s.opts.Printer.Start("baseline", "Restore the baseline's outputs for serving")
	res, err := pipeline.RunAt(ctx, root, s.opts.ConfigFile, cache, s.opts.Log,
		pipeline.RunOptions{Printer: progress.Discard(), Output: g})
	if res != nil {
		for _, st := range res.Stages {
			g.Linef("%s: %s", st.Name, st.Result)
		}
	}
	if err != nil {
		g.End("failed")
		return err
	}
	g.End("done")
	return nil
}

// joinServing adds the serving gates to the verdict and its files.
func (s *state) joinServing() error {
	if len(s.serving) == 0 {
		return nil
	}
	if s.verdict == nil {
		s.verdict = gate.NewVerdict(nil, nil)
	}
	for _, res := range s.serving {
		s.verdict.Gates = append(s.verdict.Gates, res.Gates...)
		s.verdict.Passed = s.verdict.Passed && res.Passed
	}
	return s.verdict.Write(filepath.Join(s.opts.ReportDir, "verdict.json"),
		filepath.Join(s.opts.ReportDir, "gates.xml"))
}

// viewServing lists each serving check with the baseline's figure beside.
func (s *state) viewServing() []report.ServingCheck {
	var out []report.ServingCheck
	for _, res := range s.serving {
		for _, g := range res.Gates {
			out = append(out, report.ServingCheck{
				Model: res.Model, Check: g.Metric, Rule: g.Rule, Value: g.Head,
				Unit: unitOf(g.Metric), Passed: g.Passed, Message: g.Message,
				Severity: g.Severity,
			})
		}
	}
	return out
}

func unitOf(metric string) string {
	switch {
	case strings.HasSuffix(metric, "_ms"):
		return "ms"
	case strings.HasSuffix(metric, "_mb"):
		return "MB"
	case strings.HasSuffix(metric, "_seconds"):
		return "s"
	case metric == "rps":
		return "req/s"
	}
	return ""
}
