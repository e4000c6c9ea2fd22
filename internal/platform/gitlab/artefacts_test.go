package gitlab

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/platform"
)

func TestWriteArtefacts(t *testing.T) {
	t.Parallel()
	junit := []byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<testsuites/>\n")
	tests := []struct {
		name      string
		set       platform.ArtefactSet
		wantJUnit string // "" when gates.xml must keep what it held
		wantLines string
	}{{
		name: "gates and metrics",
		set: platform.ArtefactSet{JUnit: junit, Metrics: []platform.MetricValue{
			{Model: "churn", File: "eval/metrics.json", Key: "roc_auc", Value: 0.91},
			{Model: "churn", File: "eval/test.json", Key: "test.accuracy", Value: 0.84},
		}},
		wantJUnit: string(junit),
		wantLines: `roc_auc{file="eval/metrics.json",model="churn"} 0.91` + "\n" +
			`test_accuracy{file="eval/test.json",model="churn"} 0.84` + "\n",
	}, {
		name:      "no gate ran",
		set:       platform.ArtefactSet{},
		wantLines: "",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			c, _ := newTestClient(t, mrEnv(nil, dir))
			require.NoError(t, writeFile(filepath.Join(dir, JUnitPath), []byte("old")))
			require.NoError(t, writeFile(filepath.Join(dir, MetricsPath), []byte("old 1\n")))

			require.NoError(t, c.WriteArtefacts(tt.set))

			gates, err := os.ReadFile(filepath.Join(dir, JUnitPath))
			require.NoError(t, err)
			if tt.wantJUnit == "" {
				tt.wantJUnit = "old"
			}
			assert.Equal(t, tt.wantJUnit, string(gates))
			metrics, err := os.ReadFile(filepath.Join(dir, MetricsPath))
			require.NoError(t, err)
			assert.Equal(t, tt.wantLines, string(metrics), "an earlier run's metrics are replaced")
		})
	}
}
