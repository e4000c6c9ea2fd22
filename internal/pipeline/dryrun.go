package pipeline

import (
	"strings"

	"github.com/mlci-dev/mlci/internal/pipeline/lock"
)

// dryRun says what Run would do with each stage, and why, changing nothing.
// A stage below one that would run is taken to run too.
func (p *Pipeline) dryRun(nodes []*node, lf *lock.File, opts RunOptions) (*RunResult, error) {
	h := p.openHasher()
	defer h.close(p)

	res := &RunResult{DryRun: true}
	stale := map[*node]bool{}
	for _, n := range nodes {
		c, err := p.check(n, lf.Stage(n.stage.Name), h)
		if err != nil {
			return nil, err
		}
		upstream := len(c.reasons)
		c.propagate(n, stale)
		sr := StageResult{Name: n.stage.Name, Result: Ran, Reason: strings.Join(c.reasons, "; ")}
		switch {
		case n.stage.Frozen:
			sr.Result, sr.Reason = Skipped, "frozen"
		case opts.Force:
			sr.Reason = "forced"
		case c.state == UpToDate:
			sr.Result, sr.Reason = Skipped, "up to date"
		case len(c.reasons) == upstream && reusable(n):
			if run, _ := p.cache.LookupRun(runKey(n, c)); run != nil {
				sr.Result, sr.SavedSeconds = Restored, run.Seconds
				sr.Reason += "; inputs equal a cached run"
			}
		}
		stale[n] = sr.Result != Skipped
		opts.Printer.Infof("%s: would be %s (%s)", sr.Name, sr.Result, sr.Reason)
		res.Stages = append(res.Stages, sr)
	}
	return res, nil
}
