package stats

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseMetric(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key  string
		want Metric
		ok   bool
	}{
		{"accuracy", Accuracy, true},
		{"test.ROC_AUC", ROCAUC, true},
		{"eval/auc", ROCAUC, true},
		{"eval/metrics.json:accuracy", Accuracy, true},
		{"logloss", LogLoss, true},
		{"f1_score", F1, true},
		{"latency_ms", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			t.Parallel()
			got, ok := ParseMetric(tt.key)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestComputeEdgeCases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		metric Metric
		label  []float64
		x      []float64
		want   float64
	}{
		{"accuracy of many classes", Accuracy, []float64{0, 1, 2, 2}, []float64{0, 2, 2, 2}, 0.75},
		{"precision without predicted positives", Precision, []float64{1, 0}, []float64{0, 0}, 0},
		{"auc with ties", ROCAUC, []float64{0, 1, 0, 1}, []float64{0.5, 0.5, 0.1, 0.9}, 0.875},
		{"auc of one class", ROCAUC, []float64{1, 1}, []float64{0.2, 0.3}, math.NaN()},
		{"no examples", Accuracy, nil, nil, math.NaN()},
		{"rmse", RMSE, []float64{1, 2}, []float64{2, 4}, math.Sqrt(2.5)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := tt.metric.Compute(tt.label, tt.x)
			if math.IsNaN(tt.want) {
				assert.True(t, math.IsNaN(got), "got %v", got)
				return
			}
			assert.InDelta(t, tt.want, got, 1e-12)
		})
	}
}

// TestWalkAUCWeighted checks the weighted walk against counting every pair.
func TestWalkAUCWeighted(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	label := make([]float64, 300)
	score := make([]float64, 300)
	weights := make([]uint8, 300)
	for i := range label {
		label[i] = float64(r.IntN(2))
		score[i] = float64(r.IntN(40)) / 40
		weights[i] = uint8(r.IntN(4))
	}

	var pairs, pos, neg float64
	for i := range label {
		w := float64(weights[i])
		if label[i] == 1 {
			pos += w
		} else {
			neg += w
		}
		for j := range label {
			if label[i] != 1 || label[j] != 0 {
				continue
			}
			v := float64(weights[i]) * float64(weights[j])
			switch {
			case score[i] > score[j]:
				pairs += v
			case score[i] == score[j]:
				pairs += v / 2
			}
		}
	}
	enc := encodeOrder(label, score)
	sum, gotPos, gotNeg := walkAUC(enc, weights)
	assert.InDelta(t, pairs/(pos*neg), aucOf(sum, gotPos, gotNeg), 1e-12)

	reversed := encodeOrder(label, negated(score))
	sumA, sumB, pairPos, pairNeg := walkAUCPair(enc, reversed, weights)
	assert.Equal(t, sum, sumA)
	assert.Equal(t, [2]uint64{gotPos, gotNeg}, [2]uint64{pairPos, pairNeg})
	assert.InDelta(t, 1-pairs/(pos*neg), aucOf(sumB, pos64(pos), pos64(neg)), 1e-12)
}

func negated(x []float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = -v
	}
	return out
}

func pos64(v float64) uint64 { return uint64(v) }

func TestPoissonMoments(t *testing.T) {
	t.Parallel()
	for _, mean := range []float64{0.3, 3, 9.5, 10, 47, 5000, 1e6} {
		r := rand.New(rand.NewPCG(7, uint64(mean)))
		const draws = 200000
		var sum, sq float64
		for range draws {
			k := float64(poisson(r, mean))
			sum += k
			sq += k * k
		}
		m := sum / draws
		v := sq/draws - m*m
		// Five standard errors of the mean and about as many of the variance.
		assert.InDelta(t, mean, m, 5*math.Sqrt(mean/draws), "mean of Poisson(%v)", mean)
		assert.InEpsilon(t, mean, v, 0.03, "variance of Poisson(%v)", mean)
	}
}

func TestPoisson1Weights(t *testing.T) {
	t.Parallel()
	w := make([]uint8, 1_000_001)
	fillPoisson1(rand.NewPCG(3, 4), w)
	var hist [poisson1Max + 1]float64
	for _, k := range w {
		hist[k]++
	}
	p := math.Exp(-1)
	for k := range 6 {
		want := p * float64(len(w))
		assert.InDelta(t, want, hist[k], 5*math.Sqrt(want)+1, "weight %d", k)
		p /= float64(k + 1)
	}
	for u := uint32(0); u < math.MaxUint32-1<<20; u += 1 << 20 {
		require.Equal(t, poisson1Of(u), poisson1(u))
		require.Equal(t, poisson1Of(u+1<<20-1), poisson1(u+1<<20-1))
	}
}

func TestMcNemar(t *testing.T) {
	t.Parallel()
	label := []float64{1, 1, 0, 0, 1, 0}
	base := []float64{1, 0, 0, 1, 1, 0}
	head := []float64{1, 1, 0, 0, 0, 0}
	got := McNemar(label, base, head)
	assert.Equal(t, 1, got.BaseOnly)
	assert.Equal(t, 2, got.HeadOnly)
	assert.InDelta(t, 1.0, got.PValue, 1e-12)
}

func TestBinomialTwoSided(t *testing.T) {
	t.Parallel()
	assert.InDelta(t, 2.0/1024, BinomialTwoSided(0, 10), 1e-15)
	assert.InDelta(t, 1.0, BinomialTwoSided(5, 10), 0)
	assert.InDelta(t, 1.0, BinomialTwoSided(0, 0), 0)
	assert.InDelta(t, BinomialTwoSided(3, 17), BinomialTwoSided(14, 17), 1e-15)
}
