package serve

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/mlci-dev/mlci/internal/gate"
)

// shownMismatches is how many mismatches the text lists.
const shownMismatches = 10

// WriteText writes the result for people: the verdict, the figures beside
// the baseline's, each check and gate with its outcome, the first
// mismatches, the notes and, when a check failed, the service's first and last lines.
func (r *Result) WriteText(w io.Writer) error {
	var b strings.Builder
	outcome := "passed"
	if !r.Passed {
		outcome = "FAILED"
	}
	fmt.Fprintf(&b, "serving %s: %s\n", r.Model, outcome)
	r.writeFigures(&b)
	for _, g := range r.Gates {
		fmt.Fprintf(&b, "%-4s  %s: %s\n", mark(g), g.Metric, g.Rule)
		for line := range strings.Lines(g.Message) {
			fmt.Fprintf(&b, "      %s", line)
		}
		b.WriteString("\n")
	}
	r.writeMismatches(&b)
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	if len(r.Output) > 0 {
		b.WriteString("the service's output (first and last lines):\n")
		for _, l := range r.Output {
			fmt.Fprintf(&b, "  | %s\n", l)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (r *Result) writeFigures(b *strings.Builder) {
	if r.Candidate.Requests == 0 && r.Candidate.LoadSeconds == 0 {
		return
	}
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "\tcandidate\t")
	if r.Baseline != nil {
		fmt.Fprint(tw, "baseline\t")
	}
	fmt.Fprintln(tw)
	head := r.Candidate.Metrics()
	var base map[string]float64
	if r.Baseline != nil {
		base = r.Baseline.Metrics()
	}
	for _, name := range metricNames {
		v, ok := head[name]
		if !ok {
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t", name, figure(v))
		if base != nil {
			fmt.Fprintf(tw, "%s\t", figure(base[name]))
		}
		fmt.Fprintln(tw)
	}
	_ = tw.Flush()
	if r.Candidate.FirstError != "" {
		fmt.Fprintf(b, "first error under load: %s\n", r.Candidate.FirstError)
	}
}

func figure(v float64) string {
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d", int64(v))
	}
	return fmt.Sprintf("%.2f", v)
}

func (r *Result) writeMismatches(b *strings.Builder) {
	if len(r.Mismatches) == 0 {
		return
	}
	fmt.Fprintf(b, "mismatches (%d of %d rows", len(r.Mismatches), r.Checked)
	if len(r.Mismatches) > shownMismatches {
		fmt.Fprintf(b, ", first %d", shownMismatches)
	}
	b.WriteString("):\n")
	for _, m := range r.Mismatches[:min(len(r.Mismatches), shownMismatches)] {
		fmt.Fprintf(b, "  %s\n", describeMismatch(m))
	}
}

func mark(r gate.Result) string {
	switch {
	case r.Skipped:
		return "skip"
	case r.Passed:
		return "ok"
	case r.Fails():
		return "FAIL"
	default:
		return "warn"
	}
}
