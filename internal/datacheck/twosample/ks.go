package twosample

import "math"

// exactMaxN is the largest sample size for which KS computes the exact
// p-value, as ks_2samp(method='auto') does; above it the p-value is Smirnov's
// asymptotic one.
const exactMaxN = 10000

// KSResult is the outcome of a two-sample Kolmogorov–Smirnov test.
type KSResult struct {
	// Statistic is the largest distance between the two empirical CDFs.
	Statistic float64
	// PValue is the two-sided p-value.
	PValue float64
	// Exact reports whether PValue is exact rather than asymptotic.
	Exact bool
}

// KS runs the two-sided two-sample Kolmogorov–Smirnov test. Weights must be
// whole numbers (counts); an empty sample gives a statistic of 0 and a
// p-value of 1.
func KS(a, b Sample) KSResult {
	n1, n2 := int64(math.Round(a.Total())), int64(math.Round(b.Total()))
	if n1 == 0 || n2 == 0 {
		return KSResult{PValue: 1, Exact: true}
	}
	diff := maxCountGap(a, b, n1, n2)
	return ksPValue(n1, n2, diff)
}

// maxCountGap returns max over x of |c1(x)·n2 − c2(x)·n1|, where c(x) is the
// weight at or below x: the KS statistic times n1·n2, kept in integers so
// that the exact p-value sees the lattice distance without rounding.
func maxCountGap(a, b Sample, n1, n2 int64) int64 {
	var c1, c2, best int64
	i, j := 0, 0
	for i < a.Len() || j < b.Len() {
		x := nextValue(a, b, i, j)
		for ; i < a.Len() && a.Values[i] == x; i++ {
			c1 += int64(a.weight(i))
		}
		for ; j < b.Len() && b.Values[j] == x; j++ {
			c2 += int64(b.weight(j))
		}
		best = max(best, abs64(c1*n2-c2*n1))
	}
	return best
}

// nextValue returns the smaller of the next values of a and b.
func nextValue(a, b Sample, i, j int) float64 {
	switch {
	case i >= a.Len():
		return b.Values[j]
	case j >= b.Len():
		return a.Values[i]
	default:
		return math.Min(a.Values[i], b.Values[j])
	}
}

// ksPValue turns the scaled statistic into the test's result, choosing the
// exact or asymptotic p-value as SciPy does.
func ksPValue(n1, n2, diff int64) KSResult {
	g := gcd(n1, n2)
	lcm := (n1 / g) * n2
	h := diff / g
	d := float64(diff) / float64(n1) / float64(n2)
	if max(n1, n2) <= exactMaxN {
		d = float64(h) / float64(lcm)
		return KSResult{Statistic: d, PValue: clip01(exactKS(n1, n2, g, h)), Exact: true}
	}

	m, n := float64(max(n1, n2)), float64(min(n1, n2))
	en := m * n / (m + n)
	return KSResult{Statistic: d, PValue: clip01(KolmogorovSF(int(math.Round(en)), d))}
}

// exactKS returns P(D ≥ h/lcm(n1, n2)) under the null hypothesis.
func exactKS(n1, n2, g, h int64) float64 {
	if h == 0 {
		return 1
	}
	if n1 == n2 {
		return outsideSquare(n1, h)
	}
	return outsideBand(n1, n2, g, h)
}

// outsideSquare returns, for equal sample sizes n, the share of lattice paths
// that reach a distance h from the diagonal: by the reflection principle
// 2·Σ_k (−1)^(k+1)·C(2n, n−kh)/C(2n, n), evaluated as nested products so
// that the alternating sum does not cancel.
func outsideSquare(n, h int64) float64 {
	var p float64
	for k := n / h; k >= 0; k-- {
		ratio := 1.0
		for j := int64(0); j < h; j++ {
			ratio = float64(n-k*h-j) * ratio / float64(n+k*h+j+1)
		}
		p = ratio * (1 - p)
	}
	return 2 * p
}

// outsideBand returns the share of monotone lattice paths from (0, 0) to
// (m, n) that touch |x/m − y/n| ≥ h/lcm(m, n). Column by column it keeps,
// for each point inside the band, the share of the paths reaching it that
// have already left the band: a(i, j) = (i·a(i−1, j) + j·a(i, j−1))/(i+j),
// with a = 1 outside the band. Only the band is visited.
func outsideBand(m, n, g, h int64) float64 {
	if m < n {
		m, n = n, m
	}
	mg, ng := m/g, n/g
	a := make([]float64, n+1)
	lo, hi := int64(0), min(n, (h-1)/mg)
	for i := int64(1); i <= m; i++ {
		newLo := max(0, floorDiv(ng*i-h, mg)+1)
		newHi := min(n, ceilDiv(ng*i+h, mg)-1)
		if newLo > newHi {
			return 1
		}
		left := 1.0
		for j := newLo; j <= newHi; j++ {
			up := 1.0
			if j >= lo && j <= hi {
				up = a[j]
			}
			v := up
			if j > 0 {
				v = (up*float64(i) + left*float64(j)) / float64(i+j)
			}
			a[j], left = v, v
		}
		lo, hi = newLo, newHi
	}
	if n < lo || n > hi {
		return 1
	}
	return a[n]
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

func ceilDiv(a, b int64) int64 { return -floorDiv(-a, b) }

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

func clip01(p float64) float64 { return math.Min(1, math.Max(0, p)) }
