package params

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name string
		file string
		data string
		want map[string]any
	}{
		{
			name: "yaml",
			file: "params.yaml",
			data: "train:\n  lr: 0.1\n  epochs: 20\n  layers: [8, 4]\nseed: 1\n",
			want: map[string]any{
				"train.lr": 0.1, "train.epochs": 20, "train.layers": []any{8, 4}, "seed": 1,
			},
		},
		{
			name: "json",
			file: "p.json",
			data: `{"train": {"lr": 0.1, "epochs": 20, "name": "x"}, "flag": true}`,
			want: map[string]any{
				"train.lr": 0.1, "train.epochs": 20, "train.name": "x", "flag": true,
			},
		},
		{
			name: "toml",
			file: "p.toml",
			data: "[train]\nlr = 0.1\nepochs = 20\n",
			want: map[string]any{"train.lr": 0.1, "train.epochs": int64(20)},
		},
		{name: "empty yaml", file: "params.yaml", data: "", want: map[string]any{}},
		{name: "empty json", file: "p.json", data: " \n", want: map[string]any{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := Parse(tt.file, []byte(tt.data))
			require.NoError(t, err)
			assert.Equal(t, tt.want, Flatten(m))
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name, file, data, want string
	}{
		{"yaml syntax", "params.yaml", "a: [1,\n", "parsing params params.yaml: yaml: line 1"},
		{"yaml list", "params.yaml", "- 1\n", "expected a mapping at the top level"},
		{"json list", "p.json", "[1]", "expected an object at the top level"},
		{"json syntax", "p.json", "{", "parsing params p.json"},
		{"toml syntax", "p.toml", "a = ", "parsing params p.toml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse(tt.file, []byte(tt.data))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestLookup(t *testing.T) {
	t.Parallel()

	m, err := Parse("params.yaml", []byte(
		"train:\n  lr: 0.1\n  opt: {name: adam}\nlayers:\n  - {units: 8}\n\"a.b\": 3\n"))
	require.NoError(t, err)

	tests := []struct {
		key  string
		want any
		ok   bool
	}{
		{"train.lr", 0.1, true},
		{"train.opt", map[string]any{"name": "adam"}, true},
		{"train.opt.name", "adam", true},
		{"layers.0.units", 8, true},
		{"layers.1", nil, false},
		{"a.b", 3, true},
		{"train.missing", nil, false},
		{"nope", nil, false},
	}
	for _, tt := range tests {
		got, ok := Lookup(m, tt.key)
		assert.Equal(t, tt.ok, ok, tt.key)
		assert.Equal(t, tt.want, got, tt.key)
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()

	path := filepath.Join(t.TempDir(), "params.yaml")
	require.NoError(t, os.WriteFile(path, []byte("a: 1\n"), 0o644))
	m, err := Load(path)
	require.NoError(t, err)
	assert.Equal(t, []string{"a"}, Keys(m))

	_, err = Load(filepath.Join(t.TempDir(), "missing.yaml"))
	require.ErrorContains(t, err, "reading params")
}

func TestFormatAndEqual(t *testing.T) {
	t.Parallel()

	assert.Equal(t, "0.05", Format(0.05))
	assert.Equal(t, "[1, x]", Format([]any{1, "x"}))
	assert.Equal(t, "{a: 1, b: true}", Format(map[string]any{"b": true, "a": 1}))
	assert.Equal(t, "null", Format(nil))

	assert.True(t, Equal(1, 1.0))
	assert.True(t, Equal([]any{1, "a"}, []any{1.0, "a"}))
	assert.False(t, Equal("true", true))
	assert.False(t, Equal(0.1, 0.2))
	assert.True(t, Equal(map[string]any{"a": 1}, map[string]any{"a": 1}))
}
