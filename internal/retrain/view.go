package retrain

import (
	"context"
	"fmt"
	"strings"

	"github.com/mlci-dev/mlci/internal/gate"
	"github.com/mlci-dev/mlci/internal/metrics"
	"github.com/mlci-dev/mlci/internal/report"
	"github.com/mlci-dev/mlci/internal/reportview"
)

// TODO: the mapping of stages, gates, data checks and plots into the
// report's data repeats what package flow does for pull requests; a shared
// builder exported by flow would keep the two reports alike by
// construction.

// view builds the report's data from what retraining found.
func (s *state) view(ctx context.Context) (*report.Data, error) {
	d := &report.Data{
		Schema:    report.Schema,
		Version:   s.opts.Version,
		Key:       s.reportKey(),
		Project:   s.project(),
		Candidate: report.Candidate{Commit: s.out.Commit, Ref: s.out.Branch},
		Baseline:  s.viewBaseline(),
		Links:     report.Links{RunURL: s.event.RunURL},
		Changes:   reportview.Changes(s.run.changes),
		Stages:    s.viewStages(),
		DataSets:  reportview.DataSets(s.run.data),
	}
	if s.run.verdict != nil {
		d.Gates = reportview.Gates(s.run.verdict.Gates)
	}
	if err := s.viewModels(ctx, d); err != nil {
		return nil, err
	}
	d.Verdict = s.viewVerdict(d)
	return d, nil
}

// reportKey keeps the retraining report apart from pull-request reports.
func (s *state) reportKey() string {
	if s.cfg.Report.Key != "" {
		return s.cfg.Report.Key
	}
	return "mlci/retrain"
}

func (s *state) project() string {
	names := make([]string, 0, len(s.cfg.Models))
	for _, m := range s.cfg.Models {
		names = append(names, m.Name)
	}
	if len(names) == 0 {
		return "the pipeline"
	}
	return strings.Join(names, ", ")
}

func (s *state) viewBaseline() report.Baseline {
	if s.ref.Version != "" {
		return report.Baseline{Kind: report.BaselineRegistry, Ref: s.ref.Stage,
			Commit: s.ref.Commit, Version: s.ref.Version}
	}
	return report.Baseline{Kind: report.BaselineCommit, Ref: s.ref.Branch, Commit: s.ref.Commit}
}

// viewVerdict puts first whether the retrained model may be promoted, and
// why it was retrained.
func (s *state) viewVerdict(d *report.Data) report.Verdict {
	why := s.triggerLines()
	switch {
	case len(s.run.failures) > 0:
		return report.Verdict{State: report.Failed,
			Headline: fmt.Sprintf("retrained %s must not be promoted", d.Project),
			Reasons:  append(append([]string(nil), s.run.failures...), why...)}
	case s.out.Commit == "":
		return report.Verdict{State: report.Nothing,
			Headline: "retraining changed nothing",
			Reasons: append([]string{fmt.Sprintf("the retrained files equal %s's",
				s.defaultBranch)}, why...)}
	}
	return report.Verdict{State: report.Passed,
		Headline: fmt.Sprintf("retrained %s may be promoted", d.Project), Reasons: why}
}

// triggerLines say what each trigger found, the fired ones first.
func (s *state) triggerLines() []string {
	var fired, quiet []string
	for _, t := range s.out.Triggers {
		if t.Fired {
			fired = append(fired, "retrained: "+t.Summary)
		} else {
			quiet = append(quiet, t.Summary)
		}
	}
	return append(fired, quiet...)
}

// viewStages lists every stage in pipeline order; a stage that did not run
// because an upstream one failed is skipped.
func (s *state) viewStages() []report.Stage {
	ran := map[string]report.Stage{}
	if r := s.run.stages; r != nil {
		for _, st := range r.Stages {
			ran[st.Name] = report.Stage{Name: st.Name, Result: st.Result, Reason: st.Reason,
				Seconds: st.Seconds, SavedSeconds: st.SavedSeconds,
				Log: strings.Join(st.LastLines, "\n")}
		}
	}
	out := make([]report.Stage, 0, len(s.cfg.Stages))
	for _, st := range s.cfg.Stages {
		v, ok := ran[st.Name]
		if !ok {
			v = report.Stage{Name: st.Name, Result: report.Skipped, Reason: s.run.halt}
		}
		out = append(out, v)
	}
	return out
}

// viewModels fills each model's metrics and the plots, the reference's
// beside the retrained ones.
func (s *state) viewModels(ctx context.Context, d *report.Data) error {
	if len(s.cfg.Models) == 0 || s.run.halt != "" {
		return nil
	}
	files := metrics.FilesOf(s.cfg)
	head, err := metrics.ReadSide(ctx, metrics.WorkTree(s.cfg.Root), files)
	if err != nil {
		return fmt.Errorf("reading the retrained metrics: %w", err)
	}
	b, err := metrics.Lookup(ctx, s.opts.Root, s.baselineOptions())
	if err != nil {
		return err
	}
	base, err := metrics.ReadSide(ctx, b, files)
	if err != nil {
		return fmt.Errorf("reading the metrics of %s: %w", s.ref, err)
	}
	var results []gate.Result
	if s.run.verdict != nil {
		results = s.run.verdict.Gates
	}
	for _, m := range s.cfg.Models {
		d.Models = append(d.Models, reportview.Model(m, files, base, head, results))
	}
	baseName := s.ref.Branch
	if s.ref.Version != "" {
		baseName = s.ref.Stage
	}
	d.Plots, err = reportview.Plots(ctx, s.cfg.Root, files, b, [2]string{baseName, "retrained"})
	return err
}
