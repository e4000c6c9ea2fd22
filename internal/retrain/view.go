package retrain

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/datacheck"
	"github.com/mlci-dev/mlci/internal/gate"
	"github.com/mlci-dev/mlci/internal/metrics"
	"github.com/mlci-dev/mlci/internal/params"
	"github.com/mlci-dev/mlci/internal/report"
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
		Changes:   viewChanges(s.run),
		Stages:    s.viewStages(),
		DataSets:  viewData(s.run.data),
	}
	if s.run.verdict != nil {
		d.Gates = viewGates(s.run.verdict.Gates)
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

func viewChanges(r *runResult) report.Changes {
	var c report.Changes
	if r.changes == nil {
		return c
	}
	classes := make([]string, 0, len(r.changes.Counts))
	for class := range r.changes.Counts {
		classes = append(classes, class)
	}
	sort.Strings(classes)
	for _, class := range classes {
		c.Classes = append(c.Classes, report.ClassCount{Class: class, Files: r.changes.Counts[class]})
	}
	for _, f := range r.changes.Files {
		c.Files = append(c.Files, report.File{
			Path: f.Path, OldPath: f.OldPath, Status: f.Status, Class: f.Class,
		})
	}
	for _, p := range r.changes.Params {
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

func viewData(res *datacheck.Result) []report.DataSet {
	if res == nil {
		return nil
	}
	sets := make([]report.DataSet, 0, len(res.Sets))
	for _, set := range res.Sets {
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
		stat, threshold := c.Statistic, c.Threshold
		v.Columns = append(v.Columns, report.DriftColumn{
			Column: c.Column, Test: datacheck.TestTitle(c.Test), Value: &stat,
			Threshold: &threshold, Drifted: c.Drifted, PValue: c.PValue,
		})
	}
	return v
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

func viewSignificance(g gate.Result) *report.Significance {
	sig := g.Significance
	low, high := sig.CILow, sig.CIHigh
	return &report.Significance{
		Method: sig.Method, Significant: low > 0 || high < 0, PValue: sig.PValue,
		CILow: &low, CIHigh: &high, Confidence: sig.Confidence,
	}
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
	for _, m := range s.cfg.Models {
		d.Models = append(d.Models, s.viewModel(m, files, base, head))
	}
	baseName := s.ref.Branch
	if s.ref.Version != "" {
		baseName = s.ref.Stage
	}
	d.Plots, err = viewPlots(ctx, s.cfg, files, b, baseName)
	return err
}

func (s *state) viewModel(m *config.Model, files metrics.Files,
	base, head *metrics.Side) report.Model {
	v := report.Model{Name: m.Name}
	headMetrics := head.ModelMetrics(m, files)
	for _, c := range metrics.Diff(base.ModelMetrics(m, files), headMetrics, "") {
		if file, key, ok := strings.Cut(c.Key, ":"); ok {
			// Each metric is also keyed file:metric; it is shown once, by its
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

func higherIsBetter(m *config.Model, key string) bool {
	for _, g := range m.Gates {
		if g.Metric == key && g.HigherIsBetter != nil {
			return *g.HigherIsBetter
		}
	}
	return gate.GuessHigherIsBetter(key)
}

func (s *state) significance(model, key string) *report.Significance {
	if s.run.verdict == nil {
		return nil
	}
	for _, g := range s.run.verdict.Gates {
		if g.Model == model && g.Metric == key && g.Significance != nil && g.Slice == "" {
			return viewSignificance(g)
		}
	}
	return nil
}

// viewPlots draws each plot with the reference's and the retrained lines.
func viewPlots(ctx context.Context, cfg *config.Config, files metrics.Files,
	b *metrics.Baseline, baseName string) ([]report.Plot, error) {
	head, err := metrics.ReadPlots(ctx, metrics.WorkTree(cfg.Root), files)
	if err != nil {
		return nil, fmt.Errorf("reading the retrained plots: %w", err)
	}
	base, err := metrics.ReadPlots(ctx, b, files)
	if err != nil {
		return nil, fmt.Errorf("reading the reference's plots: %w", err)
	}
	byPath := map[string]*metrics.Plot{}
	for _, p := range base {
		byPath[p.Path] = p
	}
	var plots []report.Plot
	for _, h := range head {
		p := h
		if bp, ok := byPath[h.Path]; ok {
			p = metrics.Merge([]string{baseName, "retrained"}, []*metrics.Plot{bp, h})
		}
		plots = append(plots, viewPlot(p))
	}
	return plots, nil
}

func viewPlot(p *metrics.Plot) report.Plot {
	v := report.Plot{Title: p.Title, Kind: report.Line, XLabel: p.XLabel, YLabel: p.YLabel}
	if v.Title == "" {
		v.Title = p.Path
	}
	switch x, y := strings.ToLower(p.XLabel), strings.ToLower(p.YLabel); {
	case x == "fpr" && y == "tpr":
		v.Kind = report.ROC
	case x == "recall" && y == "precision":
		v.Kind = report.PR
	}
	for _, sr := range p.Series {
		v.Series = append(v.Series, report.Series{Name: sr.Name, X: sr.X, Y: sr.Y})
	}
	if c := p.Confusion; c != nil {
		v.Confusion = &report.Confusion{Labels: c.Labels, Counts: c.Counts}
	}
	return v
}
