package datacheck

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// maxDomain is the most distinct values a string column may have for
// InferSchema to fix its domain.
const maxDomain = 100

// defaultUnseenShare is the share of values outside the domain that an
// inferred schema allows.
const defaultUnseenShare = 0.01

// InferSchema derives a schema from a baseline profile. Every column is
// required, with its type. The allowed share of nulls is zero for a column
// without nulls, else half as much again as the baseline's plus one point.
// A number column's range is the baseline's widened by its span on both
// sides, and does not go below zero if the baseline did not. A string column
// with at most 100 distinct values, each seen twice on average, gets them
// as its domain, with 1% of unseen values allowed. The id column gets
// neither range nor domain. The result is meant to be reviewed and edited.
func InferSchema(p *Profile) *Schema {
	s := &Schema{Version: SchemaVersion}
	if p.Rows > 0 {
		s.MinRows = 1
	}
	for _, c := range p.Columns {
		s.Columns = append(s.Columns, inferColumn(c, p.Rows, c.Name == p.ID))
	}
	return s
}

func inferColumn(c *Column, rows int64, isID bool) ColumnSchema {
	cs := ColumnSchema{Name: c.Name, Type: c.Type, Required: true}
	if c.Type == TypeNull {
		cs.Type = TypeAny
	}
	if c.Nulls > 0 && rows > 0 {
		share := float64(c.Nulls) / float64(rows)
		cs.MaxNullShare = math.Min(1, roundUp(share*1.5+0.01, 2))
	}
	switch {
	case isID:
	case c.Numeric != nil && c.Numeric.Sketch != nil:
		lo, hi := widenedRange(c.Numeric.Min, c.Numeric.Max, c.Type == TypeInteger)
		cs.Min, cs.Max = &lo, &hi
	case c.Categorical != nil && c.Categorical.Complete &&
		c.Categorical.Distinct <= maxDomain && int64(2*c.Categorical.Distinct) <= c.Count:
		for _, t := range c.Categorical.Top {
			cs.Domain = append(cs.Domain, t.Value)
		}
		slices.Sort(cs.Domain)
		cs.MaxUnseenShare = defaultUnseenShare
	}
	return cs
}

// widenedRange widens [lo, hi] by its span on each side, rounded outwards
// to three significant digits of the span.
func widenedRange(lo, hi float64, integer bool) (float64, float64) {
	span := hi - lo
	if span == 0 {
		span = math.Max(math.Abs(lo), 1)
	}
	newLo, newHi := lo-span, hi+span
	if lo >= 0 {
		newLo = math.Max(0, newLo)
	}
	digits := 2 - int(math.Floor(math.Log10(span)))
	if integer {
		digits = min(digits, 0)
	}
	return roundTo(newLo, digits, math.Floor), roundTo(newHi, digits, math.Ceil)
}

// roundTo rounds x to the given decimals (negative: tens, hundreds …) with f.
func roundTo(x float64, decimals int, f func(float64) float64) float64 {
	if decimals >= 0 {
		p := math.Pow(10, float64(decimals))
		return f(x*p) / p
	}
	p := math.Pow(10, float64(-decimals))
	return f(x/p) * p
}

// Check returns every way p does not fit the schema, errors first.
func (s *Schema) Check(p *Profile) []SchemaIssue {
	var issues []SchemaIssue
	if p.Rows < s.MinRows {
		issues = append(issues, SchemaIssue{Rule: "rows", Severity: SeverityError,
			Message: fmt.Sprintf("the data has %d rows, at least %d expected", p.Rows, s.MinRows)})
	}
	for i := range s.Columns {
		issues = append(issues, s.Columns[i].check(p)...)
	}
	issues = append(issues, s.extraColumns(p)...)
	slices.SortStableFunc(issues, func(a, b SchemaIssue) int {
		return severityRank(a.Severity) - severityRank(b.Severity)
	})
	return issues
}

func severityRank(s string) int {
	if s == SeverityError {
		return 0
	}
	return 1
}

// extraColumns reports the columns of p that the schema does not list.
func (s *Schema) extraColumns(p *Profile) []SchemaIssue {
	severity := s.ExtraColumns
	if severity == "" {
		severity = SeverityError
	}
	if severity == ExtraIgnore {
		return nil
	}
	var issues []SchemaIssue
	for _, c := range p.Columns {
		if s.Column(c.Name) == nil {
			issues = append(issues, SchemaIssue{Column: c.Name, Rule: "extra_column",
				Severity: severity, Message: "a new column the schema does not list " +
					"(add it to the schema, or set extra_columns)"})
		}
	}
	return issues
}

// check returns the issues of one column.
func (cs *ColumnSchema) check(p *Profile) []SchemaIssue {
	c := p.Column(cs.Name)
	if c == nil {
		if !cs.Required {
			return nil
		}
		return []SchemaIssue{
			cs.issue("missing_column", "the column is missing; the schema requires it"),
		}
	}
	if !typeFits(cs.Type, c.Type) {
		return []SchemaIssue{cs.issue("type",
			fmt.Sprintf("the column holds %s values, the schema expects %s", c.Type, cs.Type))}
	}
	var issues []SchemaIssue
	if p.Rows > 0 {
		share := float64(c.Nulls) / float64(p.Rows)
		if share > cs.MaxNullShare+1e-12 {
			issues = append(issues, cs.issue("nulls", fmt.Sprintf(
				"%s of the values are null, at most %s allowed",
				percent(share),
				percent(cs.MaxNullShare),
			)))
		}
	}
	if c.Numeric != nil && c.Numeric.Sketch != nil {
		issues = append(issues, cs.checkRange(c)...)
	}
	if c.Categorical != nil && len(cs.Domain) > 0 {
		issues = append(issues, cs.checkDomain(c)...)
	}
	return issues
}

func (cs *ColumnSchema) issue(rule, msg string) SchemaIssue {
	return SchemaIssue{Column: cs.Name, Rule: rule, Message: msg, Severity: SeverityError}
}

// typeFits reports whether a column of type got fits the schema type want.
func typeFits(want, got string) bool {
	switch {
	case want == TypeAny || got == TypeNull || want == got:
		return true
	case want == TypeNumber:
		return got == TypeInteger
	}
	return false
}

// checkRange reports values below Min or above Max, with how many there are
// (estimated from the sketch when it is not exact).
func (cs *ColumnSchema) checkRange(c *Column) []SchemaIssue {
	s := sampleOf(c.Numeric.Sketch)
	total := s.Total()
	about := ""
	if !c.Numeric.Sketch.Exact() {
		about = "about "
	}
	var issues []SchemaIssue
	if cs.Min != nil && c.Numeric.Min < *cs.Min {
		n := s.AtMost(math.Nextafter(*cs.Min, math.Inf(-1)))
		issues = append(issues, cs.issue("min", fmt.Sprintf(
			"the smallest value %s is below the minimum %s (%s%s of the values)",
			num(c.Numeric.Min), num(*cs.Min), about, percent(n/total))))
	}
	if cs.Max != nil && c.Numeric.Max > *cs.Max {
		n := total - s.AtMost(*cs.Max)
		issues = append(issues, cs.issue("max", fmt.Sprintf(
			"the largest value %s is above the maximum %s (%s%s of the values)",
			num(c.Numeric.Max), num(*cs.Max), about, percent(n/total))))
	}
	return issues
}

// checkDomain reports values outside the domain: an error above the allowed
// share, a warning within it. Values a profile did not count one by one
// (past MaxCategories) count as unseen.
func (cs *ColumnSchema) checkDomain(c *Column) []SchemaIssue {
	var unseen int64
	var examples []string
	for _, t := range c.Categorical.Top {
		if !slices.Contains(cs.Domain, t.Value) {
			unseen += t.Count
			examples = append(examples, fmt.Sprintf("%q", clip(t.Value)))
		}
	}
	unseen += c.Categorical.Other
	if unseen == 0 || c.Count == 0 {
		return nil
	}
	share := float64(unseen) / float64(c.Count)
	msg := fmt.Sprintf("%d values (%s) are outside the domain, at most %s allowed",
		unseen, percent(share), percent(cs.MaxUnseenShare))
	if len(examples) > 0 {
		msg += ": " + strings.Join(examples[:min(5, len(examples))], ", ")
		if len(examples) > 5 {
			msg += fmt.Sprintf(" and %d more", len(examples)-5)
		}
	}
	issue := cs.issue("domain", msg)
	if share <= cs.MaxUnseenShare+1e-12 {
		issue.Severity = SeverityWarning
	}
	return []SchemaIssue{issue}
}

// percent formats a share as a percentage.
func percent(x float64) string {
	switch {
	case x == 0:
		return "0%"
	case x < 0.0001:
		return "<0.01%"
	}
	return fmt.Sprintf("%.2f%%", 100*x)
}

// num formats a number briefly.
func num(x float64) string { return fmt.Sprintf("%.6g", x) }
