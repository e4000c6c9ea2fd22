// Package reportview turns what mlci's steps found (changes, data checks,
// gates, metrics, plots) into the report's data. It holds only the mapping;
// which steps ran, and the verdict, belong to the flows that call it.
package reportview

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/mlci-dev/mlci/internal/changes"
	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/datacheck"
	"github.com/mlci-dev/mlci/internal/gate"
	"github.com/mlci-dev/mlci/internal/metrics"
	"github.com/mlci-dev/mlci/internal/params"
	"github.com/mlci-dev/mlci/internal/report"
)

// Changes is what changed: files per class, the files and the params.
func Changes(r *changes.Result) report.Changes {
	var c report.Changes
	if r == nil {
		return c
	}
	classes := make([]string, 0, len(r.Counts))
	for class := range r.Counts {
		classes = append(classes, class)
	}
	sort.Strings(classes)
	for _, class := range classes {
		c.Classes = append(c.Classes, report.ClassCount{Class: class, Files: r.Counts[class]})
	}
	for _, f := range r.Files {
		c.Files = append(c.Files, report.File{
			Path: f.Path, OldPath: f.OldPath, Status: f.Status, Class: f.Class,
		})
	}
	for _, p := range r.Params {
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

// DataSets are the data checks of every data set.
func DataSets(res *datacheck.Result) []report.DataSet {
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
		v.Drift = drift(set.Drift)
		sets = append(sets, v)
	}
	return sets
}

func drift(d *datacheck.DriftResult) *report.Drift {
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

// Gates are the gates' results.
func Gates(results []gate.Result) []report.Gate {
	gates := make([]report.Gate, 0, len(results))
	for _, r := range results {
		v := report.Gate{
			Model: r.Model, Metric: r.Metric, Rule: r.Rule, Base: r.Base, Head: r.Head,
			Passed: r.Passed, Skipped: r.Skipped, Severity: r.Severity, Message: r.Message,
			Slice: r.Slice,
		}
		if r.Significance != nil {
			v.Significance = Significance(r)
		}
		gates = append(gates, v)
	}
	return gates
}

// Significance is a gate's significance test. Significant says whether the
// interval of the difference excludes zero; whether the gate passed is the
// gate's own result. The p-value is kept only when it tests that same
// question: a non-inferiority test's (a margin) answers another.
func Significance(g gate.Result) *report.Significance {
	sig := g.Significance
	low, high := sig.CILow, sig.CIHigh
	v := &report.Significance{
		Method: sig.Method, Significant: low > 0 || high < 0,
		CILow: &low, CIHigh: &high, Confidence: sig.Confidence,
	}
	if sig.Margin == 0 {
		v.PValue = sig.PValue
	}
	return v
}

// Model is a model's metrics against the baseline's, with the direction its
// gates give each and the significance tests they ran. base may be nil.
func Model(m *config.Model, files metrics.Files, base, head *metrics.Side,
	results []gate.Result) report.Model {
	v := report.Model{Name: m.Name}
	headMetrics := head.ModelMetrics(m, files)
	for _, c := range metrics.Diff(base.ModelMetrics(m, files), headMetrics, "") {
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
			HigherIsBetter: &hib, Significance: significance(results, m.Name, c.Key),
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
func significance(results []gate.Result, model, key string) *report.Significance {
	for _, g := range results {
		if g.Model == model && g.Metric == key && g.Significance != nil && g.Slice == "" {
			return Significance(g)
		}
	}
	return nil
}

// Plots draws each plot of the work tree at root, with the baseline's
// lines beside when b holds the plot; names label the two sides.
func Plots(ctx context.Context, root string, files metrics.Files, b *metrics.Baseline,
	names [2]string) ([]report.Plot, error) {
	head, err := metrics.ReadPlots(ctx, metrics.WorkTree(root), files)
	if err != nil {
		return nil, fmt.Errorf("reading the %s's plots: %w", names[1], err)
	}
	byPath := map[string]*metrics.Plot{}
	if b.Exists() {
		base, err := metrics.ReadPlots(ctx, b, files)
		if err != nil {
			return nil, fmt.Errorf("reading the %s's plots: %w", names[0], err)
		}
		for _, p := range base {
			byPath[p.Path] = p
		}
	}

	var plots []report.Plot
	for _, h := range head {
		p := h
		if bp, ok := byPath[h.Path]; ok {
			p = metrics.Merge(names[:], []*metrics.Plot{bp, h})
		}
		plots = append(plots, Plot(p))
	}
	return plots, nil
}

// Plot is one plot, recognising ROC and precision-recall curves by their
// axes.
func Plot(p *metrics.Plot) report.Plot {
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
