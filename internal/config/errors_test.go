package config

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/golden"
)

const okStage = `stages:
  train:
    cmd: python train.py
    deps: [data.csv]
    outs: [model.pkl]
`

// TestLoadErrors checks the messages bad configurations get against golden
// files, and that every one ends the process with exit code 2.
func TestLoadErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		file  string
		files map[string]string
	}{
		{name: "missing_file", file: "ci/mlci.yaml", files: map[string]string{"dvc.yaml": okStage}},
		{name: "malformed_yaml", files: map[string]string{
			"mlci.yaml": "models:\n  churn:\n    path: [model.pkl\n",
		}},
		{name: "top_not_mapping", files: map[string]string{"mlci.yaml": "- a\n- b\n"}},
		{name: "wrong_type", files: map[string]string{"mlci.yaml": `models:
  churn:
    path: model.pkl
    metrics: eval/metrics.json
    gates:
      - metric: accuracy
        min: high
      - metric: loss
        max_rise: [1]
        severity: fatal
report:
  precision: 2.5
`}},
		{name: "unknown_key_suggestion", files: map[string]string{"mlci.yaml": `modles:
  churn:
    path: model.pkl
report:
  precison: 3
`}},
		{name: "unknown_key_list", files: map[string]string{"mlci.yaml": `report:
  colour: red
`}},
		{name: "runs_on", files: map[string]string{
			"dvc.yaml": okStage + `  evaluate:
    cmd: python evaluate.py
    runs_on: [small]
`,
			"mlci.yaml": `pipeline: dvc.yaml
runs_on:
  trian: [gpu]
  evaluate: [large]
  train: {gpu: true}
`}},
		{name: "unknown_param", files: map[string]string{
			"params.yaml": "train:\n  lr: 0.1\n",
			"dvc.yaml": `stages:
  train:
    cmd: python train.py
    params:
      - train.lr
      - train.lrx
      - other.yaml
      - custom.yaml: [seed]
`,
			"custom.yaml": "seed: 1\n",
		}},
		{name: "unknown_python_param", files: map[string]string{
			"params.py": "import os\nSEED = 1\nHOME = os.getenv('HOME')\n\n" +
				"class Train:\n    lr = 0.1\n",
			"dvc.yaml": `stages:
  train:
    cmd: python train.py
    params:
      - params.py: [SEED, Train.lr, Train.lrx, HOME]
`,
		}},
		{name: "python_params_syntax", files: map[string]string{
			"params.py": "SEED = 1\nNAME = 'churn\n",
			"dvc.yaml": `stages:
  train:
    cmd: python train.py
    params:
      - params.py: [SEED]
`,
		}},
		{name: "params_shapes", files: map[string]string{
			"custom.yaml": "seed: 1\n",
			"dvc.yaml": `stages:
  train:
    cmd: python train.py
    params:
      - custom.yaml: seed
      - 3
      - nope.yaml: [a]
`,
		}},
		{name: "cycle", files: map[string]string{"dvc.yaml": `stages:
  prepare:
    cmd: prepare
    deps: [model/weights.bin]
    outs: [data]
  train:
    cmd: train
    deps: [data/train.csv]
    outs: [model]
`}},
		{name: "duplicate_out", files: map[string]string{"dvc.yaml": `stages:
  train:
    cmd: train
    outs: [model.pkl]
  tune:
    cmd: tune
    outs:
      - model.pkl:
          cache: false
`}},
		{name: "overlapping_out", files: map[string]string{"dvc.yaml": `stages:
  prepare:
    cmd: prepare
    outs: [data]
  featurize:
    cmd: featurize
    metrics: [data/features/meta.json]
`}},
		{name: "min_above_max", files: map[string]string{"mlci.yaml": `models:
  churn:
    path: model.pkl
    gates:
      - metric: accuracy
        min: 0.9
        max: 0.8
      - metric: f1
        severity: warning
`}},
		{name: "gate_needs_predictions", files: map[string]string{"mlci.yaml": `models:
  churn:
    path: model.pkl
    gates:
      - metric: roc_auc
        significance: 0.05
        margin: 0.01
      - metric: accuracy
        slice_by: region
        max_drop: 0.02
      - metric: accuracy
        min_slice_size: 10
        significance: 1.5
`}},
		{name: "threshold", files: map[string]string{"mlci.yaml": `models:
  churn:
    path: model.pkl
    threshold: 0.4
    positive_class: churned
  fraud:
    path: fraud.pkl
    predictions: eval/fraud.csv
    threshold: 1.5
  spam:
    path: spam.pkl
    predictions: eval/spam.csv
    threshold: high
    positive_class: ""
`}},
		{name: "dvc_parsing_options", files: map[string]string{
			"dvc.yaml":    okStage,
			".dvc/config": "[parsing]\n  bool = yes\n  list = append\n  lists = nargs\n  oops\n",
		}},
		{name: "promote", files: map[string]string{"mlci.yaml": `models:
  churn:
    path: model.pkl
    promote:
      stages: [staging, production]
      prodution: {on: approval}
      staging: {on: push, after: soon, after_runs: -1}
`}},
		{name: "pipeline_and_stages", files: map[string]string{"mlci.yaml": "pipeline: dvc.yaml\n" +
			okStage}},
		{name: "pipeline_missing", files: map[string]string{
			"mlci.yaml": "pipeline: ml/dvc.yaml\n",
		}},
		{name: "stage_fields", files: map[string]string{"dvc.yaml": `stages:
  train:
    cmd: python train.py
    dep: [data.csv]
    outs:
      - model.pkl:
          cache: maybe
      - ../outside.bin
    frozen: yes
    timeout: 10 minutes
  "bad@name":
    cmd: x
  nocmd:
    deps: [x]
`}},
		{name: "interpolation", files: map[string]string{
			"params.yaml": "train:\n  lr: 0.1\n  layers: [1, 2]\n",
			"dvc.yaml": `stages:
  train:
    cmd: python train.py --lr ${train.lrx}
  deps:
    cmd: python train.py
    deps: ["${train.layers}"]
  syntax:
    cmd: echo ${train..lr}
  loop:
    foreach: ${train.lr}
    do:
      cmd: echo ${item}
`}},
		{name: "vars", files: map[string]string{
			"params.yaml": "train:\n  lr: 0.1\n",
			"more.yaml":   "train:\n  lr: 0.2\n",
			"dvc.yaml": `vars:
  - more.yaml
  - missing.yaml
  - more.yaml:train
  - 3
stages:
  train:
    cmd: python train.py
`}},
		{name: "duplicate_keys", files: map[string]string{"mlci.yaml": `report:
  precision: 2
  precision: 3
`}},
		{name: "data_and_triggers", files: map[string]string{"mlci.yaml": `data:
  raw: data/raw.xlsx
  train:
    path: data/train.csv
    format: excel
    drift: {share: 2, severity: loud, columns: {age: {threshold: x}, plan: {test: chi2}}}
triggers:
  max_age: 30 days
  metric: {metric: accuracy}
tests:
  - name: unit
  - name: unit
    cmd: pytest
  - name: unit
    cmd: pytest
`}},
		{name: "inline_beside_dvc_yaml", files: map[string]string{
			"mlci.yaml": okStage, "dvc.yaml": okStage,
		}},
		{name: "many_errors", files: map[string]string{"mlci.yaml": `tests:
  - {a: 1}
  - {b: 1}
  - {c: 1}
  - {d: 1}
  - {e: 1}
  - {f: 1}
  - {g: 1}
  - {h: 1}
  - {i: 1}
  - {j: 1}
  - {k: 1}
  - {l: 1}
`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			root := writeRepo(t, c.files)

			cfg, err := Load(root, c.file)

			require.Error(t, err)
			assert.Nil(t, cfg)
			assert.Equal(t, exit.Usage, exit.Code(err))
			var cerr *Error
			assert.True(t, errors.As(err, &cerr), "the error holds an *Error")
			golden.Assert(t, "errors/"+c.name+".golden", []byte(err.Error()+"\n"))
		})
	}
}

func TestLoadNoConfig(t *testing.T) {
	t.Parallel()
	root := writeRepo(t, map[string]string{"README.md": "# x\n"})

	_, err := Load(root, "")

	require.ErrorIs(t, err, ErrNoConfig)
	assert.Equal(t, exit.Usage, exit.Code(err))
}

func TestErrorsFormat(t *testing.T) {
	t.Parallel()
	cases := []struct {
		err  *Error
		want string
	}{
		{&Error{Pos: Pos{File: "mlci.yaml", Line: 3, Col: 9}, Msg: "m"}, "mlci.yaml:3:9: m"},
		{&Error{Pos: Pos{File: "mlci.yaml", Line: 3}, Msg: "m"}, "mlci.yaml:3: m"},
		{&Error{Pos: Pos{File: "mlci.yaml"}, Msg: "m"}, "mlci.yaml: m"},
		{&Error{Msg: "m"}, "m"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, c.err.Error())
	}
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	known := []string{"metrics", "models", "max_drop", "max_rise", "precision", "train"}
	cases := map[string]string{
		"modles":   "models",
		"trian":    "train", // a swap is one slip
		"tarin":    "train",
		"rtain":    "train",
		"metric":   "metrics",
		"max_dorp": "max_drop",
		"precison": "precision",
		"colour":   "",
		"x":        "",
	}
	for word, want := range cases {
		assert.Equal(t, want, suggest(word, known), word)
	}
}
