package gate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/metrics"
	"github.com/mlci-dev/mlci/internal/stats"
)

// testSet writes n predictions as CSV: labels from seed, regions in turn, and
// scores of strength (how well they separate the classes); regions listed in
// weak get scores that do not separate at all.
func testSet(t testing.TB, name string, n int, strength float64,
	weak ...string) *metrics.Predictions {
	t.Helper()
	labels := rand.New(rand.NewPCG(1, 1))
	noise := rand.New(rand.NewPCG(uint64(strength*1000), 2))
	regions := []string{"APAC", "EU", "US"}
	var b strings.Builder
	b.WriteString("id,label,score,prediction,region\n")
	for i := range n {
		y := float64(labels.IntN(2))
		region := regions[i%3]
		s := strength
		for _, w := range weak {
			if w == region {
				s = 0
			}
		}
		score := 1 / (1 + math.Exp(-(s*(2*y-1) + noise.NormFloat64())))
		pred := 0
		if score >= 0.5 {
			pred = 1
		}
		fmt.Fprintf(&b, "%d,%v,%.6f,%d,%s\n", i, y, score, pred, region)
	}
	p, err := metrics.ReadPredictions(name, []byte(b.String()))
	require.NoError(t, err)
	return p
}

var noMetrics = map[string]float64{}

func evaluateOne(t *testing.T, g config.Gate, base map[string]float64, preds *Predictions) Result {
	t.Helper()
	got := Evaluator{Resamples: 1000, Seed: 3}.Evaluate(model(g), base, noMetrics, preds)
	require.Len(t, got, 1)
	return got[0]
}

func TestSignificance(t *testing.T) {
	t.Parallel()
	weak := testSet(t, "base.csv", 3000, 0.5)
	strong := testSet(t, "head.csv", 3000, 1.2)

	tests := []struct {
		name   string
		gate   config.Gate
		base   *metrics.Predictions
		head   *metrics.Predictions
		passed bool
		method string
		rule   string
		prefix string
	}{
		{"better auc", config.Gate{Metric: "roc_auc", Significance: f(0.05)}, weak, strong, true,
			Bootstrap, "better than the baseline at 95%", "roc_auc 0."},
		{"worse auc", config.Gate{Metric: "roc_auc", Significance: f(0.05)}, strong, weak, false,
			Bootstrap, "better than the baseline at 95%", "not significantly better: roc_auc"},
		{
			"equal auc is not better",
			config.Gate{Metric: "roc_auc", Significance: f(0.05)},
			weak,
			weak,
			false,
			Bootstrap,
			"better than the baseline at 95%",
			"not significantly better",
		},
		{"equal auc is within a margin", config.Gate{Metric: "roc_auc", Significance: f(0.05),
			Margin: f(0.01)}, weak, weak, true, Bootstrap,
			"not worse than the baseline by over 0.01 at 95%", "roc_auc"},
		{"worse auc is beyond a margin", config.Gate{Metric: "roc_auc", Significance: f(0.05),
			Margin: f(0.01)}, strong, weak, false, Bootstrap,
			"not worse than the baseline by over 0.01 at 95%", "may be worse by over 0.01"},
		{"log loss, lower is better", config.Gate{Metric: "log_loss", Significance: f(0.01)}, weak,
			strong, true, Bootstrap, "better than the baseline at 99%", "log_loss"},
		{
			"accuracy by McNemar",
			config.Gate{Metric: "accuracy", Significance: f(0.05)},
			weak,
			strong,
			true,
			McNemar,
			"better than the baseline at 95%",
			"accuracy",
		},
		{"f1 worse", config.Gate{Metric: "f1", Significance: f(0.05)}, strong, weak, false,
			Bootstrap, "better than the baseline at 95%", "not significantly better: f1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := evaluateOne(t, tt.gate, noMetrics, &Predictions{Base: tt.base, Head: tt.head})
			assert.Equal(t, tt.passed, r.Passed, r.Message)
			assert.Equal(t, tt.rule, r.Rule)
			assert.True(t, strings.HasPrefix(r.Message, tt.prefix), r.Message)
			require.NotNil(t, r.Significance)
			s := r.Significance
			assert.Equal(t, tt.method, s.Method)
			assert.Equal(t, 1000, s.Resamples)
			assert.InDelta(t, 1-*tt.gate.Significance, s.Confidence, 1e-12)
			assert.LessOrEqual(t, s.CILow, *r.Head-*r.Base+1e-9)
			assert.GreaterOrEqual(t, s.CIHigh, *r.Head-*r.Base-1e-9)
			require.NotNil(t, s.PValue)
		})
	}
}

func TestSignificanceMcNemarPValue(t *testing.T) {
	t.Parallel()
	base, head := testSet(t, "b.csv", 900, 0.5), testSet(t, "h.csv", 900, 0.7)
	r := evaluateOne(t, config.Gate{Metric: "accuracy", Significance: f(0.05)}, noMetrics,
		&Predictions{Base: base, Head: head})
	want := stats.McNemar(head.Label, base.Prediction, head.Prediction)
	assert.InDelta(t, want.PValue, *r.Significance.PValue, 0)
	assert.Contains(t, r.Message,
		fmt.Sprintf("%d vs %d disagreements won", want.HeadOnly, want.BaseOnly))
}

func TestSignificanceIsReproducible(t *testing.T) {
	t.Parallel()
	preds := &Predictions{Base: testSet(t, "b.csv", 600, 0.5), Head: testSet(t, "h.csv", 600, 0.6)}
	g := config.Gate{Metric: "roc_auc", Significance: f(0.05)}
	one := evaluateOne(t, g, noMetrics, preds)
	two := evaluateOne(t, g, noMetrics, preds)
	assert.Equal(t, one.Significance, two.Significance)
}

func TestSignificanceWithoutAPair(t *testing.T) {
	t.Parallel()
	head := testSet(t, "eval/predictions.csv", 300, 1)
	disjoint, err := metrics.ReadPredictions("eval/predictions.csv",
		[]byte("id,label,score\nx,1,0.5\ny,0,0.5\n"))
	require.NoError(t, err)
	g := config.Gate{Metric: "roc_auc", Significance: f(0.05)}

	tests := []struct {
		name    string
		base    map[string]float64
		preds   *Predictions
		passed  bool
		skipped bool
		message string
	}{
		{"no baseline", nil, &Predictions{Head: head}, true, true,
			"no baseline: significance not tested"},
		{"baseline without predictions", noMetrics, &Predictions{Head: head}, true, true,
			"the baseline has no eval/predictions.csv: significance not tested"},
		{"candidate without predictions", noMetrics, nil, false, false,
			"needs predictions: the candidate has no eval/predictions.csv"},
		{"no common example", noMetrics, &Predictions{Base: disjoint, Head: head}, false, false,
			"eval/predictions.csv (candidate) and eval/predictions.csv (baseline) are not " +
				"the same test set: no example id is in both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := evaluateOne(t, g, tt.base, tt.preds)
			assert.Equal(t, tt.passed, r.Passed)
			assert.Equal(t, tt.skipped, r.Skipped)
			assert.Equal(t, tt.message, r.Message)
			assert.Nil(t, r.Significance)
		})
	}
}

func TestSignificancePairsTheExamplesBothHold(t *testing.T) {
	t.Parallel()
	head := testSet(t, "eval/predictions.csv", 300, 1)
	base := testSet(t, "eval/predictions.csv", 320, 1)
	g := config.Gate{Metric: "roc_auc", Significance: f(0.05), Margin: f(0.05)}

	r := evaluateOne(t, g, noMetrics, &Predictions{Base: base, Head: head})
	assert.True(t, r.Passed, r.Message)
	require.NotNil(t, r.Significance)
	assert.Contains(t, r.Message,
		"paired on the ids both files hold (300); the candidate has 0 more, "+
			"the baseline 20 more")
}

func TestGateWithBoundsAndSignificanceGivesTwoResults(t *testing.T) {
	t.Parallel()
	preds := &Predictions{Base: testSet(t, "b.csv", 900, 0.5), Head: testSet(t, "h.csv", 900, 1.5)}
	g := config.Gate{Metric: "roc_auc", Min: f(0.8), Significance: f(0.05)}
	got := Evaluator{Resamples: 500}.Evaluate(model(g), map[string]float64{"roc_auc": 0.7},
		map[string]float64{"roc_auc": 0.9}, preds)
	require.Len(t, got, 2)
	assert.Equal(t, "≥ 0.8", got[0].Rule)
	assert.Nil(t, got[0].Significance)
	assert.Equal(t, "better than the baseline at 95%", got[1].Rule)
	assert.True(t, got[1].Passed, got[1].Message)
}

func TestSlices(t *testing.T) {
	t.Parallel()
	base := testSet(t, "eval/predictions.csv", 1500, 1)
	same := testSet(t, "eval/predictions.csv", 1500, 1)
	euWorse := testSet(t, "eval/predictions.csv", 1500, 1, "EU")

	tests := []struct {
		name    string
		gate    config.Gate
		base    map[string]float64
		preds   *Predictions
		passed  bool
		skipped bool
		slice   string
		message string
	}{
		{"a regressing slice fails", config.Gate{Metric: "accuracy", SliceBy: "region",
			MinSliceSize: 100, MaxDrop: f(0.05)}, noMetrics,
			&Predictions{Base: base, Head: euWorse}, false, false, "region=EU",
			"1 of 3 slices fail: EU (n = 500): dropped"},
		{"equal slices pass", config.Gate{Metric: "accuracy", SliceBy: "region", MaxDrop: f(0.05)},
			noMetrics, &Predictions{Base: base, Head: same}, true, false, "", "worst "},
		{"absolute bound per slice without a baseline", config.Gate{Metric: "roc_auc",
			SliceBy: "region", Min: f(0.7)}, nil, &Predictions{Head: euWorse}, false, false,
			"region=EU", "1 of 3 slices fail: EU (n = 500): 0."},
		{"only rules of change and no baseline", config.Gate{Metric: "f1", SliceBy: "region",
			MaxDrop: f(0.05)}, nil, &Predictions{Head: euWorse}, true, true, "region=EU",
			"no baseline: rules of change not checked"},
		{"slices too small", config.Gate{Metric: "accuracy", SliceBy: "region", MinSliceSize: 501,
			MaxDrop: f(0.05)}, noMetrics, &Predictions{Base: base, Head: same}, true, true, "",
			"no region slice has 501 examples (3 slices)"},
		{"no such column", config.Gate{Metric: "accuracy", SliceBy: "country", MaxDrop: f(0.05)},
			noMetrics, &Predictions{Base: base, Head: same}, false, false, "",
			`eval/predictions.csv has no column "country" to slice by`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := evaluateOne(t, tt.gate, tt.base, tt.preds)
			assert.Equal(t, tt.passed, r.Passed, r.Message)
			assert.Equal(t, tt.skipped, r.Skipped, r.Message)
			assert.True(t, strings.HasPrefix(r.Message, tt.message), r.Message)
			if tt.slice != "" || !tt.passed {
				assert.Equal(t, tt.slice, r.Slice)
			}
		})
	}
}

func TestSliceRule(t *testing.T) {
	t.Parallel()
	g := config.Gate{Metric: "accuracy", SliceBy: "region", MinSliceSize: 200, MaxDrop: f(0.02)}
	assert.Equal(t, "each region slice (n ≥ 200): no drop over 0.02", SliceRule(g))
}

// threeClasses writes n predictions of classes 0, 1 and 2 as CSV, right with
// probability skill and otherwise a random class; regions listed in weak are
// guessed at random.
func threeClasses(t *testing.T, name string, n int, skill float64,
	weak ...string) *metrics.Predictions {
	t.Helper()
	labels := rand.New(rand.NewPCG(4, 4))
	guesses := rand.New(rand.NewPCG(uint64(skill*1000), 5))
	regions := []string{"APAC", "EU", "US"}
	var b strings.Builder
	b.WriteString("id,label,prediction,region\n")
	for i := range n {
		y := labels.IntN(3)
		region := regions[i%3]
		pred := y
		if guesses.Float64() >= skill || slices.Contains(weak, region) {
			pred = guesses.IntN(3)
		}
		fmt.Fprintf(&b, "%d,%d,%d,%s\n", i, y, pred, region)
	}
	p, err := metrics.ReadPredictions(name, []byte(b.String()))
	require.NoError(t, err)
	return p
}

func TestMoreThanTwoClasses(t *testing.T) {
	t.Parallel()
	weak := threeClasses(t, "base.csv", 3000, 0.5)
	strong := threeClasses(t, "head.csv", 3000, 0.6)
	euWorse := threeClasses(t, "head.csv", 3000, 0.6, "EU")

	tests := []struct {
		name    string
		gate    config.Gate
		preds   *Predictions
		passed  bool
		message string
	}{
		{"f1_macro better", config.Gate{Metric: "f1_macro", Significance: f(0.05)},
			&Predictions{Base: weak, Head: strong}, true, "f1_macro 0."},
		{"f1_macro worse", config.Gate{Metric: "f1_macro", Significance: f(0.05)},
			&Predictions{Base: strong, Head: weak}, false, "not significantly better: f1_macro"},
		{"balanced accuracy within a margin",
			config.Gate{Metric: "balanced_accuracy", Significance: f(0.05), Margin: f(0.05)},
			&Predictions{Base: weak, Head: weak}, true, "balanced_accuracy 0."},
		{"recall_weighted by slice", config.Gate{Metric: "recall_weighted", SliceBy: "region",
			MaxDrop: f(0.05)}, &Predictions{Base: strong, Head: euWorse}, false,
			"1 of 3 slices fail: EU (n = 1000): dropped"},
		{"binary f1 refuses three classes", config.Gate{Metric: "f1", Significance: f(0.05)},
			&Predictions{Base: weak, Head: strong}, false,
			"head.csv:2: f1, id 0: labels and predicted classes must be 0 or 1 (got 2); " +
				"for more than two classes use f1_macro or f1_weighted"},
		{"binary precision by slice refuses three classes", config.Gate{Metric: "precision",
			SliceBy: "region", MaxDrop: f(0.05)}, &Predictions{Base: strong, Head: euWorse}, false,
			"head.csv:2: precision, id 0: labels and predicted classes must be 0 or 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := evaluateOne(t, tt.gate, noMetrics, tt.preds)
			assert.Equal(t, tt.passed, r.Passed, r.Message)
			assert.True(t, strings.HasPrefix(r.Message, tt.message), r.Message)
			if strings.Contains(r.Message, "must be 0 or 1") {
				assert.Nil(t, r.Head, "no value computed from classes the metric cannot take")
			}
		})
	}
}

func TestThresholdTurnsScoresIntoClasses(t *testing.T) {
	t.Parallel()
	p, err := metrics.ReadPredictions("p.csv", []byte("id,label,score,region\n"+
		"1,1,0.9,EU\n2,1,0.4,EU\n3,0,0.3,EU\n4,0,0.45,EU\n"))
	require.NoError(t, err)
	g := config.Gate{Metric: "recall", SliceBy: "region", MinSliceSize: 1, Min: f(0)}

	tests := []struct {
		threshold float64
		recall    float64
	}{
		{0, 0.5},   // unset: 0.5, only id 1 is predicted positive
		{0.5, 0.5}, // the default, set
		{0.35, 1},  // ids 1, 2 and 4
		{0.95, 0},  // none
	}
	for _, tt := range tests {
		m := model(g)
		m.Threshold = tt.threshold
		got := Evaluator{Resamples: 10}.Evaluate(m, nil, noMetrics, &Predictions{Head: p})
		require.Len(t, got, 1)
		require.NotNil(t, got[0].Head, got[0].Message)
		assert.InDelta(t, tt.recall, *got[0].Head, 1e-12, "threshold %v", tt.threshold)
	}
}

func TestClassesNamedByText(t *testing.T) {
	t.Parallel()
	named := func(p *metrics.Predictions, names ...string) *metrics.Predictions {
		var b strings.Builder
		b.WriteString("id,label,prediction,region\n")
		for i, id := range p.IDs {
			fmt.Fprintf(&b, "%s,%s,%s,%s\n", id, names[int(p.Label[i])],
				names[int(p.Prediction[i])], p.Columns["region"][i])
		}
		out, err := metrics.ReadPredictions(p.File, []byte(b.String()))
		require.NoError(t, err)
		require.NotNil(t, out.Classes)
		return out
	}
	weak := threeClasses(t, "base.csv", 3000, 0.5)
	strong := threeClasses(t, "head.csv", 3000, 0.6)
	iris := []string{"setosa", "versicolor", "virginica"}

	for _, metric := range []string{"f1_macro", "accuracy"} {
		g := config.Gate{Metric: metric, Significance: f(0.05)}
		byNumber := evaluateOne(t, g, noMetrics, &Predictions{Base: weak, Head: strong})
		byName := evaluateOne(t, g, noMetrics,
			&Predictions{Base: named(weak, iris...), Head: named(strong, iris...)})
		assert.True(t, byName.Passed, byName.Message)
		assert.Equal(t, *byNumber.Head, *byName.Head, metric)
		assert.Equal(t, *byNumber.Base, *byName.Base, metric)
	}

	r := evaluateOne(t, config.Gate{Metric: "recall", Significance: f(0.05)}, noMetrics,
		&Predictions{Base: named(weak, iris...), Head: named(strong, iris...)})
	assert.False(t, r.Passed)
	assert.Equal(t, "head.csv: recall needs labels 0 and 1, but the labels are classes named by "+
		"text (setosa, versicolor, virginica); use recall_macro or recall_weighted, or name "+
		"the positive one with positive_class: on the model", r.Message)

	// With a positive class, binary metrics read it as 1 and the others as 0:
	// the same figures as labels written 1 for virginica and 0 for the rest.
	oneVsRest := func(p *metrics.Predictions) *metrics.Predictions {
		var b strings.Builder
		b.WriteString("id,label,prediction,region\n")
		for i, id := range p.IDs {
			fmt.Fprintf(&b, "%s,%d,%d,%s\n", id, bit(p.Label[i] == 2),
				bit(p.Prediction[i] == 2), p.Columns["region"][i])
		}
		out, err := metrics.ReadPredictions(p.File, []byte(b.String()))
		require.NoError(t, err)
		return out
	}
	for _, g := range []config.Gate{{Metric: "recall", Significance: f(0.05)},
		{Metric: "f1", SliceBy: "region", MaxDrop: f(0.5)}} {
		m := model(g)
		m.PositiveClass = "virginica"
		byName := Evaluator{Resamples: 200, Seed: 3}.Evaluate(m, noMetrics, noMetrics,
			&Predictions{Base: named(weak, iris...), Head: named(strong, iris...)})[0]
		byNumber := Evaluator{Resamples: 200, Seed: 3}.Evaluate(model(g), noMetrics, noMetrics,
			&Predictions{Base: oneVsRest(weak), Head: oneVsRest(strong)})[0]
		require.NotNil(t, byName.Head, byName.Message)
		assert.Equal(t, *byNumber.Head, *byName.Head, g.Metric)
		assert.Equal(t, byNumber.Message, byName.Message)
	}
	m := model(config.Gate{Metric: "recall", Significance: f(0.05)})
	m.PositiveClass = "rose"
	r = Evaluator{Resamples: 10}.Evaluate(m, noMetrics, noMetrics,
		&Predictions{Base: named(weak, iris...), Head: named(strong, iris...)})[0]
	assert.False(t, r.Passed)
	assert.Equal(t, `head.csv: positive_class "rose" is not one of its classes `+
		"(setosa, versicolor, virginica)", r.Message)

	yesNo := []string{"no", "yes", "maybe"}
	r = evaluateOne(t, config.Gate{Metric: "f1", SliceBy: "region", MaxDrop: f(0.1)}, noMetrics,
		&Predictions{Head: named(strong, yesNo...)})
	assert.False(t, r.Passed)
	assert.Contains(t, r.Message, "f1 needs labels 0 and 1, but the labels are classes named")
}

func bit(b bool) int {
	if b {
		return 1
	}
	return 0
}
