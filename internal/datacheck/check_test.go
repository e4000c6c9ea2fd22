package datacheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/exit"
	"github.com/mlci-dev/mlci/internal/golden"
)

// writeFiles writes name → content under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	}
}

func rowsCSV(n int, shift float64, plan string) string {
	var b strings.Builder
	b.WriteString("id,amount,plan\n")
	for i := range n {
		fmt.Fprintf(&b, "%d,%v,%s\n", i, float64(i%40)+shift, []string{"a", "b", plan}[i%3])
	}
	return b.String()
}

func TestCheck(t *testing.T) {
	t.Parallel()
	base := profileText(t, rowsCSV(300, 0, "c"))
	for _, c := range []struct {
		name       string
		files      map[string]string
		set        config.DataSet
		noBase     bool
		wantPassed bool
		wantSchema []string
		wantDrift  bool
		wantError  string
	}{
		{name: "steady", files: map[string]string{"d.csv": rowsCSV(300, 0, "c")},
			wantPassed: true},
		{name: "drift warns", files: map[string]string{"d.csv": rowsCSV(300, 30, "c")},
			wantPassed: true, wantDrift: true, set: config.DataSet{Schema: "s.yaml"}},
		{name: "committed schema fails", files: map[string]string{"d.csv": rowsCSV(300, 70, "c")},
			wantDrift: true, wantSchema: []string{"max:amount"},
			set: config.DataSet{Schema: "s.yaml"}},
		{name: "drift fails", files: map[string]string{"d.csv": rowsCSV(300, 8, "c")},
			set:       config.DataSet{Drift: config.Drift{Severity: SeverityError}},
			wantDrift: true},
		{name: "inferred schema fails", files: map[string]string{"d.csv": rowsCSV(300, 0, "zzz")},
			wantSchema: []string{"domain:plan"}, wantDrift: true},
		{name: "unreadable data", files: map[string]string{"d.csv": "id,amount\n1,2,3\n"},
			wantError: "d.csv:2: expected 2 fields"},
		{name: "missing data", files: map[string]string{}, wantError: "the data file is missing"},
		{name: "no baseline", files: map[string]string{"d.csv": rowsCSV(300, 30, "zzz")},
			noBase: true, wantPassed: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeFiles(t, dir, c.files)
			writeFiles(t, dir, map[string]string{"s.yaml": "version: 1\nextra_columns: ignore\n" +
				"columns:\n  - {name: amount, type: number, min: 0, max: 100}\n"})
			set := c.set
			set.Name, set.Path, set.ID = "d", "d.csv", "id"
			bases := map[string]*Profile{"d": base}
			if c.noBase {
				bases = nil
			}

			r, err := Check(t.Context(), &config.Config{Data: []*config.DataSet{&set}}, bases, dir)
			require.NoError(t, err)
			require.Len(t, r.Sets, 1)
			s := r.Sets[0]
			assert.Equal(t, c.wantPassed, r.Passed)
			assert.Equal(t, c.wantPassed, s.Passed)
			assert.Equal(t, c.wantSchema, issueKeys(s.Schema))
			if c.wantError != "" {
				assert.Contains(t, s.Error, c.wantError)
				return
			}
			require.Empty(t, s.Error)
			assert.Equal(t, int64(300), s.Rows)
			assert.NotNil(t, s.Profile)
			if c.noBase {
				assert.Nil(t, s.Drift)
				assert.Empty(t, s.SchemaSource)
				return
			}
			assert.Equal(t, c.wantDrift, s.Drift.Drifted)
			assert.InDelta(t, s.Drift.Share, r.MaxDrift, 0)
		})
	}
}

func issueKeys(issues []SchemaIssue) []string {
	var keys []string
	for _, i := range issues {
		keys = append(keys, i.Rule+":"+i.Column)
	}
	return keys
}

func TestCheckConfigurationErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"d.csv": rowsCSV(10, 0, "c"),
		"bad.yaml": "version: 1\ncolumns:\n  - {name: a, type: text}\n"})

	for name, set := range map[string]config.DataSet{
		"unknown test": {Drift: config.Drift{Columns: map[string]config.DriftColumn{
			"a": {Test: "t-test"}}}},
		"bad schema":     {Schema: "bad.yaml"},
		"missing schema": {Schema: "none.yaml"},
	} {
		set.Name, set.Path = "d", "d.csv"
		_, err := Check(t.Context(), &config.Config{Data: []*config.DataSet{&set}}, nil, dir)
		require.Error(t, err, name)
		assert.Equal(t, exit.Usage, exit.Code(err), name)
		assert.Contains(t, err.Error(), "data set d", name)
	}
	_, err := Check(t.Context(), &config.Config{Data: []*config.DataSet{{Name: "d",
		Schema: "bad.yaml"}}}, nil, dir)
	assert.ErrorContains(t, err, "line 3")
}

func TestCheckReportsAsTextAndJSON(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"d.csv": rowsCSV(300, 30, "zzz")})
	cfg := &config.Config{Data: []*config.DataSet{{Name: "d", Path: "d.csv", ID: "id"}}}
	r, err := Check(
		t.Context(),
		cfg,
		map[string]*Profile{"d": profileText(t, rowsCSV(300, 0, "c"))},
		dir,
	)
	require.NoError(t, err)

	var text bytes.Buffer
	require.NoError(t, WriteText(&text, r))
	golden.Assert(t, "check.txt", text.Bytes())

	data, err := json.Marshal(r)
	require.NoError(t, err)
	var back map[string]any
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, false, back["passed"])
	assert.NotContains(t, string(data), `"Profile"`, "the profile stays out of the JSON")
}
