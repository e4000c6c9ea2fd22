package report

import (
	"cmp"
	"slices"
)

// prepare returns a copy of d ready to render: the schema set, lists whose
// order carries no meaning sorted, missing changes computed, and values that
// are not finite dropped (JSON has no NaN). The caller's d is not changed.
func prepare(d *Data) *Data {
	c := *d
	c.Schema = Schema
	if c.Baseline.Kind == "" {
		c.Baseline.Kind = BaselineNone
	}

	c.Changes = prepareChanges(d.Changes)
	c.Stages = slices.Clone(d.Stages)
	for i := range c.Stages {
		c.Stages[i].Seconds = finiteOr0(c.Stages[i].Seconds)
		c.Stages[i].SavedSeconds = finiteOr0(c.Stages[i].SavedSeconds)
	}
	if d.Tests != nil {
		t := *d.Tests
		t.Seconds = finiteOr0(t.Seconds)
		c.Tests = &t
	}

	c.Models = mapSlice(d.Models, prepareModel)
	c.Gates = mapSlice(d.Gates, prepareGate)
	c.DataSets = mapSlice(d.DataSets, prepareDataSet)
	c.Plots = mapSlice(d.Plots, preparePlot)
	c.Serving = mapSlice(d.Serving, func(s ServingCheck) ServingCheck {
		s.Value = fin(s.Value)
		return s
	})
	if d.Promotion != nil {
		p := *d.Promotion
		c.Promotion = &p
	}
	return &c
}

func prepareChanges(ch Changes) Changes {
	ch.Classes = slices.Clone(ch.Classes)
	slices.SortStableFunc(ch.Classes, func(a, b ClassCount) int {
		return cmp.Compare(a.Class, b.Class)
	})

	ch.Files = slices.Clone(ch.Files)
	slices.SortStableFunc(ch.Files, func(a, b File) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.OldPath, b.OldPath))
	})

	ch.Params = slices.Clone(ch.Params)
	slices.SortStableFunc(ch.Params, func(a, b ParamChange) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Key, b.Key))
	})
	return ch
}

func prepareModel(m Model) Model {
	m.Metrics = mapSlice(m.Metrics, prepareMetric)
	slices.SortStableFunc(m.Metrics, func(a, b Metric) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Key, b.Key))
	})

	m.Params = slices.Clone(m.Params)
	slices.SortStableFunc(m.Params, func(a, b Param) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Key, b.Key))
	})
	return m
}

func prepareMetric(m Metric) Metric {
	m.Base, m.Head, m.Change = fin(m.Base), fin(m.Head), fin(m.Change)
	if m.Change == nil && m.Base != nil && m.Head != nil {
		m.Change = fin(new(*m.Head - *m.Base))
	}
	if m.HigherIsBetter != nil {
		m.HigherIsBetter = new(*m.HigherIsBetter)
	}
	m.Significance = prepareSignificance(m.Significance)
	return m
}

func prepareSignificance(s *Significance) *Significance {
	if s == nil {
		return nil
	}
	c := *s
	c.PValue, c.CILow, c.CIHigh = fin(s.PValue), fin(s.CILow), fin(s.CIHigh)
	c.Confidence = finiteOr0(c.Confidence)
	return &c
}

func prepareGate(g Gate) Gate {
	g.Base, g.Head = fin(g.Base), fin(g.Head)
	g.Significance = prepareSignificance(g.Significance)
	return g
}

func prepareDataSet(s DataSet) DataSet {
	if s.BaseRows != nil {
		s.BaseRows = new(*s.BaseRows)
	}
	s.SchemaIssues = slices.Clone(s.SchemaIssues)
	if s.Drift == nil {
		return s
	}

	dr := *s.Drift
	dr.Share, dr.Threshold = finiteOr0(dr.Share), finiteOr0(dr.Threshold)
	dr.Columns = mapSlice(dr.Columns, func(c DriftColumn) DriftColumn {
		c.Value, c.Threshold, c.PValue = fin(c.Value), fin(c.Threshold), fin(c.PValue)
		return c
	})
	slices.SortStableFunc(dr.Columns, func(a, b DriftColumn) int {
		return cmp.Or(-cmpBool(a.Drifted, b.Drifted), cmp.Compare(a.Column, b.Column))
	})
	s.Drift = &dr
	return s
}

func preparePlot(p Plot) Plot {
	if p.Kind == "" {
		p.Kind = Line
	}
	p.Categories = slices.Clone(p.Categories)
	p.Series = mapSlice(p.Series, func(s Series) Series { return finitePoints(s, p.Kind == Bar) })
	if p.Confusion != nil {
		c := Confusion{Labels: slices.Clone(p.Confusion.Labels)}
		c.Counts = mapSlice(p.Confusion.Counts, slices.Clone)
		p.Confusion = &c
	}
	return p
}

// finitePoints drops the points of s that are not finite. Bars keep their
// places (a bar's Y is tied to its category), so a missing bar becomes 0.
func finitePoints(s Series, bars bool) Series {
	out := Series{Name: s.Name}
	if bars {
		out.Y = mapSlice(s.Y, finiteOr0)
		return out
	}

	for i, y := range s.Y {
		x := float64(i)
		if s.X != nil {
			if i >= len(s.X) {
				break
			}
			x = s.X[i]
		}
		if !finite(x) || !finite(y) {
			continue
		}
		if s.X != nil {
			out.X = append(out.X, x)
		}
		out.Y = append(out.Y, y)
	}
	return out
}

// mapSlice returns f applied to each element of s; nil stays nil.
func mapSlice[T, U any](s []T, f func(T) U) []U {
	if s == nil {
		return nil
	}
	out := make([]U, len(s))
	for i, v := range s {
		out[i] = f(v)
	}
	return out
}

// fin returns a copy of *p, or nil when p is nil or not finite.
func fin(p *float64) *float64 {
	if p == nil || !finite(*p) {
		return nil
	}
	return new(*p)
}

func finiteOr0(v float64) float64 {
	if !finite(v) {
		return 0
	}
	return v
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}
