package gate

import (
	"encoding/json"
	"encoding/xml"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/config"
	"github.com/mlci-dev/mlci/internal/golden"
	"github.com/mlci-dev/mlci/internal/metrics"
)

// sampleVerdict has a passing, a failing, a warning and a skipped gate.
func sampleVerdict(t *testing.T) *Verdict {
	t.Helper()
	pos := func(line int) config.Pos { return config.Pos{File: "mlci.yaml", Line: line, Col: 9} }
	m := &config.Model{Name: "churn", Metrics: []string{"eval/metrics.json"}, Gates: []config.Gate{
		{Metric: "accuracy", Min: f(0.75), MaxDrop: f(0.02), Pos: pos(14)},
		{Metric: "log_loss", MaxRise: f(0.02), Pos: pos(17)},
		{Metric: "latency_ms", Max: f(20), Severity: Warning, Pos: pos(19)},
		{Metric: "new_metric", MaxDrop: f(0.1), Pos: pos(22)},
		{Metric: "f1", Min: f(0.5), Pos: pos(24)},
	}}
	base := map[string]float64{"accuracy": 0.84, "log_loss": 0.33, "latency_ms": 12}
	head := map[string]float64{"accuracy": 0.8358, "log_loss": 0.3711, "latency_ms": 25.5,
		"new_metric": 1, "f1": math.NaN()}
	return NewVerdict(&metrics.Baseline{Kind: metrics.KindCommit, Ref: "main",
		Commit: "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432"}, Evaluate(m, base, head, nil))
}

func TestVerdictFiles(t *testing.T) {
	t.Parallel()
	v := sampleVerdict(t)
	assert.False(t, v.Passed)
	passed, failed, warned := v.Counts()
	assert.Equal(t, [3]int{2, 2, 1}, [3]int{passed, failed, warned})

	data, err := v.JSON()
	require.NoError(t, err)
	golden.Assert(t, "verdict.json", data)
	var back map[string]any
	require.NoError(t, json.Unmarshal(data, &back))

	junit, err := v.JUnit()
	require.NoError(t, err)
	golden.Assert(t, "gates.xml", junit)
	var doc junitSuites
	require.NoError(t, xml.Unmarshal(junit, &doc))
	assert.Equal(t, 5, doc.Tests)

	var text strings.Builder
	require.NoError(t, v.WriteText(&text))
	golden.Assert(t, "verdict.txt", []byte(text.String()))
}

func TestVerdictWrite(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	v := sampleVerdict(t)
	jsonPath := filepath.Join(dir, ".mlci", "reports", "verdict.json")
	junitPath := filepath.Join(dir, ".mlci", "reports", "gates.xml")
	require.NoError(t, v.Write(jsonPath, junitPath))

	want, err := v.JSON()
	require.NoError(t, err)
	got, err := os.ReadFile(jsonPath)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	_, err = os.Stat(junitPath)
	require.NoError(t, err)

	entries, err := os.ReadDir(filepath.Dir(jsonPath))
	require.NoError(t, err)
	assert.Len(t, entries, 2, "no temporary files are left behind")
}

func TestEmptyVerdictPasses(t *testing.T) {
	t.Parallel()
	v := NewVerdict(nil, nil)
	assert.True(t, v.Passed)
	data, err := v.JSON()
	require.NoError(t, err)
	assert.JSONEq(t, `{"passed": true, "gates": []}`, string(data))
}
