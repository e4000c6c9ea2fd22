package stats

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// twoModels returns n examples scored by a weaker base and a stronger head.
func twoModels(n int, seed uint64) (label, baseScore, headScore []float64) {
	r := rand.New(rand.NewPCG(seed, 99))
	label = make([]float64, n)
	baseScore = make([]float64, n)
	headScore = make([]float64, n)
	for i := range label {
		y := float64(r.IntN(2))
		label[i] = y
		baseScore[i] = sigmoid(1.0*(y-0.5) + r.NormFloat64())
		headScore[i] = sigmoid(1.6*(y-0.5) + r.NormFloat64())
	}
	return label, baseScore, headScore
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func classes(score []float64) []float64 {
	out := make([]float64, len(score))
	for i, s := range score {
		if s >= 0.5 {
			out[i] = 1
		}
	}
	return out
}

func pairedFor(m Metric, label, base, head []float64) Paired {
	if m.Input() == Class {
		return Paired{Label: label, Base: classes(base), Head: classes(head)}
	}
	return Paired{Label: label, Base: base, Head: head}
}

// TestBootstrapCoversTheObservedDifference checks every metric: the binary
// ones on two classes, the averaged ones on three.
func TestBootstrapCoversTheObservedDifference(t *testing.T) {
	t.Parallel()
	label, base, head := twoModels(2000, 1)
	label3, base3, head3 := threeClasses(2000, 1)

	for _, m := range Metrics {
		t.Run(string(m), func(t *testing.T) {
			t.Parallel()
			p := pairedFor(m, label, base, head)
			if m.averaged() {
				p = Paired{Label: label3, Base: base3, Head: head3}
			}
			dist, err := Bootstrap{Resamples: 1000, Seed: 5}.Diff(m, p)
			require.NoError(t, err)
			require.Len(t, dist.Diffs, 1000)

			observed := m.Compute(p.Label, p.Head) - m.Compute(p.Label, p.Base)
			if m.HigherIsBetter() {
				assert.Positive(t, observed, "the head is the better model")
			} else {
				assert.Negative(t, observed, "the head is the better model")
			}
			lo, hi := dist.Quantile(0.005), dist.Quantile(0.995)
			assert.Less(t, lo, observed)
			assert.Greater(t, hi, observed)
			assert.InDelta(t, observed, dist.Quantile(0.5), (hi-lo)/4)
		})
	}
}

func TestBootstrapIsReproducible(t *testing.T) {
	t.Parallel()
	label, base, head := twoModels(500, 2)
	p := Paired{Label: label, Base: base, Head: head}

	one, err := Bootstrap{Resamples: 300, Seed: 11, Workers: 1}.Diff(ROCAUC, p)
	require.NoError(t, err)
	four, err := Bootstrap{Resamples: 300, Seed: 11, Workers: 4}.Diff(ROCAUC, p)
	require.NoError(t, err)
	other, err := Bootstrap{Resamples: 300, Seed: 12, Workers: 4}.Diff(ROCAUC, p)
	require.NoError(t, err)

	assert.Equal(t, one.Diffs, four.Diffs)
	assert.NotEqual(t, one.Diffs, other.Diffs)
}

// TestCountBootstrapMatchesPerExample checks that drawing cell totals gives
// the same spread as weighing every example.
func TestCountBootstrapMatchesPerExample(t *testing.T) {
	t.Parallel()
	label, base, head := twoModels(2000, 3)
	p := pairedFor(F1, label, base, head)

	cells, err := Bootstrap{Resamples: 3000, Seed: 1}.Diff(F1, p)
	require.NoError(t, err)
	perExample := Bootstrap{Resamples: 3000, Seed: 2}.run(func() resample {
		w := make([]uint8, len(label))
		return func(r *rand.PCG) float64 {
			fillPoisson1(r, w)
			var b, h counts
			for i, y := range p.Label {
				n := float64(w[i])
				b.add(y == 1, p.Base[i] == 1, n)
				h.add(y == 1, p.Head[i] == 1, n)
			}
			return F1.fromCounts(h) - F1.fromCounts(b)
		}
	})

	assert.InEpsilon(t, spread(perExample), spread(cells), 0.08)
	assert.InDelta(t, perExample.Quantile(0.5), cells.Quantile(0.5), spread(cells)/10)
}

func spread(d Dist) float64 { return d.Quantile(0.95) - d.Quantile(0.05) }

func TestBootstrapRejectsBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		metric Metric
		p      Paired
		want   string
	}{
		{"empty", Accuracy, Paired{}, "no examples"},
		{
			"lengths",
			ROCAUC,
			Paired{Label: []float64{1, 0}, Base: []float64{1}, Head: []float64{1, 0}},
			"2 labels but 1 and 2 predictions",
		},
		{"nan", MAE, Paired{Label: []float64{1}, Base: []float64{math.NaN()}, Head: []float64{1}},
			"example 1: NaN is not a finite number"},
		{
			"not binary",
			F1,
			Paired{Label: []float64{1, 2}, Base: []float64{1, 0}, Head: []float64{1, 0}},
			"f1, example 2: labels and predicted classes must be 0 or 1 (got 2); " +
				"for more than two classes use f1_macro or f1_weighted",
		},
		{
			"scores are not classes",
			LogLoss,
			Paired{Label: []float64{0, 2}, Base: []float64{0.5, 0.5}, Head: []float64{1, 0}},
			"log_loss, example 2: labels and predicted classes must be 0 or 1 (got 2)",
		},
		{
			"averaged metrics take any classes",
			F1Macro,
			Paired{Label: []float64{1, 2}, Base: []float64{1, math.Inf(1)}, Head: []float64{1, 0}},
			"example 2: +Inf is not a finite number",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Bootstrap{Resamples: 10}.Diff(tt.metric, tt.p)
			require.EqualError(t, err, tt.want)
		})
	}
}

func TestDistShares(t *testing.T) {
	t.Parallel()
	d := Dist{Diffs: []float64{-1, 0, 0, 1, 2}}
	assert.InDelta(t, 0.6, d.ShareAtMost(0), 0)
	assert.InDelta(t, 0.8, d.ShareAtLeast(0), 0)
	assert.InDelta(t, 0.8, d.Quantile(0.7), 1e-12)
	assert.InDelta(t, -1.0, d.Quantile(0), 0)
	assert.InDelta(t, 2.0, d.Quantile(1), 0)
}

// benchData is the benchmark's test set: 100,000 examples, two models.
func benchData(b *testing.B) (label, base, head []float64) {
	b.Helper()
	return twoModels(100_000, 42)
}

func BenchmarkBootstrap(b *testing.B) {
	label, base, head := benchData(b)
	for _, m := range []Metric{Accuracy, F1, ROCAUC, LogLoss} {
		p := pairedFor(m, label, base, head)
		b.Run(string(m), func(b *testing.B) {
			for b.Loop() {
				_, err := Bootstrap{Seed: 1}.Diff(m, p)
				require.NoError(b, err)
			}
		})
	}
}
