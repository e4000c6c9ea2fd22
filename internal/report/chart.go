package report

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode"
)

// palette colours the series of every chart, in order; squares are the
// Markdown legend's swatches of the same colours, since Mermaid's xychart
// draws no legend of its own.
var (
	palette = []string{"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
		"#9467bd", "#8c564b", "#7f7f7f", "#bcbd22"}
	squares = []string{"🟦", "🟧", "🟩", "🟥", "🟪", "🟫", "⬛", "🟨"}
)

const (
	// unitStep is the x grid of ROC and PR curves in Mermaid: 0, 0.05 … 1.
	unitStep = 0.05
	// mermaidPoints is how many points a line chart has in Mermaid; more make
	// a comment longer without making the chart more readable.
	mermaidPoints = 41
)

// point is one point of a series.
type point struct{ x, y float64 }

// points returns the series' points sorted by x, then y, with an index for x
// when the series has none.
func points(s Series) []point {
	ps := make([]point, 0, len(s.Y))
	for i, y := range s.Y {
		x := float64(i)
		if s.X != nil {
			x = s.X[i]
		}
		ps = append(ps, point{x, y})
	}
	slices.SortStableFunc(ps, func(a, b point) int {
		return cmp.Or(cmp.Compare(a.x, b.x), cmp.Compare(a.y, b.y))
	})
	return ps
}

// interpolate returns the series' y at x, by a straight line between the
// neighbouring points. Where several points share an x (the vertical steps of
// a ROC curve) the last, highest one counts; outside the points, the nearest
// end's y.
func interpolate(ps []point, x float64) float64 {
	i, _ := slices.BinarySearchFunc(
		ps,
		x,
		func(p point, x float64) int { return cmp.Compare(p.x, x) },
	)
	for i+1 < len(ps) && ps[i+1].x == x {
		i++
	}
	switch {
	case i >= len(ps):
		return ps[len(ps)-1].y
	case ps[i].x == x || i == 0:
		return ps[i].y
	}
	a, b := ps[i-1], ps[i]
	return a.y + (b.y-a.y)*(x-a.x)/(b.x-a.x)
}

// grid returns the x values every series of p is resampled on for Mermaid,
// which spreads a line's values evenly over its x-axis: 0 … 1 in steps of
// 0.05 for ROC and PR, otherwise evenly spaced over the series' x range, at
// most mermaidPoints and no more than there are distinct x values. It is nil
// when the series span no range.
func grid(p Plot, series [][]point) []float64 {
	if p.Kind == ROC || p.Kind == PR {
		return evenly(0, 1, int(math.Round(1/unitStep))+1)
	}

	lo, hi := math.Inf(1), math.Inf(-1)
	distinct := map[float64]bool{}
	for _, ps := range series {
		for _, q := range ps {
			lo, hi = min(lo, q.x), max(hi, q.x)
			if len(distinct) <= mermaidPoints {
				distinct[q.x] = true
			}
		}
	}
	if len(distinct) < 2 {
		return nil
	}
	return evenly(lo, hi, min(mermaidPoints, len(distinct)))
}

// evenly returns n values from lo to hi, both included, evenly spaced.
func evenly(lo, hi float64, n int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = lo + (hi-lo)*float64(i)/float64(n-1)
	}
	xs[n-1] = hi
	return xs
}

// lttb downsamples ps to n points by Largest-Triangle-Three-Buckets, which
// keeps the peaks and troughs that make a curve's shape. ps must be sorted by x.
func lttb(ps []point, n int) []point {
	if n >= len(ps) || n < 3 {
		return ps
	}

	out := make([]point, 0, n)
	out = append(out, ps[0])
	size := float64(len(ps)-2) / float64(n-2)
	prev := ps[0]
	for b := 0; b < n-2; b++ {
		start, end := int(float64(b)*size)+1, int(float64(b+1)*size)+1
		next := average(ps[end:min(int(float64(b+2)*size)+1, len(ps))])
		if end >= len(ps)-1 {
			next = ps[len(ps)-1]
		}

		best, area := start, -1.0
		for i := start; i < end; i++ {
			a := math.Abs((prev.x-next.x)*(ps[i].y-prev.y) - (prev.x-ps[i].x)*(next.y-prev.y))
			if a > area {
				best, area = i, a
			}
		}
		prev = ps[best]
		out = append(out, prev)
	}
	return append(out, ps[len(ps)-1])
}

func average(ps []point) point {
	var a point
	for _, p := range ps {
		a.x += p.x
		a.y += p.y
	}
	if len(ps) > 0 {
		a.x /= float64(len(ps))
		a.y /= float64(len(ps))
	}
	return a
}

// chart is a plot ready to draw: at most MaxSeries series with their points.
type chart struct {
	Plot
	series [][]point
	// dropped is how many series were left out to keep the chart readable.
	dropped int
}

// newChart keeps the first max series of p that have points.
func newChart(p Plot, maxSeries int) chart {
	c := chart{Plot: p}
	c.Series = nil
	for _, s := range p.Series {
		if len(s.Y) == 0 {
			continue
		}
		if len(c.Series) == maxSeries {
			c.dropped++
			continue
		}
		c.Series = append(c.Series, s)
		if p.Kind != Bar {
			c.series = append(c.series, points(s))
		}
	}
	return c
}

// mermaidText makes s safe inside a quoted Mermaid string: one line, no
// quotes, and nothing a diagram parser or its HTML output could read as syntax.
func mermaidText(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			return r
		case strings.ContainsRune(" .,:()/+-_=%'!?*–—·≥≤→", r):
			return r
		}
		return ' '
	}, s)
	for strings.Contains(s, "%%") { // %% starts a Mermaid comment or directive
		s = strings.ReplaceAll(s, "%%", "%")
	}
	return clip(80, strings.Join(strings.Fields(s), " "))
}

// Mermaid returns p as a Mermaid xychart-beta diagram (without the code
// fence) and whether there was anything to draw.
func (c chart) Mermaid(n numbers) (string, bool) {
	if len(c.Series) == 0 {
		return "", false
	}
	var b strings.Builder
	colours := strings.Join(palette[:min(len(palette), len(c.Series))], ", ")
	b.WriteString(`%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "` +
		colours + `"}}}}%%` + "\nxychart-beta\n")
	if t := mermaidText(c.Title); t != "" {
		b.WriteString(`  title "` + t + "\"\n")
	}

	ok := false
	if c.Kind == Bar {
		ok = c.mermaidBars(&b, n)
	} else {
		ok = c.mermaidLines(&b, n)
	}
	return b.String(), ok
}

func (c chart) mermaidLines(b *strings.Builder, n numbers) bool {
	xs := grid(c.Plot, c.series)
	if xs == nil {
		return false
	}
	b.WriteString("  x-axis " + axisLabel(c.XLabel) + n.short(xs[0]) + " --> " +
		n.short(xs[len(xs)-1]) + "\n")
	if c.Kind == ROC || c.Kind == PR {
		b.WriteString("  y-axis " + axisLabel(c.YLabel) + "0 --> 1\n")
	} else if l := axisLabel(c.YLabel); l != "" {
		b.WriteString("  y-axis " + strings.TrimSpace(l) + "\n")
	}

	for _, ps := range c.series {
		ys := make([]string, len(xs))
		for i, x := range xs {
			ys[i] = n.short(interpolate(ps, x))
		}
		b.WriteString("  line [" + strings.Join(ys, ", ") + "]\n")
	}
	return true
}

// mermaidBars draws the first series as bars and the others as lines over
// them, since xychart stacks bars of several series on top of each other.
//
// TODO: draw grouped bars once xychart supports them; until then only the
// SVG chart of the HTML report shows every series as bars.
func (c chart) mermaidBars(b *strings.Builder, n numbers) bool {
	if len(c.Categories) == 0 {
		return false
	}
	cats := make([]string, len(c.Categories))
	for i, cat := range c.Categories {
		cats[i] = `"` + mermaidText(cat) + `"`
	}
	b.WriteString("  x-axis " + axisLabel(c.XLabel) + "[" + strings.Join(cats, ", ") + "]\n")

	lo, hi := 0.0, 0.0
	for _, s := range c.Series {
		for _, y := range s.Y {
			lo, hi = min(lo, y), max(hi, y)
		}
	}
	y := niceAxis(lo, hi)
	b.WriteString(
		"  y-axis " + axisLabel(c.YLabel) + n.short(y.lo) + " --> " + n.short(y.hi) + "\n",
	)

	for i, s := range c.Series {
		ys := make([]string, len(c.Categories))
		for j := range ys {
			ys[j] = "0"
			if j < len(s.Y) {
				ys[j] = n.short(s.Y[j])
			}
		}
		kind := "line"
		if i == 0 {
			kind = "bar"
		}
		b.WriteString("  " + kind + " [" + strings.Join(ys, ", ") + "]\n")
	}
	return true
}

func axisLabel(l string) string {
	if l = mermaidText(l); l != "" {
		return `"` + l + `" `
	}
	return ""
}

// Legend names the chart's series beside their colours, escaped for Markdown.
func (c chart) Legend(n numbers) string {
	parts := make([]string, len(c.Series))
	for i, s := range c.Series {
		name := Markdown(clip(60, s.Name))
		if c.Kind == Bar {
			name += map[bool]string{true: " (bars)", false: " (line)"}[i == 0]
		}
		parts[i] = squares[i%len(squares)] + " " + name + c.flat(i, n)
	}
	return strings.Join(parts, " · ")
}

// flat notes where series i is held flat in Mermaid because it covers less
// of the x-axis than the others.
//
// TODO: xychart lines cannot have gaps, so a shorter series is held at its
// end values; a gap would be truer if Mermaid learns to draw one.
func (c chart) flat(i int, n numbers) string {
	if c.Kind == Bar || c.Kind == ROC || c.Kind == PR || i >= len(c.series) {
		return ""
	}
	xs := grid(c.Plot, c.series)
	ps := c.series[i]
	if xs == nil || len(ps) == 0 {
		return ""
	}
	var notes []string
	if first := ps[0].x; first > xs[0] {
		notes = append(notes, "starts at "+n.short(first))
	}
	if last := ps[len(ps)-1].x; last < xs[len(xs)-1] {
		notes = append(notes, "ends at "+n.short(last))
	}
	if len(notes) == 0 {
		return ""
	}
	return " (" + strings.Join(notes, ", ") + ")"
}
