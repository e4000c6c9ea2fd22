package gate

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/mlci-dev/mlci/internal/config"
)

// hasRules reports whether g has a bound or a rule of change.
func hasRules(g config.Gate) bool {
	return g.Min != nil || g.Max != nil || hasChangeRules(g)
}

// hasChangeRules reports whether g has a rule against the baseline.
func hasChangeRules(g config.Gate) bool {
	return g.MaxDrop != nil || g.MaxRise != nil || g.MaxDropPct != nil ||
		g.MaxRisePct != nil || g.MinImprovement != nil
}

// RuleText returns a gate's bounds and rules of change in words.
func RuleText(g config.Gate) string {
	var parts []string
	add := func(v *float64, format string) {
		if v != nil {
			parts = append(parts, fmt.Sprintf(format, num(*v)))
		}
	}
	add(g.Min, "≥ %s")
	add(g.Max, "≤ %s")
	add(g.MaxDrop, "no drop over %s")
	add(g.MaxDropPct, "no drop over %s%%")
	add(g.MaxRise, "no rise over %s")
	add(g.MaxRisePct, "no rise over %s%%")
	add(g.MinImprovement, "improves by at least %s")
	if len(parts) == 0 {
		return "reported and finite"
	}
	return strings.Join(parts, " and ")
}

// num formats a figure as briefly as it was written.
func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// signed formats a change with its sign.
func signed(v float64) string {
	if v > 0 {
		return "+" + fmt4(v)
	}
	return fmt4(v)
}

// fmt4 formats a measured figure with four significant decimals.
func fmt4(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }

// check is the outcome of a gate's rules on one pair of values.
type check struct {
	failures []string
	notes    []string
	// checked counts the rules that were checked.
	checked int
}

func (c *check) failf(format string, args ...any) {
	c.failures = append(c.failures, fmt.Sprintf(format, args...))
}

func (c *check) notef(format string, args ...any) {
	c.notes = append(c.notes, fmt.Sprintf(format, args...))
}

// checkRules applies g's bounds to head and its rules of change to base →
// head. A nil base means the baseline has no value; why says why, for the
// note that the rules of change were not checked.
func checkRules(g config.Gate, base *float64, head float64, why string) check {
	var c check
	if g.Min != nil {
		c.checked++
		if head < *g.Min {
			c.failf("%s is below the minimum %s", fmt4(head), num(*g.Min))
		}
	}
	if g.Max != nil {
		c.checked++
		if head > *g.Max {
			c.failf("%s is above the maximum %s", fmt4(head), num(*g.Max))
		}
	}
	if !hasChangeRules(g) {
		return c
	}
	switch {
	case base == nil:
		c.notef("%s: rules of change not checked", why)
	case !finite(*base):
		c.failf("the baseline's value is %v, so the change cannot be computed", *base)
	default:
		checkChange(&c, g, *base, head)
	}
	return c
}

func checkChange(c *check, g config.Gate, base, head float64) {
	change := head - base
	if g.MaxDrop != nil {
		c.checked++
		if -change > *g.MaxDrop {
			c.failf("dropped %s (%s → %s), more than %s", fmt4(-change), fmt4(base), fmt4(head),
				num(*g.MaxDrop))
		}
	}
	if g.MaxRise != nil {
		c.checked++
		if change > *g.MaxRise {
			c.failf("rose %s (%s → %s), more than %s", fmt4(change), fmt4(base), fmt4(head),
				num(*g.MaxRise))
		}
	}
	checkRelative(c, g, base, head)
	if g.MinImprovement != nil {
		c.checked++
		gain := change
		if !HigherIsBetter(g) {
			gain = -change
		}
		if gain < *g.MinImprovement {
			c.failf("improved by %s, less than the required %s", fmt4(gain), num(*g.MinImprovement))
		}
	}
}

// checkRelative applies the percentage rules, with the relative change
// (head − base) / |base|. From a zero baseline it is undefined unless the
// head is zero too; the rules are then not checked, and the note says so.
func checkRelative(c *check, g config.Gate, base, head float64) {
	if g.MaxDropPct == nil && g.MaxRisePct == nil {
		return
	}
	if base == 0 && head != 0 {
		c.notef("the baseline is 0, so the relative change is undefined: " +
			"percentage rules not checked")
		return
	}
	pct := 0.0
	if base != 0 {
		pct = (head - base) / math.Abs(base) * 100
	}
	if g.MaxDropPct != nil {
		c.checked++
		if -pct > *g.MaxDropPct {
			c.failf("dropped %s%% (%s → %s), more than %s%%", fmt4(-pct), fmt4(base), fmt4(head),
				num(*g.MaxDropPct))
		}
	}
	if g.MaxRisePct != nil {
		c.checked++
		if pct > *g.MaxRisePct {
			c.failf("rose %s%% (%s → %s), more than %s%%", fmt4(pct), fmt4(base), fmt4(head),
				num(*g.MaxRisePct))
		}
	}
}

// rules evaluates a gate's bounds and rules of change on the metrics files.
func (in *input) rules(g config.Gate) Result {
	r := in.newResult(g, RuleText(g))
	head, ok := in.head[g.Metric]
	if !ok {
		r.fail("%s is not in the candidate's metrics (%s)", g.Metric, in.metricsFiles())
		return r
	}
	r.Head = ptr(head)
	if !finite(head) {
		r.fail("%s is %v in the candidate's metrics", g.Metric, head)
		return r
	}

	var base *float64
	why := "no baseline"
	if in.base != nil {
		why = "the baseline has no " + g.Metric
		if v, ok := in.base[g.Metric]; ok {
			base, r.Base = ptr(v), ptr(v)
		}
	}
	in.finish(&r, checkRules(g, base, head, why), describe(base, head))
	return r
}

// finish sets r's outcome from c; detail describes the values when it passed.
func (in *input) finish(r *Result, c check, detail string) {
	switch {
	case len(c.failures) > 0:
		r.fail("%s", strings.Join(append(c.failures, c.notes...), "; "))
	case c.checked == 0 && len(c.notes) > 0:
		r.skip("%s", strings.Join(c.notes, "; "))
	default:
		r.Message = strings.Join(append([]string{detail}, c.notes...), "; ")
	}
}

// describe says what a passing gate saw: "0.8358 (baseline 0.84, −0.0042)".
func describe(base *float64, head float64) string {
	if base == nil || !finite(*base) {
		return fmt4(head)
	}
	return fmt.Sprintf("%s (baseline %s, %s)", fmt4(head), fmt4(*base), signed(head-*base))
}

// metricsFiles names the files a model's metrics come from, for messages.
func (in *input) metricsFiles() string {
	if len(in.model.Metrics) == 0 {
		return "the pipeline's metrics files"
	}
	return strings.Join(in.model.Metrics, ", ")
}
