package datacheck

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/golden"
)

func profileText(t *testing.T, csv string) *Profile {
	t.Helper()
	p, err := ProfileReader(strings.NewReader(csv), ProfileOptions{ID: "id"})
	require.NoError(t, err)
	return p
}

func TestInferSchema(t *testing.T) {
	t.Parallel()
	p, err := ProfileReader(strings.NewReader(customersCSV), ProfileOptions{ID: "id"})
	require.NoError(t, err)

	s := InferSchema(p)
	var buf bytes.Buffer
	require.NoError(t, s.WriteYAML(&buf, "customers, for review"))
	golden.Assert(t, "customers.schema.yaml", buf.Bytes())

	back, err := ParseSchema(buf.Bytes())
	require.NoError(t, err)
	assert.Equal(t, s.Columns[2].Name, back.Columns[2].Name)
	assert.Empty(t, back.Check(p), "the baseline fits its own schema")
}

func TestWidenedRange(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		lo, hi         float64
		integer        bool
		wantLo, wantHi float64
	}{
		{18, 80, true, 0, 142},
		{-12, 72, true, -96, 156},
		{0.25, 0.75, false, 0, 1.25},
		{-1.234, 5.678, false, -8.15, 12.59},
		{3, 3, true, 0, 6},
		{10, 1_000_000, true, 0, 2_000_000},
	} {
		lo, hi := widenedRange(c.lo, c.hi, c.integer)
		assert.InDelta(t, c.wantLo, lo, 1e-12, "%v..%v", c.lo, c.hi)
		assert.InDelta(t, c.wantHi, hi, 1e-12, "%v..%v", c.lo, c.hi)
	}
}

func TestSchemaCheckRules(t *testing.T) {
	t.Parallel()
	lo, hi := 0.0, 100.0
	schema := &Schema{Version: 1, MinRows: 3, Columns: []ColumnSchema{
		{Name: "id", Type: TypeInteger, Required: true},
		{Name: "age", Type: TypeInteger, Required: true, MaxNullShare: 0.25, Min: &lo, Max: &hi},
		{Name: "score", Type: TypeNumber, Required: true},
		{Name: "plan", Type: TypeString, Required: true, Domain: []string{"a", "b"},
			MaxUnseenShare: 0.3},
		{Name: "opt", Type: TypeString},
		{Name: "empty", Type: TypeInteger, Required: true, MaxNullShare: 1},
	}}
	for _, c := range []struct {
		name, csv string
		want      []string // rule:column of each issue, errors first
	}{
		{"fits", "id,age,score,plan,empty\n1,5,1,a,\n2,6,2.5,b,\n3,7,3,a,\n", nil},
		{"too few rows", "id,age,score,plan,empty\n1,5,1,a,\n", []string{"rows:"}},
		{"missing required", "id,score,plan,empty\n1,1,a,\n2,2,b,\n3,3,a,\n",
			[]string{"missing_column:age"}},
		{"new column", "id,age,score,plan,empty,new\n1,5,1,a,,x\n2,6,2,b,,y\n3,7,3,a,,z\n",
			[]string{"extra_column:new"}},
		{"changed type", "id,age,score,plan,empty\n1,5.5,1,a,\n2,6,2,b,\n3,7,3,a,\n",
			[]string{"type:age"}},
		{"string for a number", "id,age,score,plan,empty\n1,5,x,a,\n2,6,y,b,\n3,7,z,a,\n",
			[]string{"type:score"}},
		{"too many nulls", "id,age,score,plan,empty\n1,,1,a,\n2,,2,b,\n3,7,3,a,\n",
			[]string{"nulls:age"}},
		{"below min", "id,age,score,plan,empty\n1,-5,1,a,\n2,6,2,b,\n3,7,3,a,\n",
			[]string{"min:age"}},
		{"above max", "id,age,score,plan,empty\n1,500,1,a,\n2,6,2,b,\n3,7,3,a,\n",
			[]string{"max:age"}},
		{"unseen beyond the share", "id,age,score,plan,empty\n1,5,1,c,\n2,6,2,d,\n3,7,3,a,\n",
			[]string{"domain:plan"}},
		{"unseen within the share", "id,age,score,plan,empty\n1,5,1,a,\n2,6,2,b,\n3,7,3,a,\n" +
			"4,7,3,a,\n5,7,3,z,\n", []string{"domain:plan"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, i := range schema.Check(profileText(t, c.csv)) {
				got = append(got, i.Rule+":"+i.Column)
				assert.NotEmpty(t, i.Message)
			}
			assert.Equal(t, c.want, got)
		})
	}
}

func TestSchemaIssueSeverityAndWording(t *testing.T) {
	t.Parallel()
	lo := 0.0
	schema := &Schema{Version: 1, ExtraColumns: SeverityWarning, Columns: []ColumnSchema{
		{Name: "n", Type: TypeNumber, Required: true, Min: &lo},
		{Name: "s", Type: TypeString, Required: true, Domain: []string{"a"}, MaxUnseenShare: 0.5},
	}}
	issues := schema.Check(profileText(t, "n,s,x\n-2,a,1\n3,a,2\n4,b,3\n"))
	require.Len(t, issues, 3)

	assert.Equal(t, SchemaIssue{Column: "n", Rule: "min", Severity: SeverityError,
		Message: "the smallest value -2 is below the minimum 0 (33.33% of the values)"}, issues[0])
	assert.Equal(t, SeverityWarning, issues[1].Severity, "unseen within the allowed share")
	assert.Contains(t, issues[1].Message, `1 values (33.33%) are outside the domain`)
	assert.Contains(t, issues[1].Message, `"b"`)
	assert.Equal(t, "extra_column", issues[2].Rule)
	assert.Equal(t, SeverityWarning, issues[2].Severity)

	schema.ExtraColumns = ExtraIgnore
	assert.Len(t, schema.Check(profileText(t, "n,s,x\n1,a,1\n")), 0)
}

func TestSchemaNullColumnsAndAny(t *testing.T) {
	t.Parallel()
	p := profileText(t, "a,b\n,1\n,2\n")
	s := InferSchema(p)
	assert.Equal(t, TypeAny, s.Column("a").Type)
	assert.InDelta(t, 1, s.Column("a").MaxNullShare, 0)
	assert.Empty(t, s.Check(profileText(t, "a,b\nx,1\n,2\n")))
}

func TestLoadSchemaErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, yaml, want string }{
		{"empty", "", "empty"},
		{"unknown key", "version: 1\ncolumns:\n  - name: a\n    type: integer\n    maxx: 3\n",
			"line 5: field maxx not found"},
		{"bad type", "version: 1\ncolumns:\n  - name: a\n    type: int\n",
			`line 3: column "a": type is "int"`},
		{"min above max",
			"version: 1\ncolumns:\n  - name: a\n    type: number\n    min: 5\n    max: 1\n",
			"min 5 is above max 1"},
		{"duplicate",
			"version: 1\ncolumns:\n  - {name: a, type: string}\n  - {name: a, type: string}\n",
			`line 4: column "a" is listed already on line 3`},
		{"version", "version: 2\ncolumns: []\n", "version is 2"},
		{"share", "version: 1\ncolumns:\n  - {name: a, type: string, max_null_share: 2}\n",
			"between 0 and 1"},
		{"domain on numbers", "version: 1\ncolumns:\n  - {name: a, type: number, domain: [x]}\n",
			"domain applies to string columns"},
		{"range on strings", "version: 1\ncolumns:\n  - {name: a, type: string, min: 1}\n",
			"min and max apply"},
		{"extra columns", "version: 1\nextra_columns: maybe\ncolumns: []\n", "extra_columns"},
		{"not a mapping", "- a\n- b\n", "line 1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "s.schema.yaml")
			require.NoError(t, os.WriteFile(path, []byte(c.yaml), 0o644))
			_, err := LoadSchema(path)
			require.ErrorIs(t, err, ErrSchema)
			assert.Contains(t, err.Error(), path)
			assert.Contains(t, err.Error(), c.want)
		})
	}

	_, err := LoadSchema(filepath.Join(t.TempDir(), "none.yaml"))
	require.ErrorIs(t, err, os.ErrNotExist)
}
