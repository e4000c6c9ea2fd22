package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExpand checks foreach, matrix and ${...} against what DVC makes of
// the same dvc.yaml; the expected names and commands are written from the
// dvc.yaml reference (stage names, dvc.lock examples) and DVC's parsing
// rules, not produced by this package.
func TestExpand(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		files  map[string]string
		stages []string
		cmds   [][]string
		outs   map[string][]string
	}{
		{
			name: "foreach list of values",
			files: map[string]string{"dvc.yaml": `stages:
  cleanups:
    foreach:
      - raw1
      - labels1
      - raw2
    do:
      cmd: clean.py "${item}"
      outs:
        - ${item}.cln
`},
			stages: []string{"cleanups@raw1", "cleanups@labels1", "cleanups@raw2"},
			cmds:   [][]string{{`clean.py "raw1"`}, {`clean.py "labels1"`}, {`clean.py "raw2"`}},
			outs:   map[string][]string{"cleanups@raw2": {"raw2.cln"}},
		},
		{
			name: "foreach list of mappings is named by index",
			files: map[string]string{"dvc.yaml": `stages:
  train:
    foreach:
      - epochs: 3
        thresh: 10
      - epochs: 10
        thresh: 15
    do:
      cmd: python train.py ${item.epochs} ${item.thresh}
`},
			stages: []string{"train@0", "train@1"},
			cmds:   [][]string{{"python train.py 3 10"}, {"python train.py 10 15"}},
		},
		{
			name: "foreach mapping gives key and item",
			files: map[string]string{"dvc.yaml": `stages:
  build:
    foreach:
      uk:
        epochs: 3
        thresh: 10
      us:
        epochs: 10
        thresh: 15
    do:
      cmd: python train.py '${key}' ${item.epochs} ${item.thresh}
      outs:
        - model-${key}.hdfs
`},
			stages: []string{"build@uk", "build@us"},
			cmds:   [][]string{{"python train.py 'uk' 3 10"}, {"python train.py 'us' 10 15"}},
			outs: map[string][]string{
				"build@uk": {"model-uk.hdfs"}, "build@us": {"model-us.hdfs"},
			},
		},
		{
			name: "foreach over a mapping from params.yaml keeps its order",
			files: map[string]string{
				"params.yaml": "myobject:\n  zeta: {prop1: 1, prop2: z.out}\n" +
					"  alpha: {prop1: 2, prop2: a.out}\n",
				"dvc.yaml": `stages:
  mystages:
    foreach: ${myobject}
    do:
      cmd: ./script.py ${key} ${item.prop1}
      outs:
        - ${item.prop2}
`},
			stages: []string{"mystages@zeta", "mystages@alpha"},
			cmds:   [][]string{{"./script.py zeta 1"}, {"./script.py alpha 2"}},
			outs:   map[string][]string{"mystages@alpha": {"a.out"}},
		},
		{
			name: "foreach numbers and booleans name stages as DVC writes them",
			files: map[string]string{"dvc.yaml": `stages:
  lr:
    foreach: [0.1, 0.00001, 3, true]
    do:
      cmd: train --lr ${item}
`},
			stages: []string{"lr@0.1", "lr@1e-05", "lr@3", "lr@true"},
			cmds: [][]string{{"train --lr 0.1"}, {"train --lr 1e-05"}, {"train --lr 3"},
				{"train --lr true"}},
		},
		{
			name: "matrix of values",
			files: map[string]string{"dvc.yaml": `stages:
  train:
    matrix:
      model: [cnn, xgb]
      feature: [feature1, feature2]
    cmd: ./train.py --feature ${item.feature} ${item.model}
    outs:
      - ${item.model}-${item.feature}.pkl
`},
			stages: []string{"train@cnn-feature1", "train@cnn-feature2", "train@xgb-feature1",
				"train@xgb-feature2"},
			cmds: [][]string{{"./train.py --feature feature1 cnn"},
				{"./train.py --feature feature2 cnn"}, {"./train.py --feature feature1 xgb"},
				{"./train.py --feature feature2 xgb"}},
			outs: map[string][]string{"train@xgb-feature1": {"xgb-feature1.pkl"}},
		},
		{
			name: "matrix names lists and mappings by key and index",
			files: map[string]string{"dvc.yaml": `stages:
  stage1:
    matrix:
      os: [windows, linux]
      pyv: ["3.9", "3.10"]
      dict:
        - arg1: 1
        - arg2: 2
      lst:
        - [1, 2]
        - [3, 4]
    cmd: echo ${item.os} ${item.pyv} ${item.dict} ${item.lst.0} ${item.lst[1]} ${key}
`},
			stages: []string{
				"stage1@windows-3.9-dict0-lst0", "stage1@windows-3.9-dict0-lst1",
				"stage1@windows-3.9-dict1-lst0", "stage1@windows-3.9-dict1-lst1",
				"stage1@windows-3.10-dict0-lst0", "stage1@windows-3.10-dict0-lst1",
				"stage1@windows-3.10-dict1-lst0", "stage1@windows-3.10-dict1-lst1",
				"stage1@linux-3.9-dict0-lst0", "stage1@linux-3.9-dict0-lst1",
				"stage1@linux-3.9-dict1-lst0", "stage1@linux-3.9-dict1-lst1",
				"stage1@linux-3.10-dict0-lst0", "stage1@linux-3.10-dict0-lst1",
				"stage1@linux-3.10-dict1-lst0", "stage1@linux-3.10-dict1-lst1",
			},
			cmds: [][]string{
				{"echo windows 3.9 --arg1 1 1 2 windows-3.9-dict0-lst0"},
				{"echo windows 3.9 --arg1 1 3 4 windows-3.9-dict0-lst1"},
				{"echo windows 3.9 --arg2 2 1 2 windows-3.9-dict1-lst0"},
				{"echo windows 3.9 --arg2 2 3 4 windows-3.9-dict1-lst1"},
				{"echo windows 3.10 --arg1 1 1 2 windows-3.10-dict0-lst0"},
				{"echo windows 3.10 --arg1 1 3 4 windows-3.10-dict0-lst1"},
				{"echo windows 3.10 --arg2 2 1 2 windows-3.10-dict1-lst0"},
				{"echo windows 3.10 --arg2 2 3 4 windows-3.10-dict1-lst1"},
				{"echo linux 3.9 --arg1 1 1 2 linux-3.9-dict0-lst0"},
				{"echo linux 3.9 --arg1 1 3 4 linux-3.9-dict0-lst1"},
				{"echo linux 3.9 --arg2 2 1 2 linux-3.9-dict1-lst0"},
				{"echo linux 3.9 --arg2 2 3 4 linux-3.9-dict1-lst1"},
				{"echo linux 3.10 --arg1 1 1 2 linux-3.10-dict0-lst0"},
				{"echo linux 3.10 --arg1 1 3 4 linux-3.10-dict0-lst1"},
				{"echo linux 3.10 --arg2 2 1 2 linux-3.10-dict1-lst0"},
				{"echo linux 3.10 --arg2 2 3 4 linux-3.10-dict1-lst1"},
			},
		},
		{
			name: "matrix values from params",
			files: map[string]string{
				"params.yaml": "models: [a, b]\nseeds: [1, 2]\n",
				"dvc.yaml": `stages:
  fit:
    matrix:
      model: ${models}
      seed: ${seeds}
    cmd: fit ${item.model} ${item.seed}
`},
			stages: []string{"fit@a-1", "fit@a-2", "fit@b-1", "fit@b-2"},
			cmds:   [][]string{{"fit a 1"}, {"fit a 2"}, {"fit b 1"}, {"fit b 2"}},
		},
		{
			name: "params.yaml and vars",
			files: map[string]string{
				"params.yaml": "models:\n  us:\n    threshold: 10\n    filename: model-us.hdf5\n",
				"extra.json": `{"clean": {"filename": "clean.csv"},
					"feats": {"dirname": "feats"}}`,
				"dvc.yaml": `vars:
  - desc: Reusable description
  - extra.json:clean,feats
stages:
  build-us:
    desc: ${desc}
    cmd: >-
      python train.py
      --thresh ${models.us.threshold}
      --out ${models.us.filename}
    deps:
      - ${clean.filename}
    outs:
      - ${models.us.filename}:
          cache: true
      - ${feats.dirname}
`},
			stages: []string{"build-us"},
			cmds:   [][]string{{"python train.py --thresh 10 --out model-us.hdf5"}},
			outs:   map[string][]string{"build-us": {"model-us.hdf5", "feats"}},
		},
		{
			name: "stage vars, escapes, booleans, floats and list indexes",
			files: map[string]string{
				"params.yaml": "flags: {fast: true}\nlr: 0.0001\nlayers: [64, 32]\n",
				"dvc.yaml": `stages:
  train:
    vars:
      - model: {filename: model-us.hdf5}
    cmd:
      - echo ${model.filename} fast=${flags.fast} lr=${lr} first=${layers[0]}
      - echo \${not.expanded} $HOME
`},
			stages: []string{"train"},
			cmds: [][]string{{"echo model-us.hdf5 fast=true lr=0.0001 first=64",
				"echo ${not.expanded} $HOME"}},
		},
		{
			name: "dictionary unpacking in cmd",
			files: map[string]string{
				"params.yaml": `mydict:
  foo: foo
  bar: 1
  bool: true
  off: false
  nested:
    baz: bar
  list: [2, 3, 'qux quux']
`,
				"dvc.yaml": `stages:
  train:
    cmd: R train.r ${mydict}
`},
			stages: []string{"train"},
			cmds: [][]string{
				{"R train.r --foo foo --bar 1 --bool --nested.baz bar --list 2 3 'qux quux'"},
			},
		},
		{
			name: "dictionary unpacking with DVC's parsing options",
			files: map[string]string{
				"params.yaml": "mydict:\n  bool: true\n  off: false\n  list: [2, 'qux quux']\n",
				".dvc/config": "[core]\n    remote = storage\n['remote \"storage\"']\n" +
					"    url = s3://bucket/dvc\n[parsing]\n    bool = boolean_optional\n",
				".dvc/config.local": "# this machine's\n[parsing]\n    list = append\n",
				"dvc.yaml":          "stages:\n  train:\n    cmd: R train.r ${mydict}\n",
			},
			stages: []string{"train"},
			cmds:   [][]string{{"R train.r --bool --no-off --list 2 --list 'qux quux'"}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			root := writeRepo(t, c.files)

			cfg, err := Load(root, "")

			require.NoError(t, err)
			require.Equal(t, c.stages, stageNames(cfg))
			for i, s := range cfg.Stages {
				assert.Equal(t, c.cmds[i], s.Cmd, s.Name)
			}
			for name, outs := range c.outs {
				var got []string
				for _, o := range stageByName(t, cfg, name).Outs {
					got = append(got, o.Path)
				}
				assert.Equal(t, outs, got, name)
			}
		})
	}
}

// TestExpandKeepsTypes checks that an expression that is a whole value keeps
// the value's type, as DVC does.
func TestExpandKeepsTypes(t *testing.T) {
	t.Parallel()
	root := writeRepo(t, map[string]string{
		"params.yaml": "flags: {frozen: true, changed: false}\n",
		"dvc.yaml": `stages:
  train:
    cmd: train
    frozen: ${flags.frozen}
    always_changed: ${flags.changed}
`,
	})

	cfg, err := Load(root, "")

	require.NoError(t, err)
	assert.True(t, cfg.Stages[0].Frozen)
	assert.False(t, cfg.Stages[0].AlwaysChanged)
}

// TestTrackedParams checks that params used through ${...} become params
// of the stage, as DVC records them in dvc.lock, and inline vars do not.
func TestTrackedParams(t *testing.T) {
	t.Parallel()
	root := writeRepo(t, map[string]string{
		"params.yaml": "train:\n  lr: 0.1\n  epochs: 3\nsizes: {small: 1, big: 2}\n",
		"dvc.yaml": `vars:
  - local: {x: 1}
stages:
  train:
    cmd: train --lr ${train.lr} --epochs ${train.epochs} --x ${local.x}
    params: [train.epochs]
  fit:
    foreach: ${sizes}
    do:
      cmd: fit ${item}
`,
	})

	cfg, err := Load(root, "")

	require.NoError(t, err)
	train := stageByName(t, cfg, "train")
	require.Len(t, train.Params, 1)
	assert.Equal(t, "params.yaml", train.Params[0].File)
	assert.Equal(t, []string{"train.epochs", "train.lr"}, train.Params[0].Keys)
	big := stageByName(t, cfg, "fit@big")
	require.Len(t, big.Params, 1)
	assert.Equal(t, []string{"sizes.big"}, big.Params[0].Keys)
}

// TestStageParams checks DVC's params rules: keys of params.yaml, keys of
// another file, another file read whole, and a file read whole ignoring
// keys named for it.
func TestStageParams(t *testing.T) {
	t.Parallel()
	root := writeRepo(t, map[string]string{
		"params.yaml":      "threshold: 1\nnn: {batch_size: 2}\n",
		"myparams.yaml":    "epochs: 3\n",
		"config.json":      `{"a": 1}`,
		"sub/params.yaml":  "depth: 4\n",
		"sub/tuning.toml":  "rate = 0.5\n",
		"sub/src/train.py": "",
		"dvc.yaml": `stages:
  preprocess:
    cmd: cleanup
    params:
      - threshold
      - nn.batch_size
      - myparams.yaml:
          - epochs
      - config.json:
  whole:
    cmd: x
    params:
      - threshold
      - params.yaml:
  sub:
    wdir: sub
    cmd: python src/train.py
    deps: [src/train.py]
    params:
      - depth
      - tuning.toml: [rate]
    outs: [../model.bin]
`,
	})

	cfg, err := Load(root, "")

	require.NoError(t, err)
	assert.Equal(t, []ParamRef{
		{File: "params.yaml", Keys: []string{"threshold", "nn.batch_size"},
			Pos: Pos{File: "dvc.yaml", Line: 5, Col: 9}},
		{File: "myparams.yaml", Keys: []string{"epochs"},
			Pos: Pos{File: "dvc.yaml", Line: 7, Col: 9}},
		{File: "config.json", Pos: Pos{File: "dvc.yaml", Line: 9, Col: 9}},
	}, stageByName(t, cfg, "preprocess").Params)
	whole := stageByName(t, cfg, "whole").Params
	require.Len(t, whole, 1)
	assert.Empty(t, whole[0].Keys)

	sub := stageByName(t, cfg, "sub")
	assert.Equal(t, "sub", sub.Wdir)
	assert.Equal(t, []string{"sub/src/train.py"}, sub.Deps)
	assert.Equal(t, "model.bin", sub.Outs[0].Path)
	assert.Equal(t, "sub/params.yaml", sub.Params[0].File)
	assert.Equal(t, "sub/tuning.toml", sub.Params[1].File)
}

// TestDefinition checks that the definition is stable, ignores desc and
// meta, and follows the params it interpolates.
func TestDefinition(t *testing.T) {
	t.Parallel()
	load := func(lr, desc string) string {
		root := writeRepo(t, map[string]string{
			"params.yaml": "lr: " + lr + "\n",
			"dvc.yaml": "stages:\n  train:\n    desc: " + desc + "\n    meta: {owner: " + desc +
				"}\n    outs: [m]\n    cmd: train ${lr}\n",
		})
		cfg, err := Load(root, "")
		require.NoError(t, err)
		return cfg.Stages[0].Definition
	}

	a := load("0.1", "first")

	assert.JSONEq(t, `{"cmd": "train 0.1", "outs": ["m"]}`, a)
	assert.Equal(t, a, load("0.1", "second"), "desc and meta do not count")
	assert.NotEqual(t, a, load("0.2", "first"), "an interpolated param does")
}

func TestMergeKeysAndAliases(t *testing.T) {
	t.Parallel()
	root := writeRepo(t, map[string]string{"dvc.yaml": `x-common: &common
  deps: [shared.py]
  always_changed: true
stages:
  a:
    <<: *common
    cmd: a
  b:
    <<: *common
    cmd: b
    always_changed: false
`})

	cfg, err := Load(root, "")

	require.Error(t, err, "unknown top-level key")
	assert.Contains(t, err.Error(), `unknown key "x-common"`)
	_ = cfg

	root = writeRepo(t, map[string]string{"mlci.yaml": `stages:
  a: &a
    cmd: a
    deps: [shared.py]
    always_changed: true
  b:
    <<: *a
    cmd: b
    always_changed: false
`})
	cfg, err = Load(root, "")
	require.NoError(t, err)
	b := stageByName(t, cfg, "b")
	assert.Equal(t, []string{"b"}, b.Cmd)
	assert.Equal(t, []string{"shared.py"}, b.Deps)
	assert.False(t, b.AlwaysChanged)
	assert.True(t, stageByName(t, cfg, "a").AlwaysChanged)
	assert.Equal(t, "mlci.yaml", cfg.PipelineFile)
	assert.Equal(t, "dvc.lock", cfg.LockFile)
}
