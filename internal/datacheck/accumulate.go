package datacheck

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mlci-dev/mlci/internal/datacheck/sketch"
)

// histogramBins is the number of bins of a numeric column's histogram.
const histogramBins = 20

// kind is what an accumulator has decided its column holds.
type kind uint8

const (
	kindUnknown kind = iota // only nulls so far
	kindNumber
	kindString
)

// accumulator gathers one column's profile from its values in order.
type accumulator struct {
	name    string
	kind    kind
	integer bool // every number so far was written as an integer
	nulls   int64

	// numbers
	count       int64
	infinite    int64
	mean, m2    float64 // Welford's running mean and sum of squared deviations
	lo, hi      float64
	sketch      *sketch.KLL
	firstNumber int64 // line of the first number, for messages

	// strings
	counts   map[string]int64
	other    int64
	overflow bool
}

func newAccumulator(name string) *accumulator {
	return &accumulator{name: name, integer: true}
}

// addText adds a value read as text at line; it returns an *InputError for a
// value that does not fit the column.
func (a *accumulator) addText(s string, line int64) *InputError {
	if isNull(s) {
		a.nulls++
		return nil
	}
	switch a.kind {
	case kindNumber:
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return a.notNumber(s, line)
		}
		a.addNumber(x, isIntegerText(s))
	case kindString:
		return a.addString(s, line)
	default:
		t := strings.TrimSpace(s)
		if x, err := strconv.ParseFloat(t, 64); err == nil {
			a.kind, a.firstNumber = kindNumber, line
			a.addNumber(x, isIntegerText(t))
			return nil
		}
		a.kind = kindString
		return a.addString(s, line)
	}
	return nil
}

// notNumber explains a value that is not a number in a number column; it
// forgives surrounding spaces.
//
// TODO: a column that turns from numbers to text is refused with the line
// of the first text. Profiling it as text instead would need the counts of
// the numbers seen before, which a number column does not keep.
func (a *accumulator) notNumber(s string, line int64) *InputError {
	if t := strings.TrimSpace(s); t != s {
		if x, err := strconv.ParseFloat(t, 64); err == nil {
			a.addNumber(x, isIntegerText(t))
			return nil
		}
	}
	if !utf8.ValidString(s) {
		return notUTF8(a.name, s, line)
	}
	return &InputError{Line: line, Column: a.name, Msg: fmt.Sprintf(
		"%q is not a number, but the column holds numbers from line %d on "+
			"(a column must keep one type; write text in every row or fix this value)",
		clip(s), a.firstNumber)}
}

func notUTF8(column, s string, line int64) *InputError {
	return &InputError{Line: line, Column: column,
		Msg: fmt.Sprintf("%q is not valid UTF-8 (data files must be UTF-8)", clip(s))}
}

// addNumber adds a parsed number.
func (a *accumulator) addNumber(x float64, integer bool) {
	if a.kind == kindUnknown {
		a.kind = kindNumber
	}
	if math.IsNaN(x) {
		a.nulls++
		return
	}
	a.count++
	a.integer = a.integer && integer
	if math.IsInf(x, 0) {
		a.infinite++
		return
	}
	if a.sketch == nil {
		a.sketch = sketch.New(sketch.DefaultK)
		a.lo, a.hi = x, x
	}
	a.lo, a.hi = math.Min(a.lo, x), math.Max(a.hi, x)
	n := float64(a.count - a.infinite)
	d := x - a.mean
	a.mean += d / n
	a.m2 += d * (x - a.mean)
	a.sketch.Add(x)
}

// addString counts a string value.
func (a *accumulator) addString(s string, line int64) *InputError {
	if a.counts == nil {
		a.counts = make(map[string]int64)
	}
	a.count++
	if _, ok := a.counts[s]; ok {
		a.counts[s]++
		return nil
	}
	if !utf8.ValidString(s) {
		return notUTF8(a.name, s, line)
	}
	// TODO: past MaxCategories the first values seen are kept, not the most
	// frequent; a heavy-hitters sketch (Space-Saving) would keep those.
	if len(a.counts) >= MaxCategories {
		a.other++
		a.overflow = true
		return nil
	}
	a.counts[strings.Clone(s)] = 1
	return nil
}

// column returns the finished profile of the column.
func (a *accumulator) column() *Column {
	c := &Column{Name: a.name, Count: a.count, Nulls: a.nulls, Type: TypeNull}
	switch a.kind {
	case kindNumber:
		c.Type = TypeNumber
		if a.integer {
			c.Type = TypeInteger
		}
		c.Numeric = a.numeric()
	case kindString:
		c.Type = TypeString
		c.Categorical = a.categorical()
	}
	return c
}

func (a *accumulator) numeric() *Numeric {
	num := &Numeric{Infinite: a.infinite}
	if a.sketch == nil {
		return num
	}
	n := float64(a.count - a.infinite)
	num.Min, num.Max, num.Mean = a.lo, a.hi, finiteOr0(a.mean)
	num.Std = finiteOr0(math.Sqrt(math.Max(a.m2/n, 0)))
	num.Sketch = a.sketch
	s := sampleOf(a.sketch)
	for _, q := range QuantileLevels {
		num.Quantiles = append(num.Quantiles, finiteOr0(s.Quantile(q)))
	}
	num.Histogram = histogram(s, a.lo, a.hi)
	return num
}

func (a *accumulator) categorical() *Categorical {
	cat := &Categorical{Distinct: len(a.counts), Other: a.other, Complete: !a.overflow}
	for v, n := range a.counts {
		cat.Top = append(cat.Top, Count{Value: v, Count: n})
	}
	slices.SortFunc(cat.Top, func(x, y Count) int {
		return cmp.Or(cmp.Compare(y.Count, x.Count), strings.Compare(x.Value, y.Value))
	})
	return cat
}

// isNull reports whether s is empty or one of the usual null markers.
func isNull(s string) bool {
	switch s {
	case "", "NA", "N/A", "n/a", "NaN", "nan", "-NaN", "-nan", "null", "NULL", "Null",
		"None", "none", "#N/A", "<NA>", "nil":
		return true
	}
	return false
}

// isIntegerText reports whether a parsed number was written as an integer.
func isIntegerText(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && !(i == 0 && (c == '-' || c == '+')) {
			return false
		}
	}
	return true
}

// clip shortens long values for messages.
func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	return s[:37] + "..."
}
