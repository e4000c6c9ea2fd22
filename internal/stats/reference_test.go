package stats

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sklearnPython is the interpreter with scikit-learn and scipy (Debian's
// python3-sklearn); the python3 on PATH may be another one.
const sklearnPython = "/usr/bin/python3"

type referenceCase struct {
	Name       string             `json:"name"`
	Label      []float64          `json:"label"`
	Score      []float64          `json:"score"`
	Prediction []float64          `json:"prediction"`
	Want       map[string]float64 `json:"want"`
}

type reference struct {
	Cases    []referenceCase `json:"cases"`
	Binomial []struct {
		K int     `json:"k"`
		N int     `json:"n"`
		P float64 `json:"p"`
	} `json:"binomial"`
}

// loadReference runs testdata/reference.py, or skips the test when
// scikit-learn or scipy cannot be imported.
func loadReference(t *testing.T) reference {
	t.Helper()
	if _, err := os.Stat(sklearnPython); err != nil {
		t.Skipf("%s not found: install python3-sklearn to compare with scikit-learn", sklearnPython)
	}
	probe := exec.CommandContext(t.Context(), sklearnPython, "-c", "import sklearn, scipy")
	if err := probe.Run(); err != nil {
		t.Skipf(
			"%s cannot import sklearn and scipy (%v): install python3-sklearn",
			sklearnPython,
			err,
		)
	}

	var out, stderr bytes.Buffer
	cmd := exec.CommandContext(t.Context(), sklearnPython, "testdata/reference.py")
	cmd.Stdout, cmd.Stderr = &out, &stderr
	require.NoError(t, cmd.Run(), stderr.String())

	var ref reference
	require.NoError(t, json.Unmarshal(out.Bytes(), &ref))
	require.NotEmpty(t, ref.Cases)
	return ref
}

func TestMetricsMatchScikitLearn(t *testing.T) {
	t.Parallel()
	ref := loadReference(t)

	for _, c := range ref.Cases {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			require.NotEmpty(t, c.Want)
			for name, want := range c.Want {
				m, ok := ParseMetric(name)
				require.True(t, ok, name)
				x := c.Prediction
				if m.Input() == Score {
					x = c.Score
				}
				assert.InDelta(t, want, m.Compute(c.Label, x), 1e-9, name)
			}
		})
	}
}

func TestBinomialMatchesScipy(t *testing.T) {
	t.Parallel()
	ref := loadReference(t)

	for _, b := range ref.Binomial {
		got := BinomialTwoSided(b.K, b.N)
		assert.InDelta(t, b.P, got, 1e-9, "k=%d n=%d", b.K, b.N)
		if b.P > 0 {
			assert.InEpsilon(t, b.P, got, 1e-8, "k=%d n=%d", b.K, b.N)
		}
	}
}
