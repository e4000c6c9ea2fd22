package metrics

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"text/tabwriter"

	"github.com/mlci-dev/mlci/internal/params"
)

// DefaultPrecision is the number of decimals figures are shown with when the
// configuration sets none.
const DefaultPrecision = 4

// WriteText writes the comparison for people: the baseline, then a table of
// metrics and a table of params, figures with precision decimals.
func (c *Comparison) WriteText(w io.Writer, precision int) error {
	if precision <= 0 {
		precision = DefaultPrecision
	}
	fmt.Fprintf(w, "baseline: %s", c.Baseline)
	if c.Baseline != nil && c.Baseline.Note != "" {
		fmt.Fprintf(w, " (%s)", c.Baseline.Note)
	}
	fmt.Fprintln(w)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if len(c.Metrics) == 0 {
		fmt.Fprintln(tw, "\nno metrics changed")
	} else {
		fmt.Fprintln(tw, "\nfile\tmetric\tbaseline\tcandidate\tchange\trelative")
	}
	for _, m := range c.Metrics {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", m.File, m.Key, Figure(m.Base, precision),
			Figure(m.Head, precision), signedFigure(m.Change, precision), percent(m.Relative))
	}
	if len(c.Params) == 0 {
		fmt.Fprintln(tw, "\nno params changed")
	} else {
		fmt.Fprintln(tw, "\nfile\tparam\tbaseline\tcandidate\tchange")
	}
	for _, p := range c.Params {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.File, p.Key, paramText(p.Base, p.Status, Added),
			paramText(p.Head, p.Status, Removed), signedFigure(p.Change, precision))
	}
	return tw.Flush()
}

// Figure formats a measured value with precision decimals, in exponent form
// when it is very large or very small, and "–" when it is missing.
func Figure(v *float64, precision int) string {
	switch {
	case v == nil:
		return "–"
	case math.IsNaN(*v) || math.IsInf(*v, 0):
		return strconv.FormatFloat(*v, 'g', -1, 64)
	}
	a := math.Abs(*v)
	if a != 0 && (a >= 1e7 || a < math.Pow(10, -float64(precision))) {
		return strconv.FormatFloat(*v, 'g', precision, 64)
	}
	return strconv.FormatFloat(*v, 'f', precision, 64)
}

func signedFigure(v *float64, precision int) string {
	s := Figure(v, precision)
	if v != nil && *v > 0 {
		return "+" + s
	}
	return s
}

func percent(v *float64) string {
	if v == nil {
		return "–"
	}
	s := strconv.FormatFloat(*v*100, 'f', 2, 64) + "%"
	if *v > 0 {
		return "+" + s
	}
	return s
}

// paramText formats a param's value, "–" on the side that lacks it.
func paramText(v any, status, absentWhen string) string {
	if status == absentWhen {
		return "–"
	}
	return params.Format(v)
}
