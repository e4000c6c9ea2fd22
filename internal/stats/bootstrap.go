package stats

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// DefaultResamples is the number of bootstrap resamples when none is given.
const DefaultResamples = 10000

// Bootstrap is the paired bootstrap: it resamples one test set, scored by two
// models, to see how a metric's difference between them varies.
//
// Each resample weighs every example by an independent Poisson(1) draw (the
// Poisson bootstrap). Metrics that depend on examples only through counts
// (accuracy, precision, recall, F1 and their averages) draw the total weight
// of each cell of the paired confusion table instead, one Poisson(n) draw per
// cell, which is the same distribution at a cost independent of the test
// set's size. ROC AUC sorts each model's scores once and walks that order
// with each resample's weights.
type Bootstrap struct {
	// Resamples is the number of resamples; DefaultResamples when zero.
	Resamples int
	// Seed makes the resamples reproducible.
	Seed uint64
	// Workers is how many resamples run at once; GOMAXPROCS when zero. The
	// result does not depend on it.
	Workers int
}

// Paired is one test set scored by two models: the same examples in the same
// order. Base and Head hold the column the metric reads (see Metric.Input).
type Paired struct {
	Label []float64
	Base  []float64
	Head  []float64
}

// ErrNotBinary is returned for a metric that needs labels and classes 0 and 1.
var ErrNotBinary = errors.New("labels and predicted classes must be 0 or 1")

// Dist is the bootstrap distribution of a metric's difference, head − base.
type Dist struct {
	// Diffs are the resamples' differences in ascending order; resamples
	// whose metric is undefined (a resample without positives) are left out.
	Diffs []float64
}

// Quantile returns the q-quantile of the differences, interpolating linearly
// between order statistics. It returns NaN for an empty distribution.
func (d Dist) Quantile(q float64) float64 {
	n := len(d.Diffs)
	if n == 0 {
		return math.NaN()
	}
	h := float64(n-1) * min(max(q, 0), 1)
	lo := int(math.Floor(h))
	if lo == n-1 {
		return d.Diffs[lo]
	}
	return d.Diffs[lo] + (h-float64(lo))*(d.Diffs[lo+1]-d.Diffs[lo])
}

// ShareAtMost returns the share of differences at or below x.
func (d Dist) ShareAtMost(x float64) float64 {
	if len(d.Diffs) == 0 {
		return math.NaN()
	}
	i, _ := slices.BinarySearch(d.Diffs, math.Nextafter(x, math.Inf(1)))
	return float64(i) / float64(len(d.Diffs))
}

// ShareAtLeast returns the share of differences at or above x.
func (d Dist) ShareAtLeast(x float64) float64 {
	if len(d.Diffs) == 0 {
		return math.NaN()
	}
	i, _ := slices.BinarySearch(d.Diffs, x)
	return float64(len(d.Diffs)-i) / float64(len(d.Diffs))
}

// Diff returns the bootstrap distribution of m(head) − m(base) over p.
func (b Bootstrap) Diff(m Metric, p Paired) (Dist, error) {
	if err := p.check(m); err != nil {
		return Dist{}, err
	}
	var factory func() resample
	switch {
	case m == ROCAUC:
		factory = aucResampler(p)
	case m.averaged():
		factory = averagedResampler(m, p)
	case m.Input() == Class:
		factory = countResampler(m, p)
	default:
		factory = lossResampler(m, p)
	}
	return b.run(factory), nil
}

func (p Paired) check(m Metric) error {
	n := len(p.Label)
	if n == 0 {
		return errors.New("no examples")
	}
	if len(p.Base) != n || len(p.Head) != n {
		return fmt.Errorf("%d labels but %d and %d predictions", n, len(p.Base), len(p.Head))
	}
	for _, col := range [][]float64{p.Label, p.Base, p.Head} {
		for i, v := range col {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("example %d: %v is not a finite number", i+1, v)
			}
		}
	}
	return CheckClasses(m, p.Label, p.Base, p.Head)
}

// CheckClasses returns a *ClassError when m needs labels 0 and 1 and label,
// or a column of predicted classes, holds another value. Scores are not
// checked.
func CheckClasses(m Metric, label []float64, predicted ...[]float64) error {
	if !m.Binary() {
		return nil
	}
	cols := [][]float64{label}
	if m.Input() == Class {
		cols = append(cols, predicted...)
	}
	for _, col := range cols {
		for i, v := range col {
			if v != 0 && v != 1 {
				return &ClassError{Metric: m, Example: i, Value: v}
			}
		}
	}
	return nil
}

// ClassError is a label or predicted class other than 0 and 1 given to a
// metric of two classes. It wraps ErrNotBinary.
type ClassError struct {
	Metric Metric
	// Example is the example's index, from 0.
	Example int
	Value   float64
}

// Error names the metric, the example (counted from 1) and the problem.
func (e *ClassError) Error() string {
	return fmt.Sprintf("%s, example %d: %s", e.Metric, e.Example+1, e.Problem())
}

// Problem says what is wrong with the value and, for a class metric, which
// averaged metrics take more classes.
func (e *ClassError) Problem() string {
	msg := fmt.Sprintf("%v (got %v)", ErrNotBinary, e.Value)
	if e.Metric.Input() == Class {
		msg += fmt.Sprintf("; for more than two classes use %s_macro or %s_weighted",
			e.Metric, e.Metric)
	}
	return msg
}

// Unwrap returns ErrNotBinary.
func (e *ClassError) Unwrap() error { return ErrNotBinary }

// resample returns one resample's difference, drawing from r.
type resample func(r *rand.PCG) float64

// run draws the resamples in parallel, each from a generator seeded by the
// seed and the resample's number, so that the result is reproducible.
func (b Bootstrap) run(factory func() resample) Dist {
	total := orDefault(b.Resamples, DefaultResamples)
	workers := min(orDefault(b.Workers, runtime.GOMAXPROCS(0)), total)
	diffs := make([]float64, total)

	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			draw := factory()
			for {
				i := int(next.Add(1) - 1)
				if i >= total {
					return
				}
				diffs[i] = draw(rand.NewPCG(b.Seed, mix(uint64(i)+golden)))
			}
		})
	}
	wg.Wait()

	diffs = slices.DeleteFunc(diffs, math.IsNaN)
	slices.Sort(diffs)
	return Dist{Diffs: diffs}
}

// orDefault returns v, or def when v is not positive.
func orDefault(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// aucResampler sorts both models' scores once; each resample walks both
// orders with the same weights. Weights are drawn in the head's score order,
// so that only the base's walk reads them out of order.
func aucResampler(p Paired) func() resample {
	baseOrder := encodeOrder(p.Label, p.Base)
	headOrder := encodeOrder(p.Label, p.Head)
	at := make([]uint32, len(headOrder))
	for k, e := range headOrder {
		at[e>>2] = uint32(k)
		headOrder[k] = uint32(k)<<2 | e&3
	}
	for k, e := range baseOrder {
		baseOrder[k] = at[e>>2]<<2 | e&3
	}
	return func() resample {
		weights := make([]uint8, len(p.Label))
		return func(r *rand.PCG) float64 {
			fillPoisson1(r, weights)
			base, head, pos, neg := walkAUCPair(baseOrder, headOrder, weights)
			return aucOf(head, pos, neg) - aucOf(base, pos, neg)
		}
	}
}

// lossResampler handles the metrics that are a function of a mean loss.
func lossResampler(m Metric, p Paired) func() resample {
	loss, finish := absError, func(v float64) float64 { return v }
	switch m {
	case LogLoss:
		loss = logLoss
	case RMSE:
		loss, finish = squaredError, math.Sqrt
	}
	base := make([]float64, len(p.Label))
	head := make([]float64, len(p.Label))
	for i, y := range p.Label {
		base[i] = loss(y, p.Base[i])
		head[i] = loss(y, p.Head[i])
	}
	return func() resample {
		weights := make([]uint8, len(p.Label))
		return func(r *rand.PCG) float64 {
			fillPoisson1(r, weights)
			var sw, sb, sh float64
			for i, w8 := range weights {
				w := float64(w8)
				sw += w
				sb += w * base[i]
				sh += w * head[i]
			}
			if sw == 0 {
				return math.NaN()
			}
			return finish(sh/sw) - finish(sb/sw)
		}
	}
}

// countResampler handles the metrics of confusion counts. Each example falls
// into one cell of a table of eight — label × base's class × head's class, or
// for accuracy base right × head right — and a resample draws each cell's
// total weight.
func countResampler(m Metric, p Paired) func() resample {
	var cells [8]float64
	for i, y := range p.Label {
		cells[cellOf(m, y, p.Base[i], p.Head[i])]++
	}
	return func() resample {
		return func(src *rand.PCG) float64 {
			r := rand.New(src)
			var drawn [8]float64
			for c, n := range cells {
				drawn[c] = float64(poisson(r, n))
			}
			base, head := cellCounts(m, drawn)
			if base.n == 0 {
				return math.NaN()
			}
			return m.fromCounts(head) - m.fromCounts(base)
		}
	}
}

func cellOf(m Metric, y, base, head float64) int {
	if m == Accuracy {
		return bit(base == y)<<1 | bit(head == y)
	}
	return bit(y == 1)<<2 | bit(base == 1)<<1 | bit(head == 1)
}

func bit(b bool) int {
	if b {
		return 1
	}
	return 0
}

// cellCounts folds the cell table into each model's confusion counts.
func cellCounts(m Metric, cells [8]float64) (base, head counts) {
	for c, n := range cells {
		base.n += n
		head.n += n
		if m == Accuracy {
			base.correct += n * float64(c>>1&1)
			head.correct += n * float64(c&1)
			continue
		}
		base.add(c>>2&1 == 1, c>>1&1 == 1, n)
		head.add(c>>2&1 == 1, c&1 == 1, n)
	}
	return base, head
}

func (c *counts) add(positive, predicted bool, n float64) {
	switch {
	case positive && predicted:
		c.tp += n
	case !positive && predicted:
		c.fp += n
	case positive && !predicted:
		c.fn += n
	}
	if positive == predicted {
		c.correct += n
	}
}
