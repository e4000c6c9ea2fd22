package gate

import (
	"fmt"

	"github.com/mlci-dev/mlci/internal/config"
)

// Check returns the configuration errors of a model's gates — contradictory
// bounds, negative allowances, a significance level outside (0, 1), a test on
// predictions of a metric that cannot be computed from them or of a model
// without predictions — as config.Errors with each gate's place, or nil.
func Check(m *config.Model) error {
	var errs config.Errors
	for _, g := range m.Gates {
		for _, msg := range gateProblems(m, g) {
			errs = append(errs, &config.Error{Pos: g.Pos,
				Msg: fmt.Sprintf("model %s, gate on %s: %s", m.Name, g.Metric, msg)})
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

func gateProblems(m *config.Model, g config.Gate) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if g.Metric == "" {
		add("metric is required")
	}
	if g.Severity != "" && g.Severity != Error && g.Severity != Warning {
		add("severity %q is not one of error, warning", g.Severity)
	}
	if g.Min != nil && g.Max != nil && *g.Min > *g.Max {
		add("min %s is above max %s: no value can pass", num(*g.Min), num(*g.Max))
	}
	for name, v := range map[string]*float64{"max_drop": g.MaxDrop, "max_rise": g.MaxRise,
		"max_drop_pct": g.MaxDropPct, "max_rise_pct": g.MaxRisePct, "margin": g.Margin} {
		if v != nil && (*v < 0 || !finite(*v)) {
			add("%s must be a finite number of at least 0, not %v", name, *v)
		}
	}
	if g.MinImprovement != nil && !finite(*g.MinImprovement) {
		add("min_improvement must be a finite number, not %v", *g.MinImprovement)
	}
	out = append(out, predictionProblems(m, g)...)
	return out
}

// predictionProblems checks the settings of gates on predictions.
func predictionProblems(m *config.Model, g config.Gate) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if s := g.Significance; s != nil && !(*s > 0 && *s < 1) {
		add("significance %v must be between 0 and 1 (0.05 for 95%% confidence)", *s)
	}
	if g.Margin != nil && g.Significance == nil {
		add("margin needs a significance level")
	}
	if g.MinSliceSize < 0 {
		add("min_slice_size must not be negative")
	}
	if g.MinSliceSize > 0 && g.SliceBy == "" {
		add("min_slice_size needs slice_by")
	}
	if g.SliceBy != "" && g.Significance != nil {
		// TODO: per-slice significance needs a correction for testing many
		// slices at once; until then the two are separate gates.
		add("significance and slice_by cannot be combined; write two gates")
	}
	if g.Significance == nil && g.SliceBy == "" {
		return out
	}
	if m.Predictions == "" {
		add("significance and slice_by need the model's predictions file (predictions:)")
	}
	if g.Metric != "" {
		if _, err := predictionMetric(g); err != nil {
			add("%v", err)
		}
	}
	return out
}
