package serve

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/config"
)

func TestPointer(t *testing.T) {
	t.Parallel()
	doc := []byte(`{"score": 0.25, "a/b": {"~x": [1, "2.5", true]}, "label": "yes", "n": null}`)
	tests := []struct {
		pointer string
		want    float64
		err     string
	}{
		{"/score", 0.25, ""},
		{"/a~1b/~0x/0", 1, ""},
		{"/a~1b/~0x/1", 2.5, ""},
		{"/a~1b/~0x/2", 1, ""},
		{"/a~1b/~0x/3", 0, "the answer has no /a~1b/~0x/3 (a list of 3)"},
		{"/a~1b/~0x/01", 0, "the answer has no /a~1b/~0x/01"},
		{"/missing", 0, "the answer has no /missing"},
		{"/score/x", 0, "the answer has no /score/x: /score is not an object or a list"},
		{"/label", 0, `/label is "yes", not a number`},
		{"/n", 0, "/n is null, not a number"},
		{"", 0, `the answer is {"a/b"`},
	}
	for _, tt := range tests {
		t.Run(tt.pointer, func(t *testing.T) {
			t.Parallel()
			p, err := parsePointer(tt.pointer)
			require.NoError(t, err)
			assert.Equal(t, tt.pointer, p.String())
			got, err := p.number(doc)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.InDelta(t, tt.want, got, 0)
		})
	}
}

func TestPointerErrors(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"score", "/a~2", "/a~"} {
		_, err := parsePointer(s)
		assert.Error(t, err, s)
	}
	p, _ := parsePointer("")
	for _, doc := range []string{"not json", `{"a": 1} {"b": 2}`, ""} {
		_, err := p.number([]byte(doc))
		assert.ErrorContains(t, err, "the answer is not", doc)
	}
	v, err := p.number([]byte(" 0.5\n"))
	require.NoError(t, err)
	assert.InDelta(t, 0.5, v, 0)
}

func TestTemplate(t *testing.T) {
	t.Parallel()
	header := []string{"id", "x", "plan", "note"}
	tests := []struct {
		name, body string
		rec        []string
		want       string
	}{
		{"numbers and strings", `{"x": {{.x}}, "plan": "{{ .plan }}", "id": {{.id}}}`,
			[]string{"7", "1.5e3", "basic", ""}, `{"x": 1.5e3, "plan": "basic", "id": 7}`},
		{"text outside quotes", `{"plan": {{.plan}}, "note": {{.note}}}`,
			[]string{"1", "2", "a \"b\"", ""}, `{"plan": "a \"b\"", "note": null}`},
		{"escaped inside quotes", `{"plan": "<{{.plan}}>"}`,
			[]string{"1", "2", "a\\b\"c\n", ""}, `{"plan": "<a\\b\"c\n>"}`},
		{"quote in literal", `{"q\"{": {{.x}}}`, []string{"1", "+5", "", ""}, `{"q\"{": "+5"}`},
		{"not numbers", `[{{.x}}, {{.plan}}, {{.note}}]`, []string{"1", "0x10", "NaN", "true"},
			`["0x10", "NaN", true]`},
		{"every column", "", []string{"1", "2.5", "basic", "hi"},
			`{"id":1,"x":2.5,"plan":"basic","note":"hi"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tmpl, err := compileTemplate(tt.body, header)
			require.NoError(t, err)
			got := tmpl.render(tt.rec)
			assert.Equal(t, tt.want, string(got))
			assert.JSONEq(t, tt.want, string(got))
		})
	}
}

func TestTemplateErrors(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]string{
		`{"x": {{.y}}}`:  "{{.y}}: expected {{.column}}",
		`{"x": {{x}}}`:   "{{x}}: expected {{.column}}",
		`{"x": {{.x}`:    "unclosed {{",
		`{"x": {{len}}}`: "{{len}}",
	} {
		_, err := compileTemplate(body, []string{"x"})
		assert.ErrorContains(t, err, want, body)
	}
}

func TestReadRows(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, data string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(data), 0o644))
		return path
	}
	csvPath := write("rows.csv", "ID,x\n1,2\n2,\"3\"\n3,4\n")
	rows, err := readRows(csvPath, "rows.csv", `{"x": {{.x}}}`, 2)
	require.NoError(t, err)
	assert.Equal(t, []row{{id: "1", body: []byte(`{"x": 2}`), line: 2},
		{id: "2", body: []byte(`{"x": 3}`), line: 3}}, rows)

	tsv := write("rows.tsv", "x\tplan\n1\tbasic\n")
	rows, err = readRows(tsv, "rows.tsv", "", 0)
	require.NoError(t, err)
	assert.Equal(t, []row{{body: []byte(`{"x":1,"plan":"basic"}`), line: 2}}, rows)

	jsonl := write("rows.jsonl", "{\"id\": 7, \"x\": 1}\n\n{\"row_id\": \"b\"}\n")
	rows, err = readRows(jsonl, "rows.jsonl", "", 0)
	require.NoError(t, err)
	assert.Equal(t, []row{{id: "7", body: []byte(`{"id": 7, "x": 1}`), line: 1},
		{id: "b", body: []byte(`{"row_id": "b"}`), line: 3}}, rows)
}

func TestReadRowsErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct{ name, data, body, want string }{
		{"r.csv", "x\n", "", "rows: r.csv: no rows under the header"},
		{"r.csv", "x,y\n1\n", "", "rows: r.csv: record on line 2: wrong number of fields"},
		{"r.jsonl", "{\"x\": 1}\n[1]\n", "", "rows: r.jsonl:2: expected one JSON object per line"},
		{"r.jsonl", "{}\n", `{"x": 1}`, "body: a template is filled from a CSV or TSV file"},
		{"r.parquet", "", "", "rows: r.parquet: expected a .csv, .tsv or .jsonl file"},
	}
	for _, tt := range tests {
		path := filepath.Join(dir, tt.name)
		require.NoError(t, os.WriteFile(path, []byte(tt.data), 0o644))
		_, err := readRows(path, tt.name, tt.body, 0)
		assert.ErrorContains(t, err, tt.want)
	}
}

func TestPercentile(t *testing.T) {
	t.Parallel()
	var lat []time.Duration
	for i := 1; i <= 100; i++ {
		lat = append(lat, time.Duration(i)*time.Millisecond)
	}
	assert.Equal(t, 50*time.Millisecond, percentile(lat, 50))
	assert.Equal(t, 95*time.Millisecond, percentile(lat, 95))
	assert.Equal(t, 99*time.Millisecond, percentile(lat, 99))
	assert.Equal(t, 7*time.Millisecond, percentile(lat[6:7], 99))
	assert.Zero(t, percentile(nil, 50))

	var f Figures
	sample{latencies: []time.Duration{3 * time.Millisecond, time.Millisecond}, errors: 1,
		elapsed: time.Second / 2}.figures(&f)
	assert.Equal(t, Figures{P50: 1, P95: 3, P99: 3, RPS: 4, Errors: 1, Requests: 2}, f)
}

func TestWithin(t *testing.T) {
	t.Parallel()
	assert.True(t, within(0.412960, 0.412959, 1e-6))
	assert.False(t, within(0.412961, 0.412959, 1e-6))
	assert.True(t, within(0.5, 0.5, 0))
	assert.False(t, within(0.5, 0.500001, 0))
}

func TestTail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		max    int
		writes []string
		want   []string
	}{
		{"last lines only", 2, []string{"one\ntwo\r\nthr", "ee\nfour"},
			[]string{"[2 lines left out]", "three", "four"}},
		{"everything fits", 8, []string{"a\nb\nc"}, []string{"a", "b", "c"}},
		{"first and last", 8, []string{"up\nready\n", strings.Repeat("trace\n", 9), "end\n"},
			[]string{"up", "ready", "[2 lines left out]", "trace", "trace", "trace", "trace",
				"trace", "trace", "trace", "end"}},
		{"one line left out", 4, []string{"a\nb\nc\nd\ne\nf"},
			[]string{"a", "[1 line left out]", "c", "d", "e", "f"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl := newTail(tt.max)
			for _, w := range tt.writes {
				_, _ = tl.Write([]byte(w))
			}
			assert.Equal(t, tt.want, tl.lines())
		})
	}

	tl := newTail(2)
	_, _ = tl.Write([]byte("one\n"))
	_, _ = tl.Write(bytes.Repeat([]byte("x"), 3*maxKept))
	assert.Len(t, tl.lines()[1], maxKept)
}

func TestWriteText(t *testing.T) {
	t.Parallel()
	res := &Result{Model: "churn", Checked: 12,
		Candidate: Figures{LoadSeconds: 0.5, P50: 1.25, P95: 2, P99: 3.5, RPS: 812.4,
			Requests: 400, PeakRSSMB: 21.5},
		Baseline: &Figures{LoadSeconds: 0.25, P50: 1, P95: 2, P99: 3, RPS: 900, Requests: 400},
		Mismatches: []Mismatch{
			{ID: "7", Offline: 0.5, Served: 0.25},
			{ID: "9", Problem: "HTTP 500"},
		},
		Notes: []string{"a note"}, Output: []string{"Traceback"}}
	var b strings.Builder
	require.NoError(t, res.WriteText(&b))
	out := b.String()
	assert.Contains(t, out, "serving churn: FAILED\n")
	assert.Regexp(t, `latency_p99_ms +3\.50 +3\n`, out)
	assert.Contains(t, out, "mismatches (2 of 12 rows):\n  id 7: offline 0.5, served 0.25\n"+
		"  id 9: HTTP 500\n")
	assert.Contains(t, out, "note: a note\n")
	assert.Contains(t, out, "  | Traceback\n")
}

func TestReadOfflineClassesNamedByText(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(root, "p.csv"),
		[]byte("id,label,score,prediction\n1,setosa,0.9,setosa\n2,virginica,0.2,setosa\n"),
		0o644))
	m := &config.Model{Name: "iris", Predictions: "p.csv"}
	tests := []struct {
		pointer, column string
		classes         []string
	}{
		{"/score", "score", nil},
		{"/prediction", "prediction", []string{"setosa", "virginica"}},
	}
	for _, tt := range tests {
		ptr, err := parsePointer(tt.pointer)
		require.NoError(t, err)
		sp := &spec{pointer: ptr, rows: []row{{id: "1"}}, serve: &config.Serve{Rows: "r.csv"}}
		require.NoError(t, sp.readOffline(root, m))
		assert.Equal(t, tt.column, sp.column, tt.pointer)
		assert.Equal(t, tt.classes, sp.classes, tt.pointer)
		assert.Empty(t, sp.note)
	}
}

func TestPointerText(t *testing.T) {
	t.Parallel()
	doc := []byte(`{"label": "yes", "score": 0.25, "ok": true, "n": null, "l": [1]}`)
	tests := []struct {
		pointer, want, err string
	}{
		{"/label", "yes", ""},
		{"/score", "0.25", ""},
		{"/ok", "true", ""},
		{"/n", "", "/n is null, not a class"},
		{"/l", "", "/l is [1], not a class"},
		{"/missing", "", "the answer has no /missing"},
	}
	for _, tt := range tests {
		p, err := parsePointer(tt.pointer)
		require.NoError(t, err)
		got, err := p.text(doc)
		if tt.err != "" {
			require.EqualError(t, err, tt.err, tt.pointer)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tt.want, got, tt.pointer)
	}
}
