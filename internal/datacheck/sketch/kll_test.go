package sketch

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSketchIsExactUpToK(t *testing.T) {
	t.Parallel()
	s := New(64)
	for i := 64; i > 0; i-- {
		s.Add(float64(i % 10))
	}
	require.True(t, s.Exact())

	values, weights := s.Points()
	assert.Equal(t, []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, values)
	assert.Equal(t, []float64{6, 7, 7, 7, 7, 6, 6, 6, 6, 6}, weights)

	s.Add(3)
	assert.False(t, s.Exact(), "one value past k compacts")
}

func TestSketchKeepsTheCountAndBoundsTheSize(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 100, 2048, 2049, 10_000, 300_000} {
		s := New(DefaultK)
		r := rand.New(rand.NewPCG(1, uint64(n)))
		for range n {
			s.Add(r.NormFloat64())
		}
		_, weights := s.Points()
		assert.InDelta(t, float64(n), sum(weights), 0, "weights add up to n=%d", n)
		assert.Equal(t, int64(n), s.N())
		assert.LessOrEqual(t, len(weights), 3*DefaultK+8*len(s.levels), "points for n=%d", n)
	}
}

func TestSketchRanksAreClose(t *testing.T) {
	t.Parallel()
	const n = 300_000
	s := New(DefaultK)
	r := rand.New(rand.NewPCG(7, 7))
	all := make([]float64, n)
	for i := range all {
		all[i] = r.ExpFloat64()
		s.Add(all[i])
	}
	slices.Sort(all)

	values, weights := s.Points()
	var worst, below float64
	for i, v := range values {
		below += weights[i]
		exact, _ := slices.BinarySearch(all, math.Nextafter(v, math.Inf(1)))
		worst = math.Max(worst, math.Abs(below-float64(exact))/n)
	}
	assert.Less(t, worst, 0.005, "largest rank error as a share of n")
}

func TestSketchIsDeterministicAndMerges(t *testing.T) {
	t.Parallel()
	build := func(from, to int) *KLL {
		s := New(256)
		for i := from; i < to; i++ {
			s.Add(float64((i * 7919) % 10007))
		}
		return s
	}
	a, b := build(0, 50_000), build(0, 50_000)
	va, wa := a.Points()
	vb, wb := b.Points()
	assert.Equal(t, va, vb)
	assert.Equal(t, wa, wb)

	m := build(0, 20_000)
	m.Merge(build(20_000, 50_000))
	_, wm := m.Points()
	assert.Equal(t, int64(50_000), m.N())
	assert.InDelta(t, 50_000, sum(wm), 0)
}

func TestSketchJSONRoundTrip(t *testing.T) {
	t.Parallel()
	s := New(32)
	for i := range 1000 {
		s.Add(float64(i))
	}
	data, err := json.Marshal(s)
	require.NoError(t, err)

	var back KLL
	require.NoError(t, json.Unmarshal(data, &back))
	v1, w1 := s.Points()
	v2, w2 := back.Points()
	assert.Equal(t, v1, v2)
	assert.Equal(t, w1, w2)
	back.Add(5) // usable after reading
	assert.Equal(t, int64(1001), back.N())
}

func TestSketchRejectsInconsistentJSON(t *testing.T) {
	t.Parallel()
	for name, doc := range map[string]string{
		"count":  `{"k":32,"n":5,"levels":[[1,2]]}`,
		"levels": `{"k":32,"n":0,"levels":[]}`,
		"k":      `{"k":0,"n":1,"levels":[[1]]}`,
	} {
		var s KLL
		assert.Error(t, json.Unmarshal([]byte(doc), &s), name)
	}
}

func BenchmarkSketchAdd(b *testing.B) {
	s := New(DefaultK)
	r := rand.New(rand.NewPCG(1, 2))
	xs := make([]float64, 1<<16)
	for i := range xs {
		xs[i] = r.NormFloat64()
	}
	b.ResetTimer()
	for i := range b.N {
		s.Add(xs[i&(len(xs)-1)])
	}
}

func sum(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s
}
