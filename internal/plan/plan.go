// Package plan spreads a pipeline over the CI system's own runners: it turns
// the stages a change affects into CI jobs that mirror the DAG, one job per
// stage with its runner labels, grouped in levels that can run at once, and
// writes them as a GitHub Actions matrix or a GitLab child pipeline. Each
// job runs its stage with `mlci run --stage NAME`, sharing outputs through
// the remote cache; the last job gathers them with Collect.
//
// It does not detect changes (package changes does), run stages or talk to
// the remote cache (packages pipeline and remote do).
package plan

import (
	"context"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/pipeline"
	"github.com/mlci-dev/mlci/internal/progress"
)

// Job is one planned stage.
type Job struct {
	Stage string `json:"stage"`
	// RunsOn are the runner labels from the stage's runs_on.
	RunsOn []string `json:"runs_on"`
	// Needs are the planned stages it waits for.
	Needs []string `json:"needs"`
	// Level is the job's depth in the plan: 0 needs nothing.
	Level int `json:"level"`
}

// Plan is the jobs of the planned stages by level, in pipeline order
// within a level. Every job needs only jobs of earlier levels.
type Plan struct {
	Levels [][]Job `json:"levels"`
}

// New plans the named stages of cfg; the others are not planned at all,
// and a job of a planned stage restores what they produced from the cache.
// An unknown stage is a usage error.
func New(cfg *config.Config, stages []string) (*Plan, error) {
	g := newGraph(cfg.Stages)
	planned := map[string]bool{}
	for _, name := range stages {
		if _, ok := g.index[name]; !ok {
			return nil, exit.Usagef("no stage %q in the pipeline", name)
		}
		planned[name] = true
	}

	level := map[string]int{}
	p := &Plan{Levels: [][]Job{}}
	for _, s := range g.order() {
		if !planned[s.Name] {
			continue
		}
		job := Job{Stage: s.Name, RunsOn: slices.Clone(s.RunsOn), Needs: g.needs(s, planned)}
		for _, n := range job.Needs {
			job.Level = max(job.Level, level[n]+1)
		}
		level[s.Name] = job.Level
		if job.RunsOn == nil {
			job.RunsOn = []string{}
		}
		for len(p.Levels) <= job.Level {
			p.Levels = append(p.Levels, []Job{})
		}
		p.Levels[job.Level] = append(p.Levels[job.Level], job)
	}
	return p, nil
}

// Jobs returns every job, level by level.
func (p *Plan) Jobs() []Job {
	var jobs []Job
	for _, l := range p.Levels {
		jobs = append(jobs, l...)
	}
	return jobs
}

// Stages returns the planned stages, level by level.
func (p *Plan) Stages() []string {
	names := []string{}
	for _, j := range p.Jobs() {
		names = append(names, j.Stage)
	}
	return names
}

// WriteText writes the plan for people: one line per level.
func (p *Plan) WriteText(w io.Writer) error {
	if len(p.Levels) == 0 {
		_, err := fmt.Fprintln(w, "no stage to plan: the change affects none")
		return err
	}
	for i, l := range p.Levels {
		var parts []string
		for _, j := range l {
			part := j.Stage
			if len(j.RunsOn) > 0 {
				part += " [" + strings.Join(j.RunsOn, ", ") + "]"
			}
			parts = append(parts, part)
		}
		if _, err := fmt.Fprintf(w, "level %d: %s\n", i, strings.Join(parts, ", ")); err != nil {
			return err
		}
	}
	return nil
}

// Collect brings the named stages up to date in this work tree without
// running any: each is restored from the cache, local then remote, as the
// plan's jobs left it. A stage no job produced fails. It is what the last
// job of a plan does before validating and reporting.
//
// TODO: the results say "restored" for every stage; which job ran it, and on
// which runner, is not recorded in the run-cache entry yet, so the report
// cannot show it.
func Collect(ctx context.Context, p *pipeline.Pipeline, stages []string,
	pr *progress.Printer) (*pipeline.RunResult, error) {
	if len(stages) == 0 {
		return &pipeline.RunResult{Stages: []pipeline.StageResult{}}, nil
	}
	return p.Run(ctx, pipeline.RunOptions{Stages: stages, RestoreOnly: true, Printer: pr})
}

// graph is the stages with their upstream edges.
type graph struct {
	stages []*config.Stage
	index  map[string]int
	up     [][]int
}

func newGraph(stages []*config.Stage) *graph {
	g := &graph{stages: stages, index: map[string]int{}, up: make([][]int, len(stages))}
	for i, s := range stages {
		g.index[s.Name] = i
	}
	for i, s := range stages {
		for j, t := range stages {
			if i != j && feeds(t, s) {
				g.up[i] = append(g.up[i], j)
			}
		}
	}
	return g
}

// order returns the stages upstream first, in file order otherwise.
func (g *graph) order() []*config.Stage {
	placed := make([]bool, len(g.stages))
	var out []*config.Stage
	var place func(int)
	place = func(i int) {
		if placed[i] {
			return
		}
		placed[i] = true
		for _, u := range g.up[i] {
			place(u)
		}
		out = append(out, g.stages[i])
	}
	for i := range g.stages {
		place(i)
	}
	return out
}

// needs returns the nearest planned stages upstream of s, looking through
// stages that are not planned, in file order.
func (g *graph) needs(s *config.Stage, planned map[string]bool) []string {
	seen := map[int]bool{}
	var found []int
	var walk func(int)
	walk = func(i int) {
		for _, u := range g.up[i] {
			if seen[u] {
				continue
			}
			seen[u] = true
			if planned[g.stages[u].Name] {
				found = append(found, u)
				continue
			}
			walk(u)
		}
	}
	walk(g.index[s.Name])
	slices.Sort(found)
	names := make([]string, len(found))
	for i, u := range found {
		names[i] = g.stages[u].Name
	}
	return names
}

// feeds reports whether an output of t is, holds or lies inside a
// dependency of s.
func feeds(t, s *config.Stage) bool {
	for _, out := range outputs(t) {
		for _, dep := range s.Deps {
			dep = path.Clean(dep)
			if within(out, dep) || within(dep, out) {
				return true
			}
		}
	}
	return false
}

func outputs(s *config.Stage) []string {
	var outs []string
	for _, o := range slices.Concat(s.Outs, s.Metrics) {
		outs = append(outs, path.Clean(o.Path))
	}
	for _, p := range s.Plots {
		outs = append(outs, path.Clean(p.Path))
	}
	return outs
}

// within reports whether p is dir or lies inside it.
func within(dir, p string) bool {
	return p == dir || strings.HasPrefix(p, dir+"/")
}
