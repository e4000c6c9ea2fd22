package datacheck

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/golden"
)

const customersCSV = `id,age,income,plan,churned,note
1,34,52000.5,basic,0,
2,45,61000,premium,1,NA
3,,48000.25,basic,0,null
4,29,N/A,standard,0,
5,51,75000,premium,1,
6,38,58000,basic,0,
`

func TestProfileCSV(t *testing.T) {
	t.Parallel()
	p, err := ProfileReader(strings.NewReader(customersCSV),
		ProfileOptions{Label: "churned", ID: "id"})
	require.NoError(t, err)

	assert.Equal(t, int64(6), p.Rows)
	types := map[string]string{}
	for _, c := range p.Columns {
		types[c.Name] = c.Type
	}
	assert.Equal(t, map[string]string{"id": TypeInteger, "age": TypeInteger, "income": TypeNumber,
		"plan": TypeString, "churned": TypeInteger, "note": TypeNull}, types)

	age := p.Column("age")
	assert.Equal(t, int64(5), age.Count)
	assert.Equal(t, int64(1), age.Nulls)
	assert.InDelta(t, 29, age.Numeric.Min, 0)
	assert.InDelta(t, 51, age.Numeric.Max, 0)
	assert.InDelta(t, 39.4, age.Numeric.Mean, 1e-12)
	assert.InDelta(t, math.Sqrt(61.04), age.Numeric.Std, 1e-12, "population std")
	assert.InDelta(t, 38, age.Numeric.Quantiles[4], 0, "median")
	assert.InDelta(t, 5, sumOf(age.Numeric.Histogram.Counts), 0)

	plan := p.Column("plan").Categorical
	assert.Equal(t, []Count{{"basic", 3}, {"premium", 2}, {"standard", 1}}, plan.Top)
	assert.True(t, plan.Complete)
	assert.Equal(t, int64(6), p.Column("note").Nulls)

	var buf bytes.Buffer
	require.NoError(t, p.WriteJSON(&buf))
	golden.Assert(t, "customers.profile.json", buf.Bytes())
}

func TestProfileFormatsAgree(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rows := []row{{1, 2.5, "a", true}, {2, 3.25, "b", false}, {3, 3.25, "a", true},
		{4, -1, "c", true}}

	files := map[string]string{
		"t.csv": "id,x,s,ok\n1,2.5,a,true\n2,3.25,b,false\n3,3.25,a,true\n4,-1,c,true\n",
		"t.tsv": "id\tx\ts\tok\n1\t2.5\ta\ttrue\n2\t3.25\tb\tfalse\n" +
			"3\t3.25\ta\ttrue\n4\t-1\tc\ttrue\n",
		"t.jsonl": jsonLines(rows),
	}
	for name, text := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	require.NoError(t, parquet.WriteFile(filepath.Join(dir, "t.parquet"), rows))
	compress(t, filepath.Join(dir, "t.csv"), filepath.Join(dir, "t.csv.gz"))
	compress(t, filepath.Join(dir, "t.tsv"), filepath.Join(dir, "t.tsv.zst"))
	compress(t, filepath.Join(dir, "t.jsonl"), filepath.Join(dir, "t.jsonl.gz"))

	want := profileFile(t, filepath.Join(dir, "t.csv"))
	for _, name := range []string{"t.tsv", "t.jsonl", "t.parquet", "t.csv.gz", "t.tsv.zst",
		"t.jsonl.gz"} {
		got := profileFile(t, filepath.Join(dir, name))
		got.Format = want.Format
		assert.Equal(t, jsonOf(t, want), jsonOf(t, got), name)
	}
}

type row struct {
	ID int64   `parquet:"id"`
	X  float64 `parquet:"x"`
	S  string  `parquet:"s"`
	OK bool    `parquet:"ok"`
}

func jsonLines(rows []row) string {
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, `{"id": %d, "x": %v, "s": %q, "ok": %v}`+"\n", r.ID, r.X, r.S, r.OK)
	}
	return b.String()
}

func TestProfileParquetNulls(t *testing.T) {
	t.Parallel()
	type opt struct {
		X *float64 `parquet:"x,optional"`
		S *string  `parquet:"s,optional"`
	}
	one, word := 1.5, "w"
	path := filepath.Join(t.TempDir(), "n.parquet")
	require.NoError(t, parquet.WriteFile(path, []opt{{&one, nil}, {nil, &word}, {&one, &word}}))

	p := profileFile(t, path)
	assert.Equal(t, int64(3), p.Rows)
	assert.Equal(t, int64(1), p.Column("x").Nulls)
	assert.Equal(t, int64(2), p.Column("x").Count)
	assert.Equal(t, int64(1), p.Column("s").Nulls)
}

func TestProfileJSONLinesColumnsAppearLate(t *testing.T) {
	t.Parallel()
	in := `{"a": 1}` + "\n\n" + `{"a": 2, "b": "x"}` + "\n" + `{"b": "y", "c": {"k": [1]}}` + "\n"
	p, err := ProfileReader(strings.NewReader(in), ProfileOptions{Format: FormatJSONL})
	require.NoError(t, err)

	assert.Equal(t, int64(3), p.Rows)
	assert.Equal(t, int64(1), p.Column("a").Nulls)
	assert.Equal(t, int64(1), p.Column("b").Nulls)
	assert.Equal(t, int64(2), p.Column("c").Nulls)
	assert.Equal(t, `{"k": [1]}`, p.Column("c").Categorical.Top[0].Value)
}

func TestProfileBadInput(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, format, input string
		want                []string
	}{
		{"ragged row", "", "a,b,c\n1,2,3\n4,5\n",
			[]string{"in.csv:3:", "expected 3 fields", "found 2"}},
		{"semicolons", "", "a;b;c\n1;2;3\n", []string{"in.csv:1:", "semicolon-separated"}},
		{"tabs read as csv", "", "a\tb\n1\t2\n", []string{"tab-separated"}},
		{"type change", "", "n,s\n1,a\n2,b\nthree,c\n", []string{
			"in.csv:4:", `column "n"`, `"three" is not a number`, "from line 2"}},
		{"empty file", "", "", []string{"in.csv:", "empty"}},
		{"not utf-8", "", "name\nok\nbad\xff\n", []string{"in.csv:3:", `column "name"`, "UTF-8"}},
		{"not utf-8 in a number column", "", "n\n1\n2\xfe\n", []string{"in.csv:3:", "UTF-8"}},
		{"header not utf-8", "", "a,\xffb\n1,2\n", []string{"in.csv:1:", "UTF-8"}},
		{"bare quote", "", "a,b\n1,x\"y\n", []string{"in.csv:2:", "quote"}},
		{"duplicate header", "", "a,b,a\n1,2,3\n", []string{"in.csv:1:", `both called "a"`}},
		{"json not an object", FormatJSONL, "{\"a\":1}\n[1,2]\n",
			[]string{"in.csv:2:", "JSON object"}},
		{"json type change", FormatJSONL, "{\"a\":1}\n{\"a\":\"x\"}\n", []string{
			"in.csv:2:", `"x" is not a number`}},
		{"json duplicate key", FormatJSONL, "{\"a\":1,\"a\":2}\n", []string{"in.csv:1:", "twice"}},
		{"json broken", FormatJSONL, "{\"a\":1\n", []string{"in.csv:1:", "invalid JSON"}},
		{"json empty", FormatJSONL, "\n\n", []string{"no JSON object"}},
		{"not parquet", FormatParquet, "id,x\n1,2\n", []string{"not a Parquet file"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := ProfileReader(strings.NewReader(c.input),
				ProfileOptions{Format: c.format, Source: "in.csv"})
			require.Error(t, err)
			var ie *InputError
			require.ErrorAs(t, err, &ie)
			for _, w := range c.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestProfileTolerates(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, input string }{
		{"one column", "x\n1\n2\n3\n"},
		{"header only", "a,b\n"},
		{"spaces around numbers", "x,y\n 1 ,a\n2,b\n"},
		{"byte order mark", "\ufeffx,y\n1,a\n"},
		{"unnamed column", ",y\n1,a\n"},
		{"strings that look like numbers later", "s\nabc\n12\n"},
		{"quoted fields", "s,n\n\"a, b\",\"1\"\n\"c \"\"q\"\"\",2\n"},
		{"crlf", "a,b\r\n1,2\r\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p, err := ProfileReader(strings.NewReader(c.input), ProfileOptions{})
			require.NoError(t, err)
			assert.NotEmpty(t, p.Columns)
		})
	}

	p, err := ProfileReader(strings.NewReader(",x\n1, 2 \n"), ProfileOptions{})
	require.NoError(t, err)
	assert.Equal(t, "column1", p.Columns[0].Name)
	assert.Equal(t, TypeInteger, p.Column("x").Type)
}

func TestProfileBoundsItsMemory(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("n,s\n")
	const rows = 20_000
	for i := range rows {
		fmt.Fprintf(&b, "%d,v%d\n", i, i%(MaxCategories+500))
	}
	p, err := ProfileReader(strings.NewReader(b.String()), ProfileOptions{})
	require.NoError(t, err)

	n := p.Column("n").Numeric
	assert.False(t, n.Sketch.Exact())
	assert.Equal(t, int64(rows), n.Sketch.N())
	assert.InDelta(t, rows/2, n.Quantiles[4], rows*0.01, "median within 1%")

	s := p.Column("s").Categorical
	assert.False(t, s.Complete)
	assert.Len(t, s.Top, MaxCategories)
	assert.Equal(t, int64(rows), sumCounts(s.Top)+s.Other)
}

func TestProfileJSONRoundTrip(t *testing.T) {
	t.Parallel()
	p, err := ProfileReader(strings.NewReader(customersCSV), ProfileOptions{})
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, p.WriteJSON(&buf))

	back, err := ReadProfile(bytes.NewReader(buf.Bytes()))
	require.NoError(t, err)
	assert.Equal(t, jsonOf(t, p), jsonOf(t, back))

	_, err = ReadProfile(strings.NewReader(`{"version": 9, "columns": []}`))
	require.ErrorIs(t, err, ErrProfileVersion)
	_, err = ReadProfile(strings.NewReader(
		`{"version": 1, "columns": [{"name": "x", "type": "number", "count": 3}]}`))
	require.ErrorContains(t, err, "no sketch")
}

func TestProfileFileErrors(t *testing.T) {
	t.Parallel()
	_, err := ProfileFile(filepath.Join(t.TempDir(), "missing.csv"), ProfileOptions{})
	require.ErrorIs(t, err, os.ErrNotExist)

	_, err = ProfileReader(strings.NewReader("a\n1\n"), ProfileOptions{Format: "xlsx"})
	require.ErrorIs(t, err, ErrFormat)
	assert.Equal(t, FormatParquet, FormatOf("x/y.PARQUET"))
	assert.Equal(t, FormatJSONL, FormatOf("y.ndjson"))
	assert.Equal(t, FormatCSV, FormatOf("y.txt"))
}

func TestInputErrorWording(t *testing.T) {
	t.Parallel()
	e := &InputError{Source: "d.csv", Line: 7, Column: "age", Msg: "bad"}
	assert.Equal(t, `d.csv:7: column "age": bad`, e.Error())
	e = &InputError{Source: "d.csv", Msg: "empty"}
	assert.Equal(t, "d.csv: empty", e.Error())
	assert.False(t, errors.Is(e, ErrFormat))
}

func jsonOf(t *testing.T, p *Profile) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, p.WriteJSON(&buf))
	return buf.String()
}

func sumOf(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s
}

func sumCounts(cs []Count) int64 {
	var s int64
	for _, c := range cs {
		s += c.Count
	}
	return s
}

// compress writes src to dst compressed as dst's extension says: gzip or
// zstd.
func compress(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	require.NoError(t, err)
	var buf bytes.Buffer
	switch filepath.Ext(dst) {
	case ".gz":
		w := gzip.NewWriter(&buf)
		_, err = w.Write(data)
		require.NoError(t, err)
		require.NoError(t, w.Close())
	case ".zst":
		w, err := zstd.NewWriter(&buf)
		require.NoError(t, err)
		_, err = w.Write(data)
		require.NoError(t, err)
		require.NoError(t, w.Close())
	}
	require.NoError(t, os.WriteFile(dst, buf.Bytes(), 0o644))
}

func TestFormatOfLooksThroughCompression(t *testing.T) {
	t.Parallel()
	for path, want := range map[string]string{
		"a.csv": FormatCSV, "a.csv.gz": FormatCSV, "a.TSV.GZ": FormatTSV,
		"a.jsonl.zst": FormatJSONL, "a.ndjson.zstd": FormatJSONL, "a.parquet": FormatParquet,
		"a.gz": FormatCSV,
	} {
		assert.Equal(t, want, FormatOf(path), path)
	}
}

func TestProfileBadCompressedData(t *testing.T) {
	t.Parallel()
	bad := append([]byte{0x1f, 0x8b}, "not really gzip"...)
	_, err := ProfileBytes(bad, ProfileOptions{Source: "data/x.csv.gz"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "data/x.csv.gz")
	assert.Contains(t, err.Error(), "gzip")
}
