package stats

import "math"

// McNemarResult is McNemar's exact test of two classifiers on the same examples.
type McNemarResult struct {
	// BaseOnly counts the examples only the base model classifies right;
	// HeadOnly those only the head model does.
	BaseOnly int `json:"base_only"`
	HeadOnly int `json:"head_only"`
	// PValue is the two-sided exact p-value of the hypothesis that both models
	// are equally accurate.
	PValue float64 `json:"p_value"`
}

// McNemar runs McNemar's exact test: among the examples the two models
// disagree on, is either one right more often than chance allows?
func McNemar(label, base, head []float64) McNemarResult {
	var r McNemarResult
	for i, y := range label {
		b, h := base[i] == y, head[i] == y
		switch {
		case b && !h:
			r.BaseOnly++
		case h && !b:
			r.HeadOnly++
		}
	}
	r.PValue = BinomialTwoSided(r.HeadOnly, r.BaseOnly+r.HeadOnly)
	return r
}

// BinomialTwoSided returns the two-sided exact p-value of k successes in n
// trials of probability one half: twice the smaller tail, at most 1.
func BinomialTwoSided(k, n int) float64 {
	if n == 0 {
		return 1
	}
	m := min(k, n-k)
	if 2*m == n {
		return 1
	}
	return min(1, 2*binomialHalfCDF(m, n))
}

// binomialHalfCDF returns P(X ≤ m) for X ~ Binomial(n, 1/2), m < n/2. It
// starts from the largest term, found with log-gamma, and steps down with
// the ratio of neighbouring terms, so that only one term carries the
// log-gamma's rounding.
func binomialHalfCDF(m, n int) float64 {
	lgN, _ := math.Lgamma(float64(n + 1))
	lgM, _ := math.Lgamma(float64(m + 1))
	lgR, _ := math.Lgamma(float64(n - m + 1))
	term := math.Exp(lgN - lgM - lgR - float64(n)*math.Ln2)

	sum := 0.0
	for j := m; j >= 0 && term > 0; j-- {
		sum += term
		if term < sum*1e-17 {
			break
		}
		term *= float64(j) / float64(n-j+1)
	}
	return sum
}
