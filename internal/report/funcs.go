package report

import (
	htmltemplate "html/template"
	"slices"
	"strings"
	texttemplate "text/template"
)

// commonFuncs are the template functions that return text without markup:
// numbers, durations, verdict words. Both the Markdown and the HTML templates
// use them; the callers escape.
func commonFuncs(opts Options) map[string]any {
	n := numbers{opts.Precision}
	return map[string]any{
		"num":    n.num,
		"signed": n.signed,
		"pvalue": n.pvalue,
		"fixed":  n.fixed,
		"pct":    percent,
		"dur":    seconds,
		"about":  about,
		"count":  count,
		"plural": plural,
		"clip":   clip,
		"sha":    shortSHA,

		"indicator":   n.indicator,
		"sig":         n.significance,
		"gateResult":  gateResult,
		"checkResult": checkResult,
		"stageResult": stageResult,
		"stageTime":   stageTime,
		"square":      func(i int) string { return squares[i%len(squares)] },
		"colour":      func(i int) string { return palette[i%len(palette)] },
		"changed":     func(p Param) bool { return p.Base != p.Head },
		"dropped":     func(c chart) int { return c.dropped },
		"legend":      func(c chart) string { return c.Legend(n) },
		"mermaid": func(c chart) string {
			s, ok := c.Mermaid(n)
			if !ok {
				return ""
			}
			return s
		},
		"add":    func(a, b int) int { return a + b },
		"marker": Marker,
	}
}

// markdownFuncs are the Markdown templates' functions: commonFuncs and the
// escapers.
func markdownFuncs(opts Options) texttemplate.FuncMap {
	f := commonFuncs(opts)
	f["md"] = Markdown
	f["text"] = InlineHTML
	f["code"] = Code
	f["fence"] = Fence
	f["url"] = URL
	f["value"] = func(s string) string {
		if s == "" {
			return unknown
		}
		return Code(clip(80, s))
	}
	return f
}

// htmlFuncs are the HTML template's functions: commonFuncs and the charts,
// which are built as SVG with their text escaped.
func htmlFuncs(opts Options) htmltemplate.FuncMap {
	f := commonFuncs(opts)
	n := numbers{opts.Precision}
	f["url"] = URL
	f["svg"] = func(c chart) htmltemplate.HTML {
		// The SVG is built from numbers and text escaped by HTML.
		return htmltemplate.HTML(c.SVG(n, opts.MaxPoints))
	}
	f["value"] = func(s string) string {
		if s == "" {
			return unknown
		}
		return s
	}
	return f
}

// indicator judges a metric's change by its direction: an arrow for where
// the value went, and whether that is better or worse.
func (n numbers) indicator(m Metric) string {
	switch {
	case m.Base == nil && m.Head != nil:
		return "new"
	case m.Head == nil && m.Base != nil:
		return "missing in the candidate"
	case m.Change == nil:
		return ""
	}

	c := *m.Change
	if n.fixed(c) == n.fixed(0) {
		return "= unchanged"
	}
	arrow := "▲"
	if c < 0 {
		arrow = "▼"
	}
	if m.HigherIsBetter == nil {
		return arrow
	}
	word := "worse"
	if (c > 0) == *m.HigherIsBetter {
		word = "better"
	}
	if !*m.HigherIsBetter {
		word += " (lower is better)"
	}
	return arrow + " " + word
}

// significance says whether a difference is significant and on what grounds:
// "significant (bootstrap, 95% CI +0.0060 … +0.0190)".
func (n numbers) significance(s *Significance) string {
	if s == nil {
		return ""
	}
	var details []string
	if s.Method != "" {
		details = append(details, s.Method)
	}
	if s.CILow != nil && s.CIHigh != nil {
		ci := "CI "
		if s.Confidence > 0 {
			ci = percent(s.Confidence) + " CI "
		}
		details = append(details, ci+n.signed(s.CILow)+" … "+n.signed(s.CIHigh))
	}
	if s.PValue != nil {
		p := n.pvalue(s.PValue)
		if !strings.HasPrefix(p, "<") {
			p = "= " + p
		}
		details = append(details, "p "+p)
	}

	word := "not significant"
	if s.Significant {
		word = "significant"
	}
	if len(details) == 0 {
		return word
	}
	return word + " (" + strings.Join(details, ", ") + ")"
}

// gateResult is a gate's verdict with its emoji.
func gateResult(g Gate) string {
	switch {
	case g.Skipped:
		return "➖ skipped"
	case g.Passed:
		return "✅ passed"
	case g.Severity == "warning":
		return "⚠️ warning"
	}
	return "❌ failed"
}

// checkResult is a serving check's result as people read it.
func checkResult(c ServingCheck) string {
	return gateResult(Gate{Passed: c.Passed, Severity: c.Severity})
}

// stageResult is a stage's result as people read it.
func stageResult(r string) string {
	switch r {
	case StageFailed:
		return "❌ failed"
	case Restored:
		return "restored"
	case NotAffected:
		return "not affected"
	}
	return r
}

// stageTime is how long a stage ran, or how long reusing it saved.
func stageTime(s Stage) string {
	switch {
	case (s.Result == Ran || s.Result == StageFailed) && s.Seconds > 0:
		return seconds(s.Seconds)
	case s.SavedSeconds > 0 && s.Result != Ran && s.Result != StageFailed:
		return "(" + seconds(s.SavedSeconds) + " saved)"
	}
	return unknown
}

func sortStrings(s []string) []string {
	slices.Sort(s)
	return s
}
