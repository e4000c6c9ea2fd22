package plan_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/golden"
	"github.com/mlci-dev/mlci/internal/plan"
)

// example loads the bundled example project, with train on a GPU runner.
func example(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Load(filepath.Join("..", "..", "testdata", "example"), "")
	require.NoError(t, err)
	for _, s := range cfg.Stages {
		if s.Name == "train" {
			s.RunsOn = []string{"self-hosted", "gpu"}
		}
	}
	return cfg
}

func TestExamplePlan(t *testing.T) {
	t.Parallel()
	cfg := example(t)
	tests := []struct {
		name     string
		affected []string
		levels   [][]string
	}{
		{name: "all", affected: []string{"prepare", "featurize", "train", "evaluate"},
			levels: [][]string{{"prepare"}, {"featurize"}, {"train"}, {"evaluate"}}},
		{name: "params of train", affected: []string{"train", "evaluate"},
			levels: [][]string{{"train"}, {"evaluate"}}},
		{name: "evaluation only", affected: []string{"evaluate"},
			levels: [][]string{{"evaluate"}}},
		{name: "docs only", affected: nil, levels: [][]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := plan.New(cfg, tt.affected)
			require.NoError(t, err)
			assert.Equal(t, tt.levels, names(p))
			checkLevels(t, cfg, p)
		})
	}
}

func TestExamplePlanFormats(t *testing.T) {
	t.Parallel()
	p, err := plan.New(example(t), []string{"prepare", "featurize", "train", "evaluate"})
	require.NoError(t, err)

	var gh bytes.Buffer
	require.NoError(t, p.WriteGitHubMatrix(&gh, []string{"ubuntu-latest"}))
	assert.Equal(t, 1, bytes.Count(gh.Bytes(), []byte("\n")), "one line for $GITHUB_OUTPUT")
	golden.Assert(t, "example.github-matrix.json", gh.Bytes())
	var m plan.Matrix
	require.NoError(t, json.Unmarshal(gh.Bytes(), &m))
	assert.Equal(t, 4, m.Depth)
	assert.Equal(t, []string{"self-hosted", "gpu"}, m.Levels[2].Include[0].RunsOn)
	assert.Equal(t, []string{"ubuntu-latest"}, m.Levels[0].Include[0].RunsOn)

	var gl bytes.Buffer
	require.NoError(t, p.WriteGitLab(&gl, plan.GitLabOptions{Args: []string{"--config",
		"ci/mlci.yaml"}}))
	golden.Assert(t, "example.gitlab-ci.yml", gl.Bytes())
	var doc map[string]any
	require.NoError(t, yaml.Unmarshal(gl.Bytes(), &doc))
	train := doc[plan.JobName("train")].(map[string]any)
	assert.Equal(t, []any{"self-hosted", "gpu"}, train["tags"])
	assert.Equal(t, []any{plan.JobName("featurize")}, train["needs"])
	assert.Equal(t, []any{"mlci --config ci/mlci.yaml run --stage train"}, train["script"])
}

func TestEmptyPlanStillMakesAPipeline(t *testing.T) {
	t.Parallel()
	p, err := plan.New(example(t), nil)
	require.NoError(t, err)
	var gl bytes.Buffer
	require.NoError(t, p.WriteGitLab(&gl, plan.GitLabOptions{}))
	var doc map[string]any
	require.NoError(t, yaml.Unmarshal(gl.Bytes(), &doc))
	assert.Contains(t, doc, "mlci-nothing-to-run")

	var text bytes.Buffer
	require.NoError(t, p.WriteText(&text))
	assert.Contains(t, text.String(), "affects none")
}

func TestUnknownStage(t *testing.T) {
	t.Parallel()
	_, err := plan.New(example(t), []string{"trian"})
	require.ErrorContains(t, err, `no stage "trian"`)
	assert.Equal(t, exit.Usage, exit.Code(err))
}

// TestWidePlan plans a generated DAG: one source, 300 branches reading it,
// 30 merges of ten branches each and a final stage reading the merges.
func TestWidePlan(t *testing.T) {
	t.Parallel()
	cfg := wide(300, 10)
	all := make([]string, len(cfg.Stages))
	for i, s := range cfg.Stages {
		all[i] = s.Name
	}

	p, err := plan.New(cfg, all)
	require.NoError(t, err)
	require.Len(t, p.Levels, 4)
	assert.Equal(t, []int{1, 300, 30, 1}, sizes(p))
	checkLevels(t, cfg, p)
	last := p.Levels[3][0]
	assert.Len(t, last.Needs, 30)

	// Only the branches of one merge changed: the source is not planned.
	partial := []string{"final", "merge-007"}
	for b := 70; b < 80; b++ {
		partial = append(partial, fmt.Sprintf("branch-%03d", b))
	}
	p, err = plan.New(cfg, partial)
	require.NoError(t, err)
	assert.Equal(t, []int{10, 1, 1}, sizes(p))
	assert.Empty(t, p.Levels[0][0].Needs, "a stage that is not planned is not needed")
	checkLevels(t, cfg, p)
}

// wide builds the generated DAG described at TestWidePlan.
func wide(branches, fan int) *config.Config {
	cfg := &config.Config{Root: "/repo"}
	stage := func(name string, deps []string, out string) {
		cfg.Stages = append(cfg.Stages, &config.Stage{Name: name, Cmd: []string{"true"},
			Deps: deps, Outs: []config.Out{{Path: out, Cache: true}}})
	}
	stage("source", []string{"data/raw.csv"}, "data/source")
	var merges []string
	for m := 0; m < branches/fan; m++ {
		var deps []string
		for b := m * fan; b < (m+1)*fan; b++ {
			out := fmt.Sprintf("data/branch/%03d.csv", b)
			stage(fmt.Sprintf("branch-%03d", b), []string{"data/source"}, out)
			deps = append(deps, out)
		}
		out := fmt.Sprintf("data/merge/%03d", m)
		stage(fmt.Sprintf("merge-%03d", m), deps, out)
		merges = append(merges, out)
	}
	stage("final", merges, "final.json")
	return cfg
}

// checkLevels checks the plan against the DAG: each job's level is one
// more than the deepest job it needs, needs point only to earlier levels,
// and each planned stage is needed by its planned downstream stages.
func checkLevels(t *testing.T, cfg *config.Config, p *plan.Plan) {
	t.Helper()
	level := map[string]int{}
	for i, l := range p.Levels {
		require.NotEmpty(t, l, "level %d is empty", i)
		for _, j := range l {
			want := 0
			for _, n := range j.Needs {
				got, ok := level[n]
				require.True(t, ok, "%s needs %s, which is not in an earlier level", j.Stage, n)
				want = max(want, got+1)
			}
			assert.Equal(t, want, i, "level of %s", j.Stage)
			assert.Equal(t, i, j.Level)
			level[j.Stage] = i
		}
	}
	for _, s := range cfg.Stages {
		if _, ok := level[s.Name]; !ok {
			continue
		}
		for _, dep := range s.Deps {
			for _, up := range cfg.Stages {
				if _, planned := level[up.Name]; planned && writes(up, dep) {
					assert.Less(t, level[up.Name], level[s.Name], "%s before %s", up.Name, s.Name)
				}
			}
		}
	}
}

func writes(s *config.Stage, dep string) bool {
	for _, o := range s.Outs {
		if o.Path == dep {
			return true
		}
	}
	return false
}

func names(p *plan.Plan) [][]string {
	out := [][]string{}
	for _, l := range p.Levels {
		var level []string
		for _, j := range l {
			level = append(level, j.Stage)
		}
		out = append(out, level)
	}
	return out
}

func sizes(p *plan.Plan) []int {
	var out []int
	for _, l := range p.Levels {
		out = append(out, len(l))
	}
	return out
}
