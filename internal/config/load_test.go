package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const example = "../../testdata/example"

// TestLoadExample loads the bundled example with its mlci.yaml.
func TestLoadExample(t *testing.T) {
	t.Parallel()

	cfg, err := Load(example, "")

	require.NoError(t, err)
	assert.Equal(t, "mlci.yaml", cfg.File)
	assert.Equal(t, "dvc.yaml", cfg.PipelineFile)
	assert.Equal(t, "dvc.lock", cfg.LockFile)
	assert.Equal(t, []string{"prepare", "featurize", "train", "evaluate"}, stageNames(cfg))

	evaluate := stageByName(t, cfg, "evaluate")
	require.Len(t, evaluate.Metrics, 1)
	assert.Equal(t, "eval/metrics.json", evaluate.Metrics[0].Path)
	assert.False(t, evaluate.Metrics[0].Cache)
	assert.Equal(t, "dvc.yaml", evaluate.Metrics[0].Pos.File)
	assert.Positive(t, evaluate.Metrics[0].Pos.Line)
	require.Len(t, evaluate.Plots, 2)
	roc := evaluate.Plots[0]
	assert.Equal(t, Plot{Path: "eval/plots/roc.csv", X: "fpr", Y: []string{"tpr"}, Pos: roc.Pos},
		roc)

	require.Len(t, cfg.Models, 1)
	churn := cfg.Models[0]
	assert.Equal(t, "churn", churn.Name)
	assert.Equal(t, []string{"eval/metrics.json"}, churn.Metrics)
	assert.InDelta(t, DefaultThreshold, churn.Threshold, 0)
	require.Len(t, churn.Gates, 4)
	assert.Equal(t, "region", churn.Gates[3].SliceBy)
	assert.Equal(t, 100, churn.Gates[3].MinSliceSize)
	prod := churn.Promote.Rules["production"]
	assert.Equal(t, PromoteRule{On: "approval", AfterRuns: 1, Pos: prod.Pos}, prod)

	require.Len(t, cfg.Data, 1)
	assert.Equal(t, "csv", cfg.Data[0].Format)
	assert.Equal(t, 4, cfg.Report.Precision)
	require.Len(t, cfg.Tests, 1)
	assert.Equal(t, "docs", cfg.Changes[0].Name, "the user's classes come first")
	assert.Equal(t, "pipeline", cfg.Changes[len(cfg.Changes)-1].Name)
}

// TestLoadExampleWithoutMLCI loads the example's DVC files alone, as a DVC
// project without mlci.yaml is read.
func TestLoadExampleWithoutMLCI(t *testing.T) {
	t.Parallel()
	files := map[string]string{}
	for _, name := range []string{"dvc.yaml", "params.yaml"} {
		data, err := os.ReadFile(filepath.Join(example, name))
		require.NoError(t, err)
		files[name] = string(data)
	}
	root := writeRepo(t, files)

	cfg, err := Load(root, "")

	require.NoError(t, err)
	assert.Empty(t, cfg.File)
	assert.Equal(t, []string{"prepare", "featurize", "train", "evaluate"}, stageNames(cfg))
	assert.Empty(t, cfg.Models)
	assert.Equal(t, DefaultPrecision, cfg.Report.Precision)
	var names []string
	for _, c := range cfg.Changes {
		names = append(names, c.Name)
	}
	assert.Equal(t, []string{"pipeline", "params", "data", "docs", "code"}, names)
}

func TestLoadArtifactsAsModels(t *testing.T) {
	t.Parallel()
	root := writeRepo(t, map[string]string{"dvc.yaml": `stages:
  train:
    cmd: train
    outs: [models/resnet.pt]
    metrics: [eval/metrics.json]
metrics: [summary.json]
params: [params.yaml]
artifacts:
  cv-classification:
    path: models/resnet.pt
    type: model
    desc: ResNet50
    labels: [resnet50]
`})

	cfg, err := Load(root, "")

	require.NoError(t, err)
	require.Len(t, cfg.Models, 1)
	m := cfg.Models[0]
	assert.Equal(t, "cv-classification", m.Name)
	assert.Equal(t, "models/resnet.pt", m.Path)
	assert.InDelta(t, DefaultThreshold, m.Threshold, 0)
	assert.Equal(t, []string{"summary.json", "eval/metrics.json"}, m.Metrics)
	assert.Equal(t, []string{"staging", "production"}, m.Promote.Stages)
	assert.Equal(t, "merge", m.Promote.Rules["staging"].On)
	assert.Equal(t, []string{"params.yaml"}, cfg.ParamsFiles)
}

func TestLoadChanges(t *testing.T) {
	t.Parallel()
	root := writeRepo(t, map[string]string{
		"mlci.yaml": `pipeline: ml/dvc.yaml
changes:
  data: ["raw/**"]
  docs: []
`,
		"ml/dvc.yaml":    "stages:\n  a:\n    cmd: a\n    params: [{cfg/hp.yaml: [lr]}]\n",
		"ml/cfg/hp.yaml": "lr: 1\n",
	})

	cfg, err := Load(root, "")

	require.NoError(t, err)
	byName := map[string][]string{}
	var order []string
	for _, c := range cfg.Changes {
		byName[c.Name] = c.Globs
		order = append(order, c.Name)
	}
	assert.Equal(t, []string{"data", "docs", "pipeline", "params", "code"}, order)
	assert.Equal(t, []string{"raw/**"}, byName["data"])
	assert.Empty(t, byName["docs"])
	assert.Contains(t, byName["params"], "ml/cfg/hp.yaml")
	assert.Contains(t, byName["pipeline"], "ml/dvc.yaml")
	assert.Contains(t, byName["pipeline"], "ml/dvc.lock")
	assert.Equal(t, "ml/dvc.lock", cfg.LockFile)
}

func TestLoadConfigFile(t *testing.T) {
	t.Parallel()
	root := writeRepo(t, map[string]string{
		"ci/mlci.yaml": "report: {precision: 2, key: nightly}\n" +
			"remote: {url: s3://b/p, region: eu}\n",
		"dvc.yaml": okStage,
	})

	for _, file := range []string{"ci/mlci.yaml", filepath.Join(root, "ci", "mlci.yaml")} {
		cfg, err := Load(root, file)

		require.NoError(t, err)
		assert.Equal(t, "ci/mlci.yaml", cfg.File)
		assert.Equal(t, ReportOptions{Precision: 2, Key: "nightly"}, cfg.Report)
		assert.Equal(t, Remote{URL: "s3://b/p", Region: "eu"}, cfg.Remote)
		assert.Equal(t, []string{"train"}, stageNames(cfg))
	}
}

func TestLoadSections(t *testing.T) {
	t.Parallel()
	root := writeRepo(t, map[string]string{"mlci.yaml": `tests:
  - {name: unit, cmd: pytest, timeout: 10m}
models:
  m:
    path: m.pkl
    metrics: [a.json, b.json]
    predictions: p.csv
    threshold: 0.35
    positive_class: churned
    gates:
      - {metric: auc, significance: 0.05, higher_is_better: true, severity: warning}
    promote:
      stages: [canary, production]
      production: {on: manual, after: 1w2d, approvers: [maintain, admin]}
    serve:
      cmd: python serve.py
      ready: http://localhost:8080/health
      rows: eval/sample.csv
      requests: 200
      gates: [{metric: latency_p99_ms, max: 50}]
data:
  raw: data/raw.jsonl
triggers:
  data: {refresh: python fetch.py}
  drift: {}
  max_age: 30d
  metric: {cmd: python monitor.py, metric: accuracy, min: 0.8}
remote: s3://bucket/prefix
platform: {command_permissions: [write, maintainer]}
`})

	cfg, err := Load(root, "")

	require.NoError(t, err)
	assert.Equal(t, 10*time.Minute, cfg.Tests[0].Timeout)
	m := cfg.Models[0]
	assert.Equal(t, []string{"a.json", "b.json"}, m.Metrics)
	assert.InDelta(t, 0.35, m.Threshold, 0)
	assert.Equal(t, "churned", m.PositiveClass)
	assert.Equal(t, "warning", m.Gates[0].Severity)
	assert.True(t, *m.Gates[0].HigherIsBetter)
	assert.Equal(t, "merge", m.Promote.Rules["canary"].On)
	prod := m.Promote.Rules["production"]
	assert.Equal(t, "manual", prod.On)
	assert.Equal(t, 9*24*time.Hour, prod.After)
	assert.Equal(t, []string{"maintain", "admin"}, prod.Approvers)
	assert.Equal(t, "POST", m.Serve.Method)
	assert.Equal(t, DefaultReadyTimeout, m.Serve.ReadyTimeout)
	assert.Equal(t, 200, m.Serve.Requests)
	assert.Equal(t, "latency_p99_ms", m.Serve.Gates[0].Metric)
	assert.Equal(t, "jsonl", cfg.Data[0].Format)
	assert.Equal(t, DefaultDriftShare, cfg.Data[0].Drift.Share)
	assert.Equal(t, "python fetch.py", cfg.Triggers.Data.Refresh)
	assert.Equal(t, DefaultDriftShare, cfg.Triggers.Drift.Threshold)
	assert.Equal(t, 30*24*time.Hour, cfg.Triggers.MaxAge)
	assert.Equal(t, 0.8, *cfg.Triggers.Metric.Min)
	assert.Equal(t, "s3://bucket/prefix", cfg.Remote.URL)
	assert.Equal(t, []string{"write", "maintainer"}, cfg.Platform.CommandPermissions)
	assert.Empty(t, cfg.Stages)
	assert.Empty(t, cfg.PipelineFile)
}

func TestParseDuration(t *testing.T) {
	t.Parallel()
	cases := map[string]time.Duration{
		"0":      0,
		"90s":    90 * time.Second,
		"1h30m":  90 * time.Minute,
		"24h":    day,
		"3d":     3 * day,
		"1.5d":   36 * time.Hour,
		"1w":     week,
		"1w2d":   9 * day,
		"2d12h":  60 * time.Hour,
		"250ms":  250 * time.Millisecond,
		"1d30m":  day + 30*time.Minute,
		"0.5w1h": 3*day + 13*time.Hour,
	}
	for in, want := range cases {
		got, err := ParseDuration(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "d", "3", "-1d", "3 days", "1y", "1..5d"} {
		_, err := ParseDuration(bad)
		assert.Error(t, err, bad)
	}
}

func TestFormatDuration(t *testing.T) {
	t.Parallel()
	cases := map[time.Duration]string{
		0:                "0s",
		week:             "1w",
		3 * day:          "3d",
		36 * time.Hour:   "36h",
		90 * time.Minute: "1h30m",
		30 * time.Minute: "30m",
		90 * time.Second: "1m30s",
	}
	for in, want := range cases {
		assert.Equal(t, want, FormatDuration(in))
	}
}

func TestPyFloat(t *testing.T) {
	t.Parallel()
	cases := map[float64]string{
		0.1: "0.1", 3: "3.0", 1e-05: "1e-05", 0.0001: "0.0001", 1e16: "1e+16",
		123456.5: "123456.5", -2.5e-7: "-2.5e-07", 0: "0.0",
	}
	for in, want := range cases {
		assert.Equal(t, want, pyFloat(in))
	}
}

func TestShellQuote(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"foo": "foo", "a/b.csv": "a/b.csv", "": "''", "two words": "'two words'",
		"it's": `'it'"'"'s'`,
	}
	for in, want := range cases {
		assert.Equal(t, want, shellQuote(in))
	}
}

func TestLoadRunsOn(t *testing.T) {
	t.Parallel()
	root := writeRepo(t, map[string]string{
		"mlci.yaml": `pipeline: dvc.yaml
runs_on:
  train: [self-hosted, gpu]
  train@large: [self-hosted, gpu, large-memory]
  evaluate: ubuntu-latest
`,
		"dvc.yaml": `stages:
  train:
    foreach: [small, large]
    do:
      cmd: python train.py ${item}
  evaluate:
    cmd: python evaluate.py
  report:
    cmd: python report.py
`,
	})

	cfg, err := Load(root, "")

	require.NoError(t, err)
	got := map[string][]string{}
	for _, s := range cfg.Stages {
		got[s.Name] = s.RunsOn
	}
	assert.Equal(t, map[string][]string{
		"train@small": {"self-hosted", "gpu"},
		"train@large": {"self-hosted", "gpu", "large-memory"},
		"evaluate":    {"ubuntu-latest"},
		"report":      nil,
	}, got)
}
