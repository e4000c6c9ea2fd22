package retrain

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/datacheck"
	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/metrics"
	"github.com/mlci-dev/mlci/internal/pipeline/shell"
)

// day is how model ages are counted.
const day = 24 * time.Hour

// checkTriggers refreshes the data and checks every configured trigger.
func (s *state) checkTriggers(ctx context.Context) error {
	t := s.cfg.Triggers
	g := s.opts.Printer.Start("triggers", "Retraining triggers")
	if t.Data != nil && t.Data.Refresh != "" {
		if err := s.refresh(ctx, t.Data.Refresh, g); err != nil {
			g.End("failed")
			return err
		}
	}

	checks := []struct {
		on  bool
		run func(context.Context) (TriggerResult, error)
	}{
		{t.Data != nil, s.dataTrigger},
		{t.Drift != nil, s.driftTrigger},
		{t.MaxAge > 0, s.ageTrigger},
		{t.Metric != nil, s.metricTrigger},
	}
	for _, c := range checks {
		if !c.on {
			continue
		}
		r, err := c.run(ctx)
		if err != nil {
			g.End("failed")
			return err
		}
		g.Linef("%-8s %-6s %s", r.Name, outcomeWord(r.Fired), r.Summary)
		s.out.Triggers = append(s.out.Triggers, r)
		s.out.Fired = s.out.Fired || r.Fired
	}
	if s.opts.Force && !s.out.Fired {
		s.out.Triggers = append(s.out.Triggers, TriggerResult{Name: TriggerForce, Fired: true,
			Summary: "retraining was asked for"})
		s.out.Fired = true
	}
	g.End(outcomeWord(s.out.Fired))
	return nil
}

func outcomeWord(fired bool) string {
	if fired {
		return "fired"
	}
	return "quiet"
}

// refresh runs the data trigger's refresh command in the repository.
func (s *state) refresh(ctx context.Context, line string, out io.Writer) error {
	_, err := shell.Run(ctx, shell.Command{Line: line, Dir: s.opts.Root, Output: out})
	if err != nil {
		return exit.Externalf("refreshing the data (triggers.data.refresh): %w", err)
	}
	return nil
}

// dataTrigger fires when a data dependency differs from the reference's
// and the default branch does not hold it already (a retrained model that
// was merged and waits for promotion).
func (s *state) dataTrigger(ctx context.Context) (TriggerResult, error) {
	r := TriggerResult{Name: TriggerData}
	deps, err := dataDeps(s.cfg)
	if err != nil {
		return r, err
	}
	now, err := hashWorkTree(s.opts.Root, deps)
	if err != nil {
		return r, err
	}
	then, err := s.referenceHashes(ctx)
	if err != nil {
		return r, err
	}
	changed := differing(deps, now, then)
	r.Figures = map[string]float64{"changed": float64(len(changed)), "files": float64(len(deps))}
	s.opts.Log.Debug("data compared", "reference", s.ref, "changed", changed)

	switch {
	case len(deps) == 0:
		r.Summary = "no data dependency to watch (no stage dep is classed data)"
	case len(changed) == 0:
		r.Summary = "data unchanged since " + s.ref.String()
	case len(differing(changed, nil, then)) == 0:
		// The reference recorded none of the changed files: nothing to
		// compare with, so the data counts as new.
		r.Fired, r.Summary = true, "no data hashes recorded at "+s.ref.String()+" for "+
			describeFiles(changed)
	default:
		r.Fired, r.Summary = true, describeFiles(changed)+" changed since "+s.ref.String()
	}
	return s.unlessOnMain(ctx, r)
}

// unlessOnMain quiets a fired data or drift trigger when the default
// branch was trained on the data already: a retrained model was merged and
// waits for promotion, and retraining again would propose it again.
func (s *state) unlessOnMain(ctx context.Context, r TriggerResult) (TriggerResult, error) {
	if !r.Fired || s.ref.Version == "" {
		return r, nil
	}
	held, err := s.heldByDefault(ctx)
	if err != nil || !held {
		return r, err
	}
	r.Fired = false
	r.Summary += fmt.Sprintf(", but %s was trained on this data already (promote it)",
		s.defaultBranch)
	return r, nil
}

// heldByDefault reports whether every data dependency in the work tree has
// the hash the default branch's lock file records.
func (s *state) heldByDefault(ctx context.Context) (bool, error) {
	deps, err := dataDeps(s.cfg)
	if err != nil {
		return false, err
	}
	now, err := hashWorkTree(s.opts.Root, deps)
	if err != nil {
		return false, err
	}
	onMain, err := s.lockHashes(ctx, s.defaultCommit)
	if err != nil {
		return false, err
	}
	return len(differing(deps, now, onMain)) == 0, nil
}

// differing lists the paths whose hash in now is not the one in then.
func differing(paths []string, now, then map[string]string) []string {
	var out []string
	for _, p := range paths {
		if now[p] != then[p] {
			out = append(out, p)
		}
	}
	return out
}

func describeFiles(paths []string) string {
	if len(paths) == 1 {
		return paths[0]
	}
	return fmt.Sprintf("%d data files", len(paths))
}

// driftTrigger fires when the share of drifted columns of the new data, the
// largest over the data sets, reaches the threshold.
func (s *state) driftTrigger(ctx context.Context) (TriggerResult, error) {
	r := TriggerResult{Name: TriggerDrift}
	threshold := s.cfg.Triggers.Drift.Threshold
	if len(s.cfg.Data) == 0 {
		r.Summary = "no data set to compare (data: in mlci.yaml)"
		return r, nil
	}
	base, err := s.trainingProfiles(ctx)
	if err != nil {
		return r, err
	}
	if len(base) == 0 {
		r.Summary = "no training data at " + s.ref.String() + " to compare with"
		return r, nil
	}
	res, err := datacheck.Check(ctx, s.cfg, base, s.opts.Root)
	if err != nil {
		return r, err
	}

	share := res.MaxDrift
	r.Figures = map[string]float64{"share": share, "threshold": threshold}
	r.Fired = share >= threshold
	word := "below"
	if r.Fired {
		word = "at or above"
	}
	r.Summary = fmt.Sprintf("drift %.2f %s %.2f%s", share, word, threshold, driftDetail(res))
	return s.unlessOnMain(ctx, r)
}

// driftDetail names the drifted columns of the most drifted set.
func driftDetail(res *datacheck.Result) string {
	var worst *datacheck.DriftResult
	name := ""
	for _, set := range res.Sets {
		if set.Drift != nil && (worst == nil || set.Drift.Share > worst.Share) {
			worst, name = set.Drift, set.Name
		}
	}
	if worst == nil {
		return ""
	}
	var cols []string
	for _, c := range worst.Columns {
		if c.Drifted {
			cols = append(cols, c.Column)
		}
	}
	if len(cols) == 0 {
		return ""
	}
	return fmt.Sprintf(" (%s: %d of %d columns drifted: %s)", name, len(cols),
		len(worst.Columns), strings.Join(firstFew(cols, 3), ", "))
}

// ageTrigger fires when the production version was registered longer ago
// than max_age.
func (s *state) ageTrigger(context.Context) (TriggerResult, error) {
	r := TriggerResult{Name: TriggerMaxAge}
	maxAge := s.cfg.Triggers.MaxAge
	if s.ref.Version == "" {
		r.Summary = "no production version whose age to measure"
		return r, nil
	}
	age := max(s.opts.Now().Sub(s.ref.Created), 0)
	days, maxDays := age.Hours()/24, maxAge.Hours()/24
	r.Figures = map[string]float64{"days": round1(days), "max_days": round1(maxDays)}
	r.Fired = age > maxAge
	word := "within"
	if r.Fired {
		word = "over"
	}
	r.Summary = fmt.Sprintf("model %s %s old, %s %s", s.ref.Version, inDays(age), word,
		inDays(maxAge))
	return r, nil
}

// inDays writes a duration in whole days, or hours under two days.
func inDays(d time.Duration) string {
	if d < 2*day {
		h := int(d.Hours())
		if h == 1 {
			return "1 hour"
		}
		return fmt.Sprintf("%d hours", h)
	}
	return fmt.Sprintf("%d days", int(d/day))
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// metricTrigger fires when the monitored metric, read from a file or a
// command's JSON output, is below min or above max.
func (s *state) metricTrigger(ctx context.Context) (TriggerResult, error) {
	mt := s.cfg.Triggers.Metric
	r := TriggerResult{Name: TriggerMetric}
	values, err := s.monitored(ctx, mt)
	if err != nil {
		return r, err
	}
	v, ok := values[mt.Metric]
	if !ok {
		return r, exit.Usagef("%s: triggers.metric: no metric %q in %s; it has %s",
			posText(mt.Pos), mt.Metric, monitorSource(mt), keyList(values))
	}

	r.Figures = map[string]float64{"value": v}
	var parts []string
	if mt.Min != nil {
		r.Figures["min"] = *mt.Min
		if v < *mt.Min {
			r.Fired = true
			parts = append(parts, fmt.Sprintf("below %s", num(*mt.Min)))
		}
	}
	if mt.Max != nil {
		r.Figures["max"] = *mt.Max
		if v > *mt.Max {
			r.Fired = true
			parts = append(parts, fmt.Sprintf("above %s", num(*mt.Max)))
		}
	}
	if !r.Fired {
		parts = append(parts, "within "+bounds(mt))
	}
	r.Summary = fmt.Sprintf("monitored %s %s %s", mt.Metric, num(v), strings.Join(parts, ", "))
	return r, nil
}

// monitored reads the monitoring metrics: the file, else the command's
// standard output, as JSON (or the file's own format).
func (s *state) monitored(ctx context.Context,
	mt *config.MetricTrigger) (map[string]float64, error) {
	if mt.File != "" {
		data, err := os.ReadFile(filepath.Join(s.opts.Root, mt.File))
		if err != nil {
			return nil, exit.Externalf("reading the monitored metrics: %w", err)
		}
		m, err := metrics.Read(mt.File, data)
		if err != nil {
			return nil, exit.Externalf("reading the monitored metrics: %w", err)
		}
		return m, nil
	}

	cmd := exec.CommandContext(ctx, "sh", "-c", mt.Cmd)
	cmd.Dir = s.opts.Root
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, exit.Externalf("running the monitoring command `%s`: %w: %s", mt.Cmd, err,
			lastLine(stderr.String()))
	}
	m, err := metrics.Read("output.json", stdout.Bytes())
	if err != nil {
		return nil, exit.Externalf("reading the output of `%s` as JSON: %w", mt.Cmd, err)
	}
	return m, nil
}

func monitorSource(mt *config.MetricTrigger) string {
	if mt.File != "" {
		return mt.File
	}
	return "the output of `" + mt.Cmd + "`"
}

func posText(p config.Pos) string {
	if p.File == "" {
		return "mlci.yaml"
	}
	return fmt.Sprintf("%s:%d", p.File, p.Line)
}

func keyList(m map[string]float64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if len(keys) == 0 {
		return "no numbers"
	}
	if len(keys) > 8 {
		keys = append(keys[:8], "…")
	}
	return strings.Join(keys, ", ")
}

func bounds(mt *config.MetricTrigger) string {
	lo, hi := "…", "…"
	if mt.Min != nil {
		lo = num(*mt.Min)
	}
	if mt.Max != nil {
		hi = num(*mt.Max)
	}
	return "[" + lo + ", " + hi + "]"
}

// num writes a figure with up to four decimals.
func num(x float64) string {
	s := fmt.Sprintf("%.4f", x)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		return "0"
	}
	return s
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
