package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
)

// Matrix is a plan as GitHub Actions jobs read it: levels[i] is the
// strategy.matrix of the workflow's i-th level job, whose include entries
// are the stages of that level, and depth says how many levels there are,
// so that the level jobs beyond it are skipped (a matrix cannot be empty).
type Matrix struct {
	Depth  int           `json:"depth"`
	Levels []MatrixLevel `json:"levels"`
	// Stages are all planned stages, for the job that collects them.
	Stages []string `json:"stages"`
}

// MatrixLevel is one level's strategy.matrix.
type MatrixLevel struct {
	Include []MatrixEntry `json:"include"`
}

// MatrixEntry is one job of a level: matrix.stage and matrix.runs_on
// (an array, as runs-on takes it).
type MatrixEntry struct {
	Stage  string   `json:"stage"`
	RunsOn []string `json:"runs_on"`
	Needs  []string `json:"needs"`
}

// GitHubMatrix returns the plan as a matrix; a stage without runs_on labels
// runs on defaultRunsOn.
func (p *Plan) GitHubMatrix(defaultRunsOn []string) Matrix {
	m := Matrix{Depth: len(p.Levels), Levels: []MatrixLevel{}, Stages: p.Stages()}
	for _, l := range p.Levels {
		var level MatrixLevel
		for _, j := range l {
			runsOn := j.RunsOn
			if len(runsOn) == 0 {
				runsOn = slices.Clone(defaultRunsOn)
			}
			level.Include = append(level.Include, MatrixEntry{Stage: j.Stage, RunsOn: runsOn,
				Needs: j.Needs})
		}
		m.Levels = append(m.Levels, level)
	}
	return m
}

// WriteGitHubMatrix writes the matrix as one line of JSON, ready for
// `echo "plan=$(mlci plan --format github-matrix)" >> "$GITHUB_OUTPUT"`.
func (p *Plan) WriteGitHubMatrix(w io.Writer, defaultRunsOn []string) error {
	data, err := json.Marshal(p.GitHubMatrix(defaultRunsOn))
	if err != nil {
		return fmt.Errorf("encoding the matrix: %w", err)
	}
	_, err = fmt.Fprintf(w, "%s\n", data)
	return err
}
