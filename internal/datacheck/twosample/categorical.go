package twosample

import "math"

// ChiSquare runs Pearson's chi-squared goodness-of-fit test of observed
// counts against expected ones, as scipy.stats.chisquare(obs, exp) does,
// with len(obs)−1 degrees of freedom. A category expected zero times but
// observed gives an infinite statistic and a p-value of 0.
func ChiSquare(obs, exp []float64) (stat, p float64) {
	for i, o := range obs {
		d := o - exp[i]
		switch {
		case exp[i] > 0:
			stat += d * d / exp[i]
		case o > 0:
			return math.Inf(1), 0
		}
	}
	return stat, ChiSquareSF(stat, float64(len(obs)-1))
}

// ChiSquareSF returns P(X ≥ x) for a chi-squared variable with df degrees
// of freedom: the regularised upper incomplete gamma function Q(df/2, x/2).
func ChiSquareSF(x, df float64) float64 {
	switch {
	case df <= 0 || math.IsNaN(x):
		return math.NaN()
	case x <= 0:
		return 1
	case math.IsInf(x, 1):
		return 0
	}
	return gammaQ(df/2, x/2)
}

// gammaQ returns Q(a, x) = Γ(a, x)/Γ(a): by the power series of P = 1 − Q
// below x = a+1, where it converges fast, and by the continued fraction of Q
// above, where the series would lose precision.
func gammaQ(a, x float64) float64 {
	lg, _ := math.Lgamma(a)
	front := math.Exp(a*math.Log(x) - x - lg)
	if x < a+1 {
		return 1 - front*gammaSeries(a, x)
	}
	return front * gammaFraction(a, x)
}

// gammaSeries sums Σ x^k/(a(a+1)…(a+k)).
func gammaSeries(a, x float64) float64 {
	term := 1 / a
	sum := term
	for k := 1.0; k < 1000; k++ {
		term *= x / (a + k)
		sum += term
		if math.Abs(term) < math.Abs(sum)*1e-17 {
			break
		}
	}
	return sum
}

// gammaFraction evaluates the continued fraction
// 1/(x+1−a− 1·(1−a)/(x+3−a− 2·(2−a)/(x+5−a− …))) by Lentz's method.
func gammaFraction(a, x float64) float64 {
	const tiny = 1e-300
	b := x + 1 - a
	c := 1 / tiny
	d := 1 / b
	f := d
	for i := 1.0; i < 1000; i++ {
		an := -i * (i - a)
		b += 2
		d = an*d + b
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = b + an/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		delta := d * c
		f *= delta
		if math.Abs(delta-1) < 1e-16 {
			break
		}
	}
	return f
}

// JensenShannon returns the Jensen–Shannon distance (natural logarithm)
// between two distributions given as non-negative weights over the same
// categories, as scipy.spatial.distance.jensenshannon does: each is
// normalised to sum to 1 first.
func JensenShannon(p, q []float64) float64 {
	sp, sq := sum(p), sum(q)
	var js float64
	for i := range p {
		pi, qi := p[i]/sp, q[i]/sq
		m := (pi + qi) / 2
		js += relEntropy(pi, m) + relEntropy(qi, m)
	}
	return math.Sqrt(math.Max(js, 0) / 2)
}

func relEntropy(x, y float64) float64 {
	if x == 0 {
		return 0
	}
	return x * math.Log(x/y)
}

// LInf returns the largest absolute difference between the shares of a
// category in p and in q (each normalised to sum to 1).
func LInf(p, q []float64) float64 {
	sp, sq := sum(p), sum(q)
	var d float64
	for i := range p {
		d = math.Max(d, math.Abs(p[i]/sp-q[i]/sq))
	}
	return d
}

func sum(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s
}
