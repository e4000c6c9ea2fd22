package gate

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/git/gittest"
)

func exampleFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("../../testdata/example", path))
	require.NoError(t, err)
	return string(data)
}

// exampleConfig is the example project's model, built by hand.
func exampleConfig(root string) *config.Config {
	pos := func(line int) config.Pos { return config.Pos{File: "mlci.yaml", Line: line, Col: 9} }
	return &config.Config{Root: root, LockFile: "dvc.lock",
		Stages: []*config.Stage{{Name: "evaluate",
			Metrics: []config.Out{{Path: "eval/metrics.json"}}}},
		Models: []*config.Model{{Name: "churn", Metrics: []string{"eval/metrics.json"},
			Predictions: "eval/predictions.csv", Gates: []config.Gate{
				{Metric: "accuracy", Min: f(0.75), MaxDrop: f(0.02), Pos: pos(14)},
				{Metric: "log_loss", MaxRise: f(0.02), Pos: pos(17)},
				{
					Metric:       "roc_auc",
					Min:          f(0.8),
					Significance: f(0.05),
					Margin:       f(0.01),
					Pos:          pos(19),
				},
				{Metric: "accuracy", SliceBy: "region", MinSliceSize: 100, MaxDrop: f(0.05),
					Pos: pos(23)},
			}}}}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	repo := gittest.New(t)
	repo.CommitFiles("baseline", map[string]string{
		"eval/metrics.json":    exampleFile(t, "eval/metrics.json"),
		"eval/predictions.csv": exampleFile(t, "eval/predictions.csv"),
	})
	repo.Git("checkout", "--quiet", "-b", "feature")
	cfg := exampleConfig(repo.Dir)
	opts := Options{Evaluator: Evaluator{Resamples: 1000}}

	v, err := Validate(t.Context(), cfg, opts)
	require.NoError(t, err)
	assert.True(t, v.Passed, "the same model passes")
	require.Len(t, v.Gates, 5)
	assert.Equal(t, "main", v.Baseline.Ref)
	assert.Empty(t, v.Notes)
	for _, r := range v.Gates {
		assert.True(t, r.Passed, "%s: %s", r.Rule, r.Message)
	}

	repo.Write(map[string]string{"eval/metrics.json": `{"accuracy": 0.7, "log_loss": 0.36,
		"roc_auc": 0.9}`})
	v, err = Validate(t.Context(), cfg, opts)
	require.NoError(t, err)
	assert.False(t, v.Passed)
	assert.False(t, v.Gates[0].Passed)
	assert.Regexp(t,
		`^0.7 is below the minimum 0.75; dropped 0\.\d+ \(0\.\d+ → 0.7\), more than 0.02$`,
		v.Gates[0].Message)
	assert.True(t, v.Gates[1].Passed, v.Gates[1].Message)
}

func TestValidateWithoutBaseline(t *testing.T) {
	t.Parallel()
	repo := gittest.New(t)
	repo.Write(map[string]string{
		"eval/metrics.json":    exampleFile(t, "eval/metrics.json"),
		"eval/predictions.csv": exampleFile(t, "eval/predictions.csv"),
	})

	v, err := Validate(t.Context(), exampleConfig(repo.Dir), Options{})
	require.NoError(t, err)
	assert.True(t, v.Passed)
	assert.Equal(t, "none", v.Baseline.String())
	assert.Equal(t, []string{"no baseline (the repository has no commits): " +
		"rules of change were not checked"}, v.Notes)
	assert.True(t, v.Gates[1].Skipped, "log_loss has only a rule of change")
	assert.True(t, v.Gates[3].Skipped, "significance needs a baseline")
}

func TestValidateErrors(t *testing.T) {
	t.Parallel()
	repo := gittest.New(t)
	repo.CommitFiles("baseline", map[string]string{"eval/metrics.json": `{"accuracy": 0.8}`})
	repo.Write(map[string]string{"eval/metrics.json": "{\"accuracy\": 0.8,\n}"})

	cfg := exampleConfig(repo.Dir)
	_, err := Validate(t.Context(), cfg, Options{})
	require.EqualError(t, err, "reading the candidate's metrics: eval/metrics.json:2: "+
		"invalid character '}' looking for beginning of object key string")
	assert.Equal(t, exit.Failed, exit.Code(err))

	_, err = Validate(t.Context(), cfg, Options{Models: []string{"other"}})
	require.EqualError(t, err, `no model "other" in the configuration`)
	assert.Equal(t, exit.Usage, exit.Code(err))

	cfg.Models[0].Gates[0].Max = f(0.5)
	_, err = Validate(t.Context(), cfg, Options{})
	require.EqualError(t, err, "mlci.yaml:14:9: model churn, gate on accuracy: min 0.75 is above "+
		"max 0.5: no value can pass")
	assert.Equal(t, exit.Usage, exit.Code(err))
}
