package stats

import (
	"math"
	"math/rand/v2"
)

// The bootstrap draws Poisson(1) weights per example (the Poisson bootstrap),
// which lets every example be drawn independently, and Poisson(n) totals for
// n examples that only matter through their count.

// poisson1Max is the largest weight drawn; P(X > 15) for X ~ Poisson(1) is
// below 2^-32, the resolution of the draw.
const poisson1Max = 15

// poisson1CDF[k] is P(X ≤ k) for X ~ Poisson(1) scaled to 2^32.
var poisson1CDF = func() [poisson1Max + 1]uint64 {
	var cdf [poisson1Max + 1]uint64
	p, sum := math.Exp(-1), 0.0
	for k := range cdf {
		sum += p
		cdf[k] = uint64(math.Min(sum*(1<<32), 1<<32))
		p /= float64(k + 1)
	}
	cdf[poisson1Max] = 1 << 32
	return cdf
}()

// poisson1Bits is how many leading bits of a draw index poisson1Table.
const poisson1Bits = 12

// poisson1Table gives the weight for the leading bits of a 32-bit draw, or
// 0xff for the few buckets that straddle two weights.
var poisson1Table = func() [1 << poisson1Bits]uint8 {
	var t [1 << poisson1Bits]uint8
	const width = 1 << (32 - poisson1Bits)
	for b := range t {
		lo := poisson1Of(uint32(b * width))
		hi := poisson1Of(uint32(b*width + width - 1))
		t[b] = 0xff
		if lo == hi {
			t[b] = lo
		}
	}
	return t
}()

// poisson1Of returns the Poisson(1) variate for the uniform 32-bit draw u.
func poisson1Of(u uint32) uint8 {
	k := 0
	for uint64(u) >= poisson1CDF[k] {
		k++
	}
	return uint8(k)
}

// poisson1 returns a Poisson(1) variate from the uniform 32-bit draw u.
func poisson1(u uint32) uint8 {
	if w := poisson1Table[u>>(32-poisson1Bits)]; w != 0xff {
		return w
	}
	return poisson1Of(u)
}

// fillPoisson1 fills w with Poisson(1) variates. It takes one word from r and
// hashes it with each pair of examples' position (a counter-based generator),
// which has no chain of state from one draw to the next and so runs at the
// speed of the hash.
func fillPoisson1(r *rand.PCG, w []uint8) {
	key := r.Uint64()
	for i := 0; i < len(w); i += 2 {
		u := mix(key + uint64(i)*golden)
		w[i] = poisson1(uint32(u))
		if i+1 < len(w) {
			w[i+1] = poisson1(uint32(u >> 32))
		}
	}
}

// golden is 2^64 divided by the golden ratio, the step between hashed counters.
const golden = 0x9e3779b97f4a7c15

// mix is a 64-bit finalizer (splitmix64's): every bit of x moves about half
// of the output's bits.
func mix(x uint64) uint64 {
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// poisson returns a Poisson(mean) variate: by inversion for small means, and
// by Hörmann's transformed rejection with squeeze (PTRS, 1993) for large
// ones, whose cost does not grow with the mean.
func poisson(r *rand.Rand, mean float64) int {
	switch {
	case mean <= 0:
		return 0
	case mean < 10:
		return poissonInversion(r, mean)
	default:
		return poissonPTRS(r, mean)
	}
}

func poissonInversion(r *rand.Rand, mean float64) int {
	u := r.Float64()
	p := math.Exp(-mean)
	cdf := p
	k := 0
	for u > cdf && p > 0 {
		k++
		p *= mean / float64(k)
		cdf += p
	}
	return k
}

func poissonPTRS(r *rand.Rand, mean float64) int {
	sq := math.Sqrt(mean)
	logMean := math.Log(mean)
	b := 0.931 + 2.53*sq
	a := -0.059 + 0.02483*b
	logAlpha := math.Log(1.1239 + 1.1328/(b-3.4))
	vr := 0.9277 - 3.6224/(b-2)

	for {
		u := r.Float64() - 0.5
		v := r.Float64()
		us := 0.5 - math.Abs(u)
		k := math.Floor((2*a/us+b)*u + mean + 0.43)
		if us >= 0.07 && v <= vr {
			return int(k)
		}
		if k < 0 || (us < 0.013 && v > us) {
			continue
		}
		lg, _ := math.Lgamma(k + 1)
		if math.Log(v)+logAlpha-math.Log(a/(us*us)+b) <= -mean+k*logMean-lg {
			return int(k)
		}
	}
}
