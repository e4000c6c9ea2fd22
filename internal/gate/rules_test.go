package gate

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/config"
)

func f(v float64) *float64 { return &v }

func yes(v bool) *bool { return &v }

func model(gates ...config.Gate) *config.Model {
	return &config.Model{Name: "churn", Metrics: []string{"eval/metrics.json"},
		Predictions: "eval/predictions.csv", Gates: gates}
}

func TestRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		gate     config.Gate
		base     map[string]float64
		head     map[string]float64
		passed   bool
		skipped  bool
		rule     string
		message  string
		severity string
	}{
		{name: "min passes", gate: config.Gate{Metric: "acc", Min: f(0.8)},
			base: map[string]float64{"acc": 0.82}, head: map[string]float64{"acc": 0.85},
			passed: true, rule: "≥ 0.8", message: "0.85 (baseline 0.82, +0.03)"},
		{name: "min fails", gate: config.Gate{Metric: "acc", Min: f(0.8)},
			head: map[string]float64{"acc": 0.75}, rule: "≥ 0.8",
			message: "0.75 is below the minimum 0.8"},
		{name: "max fails", gate: config.Gate{Metric: "latency_ms", Max: f(50)},
			head: map[string]float64{"latency_ms": 51}, rule: "≤ 50",
			message: "51 is above the maximum 50"},
		{name: "max_drop fails", gate: config.Gate{Metric: "acc", Min: f(0.5), MaxDrop: f(0.02)},
			base: map[string]float64{"acc": 0.9}, head: map[string]float64{"acc": 0.87},
			rule:    "≥ 0.5 and no drop over 0.02",
			message: "dropped 0.03 (0.9 → 0.87), more than 0.02"},
		{name: "max_drop passes on a rise", gate: config.Gate{Metric: "acc", MaxDrop: f(0.02)},
			base: map[string]float64{
				"acc": 0.9,
			}, head: map[string]float64{"acc": 0.95}, passed: true,
			rule: "no drop over 0.02", message: "0.95 (baseline 0.9, +0.05)"},
		{name: "max_rise fails", gate: config.Gate{Metric: "log_loss", MaxRise: f(0.02)},
			base: map[string]float64{"log_loss": 0.30}, head: map[string]float64{"log_loss": 0.35},
			rule: "no rise over 0.02", message: "rose 0.05 (0.3 → 0.35), more than 0.02"},
		{name: "max_drop_pct fails", gate: config.Gate{Metric: "auc", MaxDropPct: f(5)},
			base: map[string]float64{"auc": 0.8}, head: map[string]float64{"auc": 0.75},
			rule: "no drop over 5%", message: "dropped 6.25% (0.8 → 0.75), more than 5%"},
		{name: "max_rise_pct of a negative base", gate: config.Gate{Metric: "r", MaxRisePct: f(10)},
			base: map[string]float64{"r": -2}, head: map[string]float64{"r": -1.5},
			rule: "no rise over 10%", message: "rose 25% (-2 → -1.5), more than 10%"},
		{name: "zero baseline makes the relative change undefined",
			gate: config.Gate{Metric: "err", MaxRisePct: f(10)},
			base: map[string]float64{"err": 0}, head: map[string]float64{"err": 0.1},
			passed: true, skipped: true, rule: "no rise over 10%",
			message: "the baseline is 0, so the relative change is undefined: " +
				"percentage rules not checked"},
		{name: "zero to zero is no change", gate: config.Gate{Metric: "err", MaxRisePct: f(10)},
			base: map[string]float64{"err": 0}, head: map[string]float64{"err": 0}, passed: true,
			rule: "no rise over 10%", message: "0 (baseline 0, 0)"},
		{name: "min_improvement, higher is better",
			gate: config.Gate{Metric: "f1", MinImprovement: f(0.01)},
			base: map[string]float64{"f1": 0.7}, head: map[string]float64{"f1": 0.705},
			rule:    "improves by at least 0.01",
			message: "improved by 0.005, less than the required 0.01"},
		{name: "min_improvement, lower is better",
			gate: config.Gate{Metric: "rmse", MinImprovement: f(0.1)},
			base: map[string]float64{
				"rmse": 2,
			}, head: map[string]float64{"rmse": 1.8}, passed: true,
			rule: "improves by at least 0.1", message: "1.8 (baseline 2, -0.2)"},
		{
			name: "direction set explicitly",
			gate: config.Gate{Metric: "rmse", HigherIsBetter: yes(true),
				MinImprovement: f(0.1)},
			base:    map[string]float64{"rmse": 2},
			head:    map[string]float64{"rmse": 1.8},
			rule:    "improves by at least 0.1",
			message: "improved by -0.2, less than the required 0.1",
		},
		{name: "missing metric fails", gate: config.Gate{Metric: "auc", Min: f(0.5)},
			head: map[string]float64{"acc": 1}, rule: "≥ 0.5",
			message: "auc is not in the candidate's metrics (eval/metrics.json)"},
		{name: "NaN fails", gate: config.Gate{Metric: "acc"},
			head: map[string]float64{"acc": math.NaN()}, rule: "reported and finite",
			message: "acc is NaN in the candidate's metrics"},
		{name: "infinity fails", gate: config.Gate{Metric: "loss", Max: f(1)},
			head: map[string]float64{"loss": math.Inf(1)}, rule: "≤ 1",
			message: "loss is +Inf in the candidate's metrics"},
		{
			name: "no baseline skips the rules of change",
			gate: config.Gate{Metric: "acc", MaxDrop: f(0.1)},
			head: map[string]float64{
				"acc": 0.9,
			},
			passed:  true,
			skipped: true,
			rule:    "no drop over 0.1",
			message: "no baseline: rules of change not checked",
		},
		{name: "no baseline still checks bounds",
			gate: config.Gate{Metric: "acc", Min: f(0.5), MaxDrop: f(0.1)},
			head: map[string]float64{"acc": 0.9}, passed: true,
			rule:    "≥ 0.5 and no drop over 0.1",
			message: "0.9; no baseline: rules of change not checked"},
		{name: "baseline without the metric", gate: config.Gate{Metric: "acc", MaxDrop: f(0.1)},
			base: map[string]float64{"auc": 1}, head: map[string]float64{"acc": 0.9}, passed: true,
			skipped: true, rule: "no drop over 0.1",
			message: "the baseline has no acc: rules of change not checked"},
		{name: "NaN baseline fails the rules of change",
			gate: config.Gate{Metric: "acc", MaxDrop: f(0.1)},
			base: map[string]float64{"acc": math.NaN()}, head: map[string]float64{"acc": 0.9},
			rule:    "no drop over 0.1",
			message: "the baseline's value is NaN, so the change cannot be computed"},
		{
			name:     "warning severity",
			gate:     config.Gate{Metric: "acc", Min: f(0.95), Severity: Warning},
			head:     map[string]float64{"acc": 0.9},
			rule:     "≥ 0.95",
			severity: Warning,
			message:  "0.9 is below the minimum 0.95",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.gate.Pos = config.Pos{File: "mlci.yaml", Line: 12, Col: 9}
			got := Evaluate(model(tt.gate), tt.base, tt.head, nil)
			require.Len(t, got, 1)
			r := got[0]
			assert.Equal(t, tt.passed, r.Passed, r.Message)
			assert.Equal(t, tt.skipped, r.Skipped)
			assert.Equal(t, tt.rule, r.Rule)
			assert.Equal(t, tt.message, r.Message)
			assert.Equal(t, "churn", r.Model)
			assert.Equal(t, tt.gate.Pos, r.Pos)
			want := tt.severity
			if want == "" {
				want = Error
			}
			assert.Equal(t, want, r.Severity)
			assert.Equal(t, !tt.passed && want == Error, r.Fails())
		})
	}
}

func TestGuessHigherIsBetter(t *testing.T) {
	t.Parallel()
	lower := []string{"loss", "val_loss", "log_loss", "train.loss", "error_rate", "rmse", "MAE",
		"mse", "latency_p99_ms", "inference_time", "perplexity", "fpr", "fnr", "brier",
		"eval/metrics.json:logloss", "model_size_bytes"}
	higher := []string{"accuracy", "roc_auc", "f1", "precision", "recall", "r2", "timestamp_count",
		"auc_pr", "tpr"}
	for _, m := range lower {
		assert.False(t, GuessHigherIsBetter(m), m)
	}
	for _, m := range higher {
		assert.True(t, GuessHigherIsBetter(m), m)
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	pos := config.Pos{File: "mlci.yaml", Line: 7, Col: 9}
	tests := []struct {
		name  string
		model *config.Model
		want  string
	}{
		{
			"contradictory bounds",
			model(config.Gate{Metric: "acc", Min: f(0.9), Max: f(0.8), Pos: pos}),
			"mlci.yaml:7:9: model churn, gate on acc: min 0.9 is above max 0.8: no value can pass",
		},
		{"negative allowance", model(config.Gate{Metric: "acc", MaxDrop: f(-0.1), Pos: pos}),
			"mlci.yaml:7:9: model churn, gate on acc: " +
				"max_drop must be a finite number of at least 0, not -0.1"},
		{
			"significance out of range",
			model(config.Gate{Metric: "roc_auc", Significance: f(5), Pos: pos}),
			"mlci.yaml:7:9: model churn, gate on roc_auc: significance 5 must be between 0 and 1 " +
				"(0.05 for 95% confidence)",
		},
		{
			"margin without significance",
			model(config.Gate{Metric: "acc", Margin: f(0.01), Pos: pos}),
			"mlci.yaml:7:9: model churn, gate on acc: margin needs a significance level",
		},
		{"significance of a metric not from predictions",
			model(config.Gate{Metric: "latency", Significance: f(0.05), Pos: pos}),
			"mlci.yaml:7:9: model churn, gate on latency: latency cannot be computed from " +
				"predictions; these can: accuracy, balanced_accuracy, precision, recall, f1, " +
				"precision_macro, recall_macro, f1_macro, precision_weighted, " +
				"recall_weighted, f1_weighted, roc_auc, log_loss, rmse, mae"},
		{"slices without predictions", &config.Model{Name: "m", Gates: []config.Gate{
			{Metric: "accuracy", SliceBy: "region", Pos: pos}}},
			"mlci.yaml:7:9: model m, gate on accuracy: significance and slice_by need the " +
				"model's predictions file (predictions:)"},
		{"unknown severity", model(config.Gate{Metric: "acc", Severity: "fatal", Pos: pos}),
			`mlci.yaml:7:9: model churn, gate on acc: severity "fatal" is not one of ` +
				"error, warning"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Check(tt.model)
			require.EqualError(t, err, tt.want)
			var errs config.Errors
			require.ErrorAs(t, err, &errs)
		})
	}
	require.NoError(t, Check(model(config.Gate{Metric: "roc_auc", Min: f(0.8),
		Significance: f(0.05), Margin: f(0.01)})))
}
