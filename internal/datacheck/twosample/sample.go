// Package twosample holds the statistics that compare two distributions:
// the two-sample Kolmogorov–Smirnov test, the Wasserstein distance and the
// Population Stability Index for numbers, and the chi-squared test, the
// Jensen–Shannon distance and the L-infinity distance for categories.
//
// Each function follows the definition SciPy uses (scipy.stats.ks_2samp with
// method='auto', scipy.stats.chisquare, scipy.stats.wasserstein_distance,
// scipy.spatial.distance.jensenshannon), so that its results agree with
// SciPy's to 1e-9. Numbers come as weighted samples, which lets the callers
// pass either every value (weight 1 each) or a quantile sketch's points.
//
// It does not read data or decide what counts as drift; the datacheck
// package does.
package twosample

import (
	"math"
	"slices"
)

// Sample is a sorted, weighted sample: Values ascending, each with the weight
// at the same index (how many observations it stands for). Nil Weights mean
// a weight of 1 for every value. KS needs integer weights.
type Sample struct {
	Values  []float64
	Weights []float64
}

// NewSample sorts values into a sample of weight 1 each; it keeps values.
func NewSample(values []float64) Sample {
	v := slices.Clone(values)
	slices.Sort(v)
	return Sample{Values: v}
}

// Len returns the number of points.
func (s Sample) Len() int { return len(s.Values) }

// weight returns the weight of point i.
func (s Sample) weight(i int) float64 {
	if s.Weights == nil {
		return 1
	}
	return s.Weights[i]
}

// Total returns the sum of the weights.
func (s Sample) Total() float64 {
	if s.Weights == nil {
		return float64(len(s.Values))
	}
	var t float64
	for _, w := range s.Weights {
		t += w
	}
	return t
}

// AtMost returns the weight of the values ≤ x.
func (s Sample) AtMost(x float64) float64 {
	i, _ := slices.BinarySearchFunc(s.Values, x, func(v, x float64) int {
		if v <= x {
			return -1
		}
		return 1
	})
	if s.Weights == nil {
		return float64(i)
	}
	var t float64
	for _, w := range s.Weights[:i] {
		t += w
	}
	return t
}

// Quantile returns the q-quantile (0 ≤ q ≤ 1) with linear interpolation
// between the closest ranks, as numpy.quantile does by default; a point of
// weight w counts as w equal values.
func (s Sample) Quantile(q float64) float64 {
	n := s.Total()
	if n == 0 {
		return math.NaN()
	}
	pos := q * (n - 1)
	lo := math.Floor(pos)
	a := s.valueAtRank(lo)
	b := s.valueAtRank(math.Min(lo+1, n-1))
	return lerp(a, b, pos-lo)
}

// valueAtRank returns the value at 0-based rank r of the expanded sample.
func (s Sample) valueAtRank(r float64) float64 {
	var seen float64
	for i, v := range s.Values {
		seen += s.weight(i)
		if r < seen {
			return v
		}
	}
	return s.Values[len(s.Values)-1]
}

// lerp interpolates between a and b the way numpy does, from the nearer end,
// so that quantiles match numpy's to the last bit.
func lerp(a, b, t float64) float64 {
	d := b - a
	if t >= 0.5 {
		return b - d*(1-t)
	}
	return a + d*t
}
