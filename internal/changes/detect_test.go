package changes_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/changes"
	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/git"
	"github.com/mlci-dev/mlci/internal/git/gittest"
)

const dvcYAML = `stages:
  prepare:
    cmd: python3 src/prepare.py
    deps: [src/prepare.py, data/raw]
    params: [prepare.seed]
    outs: [data/prepared]
  featurize:
    cmd: python3 src/featurize.py
    deps: [src/featurize.py, data/prepared]
    params: [featurize]
    outs: [data/features]
  train:
    cmd: python3 src/train.py
    deps: [src/train.py, data/features, data/labels.csv]
    params: [train.lr, train.epochs]
    outs: [models/model.json]
  evaluate:
    cmd: python3 src/evaluate.py
    deps: [src/evaluate.py, models/model.json, data/features]
    params: [{eval.toml: []}]
    metrics: [eval/metrics.json]
`

const paramsYAML = `prepare:
  seed: 1
  share: 0.2
featurize:
  scale: true
  ngrams: 2
train:
  lr: 0.1
  epochs: 20
  layers: [32, 16]
`

const dvcLock = `schema: '2.0'
stages:
  prepare:
    cmd: python3 src/prepare.py
    outs:
    - path: data/prepared
      md5: aaa.dir
  train:
    cmd: python3 src/train.py
    outs:
    - path: models/model.json
      md5: bbb
`

// pipelineConfig is the configuration config.Load would give for dvcYAML.
func pipelineConfig() *config.Config {
	return &config.Config{
		PipelineFile: "dvc.yaml",
		LockFile:     "dvc.lock",
		Tests:        []config.Test{{Name: "unit", Cmd: "python3 -m unittest"}},
		Stages: []*config.Stage{
			{Name: "prepare", Deps: []string{"src/prepare.py", "data/raw"},
				Params: []config.ParamRef{{File: "params.yaml", Keys: []string{"prepare.seed"}}},
				Outs:   []config.Out{{Path: "data/prepared"}}},
			{Name: "featurize", Deps: []string{"src/featurize.py", "data/prepared"},
				Params: []config.ParamRef{{File: "params.yaml", Keys: []string{"featurize"}}},
				Outs:   []config.Out{{Path: "data/features"}}},
			{Name: "train", Deps: []string{"src/train.py", "data/features", "data/labels.csv"},
				Params: []config.ParamRef{
					{File: "params.yaml", Keys: []string{"train.lr", "train.epochs"}},
				},
				Outs: []config.Out{{Path: "models/model.json"}}},
			{Name: "evaluate",
				Deps:    []string{"src/evaluate.py", "models/model.json", "data/features"},
				Params:  []config.ParamRef{{File: "eval.toml"}},
				Metrics: []config.Out{{Path: "eval/metrics.json"}}},
		},
	}
}

// pipelineRepo makes a repository with the pipeline committed on main.
func pipelineRepo(t *testing.T) (*gittest.Repo, string) {
	t.Helper()
	r := gittest.New(t)
	base := r.CommitFiles("pipeline", map[string]string{
		"dvc.yaml":               dvcYAML,
		"dvc.lock":               dvcLock,
		"params.yaml":            paramsYAML,
		"eval.toml":              "threshold = 0.5\n",
		"src/prepare.py":         "print('prepare')\n",
		"src/featurize.py":       "print('featurize')\n",
		"src/train.py":           "print('train')\n",
		"src/evaluate.py":        "print('evaluate')\n",
		"src/util.py":            strings.Repeat("def helper():\n    return 42\n", 10),
		"data/raw/customers.csv": "id,label\n1,0\n",
		"data/labels.csv.dvc":    "outs:\n- md5: 111\n  size: 10\n  path: labels.csv\n",
		"README.md":              "# project\n",
		"docs/guide.md":          "guide\n",
		"tests/test_train.py":    "import unittest\n",
		"run.sh":                 "echo run\n",
	})
	return r, base
}

func detect(t *testing.T, r *gittest.Repo, opts changes.Options) *changes.Result {
	t.Helper()
	opts.Repo = git.Repo{Dir: r.Dir}
	if opts.Config == nil {
		opts.Config = pipelineConfig()
	}
	res, err := changes.Detect(t.Context(), opts)
	require.NoError(t, err)
	return res
}

func replace(s, from, to string) string { return strings.Replace(s, from, to, 1) }

func paths(files []changes.File) []string {
	var out []string
	for _, f := range files {
		out = append(out, f.Path)
	}
	return out
}

func TestDetectStageMapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		files   map[string]string
		changed []string
		stages  []string
		reasons map[string][]string
		tests   bool
	}{
		{
			name:    "code of one stage",
			files:   map[string]string{"src/train.py": "print('train v2')\n"},
			changed: []string{"code"},
			stages:  []string{"train", "evaluate"},
			reasons: map[string][]string{
				"train":    {"dep src/train.py changed"},
				"evaluate": {"upstream train affected"},
			},
			tests: true,
		},
		{
			name:    "a train param affects train, not featurize",
			files:   map[string]string{"params.yaml": replace(paramsYAML, "lr: 0.1", "lr: 0.05")},
			changed: []string{"params"},
			stages:  []string{"train", "evaluate"},
			reasons: map[string][]string{
				"train":    {"param train.lr changed"},
				"evaluate": {"upstream train affected"},
			},
		},
		{
			name: "a key under a section a stage reads",
			files: map[string]string{
				"params.yaml": replace(paramsYAML, "ngrams: 2", "ngrams: 3"),
			},
			changed: []string{"params"},
			stages:  []string{"featurize", "train", "evaluate"},
			reasons: map[string][]string{
				"featurize": {"param featurize.ngrams changed"},
				"train":     {"upstream featurize affected"},
				"evaluate":  {"upstream featurize affected", "upstream train affected"},
			},
		},
		{
			name: "a key no stage reads",
			files: map[string]string{
				"params.yaml": replace(paramsYAML, "share: 0.2", "share: 0.3"),
			},
			changed: []string{"params"},
			stages:  []string{},
		},
		{
			name:    "a whole params file",
			files:   map[string]string{"eval.toml": "threshold = 0.6\n"},
			changed: []string{"other"},
			stages:  []string{"evaluate"},
			reasons: map[string][]string{"evaluate": {"param threshold changed"}},
		},
		{
			name: "data under a directory dep",
			files: map[string]string{
				"data/raw/customers.csv": "id,label\n1,1\n", "data/raw/new.csv": "x\n",
			},
			changed: []string{"data"},
			stages:  []string{"prepare", "featurize", "train", "evaluate"},
			reasons: map[string][]string{
				"prepare":   {"dep data/raw changed (2 files)"},
				"featurize": {"upstream prepare affected"},
			},
		},
		{
			name:    "docs alone affect nothing",
			files:   map[string]string{"README.md": "# new\n", "docs/guide.md": "new\n"},
			changed: []string{"docs"},
			stages:  []string{},
		},
		{
			name:    "tests are code",
			files:   map[string]string{"tests/test_train.py": "import unittest  # more\n"},
			changed: []string{"code"},
			stages:  []string{},
			tests:   true,
		},
		{
			name: "a stage's own definition",
			files: map[string]string{
				"dvc.yaml": replace(dvcYAML, "src/evaluate.py\n", "src/evaluate.py --fast\n"),
			},
			changed: []string{"pipeline"},
			stages:  []string{"evaluate"},
			reasons: map[string][]string{"evaluate": {"definition changed"}},
		},
		{
			name: "reformatting the pipeline changes no stage",
			files: map[string]string{"dvc.yaml": replace(dvcYAML,
				"deps: [src/prepare.py, data/raw]",
				"deps:\n      - src/prepare.py\n      - data/raw")},
			changed: []string{"pipeline"},
			stages:  []string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, base := pipelineRepo(t)
			head := r.CommitFiles("change", tt.files)

			res := detect(t, r, changes.Options{Base: base})

			assert.Equal(t, base, res.Base)
			assert.Equal(t, head, res.Head)
			assert.Equal(t, "git", res.Source)
			assert.Equal(t, tt.changed, res.Changed)
			assert.Equal(t, tt.stages, res.Stages)
			for stage, want := range tt.reasons {
				assert.Equal(t, want, res.Reasons[stage], stage)
			}
			assert.Equal(t, tt.tests, res.Tests)
		})
	}
}

func TestDetectParamKeys(t *testing.T) {
	t.Parallel()
	r, base := pipelineRepo(t)
	changed := strings.NewReplacer("lr: 0.1", "lr: 0.05", "epochs: 20", "epochs: 20.0",
		"layers: [32, 16]", "layers: [64, 16]", "  share: 0.2\n", "",
		"ngrams: 2", "ngrams: 2\n  lower: true").Replace(paramsYAML)
	r.CommitFiles("params", map[string]string{"params.yaml": changed})

	res := detect(t, r, changes.Options{Base: base})

	assert.Equal(t, []changes.ParamChange{
		{Key: "featurize.lower", File: "params.yaml", Base: nil, Head: true},
		{Key: "prepare.share", File: "params.yaml", Base: 0.2, Head: nil},
		{Key: "train.layers", File: "params.yaml", Base: []any{32, 16}, Head: []any{64, 16}},
		{Key: "train.lr", File: "params.yaml", Base: 0.1, Head: 0.05},
	}, res.Params, "20 and 20.0 are the same value")
	assert.Equal(t, []string{"featurize", "train", "evaluate"}, res.Stages)
}

// TestDetectPythonParamKeys checks that a Python params module is compared
// key by key: a change to code around the params is not a param change.
func TestDetectPythonParamKeys(t *testing.T) {
	t.Parallel()
	r, _ := pipelineRepo(t)
	module := "import os\n\nclass Train:\n    lr = %s\n    epochs = 20\n"
	cfg := pipelineConfig()
	cfg.Stages[2].Params = []config.ParamRef{{File: "config.py", Keys: []string{"Train.lr"}}}
	base := r.CommitFiles("python params", map[string]string{
		"config.py": fmt.Sprintf(module, "0.1")})
	r.CommitFiles("code", map[string]string{
		"config.py": fmt.Sprintf(module, "0.1") + "\ndef helper():\n    return 1\n"})

	res := detect(t, r, changes.Options{Base: base, Config: cfg})
	assert.Empty(t, res.Params)
	assert.Empty(t, res.Stages)

	r.CommitFiles("params", map[string]string{"config.py": fmt.Sprintf(module, "0.05")})
	res = detect(t, r, changes.Options{Base: base, Config: cfg})
	assert.Equal(t, []changes.ParamChange{
		{Key: "Train.lr", File: "config.py", Base: 0.1, Head: 0.05},
	}, res.Params)
	assert.Equal(t, []string{"train", "evaluate"}, res.Stages)
}

func TestDetectFiles(t *testing.T) {
	t.Parallel()
	r, base := pipelineRepo(t)
	require.NoError(t, os.Rename(filepath.Join(r.Dir, "src/util.py"),
		filepath.Join(r.Dir, "src/helpers.py")))
	require.NoError(t, os.Remove(filepath.Join(r.Dir, "docs/guide.md")))
	require.NoError(t, os.Chmod(filepath.Join(r.Dir, "run.sh"), 0o755))
	r.CommitFiles("files", map[string]string{"notes.txt": "new\n", "data/blob.bin": "\x00\xff"})

	res := detect(t, r, changes.Options{Base: base})

	assert.Equal(t, []changes.File{
		{Path: "data/blob.bin", Status: changes.Added, Class: changes.Data},
		{Path: "docs/guide.md", Status: changes.Deleted, Class: changes.Docs},
		{Path: "notes.txt", Status: changes.Added, Class: changes.Other},
		{Path: "run.sh", Status: changes.Modified, Class: changes.Other, Mode: "100644 → 100755"},
		{Path: "src/helpers.py", Status: changes.Renamed, Class: changes.Code,
			OldPath: "src/util.py"},
	}, res.Files)
	assert.Equal(t, map[string]int{"code": 1, "data": 1, "docs": 1, "other": 2}, res.Counts)
	assert.Equal(t, []string{"code", "data", "docs", "other"}, res.Changed)
}

func TestDetectDVCFile(t *testing.T) {
	t.Parallel()
	r, base := pipelineRepo(t)
	r.CommitFiles("new labels", map[string]string{
		"data/labels.csv.dvc": "outs:\n- md5: 222\n  size: 11\n  path: labels.csv\n",
		"data/extra.dvc":      "outs:\n- md5: 333.dir\n  path: extra\n",
	})

	res := detect(t, r, changes.Options{Base: base})

	assert.Equal(t, []changes.File{
		{Path: "data/extra", Status: changes.Added, Class: changes.Data, Via: "data/extra.dvc"},
		{Path: "data/labels.csv", Status: changes.Modified, Class: changes.Data,
			Via: "data/labels.csv.dvc"},
	}, res.Files)
	assert.Equal(t, []string{"train", "evaluate"}, res.Stages)
	assert.Equal(t, []string{"dep data/labels.csv changed"}, res.Reasons["train"])
}

func TestDetectDVCFileMetadataOnly(t *testing.T) {
	t.Parallel()
	r, base := pipelineRepo(t)
	r.CommitFiles("meta", map[string]string{
		"data/labels.csv.dvc": "outs:\n- md5: 111\n  size: 10\n  path: labels.csv\n" +
			"  desc: labels\n",
	})

	res := detect(t, r, changes.Options{Base: base})

	assert.Equal(t, []string{"data/labels.csv.dvc"}, paths(res.Files))
	assert.Empty(t, res.Stages)
}

func TestDetectLockFile(t *testing.T) {
	t.Parallel()
	r, base := pipelineRepo(t)
	lock := strings.NewReplacer("aaa.dir", "ccc.dir", "md5: bbb", "md5: ddd").Replace(dvcLock)
	r.CommitFiles("rerun", map[string]string{"dvc.lock": lock})
	cfg := pipelineConfig()

	res := detect(t, r, changes.Options{Base: base, Config: cfg})
	assert.Equal(t, []string{"dvc.lock"}, paths(res.Files),
		"outs of running stages are consequences")
	assert.Empty(t, res.Stages)

	cfg = pipelineConfig()
	cfg.Stages[0].Frozen = true
	res = detect(t, r, changes.Options{Base: base, Config: cfg})
	assert.Equal(t, []changes.File{
		{Path: "data/prepared", Status: changes.Modified, Class: changes.Data, Via: "dvc.lock"},
		{Path: "dvc.lock", Status: changes.Modified, Class: changes.Pipeline},
	}, res.Files, "the out of a frozen stage was changed by hand")
	assert.Equal(t, []string{"featurize", "train", "evaluate"}, res.Stages)
	assert.Equal(t, []string{"dep data/prepared changed"}, res.Reasons["featurize"])
}

// TestDetectDVC1LockFile checks a lock file as DVC 1 wrote it: stages at
// the top, no schema.
func TestDetectDVC1LockFile(t *testing.T) {
	t.Parallel()
	r, _ := pipelineRepo(t)
	dvc1 := "prepare:\n  cmd: python3 src/prepare.py\n  outs:\n  - path: data/prepared\n" +
		"    md5: aaa.dir\ntrain:\n  cmd: python3 src/train.py\n  outs:\n" +
		"  - path: models/model.json\n    md5: bbb\n"
	base := r.CommitFiles("dvc 1", map[string]string{"dvc.lock": dvc1})
	r.CommitFiles("rerun", map[string]string{
		"dvc.lock": strings.Replace(dvc1, "aaa.dir", "ccc.dir", 1)})
	cfg := pipelineConfig()
	cfg.Stages[0].Frozen = true

	res := detect(t, r, changes.Options{Base: base, Config: cfg})

	assert.Equal(t, []changes.File{
		{Path: "data/prepared", Status: changes.Modified, Class: changes.Data, Via: "dvc.lock"},
		{Path: "dvc.lock", Status: changes.Modified, Class: changes.Pipeline},
	}, res.Files)
}

func TestDetectMalformedParams(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, side string
		broken     bool // broken at the base, fixed at the head
	}{
		{"at the head", "head", false},
		{"at the base", "base", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := gittest.New(t)
			bad, good := "train:\n  lr: 0.1\n\tepochs: 2\n", "train:\n  lr: 0.1\n"
			first, second := good, bad
			if tt.broken {
				first, second = bad, good
			}
			base := r.CommitFiles("one", map[string]string{"params.yaml": first})
			r.CommitFiles("two", map[string]string{"params.yaml": second})

			_, err := changes.Detect(t.Context(), changes.Options{
				Repo: git.Repo{Dir: r.Dir}, Config: pipelineConfig(), Base: base})

			require.Error(t, err)
			assert.Equal(t, exit.Usage, exit.Code(err))
			assert.Contains(t, err.Error(), "params file params.yaml at the "+tt.side)
			assert.Contains(t, err.Error(), "tab character")
		})
	}
}

func TestDetectBadRevisions(t *testing.T) {
	t.Parallel()
	r, base := pipelineRepo(t)
	r.Git("checkout", "--quiet", "--orphan", "unrelated")
	r.CommitFiles("unrelated", map[string]string{"x": "1"})

	tests := []struct {
		name, base, want string
		code             int
	}{
		{"unknown ref", "no-such-branch", `base: unknown revision "no-such-branch"`, exit.Usage},
		{"unrelated histories", base, "unrelated histories", exit.Usage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := changes.Detect(t.Context(), changes.Options{
				Repo: git.Repo{Dir: r.Dir}, Config: pipelineConfig(), Base: tt.base})
			require.Error(t, err)
			assert.Equal(t, tt.code, exit.Code(err))
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestDetectDefaultBranch(t *testing.T) {
	t.Parallel()
	r, base := pipelineRepo(t)
	r.Git("checkout", "--quiet", "-b", "feature")
	head := r.CommitFiles("feature", map[string]string{"src/train.py": "v2\n"})
	r.Git("checkout", "--quiet", "main")
	r.CommitFiles("main moves on", map[string]string{"src/prepare.py": "v2\n"})
	r.Git("checkout", "--quiet", "feature")

	res := detect(t, r, changes.Options{})

	assert.Equal(t, base, res.Base, "the merge base, not main's tip")
	assert.Equal(t, head, res.Head)
	assert.True(t, res.MergeBase)
	assert.Equal(t, []string{"src/train.py"}, paths(res.Files))
}

func TestDetectSubmodule(t *testing.T) {
	t.Parallel()
	lib := gittest.New(t)
	lib.CommitFiles("lib", map[string]string{"lib.py": "x = 1\n"})
	r, base := pipelineRepo(t)
	r.Git("-c", "protocol.file.allow=always", "submodule", "--quiet", "add",
		"file://"+lib.Dir, "src/vendor/lib")
	r.Commit("vendor lib")

	res := detect(t, r, changes.Options{Base: base})

	assert.Equal(t, []changes.File{
		{Path: ".gitmodules", Status: changes.Added, Class: changes.Other},
		{Path: "src/vendor/lib", Status: changes.Added, Class: changes.Code, Submodule: true},
	}, res.Files)
	assert.True(t, res.Tests)
}

// TestDetectForeachItems checks that a foreach or matrix written in the
// pipeline file is compared instance by instance: adding an item affects
// only its instance.
func TestDetectForeachItems(t *testing.T) {
	t.Parallel()
	const pipeline = `stages:
  train:
    foreach: [us, eu%s]
    do:
      cmd: python3 train.py ${item}
      outs:
        - models/${item}.json
  score:
    foreach:
      small: {size: 1}
      large: {size: %d}
    do:
      cmd: python3 score.py ${item.size}
      outs:
        - scores/${key}.csv
  report:
    matrix:
      region: [us, eu%s]
    cmd: python3 report.py ${item.region}
`
	stage := func(name string) *config.Stage {
		return &config.Stage{Name: name, Outs: []config.Out{{Path: "out/" + name}}}
	}
	names := []string{"train@us", "train@eu", "score@small", "score@large", "report@us",
		"report@eu"}
	cfg := &config.Config{PipelineFile: "dvc.yaml", LockFile: "dvc.lock"}
	for _, n := range names {
		cfg.Stages = append(cfg.Stages, stage(n))
	}
	headCfg := *cfg
	headCfg.Stages = append(slices.Clone(cfg.Stages), stage("train@asia"), stage("report@asia"))

	tests := []struct {
		name     string
		pipeline string
		cfg      *config.Config
		reasons  map[string][]string
	}{
		{"an item added", fmt.Sprintf(pipeline, ", asia", 10, ", asia"), &headCfg,
			map[string][]string{"train@asia": {"new stage"}, "report@asia": {"new stage"}}},
		{"an item changed", fmt.Sprintf(pipeline, "", 20, ""), cfg,
			map[string][]string{"score@large": {"definition changed"}}},
		{"a matrix's template changed", strings.Replace(fmt.Sprintf(pipeline, "", 10, ""),
			"report.py", "report.py --html", 1), cfg,
			map[string][]string{
				"report@us": {"definition changed"}, "report@eu": {"definition changed"},
			}},
		{"the template changed", strings.Replace(fmt.Sprintf(pipeline, "", 10, ""),
			"train.py ${item}", "train.py --fast ${item}", 1), cfg,
			map[string][]string{
				"train@us": {"definition changed"}, "train@eu": {"definition changed"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := gittest.New(t)
			base := r.CommitFiles("pipeline",
				map[string]string{"dvc.yaml": fmt.Sprintf(pipeline, "", 10, "")})
			r.CommitFiles("change", map[string]string{"dvc.yaml": tt.pipeline})

			res := detect(t, r, changes.Options{Base: base, Config: tt.cfg})

			assert.Equal(t, tt.reasons, res.Reasons)
		})
	}
}

// TestDetectMatrixInstancesAsConfigNamesThem loads the head's pipeline with
// the config package, so that instance names are the ones it gives.
func TestDetectMatrixInstancesAsConfigNamesThem(t *testing.T) {
	t.Parallel()
	const pipeline = `stages:
  sweep:
    matrix:
      model: [cnn, xgb%s]
      opts: [{lr: 1}, {lr: %d}]
      seed: [7]
    cmd: python3 sweep.py ${item.model} ${item.opts.lr} ${item.seed}
    outs:
      - out/${key}.json
`
	head := fmt.Sprintf(pipeline, ", svm", 3)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "dvc.yaml"), []byte(head), 0o644))
	cfg, err := config.Load(dir, "")
	require.NoError(t, err)
	require.Len(t, cfg.Stages, 6)

	r := gittest.New(t)
	base := r.CommitFiles("pipeline", map[string]string{"dvc.yaml": fmt.Sprintf(pipeline, "", 2)})
	r.CommitFiles("change", map[string]string{"dvc.yaml": head})

	res := detect(t, r, changes.Options{Base: base, Config: cfg})

	assert.Equal(t, map[string][]string{
		"sweep@cnn-opts1-7": {"definition changed"},
		"sweep@xgb-opts1-7": {"definition changed"},
		"sweep@svm-opts0-7": {"new stage"},
		"sweep@svm-opts1-7": {"new stage"},
	}, res.Reasons)
}
