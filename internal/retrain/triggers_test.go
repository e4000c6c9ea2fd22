package retrain

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/exit"
)

func TestMetricTrigger(t *testing.T) {
	t.Parallel()
	ptr := func(x float64) *float64 { return &x }
	tests := []struct {
		name    string
		trigger config.MetricTrigger
		want    TriggerResult
		code    int // exit code of an error, 0 for none
	}{
		{"below min", config.MetricTrigger{File: "monitor.json", Metric: "live.accuracy",
			Min: ptr(0.8)}, TriggerResult{Name: "metric", Fired: true,
			Summary: "monitored live.accuracy 0.71 below 0.8",
			Figures: map[string]float64{"value": 0.71, "min": 0.8}}, 0},
		{"within bounds", config.MetricTrigger{File: "monitor.json", Metric: "live.accuracy",
			Min: ptr(0.7), Max: ptr(0.9)}, TriggerResult{Name: "metric",
			Summary: "monitored live.accuracy 0.71 within [0.7, 0.9]",
			Figures: map[string]float64{"value": 0.71, "min": 0.7, "max": 0.9}}, 0},
		{"above max from a command", config.MetricTrigger{
			Cmd: `echo '{"latency_ms": 130}'`, Metric: "latency_ms", Max: ptr(100)},
			TriggerResult{Name: "metric", Fired: true,
				Summary: "monitored latency_ms 130 above 100",
				Figures: map[string]float64{"value": 130, "max": 100}}, 0},
		{"unknown metric", config.MetricTrigger{File: "monitor.json", Metric: "auc",
			Min: ptr(0.8)}, TriggerResult{}, exit.Usage},
		{"failing command", config.MetricTrigger{Cmd: "exit 4", Metric: "x", Min: ptr(1)},
			TriggerResult{}, exit.External},
		{"not JSON", config.MetricTrigger{Cmd: "echo hello", Metric: "x", Min: ptr(1)},
			TriggerResult{}, exit.External},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(root, "monitor.json"),
				[]byte(`{"live": {"accuracy": 0.71, "n": 1200}}`), 0o644))
			mt := tt.trigger
			s := &state{opts: withDefaults(Options{Root: root}),
				cfg: &config.Config{Root: root, Triggers: config.Triggers{Metric: &mt}}}

			got, err := s.metricTrigger(t.Context())

			if tt.code != 0 {
				require.Error(t, err)
				assert.Equal(t, tt.code, exit.Code(err), err.Error())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestUnknownMetricNamesWhatThereIs(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(root, "m.json"), []byte(`{"acc": 1}`), 0o644))
	min := 0.5
	mt := &config.MetricTrigger{File: "m.json", Metric: "auc", Min: &min,
		Pos: config.Pos{File: "mlci.yaml", Line: 12, Col: 5}}
	s := &state{opts: withDefaults(Options{Root: root}),
		cfg: &config.Config{Root: root, Triggers: config.Triggers{Metric: mt}}}

	_, err := s.metricTrigger(t.Context())

	require.Error(t, err)
	assert.Equal(t, `mlci.yaml:12: triggers.metric: no metric "auc" in m.json; it has acc`,
		err.Error())
}

func TestSummary(t *testing.T) {
	t.Parallel()
	quiet := []TriggerResult{
		{Name: "data", Summary: "data unchanged since v1.2.0"},
		{Name: "drift", Summary: "drift 0.03 below 0.10"},
		{Name: "max_age", Summary: "model v1.2.0 12 days old, within 30 days"},
	}
	fired := []TriggerResult{
		{Name: "data", Fired: true, Summary: "data/raw.csv changed since v1.2.0"},
		{Name: "drift", Summary: "drift 0.03 below 0.10"},
	}
	tests := []struct {
		name  string
		out   Outcome
		check bool
		want  string
	}{
		{"nothing configured", Outcome{}, false,
			"no triggers are configured (triggers: in mlci.yaml): no retraining"},
		{"nothing to do", Outcome{Triggers: quiet}, false,
			"data unchanged since v1.2.0, drift 0.03 below 0.10, model v1.2.0 12 days old, " +
				"within 30 days: no retraining"},
		{"due", Outcome{Triggers: fired, Fired: true}, true,
			"data/raw.csv changed since v1.2.0: retraining is due"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, Summary(&tt.out, tt.check))
		})
	}
}
