package datacheck

import (
	"encoding/json"
	"math"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mlci-dev/mlci/internal/config"
)

// tol is how closely the statistics must agree with SciPy's.
const tol = 1e-9

// python is Debian's interpreter, which has python3-scipy and
// python3-sklearn; a python3 earlier on PATH may lack them.
const python = "/usr/bin/python3"

// expected is SciPy's answer for one column; "inf" stands for infinity.
type expected struct {
	Kind          string
	KSStatistic   float64 `json:"ks_statistic"`
	KSPValue      float64 `json:"ks_pvalue"`
	Wasserstein   any
	PSI           float64
	ChiStatistic  any     `json:"chi_statistic"`
	ChiPValue     float64 `json:"chi_pvalue"`
	JensenShannon float64
	LInf          float64
}

// driftReference writes the reference cases into a temporary directory and
// returns SciPy's answers by case and column.
func driftReference(t *testing.T) (string, map[string]map[string]expected) {
	t.Helper()
	check := exec.Command(python, "-c", "import scipy, sklearn, pandas")
	if err := check.Run(); err != nil {
		t.Skipf("SciPy reference values need %s with scipy, sklearn and pandas "+
			"(apt-get install python3-scipy python3-sklearn python3-pandas): %v", python, err)
	}
	dir := t.TempDir()
	out, err := exec.Command(python, "testdata/drift_reference.py", dir).Output()
	require.NoError(t, err, "running testdata/drift_reference.py")

	var ref map[string]map[string]expected
	require.NoError(t, json.Unmarshal(out, &ref))
	require.NotEmpty(t, ref)
	return dir, ref
}

func TestDriftStatisticsAgreeWithSciPy(t *testing.T) {
	t.Parallel()
	dir, ref := driftReference(t)
	for name, columns := range ref {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			base := profileFile(t, filepath.Join(dir, name+".base.csv"))
			head := profileFile(t, filepath.Join(dir, name+".head.csv"))
			for col, want := range columns {
				b, h := base.Column(col), head.Column(col)
				require.NotNil(t, b, col)
				if want.Kind == "numeric" {
					checkNumeric(t, col, b, h, want)
				} else {
					checkCategorical(t, col, b, h, want)
				}
			}
		})
	}
}

func checkNumeric(t *testing.T, col string, b, h *Column, want expected) {
	t.Helper()
	require.True(t, b.Numeric.Sketch.Exact(), "%s: the sketch holds every value", col)

	ks := runTest(t, b, h, TestKS)
	assert.InDelta(t, want.KSStatistic, ks.Statistic, tol, "%s: KS statistic", col)
	assert.InDelta(t, want.KSPValue, *ks.PValue, tol, "%s: KS p-value", col)

	w := runTest(t, b, h, TestWasserstein)
	assert.InDelta(t, number(want.Wasserstein), w.Statistic, tol, "%s: Wasserstein/std", col)
	assert.InDelta(t, number(want.Wasserstein), w.Distance, tol, "%s: distance", col)

	psi := runTest(t, b, h, TestPSI)
	assert.InDelta(t, want.PSI, psi.Statistic, tol, "%s: PSI", col)
}

func checkCategorical(t *testing.T, col string, b, h *Column, want expected) {
	t.Helper()
	chi := runTest(t, b, h, TestChiSquare)
	assert.InDelta(t, number(want.ChiStatistic), chi.Statistic, tol*chi.Statistic,
		"%s: chi-squared statistic", col)
	assert.InDelta(t, want.ChiPValue, *chi.PValue, tol, "%s: chi-squared p-value", col)

	js := runTest(t, b, h, TestJensenShannon)
	assert.InDelta(t, want.JensenShannon, js.Statistic, tol, "%s: Jensen–Shannon", col)

	linf := runTest(t, b, h, TestLInf)
	assert.InDelta(t, want.LInf, linf.Statistic, tol, "%s: L-infinity", col)
}

// runTest runs one named test on a column pair.
func runTest(t *testing.T, b, h *Column, test string) ColumnDrift {
	t.Helper()
	d, reason := compareColumn(b, h, config.DriftColumn{Test: test})
	require.Empty(t, reason)
	return d
}

// number reads SciPy's value, with "inf" as the stand-in Compare uses.
func number(v any) float64 {
	if s, ok := v.(string); ok && s == "inf" {
		return math.MaxFloat64
	}
	return v.(float64)
}

func profileFile(t *testing.T, path string) *Profile {
	t.Helper()
	p, err := ProfileFile(path, ProfileOptions{})
	require.NoError(t, err)
	return p
}
