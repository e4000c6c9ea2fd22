package gate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/stats"
)

// DefaultMinSliceSize is the fewest examples a slice needs to be checked when
// the gate sets no min_slice_size.
const DefaultMinSliceSize = 30

// SliceRule returns a per-slice gate in words: "each region slice (n ≥ 100):
// no drop over 0.05".
func SliceRule(g config.Gate) string {
	return fmt.Sprintf("each %s slice (n ≥ %d): %s", g.SliceBy, minSliceSize(g), RuleText(g))
}

func minSliceSize(g config.Gate) int {
	if g.MinSliceSize > 0 {
		return g.MinSliceSize
	}
	return DefaultMinSliceSize
}

// sliceOutcome is one slice's values and checks.
type sliceOutcome struct {
	name       string
	n          int
	base, head float64
	hasBase    bool
	check      check
}

// slices computes the gate's metric per value of the slice column, from the
// predictions, and applies the gate's rules to every slice with enough
// examples. It fails when any slice fails, and reports the worst slice: the
// largest regression against the baseline, else the worst value.
func (in *input) slices(g config.Gate) Result {
	r := in.newResult(g, SliceRule(g))
	m, err := predictionMetric(g)
	if err != nil {
		r.fail("%v", err)
		return r
	}
	groups, ok := in.sliceGroups(&r, g)
	if !ok {
		return r
	}
	why := in.noSliceBaseline()
	label, head, base, err := in.columns(m, why == "")
	if err != nil {
		r.fail("%v", err)
		return r
	}

	var outcomes []sliceOutcome
	small := 0
	for _, name := range sortedGroups(groups) {
		idx := groups[name]
		if len(idx) < minSliceSize(g) {
			small++
			continue
		}
		outcomes = append(outcomes, in.slice(g, m, name, idx, label, base, head, why))
	}
	in.finishSlices(&r, g, outcomes, small)
	return r
}

// sliceGroups returns the example indices of each value of the slice column.
func (in *input) sliceGroups(r *Result, g config.Gate) (map[string][]int, bool) {
	switch {
	case in.predHead == nil && in.model.Predictions == "":
		r.fail("needs predictions: model %s names no predictions file", in.model.Name)
		return nil, false
	case in.predHead == nil:
		r.fail("needs predictions: the candidate has no %s", in.model.Predictions)
		return nil, false
	case in.predErr != nil:
		r.fail("%v", in.predErr)
		return nil, false
	}
	col, ok := in.predHead.Columns[g.SliceBy]
	if !ok {
		r.fail("%s has no column %q to slice by", in.predHead.File, g.SliceBy)
		return nil, false
	}
	groups := map[string][]int{}
	for i, v := range col {
		groups[v] = append(groups[v], i)
	}
	return groups, true
}

// noSliceBaseline says why slices have no baseline values, or "".
func (in *input) noSliceBaseline() string {
	switch {
	case in.base == nil && in.predBase == nil:
		return "no baseline"
	case in.predBase == nil:
		return "the baseline has no " + in.model.Predictions
	}
	return ""
}

func sortedGroups(groups map[string][]int) []string {
	names := make([]string, 0, len(groups))
	for k := range groups {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

func (in *input) slice(g config.Gate, m stats.Metric, name string, idx []int,
	labels, base, head []float64, why string) sliceOutcome {
	label := pick(labels, idx)
	o := sliceOutcome{name: name, n: len(idx), head: m.Compute(label, pick(head, idx))}
	var b *float64
	if base != nil {
		o.base, o.hasBase = m.Compute(label, pick(base, idx)), true
		b = &o.base
	}
	if !finite(o.head) {
		o.check.failf("%s is %v", m, o.head)
		return o
	}
	o.check = checkRules(g, b, o.head, why)
	return o
}

func pick(col []float64, idx []int) []float64 {
	out := make([]float64, len(idx))
	for i, j := range idx {
		out[i] = col[j]
	}
	return out
}

// finishSlices sets the result from the slices' outcomes.
func (in *input) finishSlices(r *Result, g config.Gate, outcomes []sliceOutcome, small int) {
	if len(outcomes) == 0 {
		r.skip("no %s slice has %d examples (%d slices)", g.SliceBy, minSliceSize(g), small)
		return
	}
	worst := worstSlice(g, outcomes)
	r.Slice = g.SliceBy + "=" + worst.name
	r.Head = ptr(worst.head)
	if worst.hasBase {
		r.Base = ptr(worst.base)
	}

	counted := fmt.Sprintf("%d slices checked", len(outcomes))
	if small > 0 {
		counted += fmt.Sprintf(", %d under %d examples", small, minSliceSize(g))
	}
	var failed []string
	checked := 0
	for _, o := range outcomes {
		checked += o.check.checked
		if len(o.check.failures) > 0 {
			failed = append(failed, fmt.Sprintf("%s (n = %d): %s", o.name, o.n,
				strings.Join(o.check.failures, "; ")))
		}
	}
	switch {
	case len(failed) > 0:
		r.fail("%d of %d slices fail: %s; %s", len(failed), len(outcomes),
			strings.Join(failed, "; "), counted)
	case checked == 0 && len(worst.check.notes) > 0:
		r.skip("%s", strings.Join(worst.check.notes, "; "))
	default:
		var b *float64
		if worst.hasBase {
			b = &worst.base
		}
		msg := fmt.Sprintf("worst %s: %s; %s", worst.name, describe(b, worst.head), counted)
		r.Message = strings.Join(append([]string{msg}, worst.check.notes...), "; ")
	}
}

// worstSlice returns the failing slice, if any, with the largest regression
// against the baseline (or, without one, the worst value).
func worstSlice(g config.Gate, outcomes []sliceOutcome) sliceOutcome {
	higher := HigherIsBetter(g)
	score := func(o sliceOutcome) float64 {
		v := o.head
		if o.hasBase {
			v = o.head - o.base
		}
		if !higher {
			v = -v
		}
		return v
	}
	worst := outcomes[0]
	for _, o := range outcomes[1:] {
		failing, worstFailing := len(o.check.failures) > 0, len(worst.check.failures) > 0
		if failing != worstFailing {
			if failing {
				worst = o
			}
			continue
		}
		if score(o) < score(worst) {
			worst = o
		}
	}
	return worst
}
