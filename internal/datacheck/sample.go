package datacheck

import (
	"math"

	"github.com/mlci-dev/mlci/internal/datacheck/sketch"
	"github.com/mlci-dev/mlci/internal/datacheck/twosample"
)

// sampleOf returns a sketch's points as a weighted sample.
func sampleOf(s *sketch.KLL) twosample.Sample {
	values, weights := s.Points()
	return twosample.Sample{Values: values, Weights: weights}
}

// histogram spreads the sample's weight over equal-width bins from lo to hi;
// a bin holds the values in [e_i, e_i+1), the last one also hi. It works on
// halves so that a range wider than the largest float does not overflow.
func histogram(s twosample.Sample, lo, hi float64) *Histogram {
	bins := histogramBins
	half := hi/2 - lo/2
	if half == 0 {
		bins = 1
	}
	h := &Histogram{Edges: make([]float64, bins+1), Counts: make([]float64, bins)}
	for i := range h.Edges {
		h.Edges[i] = 2 * (lo/2 + half*(float64(i)/float64(bins)))
	}
	h.Edges[bins] = hi

	for i, v := range s.Values {
		b := 0
		if half > 0 {
			b = min(int((v/2-lo/2)/half*float64(bins)), bins-1)
		}
		h.Counts[b] += s.Weights[i]
	}
	return h
}

// finiteOr0 keeps summaries JSON-encodable when sums overflow: infinities
// become the largest float of their sign, NaN zero.
func finiteOr0(x float64) float64 {
	switch {
	case math.IsNaN(x):
		return 0
	case math.IsInf(x, 0):
		return math.Copysign(math.MaxFloat64, x)
	}
	return x
}
