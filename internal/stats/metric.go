// Package stats holds the arithmetic behind model gates: metrics computed from
// per-example predictions (accuracy, precision, recall, F1 and their averages
// over many classes, ROC AUC, log loss, RMSE, MAE), the paired bootstrap of a
// metric's difference between two models, and McNemar's exact test.
//
// It works on slices of numbers only: it reads no files, knows nothing of
// configuration and decides no gate.
package stats

import (
	"math"
	"slices"
	"strings"
)

// Metric names a metric that can be computed from per-example predictions.
type Metric string

// The metrics computed from predictions. Classification metrics take labels
// 0 and 1 with 1 the positive class, except Accuracy and the averaged class
// metrics (see BalancedAccuracy), which take any classes.
//
// TODO: ROC AUC and log loss of more than two classes need a score column
// per class (one-vs-rest); predictions files hold one score, so they are
// binary only.
const (
	Accuracy  Metric = "accuracy"
	Precision Metric = "precision"
	Recall    Metric = "recall"
	F1        Metric = "f1"
	ROCAUC    Metric = "roc_auc"
	LogLoss   Metric = "log_loss"
	RMSE      Metric = "rmse"
	MAE       Metric = "mae"
)

// Metrics are all the metrics computed from predictions, in a stable order.
var Metrics = []Metric{Accuracy, BalancedAccuracy, Precision, Recall, F1,
	PrecisionMacro, RecallMacro, F1Macro, PrecisionWeighted, RecallWeighted, F1Weighted,
	ROCAUC, LogLoss, RMSE, MAE}

// aliases are other common spellings of the metrics' names.
var aliases = map[string]Metric{
	"acc":           Accuracy,
	"f1_score":      F1,
	"auc":           ROCAUC,
	"roc_auc_score": ROCAUC,
	"rocauc":        ROCAUC,
	"logloss":       LogLoss,
	"cross_entropy": LogLoss,
}

// ParseMetric returns the metric a metrics key names: the key itself, or its
// last segment ("test.accuracy", "eval/metrics.json:auc"), in any case, or a
// common alias.
func ParseMetric(key string) (Metric, bool) {
	name := strings.ToLower(key)
	if i := strings.LastIndexAny(name, "./:"); i >= 0 {
		name = name[i+1:]
	}
	if m := Metric(name); slices.Contains(Metrics, m) {
		return m, true
	}
	m, ok := aliases[name]
	return m, ok
}

// Input is the column of predictions a metric reads besides the label.
type Input int

// The inputs of metrics.
const (
	// Class is a predicted class.
	Class Input = iota
	// Score is the predicted probability of the positive class.
	Score
	// Value is a regression model's predicted value.
	Value
)

// Input returns the column m reads besides the label.
func (m Metric) Input() Input {
	switch m {
	case ROCAUC, LogLoss:
		return Score
	case RMSE, MAE:
		return Value
	default:
		return Class
	}
}

// Binary reports whether m needs labels 0 and 1.
func (m Metric) Binary() bool {
	return m != Accuracy && !m.averaged() && m.Input() != Value
}

// HigherIsBetter reports whether a higher value of m is better.
func (m Metric) HigherIsBetter() bool {
	return m != LogLoss && m != RMSE && m != MAE
}

// Compute returns m over all examples: label against x, the column Input names.
// It returns NaN when m is undefined (no examples; ROC AUC with one class).
func (m Metric) Compute(label, x []float64) float64 {
	if len(label) == 0 {
		return math.NaN()
	}
	if m.averaged() {
		return m.averagedOf(label, x)
	}
	switch m {
	case ROCAUC:
		return rocAUC(label, x)
	case LogLoss:
		return meanOf(label, x, logLoss)
	case MAE:
		return meanOf(label, x, absError)
	case RMSE:
		return math.Sqrt(meanOf(label, x, squaredError))
	default:
		return m.fromCounts(countClasses(label, x))
	}
}

// counts are the cells of a binary confusion matrix plus the agreements.
type counts struct {
	tp, fp, fn, correct, n float64
}

func countClasses(label, pred []float64) counts {
	var c counts
	for i, y := range label {
		p := pred[i]
		c.n++
		if p == y {
			c.correct++
		}
		switch {
		case y == 1 && p == 1:
			c.tp++
		case y != 1 && p == 1:
			c.fp++
		case y == 1 && p != 1:
			c.fn++
		}
	}
	return c
}

// fromCounts returns a class metric from its confusion counts. A precision,
// recall or F1 whose denominator is zero is 0, as scikit-learn returns.
func (m Metric) fromCounts(c counts) float64 {
	switch m {
	case Accuracy:
		return ratio(c.correct, c.n)
	case Precision:
		return ratio(c.tp, c.tp+c.fp)
	case Recall:
		return ratio(c.tp, c.tp+c.fn)
	case F1:
		return ratio(2*c.tp, 2*c.tp+c.fp+c.fn)
	}
	return math.NaN()
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// logEps bounds scores away from 0 and 1 in the log loss, as scikit-learn
// does with the float64 machine epsilon.
const logEps = 0x1p-52

func logLoss(y, p float64) float64 {
	p = min(max(p, logEps), 1-logEps)
	if y == 1 {
		return -math.Log(p)
	}
	return -math.Log(1 - p)
}

func absError(y, p float64) float64 { return math.Abs(y - p) }

func squaredError(y, p float64) float64 { return (y - p) * (y - p) }

func meanOf(label, x []float64, loss func(y, p float64) float64) float64 {
	var sum float64
	for i, y := range label {
		sum += loss(y, x[i])
	}
	return sum / float64(len(label))
}

// rocAUC is the probability that a random positive scores above a random
// negative, ties counting one half (the Mann–Whitney statistic).
func rocAUC(label, score []float64) float64 {
	enc := encodeOrder(label, score)
	weights := make([]uint8, len(label))
	for i := range weights {
		weights[i] = 1
	}
	sum, pos, neg := walkAUC(enc, weights)
	return aucOf(sum, pos, neg)
}

func aucOf(twiceSum, pos, neg uint64) float64 {
	if pos == 0 || neg == 0 {
		return math.NaN()
	}
	return float64(twiceSum) / (2 * float64(pos) * float64(neg))
}

// encodeOrder sorts the examples by score, negatives first among equal
// scores, and packs each one's index, label and whether it ends a run of
// equal scores into one word: index<<2 | positive<<1 | end.
func encodeOrder(label, score []float64) []uint32 {
	idx := make([]uint32, len(label))
	for i := range idx {
		idx[i] = uint32(i)
	}
	slices.SortFunc(idx, func(a, b uint32) int {
		if c := cmpFloat(score[a], score[b]); c != 0 {
			return c
		}
		return cmpFloat(label[a], label[b])
	})

	enc := make([]uint32, len(idx))
	for k, i := range idx {
		e := i << 2
		if label[i] == 1 {
			e |= 2
		}
		if k == len(idx)-1 || score[idx[k+1]] != score[i] {
			e |= 1
		}
		enc[k] = e
	}
	return enc
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// walkAUC returns twice the weighted count of (positive, negative) pairs in
// which the positive scores higher, ties counting one, and the total weights
// of positives and negatives.
//
// Negatives come first among equal scores, so a positive pairs with the
// negatives of earlier runs (below) once and with its own run's negatives
// (cum − below) half: twice that is below + cum. The loop has no branches
// on the data, since labels in score order are unpredictable, and its
// chains of additions are short.
func walkAUC(enc []uint32, weights []uint8) (sum, pos, neg uint64) {
	var below, cum uint64
	for _, e := range enc {
		w := uint64(weights[e>>2])
		isPos := -uint64(e >> 1 & 1)
		ends := -uint64(e & 1)

		cum += w &^ isPos
		sum += (w & isPos) * (below + cum)
		pos += w & isPos
		below = cum&ends | below&^ends
	}
	return sum, pos, cum
}

// walkAUCPair is walkAUC over two orders of the same examples at once, which
// keeps two independent chains in flight.
func walkAUCPair(a, b []uint32, weights []uint8) (sumA, sumB, pos, neg uint64) {
	var belowA, cumA, belowB, cumB uint64
	for k, ea := range a {
		eb := b[k]
		wa, wb := uint64(weights[ea>>2]), uint64(weights[eb>>2])
		posA, posB := -uint64(ea>>1&1), -uint64(eb>>1&1)
		endsA, endsB := -uint64(ea&1), -uint64(eb&1)

		cumA += wa &^ posA
		cumB += wb &^ posB
		sumA += (wa & posA) * (belowA + cumA)
		sumB += (wb & posB) * (belowB + cumB)
		pos += wa & posA
		belowA = cumA&endsA | belowA&^endsA
		belowB = cumB&endsB | belowB&^endsB
	}
	return sumA, sumB, pos, cumA
}
