package reportview

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/changes"
	"github.com/mlci-dev/mlci/internal/gate"
	"github.com/mlci-dev/mlci/internal/metrics"
	"github.com/mlci-dev/mlci/internal/report"
)

func TestSignificance(t *testing.T) {
	t.Parallel()

	p := 0.01
	tests := []struct {
		name        string
		sig         gate.Significance
		significant bool
		pValue      bool
	}{
		{"better", gate.Significance{CILow: 0.01, CIHigh: 0.03, PValue: &p}, true, true},
		{"worse", gate.Significance{CILow: -0.03, CIHigh: -0.01, PValue: &p}, true, true},
		{"either way", gate.Significance{CILow: -0.01, CIHigh: 0.02, PValue: &p}, false, true},
		{"non-inferiority", gate.Significance{CILow: -0.01, CIHigh: 0.02, PValue: &p,
			Margin: 0.05}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Significance(gate.Result{Passed: true, Significance: &tt.sig})
			assert.Equal(t, tt.significant, got.Significant)
			assert.Equal(t, tt.pValue, got.PValue != nil)
		})
	}
}

func TestPlotKind(t *testing.T) {
	t.Parallel()

	tests := []struct{ x, y, kind string }{
		{"fpr", "tpr", report.ROC},
		{"Recall", "Precision", report.PR},
		{"epoch", "loss", report.Line},
	}
	for _, tt := range tests {
		p := Plot(&metrics.Plot{Path: "p.csv", XLabel: tt.x, YLabel: tt.y})
		assert.Equal(t, tt.kind, p.Kind, tt.x)
		assert.Equal(t, "p.csv", p.Title)
	}
}

func TestChanges(t *testing.T) {
	t.Parallel()

	c := Changes(&changes.Result{
		Counts: map[string]int{"params": 1, "code": 2},
		Files:  []changes.File{{Path: "src/a.py", Status: "modified", Class: "code"}},
		Params: []changes.ParamChange{
			{File: "params.yaml", Key: "train.lr", Base: 0.1, Head: 0.2},
			{File: "params.yaml", Key: "train.new", Head: true},
		},
	})
	require.Len(t, c.Classes, 2)
	assert.Equal(t, "code", c.Classes[0].Class)
	assert.Equal(t, report.ParamChange{File: "params.yaml", Key: "train.lr", Base: "0.1",
		Head: "0.2"}, c.Params[0])
	assert.Empty(t, c.Params[1].Base, "a new key has no base")
	assert.Equal(t, report.Changes{}, Changes(nil))
}
