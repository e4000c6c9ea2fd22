package metrics

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/params"
)

func TestDiff(t *testing.T) {
	t.Parallel()
	base := map[string]float64{"acc": 0.8, "loss": 0.5, "zero": 0, "gone": 1, "same": 2,
		"nan": math.NaN()}
	head := map[string]float64{"acc": 0.9, "loss": 0.4, "zero": 0.1, "new": 3, "same": 2,
		"nan": math.NaN()}

	got := Diff(base, head, "m.json")
	byKey := map[string]MetricChange{}
	var keys []string
	for _, c := range got {
		byKey[c.Key] = c
		keys = append(keys, c.Key)
		assert.Equal(t, "m.json", c.File)
	}
	assert.Equal(t, []string{"acc", "gone", "loss", "nan", "new", "same", "zero"}, keys)

	assert.InDelta(t, 0.1, *byKey["acc"].Change, 1e-12)
	assert.InDelta(t, 0.125, *byKey["acc"].Relative, 1e-12)
	assert.InDelta(t, -0.2, *byKey["loss"].Relative, 1e-12)
	assert.Nil(t, byKey["zero"].Relative, "relative change from zero is undefined")
	assert.InDelta(t, 0.1, *byKey["zero"].Change, 1e-12)
	assert.Nil(t, byKey["gone"].Head)
	assert.Nil(t, byKey["gone"].Change)
	assert.Nil(t, byKey["new"].Base)
	assert.True(t, byKey["new"].Changed())
	assert.False(t, byKey["same"].Changed())
	assert.False(t, byKey["nan"].Changed())
}

func TestDiffWithoutBaseline(t *testing.T) {
	t.Parallel()
	got := Diff(nil, map[string]float64{"acc": 1}, "m.json")
	require.Len(t, got, 1)
	assert.Nil(t, got[0].Base)
	assert.True(t, got[0].Changed())
}

func TestMetricChangeJSON(t *testing.T) {
	t.Parallel()
	c := Diff(map[string]float64{"a": 1}, map[string]float64{"a": math.Inf(1)}, "m.json")[0]
	data, err := json.Marshal(c)
	require.NoError(t, err)
	assert.JSONEq(t, `{"file":"m.json","key":"a","base":1,"head":"+Inf","change":"+Inf",
		"relative":"+Inf"}`, string(data))
}

func TestDiffParams(t *testing.T) {
	t.Parallel()
	base, err := params.Parse("params.yaml", []byte(
		"train:\n  lr: 0.1\n  epochs: 20\n  layers: [1, 2]\nold: x\nsame: 1\n"))
	require.NoError(t, err)
	head, err := params.Parse("params.yaml", []byte(
		"train:\n  lr: 0.05\n  epochs: 20.0\n  layers: [1, 3]\nnew: true\nsame: 1\n"))
	require.NoError(t, err)

	got := DiffParams(base, head, "params.yaml")
	status := map[string]string{}
	for _, c := range got {
		status[c.Key] = c.Status
	}
	assert.Equal(t, map[string]string{"new": Added, "old": Removed, "same": Unchanged,
		"train.epochs": Unchanged, "train.layers": Modified, "train.lr": Modified}, status)
	for _, c := range got {
		if c.Key == "train.lr" {
			assert.InDelta(t, -0.05, *c.Change, 1e-12)
		}
	}
}
