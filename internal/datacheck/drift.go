package datacheck

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/datacheck/twosample"
)

// The drift tests a column can use.
const (
	TestKS            = "ks"            // numbers: two-sample Kolmogorov–Smirnov p-value
	TestWasserstein   = "wasserstein"   // numbers: Wasserstein distance / baseline std
	TestPSI           = "psi"           // numbers: Population Stability Index
	TestChiSquare     = "chisquare"     // strings: chi-squared p-value
	TestJensenShannon = "jensenshannon" // strings: Jensen–Shannon distance
	TestLInf          = "linf"          // strings: largest change of a value's share
)

// SmallBaseline is the largest baseline column (in non-null values) that
// gets a p-value test (KS, chi-squared) by default; larger ones get a
// distance, which does not flag every small shift of a large sample.
const SmallBaseline = 1000

// DefaultDriftShare is the share of drifting columns at which a data set
// drifts when the configuration does not say.
const DefaultDriftShare = config.DefaultDriftShare

// tests holds, per test, the column kind it applies to, whether its value
// is a p-value (drift below the threshold) and its default threshold.
var tests = map[string]struct {
	numeric bool
	pValue  bool
	thresh  float64
}{
	TestKS:            {numeric: true, pValue: true, thresh: 0.05},
	TestWasserstein:   {numeric: true, thresh: 0.1},
	TestPSI:           {numeric: true, thresh: 0.1},
	TestChiSquare:     {pValue: true, thresh: 0.05},
	TestJensenShannon: {thresh: 0.1},
	TestLInf:          {thresh: 0.1},
}

// DriftResult is how far a data set moved from its baseline.
type DriftResult struct {
	// Drifted reports whether at least Threshold of the tested columns drifted.
	Drifted bool `json:"drifted"`
	// Share is the share of tested columns that drifted.
	Share     float64 `json:"share"`
	Threshold float64 `json:"threshold"`
	// Severity is "error" (a drift fails the check) or "warning".
	Severity string `json:"severity"`
	// Columns are the tested columns, most drifted first.
	Columns []ColumnDrift `json:"columns"`
	// Skipped are the columns not tested, and why.
	Skipped []SkippedColumn `json:"skipped,omitempty"`
}

// ColumnDrift is one column's drift test.
type ColumnDrift struct {
	Column string `json:"column"`
	Type   string `json:"type"`
	Test   string `json:"test"`
	// Statistic is the test's statistic (KS D, chi-squared, or the distance).
	Statistic float64 `json:"statistic"`
	// PValue is set for the KS and chi-squared tests.
	PValue *float64 `json:"p_value,omitempty"`
	// Threshold is the p-value below which, or the distance from which, the
	// column drifts.
	Threshold float64 `json:"threshold"`
	Drifted   bool    `json:"drifted"`
	// Severity is the data set's drift severity, set when the column drifted.
	Severity string `json:"severity,omitempty"`
	// Distance is the normalised Wasserstein distance (numbers) or the
	// Jensen–Shannon distance (strings), whatever the test: every column's
	// drift on one scale, to rank or chart them.
	Distance float64 `json:"distance"`
	// Approximate is set when a sketch held fewer points than the values.
	Approximate bool `json:"approximate,omitempty"`
}

// SkippedColumn is a column that was not tested for drift.
type SkippedColumn struct {
	Column string `json:"column"`
	Reason string `json:"reason"`
}

// Value returns the number compared with the threshold: the p-value, or the
// statistic of a distance.
func (c ColumnDrift) Value() float64 {
	if c.PValue != nil {
		return *c.PValue
	}
	return c.Statistic
}

// ValidateDrift checks a data set's drift configuration: known tests that
// fit no particular column yet, thresholds and shares in range.
func ValidateDrift(d config.Drift) error {
	if d.Share < 0 || d.Share > 1 {
		return fmt.Errorf("drift share %v: expected a share between 0 and 1", d.Share)
	}
	if !slices.Contains([]string{"", SeverityError, SeverityWarning}, d.Severity) {
		return fmt.Errorf("drift severity %q: expected error or warning", d.Severity)
	}
	for name, c := range d.Columns {
		if _, ok := tests[c.Test]; c.Test != "" && !ok {
			return fmt.Errorf("drift column %q: test %q: expected one of ks, wasserstein, "+
				"psi (numbers), chisquare, jensenshannon, linf (strings)", name, c.Test)
		}
		if c.Threshold != nil && (*c.Threshold < 0 || math.IsNaN(*c.Threshold)) {
			return fmt.Errorf("drift column %q: threshold %v is negative", name, *c.Threshold)
		}
	}
	return nil
}

// Compare tests every column that base and head share for drift, as cfg
// says, and decides whether the data set drifted.
func Compare(base, head *Profile, cfg config.Drift) *DriftResult {
	r := &DriftResult{Threshold: cmp.Or(cfg.Share, DefaultDriftShare),
		Severity: cmp.Or(cfg.Severity, SeverityWarning)}
	for _, b := range base.Columns {
		h := head.Column(b.Name)
		if reason := skipReason(b, h, base.ID, cfg.Columns[b.Name]); reason != "" {
			r.Skipped = append(r.Skipped, SkippedColumn{Column: b.Name, Reason: reason})
			continue
		}
		d, reason := compareColumn(b, h, cfg.Columns[b.Name])
		if reason != "" {
			r.Skipped = append(r.Skipped, SkippedColumn{Column: b.Name, Reason: reason})
			continue
		}
		if d.Drifted {
			d.Severity = r.Severity
		}
		r.Columns = append(r.Columns, d)
	}
	r.decide()
	return r
}

// decide computes the share and verdict and orders the columns.
func (r *DriftResult) decide() {
	drifted := 0
	for _, c := range r.Columns {
		if c.Drifted {
			drifted++
		}
	}
	if len(r.Columns) > 0 {
		r.Share = float64(drifted) / float64(len(r.Columns))
		r.Drifted = drifted > 0 && r.Share >= r.Threshold
	}
	slices.SortStableFunc(r.Columns, func(a, b ColumnDrift) int {
		return cmp.Or(
			boolRank(b.Drifted)-boolRank(a.Drifted),
			cmp.Compare(excess(b), excess(a)),
			cmp.Compare(a.Column, b.Column))
	})
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// excess says how far past (> 1) or short of (< 1) its threshold a column is.
func excess(c ColumnDrift) float64 {
	if c.PValue != nil {
		return c.Threshold / math.Max(*c.PValue, 1e-300)
	}
	return c.Statistic / math.Max(c.Threshold, 1e-300)
}

// skipReason says why a column is not tested, or "".
func skipReason(b, h *Column, id string, dc config.DriftColumn) string {
	switch {
	case dc.Ignore:
		return "ignored in the configuration"
	case b.Name == id:
		return "the row id"
	case h == nil:
		return "missing from the new data"
	case b.Count == 0 || h.Count == 0:
		return "no values to compare"
	case b.IsNumeric() != h.IsNumeric():
		return fmt.Sprintf("its type changed from %s to %s", b.Type, h.Type)
	case b.IsNumeric() && (b.Numeric.Sketch == nil || h.Numeric.Sketch == nil):
		return "no finite values to compare"
	}
	return ""
}

// compareColumn runs the column's test; it returns a reason instead when the
// configured test does not fit the column.
func compareColumn(b, h *Column, dc config.DriftColumn) (ColumnDrift, string) {
	test := dc.Test
	if test == "" {
		test = defaultTest(b)
	}
	spec, ok := tests[test]
	if !ok {
		return ColumnDrift{}, fmt.Sprintf("unknown test %q", test)
	}
	if spec.numeric != b.IsNumeric() {
		return ColumnDrift{}, fmt.Sprintf("test %s does not apply to a %s column", test, b.Type)
	}
	d := ColumnDrift{Column: b.Name, Type: b.Type, Test: test, Threshold: spec.thresh}
	if dc.Threshold != nil {
		d.Threshold = *dc.Threshold
	}
	if b.IsNumeric() {
		compareNumbers(&d, b, h)
	} else {
		compareCategories(&d, b.Categorical, h.Categorical)
	}
	d.Statistic, d.Distance = finite(d.Statistic), finite(d.Distance)
	if spec.pValue {
		d.Drifted = *d.PValue < d.Threshold
	} else {
		d.Drifted = d.Statistic >= d.Threshold
	}
	return d, ""
}

// defaultTest picks the test by the column's kind and the baseline's size.
func defaultTest(b *Column) string {
	small := b.Count <= SmallBaseline
	switch {
	case b.IsNumeric() && small:
		return TestKS
	case b.IsNumeric():
		return TestWasserstein
	case small:
		return TestChiSquare
	}
	return TestJensenShannon
}

func compareNumbers(d *ColumnDrift, b, h *Column) {
	bs, hs := sampleOf(b.Numeric.Sketch), sampleOf(h.Numeric.Sketch)
	d.Approximate = !b.Numeric.Sketch.Exact() || !h.Numeric.Sketch.Exact()
	d.Distance = normalisedWasserstein(bs, hs, b.Numeric.Std)
	switch d.Test {
	case TestKS:
		ks := twosample.KS(bs, hs)
		d.Statistic, d.PValue = ks.Statistic, &ks.PValue
	case TestWasserstein:
		d.Statistic = d.Distance
	case TestPSI:
		d.Statistic = twosample.PSI(bs, hs)
	}
}

// normalisedWasserstein divides the distance by the baseline's standard
// deviation; a constant baseline gives 0 if head is the same constant and
// infinity otherwise.
func normalisedWasserstein(b, h twosample.Sample, std float64) float64 {
	w := twosample.Wasserstein(b, h)
	if std > 0 {
		return w / std
	}
	if w == 0 {
		return 0
	}
	return math.Inf(1)
}

func compareCategories(d *ColumnDrift, b, h *Categorical) {
	p, q := alignCounts(b, h)
	d.Approximate = !b.Complete || !h.Complete
	d.Distance = twosample.JensenShannon(p, q)
	switch d.Test {
	case TestChiSquare:
		stat, pv := chiSquare(p, q)
		d.Statistic, d.PValue = stat, &pv
	case TestJensenShannon:
		d.Statistic = d.Distance
	case TestLInf:
		d.Statistic = twosample.LInf(p, q)
	}
}

// chiSquare tests head's counts q against base's shares p scaled to q's
// total; one category alone cannot differ.
func chiSquare(p, q []float64) (float64, float64) {
	if len(p) < 2 {
		return 0, 1
	}
	var sp, sq float64
	for i := range p {
		sp, sq = sp+p[i], sq+q[i]
	}
	exp := make([]float64, len(p))
	for i := range p {
		exp[i] = p[i] * (sq / sp)
	}
	return twosample.ChiSquare(q, exp)
}

// alignCounts returns the counts of base and head over the union of their
// values, in base's order then head's new values, with an "other" bucket
// when either counted only some values.
func alignCounts(b, h *Categorical) (p, q []float64) {
	index := map[string]int{}
	for _, c := range b.Top {
		index[c.Value] = len(p)
		p, q = append(p, float64(c.Count)), append(q, 0)
	}
	for _, c := range h.Top {
		i, ok := index[c.Value]
		if !ok {
			i = len(p)
			index[c.Value] = i
			p, q = append(p, 0), append(q, 0)
		}
		q[i] += float64(c.Count)
	}
	if b.Other > 0 || h.Other > 0 {
		p, q = append(p, float64(b.Other)), append(q, float64(h.Other))
	}
	return p, q
}

// finite keeps JSON encodable numbers: infinity becomes the largest float.
func finite(x float64) float64 {
	switch {
	case math.IsInf(x, 1):
		return math.MaxFloat64
	case math.IsNaN(x):
		return 0
	}
	return x
}
