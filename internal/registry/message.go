package registry

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/mlci-dev/mlci/internal/record"
)

// maxMetrics bounds the metrics a tag message lists.
const maxMetrics = 8

// field is one "key: value" line of a tag message's body.
type field struct{ key, value string }

// message writes a tag message: GTO's subject line for the action, then
// the run's verdict and key metrics and any further fields, one per line.
func message(subject string, rec *record.Record, model string, fields ...field) string {
	var b strings.Builder
	b.WriteString(subject)
	b.WriteString("\n")
	var body []field
	if rec != nil {
		body = append(body, field{"verdict", verdictLine(rec, model)})
		if m := metricsLine(rec.Models[model].Metrics); m != "" {
			body = append(body, field{"metrics", m})
		}
		body = append(body, field{"commit", rec.Commit})
		if rec.RunURL != "" {
			body = append(body, field{"run", rec.RunURL})
		}
	}
	for _, f := range fields {
		if f.value != "" {
			body = append(body, f)
		}
	}
	if len(body) > 0 {
		b.WriteString("\n")
	}
	for _, f := range body {
		fmt.Fprintf(&b, "%s: %s\n", f.key, oneLine(f.value))
	}
	return b.String()
}

// verdictLine says whether the run passed the model's gates: "passed (3 of 3
// gates)".
func verdictLine(rec *record.Record, model string) string {
	total, passed := 0, 0
	for _, g := range rec.Verdict.Gates {
		if g.Model != model {
			continue
		}
		total++
		if g.Passed {
			passed++
		}
	}
	word := "failed"
	if rec.PassedFor(model) {
		word = "passed"
	}
	if total == 0 {
		return word
	}
	return fmt.Sprintf("%s (%d of %d gates)", word, passed, total)
}

// metricsLine lists up to maxMetrics metrics by name: "accuracy=0.87, auc=0.91".
func metricsLine(metrics map[string]float64) string {
	keys := make([]string, 0, len(metrics))
	for k := range metrics {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if len(keys) > maxMetrics {
		keys = keys[:maxMetrics]
	}
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + strconv.FormatFloat(metrics[k], 'g', 6, 64)
	}
	return strings.Join(parts, ", ")
}

// verdictIn returns the verdict a tag message carries ("passed",
// "failed"), or "".
func verdictIn(msg string) string {
	for line := range strings.Lines(msg) {
		if v, ok := strings.CutPrefix(line, "verdict: "); ok {
			word, _, _ := strings.Cut(strings.TrimSpace(v), " ")
			return word
		}
	}
	return ""
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
