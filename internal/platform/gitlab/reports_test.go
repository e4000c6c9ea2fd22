package gitlab

import (
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/golden"
)

func TestWriteDotenv(t *testing.T) {
	t.Parallel()
	many := map[string]string{}
	for i := range MaxDotenvVars + 1 {
		many["V"+strconv.Itoa(i)] = "x"
	}
	tests := []struct {
		name    string
		vars    map[string]string
		want    string
		wantErr string
	}{
		{"sorted", map[string]string{"MLCI_B": "2", "MLCI_A": "a b"}, "MLCI_A=a b\nMLCI_B=2\n", ""},
		{"empty", map[string]string{}, "", ""},
		{"bad key", map[string]string{"9LIVES": "x"}, "", `key "9LIVES"; expected letters`},
		{"dash in key", map[string]string{"A-B": "x"}, "", `key "A-B"`},
		{"two lines", map[string]string{"A": "x\ny"}, "", "the value of A spans lines"},
		{"too many", many, "", "21 variables; GitLab accepts at most 20"},
		{"too big", map[string]string{"A": strings.Repeat("x", MaxDotenvBytes)}, "",
			"5123 bytes; GitLab accepts at most 5120"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "r", "mlci.env")
			if tt.wantErr != "" {
				require.NoError(t, writeFile(path, []byte("OLD=1\n")))
			}

			err := WriteDotenv(path, tt.vars)

			got, readErr := os.ReadFile(path)
			require.NoError(t, readErr)
			if tt.wantErr != "" {
				var de *DotenvError
				require.ErrorAs(t, err, &de)
				assert.Contains(t, err.Error(), path)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.Equal(t, "OLD=1\n", string(got), "nothing half-written")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
			entries, err := os.ReadDir(filepath.Dir(path))
			require.NoError(t, err)
			assert.Len(t, entries, 1, "no temporary file left")
		})
	}
}

func TestSetOutputs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := mrEnv(nil, dir)
	c, _ := newTestClient(t, env)

	require.NoError(t, c.SetOutputs(map[string]string{"verdict": "pass", "model-version": "v1"}))
	require.NoError(t, c.SetOutputs(map[string]string{"mlci_note": "two\nlines"}))

	got, err := os.ReadFile(filepath.Join(dir, DotenvPath))
	require.NoError(t, err)
	assert.Equal(t, "MLCI_MODEL_VERSION=v1\nMLCI_NOTE=two lines\nMLCI_VERDICT=pass\n", string(got))
}

func TestWriteMetrics(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "metrics.txt")
	metrics := []Metric{
		{Name: "roc_auc", Labels: map[string]string{"model": "churn", "file": "eval/metrics.json"},
			Value: 0.9137},
		{Name: "accuracy", Labels: map[string]string{"model": "churn"}, Value: 0.87},
		{Name: "latency p99 (ms)", Value: 12.5},
		{Name: "1st.metric", Labels: map[string]string{"slice-by": `EU "west"`}, Value: -1},
		{Name: "loss", Value: math.Inf(1)},
		{Name: "gap", Value: math.NaN()},
		{Name: "count", Value: 3e9},
	}

	require.NoError(t, WriteMetrics(path, metrics))

	got, err := os.ReadFile(path)
	require.NoError(t, err)
	golden.Assert(t, "metrics.golden.txt", got)
}

func TestSanitizeMetricName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"roc_auc": "roc_auc", "a:b": "a:b", "train.lr": "train_lr", "9x": "_9x",
		"": "_", "p@k": "p_k",
	} {
		assert.Equal(t, want, SanitizeMetricName(in), in)
	}
}
