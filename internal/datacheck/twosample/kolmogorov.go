package twosample

import "math"

// KolmogorovSF returns P(D_n ≥ x) for the two-sided one-sample
// Kolmogorov–Smirnov statistic D_n, as scipy.stats.kstwo.sf does. It picks
// among exact and approximate methods by n and x the way Simard and
// L'Ecuyer (2011) propose and SciPy implements: the Ruben–Gambino closed
// forms at the ends, the Durbin matrix where it is exact and cheap, twice
// the one-sided tail where the two tails cannot overlap noticeably, and the
// Pelz–Good expansion for large n.
func KolmogorovSF(n int, x float64) float64 {
	if n <= 0 || math.IsNaN(x) {
		return math.NaN()
	}
	nf := float64(n)
	t := nf * x
	switch {
	case x >= 1:
		return 0
	case t <= 0.5:
		return 1
	case t <= 1:
		return clip01(1 - smallTCDF(n, t))
	case t >= nf-1:
		return clip01(2 * math.Pow(1-x, nf))
	case x >= 0.5:
		return clip01(2 * Smirnov(n, x))
	}
	return kolmogorovBody(n, x)
}

// kolmogorovBody covers 1/n < x < 1/2 away from the closed forms.
func kolmogorovBody(n int, x float64) float64 {
	nf := float64(n)
	nxx := nf * x * x
	if n <= 140 {
		// SciPy switches to Pomeranz's recursion for 0.754693 < n·x² ≤ 4;
		// the Durbin matrix is exact there too and stays small for n ≤ 140.
		if nxx <= 4 {
			return clip01(1 - durbinCDF(n, x))
		}
		return clip01(2 * Smirnov(n, x))
	}
	switch {
	case nxx >= 370:
		return 0
	case nxx >= 2.2:
		return clip01(2 * Smirnov(n, x))
	case n <= 100000 && nf*math.Pow(x, 1.5) <= 1.4:
		return clip01(1 - durbinCDF(n, x))
	default:
		return clip01(1 - pelzGoodCDF(n, x))
	}
}

// smallTCDF returns P(D_n ≤ t/n) for 1/2 < t ≤ 1: n!/n^n·(2t−1)^n.
func smallTCDF(n int, t float64) float64 {
	nf := float64(n)
	if n <= 140 {
		p := 1.0
		for i := 1; i <= n; i++ {
			p *= float64(i) / nf * (2*t - 1)
		}
		return p
	}
	lg, _ := math.Lgamma(nf + 1)
	return math.Exp(lg - nf*math.Log(nf) + nf*math.Log(2*t-1))
}

// Smirnov returns P(D⁺_n ≥ x) for the one-sided one-sample statistic, as
// scipy.special.smirnov does, from the Birnbaum–Tingey sum
// x·Σ_{j ≤ n(1−x)} C(n, j)·(x + j/n)^(j−1)·(1 − x − j/n)^(n−j), whose terms
// are all positive; each term is evaluated in logarithms.
func Smirnov(n int, x float64) float64 {
	switch {
	case n <= 0 || math.IsNaN(x):
		return math.NaN()
	case x <= 0:
		return 1
	case x >= 1:
		return 0
	}
	nf := float64(n)
	last := int(math.Floor(nf * (1 - x)))
	var sum, logBinom, peak float64
	for j := 0; j <= last; j++ {
		if j > 0 {
			logBinom += math.Log(float64(n-j+1) / float64(j))
		}
		rest := 1 - x - float64(j)/nf
		logTerm := logBinom + float64(j-1)*math.Log(x+float64(j)/nf)
		if n > j {
			logTerm += float64(n-j) * math.Log(rest)
		}
		term := math.Exp(logTerm)
		sum += term
		peak = math.Max(peak, term)
		if term < peak*1e-20 {
			break // past the peak the terms only shrink
		}
	}
	return clip01(x * sum)
}

// durbinCDF returns P(D_n < d) by the Durbin matrix method in the form of
// Marsaglia, Tsang and Wang (2003): with k = ⌈nd⌉ and h = k − nd, the
// answer is n!/n^n times the central element of H^n for an m×m matrix H,
// m = 2k−1. Powers of two are factored out as the numbers grow or shrink.
func durbinCDF(n int, d float64) float64 {
	nd := float64(n) * d
	k := int(math.Ceil(nd))
	h := float64(k) - nd
	H := durbinMatrix(2*k-1, h)

	P, exp := matPow(H, n)
	p := P[k-1][k-1]
	for i := 1; i <= n; i++ {
		p = float64(i) * p / float64(n)
		if math.Abs(p) < 0x1p-128 {
			p *= 0x1p128
			exp -= 128
		}
	}
	return math.Ldexp(p, exp)
}

// durbinMatrix builds H: 1/(i−j+1)! on and below the superdiagonal, with the
// first column and last row corrected for h.
func durbinMatrix(m int, h float64) [][]float64 {
	fact := make([]float64, m+1) // fact[i] = 1/i!
	fact[0] = 1
	for i := 1; i <= m; i++ {
		fact[i] = fact[i-1] / float64(i)
	}
	H := newMatrix(m)
	for i := range m {
		for j := range m {
			if i-j+1 >= 0 {
				H[i][j] = fact[i-j+1]
			}
		}
	}
	for i := range m {
		H[i][0] -= math.Pow(h, float64(i+1)) * fact[i+1]
		H[m-1][i] -= math.Pow(h, float64(m-i)) * fact[m-i]
	}
	if 2*h-1 > 0 {
		H[m-1][0] += math.Pow(2*h-1, float64(m)) * fact[m]
	}
	return H
}

// matPow returns H^n as a matrix and a power of two to scale it by.
func matPow(H [][]float64, n int) ([][]float64, int) {
	m := len(H)
	P := newMatrix(m)
	for i := range m {
		P[i][i] = 1
	}
	pExp, hExp := 0, 0
	for ; n > 0; n /= 2 {
		if n%2 == 1 {
			P = matMul(P, H)
			pExp += hExp
		}
		H = matMul(H, H)
		hExp *= 2
		if c := H[m/2][m/2]; math.Abs(c) > 0x1p128 {
			scale(H, 0x1p-128)
			hExp += 128
		}
	}
	return P, pExp
}

func newMatrix(m int) [][]float64 {
	rows := make([][]float64, m)
	cells := make([]float64, m*m)
	for i := range rows {
		rows[i] = cells[i*m : (i+1)*m]
	}
	return rows
}

func matMul(a, b [][]float64) [][]float64 {
	m := len(a)
	c := newMatrix(m)
	for i := range m {
		for k, aik := range a[i] {
			if aik == 0 {
				continue
			}
			for j, bkj := range b[k] {
				c[i][j] += aik * bkj
			}
		}
	}
	return c
}

func scale(a [][]float64, f float64) {
	for _, row := range a {
		for j := range row {
			row[j] *= f
		}
	}
}

// pelzGoodCDF returns the Pelz–Good (1976) approximation of P(D_n ≤ x):
// K0(z) + K1(z)/√n + K2(z)/n + K3(z)/n^1.5 with z = x√n, each K a theta
// series in exp(−(2k−1)²π²/(8z²)) plus, for K2 and K3, a series in
// exp(−k²π²/(2z²)).
func pelzGoodCDF(n int, x float64) float64 {
	z := math.Sqrt(float64(n)) * x
	z2 := z * z
	if -math.Pi*math.Pi/8/z2 < -708 {
		return 0
	}
	terms := int(math.Ceil(16 * z / math.Pi))
	k := pelzGoodOdd(z, terms)
	even := pelzGoodEven(z, terms)
	k[2] += even[0]
	k[3] += even[1]

	sn := math.Sqrt(float64(n))
	return k[0] + k[1]/sn + k[2]/(sn*sn) + k[3]/(sn*sn*sn)
}

// pelzGoodOdd sums the series over odd m = 2k−1 for K0…K3.
func pelzGoodOdd(z float64, terms int) [4]float64 {
	z2, z4, z6 := z*z, math.Pow(z, 4), math.Pow(z, 6)
	pi2, pi4, pi6 := math.Pi*math.Pi, math.Pow(math.Pi, 4), math.Pow(math.Pi, 6)
	var s [4]float64
	for k := terms; k >= 1; k-- {
		m := float64(2*k - 1)
		m2 := m * m
		e := math.Exp(-m2 * pi2 / 8 / z2)
		s[0] += e
		s[1] += (pi2*m2/4 - z2) * e
		s[2] += (6*z6 + 2*z4 + (2*z4-5*z2)*pi2*m2/4 + pi4*(1-2*z2)*m2*m2/16) * e
		s[3] += (-30*z6 - 90*z6*z2 + pi2*(135*z4-96*z6)*m2/4 +
			pi4*(212*z4-60*z2)*m2*m2/16 + pi6*(5-30*z2)*m2*m2*m2/64) * e
	}
	r := math.Sqrt(2 * math.Pi)
	return [4]float64{
		s[0] * r / z,
		s[1] * r / (6 * z4),
		s[2] * r / (72 * math.Pow(z, 7)),
		s[3] * r / (6480 * math.Pow(z, 10)),
	}
}

// pelzGoodEven sums the extra series over all k for K2 and K3.
func pelzGoodEven(z float64, terms int) [2]float64 {
	z2 := z * z
	pi2 := math.Pi * math.Pi
	var s2, s3 float64
	for k := terms; k >= 1; k-- {
		kf := float64(k)
		e := kf * kf * math.Exp(-pi2*kf*kf/2/z2)
		s2 += e
		s3 += (3*z2 - pi2*kf*kf) * e
	}
	r := math.Sqrt(2 * math.Pi)
	return [2]float64{
		-s2 * pi2 * r / (36 * z2 * z),
		s3 * pi2 * r / (216 * math.Pow(z, 6)),
	}
}
