package twosample

import (
	"math"
	"slices"
)

// Wasserstein returns the first Wasserstein (earth mover's) distance between
// two weighted samples, as scipy.stats.wasserstein_distance does: the area
// between their CDFs, ∫|F_a − F_b|.
func Wasserstein(a, b Sample) float64 {
	ta, tb := a.Total(), b.Total()
	if ta == 0 || tb == 0 {
		return math.NaN()
	}
	var ca, cb, area float64
	i, j := 0, 0
	for i < a.Len() || j < b.Len() {
		x := nextValue(a, b, i, j)
		for ; i < a.Len() && a.Values[i] == x; i++ {
			ca += a.weight(i)
		}
		for ; j < b.Len() && b.Values[j] == x; j++ {
			cb += b.weight(j)
		}
		if i == a.Len() && j == b.Len() {
			break
		}
		area += math.Abs(ca/ta-cb/tb) * (nextValue(a, b, i, j) - x)
	}
	return area
}

// PSIBins is the number of bins PSI cuts the baseline into (deciles).
const PSIBins = 10

// psiFloor stands in for an empty bin's share, so that the logarithm stays
// finite.
const psiFloor = 1e-4

// PSI returns the Population Stability Index of head against base,
// Σ (h_i − b_i)·ln(h_i/b_i) over the bins cut at base's deciles (numpy's
// linear quantiles; repeated edges merge). A bin is (e_{i−1}, e_i], the
// first and last open-ended; an empty bin's share counts as 0.0001.
func PSI(base, head Sample) float64 {
	edges := make([]float64, 0, PSIBins-1)
	for i := 1; i < PSIBins; i++ {
		edges = append(edges, base.Quantile(float64(i)/PSIBins))
	}
	edges = slices.Compact(edges)

	b, h := binShares(base, edges), binShares(head, edges)
	var psi float64
	for i := range b {
		psi += (h[i] - b[i]) * math.Log(h[i]/b[i])
	}
	return psi
}

// binShares returns the share of s's weight in each bin cut at edges.
func binShares(s Sample, edges []float64) []float64 {
	total := s.Total()
	shares := make([]float64, len(edges)+1)
	var below float64
	for i, e := range edges {
		upTo := s.AtMost(e)
		shares[i] = (upTo - below) / total
		below = upTo
	}
	shares[len(edges)] = (total - below) / total
	for i, v := range shares {
		if v == 0 {
			shares[i] = psiFloor
		}
	}
	return shares
}
