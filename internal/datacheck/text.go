package datacheck

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
)

// TestTitle returns a test's name for people.
func TestTitle(test string) string {
	switch test {
	case TestKS:
		return "Kolmogorov–Smirnov p"
	case TestWasserstein:
		return "Wasserstein / std"
	case TestPSI:
		return "PSI"
	case TestChiSquare:
		return "chi-squared p"
	case TestJensenShannon:
		return "Jensen–Shannon"
	case TestLInf:
		return "L-infinity"
	}
	return test
}

// WriteText writes the result for a terminal: per data set a verdict line,
// the schema issues, and the drift table with the most drifted columns first.
func WriteText(w io.Writer, r *Result) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for i, s := range r.Sets {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		writeSet(tw, &s)
	}
	if len(r.Sets) == 0 {
		fmt.Fprintln(tw, "no data sets configured (add them under data: in mlci.yaml)")
	}
	return tw.Flush()
}

func writeSet(w io.Writer, s *SetResult) {
	verdict := "passed"
	if !s.Passed {
		verdict = "FAILED"
	}
	fmt.Fprintf(w, "%s (%s): %s\n", s.Name, s.Path, verdict)
	if s.Error != "" {
		fmt.Fprintf(w, "  error: %s\n", s.Error)
		return
	}
	fmt.Fprintf(w, "  %d rows; %s\n", s.Rows, schemaSummary(s))
	for _, i := range s.Schema {
		fmt.Fprintf(w, "  %s\t%s\t%s\t%s\n", i.Severity, orDash(i.Column), i.Rule, i.Message)
	}
	if s.Drift == nil {
		fmt.Fprintln(w, "  drift: no baseline to compare with")
		return
	}
	writeDrift(w, s.Drift)
}

func schemaSummary(s *SetResult) string {
	if s.SchemaSource == "" {
		return "schema: none (no schema file and no baseline)"
	}
	errs, warns := 0, 0
	for _, i := range s.Schema {
		if i.Severity == SeverityError {
			errs++
		} else {
			warns++
		}
	}
	return fmt.Sprintf("schema (%s): %d errors, %d warnings", s.SchemaSource, errs, warns)
}

// WriteDriftText writes one data set's drift table, most drifted first.
func WriteDriftText(w io.Writer, d *DriftResult) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	writeDrift(tw, d)
	return tw.Flush()
}

func writeDrift(w io.Writer, d *DriftResult) {
	drifted := 0
	for _, c := range d.Columns {
		if c.Drifted {
			drifted++
		}
	}
	state := "no drift"
	if d.Drifted {
		state = "DRIFT (" + d.Severity + ")"
	}
	fmt.Fprintf(w, "  drift: %s — %d of %d columns drifted (%s; the set drifts at %s)\n",
		state, drifted, len(d.Columns), percent(d.Share), percent(d.Threshold))
	fmt.Fprintln(w, "  column\ttest\tvalue\tthreshold\tdrifted")
	for _, c := range d.Columns {
		mark := "no"
		if c.Drifted {
			mark = "yes"
		}
		if c.Approximate {
			mark += " (sketch)"
		}
		fmt.Fprintf(w, "  %s\t%s\t%s\t%s\t%s\n",
			c.Column, TestTitle(c.Test), FormatValue(c.Value()), FormatValue(c.Threshold), mark)
	}
	for _, s := range d.Skipped {
		fmt.Fprintf(w, "  %s\tnot tested: %s\n", s.Column, s.Reason)
	}
}

// FormatValue formats a statistic with four significant digits, and the
// stand-in for infinity as ∞.
func FormatValue(x float64) string {
	switch {
	case x >= math.MaxFloat64:
		return "∞"
	case x != 0 && math.Abs(x) < 1e-4:
		return fmt.Sprintf("%.2e", x)
	}
	return fmt.Sprintf("%.4g", x)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// WriteProfileText writes a profile as a table: one line per column with its
// type, nulls, and a summary of its values.
func WriteProfileText(w io.Writer, p *Profile) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%d rows, %d columns (%s)\n", p.Rows, len(p.Columns), p.Format)
	fmt.Fprintln(tw, "column\ttype\tnulls\tsummary")
	for _, c := range p.Columns {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", c.Name, c.Type, c.Nulls, valueSummary(c))
	}
	return tw.Flush()
}

func valueSummary(c *Column) string {
	switch {
	case c.Numeric != nil && c.Numeric.Sketch != nil:
		n := c.Numeric
		return fmt.Sprintf("min %s  median %s  max %s  mean %s  std %s",
			FormatValue(n.Min), FormatValue(n.Quantiles[4]), FormatValue(n.Max),
			FormatValue(n.Mean), FormatValue(n.Std))
	case c.Categorical != nil:
		var top []string
		for _, t := range c.Categorical.Top[:min(3, len(c.Categorical.Top))] {
			top = append(top, fmt.Sprintf("%q %d", clip(t.Value), t.Count))
		}
		more := ""
		if !c.Categorical.Complete {
			more = "+"
		}
		return fmt.Sprintf(
			"%d%s distinct: %s",
			c.Categorical.Distinct,
			more,
			strings.Join(top, ", "),
		)
	}
	return "no values"
}
