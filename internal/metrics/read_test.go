package metrics

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRead(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		path string
		data string
		want map[string]float64
	}{
		{"json nested and lists", "m.json",
			`{"acc": 0.9, "train": {"loss": 0.1, "epochs": 3}, "folds": [{"auc": 0.8}, 0.7],
			  "name": "x", "ok": true, "none": null}`,
			map[string]float64{"acc": 0.9, "train.loss": 0.1, "train.epochs": 3,
				"folds.0.auc": 0.8, "folds.1": 0.7}},
		{"json from python with NaN", "m.json",
			`{"a": NaN, "b": Infinity, "c": -Infinity, "s": "NaN and Infinity"}`,
			map[string]float64{"a": math.NaN(), "b": math.Inf(1), "c": math.Inf(-1)}},
		{"yaml", "m.yaml", "acc: 0.5\nnested:\n  f1: .nan\n  list: [1, 2]\n",
			map[string]float64{"acc": 0.5, "nested.f1": math.NaN(), "nested.list.0": 1,
				"nested.list.1": 2}},
		{"yml", "m.yml", "acc: 1\n", map[string]float64{"acc": 1}},
		{"toml", "m.toml", "acc = 0.25\n[test]\nrmse = 1.5\n",
			map[string]float64{"acc": 0.25, "test.rmse": 1.5}},
		{"csv takes the last row", "m.csv", "epoch,loss,name\n0,0.9,a\n1,0.4,b\n",
			map[string]float64{"epoch": 1, "loss": 0.4}},
		{"tsv", "m.tsv", "acc\tauc\n0.7\t0.8\n", map[string]float64{"acc": 0.7, "auc": 0.8}},
		{"empty yaml", "m.yaml", "", map[string]float64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Read(tt.path, []byte(tt.data))
			require.NoError(t, err)
			require.Len(t, got, len(tt.want))
			for k, want := range tt.want {
				require.Contains(t, got, k)
				if math.IsNaN(want) {
					assert.True(t, math.IsNaN(got[k]), k)
					continue
				}
				assert.InDelta(t, want, got[k], 0, k)
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		path string
		data string
		want string
	}{
		{"json syntax", "eval/m.json", "{\n  \"a\": 1,\n  \"b\": ]\n}",
			"eval/m.json:3: invalid character ']' looking for beginning of value"},
		{"json trailing data", "m.json", "{\"a\": 1}\n{}",
			"m.json:2: unexpected data after the top-level value"},
		{"json empty", "m.json", "  ", "m.json: empty file: expected a JSON object"},
		{"yaml", "m.yaml", "a: 1\nb: [\n", "m.yaml:2: did not find expected node content"},
		{"toml", "m.toml", "a = 1\nb = = 2\n", "m.toml:2: expected value but found '=' instead"},
		{"csv ragged", "m.csv", "a,b\n1,2\n3\n", "m.csv:3: wrong number of fields"},
		{"csv header only", "m.csv", "a,b\n", "m.csv:1: no rows under the header"},
		{"unknown format", "m.txt", "a",
			"m.txt: unknown format: expected .json, .yaml, .yml, .toml, .csv or .tsv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Read(tt.path, []byte(tt.data))
			require.EqualError(t, err, tt.want)
			var fe *FormatError
			require.ErrorAs(t, err, &fe)
		})
	}
}

func TestNonFiniteToStringsLeavesStringsAlone(t *testing.T) {
	t.Parallel()
	in := `{"s": "NaN \" Infinity", "n": NaN}`
	got := string(nonFiniteToStrings([]byte(in)))
	assert.Equal(t, `{"s": "NaN \" Infinity", "n": "\u0000nonfinite:NaN"}`, got)
}
