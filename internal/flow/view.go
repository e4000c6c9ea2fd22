package flow

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/mlci-dev/mlci/internal/gate"
	"github.com/mlci-dev/mlci/internal/metrics"
	"github.com/mlci-dev/mlci/internal/report"
	"github.com/mlci-dev/mlci/internal/reportview"
)

// view builds the report's data from what the steps found.
func (s *state) buildView(ctx context.Context) (*report.Data, error) {
	d := &report.Data{
		Schema:    report.Schema,
		Version:   s.opts.Version,
		Key:       s.reportKey(),
		Project:   s.project(),
		Candidate: report.Candidate{Commit: s.changes.Head, Ref: s.event.HeadRef},
		Baseline:  report.Baseline{Kind: report.BaselineNone},
		Links:     report.Links{RunURL: s.event.RunURL},
		Changes:   reportview.Changes(s.changes),
		Stages:    s.viewStages(),
		Tests:     s.viewTests(),
		DataSets:  reportview.DataSets(s.data),
		Serving:   s.viewServing(),
	}
	if s.changes.Base != "" {
		d.Baseline = report.Baseline{
			Kind: report.BaselineCommit, Ref: s.event.BaseRef, Commit: s.changes.Base,
		}
	}

	if err := s.viewModels(ctx, d); err != nil {
		return nil, err
	}
	d.Verdict = s.viewVerdict(d)
	d.Promotion = s.viewPromotion(d)
	return d, nil
}

// viewPromotion is what a merge promoted, or for a pull request that may be
// merged, what the merge will do.
func (s *state) viewPromotion(d *report.Data) *report.Promotion {
	if s.promotion != nil {
		return s.promotion
	}
	if d.Verdict.State != report.Passed || len(s.cfg.Models) != 1 {
		return nil
	}
	m := s.cfg.Models[0]
	stages := m.Promote.Stages
	if len(stages) == 0 || s.event.Kind == "push" {
		return nil
	}
	p := &report.Promotion{Model: m.Name, Stage: stages[0]}
	if rule := m.Promote.Rules[stages[0]]; rule.On == "merge" {
		p.Message = fmt.Sprintf("on merge, %s's next version goes to %s", m.Name, stages[0])
	}
	if len(stages) > 1 {
		p.Next = stages[1]
	}
	return p
}

// reportKey names the report for sticky comments: the configured key, else
// the workflow and job, so two workflows keep two comments.
func (s *state) reportKey() string {
	if s.cfg.Report.Key != "" {
		return s.cfg.Report.Key
	}
	parts := []string{}
	for _, p := range []string{s.event.Workflow, s.event.Job} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return "mlci"
	}
	return strings.Join(parts, "/")
}

// project is what the report is about: the model when there is one.
func (s *state) project() string {
	names := make([]string, 0, len(s.cfg.Models))
	for _, m := range s.cfg.Models {
		names = append(names, m.Name)
	}
	if len(names) == 0 {
		return path.Base(s.cfg.Root)
	}
	return strings.Join(names, ", ")
}

// viewStages lists every stage in pipeline order: what ran, what was
// restored or skipped, and what the change did not affect.
func (s *state) viewStages() []report.Stage {
	ran := map[string]report.Stage{}
	if s.run != nil {
		for _, st := range s.run.Stages {
			ran[st.Name] = report.Stage{
				Name: st.Name, Result: st.Result, Reason: st.Reason,
				Seconds: st.Seconds, SavedSeconds: st.SavedSeconds,
			}
		}
	}
	affected := map[string]bool{}
	for _, name := range s.changes.Stages {
		affected[name] = true
	}

	stages := make([]report.Stage, 0, len(s.cfg.Stages))
	for _, st := range s.cfg.Stages {
		if v, ok := ran[st.Name]; ok {
			if reasons := s.changes.Reasons[st.Name]; len(reasons) > 0 && v.Result != "failed" {
				v.Reason = strings.Join(reasons, "; ") + explain(v)
			}
			stages = append(stages, v)
			continue
		}
		v := report.Stage{Name: st.Name, Result: report.NotAffected, Reason: "inputs unchanged"}
		if affected[st.Name] {
			v.Result, v.Reason = report.Skipped, s.halt
		}
		stages = append(stages, v)
	}
	return stages
}

// explain adds how a stage's outputs were obtained when it did not run.
func explain(v report.Stage) string {
	switch v.Result {
	case report.Restored:
		return "; outputs restored from the run cache"
	case report.Skipped:
		return "; already up to date"
	}
	return ""
}

func (s *state) viewTests() *report.Tests {
	if s.tests == nil {
		return nil
	}
	t := &report.Tests{Passed: s.tests.Passed, Failed: s.tests.Failed}
	for _, c := range s.tests.Tests {
		t.Seconds += c.Seconds
		if !c.Passed {
			t.Failures = append(t.Failures, report.TestFailure{Name: c.Name, Message: c.Message})
		}
	}
	return t
}

// viewModels fills the metrics, gates and plots of every model.
func (s *state) viewModels(ctx context.Context, d *report.Data) error {
	if s.verdict != nil {
		d.Gates = reportview.Gates(s.verdict.Gates[:s.modelGates])
		if b := s.verdict.Baseline; b != nil && b.Exists() {
			d.Baseline = report.Baseline{Kind: b.Kind, Ref: b.Ref, Commit: b.Commit}
			if b.Commit == s.changes.Base && s.event.BaseRef != "" {
				d.Baseline.Ref = s.event.BaseRef
			}
		}
	}
	if len(s.cfg.Models) == 0 || s.halt != "" {
		return nil
	}

	files := metrics.FilesOf(s.cfg)
	head, err := metrics.ReadSide(ctx, metrics.WorkTree(s.cfg.Root), files)
	if err != nil {
		return fmt.Errorf("reading the candidate's metrics: %w", err)
	}
	b, err := s.baseline(ctx)
	if err != nil {
		return err
	}
	var base *metrics.Side
	if b.Exists() {
		if base, err = metrics.ReadSide(ctx, b, files); err != nil {
			return fmt.Errorf("reading the baseline's metrics: %w", err)
		}
	}

	var results []gate.Result
	if s.verdict != nil {
		results = s.verdict.Gates
	}
	for _, m := range s.cfg.Models {
		d.Models = append(d.Models, reportview.Model(m, files, base, head, results))
	}
	d.Plots, err = reportview.Plots(ctx, s.cfg.Root, files, b,
		[2]string{"baseline", "candidate"})
	return err
}

// viewVerdict says first what a reviewer must know.
func (s *state) viewVerdict(d *report.Data) report.Verdict {
	if len(s.failures) > 0 {
		return report.Verdict{
			State:    report.Failed,
			Headline: fmt.Sprintf("%s must not be promoted", d.Project),
			Reasons:  append([]string(nil), s.failures...),
		}
	}
	if s.nothingToDo() {
		return report.Verdict{
			State:    report.Nothing,
			Headline: "nothing to validate",
			Reasons:  []string{"no code, data, params or pipeline change: no stage was affected"},
		}
	}
	headline := "all checks passed"
	if len(s.cfg.Models) > 0 {
		headline = fmt.Sprintf("%s may be promoted", d.Project)
	}
	return report.Verdict{State: report.Passed, Headline: headline}
}

// nothingToDo is true when the change touched nothing the pipeline reads.
func (s *state) nothingToDo() bool {
	if len(s.changes.Stages) > 0 || s.changes.Tests {
		return false
	}
	for _, class := range s.changes.Changed {
		switch class {
		case "code", "data", "params", "pipeline":
			return false
		}
	}
	return true
}
