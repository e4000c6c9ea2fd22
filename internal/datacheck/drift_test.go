package datacheck

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/config"
)

// synthetic writes rows of a numeric column x (i-th value f(i)) and a string
// column s (g(i)) as CSV and profiles it.
func synthetic(t *testing.T, rows int, f func(int) float64, g func(int) string) *Profile {
	t.Helper()
	var b strings.Builder
	b.WriteString("id,x,s\n")
	for i := range rows {
		fmt.Fprintf(&b, "%d,%v,%s\n", i, f(i), g(i))
	}
	p, err := ProfileReader(strings.NewReader(b.String()), ProfileOptions{ID: "id"})
	require.NoError(t, err)
	return p
}

func cycle(values ...string) func(int) string {
	return func(i int) string { return values[i%len(values)] }
}

func TestCompareDefaultTests(t *testing.T) {
	t.Parallel()
	wave := func(shift float64) func(int) float64 {
		return func(i int) float64 { return math.Sin(float64(i)) + shift }
	}
	for _, c := range []struct {
		name          string
		rows          int
		shift         float64
		values        []string
		wantTests     []string
		wantDrifted   []bool
		wantSetDrifts bool
	}{
		{"small, steady", 500, 0, []string{"a", "b"}, []string{TestKS, TestChiSquare},
			[]bool{false, false}, false},
		{"small, shifted", 500, 0.5, []string{"a", "a", "b"}, []string{TestKS, TestChiSquare},
			[]bool{true, true}, true},
		{"large, steady", 3000, 0, []string{"a", "b"},
			[]string{TestWasserstein, TestJensenShannon}, []bool{false, false}, false},
		{"large, shifted", 3000, 0.5, []string{"a", "b", "c", "c"},
			[]string{TestWasserstein, TestJensenShannon}, []bool{true, true}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			base := synthetic(t, c.rows, wave(0), cycle("a", "b"))
			head := synthetic(t, c.rows, wave(c.shift), cycle(c.values...))
			d := Compare(base, head, config.Drift{})

			require.Len(t, d.Columns, 2)
			got := map[string]ColumnDrift{}
			for _, col := range d.Columns {
				got[col.Column] = col
			}
			assert.Equal(t, c.wantTests, []string{got["x"].Test, got["s"].Test})
			assert.Equal(t, c.wantDrifted, []bool{got["x"].Drifted, got["s"].Drifted})
			assert.Equal(t, c.wantSetDrifts, d.Drifted)
			assert.Equal(t, []SkippedColumn{{Column: "id", Reason: "the row id"}}, d.Skipped)
			assert.Equal(t, SeverityWarning, d.Severity)
		})
	}
}

func TestCompareConfiguration(t *testing.T) {
	t.Parallel()
	base := synthetic(t, 400, func(i int) float64 { return float64(i % 50) }, cycle("a", "b"))
	head := synthetic(t, 400, func(i int) float64 { return float64(i%50) + 3 }, cycle("a", "b"))
	thresh := 0.5

	d := Compare(base, head, config.Drift{Share: 1, Severity: SeverityError,
		Columns: map[string]config.DriftColumn{
			"x": {Test: TestPSI, Threshold: &thresh},
			"s": {Ignore: true},
		}})
	require.Len(t, d.Columns, 1)
	x := d.Columns[0]
	assert.Equal(t, TestPSI, x.Test)
	assert.InDelta(t, 0.5, x.Threshold, 0)
	assert.Nil(t, x.PValue)
	assert.Equal(t, x.Statistic >= 0.5, x.Drifted)
	assert.Equal(t, x.Drifted, d.Drifted, "one column, share 1")
	assert.Contains(
		t,
		d.Skipped,
		SkippedColumn{Column: "s", Reason: "ignored in the configuration"},
	)

	d = Compare(base, head, config.Drift{Columns: map[string]config.DriftColumn{
		"x": {Test: TestChiSquare}, "s": {Test: "nope"}}})
	assert.Empty(t, d.Columns)
	assert.Contains(t, d.Skipped, SkippedColumn{Column: "x",
		Reason: "test chisquare does not apply to a integer column"})
	assert.Contains(t, d.Skipped, SkippedColumn{Column: "s", Reason: `unknown test "nope"`})
}

func TestCompareOrdersMostDriftedFirst(t *testing.T) {
	t.Parallel()
	var base, head strings.Builder
	base.WriteString("a,b,c,d\n")
	head.WriteString("a,b,c,d\n")
	for i := range 300 {
		x := float64(i % 30)
		fmt.Fprintf(&base, "%v,%v,%v,%v\n", x, x, x, x)
		fmt.Fprintf(&head, "%v,%v,%v,%v\n", x+5, x+10, x, x+0.2)
	}
	bp, err := ProfileReader(strings.NewReader(base.String()), ProfileOptions{})
	require.NoError(t, err)
	hp, err := ProfileReader(strings.NewReader(head.String()), ProfileOptions{})
	require.NoError(t, err)

	d := Compare(bp, hp, config.Drift{Share: 0.5})
	var order []string
	for _, c := range d.Columns {
		order = append(order, c.Column)
	}
	assert.Equal(t, []string{"b", "a", "d", "c"}, order)
	assert.True(t, d.Drifted)
	assert.InDelta(t, 0.5, d.Share, 0)
}

func TestCompareSkipsWhatCannotBeCompared(t *testing.T) {
	t.Parallel()
	base := profileText(t, "id,n,s,gone,nulls\n1,1,a,1,\n2,2,b,2,\n")
	head := profileText(t, "id,n,s,nulls\n1,x,a,\n2,y,b,\n")
	d := Compare(base, head, config.Drift{})

	assert.ElementsMatch(t, []SkippedColumn{
		{Column: "id", Reason: "the row id"},
		{Column: "n", Reason: "its type changed from integer to string"},
		{Column: "gone", Reason: "missing from the new data"},
		{Column: "nulls", Reason: "no values to compare"},
	}, d.Skipped)
	require.Len(t, d.Columns, 1)
	assert.False(t, d.Drifted)
}

func TestCompareConstantsAndNewCategories(t *testing.T) {
	t.Parallel()
	base := synthetic(t, 50, func(int) float64 { return 4 }, cycle("a"))
	same := synthetic(t, 50, func(int) float64 { return 4 }, cycle("a"))
	moved := synthetic(t, 50, func(int) float64 { return 5 }, cycle("a", "new"))

	d := Compare(base, same, config.Drift{})
	for _, c := range d.Columns {
		assert.False(t, c.Drifted, c.Column)
	}

	d = Compare(base, moved, config.Drift{Columns: map[string]config.DriftColumn{
		"x": {Test: TestWasserstein}}})
	require.Len(t, d.Columns, 2)
	for _, c := range d.Columns {
		assert.True(t, c.Drifted, c.Column)
		assert.False(t, math.IsInf(c.Statistic, 0), "JSON cannot hold infinity")
	}
	assert.Equal(t, "∞", FormatValue(d.Columns[0].Statistic))
}

func TestValidateDrift(t *testing.T) {
	t.Parallel()
	neg := -1.0
	assert.NoError(t, ValidateDrift(config.Drift{Share: 0.5, Severity: SeverityError,
		Columns: map[string]config.DriftColumn{"a": {Test: TestLInf}}}))
	assert.ErrorContains(t, ValidateDrift(config.Drift{Share: 2}), "share")
	assert.ErrorContains(t, ValidateDrift(config.Drift{Severity: "fatal"}), "severity")
	assert.ErrorContains(t, ValidateDrift(config.Drift{Columns: map[string]config.DriftColumn{
		"a": {Test: "kstest"}}}), `test "kstest"`)
	assert.ErrorContains(t, ValidateDrift(config.Drift{Columns: map[string]config.DriftColumn{
		"a": {Threshold: &neg}}}), "negative")
}

// The demo's data pull request shifts monthly_charges upward and nothing else.
func TestDemoDataChangeDriftsOnlyMonthlyCharges(t *testing.T) {
	t.Parallel()
	opts := ProfileOptions{ID: "id", Label: "churned"}
	base, err := ProfileFile(filepath.Join("..", "..", "testdata", "example", "data", "raw",
		"customers.csv"), opts)
	require.NoError(t, err)
	head, err := ProfileFile(filepath.Join("..", "..", "testdata", "demo", "pr", "2-data",
		"data", "raw", "customers.csv"), opts)
	require.NoError(t, err)

	d := Compare(base, head, config.Drift{Share: 0.5})
	var drifted []string
	for _, c := range d.Columns {
		if c.Drifted {
			drifted = append(drifted, c.Column)
		}
	}
	assert.Equal(t, []string{"monthly_charges"}, drifted)
	assert.Equal(t, "monthly_charges", d.Columns[0].Column, "most drifted first")
	assert.False(t, d.Drifted, "one column of seven is below the set's share")
}
