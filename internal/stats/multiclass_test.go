package stats

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAveragedMetrics(t *testing.T) {
	t.Parallel()
	// Classes 0, 1 and 2 are labels, 3 is only predicted and 2 never is:
	//   0: support 3, predicted 2, hits 2 → P 1,   R 2/3, F1 4/5
	//   1: support 2, predicted 3, hits 1 → P 1/3, R 1/2, F1 2/5
	//   2: support 1, predicted 0, hits 0 → P 0,   R 0,   F1 0
	//   3: support 0, predicted 1, hits 0 → P 0,   R 0,   F1 0
	label := []float64{0, 0, 0, 1, 1, 2}
	pred := []float64{0, 0, 1, 1, 3, 1}
	tests := []struct {
		m    Metric
		want float64
	}{
		{Accuracy, 3.0 / 6},
		{BalancedAccuracy, (2.0/3 + 1.0/2 + 0) / 3},
		{PrecisionMacro, (1 + 1.0/3 + 0 + 0) / 4},
		{RecallMacro, (2.0/3 + 1.0/2 + 0 + 0) / 4},
		{F1Macro, (4.0/5 + 2.0/5 + 0 + 0) / 4},
		{PrecisionWeighted, (3*1 + 2*1.0/3 + 0) / 6},
		{RecallWeighted, (3*2.0/3 + 2*1.0/2 + 0) / 6},
		{F1Weighted, (3*4.0/5 + 2*2.0/5 + 0) / 6},
	}
	for _, tt := range tests {
		t.Run(string(tt.m), func(t *testing.T) {
			assert.InDelta(t, tt.want, tt.m.Compute(label, pred), 1e-12)
			assert.Equal(t, Class, tt.m.Input())
			assert.False(t, tt.m.Binary())
			assert.True(t, tt.m.HigherIsBetter())
			parsed, ok := ParseMetric("eval/metrics.json:" + string(tt.m))
			assert.True(t, ok)
			assert.Equal(t, tt.m, parsed)
		})
	}

	assert.True(t, math.IsNaN(F1Macro.Compute(nil, nil)))
	assert.InDelta(t, 1, F1Macro.Compute([]float64{7, 7}, []float64{7, 7}), 1e-12)
}

// threeClasses returns n examples of three classes classified by a weaker
// base and a stronger head.
func threeClasses(n int, seed uint64) (label, base, head []float64) {
	return manyClasses(n, 3, seed)
}

// manyClasses returns n examples of k classes, the last one more common,
// classified by a weaker base and a stronger head.
func manyClasses(n, k int, seed uint64) (label, base, head []float64) {
	r := rand.New(rand.NewPCG(seed, 7))
	label = make([]float64, n)
	base = make([]float64, n)
	head = make([]float64, n)
	guess := func(y, right float64) float64 {
		if r.Float64() < right {
			return y
		}
		return float64(r.IntN(k))
	}
	for i := range label {
		y := float64(r.IntN(k))
		if r.Float64() < 0.3 {
			y = float64(k - 1) // classes of unequal size, so that the averages differ
		}
		label[i] = y
		base[i] = guess(y, 0.55)
		head[i] = guess(y, 0.65)
	}
	return label, base, head
}

// TestAveragedBootstrapMatchesPerExample checks that drawing the total of
// each (label, base, head) cell gives the spread of weighing every example.
func TestAveragedBootstrapMatchesPerExample(t *testing.T) {
	t.Parallel()
	label, base, head := threeClasses(2000, 3)
	p := Paired{Label: label, Base: base, Head: head}

	cells, err := Bootstrap{Resamples: 3000, Seed: 1}.Diff(F1Macro, p)
	require.NoError(t, err)
	index := classIndex(label, base, head)
	perExample := Bootstrap{Resamples: 3000, Seed: 2}.run(func() resample {
		w := make([]uint8, len(label))
		b, h := newPerClass(len(index)), newPerClass(len(index))
		return func(r *rand.PCG) float64 {
			fillPoisson1(r, w)
			b.reset()
			h.reset()
			for i, y := range label {
				b.add(index[y], index[base[i]], float64(w[i]))
				h.add(index[y], index[head[i]], float64(w[i]))
			}
			return F1Macro.fromPerClass(h) - F1Macro.fromPerClass(b)
		}
	})

	assert.InEpsilon(t, spread(perExample), spread(cells), 0.08)
	assert.InDelta(t, perExample.Quantile(0.5), cells.Quantile(0.5), spread(cells)/10)
}

func TestCheckClasses(t *testing.T) {
	t.Parallel()
	label := []float64{0, 1, 2}
	require.ErrorIs(t, CheckClasses(Recall, label, []float64{0, 1, 1}), ErrNotBinary)
	require.ErrorIs(t, CheckClasses(Recall, []float64{0, 1}, []float64{0, 3}), ErrNotBinary)
	require.ErrorIs(t, CheckClasses(ROCAUC, label, []float64{0.1, 0.2, 0.9}), ErrNotBinary)
	assert.NoError(t, CheckClasses(ROCAUC, []float64{0, 1}, []float64{0.1, 7}))
	assert.NoError(t, CheckClasses(RecallMacro, label, []float64{0, 1, 1}))
	assert.NoError(t, CheckClasses(Accuracy, label, []float64{0, 1, 1}))
	assert.NoError(t, CheckClasses(RMSE, label, []float64{0, 1, 1}))
}

// BenchmarkAveragedBootstrap is BenchmarkBootstrap's work for the averaged
// metrics: 100,000 examples of 10 classes, 10,000 resamples.
func BenchmarkAveragedBootstrap(b *testing.B) {
	label, base, head := manyClasses(100_000, 10, 42)
	p := Paired{Label: label, Base: base, Head: head}
	for _, m := range []Metric{F1Macro, BalancedAccuracy} {
		b.Run(string(m), func(b *testing.B) {
			for b.Loop() {
				_, err := Bootstrap{Seed: 1}.Diff(m, p)
				require.NoError(b, err)
			}
		})
	}
}
