package report

import (
	"slices"
	"strings"
)

// omit says which details a size limit left out of a Markdown report.
type omit struct {
	ModelParams bool
	Plots       bool
	Files       bool
	DataColumns bool
	Logs        bool
	Params      bool
	Stages      bool
	Metrics     bool
	PassedGates bool
	// Minimal leaves the verdict, the counts and the links only.
	Minimal bool
}

// view is what the templates execute on: the prepared data with the
// sentences and counts that are easier said in Go than in a template.
type view struct {
	*Data
	// Omit says what the size limit left out, Omitted the same for people.
	Omit    omit
	Omitted []string
	// Summary is set when rendering the job summary rather than the comment.
	Summary bool
	charts  []chart
	opts    Options
}

func newView(d *Data, opts Options) *view {
	v := &view{Data: d, opts: opts}
	for _, p := range d.Plots {
		v.charts = append(v.charts, newChart(p, opts.MaxSeries))
	}
	return v
}

// Charts are the plots ready to draw.
func (v *view) Charts() []chart { return v.charts }

// Icon is the verdict's emoji.
func (v *view) Icon() string {
	switch v.Verdict.State {
	case Passed:
		return "✅"
	case Failed:
		return "❌"
	case Nothing:
		return "➖"
	}
	return "⚠️"
}

// Headline is the verdict's reason in one line.
func (v *view) Headline() string {
	if v.Verdict.Headline != "" {
		return v.Verdict.Headline
	}
	g := v.GateCounts()
	switch v.Verdict.State {
	case Passed:
		if g.Total == 0 {
			return "the pipeline ran and passed its checks"
		}
		return "all " + plural(g.Total, "gate", "gates") + " passed"
	case Failed:
		if g.Failed > 0 {
			return plural(g.Failed, "gate", "gates") + " failed"
		}
		return "a check failed"
	case Nothing:
		return "nothing ML-related changed"
	}
	return "the run did not finish"
}

// Subject names what the report is about: the models, else the project.
func (v *view) Subject() string {
	names := make([]string, 0, len(v.Models))
	for _, m := range v.Models {
		names = append(names, m.Name)
	}
	switch {
	case len(names) > 0:
		return strings.Join(names, ", ")
	case v.Project != "":
		return v.Project
	}
	return "pipeline"
}

// Title is the verdict as one plain line, for a check run or a status.
func (v *view) Title() string {
	return v.Icon() + " " + v.Subject() + ": " + v.Headline()
}

// ChangedClasses says which classes of files changed, escaped for Markdown:
// "code (2 files), docs (1 file)".
func (v *view) ChangedClasses() string { return v.changedClasses(Markdown) }

// ChangedClassesText is ChangedClasses unescaped, for the HTML template.
func (v *view) ChangedClassesText() string {
	return v.changedClasses(func(s string) string { return s })
}

func (v *view) changedClasses(esc func(string) string) string {
	parts := make([]string, 0, len(v.Changes.Classes))
	for _, c := range v.Changes.Classes {
		if c.Files > 0 {
			parts = append(parts, esc(c.Class)+" ("+plural(c.Files, "file", "files")+")")
		}
	}
	return strings.Join(parts, ", ")
}

// ChangedFiles is how many files changed.
func (v *view) ChangedFiles() int {
	n := 0
	for _, c := range v.Changes.Classes {
		n += c.Files
	}
	return max(n, len(v.Changes.Files))
}

// stageCounts counts stages by result.
type stageCounts struct {
	Total, Ran, Restored, Skipped, Failed, NotAffected int
	// Saved is the seconds reuse saved: the last real runs of the stages
	// that were restored or skipped.
	Saved float64
}

// StageCounts counts the stages by result.
func (v *view) StageCounts() stageCounts {
	c := stageCounts{Total: len(v.Stages)}
	for _, s := range v.Stages {
		switch s.Result {
		case Ran:
			c.Ran++
		case Restored:
			c.Restored++
		case Skipped:
			c.Skipped++
		case StageFailed:
			c.Failed++
		case NotAffected:
			c.NotAffected++
		}
		if s.Result == Restored || s.Result == Skipped || s.Result == NotAffected {
			c.Saved += s.SavedSeconds
		}
	}
	return c
}

// StageLine says in one sentence what happened to the stages.
func (v *view) StageLine() string {
	c := v.StageCounts()
	if c.Total == 0 {
		return ""
	}
	parts := []string{count(c.Ran+c.Failed) + " of " + count(c.Total) + " stages ran"}
	if c.Failed > 0 {
		parts[0] += " (" + count(c.Failed) + " failed)"
	}
	for _, p := range []struct {
		n    int
		what string
	}{{c.Restored, "restored from cache"}, {c.Skipped, "skipped"},
		{c.NotAffected, "not affected"}} {
		if p.n > 0 {
			parts = append(parts, count(p.n)+" "+p.what)
		}
	}
	line := strings.Join(parts, ", ")
	if c.Saved > 0 {
		line += " (saved " + about(c.Saved) + ")"
	}
	return line + "."
}

// FailedStages are the stages that failed.
func (v *view) FailedStages() []Stage {
	var out []Stage
	for _, s := range v.Stages {
		if s.Result == StageFailed {
			out = append(out, s)
		}
	}
	return out
}

// gateCounts counts gates by verdict.
type gateCounts struct{ Total, Passed, Failed, Warned, Skipped int }

// GateCounts counts the gates by verdict; a failed warning is Warned.
func (v *view) GateCounts() gateCounts {
	c := gateCounts{Total: len(v.Gates)}
	for _, g := range v.Gates {
		switch {
		case g.Skipped:
			c.Skipped++
		case g.Passed:
			c.Passed++
		case g.Severity == "warning":
			c.Warned++
		default:
			c.Failed++
		}
	}
	return c
}

// ShownGates are the gates the report lists: all of them, or the ones that
// did not pass when the size limit left the passed ones out.
func (v *view) ShownGates() []Gate {
	if !v.Omit.PassedGates {
		return v.Gates
	}
	return slices.DeleteFunc(slices.Clone(v.Gates), func(g Gate) bool {
		return g.Passed && !g.Skipped
	})
}

// GatedMetrics are a model's metrics that some gate judges; the size limit
// keeps only these.
func (v *view) GatedMetrics(m Model) []Metric {
	if !v.Omit.Metrics {
		return m.Metrics
	}
	return slices.DeleteFunc(slices.Clone(m.Metrics), func(x Metric) bool {
		return !slices.ContainsFunc(v.Gates, func(g Gate) bool {
			return g.Model == m.Name && g.Metric == x.Key
		})
	})
}

// ServingFailed counts the serving checks that failed.
func (v *view) ServingFailed() int {
	n := 0
	for _, s := range v.Serving {
		if !s.Passed && s.Severity != "warning" {
			n++
		}
	}
	return n
}

// ServingWarned counts the serving checks that failed as warnings.
func (v *view) ServingWarned() int {
	n := 0
	for _, s := range v.Serving {
		if !s.Passed && s.Severity == "warning" {
			n++
		}
	}
	return n
}

// dataCounts counts the data sets that drifted and the schema issues.
func (v *view) dataCounts() (drifted, issues int) {
	for _, d := range v.DataSets {
		if d.Drift != nil && d.Drift.Drifted {
			drifted++
		}
		issues += len(d.SchemaIssues)
	}
	return drifted, issues
}

// driftedColumns counts the drifted columns over every data set.
func (v *view) driftedColumns() int {
	n := 0
	for _, d := range v.DataSets {
		if d.Drift == nil {
			continue
		}
		for _, c := range d.Drift.Columns {
			if c.Drifted {
				n++
			}
		}
	}
	return n
}

// DataProblems counts the drifted data sets and the schema issues.
func (v *view) DataProblems() int {
	drifted, issues := v.dataCounts()
	return drifted + issues
}

// DataLine sums up the data checks in one phrase.
func (v *view) DataLine() string {
	drifted, issues := v.dataCounts()
	var parts []string
	switch columns := v.driftedColumns(); {
	case drifted == 0 && columns == 0:
		parts = append(parts, "no drift")
	case drifted == 0:
		parts = append(parts, plural(columns, "column drifted", "columns drifted")+
			", below the data-set threshold")
	default:
		parts = append(parts, plural(drifted, "data set drifted", "data sets drifted"))
	}
	if issues > 0 {
		parts = append(parts, plural(issues, "schema issue", "schema issues"))
	}
	return strings.Join(parts, ", ")
}

// ChangedParams counts a model's params whose value changed.
func (v *view) ChangedParams(m Model) int {
	n := 0
	for _, p := range m.Params {
		if p.Base != p.Head {
			n++
		}
	}
	return n
}

// Notes are what was left out of the report, before and while rendering.
func (v *view) Notes() []string {
	return append(slices.Clone(v.Truncated), v.Omitted...)
}
