package gate

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/metrics"
	"github.com/mlci-dev/mlci/internal/stats"
)

// The methods of a significance test.
const (
	Bootstrap = "paired bootstrap"
	McNemar   = "McNemar exact"
)

// SignificanceRule returns a significance gate in words: "better than the
// baseline at 95%", or with a margin "not worse than the baseline by over
// 0.01 at 95%".
func SignificanceRule(g config.Gate) string {
	conf := confidenceText(1 - *g.Significance)
	if g.Margin == nil || *g.Margin == 0 {
		return "better than the baseline at " + conf
	}
	return fmt.Sprintf("not worse than the baseline by over %s at %s", num(*g.Margin), conf)
}

func confidenceText(c float64) string { return num(c*100) + "%" }

// significance tests whether the candidate is better than the baseline (or
// not worse by more than the margin) with confidence 1 − significance. The
// paired bootstrap gives the interval of head − base; the gate passes when
// the whole interval lies on the good side of the margin. Accuracy without
// a margin is decided by McNemar's exact test instead (p below the level and
// the candidate right more often), with the bootstrap interval shown beside.
func (in *input) significance(g config.Gate) Result {
	r := in.newResult(g, SignificanceRule(g))
	m, err := predictionMetric(g)
	if err != nil {
		r.fail("%v", err)
		return r
	}
	paired, ok := in.paired(&r, m)
	if !ok {
		return r
	}

	r.Base = ptr(m.Compute(paired.Label, paired.Base))
	r.Head = ptr(m.Compute(paired.Label, paired.Head))
	if !finite(*r.Base) || !finite(*r.Head) {
		r.fail("%s is undefined on these predictions (one class only?)", m)
		return r
	}
	sig, err := in.test(g, m, paired)
	if err != nil {
		r.fail("%v", err)
		return r
	}
	r.Significance = sig
	in.decide(&r, g, m, paired)
	return r
}

// paired returns the test set with both models' inputs to m, or marks r
// failed or skipped when there is no such pair.
func (in *input) paired(r *Result, m stats.Metric) (stats.Paired, bool) {
	switch {
	case in.predHead == nil && in.model.Predictions == "":
		r.fail("needs predictions: model %s names no predictions file", in.model.Name)
	case in.predHead == nil:
		r.fail("needs predictions: the candidate has no %s", in.model.Predictions)
	case in.predErr != nil:
		r.fail("%v", in.predErr)
	case in.base == nil && in.predBase == nil:
		r.skip("no baseline: significance not tested")
	case in.predBase == nil:
		r.skip("the baseline has no %s: significance not tested", in.model.Predictions)
	}
	if !r.Passed || r.Skipped {
		return stats.Paired{}, false
	}

	var p stats.Paired
	var err error
	if p.Label, p.Head, p.Base, err = in.columns(m, true); err != nil {
		r.fail("%v", err)
		return stats.Paired{}, false
	}
	return p, true
}

// columns returns the labels and the candidate's input to m (and, with
// withBase, the baseline's, in the candidate's order), checked for the
// classes m takes.
func (in *input) columns(m stats.Metric, withBase bool) (label, head, base []float64,
	err error) {
	headPreds, basePreds, err := in.sides(m)
	if err != nil {
		return nil, nil, nil, err
	}
	head, err = headPreds.Input(m.Input(), in.model.Threshold)
	if err == nil && withBase {
		base, err = basePreds.Input(m.Input(), in.model.Threshold)
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%s needs %w", m, err)
	}
	if err := in.checkClasses(m, headPreds.Classes, headPreds.Label, head, base); err != nil {
		return nil, nil, nil, err
	}
	return headPreds.Label, head, base, nil
}

// sides returns the candidate's and the baseline's predictions as m reads
// them: for a binary metric on classes named by text, with the model's
// positive class as 1 and every other class as 0. base is nil without a
// baseline.
func (in *input) sides(m stats.Metric) (head, base *metrics.Predictions, err error) {
	head, base = in.predHead, in.predBase
	if head.Classes == nil || !m.Binary() || in.model.PositiveClass == "" {
		return head, base, nil
	}
	if head, err = head.Binary(in.model.PositiveClass); err != nil {
		return nil, nil, err
	}
	if base != nil {
		base, err = base.Binary(in.model.PositiveClass)
	}
	return head, base, err
}

// test runs the bootstrap of the difference, and McNemar's test where it
// decides.
func (in *input) test(g config.Gate, m stats.Metric, p stats.Paired) (*Significance, error) {
	alpha := *g.Significance
	b := stats.Bootstrap{Resamples: in.eval.Resamples, Seed: in.eval.Seed}
	dist, err := b.Diff(m, p)
	if err != nil {
		return nil, in.classError(err)
	}
	if len(dist.Diffs) == 0 {
		return nil, fmt.Errorf("%s is undefined in every bootstrap resample", m)
	}

	margin := 0.0
	if g.Margin != nil {
		margin = *g.Margin
	}
	s := &Significance{Method: Bootstrap, Confidence: 1 - alpha, Resamples: len(dist.Diffs),
		Margin: margin, CILow: dist.Quantile(alpha / 2), CIHigh: dist.Quantile(1 - alpha/2)}
	if HigherIsBetter(g) {
		s.PValue = ptr(min(1, 2*dist.ShareAtMost(-margin)))
	} else {
		s.PValue = ptr(min(1, 2*dist.ShareAtLeast(margin)))
	}
	if m == stats.Accuracy && margin == 0 {
		s.Method = McNemar
		s.PValue = ptr(stats.McNemar(p.Label, p.Base, p.Head).PValue)
	}
	return s, nil
}

// decide passes or fails r from its test.
func (in *input) decide(r *Result, g config.Gate, m stats.Metric, p stats.Paired) {
	s := r.Significance
	change := *r.Head - *r.Base
	ci := fmt.Sprintf("%s CI %s … %s", confidenceText(s.Confidence), signed(s.CILow),
		signed(s.CIHigh))
	higher := HigherIsBetter(g)

	var good bool
	switch {
	case s.Method == McNemar:
		mc := stats.McNemar(p.Label, p.Base, p.Head)
		good = *s.PValue < 1-s.Confidence && mc.HeadOnly > mc.BaseOnly
		ci = fmt.Sprintf("McNemar p = %s, %d vs %d disagreements won; %s", fmt4(*s.PValue),
			mc.HeadOnly, mc.BaseOnly, ci)
	case higher:
		good = s.CILow > -s.Margin
	default:
		good = s.CIHigh < s.Margin
	}

	detail := fmt.Sprintf(
		"%s %s → %s (%s, %s)",
		m,
		fmt4(*r.Base),
		fmt4(*r.Head),
		signed(change),
		ci,
	)
	if good {
		r.Message = detail
		return
	}
	if s.Margin == 0 {
		r.fail("not significantly better: %s", detail)
		return
	}
	r.fail("may be worse by over %s: %s", num(s.Margin), detail)
}

// classError names the candidate's predictions file, line and example id in
// an error about m's input; a *stats.ClassError counts examples in the
// candidate's order.
func (in *input) classError(err error) error {
	var ce *stats.ClassError
	if !errors.As(err, &ce) || ce.Example >= len(in.predHead.IDs) {
		return fmt.Errorf("%s: %w", in.predHead.File, err)
	}
	return fmt.Errorf("%s:%d: %s, id %s: %s", in.predHead.File, in.predHead.Lines[ce.Example],
		ce.Metric, in.predHead.IDs[ce.Example], ce.Problem())
}

// checkClasses returns an error, naming the candidate's predictions file,
// when m needs labels 0 and 1 but gets other classes, or classes named by
// text (classes).
func (in *input) checkClasses(m stats.Metric, classes []string, label []float64,
	predicted ...[]float64) error {
	if classes == nil || !m.Binary() {
		if err := stats.CheckClasses(m, label, predicted...); err != nil {
			return in.classError(err)
		}
		return nil
	}
	named := strings.Join(classes[:min(len(classes), 5)], ", ")
	if len(classes) > 5 {
		named += ", …"
	}
	instead := "name the positive one with positive_class: on the model"
	if m.Input() == stats.Class {
		instead = fmt.Sprintf("use %s_macro or %s_weighted, or name the positive one with "+
			"positive_class: on the model", m, m)
	}
	return fmt.Errorf("%s: %s needs labels 0 and 1, but the labels are classes named by text "+
		"(%s); %s", in.predHead.File, m, named, instead)
}
