// Package gate decides whether a candidate model may pass: it evaluates each
// model's gates from mlci.yaml — absolute bounds, allowed change against the
// baseline, statistical significance of the difference, and the same rules
// per slice of the test set — and gathers the results into a verdict, which
// it writes as JSON and as JUnit XML.
//
// It does not read configuration files or choose the baseline (package
// config and package metrics do), and the arithmetic on predictions is
// package stats'.
package gate

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/metrics"
	"github.com/mlci-dev/mlci/internal/stats"
)

// The severities of a gate.
const (
	// Error gates fail the verdict.
	Error = "error"
	// Warning gates only report.
	Warning = "warning"
)

// Result is one gate's outcome for one model.
type Result struct {
	Model  string `json:"model"`
	Metric string `json:"metric"`
	// Rule is the gate in words: "≥ 0.8 and no drop over 0.02".
	Rule string `json:"rule"`
	// Base and Head are the metric's values, nil where unknown.
	Base *float64 `json:"base"`
	Head *float64 `json:"head"`
	// Passed is false when a rule failed, whatever the severity.
	Passed bool `json:"passed"`
	// Skipped is true when no rule could be checked (no baseline, say);
	// Passed is true then, and Message says why.
	Skipped  bool   `json:"skipped,omitempty"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
	// Significance is the statistical test of a significance gate.
	Significance *Significance `json:"significance,omitempty"`
	// Slice is the worst slice of a per-slice gate ("region=EU").
	Slice string     `json:"slice,omitempty"`
	Pos   config.Pos `json:"pos"`
}

// Fails reports whether the result fails the verdict: an error gate that
// did not pass.
func (r Result) Fails() bool { return !r.Passed && r.Severity != Warning }

// MarshalJSON writes NaN and infinities as strings, which JSON numbers
// cannot hold.
func (r Result) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Model        string        `json:"model"`
		Metric       string        `json:"metric"`
		Rule         string        `json:"rule"`
		Base         any           `json:"base"`
		Head         any           `json:"head"`
		Passed       bool          `json:"passed"`
		Skipped      bool          `json:"skipped,omitempty"`
		Severity     string        `json:"severity"`
		Message      string        `json:"message"`
		Significance *Significance `json:"significance,omitempty"`
		Slice        string        `json:"slice,omitempty"`
		Pos          config.Pos    `json:"pos"`
	}{r.Model, r.Metric, r.Rule, metrics.JSONFloat(r.Base), metrics.JSONFloat(r.Head), r.Passed,
		r.Skipped, r.Severity, r.Message, r.Significance, r.Slice, r.Pos})
}

// Significance is the statistical test behind a significance gate.
type Significance struct {
	// Method is "paired bootstrap" or "McNemar exact".
	Method string `json:"method"`
	// PValue is the two-sided p-value of the test, nil when there is none.
	PValue *float64 `json:"p_value,omitempty"`
	// CILow and CIHigh bound the change head − base with Confidence, from the
	// paired bootstrap (percentile interval).
	CILow      float64 `json:"ci_low"`
	CIHigh     float64 `json:"ci_high"`
	Confidence float64 `json:"confidence"`
	Resamples  int     `json:"resamples"`
	// Margin is how much worse the candidate may be (0: it must be better).
	Margin float64 `json:"margin"`
}

// Predictions are the baseline's and the candidate's per-example predictions
// on the test set; either may be nil.
type Predictions struct {
	Base *metrics.Predictions
	Head *metrics.Predictions
}

// Evaluator evaluates gates; its zero value uses the defaults.
type Evaluator struct {
	// Resamples of the paired bootstrap; stats.DefaultResamples when zero.
	Resamples int
	// Seed of the paired bootstrap, for reproducible intervals.
	Seed uint64
}

// Evaluate evaluates a model's gates with the default Evaluator.
func Evaluate(model *config.Model, base, head map[string]float64, preds *Predictions) []Result {
	return Evaluator{}.Evaluate(model, base, head, preds)
}

// Evaluate evaluates a model's gates, in the order they are written, against
// the candidate's metrics head and the baseline's base (nil when there is no
// baseline). preds may be nil when the model writes no predictions. A gate
// with both rules of change and a significance level gives two results.
func (e Evaluator) Evaluate(model *config.Model, base, head map[string]float64,
	preds *Predictions) []Result {
	in := &input{model: model, base: base, head: head, eval: e}
	in.pair(preds)
	var out []Result
	for _, g := range model.Gates {
		switch {
		case g.SliceBy != "":
			out = append(out, in.noted(in.slices(g)))
		case g.Significance != nil:
			if hasRules(g) {
				out = append(out, in.rules(g))
			}
			out = append(out, in.noted(in.significance(g)))
		default:
			out = append(out, in.rules(g))
		}
	}
	return out
}

// input is what one model's gates are evaluated on.
type input struct {
	model      *config.Model
	base, head map[string]float64
	eval       Evaluator

	// predHead and predBase are the predictions, predBase aligned to
	// predHead; predErr says why a comparison of predictions is impossible.
	predHead, predBase *metrics.Predictions
	predErr            error
	// pairNote says when only the examples both sides hold were paired.
	pairNote string
}

// noted adds the note on how the predictions were paired to r's message.
func (in *input) noted(r Result) Result {
	if in.pairNote != "" && in.predErr == nil && !r.Skipped {
		r.Message += " (" + in.pairNote + ")"
	}
	return r
}

func (in *input) pair(p *Predictions) {
	if p == nil || p.Head == nil {
		return
	}
	in.predHead = p.Head
	if p.Base == nil {
		return
	}
	base, head, note, err := metrics.Pair(p.Base, p.Head)
	if err != nil {
		in.predErr = err
		return
	}
	in.predBase, in.predHead, in.pairNote = base, head, note
}

// newResult starts a gate's result with what every result carries.
func (in *input) newResult(g config.Gate, rule string) Result {
	sev := g.Severity
	if sev == "" {
		sev = Error
	}
	return Result{Model: in.model.Name, Metric: g.Metric, Rule: rule, Severity: sev,
		Pos: g.Pos, Passed: true}
}

// fail marks r failed with message.
func (r *Result) fail(format string, args ...any) {
	r.Passed = false
	r.Message = fmt.Sprintf(format, args...)
}

// skip marks r not checked with message.
func (r *Result) skip(format string, args ...any) {
	r.Skipped = true
	r.Message = fmt.Sprintf(format, args...)
}

// HigherIsBetter returns the gate's direction: as written, else guessed from
// the metric's name (see GuessHigherIsBetter).
func HigherIsBetter(g config.Gate) bool {
	if g.HigherIsBetter != nil {
		return *g.HigherIsBetter
	}
	return GuessHigherIsBetter(g.Metric)
}

// lowerWords mark a metric for which lower is better wherever they appear in
// its name; lowerTokens when they are a whole word of it (split at
// punctuation), so that "time" does not match "timestamp_count".
var (
	lowerWords  = []string{"loss", "error", "rmse", "mse", "mae", "mape", "perplexity"}
	lowerTokens = []string{"err", "latency", "time", "duration", "fpr", "fnr", "far", "frr",
		"wer", "cer", "brier", "seconds", "ms", "bytes", "size", "cost", "regret", "distance",
		"divergence", "kl", "nll"}
)

// GuessHigherIsBetter guesses a metric's direction from its name: lower is
// better for losses, errors and costs (loss, error, rmse, mae, mse, mape,
// perplexity, latency, time, duration, fpr, fnr, brier, size, ms …), higher
// for everything else (accuracy, auc, f1, precision, recall, r2 …).
func GuessHigherIsBetter(metric string) bool {
	name := strings.ToLower(metric)
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		name = name[i+1:]
	}
	for _, w := range lowerWords {
		if strings.Contains(name, w) {
			return false
		}
	}
	tokens := strings.FieldsFunc(name, func(r rune) bool {
		return !('a' <= r && r <= 'z' || '0' <= r && r <= '9')
	})
	for _, t := range tokens {
		for _, w := range lowerTokens {
			if t == w {
				return false
			}
		}
	}
	return true
}

// finite reports whether v is a number other than NaN or ±Inf.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func ptr(f float64) *float64 { return &f }

// predictionMetric returns the metric a gate computes from predictions.
func predictionMetric(g config.Gate) (stats.Metric, error) {
	m, ok := stats.ParseMetric(g.Metric)
	if !ok {
		return "", fmt.Errorf("%s cannot be computed from predictions; these can: %s",
			g.Metric, metricList())
	}
	return m, nil
}

func metricList() string {
	names := make([]string, len(stats.Metrics))
	for i, m := range stats.Metrics {
		names[i] = string(m)
	}
	return strings.Join(names, ", ")
}
