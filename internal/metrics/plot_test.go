package metrics

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/config"
)

// example is the bundled example project.
const example = "../../testdata/example"

func readExample(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(example, path))
	require.NoError(t, err)
	return data
}

func TestReadPlotExampleROC(t *testing.T) {
	t.Parallel()
	cfg := config.Plot{Path: "eval/plots/roc.csv", X: "fpr", Y: []string{"tpr"}}
	p, err := ReadPlot(cfg, readExample(t, cfg.Path))
	require.NoError(t, err)

	assert.Equal(t, Linear, p.Template)
	assert.Equal(t, "eval/plots/roc.csv", p.Title)
	assert.Equal(t, "fpr", p.XLabel)
	assert.Equal(t, "tpr", p.YLabel)
	require.Len(t, p.Series, 1)
	s := p.Series[0]
	assert.Equal(t, "tpr", s.Name)
	require.NotEmpty(t, s.X)
	assert.Len(t, s.Y, len(s.X))
	assert.InDelta(t, 0.0, s.X[0], 0)
	assert.InDelta(t, 1.0, s.Y[len(s.Y)-1], 1e-6)
}

func TestReadPlotConfusionFromPredictions(t *testing.T) {
	t.Parallel()
	cfg := config.Plot{Path: "eval/predictions.csv", X: "label", Y: []string{"prediction"},
		Template: Confusion}
	p, err := ReadPlot(cfg, readExample(t, cfg.Path))
	require.NoError(t, err)

	require.NotNil(t, p.Confusion)
	assert.Equal(t, []string{"0", "1"}, p.Confusion.Labels)
	total := 0
	for _, row := range p.Confusion.Counts {
		for _, n := range row {
			total += n
		}
	}
	preds, err := ReadPredictions(cfg.Path, readExample(t, cfg.Path))
	require.NoError(t, err)
	assert.Equal(t, len(preds.IDs), total)
	assert.Empty(t, p.Series)
}

func TestReadPlotFormats(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  config.Plot
		data string
		want []Series
	}{
		{"json list, x defaults to the index and y to the last field", config.Plot{Path: "h.json"},
			`[{"a": 1, "b": 10}, {"a": 2, "b": 20}]`,
			[]Series{{Name: "b", X: []float64{0, 1}, Y: []float64{10, 20}}}},
		{"json object holding a list, several y", config.Plot{Path: "h.json", X: "epoch",
			Y: []string{"loss", "val_loss"}},
			`{"train": [{"epoch": 1, "loss": 0.5, "val_loss": 0.6}]}`,
			[]Series{{Name: "loss", X: []float64{1}, Y: []float64{0.5}},
				{Name: "val_loss", X: []float64{1}, Y: []float64{0.6}}}},
		{"yaml", config.Plot{Path: "h.yaml", X: "x", Y: []string{"y"}},
			"- {x: 1, y: 2}\n- {x: 2, y: 4}\n",
			[]Series{{Name: "y", X: []float64{1, 2}, Y: []float64{2, 4}}}},
		{"tsv scatter", config.Plot{Path: "p.tsv", X: "x", Y: []string{"y"}, Template: Scatter},
			"x\ty\n3\t4\n", []Series{{Name: "y", X: []float64{3}, Y: []float64{4}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := ReadPlot(tt.cfg, []byte(tt.data))
			require.NoError(t, err)
			assert.Equal(t, tt.want, p.Series)
		})
	}
}

func TestReadPlotErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  config.Plot
		data string
		want string
	}{
		{"missing field", config.Plot{Path: "roc.csv", X: "fpr", Y: []string{"tpr"}},
			"fpr,recall\n0,1\n", `roc.csv:1: no field "tpr" (fields: fpr, recall)`},
		{"not a number", config.Plot{Path: "roc.csv", X: "fpr", Y: []string{"tpr"}},
			"fpr,tpr\n0,0\n0.5,high\n", `roc.csv:3: tpr: "high" is not a number`},
		{"json record not a number", config.Plot{Path: "h.json", X: "x", Y: []string{"y"}},
			`[{"x": 1, "y": "?"}]`, `h.json: record 1: y: "?" is not a number`},
		{"json not records", config.Plot{Path: "h.json"}, `{"a": 1, "b": 2}`,
			"h.json: expected a list of records, or an object holding one list of records"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ReadPlot(tt.cfg, []byte(tt.data))
			require.EqualError(t, err, tt.want)
		})
	}
}

func TestMerge(t *testing.T) {
	t.Parallel()
	a := &Plot{Title: "ROC", Series: []Series{{Name: "tpr", X: []float64{0}, Y: []float64{0}}}}
	b := &Plot{Title: "other", Series: []Series{{Name: "tpr", X: []float64{1}, Y: []float64{1}}}}
	got := Merge([]string{"baseline", "candidate"}, []*Plot{a, b})
	assert.Equal(t, "ROC", got.Title)
	require.Len(t, got.Series, 2)
	assert.Equal(t, "baseline: tpr", got.Series[0].Name)
	assert.Equal(t, "candidate: tpr", got.Series[1].Name)
	assert.Equal(t, "tpr", a.Series[0].Name, "the inputs are left alone")
}
