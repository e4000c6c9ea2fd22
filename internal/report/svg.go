package report

import (
	"fmt"
	"math"
	"strings"
)

// The SVG charts' geometry, in pixels.
const (
	svgWidth  = 640
	svgHeight = 360
	padLeft   = 64
	padRight  = 16
	padTop    = 16
	padBottom = 72
	plotW     = svgWidth - padLeft - padRight
	plotH     = svgHeight - padTop - padBottom
)

// axis maps data values onto pixels along one side of the plot area.
type axis struct {
	lo, hi float64
	ticks  []float64
}

// niceAxis returns an axis from about lo to hi with round tick values.
func niceAxis(lo, hi float64) axis {
	if hi <= lo {
		lo, hi = lo-0.5, hi+0.5
	}
	if !finite(hi - lo) {
		return axis{lo: lo, hi: hi} // too wide for ticks
	}
	step := niceStep((hi - lo) / 5)
	a := axis{lo: math.Floor(lo/step) * step, hi: math.Ceil(hi/step) * step}
	for v := a.lo; v <= a.hi+step/2; v += step {
		a.ticks = append(a.ticks, math.Round(v/step)*step)
	}
	return a
}

// niceStep rounds a tick step to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	p := math.Pow10(int(math.Floor(math.Log10(raw))))
	switch f := raw / p; {
	case f <= 1:
		return p
	case f <= 2:
		return 2 * p
	case f <= 5:
		return 5 * p
	}
	return 10 * p
}

// at returns where v lies along a side of length size, from 0 to size. It
// works on halves so that the widest float64 range does not overflow.
func (a axis) at(v, size float64) float64 {
	return (v/2 - a.lo/2) / (a.hi/2 - a.lo/2) * size
}

// SVG draws the chart as a self-contained SVG image, each series downsampled
// to at most maxPoints points. It returns "" when there is nothing to draw.
func (c chart) SVG(n numbers, maxPoints int) string {
	if len(c.Series) == 0 || (c.Kind == Bar && len(c.Categories) == 0) {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" `+
		`width="%d" height="%d" role="img" aria-label="%s">`,
		svgWidth, svgHeight, svgWidth, svgHeight, HTML(c.Title))

	if c.Kind == Bar {
		c.svgBars(&b, n)
	} else if !c.svgLines(&b, n, maxPoints) {
		return ""
	}
	c.svgLegend(&b)
	b.WriteString("</svg>")
	return b.String()
}

func (c chart) svgLines(b *strings.Builder, n numbers, maxPoints int) bool {
	xlo, xhi, ylo, yhi := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, ps := range c.series {
		for _, p := range ps {
			xlo, xhi, ylo, yhi = min(xlo, p.x), max(xhi, p.x), min(ylo, p.y), max(yhi, p.y)
		}
	}
	if math.IsInf(xlo, 0) {
		return false
	}
	if c.Kind == ROC || c.Kind == PR {
		xlo, xhi, ylo, yhi = min(xlo, 0), max(xhi, 1), min(ylo, 0), max(yhi, 1)
	}
	x, y := niceAxis(xlo, xhi), niceAxis(ylo, yhi)
	c.svgAxes(b, n, x, y, nil)

	for i, ps := range c.series {
		coords := make([]string, 0, min(len(ps), maxPoints))
		for _, p := range lttb(ps, maxPoints) {
			coords = append(coords, fmt.Sprintf("%.1f,%.1f",
				padLeft+x.at(p.x, plotW), padTop+plotH-y.at(p.y, plotH)))
		}
		fmt.Fprintf(b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`,
			palette[i%len(palette)], strings.Join(coords, " "))
	}
	return true
}

// svgBars draws the series' bars side by side within each category.
func (c chart) svgBars(b *strings.Builder, n numbers) {
	lo, hi := 0.0, 0.0
	for _, s := range c.Series {
		for _, v := range s.Y {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	y := niceAxis(lo, hi)
	c.svgAxes(b, n, axis{lo: 0, hi: float64(len(c.Categories))}, y, c.Categories)

	slot := float64(plotW) / float64(len(c.Categories))
	width := slot * 0.8 / float64(len(c.Series))
	zero := padTop + plotH - y.at(0, plotH)
	for i, s := range c.Series {
		for j, v := range s.Y {
			if j >= len(c.Categories) {
				break
			}
			top := padTop + plotH - y.at(v, plotH)
			fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s">`+
				`<title>%s: %s</title></rect>`,
				padLeft+slot*(float64(j)+0.1)+width*float64(i), min(top, zero), width,
				math.Abs(zero-top), palette[i%len(palette)], HTML(s.Name), n.short(v))
		}
	}
}

// svgAxes draws the frame, grid lines, tick labels and axis labels; a
// categorical x-axis gets its categories' names under their slots.
func (c chart) svgAxes(b *strings.Builder, n numbers, x, y axis, cats []string) {
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" class="frame"/>`,
		padLeft, padTop, plotW, plotH)
	for _, t := range y.ticks {
		py := padTop + plotH - y.at(t, plotH)
		fmt.Fprintf(b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" class="grid"/>`,
			padLeft, padLeft+plotW, py, py)
		fmt.Fprintf(b, `<text x="%d" y="%.1f" class="tick" text-anchor="end">%s</text>`,
			padLeft-6, py+4, n.short(t))
	}
	if cats != nil {
		slot := float64(plotW) / float64(len(cats))
		for i, cat := range cats {
			fmt.Fprintf(b, `<text x="%.1f" y="%d" class="tick" text-anchor="middle">%s</text>`,
				padLeft+slot*(float64(i)+0.5), padTop+plotH+16, HTML(clip(24, cat)))
		}
	} else {
		for _, t := range x.ticks {
			px := padLeft + x.at(t, plotW)
			fmt.Fprintf(b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" class="grid"/>`,
				px, px, padTop, padTop+plotH)
			fmt.Fprintf(b, `<text x="%.1f" y="%d" class="tick" text-anchor="middle">%s</text>`,
				px, padTop+plotH+16, n.short(t))
		}
	}

	fmt.Fprintf(b, `<text x="%d" y="%d" class="label" text-anchor="middle">%s</text>`,
		padLeft+plotW/2, padTop+plotH+36, HTML(c.XLabel))
	fmt.Fprintf(b, `<text transform="translate(16 %d) rotate(-90)" class="label" `+
		`text-anchor="middle">%s</text>`, padTop+plotH/2, HTML(c.YLabel))
}

func (c chart) svgLegend(b *strings.Builder) {
	x := float64(padLeft)
	for i, s := range c.Series {
		name := clip(40, s.Name)
		fmt.Fprintf(b, `<rect x="%.0f" y="%d" width="12" height="12" fill="%s"/>`+
			`<text x="%.0f" y="%d" class="legend">%s</text>`,
			x, svgHeight-18, palette[i%len(palette)], x+16, svgHeight-8, HTML(name))
		x += 16 + 7.5*float64(len([]rune(name))) + 20
	}
}
