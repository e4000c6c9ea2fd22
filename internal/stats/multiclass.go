package stats

import (
	"math"
	"math/rand/v2"
	"slices"
)

// The averaged class metrics, which take any number of classes. Macro
// averages weigh every class alike, over the classes that are a label or a
// prediction; weighted averages weigh each class by how often it is the
// label. Balanced accuracy is the mean recall over the classes that are a
// label. They are computed as scikit-learn's metrics of the same names.
const (
	BalancedAccuracy  Metric = "balanced_accuracy"
	PrecisionMacro    Metric = "precision_macro"
	RecallMacro       Metric = "recall_macro"
	F1Macro           Metric = "f1_macro"
	PrecisionWeighted Metric = "precision_weighted"
	RecallWeighted    Metric = "recall_weighted"
	F1Weighted        Metric = "f1_weighted"
)

// averaged reports whether m is an average of per-class metrics.
func (m Metric) averaged() bool {
	switch m {
	case BalancedAccuracy, PrecisionMacro, RecallMacro, F1Macro,
		PrecisionWeighted, RecallWeighted, F1Weighted:
		return true
	}
	return false
}

// perClass are one model's confusion counts by class: how often each class
// is the label, is predicted, and is both.
type perClass struct {
	support, predicted, hits []float64
}

func newPerClass(k int) perClass {
	return perClass{support: make([]float64, k), predicted: make([]float64, k),
		hits: make([]float64, k)}
}

func (c perClass) add(label, pred int, n float64) {
	c.support[label] += n
	c.predicted[pred] += n
	if label == pred {
		c.hits[label] += n
	}
}

func (c perClass) reset() {
	clear(c.support)
	clear(c.predicted)
	clear(c.hits)
}

// classIndex numbers the values found in cols in ascending order.
func classIndex(cols ...[]float64) map[float64]int {
	var values []float64
	seen := map[float64]bool{}
	for _, col := range cols {
		for _, v := range col {
			if !seen[v] {
				seen[v] = true
				values = append(values, v)
			}
		}
	}
	slices.Sort(values)
	index := make(map[float64]int, len(values))
	for i, v := range values {
		index[v] = i
	}
	return index
}

// averagedOf returns an averaged metric of label against pred.
func (m Metric) averagedOf(label, pred []float64) float64 {
	index := classIndex(label, pred)
	c := newPerClass(len(index))
	for i, y := range label {
		c.add(index[y], index[pred[i]], 1)
	}
	return m.fromPerClass(c)
}

// fromPerClass averages the per-class metric m names. A class's precision,
// recall or F1 whose denominator is zero is 0, as scikit-learn returns; a
// class that is neither a label nor a prediction (absent from a bootstrap
// resample) is left out. It returns NaN when no class counts.
func (m Metric) fromPerClass(c perClass) float64 {
	var sum, weights float64
	for k, support := range c.support {
		if support == 0 && (m == BalancedAccuracy || c.predicted[k] == 0) {
			continue
		}
		w := 1.0
		if m == PrecisionWeighted || m == RecallWeighted || m == F1Weighted {
			w = support
		}
		sum += w * m.ofClass(c.hits[k], c.predicted[k], support)
		weights += w
	}
	if weights == 0 {
		return math.NaN()
	}
	return sum / weights
}

// ofClass returns one class's precision, recall or F1 from its counts.
func (m Metric) ofClass(hits, predicted, support float64) float64 {
	switch m {
	case PrecisionMacro, PrecisionWeighted:
		return ratio(hits, predicted)
	case F1Macro, F1Weighted:
		return ratio(2*hits, predicted+support)
	default:
		return ratio(hits, support)
	}
}

// averagedResampler handles the averaged metrics the way countResampler
// handles the binary ones: each distinct (label, base's class, head's class)
// is a cell, and a resample draws each cell's total weight. There are at most
// as many cells as examples, and usually a few per pair of classes.
func averagedResampler(m Metric, p Paired) func() resample {
	index := classIndex(p.Label, p.Base, p.Head)
	type cell struct{ label, base, head int }
	at := map[cell]int{}
	var cells []cell
	var sizes []float64
	for i, y := range p.Label {
		c := cell{index[y], index[p.Base[i]], index[p.Head[i]]}
		j, ok := at[c]
		if !ok {
			j = len(cells)
			at[c] = j
			cells, sizes = append(cells, c), append(sizes, 0)
		}
		sizes[j]++
	}
	return func() resample {
		base, head := newPerClass(len(index)), newPerClass(len(index))
		return func(src *rand.PCG) float64 {
			r := rand.New(src)
			base.reset()
			head.reset()
			for j, c := range cells {
				n := float64(poisson(r, sizes[j]))
				base.add(c.label, c.base, n)
				head.add(c.label, c.head, n)
			}
			return m.fromPerClass(head) - m.fromPerClass(base)
		}
	}
}
