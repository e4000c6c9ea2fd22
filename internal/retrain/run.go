package retrain

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/mlci-dev/mlci/internal/changes"
	"github.com/mlci-dev/mlci/internal/datacheck"
	"github.com/mlci-dev/mlci/internal/gate"
	"github.com/mlci-dev/mlci/internal/pipeline"
)

// runResult is what retraining ran and found.
type runResult struct {
	stages  *pipeline.RunResult
	data    *datacheck.Result
	verdict *gate.Verdict
	changes *changes.Result
	// halt says why the gates did not run (a stage failed).
	halt string
	// failures are why the retrained model failed, for the headline.
	failures []string
}

// retrain runs the pipeline on the retraining branch, validates the model
// against the reference, commits, reports and proposes.
func (s *state) retrain(ctx context.Context) error {
	branch := Branch(s.cfg)
	s.out.Branch = branch
	s.opts.Printer.Infof("retraining on %s from %s@%s", branch, s.defaultBranch,
		short(s.defaultCommit))
	if err := s.checkoutBranch(ctx, branch); err != nil {
		return err
	}

	s.run = &runResult{}
	steps := []func(context.Context) error{
		s.runStages,   // the pipeline; up-to-date stages are skipped or restored
		s.checkData,   // schema and drift against the reference's data
		s.checkModels, // the gates against the reference's model
		s.commitRun,   // lock file, metrics, committed outputs and the new data
		s.findChanges, // what the branch changes against the default branch
		s.buildReport, // the report's data and files, the run record
		s.deliver,     // push, propose, publish, outputs
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

// runStages runs the pipeline. When no trigger saw new data, its stages
// are up to date, so they are forced to run again: that is what a stale
// model or a poor monitored metric asks for.
func (s *state) runStages(ctx context.Context) error {
	p, err := pipeline.New(s.cfg, pipeline.Options{
		CacheDir: s.opts.CacheDir, Printer: s.opts.Printer, Log: s.opts.Log,
	})
	if err != nil {
		return err
	}
	res, err := p.Run(ctx, pipeline.RunOptions{
		Force:   !s.firedOn(TriggerData, TriggerDrift),
		Jobs:    s.opts.Jobs,
		Printer: s.opts.Printer,
		Output:  s.opts.StageOutput,
	})
	if res == nil {
		return err
	}
	s.run.stages = res
	for _, st := range res.Stages {
		if st.Result == pipeline.Failed {
			s.run.halt = fmt.Sprintf("stage %s failed", st.Name)
			s.run.failures = append(s.run.failures, s.run.halt)
			return nil
		}
	}
	return err
}

// firedOn reports whether one of the named triggers fired.
func (s *state) firedOn(names ...string) bool {
	for _, t := range s.out.Triggers {
		for _, n := range names {
			if t.Name == n && t.Fired {
				return true
			}
		}
	}
	return false
}

// checkData checks the data sets against the data the reference learnt from.
func (s *state) checkData(ctx context.Context) error {
	if len(s.cfg.Data) == 0 || s.run.halt != "" {
		return nil
	}
	g := s.opts.Printer.Start("data", "Data checks")
	base, err := s.trainingProfiles(ctx)
	if err != nil {
		g.End("failed")
		return err
	}
	res, err := datacheck.Check(ctx, s.cfg, base, s.opts.Root)
	if err != nil {
		g.End("failed")
		return err
	}
	s.run.data = res
	_ = datacheck.WriteText(g, res)
	if !res.Passed {
		s.run.failures = append(s.run.failures, "a data check failed")
		g.End("failed")
		return nil
	}
	g.End("passed")
	return nil
}

// checkModels runs the gates with the reference as the baseline.
func (s *state) checkModels(ctx context.Context) error {
	if len(s.cfg.Models) == 0 || s.run.halt != "" {
		return nil
	}
	g := s.opts.Printer.Start("gates", "Model gates against "+s.ref.String())
	v, err := gate.Validate(ctx, s.cfg, gate.Options{Baseline: s.baselineOptions()})
	if err != nil {
		g.End("failed")
		return err
	}
	s.run.verdict = v
	_ = v.WriteText(g)
	err = v.Write(filepath.Join(s.opts.ReportDir, "verdict.json"),
		filepath.Join(s.opts.ReportDir, "gates.xml"))
	if err != nil {
		g.End("failed")
		return err
	}
	if !v.Passed {
		s.run.failures = append(s.run.failures, "a model gate failed")
		g.End("failed")
		return nil
	}
	g.End("passed")
	return nil
}

// commitRun commits what retraining changed, unless a stage failed.
func (s *state) commitRun(ctx context.Context) error {
	if s.run.halt != "" {
		return nil
	}
	commit, err := s.commit(ctx, s.commitMessage())
	if err != nil {
		return err
	}
	s.out.Commit = commit
	if commit == "" {
		s.opts.Printer.Infof("retraining changed no committed file: nothing to propose")
	}
	return nil
}

// commitMessage says why the model was retrained and what the other
// triggers found.
func (s *state) commitMessage() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Retrain %s: %s\n\n", s.model, strings.Join(s.firedNames(), ", "))
	fmt.Fprintf(&b, "Retrained by mlci on %s@%s against %s.\n\n", s.defaultBranch,
		short(s.defaultCommit), s.ref)
	for _, t := range s.out.Triggers {
		word := "quiet"
		if t.Fired {
			word = "fired"
		}
		fmt.Fprintf(&b, "- %s (%s): %s\n", t.Name, word, t.Summary)
	}
	if s.event.RunURL != "" {
		fmt.Fprintf(&b, "\nRun: %s\n", s.event.RunURL)
	}
	return b.String()
}

// firedNames are the triggers that fired, as a commit subject names them.
func (s *state) firedNames() []string {
	names := map[string]string{
		TriggerData: "new data", TriggerDrift: "data drift", TriggerMaxAge: "model age",
		TriggerMetric: "monitored metric", TriggerForce: "asked for",
	}
	var out []string
	for _, t := range s.out.Triggers {
		if t.Fired {
			out = append(out, names[t.Name])
		}
	}
	return out
}

// findChanges classifies what the branch changes against the default branch.
func (s *state) findChanges(ctx context.Context) error {
	head := s.out.Commit
	if head == "" {
		head = s.defaultCommit
	}
	res, err := changes.Detect(ctx, changes.Options{
		Repo: s.repo, Config: s.cfg, Base: s.defaultCommit, Head: head, Log: s.opts.Log,
	})
	if err != nil {
		return err
	}
	s.run.changes = res
	return nil
}
