package flow

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/datacheck"
	"github.com/mlci-dev/mlci/internal/gate"
	"github.com/mlci-dev/mlci/internal/metrics"
	"github.com/mlci-dev/mlci/internal/params"
	"github.com/mlci-dev/mlci/internal/report"
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
		Changes:   s.viewChanges(),
		Stages:    s.viewStages(),
		Tests:     s.viewTests(),
		DataSets:  s.viewData(),
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

func (s *state) viewChanges() report.Changes {
	var c report.Changes
	classes := make([]string, 0, len(s.changes.Counts))
	for class := range s.changes.Counts {
		classes = append(classes, class)
	}
	sort.Strings(classes)
	for _, class := range classes {
		c.Classes = append(c.Classes, report.ClassCount{Class: class, Files: s.changes.Counts[class]})
	}
	for _, f := range s.changes.Files {
		c.Files = append(c.Files, report.File{
			Path: f.Path, OldPath: f.OldPath, Status: f.Status, Class: f.Class,
		})
	}
	for _, p := range s.changes.Params {
		c.Params = append(c.Params, report.ParamChange{
			File: p.File, Key: p.Key, Base: formatParam(p.Base), Head: formatParam(p.Head),
		})
	}
	return c
}

func formatParam(v any) string {
	if v == nil {
		return ""
	}
	return params.Format(v)
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

func (s *state) viewData() []report.DataSet {
	if s.data == nil {
		return nil
	}
	sets := make([]report.DataSet, 0, len(s.data.Sets))
	for _, set := range s.data.Sets {
		v := report.DataSet{Name: set.Name, Path: set.Path, Rows: int(set.Rows)}
		if set.Profile != nil {
			v.Columns = len(set.Profile.Columns)
		}
		for _, is := range set.Schema {
			v.SchemaIssues = append(v.SchemaIssues, report.Issue{
				Column: is.Column, Rule: is.Rule, Message: is.Message, Severity: is.Severity,
			})
		}
		if set.Error != "" {
			v.SchemaIssues = append(v.SchemaIssues, report.Issue{
				Rule: "readable", Message: set.Error, Severity: "error",
			})
		}
		v.Drift = viewDrift(set.Drift)
		sets = append(sets, v)
	}
	return sets
}

func viewDrift(d *datacheck.DriftResult) *report.Drift {
	if d == nil {
		return nil
	}
	v := &report.Drift{Drifted: d.Drifted, Share: d.Share, Threshold: d.Threshold}
	for _, c := range d.Columns {
		c := c
		v.Columns = append(v.Columns, report.DriftColumn{
			Column: c.Column, Test: c.Test, Value: &c.Statistic, Threshold: &c.Threshold,
			Drifted: c.Drifted, PValue: c.PValue,
		})
	}
	return v
}

// viewModels fills the metrics, gates and plots of every model.
func (s *state) viewModels(ctx context.Context, d *report.Data) error {
	if s.verdict != nil {
		d.Gates = viewGates(s.verdict.Gates[:s.modelGates])
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

	for _, m := range s.cfg.Models {
		d.Models = append(d.Models, s.viewModel(m, files, base, head))
	}
	plots, err := s.viewPlots(ctx, files, b)
	if err != nil {
		return err
	}
	d.Plots = plots
	return nil
}

func (s *state) viewModel(m *config.Model, files metrics.Files, base, head *metrics.Side) report.Model {
	v := report.Model{Name: m.Name}
	var baseMetrics map[string]float64
	if base != nil {
		baseMetrics = base.ModelMetrics(m, files)
	}
	headMetrics := head.ModelMetrics(m, files)
	for _, c := range metrics.Diff(baseMetrics, headMetrics, "") {
		if file, key, ok := strings.Cut(c.Key, ":"); ok {
			// Each metric is also keyed file:metric; show it once, by its
			// plain name, unless two files share the name.
			if _, plain := headMetrics[key]; plain && len(m.Metrics) < 2 {
				continue
			}
			c.File, c.Key = file, key
		}
		hib := higherIsBetter(m, c.Key)
		v.Metrics = append(v.Metrics, report.Metric{
			Key: c.Key, File: c.File, Base: c.Base, Head: c.Head, Change: c.Change,
			HigherIsBetter: &hib, Significance: s.significance(m.Name, c.Key),
		})
	}
	return v
}

// higherIsBetter is the direction a gate gives the metric, else the guess
// from its name.
func higherIsBetter(m *config.Model, key string) bool {
	for _, g := range m.Gates {
		if g.Metric == key && g.HigherIsBetter != nil {
			return *g.HigherIsBetter
		}
	}
	return gate.GuessHigherIsBetter(key)
}

// significance is the first significance test a gate ran on the metric.
func (s *state) significance(model, key string) *report.Significance {
	if s.verdict == nil {
		return nil
	}
	for _, g := range s.verdict.Gates {
		if g.Model == model && g.Metric == key && g.Significance != nil && g.Slice == "" {
			return viewSignificance(g)
		}
	}
	return nil
}

func viewSignificance(g gate.Result) *report.Significance {
	sig := g.Significance
	low, high := sig.CILow, sig.CIHigh
	// Significant says whether the interval of the difference excludes zero;
	// whether the gate passed is the gate's own result.
	return &report.Significance{
		Method: sig.Method, Significant: low > 0 || high < 0, PValue: sig.PValue,
		CILow: &low, CIHigh: &high, Confidence: sig.Confidence,
	}
}

func viewGates(results []gate.Result) []report.Gate {
	gates := make([]report.Gate, 0, len(results))
	for _, r := range results {
		v := report.Gate{
			Model: r.Model, Metric: r.Metric, Rule: r.Rule, Base: r.Base, Head: r.Head,
			Passed: r.Passed, Skipped: r.Skipped, Severity: r.Severity, Message: r.Message,
			Slice: r.Slice,
		}
		if r.Significance != nil {
			v.Significance = viewSignificance(r)
		}
		gates = append(gates, v)
	}
	return gates
}

// viewPlots draws each plot with the baseline's and the candidate's lines.
func (s *state) viewPlots(ctx context.Context, files metrics.Files,
	b *metrics.Baseline) ([]report.Plot, error) {
	head, err := metrics.ReadPlots(ctx, metrics.WorkTree(s.cfg.Root), files)
	if err != nil {
		return nil, fmt.Errorf("reading the candidate's plots: %w", err)
	}
	baseByPath := map[string]*metrics.Plot{}
	if b.Exists() {
		base, err := metrics.ReadPlots(ctx, b, files)
		if err != nil {
			return nil, fmt.Errorf("reading the baseline's plots: %w", err)
		}
		for _, p := range base {
			baseByPath[p.Path] = p
		}
	}

	var plots []report.Plot
	for _, h := range head {
		p := h
		if bp, ok := baseByPath[h.Path]; ok {
			p = metrics.Merge([]string{"baseline", "candidate"}, []*metrics.Plot{bp, h})
		}
		plots = append(plots, viewPlot(p))
	}
	return plots, nil
}

func viewPlot(p *metrics.Plot) report.Plot {
	v := report.Plot{Title: p.Title, Kind: plotKind(p), XLabel: p.XLabel, YLabel: p.YLabel}
	if v.Title == "" {
		v.Title = p.Path
	}
	for _, sr := range p.Series {
		v.Series = append(v.Series, report.Series{Name: sr.Name, X: sr.X, Y: sr.Y})
	}
	if c := p.Confusion; c != nil {
		v.Confusion = &report.Confusion{Labels: c.Labels, Counts: c.Counts}
	}
	return v
}

// plotKind recognises ROC and precision-recall curves by their axes.
func plotKind(p *metrics.Plot) string {
	x, y := strings.ToLower(p.XLabel), strings.ToLower(p.YLabel)
	switch {
	case x == "fpr" && y == "tpr":
		return report.ROC
	case x == "recall" && y == "precision":
		return report.PR
	default:
		return report.Line
	}
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
